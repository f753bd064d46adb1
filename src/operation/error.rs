//! What can go wrong reaching a target. Each variant names the operation and
//! the URL, and carries only redacted excerpts.
use std::time::Duration;

/// How the message of a transport failure begins. A step's error reaches
/// the runner as its text only (cucumber-rs panics with `Display`), so the
/// runner tells an ERROR (no answer at all) from a FAIL by this prefix.
pub const UNREACHABLE: &str = "could not reach the target: ";

/// How the message of a profile error found while running begins (a
/// template that fails when called, such as a lookup of a key that is not there, an attack input
/// the profile's template drops): the run then exits 2, like a profile
/// error found when loading, since no verdict of it can be trusted.
pub const PROFILE_ERROR: &str = "profile error: ";

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error("operation `{operation}` is not bound in the profile")]
    NotBound { operation: String },
    /// A step passed a variable the catalogue does not list for its
    /// operation: the harness's bug, since `lint` vouched for the profile's
    /// templates against that list.
    #[error("harness bug: operation `{operation}` was given variable `{variable}`, which src/profile/operations.rs does not list for it")]
    Undeclared { operation: String, variable: String },
    #[error("profile error: operation `{operation}`: {field} template failed: {message}")]
    Template { operation: String, field: String, message: String },
    #[error("could not reach the target: operation `{operation}`: {method} {url} could not be sent: {message}")]
    Transport { operation: String, method: String, url: String, message: String },
    #[error("could not reach the target: operation `{operation}`: {method} {url} gave no answer within {budget:?} (the profile's time budget)")]
    Timeout { operation: String, method: String, url: String, budget: Duration },
    #[error("operation `{operation}`: {method} {url} answered {status}, expected {expected}; body: {excerpt}")]
    Status { operation: String, method: String, url: String, status: u16, expected: String, excerpt: String },
    /// The status arrived, the body did not within bounds: the target broke
    /// (a FAIL), not a transport failure, since it did answer.
    #[error("operation `{operation}`: {method} {url} answered {status} with a reply larger than {limit} (the profile's `limits.body`), {received} bytes read or announced; first bytes: {excerpt}")]
    TooLarge {
        operation: String,
        method: String,
        url: String,
        status: u16,
        limit: String,
        received: u64,
        excerpt: String,
    },
    #[error("operation `{operation}`: {method} {url} answered {status} but the rest of its body did not arrive within {budget:?} ({received} bytes came); first bytes: {excerpt}")]
    Trickled {
        operation: String,
        method: String,
        url: String,
        status: u16,
        budget: Duration,
        received: usize,
        excerpt: String,
    },
    #[error("operation `{operation}`: {method} {url} answered {status} but the reply broke off after {received} bytes ({message}); first bytes: {excerpt}")]
    BrokeOff {
        operation: String,
        method: String,
        url: String,
        status: u16,
        received: usize,
        message: String,
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

impl OperationError {
    /// No answer came: the target could not be reached (not a verdict on it).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, OperationError::Transport { .. } | OperationError::Timeout { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_failures_carry_the_unreachable_prefix_and_nothing_else_does() {
        let t = OperationError::Transport {
            operation: "otp.start".into(),
            method: "POST".into(),
            url: "http://x".into(),
            message: "refused".into(),
        };
        let d = OperationError::Timeout {
            operation: "otp.start".into(),
            method: "POST".into(),
            url: "http://x".into(),
            budget: Duration::from_secs(1),
        };
        let s = OperationError::Status {
            operation: "o".into(),
            method: "GET".into(),
            url: "u".into(),
            status: 500,
            expected: "2xx".into(),
            excerpt: String::new(),
        };
        for e in [&t, &d] {
            assert!(e.is_unreachable() && e.to_string().starts_with(UNREACHABLE), "{e}");
        }
        assert!(!s.is_unreachable() && !s.to_string().starts_with(UNREACHABLE));
    }
}
