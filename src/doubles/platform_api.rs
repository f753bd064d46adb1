//! The platform double's HTTP API (docs/snapmd-sso.md): the reply
//! envelopes and statuses of `v2/account/token`, `v3/auth/user-sessions/sso`
//! and `v2/admin/patients`, each call admitted only with the partner's keys,
//! recorded, and answered badly when a step asked for misbehaviour.
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::platform::{Inner, Misbehaviour, PlatformCall};

fn envelope(data: Value) -> Value {
    let total = data.as_array().map_or(1, Vec::len);
    json!({ "data": data, "message": "Success", "total": total })
}

/// Records a call and, when the partner left out its keys, refuses it.
fn admit(
    inner: &Inner,
    headers: &HeaderMap,
    method: &Method,
    uri: &Uri,
    email: Option<String>,
    body: &Value,
) -> (bool, PlatformCall) {
    let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
    let call = PlatformCall {
        method: method.to_string(),
        path: uri.path().to_string(),
        developer_id_ok: header("x-developer-id") == inner.config.developer_id,
        api_key_ok: header("x-api-key") == inner.config.api_key,
        user_type_id: body.get("userTypeId").and_then(Value::as_i64),
        hospital_id: body.get("hospitalId").and_then(Value::as_i64),
        email,
        status: 0,
    };
    (call.developer_id_ok && call.api_key_ok, call)
}

fn finish(inner: &Inner, mut call: PlatformCall, status: StatusCode, body: Value) -> Response {
    call.status = status.as_u16();
    inner.books().calls.push(call);
    (status, Json(body)).into_response()
}

/// A misbehaviour answer, with the kind of internal text a real platform leaks.
async fn misbehave(inner: &Inner, email: Option<&str>) -> Option<(StatusCode, Value)> {
    let how = email.and_then(|e| inner.books().misbehaviour.get(&e.to_lowercase()).copied())?;
    match how {
        Misbehaviour::Unauthorized => Some((
            StatusCode::UNAUTHORIZED,
            json!({"message": "Authorization has been denied for this request. (SnapMD.Core.TokenService)"}),
        )),
        Misbehaviour::ServerError => Some((
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"message": "System.NullReferenceException at SnapMD.Web.Api.AccountController"}),
        )),
        Misbehaviour::EmptyData => Some((StatusCode::OK, envelope(json!([])))),
        Misbehaviour::Slow(d) => {
            tokio::time::sleep(d).await;
            None
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ").map(str::to_string)
}

fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `POST v2/account/token {email, password, hospitalId, userTypeId}`
pub(super) async fn admin_token(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    let (ok, call) = admit(&inner, &headers, &method, &uri, None, &body);
    if !ok {
        return finish(
            &inner,
            call,
            StatusCode::UNAUTHORIZED,
            json!({"message": "Missing or invalid X-Developer-Id / X-Api-Key"}),
        );
    }
    let c = &inner.config;
    let right = body["email"] == c.admin_email.as_str()
        && body["password"] == c.admin_password.as_str()
        && call.hospital_id == Some(c.hospital_id)
        && call.user_type_id == Some(2);
    if !right {
        return finish(&inner, call, StatusCode::NOT_FOUND, json!({"message": "Invalid user name or password"}));
    }
    let token = new_token();
    inner.books().admin_tokens.push(token.clone());
    finish(&inner, call, StatusCode::OK, envelope(json!([{ "access_token": token }])))
}

#[derive(Deserialize)]
pub(super) struct JwtQuery {
    jwt: String,
}

/// Checks a partner JWT; the user it names must be a known patient. Whether
/// that user is the one who signed in, only the harness knows (it compares
/// the claim with the actor behind the login, `steps::sso`). Returns the
/// e-mail, the JWT's index in the books, and the platform's answer.
fn check_jwt(inner: &Inner, jwt: &str) -> (Option<String>, usize, Result<(), Value>) {
    let email = jwt.split('.').nth(1).and_then(|p| {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok()?;
        serde_json::from_slice::<Value>(&raw).ok()?.get("email")?.as_str().map(str::to_string)
    });
    let verdict = inner.registration.verify(jwt, None);
    let passed = verdict.passed();
    let failed: Vec<String> = verdict.failed().iter().map(|c| format!("{}: {}", c.name, c.detail)).collect();
    let index = {
        let mut books = inner.books();
        books.jwts.push(super::platform::JwtSeen { email: email.clone().unwrap_or_default(), verdict, token: None });
        books.jwts.len() - 1
    };
    let known = email.as_deref().is_some_and(|e| {
        inner.books().patients.iter().any(|p| p["email"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(e)))
    });
    let result = match (passed, known) {
        (true, true) => Ok(()),
        (true, false) => Err(json!({"message": "Invalid user"})),
        (false, _) => Err(json!({"message": "JWT rejected", "checks": failed})),
    };
    (email, index, result)
}

/// A patient token for the JWT at `index`, kept with it.
fn issue(inner: &Inner, index: usize) -> String {
    let token = new_token();
    inner.books().jwts[index].token = Some(token.clone());
    token
}

/// `GET v2/account/token?jwt=`
pub(super) async fn exchange_jwt(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    Query(q): Query<JwtQuery>,
) -> Response {
    let (email, index, checked) = check_jwt(&inner, &q.jwt);
    let (ok, call) = admit(&inner, &headers, &method, &uri, email.clone(), &Value::Null);
    if !ok {
        return finish(
            &inner,
            call,
            StatusCode::UNAUTHORIZED,
            json!({"message": "Missing or invalid X-Developer-Id / X-Api-Key"}),
        );
    }
    if let Some((status, body)) = misbehave(&inner, email.as_deref()).await {
        return finish(&inner, call, status, body);
    }
    match checked {
        Ok(()) => {
            let token = issue(&inner, index);
            finish(&inner, call, StatusCode::OK, envelope(json!([{ "access_token": token }])))
        }
        Err(body) => finish(&inner, call, StatusCode::UNAUTHORIZED, body),
    }
}

/// `POST v3/auth/user-sessions/sso {hospitalId, jwt}`
pub(super) async fn sso_session(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    let jwt = body["jwt"].as_str().unwrap_or_default().to_string();
    let (email, index, checked) = check_jwt(&inner, &jwt);
    let (ok, call) = admit(&inner, &headers, &method, &uri, email.clone(), &body);
    if !ok {
        return finish(
            &inner,
            call,
            StatusCode::UNAUTHORIZED,
            json!({"message": "Missing or invalid X-Developer-Id / X-Api-Key"}),
        );
    }
    if let Some((status, body)) = misbehave(&inner, email.as_deref()).await {
        return finish(&inner, call, status, body);
    }
    if call.hospital_id != Some(inner.config.hospital_id) {
        return finish(&inner, call, StatusCode::BAD_REQUEST, json!({"message": "Invalid hospital"}));
    }
    match checked {
        Ok(()) => {
            let expires = (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
            finish(
                &inner,
                call,
                StatusCode::OK,
                json!({"apiSessionId": uuid::Uuid::new_v4().to_string(), "accessToken": issue(&inner, index), "expires": expires}),
            )
        }
        Err(body) => finish(&inner, call, StatusCode::UNAUTHORIZED, body),
    }
}

fn is_admin(inner: &Inner, headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|t| inner.books().admin_tokens.contains(&t))
}

#[derive(Deserialize)]
pub(super) struct EmailQuery {
    email: String,
}

/// `GET v2/admin/patients?email=`
pub(super) async fn find_patient(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    Query(q): Query<EmailQuery>,
) -> Response {
    let (ok, call) = admit(&inner, &headers, &method, &uri, Some(q.email.clone()), &Value::Null);
    if !ok || !is_admin(&inner, &headers) {
        return finish(&inner, call, StatusCode::UNAUTHORIZED, json!({"message": "Caller is not hospital staff"}));
    }
    if let Some((status, body)) = misbehave(&inner, Some(&q.email)).await {
        return finish(&inner, call, status, body);
    }
    let found = inner
        .books()
        .patients
        .iter()
        .find(|p| p["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(&q.email)))
        .cloned();
    match found {
        Some(p) => finish(&inner, call, StatusCode::OK, json!({"data": p, "message": "Success", "success": true})),
        None => finish(&inner, call, StatusCode::NOT_FOUND, json!({"message": "Patient not found", "success": false})),
    }
}

/// `POST v2/admin/patients` (PatientOnBoardShortDetail)
pub(super) async fn add_patient(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    let email = body["email"].as_str().map(str::to_string);
    let (ok, call) = admit(&inner, &headers, &method, &uri, email.clone(), &body);
    if !ok || !is_admin(&inner, &headers) {
        return finish(&inner, call, StatusCode::UNAUTHORIZED, json!({"message": "Caller is not hospital staff"}));
    }
    if let Some((status, body)) = misbehave(&inner, email.as_deref()).await {
        return finish(&inner, call, status, body);
    }
    let text = |k: &str| body[k].as_str().unwrap_or("").trim().to_string();
    let mut missing: Vec<&str> =
        ["firstName", "email", "mobileNumberWithCountryCode"].into_iter().filter(|k| text(k).is_empty()).collect();
    if text("address").is_empty() && body["addressObject"].is_null() {
        missing.push("address");
    }
    if !matches!(text("gender").as_str(), "M" | "F") {
        missing.push("gender");
    }
    if !missing.is_empty() {
        return finish(&inner, call, StatusCode::BAD_REQUEST, json!({"message": "Invalid patient", "fields": missing}));
    }
    let id = {
        let mut books = inner.books();
        let id = books.patients.len() as i64 + 1000;
        let mut patient = body.clone();
        patient["patientId"] = json!(id);
        books.patients.push(patient);
        id
    };
    finish(&inner, call, StatusCode::OK, envelope(json!([{ "patientId": id }])))
}
