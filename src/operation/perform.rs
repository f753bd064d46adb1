//! Sending one request to a target and reading its reply within the
//! profile's bounds (time budget, body size, trickle, broken connection):
//! the one place an exchange with a target is made, for the profile's
//! operations and for the requests the harness makes as a counterpart (the
//! app opening a deep link).
use std::time::{Duration, Instant};

use crate::profile::StatusPattern;

use super::error::OperationError;
use super::exchange::Exchange;
use super::reply_body::{self, BodyError};
use super::target::{root_cause, Target};

/// What a request was, as the evidence shows it.
pub struct Sent<'a> {
    pub operation: &'a str,
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub budget: Duration,
}

/// A request the harness makes itself, outside the profile's operations
/// (the partner's app handing a deep link's JWT to the platform).
pub struct CounterpartRequest<'a> {
    /// How the evidence names it (`app.open_deep_link`).
    pub operation: &'a str,
    pub url: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub accept: &'a [StatusPattern],
}

impl Target {
    /// A GET the harness makes as a counterpart, bounded and recorded like
    /// an operation (a 4xx is a refusal).
    pub async fn counterpart_get(&self, r: CounterpartRequest<'_>) -> Result<Exchange, OperationError> {
        let mut url = url::Url::parse(&r.url).map_err(|e| OperationError::Transport {
            operation: r.operation.into(),
            method: "GET".into(),
            url: self.redactor.text(&r.url),
            message: format!("not a URL: {e}"),
        })?;
        if !r.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&r.query);
        }
        let mut req = self.client.get(url.as_str());
        for (k, v) in &r.headers {
            req = req.header(k, v);
        }
        let sent = Sent {
            operation: r.operation,
            method: reqwest::Method::GET,
            url: url.to_string(),
            headers: r.headers,
            body: None,
            budget: self.profile.defaults.timeout,
        };
        self.perform(req, sent, r.accept, &[StatusPattern::Class(4)]).await
    }

    /// Sends `req` and reads the reply within the profile's limits.
    pub(super) async fn perform(
        &self,
        req: reqwest::RequestBuilder,
        sent: Sent<'_>,
        accept: &[StatusPattern],
        refuse: &[StatusPattern],
    ) -> Result<Exchange, OperationError> {
        let Sent { operation: name, method, url, headers: sent_headers, body: request_body, budget } = sent;
        let started = Instant::now();
        let sent_at = chrono::Utc::now();
        let shown_url = self.redactor.text(&url);
        // A timeout and a broken connection are told apart: the first is the
        // target being slow (the profile's budget), the second it being down.
        let failed = |e: reqwest::Error, stage: &str| {
            if e.is_timeout() {
                OperationError::Timeout {
                    operation: name.into(),
                    method: method.to_string(),
                    url: shown_url.clone(),
                    budget,
                }
            } else {
                OperationError::Transport {
                    operation: name.into(),
                    method: method.to_string(),
                    url: shown_url.clone(),
                    message: {
                        let cause = root_cause(&e);
                        format!("{stage}{}{}", self.redactor.text(&cause), super::tls::hint(&cause))
                    },
                }
            }
        };
        let reply = req.timeout(budget).send().await.map_err(|e| failed(e, ""))?;
        let status = reply.status().as_u16();
        let response_headers: Vec<(String, String)> = reply
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let limit = self.profile.limits.body_bytes();
        let body = reply_body::read(reply, limit).await.map_err(|e| {
            let (operation, method, url) = (name.to_string(), method.to_string(), shown_url.clone());
            match e {
                BodyError::TooLarge { received, head } => OperationError::TooLarge {
                    operation,
                    method,
                    url,
                    status,
                    limit: self.profile.limits.body.to_string(),
                    received,
                    excerpt: self.redactor.excerpt(&head, 200),
                },
                BodyError::Trickled { received, head } => OperationError::Trickled {
                    operation,
                    method,
                    url,
                    status,
                    budget,
                    received,
                    excerpt: self.redactor.excerpt(&head, 200),
                },
                BodyError::BrokeOff { received, head, message } => OperationError::BrokeOff {
                    operation,
                    method,
                    url,
                    status,
                    received,
                    message: self.redactor.text(&message),
                    excerpt: self.redactor.excerpt(&head, 200),
                },
            }
        })?;
        let notes = reply_body::notes(&response_headers, &body);
        Ok(Exchange {
            operation: name.to_string(),
            started: sent_at,
            method: method.to_string(),
            url,
            request_headers: sent_headers,
            request_body,
            status,
            response_headers,
            response_body: body.text,
            elapsed: started.elapsed(),
            accepted: accept.iter().any(|p| p.matches(status)),
            refusal: refuse.iter().any(|p| p.matches(status)),
            outcome: None,
            extracted: Default::default(),
            body_bytes: body.bytes,
            body_sha256: body.sha256,
            invalid_utf8_at: body.invalid_utf8_at,
            notes,
        })
    }
}
