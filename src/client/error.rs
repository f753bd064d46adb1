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
    #[error("{0}")]
    Expectation(String),
}

pub fn expect(cond: bool, message: impl FnOnce() -> String) -> Result<(), ClientError> {
    if cond {
        Ok(())
    } else {
        Err(ClientError::Expectation(message()))
    }
}
