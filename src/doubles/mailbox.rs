//! The mailbox a scenario reads codes from: an SMTP sink the harness runs,
//! or a target's HTTP mail API. Steps see one interface.
use std::sync::Arc;
use std::time::Duration;

use super::inbox::{Inbox, InboxError};
use super::mail::Mail;
use super::mail_api::MailApi;
use crate::redact::Redactor;

pub enum Mailbox {
    Smtp(Arc<Inbox<Mail>>),
    /// Boxed: a mail API binding is a whole operation, an SMTP inbox a pointer.
    Http(Box<MailApi>),
}

impl Mailbox {
    pub async fn next_for(
        &self,
        recipient: &str,
        timeout: Duration,
        redactor: &Redactor,
    ) -> Result<Arc<Mail>, InboxError> {
        match self {
            Mailbox::Smtp(inbox) => inbox.next_for(recipient, timeout, redactor).await,
            Mailbox::Http(api) => api.next_for(recipient, timeout, redactor).await.map(Arc::new),
        }
    }

    /// The mails delivered to `recipient` so far, for evidence. The HTTP
    /// backend keeps none: its mails live in the target.
    pub fn delivered_to(&self, recipient: &str) -> Vec<Arc<Mail>> {
        match self {
            Mailbox::Smtp(inbox) => inbox.delivered_to(recipient),
            Mailbox::Http(_) => Vec::new(),
        }
    }

    /// Whether any mail reached `recipient`. The HTTP backend cannot tell
    /// without consuming, so it answers with a short poll.
    pub async fn received_any(&self, recipient: &str, redactor: &Redactor) -> bool {
        match self {
            Mailbox::Smtp(inbox) => inbox.received_any(recipient),
            Mailbox::Http(api) => api.next_for(recipient, Duration::from_millis(200), redactor).await.is_ok(),
        }
    }
}
