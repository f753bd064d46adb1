//! The ways a JWT verifier goes wrong (RFC 8725 §2; OWASP JWT Cheat Sheet),
//! each behind its `jwt-*` fault of the plain accounts service's sessions:
//! reading claims unverified, honouring `alg: none` or an empty signature,
//! taking the algorithm from the header (so the RSA public key becomes an
//! HMAC secret), trusting a key the header embeds or points to, and reading
//! the `kid` as a file path. Without a fault nothing here accepts anything.
use axum::http::header;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::faults::Fault;
use super::server::AppState;
use super::session_jwt::{Claims, Parts};

/// The claims a faulty verifier takes `token` for, or `None` (the sound
/// verifier then decides).
pub async fn verify_badly(app: &AppState, public_pem: &str, token: &str) -> Option<Claims> {
    let has = |f: Fault| app.config.has(f);
    if !Fault::ALL.iter().any(|f| is_jwt_fault(*f) && has(*f)) {
        return None;
    }
    let parts = Parts::parse(token)?;
    let alg = parts.alg().to_string();
    if has(Fault::JwtSignatureUnchecked)
        || (has(Fault::JwtAlgNone) && alg.eq_ignore_ascii_case("none"))
        || (has(Fault::JwtSignatureOptional) && parts.signature.is_empty())
    {
        return parts.live_claims();
    }
    if has(Fault::JwtAlgConfusion) && alg.starts_with("HS") {
        return signed(&parts, &DecodingKey::from_secret(public_pem.as_bytes()));
    }
    let named = |key: &str| parts.header.get(key).cloned();
    if has(Fault::JwtEmbeddedKey) {
        if let Some(jwk) = named("jwk").and_then(|v| serde_json::from_value::<Jwk>(v).ok()) {
            return signed(&parts, &DecodingKey::from_jwk(&jwk).ok()?);
        }
    }
    if has(Fault::JwtJkuFetched) {
        if let Some(url) = named("jku").as_ref().and_then(Value::as_str) {
            // The defect is the request: the key set fetched is looked at
            // (and, not being the service's own, refused) only after it.
            let fetched = app.http.get(url).header(header::ACCEPT, "application/json").send().await.ok()?;
            let _set: Option<JwkSet> = fetched.json().await.ok();
            return None;
        }
    }
    if has(Fault::JwtKidPath) && alg.starts_with("HS") {
        if let Some(kid) = named("kid").as_ref().and_then(Value::as_str) {
            // The defect: the key id names a key file, read as given.
            let secret = std::fs::read(std::env::temp_dir().join(kid)).ok()?;
            return signed(&parts, &DecodingKey::from_secret(&secret));
        }
    }
    None
}

fn is_jwt_fault(f: Fault) -> bool {
    matches!(
        f,
        Fault::JwtSignatureUnchecked
            | Fault::JwtAlgNone
            | Fault::JwtSignatureOptional
            | Fault::JwtAlgConfusion
            | Fault::JwtEmbeddedKey
            | Fault::JwtJkuFetched
            | Fault::JwtKidPath
    )
}

/// The claims, when the signature holds under the algorithm the header names.
fn signed(parts: &Parts, key: &DecodingKey) -> Option<Claims> {
    let alg: Algorithm = parts.alg().parse().ok()?;
    let holds = jsonwebtoken::crypto::verify(&parts.signature, parts.signing_input.as_bytes(), key, alg).ok()?;
    holds.then(|| parts.live_claims()).flatten()
}
