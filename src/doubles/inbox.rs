//! A store of received messages that scenarios wait on, one recipient at a
//! time. Each message is handed out once per recipient, so a scenario that
//! asks for a second code gets the second message, not the first again.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::redact::Redactor;

/// Something delivered to one or more recipients.
pub trait Message: Send + Sync + 'static {
    fn recipients(&self) -> &[String];
    /// A one-line description for "what did arrive" listings (redacted by the caller).
    fn describe(&self) -> String;
}

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("no {kind} for {recipient} within {waited:?}; {arrived}")]
    Timeout { kind: &'static str, recipient: String, waited: Duration, arrived: String },
    #[error("{kind} backend failed: {message}")]
    Backend { kind: &'static str, message: String },
}

struct Entry<M> {
    message: Arc<M>,
    /// Recipients (lower-cased) this message was already handed to.
    taken: Vec<String>,
}

pub struct Inbox<M> {
    kind: &'static str,
    entries: Mutex<Vec<Entry<M>>>,
    notify: Notify,
}

impl<M: Message> Inbox<M> {
    pub fn new(kind: &'static str) -> Arc<Self> {
        Arc::new(Inbox { kind, entries: Mutex::new(Vec::new()), notify: Notify::new() })
    }

    pub fn deliver(&self, message: M) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Entry { message: Arc::new(message), taken: Vec::new() });
        self.notify.notify_waiters();
    }

    /// The oldest message to `recipient` not yet handed to them, waiting up to `timeout`.
    pub async fn next_for(
        &self,
        recipient: &str,
        timeout: Duration,
        redactor: &Redactor,
    ) -> Result<Arc<M>, InboxError> {
        let who = recipient.to_ascii_lowercase();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Register interest before looking, so a delivery between the look
            // and the wait cannot be missed.
            let notified = self.notify.notified();
            if let Some(m) = self.take(&who) {
                return Ok(m);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Err(InboxError::Timeout {
                    kind: self.kind,
                    recipient: recipient.to_string(),
                    waited: timeout,
                    arrived: redactor.text(&self.arrived()),
                });
            }
        }
    }

    /// Whether anything at all was delivered to `recipient` (taken or not).
    pub fn received_any(&self, recipient: &str) -> bool {
        let who = recipient.to_ascii_lowercase();
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|e| e.message.recipients().iter().any(|r| r.eq_ignore_ascii_case(&who)))
    }

    /// Every message delivered to `recipient`, taken or not, oldest first (evidence).
    pub fn delivered_to(&self, recipient: &str) -> Vec<Arc<M>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .filter(|e| e.message.recipients().iter().any(|r| r.eq_ignore_ascii_case(recipient)))
            .map(|e| e.message.clone())
            .collect()
    }

    fn take(&self, who: &str) -> Option<Arc<M>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.iter_mut().find(|e| {
            !e.taken.iter().any(|t| t == who) && e.message.recipients().iter().any(|r| r.eq_ignore_ascii_case(who))
        })?;
        entry.taken.push(who.to_string());
        Some(entry.message.clone())
    }

    fn arrived(&self) -> String {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.is_empty() {
            return format!("no {} arrived at all", self.kind);
        }
        let shown: Vec<String> = entries.iter().rev().take(5).map(|e| e.message.describe()).collect();
        format!("{} arrived in all; latest: {}", entries.len(), shown.join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Note(Vec<String>, &'static str);
    impl Message for Note {
        fn recipients(&self) -> &[String] {
            &self.0
        }
        fn describe(&self) -> String {
            format!("to {:?}: {}", self.0, self.1)
        }
    }

    #[tokio::test]
    async fn each_message_is_handed_once_per_recipient() {
        let inbox = Inbox::new("note");
        inbox.deliver(Note(vec!["a@x".into(), "b@x".into()], "first"));
        inbox.deliver(Note(vec!["a@x".into()], "second"));
        let r = Redactor::new();
        let t = Duration::from_millis(50);
        assert_eq!(inbox.next_for("A@x", t, &r).await.unwrap().1, "first");
        assert_eq!(inbox.next_for("a@x", t, &r).await.unwrap().1, "second");
        assert_eq!(inbox.next_for("b@x", t, &r).await.unwrap().1, "first");
        let err = inbox.next_for("a@x", t, &r).await.unwrap_err().to_string();
        assert!(err.contains("2 arrived in all"), "{err}");
    }

    #[tokio::test]
    async fn a_waiter_wakes_on_delivery() {
        let inbox: Arc<Inbox<Note>> = Inbox::new("note");
        let i2 = inbox.clone();
        let waiter =
            tokio::spawn(
                async move { i2.next_for("c@x", Duration::from_secs(5), &Redactor::new()).await.map(|m| m.1) },
            );
        tokio::time::sleep(Duration::from_millis(20)).await;
        inbox.deliver(Note(vec!["c@x".into()], "late"));
        assert_eq!(waiter.await.unwrap().unwrap(), "late");
    }
}
