//! Mailbox backend for targets that expose received mail over HTTP (a
//! Mailpit-like API, or a gateway's test endpoint such as iCure's
//! `lastEmail/{address}`). It polls the URL until a message it has not seen
//! before appears.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::inbox::InboxError;
use super::mail::Mail;
use crate::operation::{Renderer, Vars};
use crate::profile::MailApiConfig;
use crate::redact::Redactor;

pub struct MailApi {
    config: MailApiConfig,
    client: reqwest::Client,
    renderer: Renderer,
    base_vars: Vars,
    /// Last reply seen per recipient: the API returns the latest mail, so a
    /// new message is one whose content differs from what we saw.
    seen: Mutex<HashMap<String, String>>,
}

impl MailApi {
    /// `client`: built with the profile's `tls:` (the target's own client).
    pub fn new(config: MailApiConfig, base_vars: Vars, client: reqwest::Client) -> MailApi {
        MailApi {
            client,
            renderer: Renderer::with_templates(
                std::iter::once(config.url.as_str()).chain(config.headers.values().map(String::as_str)),
            ),
            base_vars,
            config,
            seen: Mutex::new(HashMap::new()),
        }
    }

    pub async fn next_for(&self, recipient: &str, timeout: Duration, redactor: &Redactor) -> Result<Mail, InboxError> {
        let mut vars = self.base_vars.clone();
        vars.insert("recipient".into(), recipient.into());
        let url = self
            .renderer
            .render(&self.config.url, &vars)
            .map_err(|e| InboxError::Backend { kind: "mail", message: format!("url template: {e}") })?;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut last;
        loop {
            let mut req = self.client.get(&url).timeout(timeout);
            for (k, v) in &self.config.headers {
                let v = self
                    .renderer
                    .render(v, &vars)
                    .map_err(|e| InboxError::Backend { kind: "mail", message: format!("header {k}: {e}") })?;
                req = req.header(k, v);
            }
            match req.send().await {
                Ok(reply) if reply.status().is_success() => {
                    let body = reply.text().await.unwrap_or_default();
                    let fresh = {
                        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                        let fresh = seen.get(recipient) != Some(&body);
                        if fresh {
                            seen.insert(recipient.to_string(), body.clone());
                        }
                        fresh
                    };
                    if fresh {
                        return self.to_mail(recipient, &body);
                    }
                    last = "only messages already read".into();
                }
                Ok(reply) => last = format!("status {}", reply.status().as_u16()),
                Err(e) => last = format!("error: {e}"),
            }
            if tokio::time::Instant::now() + self.config.poll > deadline {
                return Err(InboxError::Timeout {
                    kind: "mail",
                    recipient: recipient.to_string(),
                    waited: timeout,
                    arrived: redactor.text(&format!("GET {url} last gave {last}")),
                });
            }
            tokio::time::sleep(self.config.poll).await;
        }
    }

    fn to_mail(&self, recipient: &str, body: &str) -> Result<Mail, InboxError> {
        let doc: serde_json::Value = serde_json::from_str(body)
            .map_err(|e| InboxError::Backend { kind: "mail", message: format!("mail API reply is not JSON: {e}") })?;
        let field = |ptr: &Option<String>| {
            ptr.as_ref().and_then(|p| doc.pointer(p)).and_then(|v| v.as_str()).map(str::to_string)
        };
        Ok(Mail::from_parts(
            recipient,
            field(&self.config.subject).unwrap_or_default(),
            field(&self.config.text),
            field(&self.config.html),
        ))
    }
}
