//! What can go wrong reaching a target. Each variant names the operation and
//! the URL, and carries only redacted excerpts.
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error("operation `{operation}` is not bound in the profile")]
    NotBound { operation: String },
    #[error("operation `{operation}`: {field} template failed: {message}")]
    Template {
        operation: String,
        field: String,
        message: String,
    },
    #[error("operation `{operation}`: {method} {url} could not be sent: {message}")]
    Transport {
        operation: String,
        method: String,
        url: String,
        message: String,
    },
    #[error("operation `{operation}`: {method} {url} gave no answer within {budget:?} (the profile's time budget)")]
    Timeout {
        operation: String,
        method: String,
        url: String,
        budget: Duration,
    },
    #[error("operation `{operation}`: {method} {url} answered {status}, expected {expected}; body: {excerpt}")]
    Status {
        operation: String,
        method: String,
        url: String,
        status: u16,
        expected: String,
        excerpt: String,
    },
    #[error("operation `{operation}`: {method} {url} answered {status} but `{name}` could not be extracted: {message}; body: {excerpt}")]
    Extract {
        operation: String,
        method: String,
        url: String,
        status: u16,
        name: String,
        message: String,
        excerpt: String,
    },
}
