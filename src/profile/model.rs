//! The profile model: what a user may write in `scenarios/targets/*.yaml`.
//!
//! Every struct denies unknown keys, so a typo is an error with a position
//! rather than a silently ignored setting.
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::channels::{MailboxConfig, SmsConfig};

/// A target profile after `inherits:` merging and `${VAR}` interpolation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short name; also the snapshot folder (`scenarios/snapshots/<name>/`).
    pub name: String,
    /// Where the target answers, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// The address the target's users reach it at, where mailed links must
    /// point whatever Host a request claims (default `base_url`): behind a
    /// gateway, the public origin.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Optional capabilities the target has; scenarios tagged `@needs:<cap>`
    /// run only when it is listed here, and are reported as not applicable otherwise.
    #[serde(default)]
    pub capabilities: BTreeSet<Capability>,
    /// Free values usable in every template (`{{ spec_id }}`).
    #[serde(default)]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub defaults: Defaults,
    /// Bounds on what the harness reads from the target.
    #[serde(default)]
    pub limits: super::limits::Limits,
    /// How operations marked `auth: true` authenticate.
    pub auth: AuthScheme,
    pub mailbox: Option<MailboxConfig>,
    pub sms: Option<SmsConfig>,
    #[serde(default)]
    pub snapshots: SnapshotConfig,
    /// The platform double a partner backend calls (SSO certification).
    pub platform: Option<PlatformDoubleConfig>,
    /// The client crypto the target's SDK uses.
    #[serde(default)]
    pub crypto: CryptoConfig,
    /// The target's names for the seed's fields where they differ
    /// (`FirstName: givenName`): field-error checks look for these.
    #[serde(default)]
    pub field_names: BTreeMap<String, String>,
    /// Abstract operation name (`otp.start`) -> HTTP exchange.
    pub operations: BTreeMap<String, OperationSpec>,
}

impl Profile {
    /// Where mailed links must point: `public_url`, else `base_url`.
    pub fn public_origin(&self) -> &str {
        self.public_url.as_deref().unwrap_or(&self.base_url)
    }
}

/// Optional capabilities a target may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Codes delivered by e-mail.
    Email,
    /// Codes delivered by SMS.
    Sms,
    /// The start of a process checks a captcha token.
    Captcha,
    /// Patients register under a master HCP.
    MasterHcp,
    /// End-to-end encrypted data samples.
    E2eData,
    /// Test hooks that age a process or a token (to check lifetimes without waiting).
    TimeTravel,
    /// Several keys per data owner, KEY_PAIR_UPDATE notifications, giving
    /// access back, transfer keys, auto-sharing with the master HCP.
    KeyRecovery,
    /// Partner SSO: login and registration over the platform double.
    Sso,
    /// The partner mails password-reset links (`sso.reset.start`).
    PasswordReset,
    /// The partner's reset link can be completed through an endpoint
    /// (`sso.reset.complete`), so the link's use and lifetime are checkable.
    ResetCompletion,
    /// The partner hands out `snapmdconnectedcare://?jwt=` deep links (`sso.deep_link`).
    DeepLink,
    /// A partner account can be disabled for a test (`sso.disable_account`).
    AccountAdmin,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Email => "email",
            Capability::Sms => "sms",
            Capability::Captcha => "captcha",
            Capability::MasterHcp => "master_hcp",
            Capability::E2eData => "e2e_data",
            Capability::TimeTravel => "time_travel",
            Capability::KeyRecovery => "key_recovery",
            Capability::Sso => "sso",
            Capability::PasswordReset => "password_reset",
            Capability::ResetCompletion => "reset_completion",
            Capability::DeepLink => "deep_link",
            Capability::AccountAdmin => "account_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Capability> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Time budget of one HTTP exchange.
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
    /// Domain of the unique addresses given to actors.
    #[serde(default = "default_mail_domain")]
    pub mail_domain: String,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults { timeout: default_timeout(), mail_domain: default_mail_domain() }
    }
}

fn default_timeout() -> Duration {
    Duration::from_secs(5)
}
fn default_mail_domain() -> String {
    "conformance.test".into()
}

/// How authenticated operations present the actor's secret (a code or a token).
/// Exactly one of the fields is set. Templates see `login` and `secret`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthScheme {
    pub basic: Option<BasicAuth>,
    pub bearer: Option<String>,
    pub header: Option<HeaderAuth>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderAuth {
    pub name: String,
    pub value: String,
}

/// The SnapMD-like platform the harness plays for a partner backend: the
/// credentials the partner was given, and what the partner registered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformDoubleConfig {
    /// Where the double listens; point the partner's platform URL here.
    pub listen: String,
    pub developer_id: String,
    pub api_key: String,
    pub admin_email: String,
    pub admin_password: String,
    pub hospital_id: i64,
    /// The issuer the partner registered.
    pub partner_issuer: String,
    /// The partner's registered public key (PEM). The embedded reference
    /// generates its own key pair, so it may be left out there.
    pub partner_public_key: Option<String>,
    /// The same, read from a PEM file (relative to the profile); the loader
    /// moves its content into `partner_public_key`.
    pub partner_public_key_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CryptoConfig {
    /// RSA-OAEP hash of key wrapping: `sha256` (current SDKs) or `sha1` (legacy targets).
    #[serde(default)]
    pub oaep_hash: OaepHashName,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OaepHashName {
    #[default]
    Sha256,
    Sha1,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotConfig {
    /// Baseline folder under `scenarios/snapshots/`; defaults to the profile
    /// name. Variants of one target (another mailbox, say) share baselines.
    pub folder: Option<String>,
    /// Extra insta selectors (`.**.createdAt`) -> replacement, on top of the built-in ones.
    #[serde(default)]
    pub redactions: BTreeMap<String, String>,
}

/// One abstract operation bound to an HTTP exchange.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSpec {
    pub method: HttpMethod,
    /// URL template (minijinja): `{{ base_url }}/users/{{ user_id }}`.
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Authenticate with the profile's `auth` scheme.
    #[serde(default)]
    pub auth: bool,
    /// JSON body; string leaves are templates, `{$value: expr}` inserts a structured value.
    pub json: Option<serde_json::Value>,
    /// Form-encoded body; values are templates.
    pub form: Option<BTreeMap<String, String>>,
    /// Raw text body (template), sent with `content_type`.
    pub raw: Option<String>,
    pub content_type: Option<String>,
    /// Statuses that mean success, e.g. `[200, 201]` or `["2xx"]`.
    #[serde(default = "default_accept")]
    pub accept: Vec<StatusPattern>,
    /// Statuses that mean "refused" when a scenario expects a refusal
    /// (default 400, 401, 403, 404, 409, 422, 429). Never a 5xx: a server
    /// error is the target breaking, not refusing.
    #[serde(default = "default_refuse")]
    pub refuse: Vec<StatusPattern>,
    /// The only field names (at any depth) an accepted reply may carry,
    /// for checks that a reply holds nothing more (`sso.login`: the token
    /// fields, default the seed's `access_token` and `expires`; add
    /// `token_type`, `expires_in` for an OAuth2-style reply).
    #[serde(default)]
    pub reply_fields: Option<Vec<String>>,
    /// Named results taken from the reply.
    #[serde(default)]
    pub extract: BTreeMap<String, Extract>,
    #[serde(default, deserialize_with = "opt_duration")]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        }
    }
}

/// A status (`200`) or a class (`"2xx"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPattern {
    Exact(u16),
    Class(u16),
}

impl StatusPattern {
    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusPattern::Exact(s) => s == status,
            StatusPattern::Class(c) => status / 100 == c,
        }
    }
}

impl<'de> Deserialize<'de> for StatusPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u16),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) if (100..600).contains(&n) => Ok(StatusPattern::Exact(n)),
            Raw::S(s) if s.len() == 3 && s.ends_with("xx") => match s.as_bytes()[0] {
                c @ b'1'..=b'5' => Ok(StatusPattern::Class(u16::from(c - b'0'))),
                _ => Err(serde::de::Error::custom(format!("`{s}` is not a status class"))),
            },
            Raw::S(s) => s
                .parse::<u16>()
                .ok()
                .filter(|n| (100..600).contains(n))
                .map(StatusPattern::Exact)
                .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a status or a class like 2xx"))),
            Raw::N(n) => Err(serde::de::Error::custom(format!("{n} is not an HTTP status"))),
        }
    }
}

fn default_accept() -> Vec<StatusPattern> {
    vec![StatusPattern::Class(2)]
}

/// The refusals a REST API commonly answers; 404 is among them because
/// hiding a resource is a refusal, which is why every refusal check needs a
/// positive control on the same operation (a route that does not exist
/// answers 404 too).
pub const DEFAULT_REFUSE: [u16; 7] = [400, 401, 403, 404, 409, 422, 429];

fn default_refuse() -> Vec<StatusPattern> {
    DEFAULT_REFUSE.iter().map(|s| StatusPattern::Exact(*s)).collect()
}

/// Where a named result sits in a reply. Exactly one source (`json`,
/// `header`, `status`, `body`); `regex` then narrows it (first capture group),
/// and alone it searches the body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extract {
    pub json: Option<String>,
    pub header: Option<String>,
    #[serde(default)]
    pub status: bool,
    #[serde(default)]
    pub body: bool,
    pub regex: Option<String>,
    /// When the `json` value is an array: a pointer applied to each element,
    /// giving a JSON array of the results (`json: /items, each: /id`).
    pub each: Option<String>,
    /// A missing optional value is not an error.
    #[serde(default)]
    pub optional: bool,
}

pub(crate) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    humantime::parse_duration(&s).map_err(|e| serde::de::Error::custom(format!("`{s}`: {e} (write e.g. 5s or 250ms)")))
}

fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}
