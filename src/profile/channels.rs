//! The profile's message channels: where the harness reads the target's
//! mail (an SMTP sink it runs, or the target's mail API) and SMS (a webhook),
//! and where a code or a link is found in a message.
use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::model::duration;
use super::values::CaptureRegex;

/// Where the target's mail is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawMailbox")]
pub struct MailboxConfig {
    pub backend: MailBackend,
    pub code: CodeExtraction,
    /// Where a mailed link (password reset) and its token are found.
    pub link: LinkExtraction,
    pub timeout: Duration,
    /// How long to wait before concluding that a mail is not coming (a
    /// target may send in the background).
    pub silence: Duration,
}

/// The one place mail arrives.
#[derive(Debug, Clone)]
pub enum MailBackend {
    /// The harness runs an SMTP sink the target sends to.
    Smtp(SmtpSinkConfig),
    /// The target exposes received mail over HTTP (e.g. a Mailpit-like API).
    Http(Box<MailApiConfig>),
    /// A mail catcher the target sends to (MailDev, Mailpit, MailHog), read
    /// through its own HTTP API.
    Catcher(CatcherConfig),
}

/// `mailbox.catcher`: a named mail catcher and where its HTTP API answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatcherConfig {
    pub kind: CatcherKind,
    /// The catcher's web address, e.g. `http://127.0.0.1:1080` (MailDev),
    /// `http://127.0.0.1:8025` (Mailpit, MailHog).
    pub url: String,
    #[serde(default = "default_poll", deserialize_with = "duration")]
    pub poll: Duration,
}

/// The mail catchers the harness knows the APIs of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CatcherKind {
    /// MailDev 3 (`/api/email`).
    Maildev,
    /// Mailpit (`/api/v1/search`, `/api/v1/message/{id}`).
    Mailpit,
    /// MailHog (`/api/v2/search`).
    Mailhog,
}

/// `mailbox:` as written: `smtp` or `http`, exactly one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMailbox {
    smtp: Option<SmtpSinkConfig>,
    http: Option<MailApiConfig>,
    catcher: Option<CatcherConfig>,
    #[serde(default)]
    code: CodeExtraction,
    #[serde(default)]
    link: LinkExtraction,
    #[serde(default = "default_wait", deserialize_with = "duration")]
    timeout: Duration,
    #[serde(default = "default_silence", deserialize_with = "duration")]
    silence: Duration,
}

impl TryFrom<RawMailbox> for MailboxConfig {
    type Error = &'static str;

    fn try_from(r: RawMailbox) -> Result<Self, Self::Error> {
        let backend = match (r.smtp, r.http, r.catcher) {
            (Some(s), None, None) => MailBackend::Smtp(s),
            (None, Some(h), None) => MailBackend::Http(Box::new(h)),
            (None, None, Some(c)) => MailBackend::Catcher(c),
            _ => return Err("set exactly one of `smtp`, `http` or `catcher`"),
        };
        Ok(MailboxConfig { backend, code: r.code, link: r.link, timeout: r.timeout, silence: r.silence })
    }
}

impl MailboxConfig {
    /// The SMTP sink's settings, when mail comes that way.
    pub fn smtp(&self) -> Option<&SmtpSinkConfig> {
        match &self.backend {
            MailBackend::Smtp(s) => Some(s),
            _ => None,
        }
    }

    /// The mail API's settings, when mail is read that way.
    pub fn http(&self) -> Option<&MailApiConfig> {
        match &self.backend {
            MailBackend::Http(h) => Some(h),
            _ => None,
        }
    }
}

fn default_silence() -> Duration {
    Duration::from_millis(500)
}

/// A link in a mail, and the token inside it; or, `bare`, a token mailed
/// on its own (no link).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkExtraction {
    /// The first capture group is the link (`bare`: the token itself).
    #[serde(default = "default_link_regex")]
    pub regex: CaptureRegex,
    /// The mail carries the reset token itself, not a link: `regex` finds
    /// it, and steps that need a link do not apply.
    #[serde(default)]
    pub bare: bool,
    /// Applied to the link; the first capture group is the token.
    #[serde(default = "default_token_regex")]
    pub token: CaptureRegex,
    /// Parts searched in order.
    #[serde(default = "default_link_parts", rename = "in")]
    pub parts: Vec<MailPart>,
}

impl Default for LinkExtraction {
    fn default() -> Self {
        LinkExtraction {
            regex: default_link_regex(),
            bare: false,
            token: default_token_regex(),
            parts: default_link_parts(),
        }
    }
}

fn default_link_regex() -> CaptureRegex {
    CaptureRegex::fixed(r#"(https?://[^\s"'<>]+)"#)
}
fn default_token_regex() -> CaptureRegex {
    CaptureRegex::fixed(r"[?&#]token=([^&#\s]+)")
}
fn default_link_parts() -> Vec<MailPart> {
    vec![MailPart::Text, MailPart::Html]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSinkConfig {
    pub listen: String,
    #[serde(default = "default_max_size")]
    pub max_size: usize,
    /// Whether the sink offers STARTTLS (RFC 3207), under the doubles' CA.
    #[serde(default)]
    pub starttls: StartTls,
    /// How long the sink takes to accept a message, as a relay does (20 ms
    /// by default; `0s` for at once): it shows a target that sends its
    /// mail before answering (SEC-TIME-02).
    #[serde(default = "default_latency", deserialize_with = "super::model::duration")]
    pub latency: std::time::Duration,
}

fn default_latency() -> std::time::Duration {
    std::time::Duration::from_millis(20)
}

/// `mailbox.smtp.starttls`: what the SMTP sink says of TLS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StartTls {
    /// Not offered: the dialogue stays in plain text.
    #[default]
    Off,
    /// Offered in the EHLO reply; a sender may go on in plain text.
    Offered,
    /// Offered, and a mail sent without it is refused (530 5.7.0), as a
    /// relay that requires TLS does: a target that cannot do it delivers
    /// nothing.
    Required,
}

fn default_max_size() -> usize {
    1 << 20
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailApiConfig {
    /// URL template; sees `recipient` and every profile variable.
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// JSON pointers into the reply.
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    #[serde(default = "default_poll", deserialize_with = "duration")]
    pub poll: Duration,
}

fn default_poll() -> Duration {
    Duration::from_millis(50)
}
fn default_wait() -> Duration {
    Duration::from_secs(5)
}

/// Where in a message the one-time code (or link) is found.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeExtraction {
    /// The first capture group is the code.
    #[serde(default = "default_code_regex")]
    pub regex: CaptureRegex,
    /// Parts searched in order: subject, text, html.
    #[serde(default = "default_code_parts", rename = "in")]
    pub parts: Vec<MailPart>,
}

impl Default for CodeExtraction {
    fn default() -> Self {
        CodeExtraction { regex: default_code_regex(), parts: default_code_parts() }
    }
}

fn default_code_regex() -> CaptureRegex {
    CaptureRegex::fixed(r"\b(\d{4,12})\b")
}
fn default_code_parts() -> Vec<MailPart> {
    vec![MailPart::Subject, MailPart::Text, MailPart::Html]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailPart {
    Subject,
    Text,
    Html,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    pub webhook: SmsWebhookConfig,
    #[serde(default)]
    pub code: CodeExtraction,
    #[serde(default = "default_wait", deserialize_with = "duration")]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsWebhookConfig {
    pub listen: String,
    #[serde(default = "default_sms_path")]
    pub path: String,
    /// JSON pointer to the recipient's number in the provider's POST.
    pub recipient: String,
    /// JSON pointer to the message text.
    pub text: String,
    /// Serve HTTPS (under the doubles' CA) instead of plain HTTP.
    #[serde(default)]
    pub tls: bool,
}

fn default_sms_path() -> String {
    "/sms".into()
}
