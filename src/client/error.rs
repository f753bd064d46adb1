//! What a client action can fail with; every message is safe to show
//! (operations and inboxes redact their own excerpts).
use crate::assertion::Assertion;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Boxed: an operation's failure carries its URL, status and excerpt,
    /// and every step returns this type, mostly `Ok`.
    #[error(transparent)]
    Operation(Box<crate::operation::OperationError>),
    #[error(transparent)]
    Inbox(#[from] crate::doubles::InboxError),
    #[error(transparent)]
    Key(#[from] crate::crypto::KeyError),
    #[error(transparent)]
    Envelope(#[from] crate::crypto::EnvelopeError),
    /// A precondition of the scenario, not a verdict on the target.
    #[error("{0}")]
    Expectation(String),
    /// A named check failed (`crate::assertion`): a verdict on the target.
    #[error("{message} [{assertion}]")]
    Check { assertion: Assertion, message: String },
}

impl From<crate::operation::OperationError> for ClientError {
    fn from(e: crate::operation::OperationError) -> Self {
        ClientError::Operation(Box::new(e))
    }
}

impl Assertion {
    /// This check, failed with `message`.
    pub fn fail(self, message: impl Into<String>) -> ClientError {
        ClientError::Check { assertion: self, message: message.into() }
    }
}

/// Passes when `cond` holds, else fails `assertion` with the message.
pub fn check(assertion: Assertion, cond: bool, message: impl FnOnce() -> String) -> Result<(), ClientError> {
    if cond {
        Ok(())
    } else {
        Err(assertion.fail(message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_check_names_its_id() {
        let e = check(Assertion::TokenFields, false, || "the reply carries more than the token".into()).unwrap_err();
        assert_eq!(e.to_string(), "the reply carries more than the token [sso.token-fields]");
        assert_eq!(Assertion::named_in(&e.to_string()), vec![Assertion::TokenFields]);
        assert!(check(Assertion::Accepted, true, || unreachable!()).is_ok());
    }
}
