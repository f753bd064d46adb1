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
    /// Where the refusal was raised, shown only under `errors-verbose`.
    pub trace: Option<String>,
    /// Seconds to wait before trying again (a 429's `Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> ApiError {
        ApiError { status, code, fields: Vec::new(), trace: None, retry_after: None }
    }
    pub fn bad_request(code: &'static str) -> ApiError {
        Self::new(StatusCode::BAD_REQUEST, code)
    }
    pub fn field(code: &'static str, field: &'static str) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code, fields: vec![field], trace: None, retry_after: None }
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

    /// Under `errors-verbose`, the reply also says where in the source it
    /// was raised, as a debug build of many frameworks does.
    pub fn traced(mut self, config: &super::ReferenceConfig, at: &str) -> ApiError {
        if config.has(super::faults::Fault::ErrorsVerbose) {
            self.trace = Some(debug_trace(at));
        }
        self
    }
}

/// The debug trace `errors-verbose` leaks.
pub fn debug_trace(at: &str) -> String {
    format!("thread 'tokio-runtime-worker' panicked at {at}: request refused")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.code });
        if !self.fields.is_empty() {
            body["fields"] = serde_json::json!(self.fields);
        }
        if let Some(trace) = self.trace {
            body["trace"] = trace.into();
        }
        let mut reply = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            reply.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        reply
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
