//! What a client action can fail with; every message is safe to show
//! (operations and inboxes redact their own excerpts).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Operation(#[from] crate::operation::OperationError),
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
