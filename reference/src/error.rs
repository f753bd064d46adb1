//! The reference's error replies: a status and a short, generic JSON body.
//! Bodies never echo what the client sent (no reflection of secrets).
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub fields: Vec<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> ApiError {
        ApiError { status, code, fields: Vec::new() }
    }
    pub fn bad_request(code: &'static str) -> ApiError {
        Self::new(StatusCode::BAD_REQUEST, code)
    }
    pub fn field(code: &'static str, field: &'static str) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code, fields: vec![field] }
    }
    pub fn unauthorized() -> ApiError {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized")
    }
    pub fn forbidden() -> ApiError {
        Self::new(StatusCode::FORBIDDEN, "forbidden")
    }
    pub fn not_found() -> ApiError {
        Self::new(StatusCode::NOT_FOUND, "not_found")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.code });
        if !self.fields.is_empty() {
            body["fields"] = serde_json::json!(self.fields);
        }
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
