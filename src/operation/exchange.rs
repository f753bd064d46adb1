//! One HTTP exchange as it happened: the evidence a failure message and a
//! report draw on. Bodies are kept raw in memory (extraction and ciphertext
//! checks need them) and redacted whenever they are shown or written.
use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::redact::Redactor;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Exchange {
    pub operation: String,
    /// When the request was sent (places the exchange under its step in reports).
    pub started: chrono::DateTime<chrono::Utc>,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    #[serde(serialize_with = "millis", deserialize_with = "from_millis")]
    pub elapsed: Duration,
    /// Whether `status` is one the profile accepts for this operation.
    pub accepted: bool,
    /// Whether `status` is one of the operation's refusals (profile `refuse:`).
    #[serde(default)]
    pub refusal: bool,
    /// Named results (only when accepted).
    pub extracted: BTreeMap<String, String>,
}

fn from_millis<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let ms = <f64 as serde::Deserialize>::deserialize(d)?;
    Ok(Duration::from_secs_f64(ms.max(0.0) / 1000.0))
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The reply body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.response_body).ok()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.extracted.get(name).map(String::as_str)
    }

    /// One of the operation's refusals: the target refused the request, as
    /// opposed to failing (5xx) or answering something else.
    pub fn refused(&self) -> bool {
        self.refusal && (400..500).contains(&self.status)
    }

    /// A server error: the target broke, which is never a refusal.
    pub fn broke(&self) -> bool {
        self.status >= 500
    }

    /// A redacted, serialisable copy for reports and evidence.
    pub fn redacted(&self, r: &Redactor) -> Exchange {
        let redact_headers = |h: &Vec<(String, String)>| {
            h.iter()
                .map(|(k, v)| {
                    let v = if crate::redact::is_secret_key(k) || k.eq_ignore_ascii_case("cookie") {
                        "[REDACTED]".to_string()
                    } else {
                        r.text(v)
                    };
                    (k.clone(), v)
                })
                .collect()
        };
        Exchange {
            operation: self.operation.clone(),
            started: self.started,
            method: self.method.clone(),
            url: r.text(&self.url),
            request_headers: redact_headers(&self.request_headers),
            request_body: self.request_body.as_deref().map(|b| redact_body(r, b)),
            status: self.status,
            response_headers: redact_headers(&self.response_headers),
            response_body: redact_body(r, &self.response_body),
            elapsed: self.elapsed,
            accepted: self.accepted,
            refusal: self.refusal,
            extracted: self.extracted.iter().map(|(k, v)| (k.clone(), r.text(v))).collect(),
        }
    }

    /// One line for failure messages: `otp.start POST http://… -> 400: {excerpt}`.
    pub fn summary(&self, r: &Redactor) -> String {
        format!(
            "{} {} {} -> {}: {}",
            self.operation,
            self.method,
            r.text(&self.url),
            self.status,
            r.excerpt(&redact_body(r, &self.response_body), 200)
        )
    }
}

fn redact_body(r: &Redactor, body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) if v.is_object() || v.is_array() => {
            r.json(&mut v);
            v.to_string()
        }
        _ => r.text(body),
    }
}
