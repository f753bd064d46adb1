//! The plain accounts service's per-user records (`/api/records`): the
//! notes or records API a Django REST, Express or FastAPI backend has, plain
//! text over bearer sessions. Each record is its author's alone: another
//! user's id answers 404, as if it did not exist (no existence told).
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::accounts::error;
use super::accounts_store::Record;
use super::faults::Fault;
use super::server::Shared;

/// The longest text a record keeps, so a client cannot fill the store.
const MAX_TEXT: usize = 64 * 1024;
/// What the `records-truncated` defect keeps of a text, as a short column would.
const TRUNCATED: usize = 16;

/// The e-mail of the account a request's bearer session belongs to.
async fn caller(app: &Shared, headers: &HeaderMap) -> Option<String> {
    super::session_jwt::caller(app, headers, true).await.map(|c| c.account.email)
}

fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "unauthorized")
}

fn reply(r: &Record) -> serde_json::Value {
    json!({ "id": r.id, "text": r.text })
}

#[derive(Deserialize)]
pub struct NewRecord {
    #[serde(default)]
    text: String,
}

/// `POST /api/records {text}` (bearer) -> 201 `{id, text}`.
pub async fn create(State(app): State<Shared>, headers: HeaderMap, body: Option<Json<NewRecord>>) -> Response {
    let Some(owner) = caller(&app, &headers).await else { return unauthorized() };
    let Some(Json(body)) = body else { return error(StatusCode::BAD_REQUEST, "invalid_request") };
    if body.text.is_empty() || body.text.len() > MAX_TEXT {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
    }
    let mut text = body.text;
    if app.config.has(Fault::RecordsTruncated) {
        text = text.chars().take(TRUNCATED).collect();
    }
    let record = Record { id: uuid::Uuid::new_v4().to_string(), owner, text, created: Instant::now() };
    let out = reply(&record);
    app.store().accounts.records.insert(record.id.clone(), record);
    (StatusCode::CREATED, Json(out)).into_response()
}

/// `GET /api/records/{id}` (bearer) -> `{id, text}`, to its author only.
pub async fn get(State(app): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let Some(owner) = caller(&app, &headers).await else { return unauthorized() };
    let store = app.store();
    let record = store.accounts.records.get(&id);
    match record {
        Some(r) if r.owner == owner || app.config.has(Fault::RecordsAnyReader) => Json(reply(r)).into_response(),
        _ => error(StatusCode::NOT_FOUND, "not_found"),
    }
}

/// `GET /api/records` (bearer) -> the caller's records, oldest first.
pub async fn list(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let Some(owner) = caller(&app, &headers).await else { return unauthorized() };
    let store = app.store();
    let everyone = app.config.has(Fault::RecordsListAll);
    let mut mine: Vec<&Record> = store.accounts.records.values().filter(|r| everyone || r.owner == owner).collect();
    mine.sort_by_key(|r| r.created);
    Json(mine.into_iter().map(reply).collect::<Vec<_>>()).into_response()
}
