//! Mailbox backend for the mail catchers teams already run (MailDev,
//! Mailpit, MailHog): the target sends real mail to the catcher's SMTP
//! port, and the harness reads it through the catcher's HTTP API. Each mail
//! is read oldest first for its recipient and then deleted from the
//! catcher, so the next read gets the next mail and a long run does not
//! fill it; the harness keeps what it read, as evidence.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::inbox::InboxError;
use super::mail::Mail;
use crate::profile::{CatcherConfig, CatcherKind};
use crate::redact::Redactor;

pub struct Catcher {
    config: CatcherConfig,
    client: reqwest::Client,
    /// What was read, by lower-cased recipient, oldest first.
    read: Mutex<HashMap<String, Vec<Arc<Mail>>>>,
}

/// One message as the catcher lists it: its id, and the mail when the
/// listing already carries it (MailDev, MailHog; Mailpit needs a second call).
struct Listed {
    id: String,
    mail: Option<Mail>,
}

fn backend(message: impl Into<String>) -> InboxError {
    InboxError::Backend { kind: "mail", message: message.into() }
}

impl Catcher {
    /// `client`: built with the profile's `tls:` (the target's own client).
    pub fn new(config: CatcherConfig, client: reqwest::Client) -> Catcher {
        Catcher { config, client, read: Mutex::new(HashMap::new()) }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.url.trim_end_matches('/'))
    }

    async fn get_json(&self, url: &str) -> Result<Value, String> {
        let reply = self.client.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        let status = reply.status();
        if !status.is_success() {
            return Err(format!("GET {url} answered {}", status.as_u16()));
        }
        reply.json().await.map_err(|e| format!("GET {url}: not JSON: {e}"))
    }

    /// The recipient's messages in the catcher, oldest first.
    async fn list(&self, recipient: &str) -> Result<Vec<Listed>, String> {
        match self.config.kind {
            CatcherKind::Maildev => Ok(maildev_list(&self.get_json(&self.url("/api/email")).await?, recipient)),
            CatcherKind::Mailpit => {
                let query: String =
                    url::form_urlencoded::byte_serialize(format!("to:\"{recipient}\"").as_bytes()).collect();
                let doc = self.get_json(&self.url(&format!("/api/v1/search?query={query}"))).await?;
                Ok(mailpit_list(&doc))
            }
            CatcherKind::Mailhog => {
                let query: String = url::form_urlencoded::byte_serialize(recipient.as_bytes()).collect();
                let doc = self.get_json(&self.url(&format!("/api/v2/search?kind=to&query={query}"))).await?;
                Ok(mailhog_list(&doc, recipient))
            }
        }
    }

    /// The whole mail of a listed message.
    async fn fetch(&self, recipient: &str, listed: Listed) -> Result<Mail, String> {
        if let Some(mail) = listed.mail {
            return Ok(mail);
        }
        let doc = self.get_json(&self.url(&format!("/api/v1/message/{}", listed.id))).await?;
        Ok(mailpit_mail(&doc, recipient))
    }

    async fn delete(&self, id: &str) -> Result<(), String> {
        let req = match self.config.kind {
            CatcherKind::Maildev => self.client.delete(self.url(&format!("/api/email/{id}"))),
            CatcherKind::Mailpit => {
                self.client.delete(self.url("/api/v1/messages")).json(&serde_json::json!({ "IDs": [id] }))
            }
            CatcherKind::Mailhog => self.client.delete(self.url(&format!("/api/v1/messages/{id}"))),
        };
        let reply = req.send().await.map_err(|e| format!("deleting {id}: {e}"))?;
        match reply.status().is_success() {
            true => Ok(()),
            false => Err(format!("deleting {id} answered {}", reply.status().as_u16())),
        }
    }

    pub async fn next_for(
        &self,
        recipient: &str,
        timeout: Duration,
        redactor: &Redactor,
    ) -> Result<Arc<Mail>, InboxError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut last = String::from("nothing for this recipient");
        loop {
            match self.list(recipient).await {
                Ok(listed) if !listed.is_empty() => {
                    let first = listed.into_iter().next().expect("not empty");
                    let id = first.id.clone();
                    let mail = Arc::new(self.fetch(recipient, first).await.map_err(backend)?);
                    self.delete(&id).await.map_err(backend)?;
                    let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
                    read.entry(recipient.to_lowercase()).or_default().push(mail.clone());
                    return Ok(mail);
                }
                Ok(_) => {}
                Err(e) => last = e,
            }
            if tokio::time::Instant::now() + self.config.poll > deadline {
                return Err(InboxError::Timeout {
                    kind: "mail",
                    recipient: recipient.to_string(),
                    waited: timeout,
                    arrived: redactor.text(&format!("{:?} at {}: {last}", self.config.kind, self.config.url)),
                });
            }
            tokio::time::sleep(self.config.poll).await;
        }
    }

    /// Drops the mails read for `recipient` (see `Inbox::forget`); the
    /// catcher's own copies are the catcher's.
    pub fn forget(&self, recipient: &str) {
        self.read.lock().unwrap_or_else(|e| e.into_inner()).remove(&recipient.to_lowercase());
    }

    /// The mails read for `recipient` so far, for evidence.
    pub fn delivered_to(&self, recipient: &str) -> Vec<Arc<Mail>> {
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        read.get(&recipient.to_lowercase()).cloned().unwrap_or_default()
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Whether a list of `{address}` (or `{Address}`) objects names `recipient`.
fn addressed(list: Option<&Value>, key: &str, recipient: &str) -> bool {
    list.and_then(Value::as_array).is_some_and(|to| {
        to.iter().any(|a| a.get(key).and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(recipient)))
    })
}

/// MailDev 3 `GET /api/email`: every mail, in arrival order, whole.
fn maildev_list(doc: &Value, recipient: &str) -> Vec<Listed> {
    let all = doc.as_array().map(Vec::as_slice).unwrap_or_default();
    all.iter()
        .filter(|m| {
            addressed(m.get("to"), "address", recipient) || addressed(m.pointer("/envelope/to"), "address", recipient)
        })
        .map(|m| Listed {
            id: text(m, "id").unwrap_or_default(),
            mail: Some(Mail::from_parts(
                recipient,
                text(m, "subject").unwrap_or_default(),
                text(m, "text"),
                text(m, "html"),
            )),
        })
        .collect()
}

/// Mailpit `GET /api/v1/search`: summaries, newest first.
fn mailpit_list(doc: &Value) -> Vec<Listed> {
    let all = doc.get("messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    all.iter().rev().map(|m| Listed { id: text(m, "ID").unwrap_or_default(), mail: None }).collect()
}

/// Mailpit `GET /api/v1/message/{ID}`.
fn mailpit_mail(doc: &Value, recipient: &str) -> Mail {
    Mail::from_parts(recipient, text(doc, "Subject").unwrap_or_default(), text(doc, "Text"), text(doc, "HTML"))
}

/// MailHog `GET /api/v2/search?kind=to`: newest first, each with its raw
/// message, parsed as the SMTP sink parses what it receives.
fn mailhog_list(doc: &Value, recipient: &str) -> Vec<Listed> {
    let all = doc.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    all.iter()
        .rev()
        .map(|m| Listed {
            id: text(m, "ID").unwrap_or_default(),
            mail: m
                .pointer("/Raw/Data")
                .and_then(Value::as_str)
                .and_then(|raw| Mail::parse(String::new(), vec![recipient.to_string()], raw.as_bytes()).ok()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Reply shapes as each catcher documents them (MailDev 3's REST docs,
    // Mailpit's API v1 reference, MailHog's API v2), cut to what is read.
    #[test]
    fn maildev_mails_are_found_by_recipient_oldest_first() {
        let doc = json!([
            {"id": "a1", "subject": "Your code 111111", "text": "code 111111", "to": [{"address": "Arya@x.test", "name": ""}]},
            {"id": "b2", "subject": "Other", "text": "x", "to": [{"address": "gendry@x.test"}]},
            {"id": "c3", "subject": "Your code 222222", "html": "<p>222222</p>", "to": [], "envelope": {"to": [{"address": "arya@x.test"}]}}
        ]);
        let found = maildev_list(&doc, "arya@x.test");
        assert_eq!(found.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["a1", "c3"]);
        assert_eq!(found[0].mail.as_ref().unwrap().subject, "Your code 111111");
    }

    #[test]
    fn mailpit_lists_newest_first_and_mailhog_carries_the_raw_message() {
        let doc = json!({"messages": [{"ID": "new"}, {"ID": "old"}], "total": 2});
        assert_eq!(mailpit_list(&doc).iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["old", "new"]);
        let mail =
            mailpit_mail(&json!({"ID": "old", "Subject": "Reset", "Text": "token: abc", "HTML": ""}), "a@x.test");
        assert_eq!(mail.subject, "Reset");
        let raw = "Subject: Your code 333333\r\nTo: a@x.test\r\n\r\nYour code is 333333\r\n";
        let doc = json!({"items": [{"ID": "h1", "Raw": {"From": "gw@x.test", "To": ["a@x.test"], "Data": raw}}]});
        let found = mailhog_list(&doc, "a@x.test");
        assert_eq!(found[0].id, "h1");
        assert_eq!(found[0].mail.as_ref().unwrap().subject, "Your code 333333");
    }
}
