//! Test hooks, on unless the reference is started with `--no-test-hooks`:
//! ageing one process or token (lifetime checks without waiting ten minutes,
//! and without a shared clock that concurrent scenarios would trip over),
//! an iCure-style `lastEmail` endpoint for the HTTP mailbox backend, and
//! disabling a partner account (what the partner's admin console would do).
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::server::Shared;
use super::store::age as older;

/// Ages one instant, or says the clock cannot go back that far (an aged
/// thing that silently stayed young would pass for a target that ignores
/// its lifetime).
fn age_instant(t: &mut std::time::Instant, by: Duration) -> ApiResult<()> {
    older(t, by).then_some(()).ok_or_else(|| ApiError::bad_request("cannot_age_that_far"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgeRequest {
    request_id: Option<String>,
    token: Option<String>,
    reset_token: Option<String>,
    seconds: u64,
}

/// `POST /_test/age {requestId | token | resetToken, seconds}`
pub async fn age(State(app): State<Shared>, Json(req): Json<AgeRequest>) -> ApiResult<StatusCode> {
    let by = Duration::from_secs(req.seconds);
    let mut store = app.store();
    if let Some(id) = req.request_id {
        let login = {
            let p = store.processes.get_mut(&id).ok_or_else(ApiError::not_found)?;
            age_instant(&mut p.created, by)?;
            p.login.clone()
        };
        if let Some(user) = store.user_by_login_mut(&login) {
            if let Some((_, created)) = user.otp.as_mut() {
                age_instant(created, by)?;
            }
        }
        return Ok(StatusCode::NO_CONTENT);
    }
    if let Some(token) = req.token {
        // An iCure token, or a session of the plain accounts service.
        let created = match store.users.values_mut().flat_map(|u| u.tokens.iter_mut()).find(|t| t.value == token) {
            Some(t) => &mut t.created,
            None => &mut store.accounts.session_by_token_mut(&token).ok_or_else(ApiError::not_found)?.created,
        };
        age_instant(created, by)?;
        return Ok(StatusCode::NO_CONTENT);
    }
    if let Some(token) = req.reset_token {
        // The partner's link, or a token of the plain accounts service.
        let created = match store.reset_links.get_mut(&token) {
            Some(link) => &mut link.created,
            None => &mut store.accounts.resets.get_mut(&token).ok_or_else(ApiError::not_found)?.created,
        };
        age_instant(created, by)?;
        return Ok(StatusCode::NO_CONTENT);
    }
    Err(ApiError::bad_request("request_id_token_or_reset_token_required"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisableRequest {
    email: String,
}

/// `POST /_test/partner/disable {email}`: what a partner's admin console does.
pub async fn disable_partner_account(
    State(app): State<Shared>,
    Json(req): Json<DisableRequest>,
) -> ApiResult<StatusCode> {
    let mut store = app.store();
    let user = store.partner_users.get_mut(&req.email.to_lowercase()).ok_or_else(ApiError::not_found)?;
    user.disabled = true;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /msggw/{spec}/lastEmail/{email}` -> `{from, subject, html}`
pub async fn last_email(
    State(app): State<Shared>,
    Path((_spec, email)): Path<(String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    app.store().last_mail.get(&email.to_lowercase()).cloned().map(Json).ok_or_else(ApiError::not_found)
}
