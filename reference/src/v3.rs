//! API v3 of the reference: the same behaviour behind another shape, as a
//! second API generation of a real system would offer it: form-encoded
//! requests, replies nested under `data`, credentials in an `X-Credentials`
//! header, the token handed back in an `X-Auth-Token` header, and a code
//! check that answers 200 with its outcome in the body. It exists so
//! that a profile for a target shaped unlike the v2 API can be shown to work
//! (`scenarios/targets/examples/reference-v3.yaml`).
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Form, Json};
use serde::Deserialize;

use super::auth::{authenticate, issue_token};
use super::error::ApiResult;
use super::gateway::{start_process, validate_code, StartBody};
use super::server::Shared;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartForm {
    captcha: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    master_hcp: String,
    code_length: Option<usize>,
}

/// `POST /api/v3/otp/{process}/{requestId}` (form) -> 202 `{data: {process: {id}}}`
pub async fn start(
    State(app): State<Shared>,
    Path((process, request_id)): Path<(String, String)>,
    Form(f): Form<StartForm>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let body = StartBody {
        captcha: f.captcha,
        first_name: f.first_name,
        last_name: f.last_name,
        email: f.email,
        mobile_phone: f.phone,
        hcp_id: f.master_hcp,
    };
    let known = start_process(&app, &process, &request_id, f.code_length, body).await?;
    let mut process = serde_json::json!({ "id": request_id });
    if let Some(known) = known {
        process["existingUser"] = serde_json::json!(known);
    }
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "data": { "process": process } }))))
}

#[derive(Deserialize)]
pub struct VerifyForm {
    code: String,
}

/// `POST /api/v3/otp/{requestId}/verify` (form `code`) -> 200 whatever
/// the outcome, which the body carries as a status of its own, as envelope
/// APIs do: `{status: 204}`, or `{status: 400, error}` for a wrong code. A
/// server error stays an HTTP 5xx.
pub async fn verify(
    State(app): State<Shared>,
    Path(request_id): Path<String>,
    Form(f): Form<VerifyForm>,
) -> ApiResult<Json<serde_json::Value>> {
    match validate_code(&app, &request_id, &f.code) {
        Ok(_) => Ok(Json(serde_json::json!({ "status": 204 }))),
        Err(e) if e.status.is_server_error() => Err(e),
        Err(e) => Ok(Json(serde_json::json!({ "status": e.status.as_u16(), "error": e.code }))),
    }
}

/// `GET /api/v3/me` -> `{data: {user: {id, login, group: {id}, dataOwner: {id, type}}}}`
pub async fn me(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<serde_json::Value>> {
    let caller = authenticate(&app, &headers)?;
    let kind = app.store().owners.get(&caller.data_owner_id).map(|o| o.kind);
    Ok(Json(serde_json::json!({
        "data": { "user": {
            "id": caller.user_id,
            "login": caller.login,
            "group": { "id": app.config.group_id },
            "dataOwner": { "id": caller.data_owner_id, "type": kind },
        }}
    })))
}

#[derive(Deserialize)]
pub struct TokenForm {
    user_id: String,
    device: String,
    ttl: Option<i64>,
}

/// `POST /api/v3/tokens` (form) -> 201, empty body, the token in `X-Auth-Token`
pub async fn tokens(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> ApiResult<impl IntoResponse> {
    let caller = authenticate(&app, &headers)?;
    let token = issue_token(&app, &caller, &f.user_id, f.device, f.ttl)?;
    Ok((StatusCode::CREATED, [("x-auth-token", token), (header::CACHE_CONTROL.as_str(), "no-store".to_string())]))
}
