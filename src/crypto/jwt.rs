//! Partner JWTs (docs/snapmd-sso.md, docs/security-checklist.md): building
//! the RS256 patient token a partner backend hands the platform, and checking
//! one claim by claim, so that the platform double can keep each verdict as
//! evidence instead of a bare "invalid token".
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// The audience every partner JWT must name.
pub const AUDIENCE: &str = "snapmd";
/// Suite policy: a partner JWT lives at most five minutes.
pub const MAX_LIFETIME_SECS: i64 = 300;
/// Clock skew tolerated on `iat` and `nbf`.
pub const LEEWAY_SECS: i64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PatientClaims {
    pub iss: String,
    pub aud: String,
    pub unique_name: String,
    pub email: String,
    pub role: String,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

impl PatientClaims {
    /// Fresh claims for a patient, valid for `lifetime_secs` from now.
    pub fn new(issuer: &str, name: &str, email: &str, lifetime_secs: i64) -> PatientClaims {
        let now = chrono::Utc::now().timestamp();
        PatientClaims {
            iss: issuer.into(),
            aud: AUDIENCE.into(),
            unique_name: name.into(),
            email: email.into(),
            role: "patient".into(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now,
            nbf: now,
            exp: now + lifetime_secs,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("the signing key is not an RSA private key in PEM: {0}")]
    Key(String),
    #[error("signing failed: {0}")]
    Sign(String),
}

/// Signs `claims` with RS256 and the partner's private key (PKCS#8 or PKCS#1 PEM).
pub fn sign_rs256(claims: &PatientClaims, private_pem: &str) -> Result<String, JwtError> {
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).map_err(|e| JwtError::Key(e.to_string()))?;
    encode(&Header::new(Algorithm::RS256), claims, &key).map_err(|e| JwtError::Sign(e.to_string()))
}

/// One check of a JWT, as evidence: what was checked, whether it held, and why not.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Check {
    /// The check's id in the assertion catalogue (`crate::assertion`), e.g. `jwt.alg`.
    #[serde(default)]
    pub id: std::borrow::Cow<'static, str>,
    pub name: std::borrow::Cow<'static, str>,
    pub passed: bool,
    pub detail: String,
}

/// Every check made on one JWT.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Verdict {
    pub checks: Vec<Check>,
    /// The claims as read (unverified when the signature failed), for evidence.
    pub claims: Option<serde_json::Value>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }

    pub fn failed(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.passed).collect()
    }

    /// The failed checks, one `name: detail [id]` each, for a failure message.
    pub fn failures(&self) -> Vec<String> {
        self.failed().iter().map(|c| format!("{}: {} [{}]", c.name, c.detail, c.id)).collect()
    }

    fn check(&mut self, id: &'static str, name: &'static str, passed: bool, detail: impl Into<String>) {
        self.checks.push(Check {
            id: id.into(),
            name: name.into(),
            passed,
            detail: if passed { String::new() } else { detail.into() },
        });
    }
}

/// What the platform knows of a partner: its issuer and registered public key.
pub struct Registration {
    pub issuer: String,
    pub public_pem: String,
    /// `jti`s already seen: a JWT is single use.
    seen: Mutex<HashSet<String>>,
}

impl Registration {
    pub fn new(issuer: impl Into<String>, public_pem: impl Into<String>) -> Registration {
        Registration { issuer: issuer.into(), public_pem: public_pem.into(), seen: Mutex::new(HashSet::new()) }
    }

    /// Checks `token` as a patient JWT for `expected_email` (when known).
    /// Every check is made and reported, not only the first failing one.
    pub fn verify(&self, token: &str, expected_email: Option<&str>) -> Verdict {
        let mut v = Verdict::default();
        let header = raw_segment(token, 0);
        let alg = header.as_ref().and_then(|h| h.get("alg")).and_then(|a| a.as_str()).unwrap_or("").to_string();
        v.check("jwt.alg", "alg is RS256", alg == "RS256", format!("alg is {alg:?}"));
        let embedded: Vec<&str> = ["jwk", "jku", "x5u", "x5c"]
            .into_iter()
            .filter(|k| header.as_ref().is_some_and(|h| h.get(*k).is_some()))
            .collect();
        v.check(
            "jwt.no-embedded-key",
            "no embedded or remote key",
            embedded.is_empty(),
            format!("header carries {}", embedded.join(", ")),
        );

        let signature_ok = match DecodingKey::from_rsa_pem(self.public_pem.as_bytes()) {
            Ok(key) => {
                let mut validation = Validation::new(Algorithm::RS256);
                // Claims are checked one by one below; here only the signature.
                validation.validate_exp = false;
                validation.validate_aud = false;
                validation.required_spec_claims = HashSet::new();
                decode::<serde_json::Value>(token, &key, &validation).map_err(|e| e.to_string())
            }
            Err(e) => Err(format!("registered key unusable: {e}")),
        };
        v.check(
            "jwt.signature",
            "signature verifies with the registered key",
            signature_ok.is_ok(),
            signature_ok.as_ref().err().cloned().unwrap_or_default(),
        );

        let claims = raw_segment(token, 1).unwrap_or(serde_json::Value::Null);
        let now = chrono::Utc::now().timestamp();
        let num = |k: &str| claims.get(k).and_then(|x| x.as_i64());
        let text = |k: &str| claims.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let iss = text("iss");
        v.check("jwt.iss", "iss is the registered issuer", iss == self.issuer, format!("iss is {iss:?}"));
        let aud_ok = match claims.get("aud") {
            Some(serde_json::Value::String(a)) => a == AUDIENCE,
            Some(serde_json::Value::Array(a)) => a.iter().any(|x| x == AUDIENCE),
            _ => false,
        };
        v.check(
            "jwt.aud",
            "aud is snapmd",
            aud_ok,
            format!("aud is {}", claims.get("aud").map(|a| a.to_string()).unwrap_or("missing".into())),
        );
        match (num("iat"), num("exp")) {
            (Some(iat), Some(exp)) => {
                v.check(
                    "jwt.lifetime",
                    "exp - iat <= 300 s",
                    exp - iat <= MAX_LIFETIME_SECS && exp > iat,
                    format!("lifetime is {} s", exp - iat),
                );
                v.check("jwt.not-expired", "not expired", exp > now, format!("expired {} s ago", now - exp));
                v.check(
                    "jwt.iat",
                    "iat not in the future",
                    iat <= now + LEEWAY_SECS,
                    format!("iat is {} s ahead", iat - now),
                );
            }
            _ => v.check("jwt.dates", "exp and iat are numeric dates", false, "exp or iat is missing or not a number"),
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = nbf.as_i64();
            v.check(
                "jwt.nbf",
                "nbf not in the future",
                nbf.is_some_and(|n| n <= now + LEEWAY_SECS),
                format!("nbf is {nbf:?}"),
            );
        }
        let jti = text("jti");
        v.check("jwt.jti", "jti is a GUID", guid().is_match(&jti), format!("jti is {jti:?}"));
        let fresh = !jti.is_empty() && self.seen.lock().unwrap_or_else(|e| e.into_inner()).insert(jti.clone());
        v.check("jwt.jti-fresh", "jti never seen before", fresh, "this jti was already used (replay)");
        if let Some(expected) = expected_email {
            let email = text("email");
            v.check(
                "jwt.email",
                "email is the authenticated user's",
                email.eq_ignore_ascii_case(expected),
                "email names another user",
            );
        }
        let role = text("role");
        v.check("jwt.role", "role is patient", role == "patient", format!("role is {role:?}"));
        let leaked: Vec<&str> =
            ["password", "pwd", "secret"].into_iter().filter(|k| claims.get(*k).is_some()).collect();
        v.check(
            "jwt.no-secret",
            "no secret in the payload",
            leaked.is_empty(),
            format!("payload carries {}", leaked.join(", ")),
        );
        v.claims = Some(claims);
        v
    }
}

fn guid() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$").unwrap()
    })
}

/// The claims of a compact JWS, read without verifying its signature (for
/// checks on what a token says, such as its `jti` and lifetime).
pub fn unverified_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    raw_segment(token, 1)?.as_object().cloned()
}

/// Decodes one base64url JSON segment of a compact JWS, without verifying.
fn raw_segment(token: &str, index: usize) -> Option<serde_json::Value> {
    let part = token.split('.').nth(index)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

    fn keys() -> &'static (String, String) {
        static K: OnceLock<(String, String)> = OnceLock::new();
        K.get_or_init(|| {
            let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
            let public = rsa::RsaPublicKey::from(&private);
            (
                private.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
                public.to_public_key_pem(LineEnding::LF).unwrap(),
            )
        })
    }

    fn reg() -> Registration {
        Registration::new("partner.test", keys().1.clone())
    }

    fn failed_names(v: &Verdict) -> Vec<&str> {
        v.failed().into_iter().map(|c| c.name.as_ref()).collect()
    }

    #[test]
    fn a_well_built_token_passes_every_check_once() {
        let r = reg();
        let token = sign_rs256(&PatientClaims::new("partner.test", "Dany", "d@x.test", 300), &keys().0).unwrap();
        let v = r.verify(&token, Some("D@x.test"));
        assert!(v.passed(), "{:?}", v.failed());
        assert_eq!(failed_names(&r.verify(&token, None)), vec!["jti never seen before"]);
    }

    #[test]
    fn each_defect_is_named() {
        let r = reg();
        let mut c = PatientClaims::new("other", "Dany", "d@x.test", 3600);
        c.aud = "api".into();
        c.role = "admin".into();
        c.jti = "42".into();
        let token = sign_rs256(&c, &keys().0).unwrap();
        let verdict = r.verify(&token, Some("e@x.test"));
        let names = failed_names(&verdict);
        for expected in [
            "iss is the registered issuer",
            "aud is snapmd",
            "exp - iat <= 300 s",
            "jti is a GUID",
            "email is the authenticated user's",
            "role is patient",
        ] {
            assert!(names.contains(&expected), "{expected} not reported in {names:?}");
        }
    }

    #[test]
    fn hs256_none_and_tampering_fail_the_signature() {
        let r = reg();
        let c = PatientClaims::new("partner.test", "Dany", "d@x.test", 300);
        let hs = encode(&Header::new(Algorithm::HS256), &c, &EncodingKey::from_secret(keys().1.as_bytes())).unwrap();
        let verdict = r.verify(&hs, None);
        let names = failed_names(&verdict);
        assert!(
            names.contains(&"alg is RS256") && names.contains(&"signature verifies with the registered key"),
            "{names:?}"
        );

        let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!("{}.{}.", b64(serde_json::json!({"alg": "none"})), b64(serde_json::to_value(&c).unwrap()));
        assert!(failed_names(&r.verify(&none, None)).contains(&"alg is RS256"));

        let good = sign_rs256(&PatientClaims::new("partner.test", "Dany", "d@x.test", 300), &keys().0).unwrap();
        let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
        let mut claims = raw_segment(&good, 1).unwrap();
        claims["role"] = "admin".into();
        parts[1] = b64(claims);
        let tampered = parts.join(".");
        assert!(failed_names(&r.verify(&tampered, None)).contains(&"signature verifies with the registered key"));
    }
}
