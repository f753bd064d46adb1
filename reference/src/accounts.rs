//! The plain accounts service's password side, as a FastAPI or Express app
//! commonly has it: JSON registration, an OAuth2 password-grant form login
//! answering `{access_token, token_type, expires_in}` (RFC 6749 4.3, 5.1,
//! 5.2), bearer sessions, sign-out, and a password reset that mails a bare
//! token (no link) and ends every session of the account when it completes.
use std::time::Instant;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;

use super::accounts_store::{plausible_email, random_token, Account, ResetToken, RESET_LIFETIME, SESSION_LIFETIME};
use super::faults::Fault;
use super::hashing::{dummy_hash, hash, verify};
use super::notify::CodeMail;
use super::server::{AppState, Shared};
use super::session_jwt;

pub(super) fn error(status: StatusCode, code: &str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(json!({ "error": code }))).into_response()
}

/// The bearer token of a request, if any.
pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::to_string)
}

/// `{access_token, token_type, expires_in}`, not to be cached (RFC 6749 5.1).
pub(super) fn token_reply(token: &str) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")],
        Json(json!({ "access_token": token, "token_type": "Bearer", "expires_in": SESSION_LIFETIME.as_secs() })),
    )
        .into_response()
}

/// The password as the service hashes it: whole; under `password-truncated`
/// its first 72 bytes, bcrypt's limit, which bcrypt applies without a word.
fn as_hashed(app: &AppState, mut password: String) -> String {
    if app.config.has(Fault::PasswordTruncated) && password.len() > 72 {
        let mut end = 72;
        while !password.is_char_boundary(end) {
            end -= 1;
        }
        password.truncate(end);
    }
    password
}

#[derive(Deserialize)]
pub struct Registration {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /api/accounts {email, password}` -> 201 `{id, email}`.
pub async fn register(State(app): State<Shared>, body: Option<Json<Registration>>) -> Response {
    let Some(Json(body)) = body else { return error(StatusCode::BAD_REQUEST, "invalid_request") };
    let email = body.email.trim().to_lowercase();
    let ascii_only = app.config.has(Fault::PasswordAsciiOnly) && !body.password.is_ascii();
    if !plausible_email(&email) || body.password.chars().count() < 8 || ascii_only {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
    }
    let taken = app.store().accounts.accounts.get(&email).map(|a| a.id.clone());
    if taken.is_some() && !app.config.has(Fault::RegisterOverwrites) {
        // The same refusal as an invalid registration: no account state told.
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
    }
    super::ledger::record(&app.config.ledger, &body.password);
    let id = taken.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    if !app.config.has(Fault::RegisterIgnored) {
        let account =
            Account { id: id.clone(), email: email.clone(), hash: hash(as_hashed(&app, body.password)).await };
        app.store().accounts.accounts.insert(email.clone(), account);
    }
    (StatusCode::CREATED, Json(json!({ "id": id, "email": email }))).into_response()
}

#[derive(Deserialize)]
pub struct PasswordGrant {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `POST /api/auth/token` (form: `grant_type=password&username&password`).
pub async fn token(State(app): State<Shared>, Form(form): Form<PasswordGrant>) -> Response {
    if form.grant_type != "password" {
        return error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let email = form.username.trim().to_lowercase();
    super::ledger::record(&app.config.ledger, &form.password);
    let throttled = !app.config.has(Fault::PasswordsUnthrottled);
    let now = std::time::Instant::now();
    if let Some(wait) = app.store().throttles.password_wait(&email, now).filter(|_| throttled) {
        return super::error::ApiError::into_response(super::throttle::too_many(wait));
    }
    let account = app.store().accounts.accounts.get(&email).cloned();
    // An unknown e-mail is checked against a hash too: the same work, the same answer.
    let stored = account.as_ref().map(|a| a.hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let hashed = account.is_some() || !app.config.has(Fault::LoginSkipsHash);
    let right = (hashed && verify(as_hashed(&app, form.password), stored).await)
        || (account.is_some() && app.config.has(Fault::LoginAnyPassword));
    if throttled {
        let mut store = app.store();
        match account.is_some() && right {
            true => store.throttles.right_password(&email),
            false => store.throttles.wrong_password(&email, now, app.config.has(Fault::PasswordLockout)),
        }
    }
    match account {
        Some(a) if right => {
            let keys = super::session_jwt::keys(&app).await;
            let token = app.store().accounts.open_session(&a.email, &keys);
            super::ledger::record(&app.config.ledger, &token);
            token_reply(&token)
        }
        None if app.config.has(Fault::LoginEnumerates) => error(StatusCode::NOT_FOUND, "unknown_account"),
        _ if app.config.has(Fault::ErrorsVerbose) => {
            let trace = super::error::debug_trace(concat!(file!(), ":", line!()));
            (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_grant", "trace": trace }))).into_response()
        }
        _ => error(StatusCode::BAD_REQUEST, "invalid_grant"),
    }
}

/// `POST /api/auth/logout` (bearer) -> 204; the session ends.
pub async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let Some(caller) = session_jwt::caller(&app, &headers, false).await else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    if !app.config.has(Fault::LogoutKeepsToken) {
        app.store().accounts.sessions.remove(&caller.sid);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /api/users/me` (bearer) -> `{id, email}`.
pub async fn me(State(app): State<Shared>, headers: HeaderMap) -> Response {
    match session_jwt::caller(&app, &headers, true).await {
        Some(c) => Json(json!({ "id": c.account.id, "email": c.account.email })).into_response(),
        None => error(StatusCode::UNAUTHORIZED, "unauthorized"),
    }
}

#[derive(Deserialize)]
pub struct Forgot {
    #[serde(default)]
    email: String,
}

/// `POST /api/auth/forgot-password {email}` -> 202 whoever asks; a known
/// account is mailed a bare token, in the background (no timing tells).
pub async fn forgot(State(app): State<Shared>, body: Option<Json<Forgot>>) -> Response {
    let Some(Json(body)) = body else { return error(StatusCode::BAD_REQUEST, "invalid_request") };
    let email = body.email.trim().to_lowercase();
    let known = app.store().accounts.accounts.contains_key(&email);
    if known {
        let token = random_token();
        super::ledger::record(&app.config.ledger, &token);
        app.store()
            .accounts
            .resets
            .insert(token.clone(), ResetToken { email: email.clone(), created: Instant::now(), used: false });
        let mail = CodeMail {
            subject: "Your password reset token".into(),
            text: format!("Your password reset token is: {token}\r\nIt expires in 30 minutes.\r\n"),
            html: format!("<p>Your password reset token is: <code>{token}</code></p><p>It expires in 30 minutes.</p>"),
        };
        let sender = app.clone();
        let send = async move {
            if let Err(e) = sender.notifier.mail(&email, &mail).await {
                tracing::warn!("password reset mail: {e}");
            }
        };
        // The defect: the answer waits for the mail, so only known accounts answer late.
        match app.config.has(Fault::ResetMailSynchronous) {
            true => send.await,
            false => drop(tokio::spawn(send)),
        }
    }
    (StatusCode::ACCEPTED, Json(json!({}))).into_response()
}

#[derive(Deserialize)]
pub struct Reset {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    /// The account, where the client names it (Laravel's and ASP.NET
    /// Identity's shape): the token must have been mailed for it.
    #[serde(default)]
    email: Option<String>,
}

/// `POST /api/auth/reset-password {token, password[, email]}` -> 204; the
/// token is single use, lives 30 minutes and works only for the account it
/// was mailed for; every session of the account ends.
pub async fn reset(State(app): State<Shared>, body: Option<Json<Reset>>) -> Response {
    let Some(Json(body)) = body else { return error(StatusCode::BAD_REQUEST, "invalid_request") };
    if body.password.chars().count() < 8 {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
    }
    super::ledger::record(&app.config.ledger, &body.password);
    let named = body.email.as_deref().map(|e| e.trim().to_lowercase());
    let email = {
        let mut store = app.store();
        let valid = store
            .accounts
            .resets
            .get_mut(&body.token)
            .filter(|r| !r.used && Instant::now().duration_since(r.created) <= RESET_LIFETIME);
        match valid {
            // The defect: a valid token resets whichever account the request names.
            Some(r) if app.config.has(Fault::ResetTokenAnyAccount) => {
                r.used = true;
                named.unwrap_or_else(|| r.email.clone())
            }
            // Another account's token is refused, and stays usable by its owner.
            Some(r) if named.as_ref().is_some_and(|n| *n != r.email) => {
                return error(StatusCode::BAD_REQUEST, "invalid_token")
            }
            Some(r) => {
                r.used = true;
                r.email.clone()
            }
            None if app.config.has(Fault::ResetAnyToken) => return StatusCode::NO_CONTENT.into_response(),
            None => return error(StatusCode::BAD_REQUEST, "invalid_token"),
        }
    };
    let new_hash = hash(as_hashed(&app, body.password)).await;
    let mut store = app.store();
    if let Some(a) = store.accounts.accounts.get_mut(&email) {
        a.hash = new_hash;
    }
    if !app.config.has(Fault::ResetKeepsSessions) {
        store.accounts.end_sessions_of(&email, None);
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
pub struct Change {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /api/auth/change-password {current_password, new_password}`
/// (bearer) -> 204; the account's other sessions end, this one stays.
pub async fn change(State(app): State<Shared>, headers: HeaderMap, body: Option<Json<Change>>) -> Response {
    let Some(Json(body)) = body else { return error(StatusCode::BAD_REQUEST, "invalid_request") };
    let Some(caller) = session_jwt::caller(&app, &headers, false).await else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let account = caller.account;
    super::ledger::record(&app.config.ledger, &body.current_password);
    super::ledger::record(&app.config.ledger, &body.new_password);
    let current = as_hashed(&app, body.current_password);
    if body.new_password.chars().count() < 8 || !verify(current, account.hash.clone()).await {
        return error(StatusCode::BAD_REQUEST, "invalid_password");
    }
    let new_hash = hash(as_hashed(&app, body.new_password)).await;
    let mut store = app.store();
    if !app.config.has(Fault::ChangeIgnored) {
        if let Some(a) = store.accounts.accounts.get_mut(&account.email) {
            a.hash = new_hash;
        }
    }
    if !app.config.has(Fault::ChangeKeepsSessions) {
        store.accounts.end_sessions_of(&account.email, Some(&caller.sid));
    }
    StatusCode::NO_CONTENT.into_response()
}
