//! One operation of a profile bound to an HTTP exchange: method, URL,
//! headers, at most one body, the statuses that accept and refuse, and the
//! values taken from the reply. Choices of "one of" are enums, checked by
//! serde as the profile loads (each error at the key it concerns).
use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::model::opt_duration;
use super::values::{pointer_problem, CaptureRegex};

/// One abstract operation bound to an HTTP exchange.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawOperation")]
pub struct OperationSpec {
    pub method: HttpMethod,
    /// URL template (minijinja): `{{ base_url }}/users/{{ user_id }}`.
    pub url: String,
    pub headers: BTreeMap<String, String>,
    /// Authenticate with the profile's `auth` scheme.
    pub auth: bool,
    pub body: Option<Body>,
    /// Statuses that mean success, e.g. `[200, 201]` or `["2xx"]`.
    pub accept: Vec<StatusPattern>,
    /// Statuses that mean "refused" when a scenario expects a refusal
    /// (default 400, 401, 403, 404, 409, 422, 429). Never a 5xx: a server
    /// error is the target breaking, not refusing.
    pub refuse: Vec<StatusPattern>,
    /// The only field names (at any depth) an accepted reply may carry,
    /// for checks that a reply holds nothing more (`sso.login`: the token
    /// fields, default the seed's `access_token` and `expires`; add
    /// `token_type`, `expires_in` for an OAuth2-style reply).
    pub reply_fields: Option<Vec<String>>,
    /// Named results taken from the reply.
    pub extract: BTreeMap<String, Extract>,
    /// Where the reply's body carries its status (a JSON pointer), for APIs
    /// that answer 200 with an error inside: `accept` and `refuse` then
    /// apply to that status.
    pub outcome: Option<String>,
    pub timeout: Option<Duration>,
    /// How the target says "slow down" besides a 429 or a Retry-After: a
    /// regex over the reply body (`throttled: {regex: too_many_login_attempts}`,
    /// allauth's 400), for the guessing scenarios.
    pub throttled: Option<regex::Regex>,
}

/// `throttled: {regex: ...}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Throttled {
    regex: String,
}

/// `outcome: {json: /status}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Outcome {
    json: String,
}

/// What a request carries.
#[derive(Debug, Clone)]
pub enum Body {
    /// JSON; string leaves are templates, `{$value: expr}` inserts a structured value.
    Json(serde_json::Value),
    /// Form-encoded; values are templates.
    Form(BTreeMap<String, String>),
    /// Text (a template), sent with `content_type` (default `text/plain`).
    Raw { text: String, content_type: Option<String> },
}

/// An operation as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperation {
    method: HttpMethod,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    auth: bool,
    json: Option<serde_json::Value>,
    form: Option<BTreeMap<String, String>>,
    raw: Option<String>,
    content_type: Option<String>,
    #[serde(default = "default_accept")]
    accept: Vec<StatusPattern>,
    #[serde(default = "default_refuse")]
    refuse: Vec<StatusPattern>,
    #[serde(default)]
    reply_fields: Option<Vec<String>>,
    #[serde(default)]
    extract: BTreeMap<String, Extract>,
    #[serde(default)]
    outcome: Option<Outcome>,
    #[serde(default, deserialize_with = "opt_duration")]
    timeout: Option<Duration>,
    #[serde(default)]
    throttled: Option<Throttled>,
}

impl TryFrom<RawOperation> for OperationSpec {
    type Error = String;

    fn try_from(r: RawOperation) -> Result<Self, Self::Error> {
        if let Some(why) = r.outcome.as_ref().and_then(|o| pointer_problem(&o.json)) {
            return Err(format!("`outcome.json`: {why}"));
        }
        if r.content_type.is_some() && r.raw.is_none() {
            return Err("`content_type` is only meaningful with a `raw` body".into());
        }
        let throttled = match r.throttled {
            None => None,
            Some(t) => {
                Some(regex::Regex::new(&t.regex).map_err(|e| format!("`throttled.regex` does not compile: {e}"))?)
            }
        };
        let body = match (r.json, r.form, r.raw) {
            (None, None, None) => None,
            (Some(j), None, None) => Some(Body::Json(j)),
            (None, Some(f), None) => Some(Body::Form(f)),
            (None, None, Some(text)) => Some(Body::Raw { text, content_type: r.content_type }),
            _ => return Err("set at most one body: `json`, `form` or `raw`".into()),
        };
        Ok(OperationSpec {
            method: r.method,
            url: r.url,
            headers: r.headers,
            auth: r.auth,
            body,
            accept: r.accept,
            refuse: r.refuse,
            reply_fields: r.reply_fields,
            extract: r.extract,
            outcome: r.outcome.map(|o| o.json),
            timeout: r.timeout,
            throttled,
        })
    }
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

/// Where a named result sits in a reply, `regex` narrowing it (its first
/// capture group), and whether it may be missing.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawExtract")]
pub struct Extract {
    pub from: ExtractSource,
    /// Compiled once, as the profile loads.
    pub regex: Option<CaptureRegex>,
    /// A missing optional value is not an error.
    pub optional: bool,
}

/// The one part of a reply a value is taken from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractSource {
    /// A JSON pointer; with `each`, a pointer applied to every element of
    /// the array it names, giving a JSON array (`json: /items, each: /id`).
    Json {
        pointer: String,
        each: Option<String>,
    },
    Header(String),
    Status,
    /// The whole body (`body: true`, or `regex` alone).
    Body,
}

/// An extraction as written: one source, or `regex` alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtract {
    json: Option<String>,
    header: Option<String>,
    #[serde(default)]
    status: bool,
    #[serde(default)]
    body: bool,
    regex: Option<CaptureRegex>,
    each: Option<String>,
    #[serde(default)]
    optional: bool,
}

impl TryFrom<RawExtract> for Extract {
    type Error = String;

    fn try_from(r: RawExtract) -> Result<Self, Self::Error> {
        if r.each.is_some() && r.json.is_none() {
            return Err("`each` maps the elements of a `json` array: set `json` too".into());
        }
        let from = match (r.json, r.header, r.status, r.body) {
            (Some(pointer), None, false, false) => {
                for p in std::iter::once(&pointer).chain(r.each.iter()) {
                    if let Some(why) = pointer_problem(p) {
                        return Err(why);
                    }
                }
                ExtractSource::Json { pointer, each: r.each }
            }
            (None, Some(h), false, false) => ExtractSource::Header(h),
            (None, None, true, false) => ExtractSource::Status,
            (None, None, false, true) => ExtractSource::Body,
            (None, None, false, false) if r.regex.is_some() => ExtractSource::Body,
            _ => {
                return Err("set exactly one of `json`, `header`, `status: true` or `body: true` \
                            (optionally with `regex`), or `regex` alone"
                    .into())
            }
        };
        Ok(Extract { from, regex: r.regex, optional: r.optional })
    }
}
