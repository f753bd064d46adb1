//! The mailbox a scenario reads codes from: an SMTP sink the harness runs,
//! a target's HTTP mail API, or a mail catcher. Steps see one interface.
use std::sync::Arc;
use std::time::Duration;

use super::catcher::Catcher;
use super::inbox::{Inbox, InboxError};
use super::mail::Mail;
use super::mail_api::MailApi;
use crate::profile::LinkExtraction;
use crate::redact::Redactor;

pub enum Mailbox {
    Smtp(Arc<Inbox<Mail>>),
    /// Boxed: a mail API binding is a whole operation, an SMTP inbox a pointer.
    Http(Box<MailApi>),
    Catcher(Box<Catcher>),
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
            Mailbox::Catcher(c) => c.next_for(recipient, timeout, redactor).await,
        }
    }

    /// The mails delivered to `recipient` so far, for evidence. The HTTP
    /// backend keeps none: its mails live in the target.
    pub fn delivered_to(&self, recipient: &str) -> Vec<Arc<Mail>> {
        match self {
            Mailbox::Smtp(inbox) => inbox.delivered_to(recipient),
            Mailbox::Http(_) => Vec::new(),
            Mailbox::Catcher(c) => c.delivered_to(recipient),
        }
    }

    /// Drops what the harness kept for `recipient`, once its scenario is over.
    pub fn forget(&self, recipient: &str) {
        match self {
            Mailbox::Smtp(inbox) => inbox.forget(recipient),
            Mailbox::Http(_) => {}
            Mailbox::Catcher(c) => c.forget(recipient),
        }
    }

    /// How many mails reached `recipient` so far, where the backend keeps
    /// them all (the SMTP sink); `None` where it cannot tell (a mail API
    /// or catcher shows what was read, not what came).
    pub fn count_for(&self, recipient: &str) -> Option<usize> {
        match self {
            Mailbox::Smtp(inbox) => Some(inbox.delivered_to(recipient).len()),
            Mailbox::Http(_) | Mailbox::Catcher(_) => None,
        }
    }

    /// Whether a mail carrying a reset link or token (found by `rule`, the
    /// token too) reached `recipient`: a notice without one ("no account
    /// here") gives nothing away and is no reset mail.
    pub async fn received_reset(&self, recipient: &str, rule: &LinkExtraction, redactor: &Redactor) -> bool {
        let carries = |m: &Mail| m.find_link(rule).is_some_and(|(_, token)| token.is_some());
        match self {
            Mailbox::Smtp(inbox) => inbox.delivered_to(recipient).iter().any(|m| carries(m)),
            Mailbox::Http(api) => {
                api.next_for(recipient, Duration::from_millis(200), redactor).await.is_ok_and(|m| carries(&m))
            }
            // What was read already, and whatever arrives within a short poll.
            Mailbox::Catcher(c) => {
                c.delivered_to(recipient).iter().any(|m| carries(m))
                    || c.next_for(recipient, Duration::from_millis(200), redactor).await.is_ok_and(|m| carries(&m))
            }
        }
    }

    /// Whether any mail reached `recipient`. The HTTP backend cannot tell
    /// without consuming, so it answers with a short poll.
    pub async fn received_any(&self, recipient: &str, redactor: &Redactor) -> bool {
        match self {
            Mailbox::Smtp(inbox) => inbox.received_any(recipient),
            Mailbox::Http(api) => api.next_for(recipient, Duration::from_millis(200), redactor).await.is_ok(),
            Mailbox::Catcher(c) => {
                !c.delivered_to(recipient).is_empty()
                    || c.next_for(recipient, Duration::from_millis(200), redactor).await.is_ok()
            }
        }
    }
}
