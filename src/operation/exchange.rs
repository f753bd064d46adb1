//! One HTTP exchange as it happened: the evidence a failure message and a
//! report draw on. Bodies are kept raw in memory (extraction and ciphertext
//! checks need them) and redacted whenever they are shown or written.
use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::redact::Redactor;

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
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
    /// The status the body carries, for an operation whose profile says
    /// where (`outcome: {json: /status}`): an API answering 200 with an
    /// error inside is judged by this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<u16>,
    /// Named results (only when accepted).
    pub extracted: BTreeMap<String, String>,
    /// The whole reply body's size and SHA-256: the evidence keeps only a
    /// bounded excerpt of it.
    #[serde(default)]
    pub body_bytes: usize,
    #[serde(default)]
    pub body_sha256: String,
    /// Where the body stops being UTF-8, if it does: nothing is extracted then.
    #[serde(default)]
    pub invalid_utf8_at: Option<usize>,
    /// What in the reply contradicts its headers (see `reply_body::notes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// How much of each body the evidence and reports keep: enough to read a
/// reply, never a 50 MB one (the size and SHA-256 stand for the rest).
pub const EVIDENCE_BODY: usize = 16 * 1024;

fn from_millis<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let ms = <f64 as serde::Deserialize>::deserialize(d)?;
    Ok(Duration::from_secs_f64(ms.max(0.0) / 1000.0))
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.response_headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
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
        self.refusal && (400..500).contains(&self.effective_status())
    }

    /// The status the operation is judged by: the body's where the profile
    /// says it carries one, else the HTTP status.
    pub fn effective_status(&self) -> u16 {
        self.outcome.unwrap_or(self.status)
    }

    /// A server error: the target broke, which is never a refusal.
    pub fn broke(&self) -> bool {
        self.status >= 500 || self.effective_status() >= 500
    }

    /// A redacted, serialisable copy for reports and evidence.
    pub fn redacted(&self, r: &Redactor) -> Exchange {
        let redact_headers = |h: &Vec<(String, String)>| {
            h.iter()
                .map(|(k, v)| {
                    let v = if crate::redact::is_secret_key(k)
                        || k.eq_ignore_ascii_case("cookie")
                        || k.eq_ignore_ascii_case("set-cookie")
                    {
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
            request_body: self.request_body.as_deref().map(|b| bounded(redact_body(r, b))),
            status: self.status,
            response_headers: redact_headers(&self.response_headers),
            response_body: bounded(redact_body(r, &self.response_body)),
            elapsed: self.elapsed,
            accepted: self.accepted,
            refusal: self.refusal,
            outcome: self.outcome,
            extracted: self.extracted.iter().map(|(k, v)| (k.clone(), r.text(v))).collect(),
            body_bytes: self.body_bytes,
            body_sha256: self.body_sha256.clone(),
            invalid_utf8_at: self.invalid_utf8_at,
            notes: self.notes.clone(),
        }
    }

    /// One line for failure messages: `otp.start POST http://… -> 400: {excerpt}`,
    /// with what in the reply contradicts its headers.
    pub fn summary(&self, r: &Redactor) -> String {
        let notes = if self.notes.is_empty() { String::new() } else { format!(" (note: {})", self.notes.join("; ")) };
        format!(
            "{} {} {} -> {}: {}{notes}",
            self.operation,
            self.method,
            r.text(&self.url),
            self.status,
            self.body_excerpt(r, 200)
        )
    }

    /// The reply body, redacted by value, shape and secret key names (a
    /// `token` field the harness never extracted), cut to `max` characters.
    pub fn body_excerpt(&self, r: &Redactor, max: usize) -> String {
        crate::redact::cut(&redact_body(r, &self.response_body), max)
    }
}

/// Cuts an (already redacted) body to `EVIDENCE_BODY` bytes, on a character boundary.
fn bounded(body: String) -> String {
    if body.len() <= EVIDENCE_BODY {
        return body;
    }
    let mut end = EVIDENCE_BODY;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} bytes in all]", &body[..end], body.len())
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
