//! What a client action can fail with; every message is safe to show
//! (operations and inboxes redact their own excerpts).
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
    Check { assertion: crate::assertion::Assertion, message: String },
}

impl From<crate::operation::OperationError> for ClientError {
    fn from(e: crate::operation::OperationError) -> Self {
        ClientError::Operation(Box::new(e))
    }
}
