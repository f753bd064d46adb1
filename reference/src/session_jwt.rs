//! The plain accounts service's session tokens: RS256 JWTs, as FastAPI,
//! Express and Spring backends commonly issue them, naming the account
//! (`sub`) and a server-side session (`sid`) so that sign-out and a password
//! change can end them. The verification key is published as a JWKS at
//! `/.well-known/jwks.json`. Verification is jsonwebtoken's, pinned to RS256
//! and this service's own `kid` (RFC 8725 §3.1); the `jwt-*` faults replace
//! it with the mistakes RFC 8725 §2 and the OWASP JWT Cheat Sheet list.
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::accounts_store::{Account, SESSION_LIFETIME};
use super::faults::Fault;
use super::server::{AppState, Shared};

/// The claims of a session token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The account's id.
    pub sub: String,
    /// The server-side session it belongs to.
    pub sid: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

/// The service's signing key, made on first use (an RSA key takes a
/// fifth of a second, which runs that never sign in do not pay).
pub struct SessionKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// SPKI PEM: what the `jwt-alg-confusion` defect takes for an HMAC secret.
    public_pem: String,
    jwk: Value,
}

impl SessionKeys {
    fn generate() -> Result<SessionKeys, String> {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        use rsa::traits::PublicKeyParts;
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| e.to_string())?;
        let public = rsa::RsaPublicKey::from(&private);
        let private_pem = private.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string())?;
        let public_pem = public.to_public_key_pem(LineEnding::LF).map_err(|e| e.to_string())?;
        let b64 = |bytes: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let kid = uuid::Uuid::new_v4().to_string();
        let jwk = json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": b64(public.n().to_bytes_be()), "e": b64(public.e().to_bytes_be()),
        });
        Ok(SessionKeys {
            kid,
            encoding: EncodingKey::from_rsa_pem(private_pem.as_bytes()).map_err(|e| e.to_string())?,
            decoding: DecodingKey::from_rsa_pem(public_pem.as_bytes()).map_err(|e| e.to_string())?,
            public_pem,
            jwk,
        })
    }

    /// A signed session token for account `sub` and session `sid`.
    pub fn issue(&self, sub: &str, sid: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.into(),
            sid: sid.into(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now,
            exp: now + SESSION_LIFETIME.as_secs() as i64,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, &claims, &self.encoding).expect("an RSA key made here always signs")
    }
}

/// The service's keys, made on the first call, off the runtime's workers.
pub async fn keys(app: &AppState) -> Arc<SessionKeys> {
    if let Some(k) = app.session_keys.get() {
        return k.clone();
    }
    let made = tokio::task::spawn_blocking(SessionKeys::generate)
        .await
        .expect("key generation does not panic")
        .unwrap_or_else(|e| panic!("the session signing key could not be made: {e}"));
    // Two first calls at once make two keys; the first set wins, for both.
    app.session_keys.get_or_init(|| Arc::new(made)).clone()
}

/// `GET /.well-known/jwks.json`: the key session tokens verify with (RFC 7517 §5).
pub async fn jwks(State(app): State<Shared>) -> Response {
    let keys = keys(&app).await;
    Json(json!({ "keys": [keys.jwk] })).into_response()
}

/// Who presents a session: the account and the session id.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub sid: String,
}

/// The caller of a request with a bearer session token: its signature,
/// algorithm, key and expiry checked, then its session looked up, live
/// and belonging to the account the token names. `prefix_fault` lets the
/// `token-prefix-check` defect apply to the route.
pub async fn caller(app: &AppState, headers: &HeaderMap, prefix_fault: bool) -> Option<Caller> {
    let token = super::accounts::bearer(headers)?;
    let now = std::time::Instant::now();
    if prefix_fault && app.config.has(Fault::TokenPrefixCheck) {
        let store = app.store();
        if let Some((sid, account)) = store.accounts.session_by_prefix(&token, now) {
            return Some(Caller { account: account.clone(), sid });
        }
    }
    let claims = verify(app, &token).await?;
    let store = app.store();
    let account = store.accounts.session_account(&claims.sid, now)?;
    (account.id == claims.sub).then(|| Caller { account: account.clone(), sid: claims.sid })
}

/// The token's claims if it is one of this service's, else `None`.
async fn verify(app: &AppState, token: &str) -> Option<Claims> {
    let keys = keys(app).await;
    if let Some(claims) = super::session_jwt_faults::verify_badly(app, &keys.public_pem, token).await {
        return Some(claims);
    }
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.kid.as_deref() != Some(keys.kid.as_str()) {
        return None;
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 0;
    jsonwebtoken::decode::<Claims>(token, &keys.decoding, &validation).ok().map(|d| d.claims)
}

/// The segments of a compact JWS, decoded (for the defects, which read
/// what the header says before anything is verified).
pub(super) struct Parts {
    pub header: serde_json::Map<String, Value>,
    pub claims: Value,
    pub signing_input: String,
    pub signature: String,
}

impl Parts {
    pub fn parse(token: &str) -> Option<Parts> {
        let mut it = token.split('.');
        let (h, p, s) = (it.next()?, it.next()?, it.next()?);
        let decode = |seg: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(seg).ok();
        let header: Value = serde_json::from_slice(&decode(h)?).ok()?;
        let claims: Value = serde_json::from_slice(&decode(p)?).ok()?;
        Some(Parts {
            header: header.as_object()?.clone(),
            claims,
            signing_input: format!("{h}.{p}"),
            signature: s.to_string(),
        })
    }

    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    /// The claims, if they are a session's and not yet expired.
    pub fn live_claims(&self) -> Option<Claims> {
        let claims: Claims = serde_json::from_value(self.claims.clone()).ok()?;
        (claims.exp > chrono::Utc::now().timestamp()).then_some(claims)
    }
}
