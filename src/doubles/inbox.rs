//! A store of received messages that scenarios wait on, one recipient at a
//! time. Each message is handed out once per recipient, so a scenario that
//! asks for a second code gets the second message, not the first again.
use std::collections::{HashMap, VecDeque};
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

/// The messages of one recipient, oldest first, and how many of them
/// were handed out already.
struct Bag<M> {
    messages: Vec<Arc<M>>,
    handed: usize,
}

/// Messages by lower-cased recipient: each lookup is one hash probe, so a
/// run of 10,000 scenarios does not scan every mail of the run for each
/// (it did, and that was the last quadratic cost of a large run).
struct Boxes<M> {
    by_recipient: HashMap<String, Bag<M>>,
    total: usize,
    /// The latest few messages, for "what did arrive" in a timeout.
    latest: VecDeque<Arc<M>>,
}

/// How many of the latest messages a timeout lists.
const LATEST: usize = 5;

pub struct Inbox<M> {
    kind: &'static str,
    boxes: Mutex<Boxes<M>>,
    notify: Notify,
}

impl<M: Message> Inbox<M> {
    pub fn new(kind: &'static str) -> Arc<Self> {
        let boxes = Boxes { by_recipient: HashMap::new(), total: 0, latest: VecDeque::new() };
        Arc::new(Inbox { kind, boxes: Mutex::new(boxes), notify: Notify::new() })
    }

    fn boxes(&self) -> std::sync::MutexGuard<'_, Boxes<M>> {
        self.boxes.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn deliver(&self, message: M) {
        let message = Arc::new(message);
        let mut who: Vec<String> = message.recipients().iter().map(|r| r.to_ascii_lowercase()).collect();
        who.sort();
        who.dedup();
        {
            let mut boxes = self.boxes();
            for w in who {
                let bag = boxes.by_recipient.entry(w).or_insert_with(|| Bag { messages: Vec::new(), handed: 0 });
                bag.messages.push(message.clone());
            }
            boxes.total += 1;
            boxes.latest.push_back(message);
            if boxes.latest.len() > LATEST {
                boxes.latest.pop_front();
            }
        }
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
        self.boxes().by_recipient.get(&recipient.to_ascii_lowercase()).is_some_and(|b| !b.messages.is_empty())
    }

    /// Every message delivered to `recipient`, taken or not, oldest first (evidence).
    pub fn delivered_to(&self, recipient: &str) -> Vec<Arc<M>> {
        self.boxes().by_recipient.get(&recipient.to_ascii_lowercase()).map(|b| b.messages.clone()).unwrap_or_default()
    }

    /// Drops what was kept for `recipient`: called when the scenario whose
    /// address it was has ended and its evidence is gathered, so a long run
    /// (a load phase of thousands of scenarios) keeps only the mails of the
    /// scenarios in flight.
    pub fn forget(&self, recipient: &str) {
        self.boxes().by_recipient.remove(&recipient.to_ascii_lowercase());
    }

    fn take(&self, who: &str) -> Option<Arc<M>> {
        let mut boxes = self.boxes();
        let bag = boxes.by_recipient.get_mut(who)?;
        let m = bag.messages.get(bag.handed)?.clone();
        bag.handed += 1;
        Some(m)
    }

    fn arrived(&self) -> String {
        let boxes = self.boxes();
        if boxes.total == 0 {
            return format!("no {} arrived at all", self.kind);
        }
        let shown: Vec<String> = boxes.latest.iter().rev().map(|m| m.describe()).collect();
        format!("{} arrived in all; latest: {}", boxes.total, shown.join(" | "))
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
        inbox.deliver(Note(vec!["d@x".into(), "D@X".into()], "once"));
        assert_eq!(inbox.delivered_to("D@x").len(), 1);
        assert!(inbox.received_any("d@X") && !inbox.received_any("e@x"));
        assert_eq!(inbox.next_for("d@x", t, &r).await.unwrap().1, "once");
        assert!(inbox.next_for("d@x", t, &r).await.is_err(), "handed once, though named twice");
    }

    #[tokio::test]
    async fn a_forgotten_recipient_keeps_nothing_and_the_others_keep_theirs() {
        let inbox = Inbox::new("note");
        inbox.deliver(Note(vec!["a@x".into(), "b@x".into()], "both"));
        inbox.forget("A@X");
        assert!(!inbox.received_any("a@x") && inbox.delivered_to("a@x").is_empty());
        assert_eq!(inbox.delivered_to("b@x").len(), 1, "the mail stays for its other recipient");
        let err = inbox.next_for("a@x", Duration::from_millis(20), &Redactor::new()).await.unwrap_err().to_string();
        assert!(err.contains("1 arrived in all"), "the run's count is the run's: {err}");
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
