//! Authentication by login and secret (HTTP Basic, as SDK 1.0.x does): the
//! secret is a long-lived token or, while it lives and until a token is
//! issued with it, the code of the last validated process. Also the current-user and token-creation endpoints.
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine as _;
use rand::RngCore;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::faults::Fault;
use super::gateway::constant_time_eq;
use super::server::{AppState, Shared};
use super::store::{Token, CODE_LIFETIME, MAX_TOKEN_VALIDITY};

/// Who a request authenticates as.
pub struct Caller {
    pub user_id: String,
    pub login: String,
    pub data_owner_id: String,
    /// Authenticated by a token rather than a one-time code.
    pub by_token: bool,
}

/// Login and secret from `Authorization: Basic` (API v2) or
/// `X-Credentials: login:secret` (API v3).
fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    if let Some(v) = headers.get("x-credentials").and_then(|v| v.to_str().ok()) {
        let (login, secret) = v.split_once(':')?;
        return Some((login.to_string(), secret.to_string()));
    }
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, secret) = text.split_once(':')?;
    Some((login.to_string(), secret.to_string()))
}

fn token_matches(app: &AppState, token: &Token, secret: &str, now: Instant) -> bool {
    let same = if app.config.has(Fault::TokenPrefixCheck) {
        token.value.len() >= 8 && secret.len() >= 8 && token.value[..8] == secret[..8]
    } else {
        constant_time_eq(token.value.as_bytes(), secret.as_bytes())
    };
    let live = app.config.has(Fault::TokenNeverExpires)
        || token.validity.is_none_or(|v| {
            let v = if app.config.has(Fault::TokenShortLifetime) { v / 2 } else { v };
            now.duration_since(token.created) <= v
        });
    same && live
}

/// Authenticates a request; every failure is the same 401.
pub fn authenticate(app: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    let (login, secret) = credentials(headers).ok_or_else(ApiError::unauthorized)?;
    let store = app.store();
    let user = store.user_by_login(&login).ok_or_else(ApiError::unauthorized)?;
    let now = Instant::now();
    let by_token = user.tokens.iter().any(|t| token_matches(app, t, &secret, now))
        || (app.config.has(Fault::TokenAnyUser)
            && store.users.values().any(|u| u.tokens.iter().any(|t| token_matches(app, t, &secret, now))));
    let by_code = user.otp.as_ref().is_some_and(|(code, created)| {
        constant_time_eq(code.as_bytes(), secret.as_bytes())
            && (now.duration_since(*created) <= CODE_LIFETIME || app.config.has(Fault::OtpNeverExpires))
    });
    if !(by_token || by_code) {
        return Err(ApiError::unauthorized());
    }
    Ok(Caller {
        user_id: user.id.clone(),
        login: user.login.clone(),
        data_owner_id: user.data_owner_id.clone(),
        by_token: by_token && !by_code,
    })
}

/// `GET /rest/v2/user/current`
pub async fn current_user(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<serde_json::Value>> {
    let caller = authenticate(&app, &headers)?;
    Ok(Json(user_json(&app, &caller)))
}

/// The current user as API v2 shows it.
pub fn user_json(app: &AppState, caller: &Caller) -> serde_json::Value {
    let kind = app.store().owners.get(&caller.data_owner_id).map(|o| o.kind);
    let id = if caller.by_token && app.config.has(Fault::CurrentUserOwnerId) {
        &caller.data_owner_id
    } else {
        &caller.user_id
    };
    let mut user = serde_json::json!({
        "id": id,
        "login": caller.login,
        "groupId": app.config.group_id,
        "dataOwnerId": caller.data_owner_id,
    });
    match kind {
        Some(super::store::OwnerKind::Patient) => user["patientId"] = caller.data_owner_id.clone().into(),
        Some(super::store::OwnerKind::Hcp) => user["healthcarePartyId"] = caller.data_owner_id.clone().into(),
        None => {}
    }
    user
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(rename = "tokenValidity")]
    validity: Option<i64>,
}

/// `POST /rest/v2/user/token/{userId}/{key}?tokenValidity=seconds` -> the token as text.
pub async fn create_token(
    State(app): State<Shared>,
    Path((user_id, key)): Path<(String, String)>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, String)> {
    let caller = authenticate(&app, &headers)?;
    Ok((StatusCode::OK, issue_token(&app, &caller, &user_id, key, q.validity)?))
}

/// Issues a long-lived token to the caller, for one device key.
pub fn issue_token(
    app: &AppState,
    caller: &Caller,
    user_id: &str,
    key: String,
    validity: Option<i64>,
) -> ApiResult<String> {
    if caller.user_id != user_id && !app.config.has(Fault::TokenForAnyUser) {
        return Err(ApiError::forbidden());
    }
    let seconds = validity.unwrap_or(3600);
    if seconds <= 0 || (seconds as u64 > MAX_TOKEN_VALIDITY && !app.config.has(Fault::TokenCapIgnored)) {
        return Err(ApiError::field("invalid_token_validity", "tokenValidity"));
    }
    let mut store = app.store();
    let user = store.users.get_mut(user_id).ok_or_else(ApiError::not_found)?;
    if app.config.has(Fault::TokenReissued) {
        if let Some(first) = user.tokens.first() {
            return Ok(first.value.clone());
        }
    }
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    super::ledger::record(&app.config.ledger, &value);
    // The code did its one job: from now on only the token authenticates.
    if !app.config.has(Fault::CodeOutlivesToken) {
        user.otp = None;
    }
    // One token per device key: a new token for the same key replaces it.
    user.tokens.retain(|t| t.device_key != key);
    user.tokens.push(Token {
        value: value.clone(),
        device_key: key,
        created: Instant::now(),
        validity: Some(Duration::from_secs(seconds as u64)),
    });
    Ok(value)
}
