//! The profile model: what a user may write in `scenarios/targets/*.yaml`.
//!
//! Every struct denies unknown keys, so a typo is an error with a position
//! rather than a silently ignored setting.
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

pub use super::spec::{Body, Extract, ExtractSource, HttpMethod, OperationSpec, StatusPattern, DEFAULT_REFUSE};

use super::channels::{MailboxConfig, SmsConfig};
pub use super::family::{Declared, Extra, Family, Lifetime, Need, Shape};

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
    /// The families the target has (`otp`, `sessions`, ...): the profile
    /// binds their operations, and scenarios tagged `@needs:<family>` run
    /// only when it is listed here (not applicable otherwise).
    pub families: BTreeSet<Family>,
    /// Options inside the families (`sms`, `captcha`, `time_travel`, ...).
    #[serde(default)]
    pub extras: BTreeSet<Extra>,
    /// The lifetimes the target was started with, for expiry checks in
    /// real time where it has no `time_travel` hooks.
    #[serde(default)]
    pub lifetimes: Lifetimes,
    /// Free values usable in every template (`{{ spec_id }}`).
    #[serde(default)]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub defaults: Defaults,
    /// Bounds on what the harness reads from the target.
    #[serde(default)]
    pub limits: super::limits::Limits,
    /// The bounds the guessing scenarios push to (`throttling:`).
    #[serde(default)]
    pub throttling: super::throttling::Throttling,
    /// How the timing scenarios sample (`timing:`).
    #[serde(default)]
    pub timing: super::timing::Timing,
    /// Certificates: a private CA, a client certificate, or none checked.
    #[serde(default)]
    pub tls: super::tls::TlsConfig,
    /// The CA the doubles that serve TLS use, when not one per run.
    #[serde(default)]
    pub doubles_tls: super::doubles_tls::DoublesTlsConfig,
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
    pub operations: BTreeMap<String, super::spec::OperationSpec>,
}

impl Profile {
    /// The doubles that serve TLS (`platform.tls`, `sms.webhook.tls`,
    /// `mailbox.smtp.starttls`), by their profile key.
    pub fn tls_doubles(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.platform.as_ref().is_some_and(|p| p.tls) {
            out.push("platform.tls");
        }
        if self.sms.as_ref().is_some_and(|s| s.webhook.tls) {
            out.push("sms.webhook.tls");
        }
        if self.mailbox.as_ref().and_then(|m| m.smtp()).is_some_and(|s| s.starttls != super::StartTls::Off) {
            out.push("mailbox.smtp.starttls");
        }
        out
    }

    /// Where mailed links must point: `public_url`, else `base_url`.
    pub fn public_origin(&self) -> &str {
        self.public_url.as_deref().unwrap_or(&self.base_url)
    }

    /// Every `extract:` name of the profile's operations: what a later
    /// operation may name as a value extracted earlier for its actor.
    pub fn extracted_names(&self) -> BTreeSet<&str> {
        self.operations.values().flat_map(|o| o.extract.keys().map(String::as_str)).collect()
    }

    /// The code exchange itself gives the session token (`otp.validate`
    /// extracts `token`), so no token chain follows it.
    pub fn validate_gives_token(&self) -> bool {
        self.operations.get("otp.validate").is_some_and(|o| o.extract.contains_key("token"))
    }

    /// What the target declares, for deciding which scenarios apply.
    pub fn declared(&self) -> Declared {
        let names = |op: &str, any: &[&str]| {
            self.operations.get(op).is_some_and(|spec| {
                let used = super::scope::variables_used(spec);
                any.iter().any(|v| used.contains(*v))
            })
        };
        // A cap is the target's policy, not a test setting, so it may be
        // long: it counts where a client can ask for a validity
        // (`token.create` sends `token_validity`; validation says so when it
        // does not) and a token can be seen outliving it (hooks, or a cap
        // short enough to wait out).
        let hooks = self.extras.contains(&super::Extra::TimeTravel);
        let cap_checkable = |cap: Duration| hooks || cap <= MAX_WAITED;
        let lifetimes = Lifetime::ALL
            .iter()
            .copied()
            .filter(|l| match (l, self.lifetimes.of(*l)) {
                (_, None) => false,
                (Lifetime::TokenCap, Some(cap)) => cap_checkable(cap) && names("token.create", &["token_validity"]),
                (_, Some(_)) => true,
            })
            .collect();
        let mut shapes = BTreeSet::new();
        if names("password_reset.complete", &["email", "login"]) {
            shapes.insert(Shape::ResetNamesAccount);
        }
        Declared { families: self.families.clone(), extras: self.extras.clone(), lifetimes, shapes }
    }

    /// Forgets a family (and the extras that live only in it): its
    /// scenarios become not applicable.
    pub fn drop_family(&mut self, family: Family) {
        let mut d = self.declared();
        d.drop_family(family);
        self.families = d.families;
        self.extras = d.extras;
        // Lifetimes stay: they are facts of the target, not of one family.
    }
}

/// `lifetimes:` what the target was started with for the run (a test
/// configuration: short, so that waiting is cheap). Each set one makes the
/// expiry scenarios of its kind run in real time, waiting concurrently.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifetimes {
    /// A one-time code's.
    #[serde(default, deserialize_with = "opt_duration")]
    pub code: Option<Duration>,
    /// A session token's.
    #[serde(default, deserialize_with = "opt_duration")]
    pub token: Option<Duration>,
    /// A mailed reset link's or token's.
    #[serde(default, deserialize_with = "opt_duration")]
    pub reset_link: Option<Duration>,
    /// The longest validity the target grants a token, whatever a client
    /// asks for (`token.create` sends `token_validity`): beyond it the
    /// target refuses, or grants no more than the cap.
    #[serde(default, deserialize_with = "opt_duration")]
    pub token_cap: Option<Duration>,
}

/// The longest lifetime the harness waits out in real time, where the
/// target has no `time_travel` hooks to age things.
pub const MAX_WAITED: Duration = Duration::from_secs(120);

impl Lifetimes {
    /// What the profile declares for `kind`.
    pub fn of(&self, kind: Lifetime) -> Option<Duration> {
        match kind {
            Lifetime::Code => self.code,
            Lifetime::Token => self.token,
            Lifetime::ResetLink => self.reset_link,
            Lifetime::TokenCap => self.token_cap,
        }
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

/// How authenticated operations present the actor's secret (a code or a
/// token): one scheme, so a profile naming none or two does not load.
/// Templates see `login` and `secret`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawAuth")]
pub enum AuthScheme {
    /// `Authorization: Basic base64(username:password)`.
    Basic(BasicAuth),
    /// `Authorization: Bearer <template>`.
    Bearer(String),
    /// A header of the target's own (`X-Session-Token`).
    Header(HeaderAuth),
}

/// `auth:` as written; serde_yaml reads no single-key map as an enum, so
/// the one-of rule is this conversion's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    basic: Option<BasicAuth>,
    bearer: Option<String>,
    header: Option<HeaderAuth>,
}

impl TryFrom<RawAuth> for AuthScheme {
    type Error = &'static str;

    fn try_from(raw: RawAuth) -> Result<Self, Self::Error> {
        match (raw.basic, raw.bearer, raw.header) {
            (Some(b), None, None) => Ok(AuthScheme::Basic(b)),
            (None, Some(t), None) => Ok(AuthScheme::Bearer(t)),
            (None, None, Some(h)) => Ok(AuthScheme::Header(h)),
            _ => Err("set exactly one of `basic`, `bearer` or `header`"),
        }
    }
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
#[serde(deny_unknown_fields, try_from = "RawPlatform")]
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
    /// Serve HTTPS (under the doubles' CA) instead of plain HTTP.
    pub tls: bool,
}

/// `platform:` as written: the key inline or from a file, not both.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlatform {
    listen: String,
    developer_id: String,
    api_key: String,
    admin_email: String,
    admin_password: String,
    hospital_id: i64,
    partner_issuer: String,
    partner_public_key: Option<String>,
    partner_public_key_file: Option<std::path::PathBuf>,
    #[serde(default)]
    tls: bool,
}

impl TryFrom<RawPlatform> for PlatformDoubleConfig {
    type Error = &'static str;

    fn try_from(r: RawPlatform) -> Result<Self, Self::Error> {
        if r.partner_public_key.is_some() && r.partner_public_key_file.is_some() {
            return Err("set `partner_public_key` or `partner_public_key_file`, not both");
        }
        Ok(PlatformDoubleConfig {
            listen: r.listen,
            developer_id: r.developer_id,
            api_key: r.api_key,
            admin_email: r.admin_email,
            admin_password: r.admin_password,
            hospital_id: r.hospital_id,
            partner_issuer: r.partner_issuer,
            partner_public_key: r.partner_public_key,
            partner_public_key_file: r.partner_public_key_file,
            tls: r.tls,
        })
    }
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

pub(crate) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    humantime::parse_duration(&s).map_err(|e| serde::de::Error::custom(format!("`{s}`: {e} (write e.g. 5s or 250ms)")))
}

pub(crate) fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}
