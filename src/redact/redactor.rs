//! The redactor every output of the harness passes through.
//!
//! Two layers: every secret the harness learns during a run (codes, tokens,
//! passwords, private keys) is registered by value and replaced wherever it
//! appears; on top, shapes that are secret whatever their origin (JWTs, long
//! hex key material, Authorization values) are masked by pattern. Value
//! redaction is what makes this safe: a target that echoes a token inside an
//! error message is still redacted.
use std::borrow::Cow;
use std::sync::{Arc, OnceLock, RwLock};

use regex::Regex;

use super::index::SecretIndex;

/// What a registered secret is; shown in its place, e.g. `[REDACTED:token]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Code,
    Token,
    Password,
    PrivateKey,
    Captcha,
}

impl SecretKind {
    /// What stands in the secret's place.
    pub(super) fn placeholder(self) -> &'static str {
        match self {
            SecretKind::Code => "[REDACTED:code]",
            SecretKind::Token => "[REDACTED:token]",
            SecretKind::Password => "[REDACTED:password]",
            SecretKind::PrivateKey => "[REDACTED:private-key]",
            SecretKind::Captcha => "[REDACTED:captcha]",
        }
    }
}

/// Shared, per-run registry of secrets. Cloning shares the registry.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<SecretIndex>>,
}

/// A layer of secrets over one run's registry, for the future that
/// [`Redactor::scope`] runs (and everything it polls: the steps of the
/// scenarios it drives, their hooks).
struct Scope {
    base: Arc<RwLock<SecretIndex>>,
    layer: Arc<RwLock<SecretIndex>>,
}

tokio::task_local! {
    static SCOPE: Scope;
}

fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        vec![
            // JWS compact serialisation: three base64url parts, the first a JSON header.
            (Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*").unwrap(), "[REDACTED:jwt]"),
            // Key material in hex (SPKI/PKCS#8 hex is hundreds of characters).
            (Regex::new(r"\b[0-9a-fA-F]{96,}\b").unwrap(), "[REDACTED:key-material]"),
            // Credentials of an HTTP auth scheme wherever they are quoted: a
            // header, a target echoing the request, a log line in a body.
            (Regex::new(r"(?i)\b(basic|bearer|digest|token)\s+[A-Za-z0-9+/=._~-]{12,}").unwrap(), "${1} [REDACTED]"),
        ]
    })
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `fut` with a layer of secrets of its own: what it registers is
    /// redacted inside it, along with everything registered outside, and
    /// forgotten when it ends. The load phase runs each pass of a virtual
    /// user so: an hour of load then keeps the secrets of the passes in
    /// flight, not of every pass (about 1.2 KB a scenario run). Only what
    /// `fut` itself polls is inside; a task it spawned would register into
    /// the run's registry (kept, so never missed) but not see the layer, and
    /// the step code spawns none.
    pub async fn scope<F: std::future::Future>(&self, fut: F) -> F::Output {
        let scope = Scope { base: self.secrets.clone(), layer: Default::default() };
        SCOPE.scope(scope, fut).await
    }

    /// The layer of the [`Redactor::scope`] of this registry that the
    /// current future runs in, if any. Another registry's scope is not ours.
    fn layer(&self) -> Option<Arc<RwLock<SecretIndex>>> {
        SCOPE.try_with(|s| Arc::ptr_eq(&s.base, &self.secrets).then(|| s.layer.clone())).ok().flatten()
    }

    /// Registers a secret value; short values (under 4 chars) are ignored so
    /// that redaction cannot eat ordinary words.
    pub fn register(&self, value: &str, kind: SecretKind) {
        let registry = self.layer().unwrap_or_else(|| self.secrets.clone());
        registry.write().unwrap_or_else(|e| e.into_inner()).insert(value, kind);
    }

    /// Redacts registered secrets, then secret-shaped text.
    pub fn text(&self, input: &str) -> String {
        let by_value = self.secrets.read().unwrap_or_else(|e| e.into_inner()).replace(input);
        let mut out = by_value.map_or(Cow::Borrowed(input), Cow::Owned);
        if let Some(layer) = self.layer() {
            if let Some(replaced) = layer.read().unwrap_or_else(|e| e.into_inner()).replace(&out) {
                out = Cow::Owned(replaced);
            }
        }
        for (re, replacement) in patterns() {
            if let Cow::Owned(replaced) = re.replace_all(&out, *replacement) {
                out = Cow::Owned(replaced);
            }
        }
        out.into_owned()
    }

    /// Redacts a JSON document in place: string leaves by value and shape,
    /// and the values of keys that are secret by name.
    pub fn json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = self.text(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if is_secret_key(k) && !v.is_null() && !v.is_boolean() && !names_an_error(k, v) {
                        *v = serde_json::Value::String("[REDACTED]".into());
                    } else {
                        self.json(v);
                    }
                }
            }
            _ => {}
        }
    }

    /// Redacts a mail or SMS text: `text`, and then every run of 4 to 12
    /// digits, which in a message is a code whatever rule found it or not
    /// (a start whose code no step read, a profile regex that misses it).
    pub fn message(&self, input: &str) -> String {
        static DIGITS: OnceLock<Regex> = OnceLock::new();
        let re = DIGITS.get_or_init(|| Regex::new(r"\b\d{4,12}\b").unwrap());
        re.replace_all(&self.text(input), "[REDACTED:code]").into_owned()
    }

    /// Registers the codes a received message holds by shape, so that a
    /// target echoing one elsewhere is redacted too. Only runs of 6 to 12
    /// digits: shorter ones (a year, a street number) would mask ordinary
    /// text all over the reports, and `message` masks them in the message.
    pub fn register_message_codes(&self, input: &str) {
        static CODES: OnceLock<Regex> = OnceLock::new();
        let re = CODES.get_or_init(|| Regex::new(r"\b\d{6,12}\b").unwrap());
        for m in re.find_iter(input) {
            self.register(m.as_str(), SecretKind::Code);
        }
    }

    /// A redacted excerpt of at most `max` characters, for failure messages.
    pub fn excerpt(&self, input: &str, max: usize) -> String {
        cut(&self.text(input), max)
    }
}

/// The first `max` characters of `text`, with `…` when it was longer.
pub fn cut(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// An error code under a secret-sounding key: `"code": "invalid_code"`
/// (allauth, Laravel) is the name of an error, not a one-time code, and
/// hiding it hides why a request was refused. Only lower-case words joined
/// by underscores qualify, which no code a target mails looks like.
fn names_an_error(key: &str, value: &serde_json::Value) -> bool {
    key.eq_ignore_ascii_case("code")
        && value.as_str().is_some_and(|s| s.contains('_') && s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
}

/// Keys whose values are secrets whatever they hold (a boolean, such as
/// `has_usable_password`, holds none, and `Redactor::json` keeps it).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace(['-', '_'], "");
    // Any kind of token or password by its suffix: session_token,
    // flow_token, id_token, reset_token, current_password, new_password.
    ["token", "password", "secret"].iter().any(|s| k.ends_with(s))
        || matches!(
            k.as_str(),
            "password"
                | "token"
                | "accesstoken"
                | "refreshtoken"
                | "secret"
                | "privatekey"
                | "jwt"
                | "authorization"
                | "grecaptcharesponse"
                | "friendlycaptcharesponse"
                | "code"
                | "validationcode"
                | "apikey"
                | "xapikey"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_name_tokens_and_passwords_are_secret() {
        for k in ["session_token", "flow_token", "X-Session-Token", "new_password", "client_secret", "code"] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["token_type", "expires_in", "email", "status"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn flags_and_error_names_under_secret_keys_stay_readable() {
        let r = Redactor::new();
        let mut doc = serde_json::json!({
            "has_usable_password": true,
            "errors": [{ "code": "email_password_mismatch", "param": "password" }],
            "code": "NKNQ-HKPS",
            "password": "correct_horse_battery",
            "otp": { "code": 123456 },
        });
        r.json(&mut doc);
        assert_eq!(doc["has_usable_password"], true);
        assert_eq!(doc["errors"][0]["code"], "email_password_mismatch");
        assert_eq!(doc["code"], "[REDACTED]");
        assert_eq!(doc["password"], "[REDACTED]");
        assert_eq!(doc["otp"]["code"], "[REDACTED]");
    }

    #[test]
    fn registered_values_are_replaced_everywhere() {
        let r = Redactor::new();
        r.register("s3cr3t-token-value", SecretKind::Token);
        r.register("123456", SecretKind::Code);
        assert_eq!(r.text("got s3cr3t-token-value and code 123456"), "got [REDACTED:token] and code [REDACTED:code]");
    }

    #[test]
    fn shapes_are_masked_without_registration() {
        let r = Redactor::new();
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(r.text(&format!("t={jwt};")), "t=[REDACTED:jwt];");
        let hex = "ab".repeat(100);
        assert_eq!(r.text(&hex), "[REDACTED:key-material]");
        assert_eq!(r.text("Authorization: Basic dXNlcjpwYXNzd29yZA=="), "Authorization: Basic [REDACTED]");
        assert_eq!(r.text(r#"{"echo":"Bearer abc.def-ghi_jkl"}"#), r#"{"echo":"Bearer [REDACTED]"}"#);
        assert_eq!(r.text("Bearer realm=\"api\""), "Bearer realm=\"api\"");
    }

    #[test]
    fn codes_in_messages_are_masked_by_shape() {
        let r = Redactor::new();
        let mail = "Hello Jon, 4821 is your code (ref 123456789), sent 2026-12-03";
        assert_eq!(
            r.message(mail),
            "Hello Jon, [REDACTED:code] is your code (ref [REDACTED:code]), sent [REDACTED:code]-12-03"
        );
        r.register_message_codes(mail);
        assert_eq!(r.text("echo 123456789 and 4821"), "echo [REDACTED:code] and 4821");
    }

    #[test]
    fn json_keys_that_are_secret_by_name() {
        let r = Redactor::new();
        let mut v = serde_json::json!({"token": "abc", "user": {"password": "pw", "name": "Dany"}});
        r.json(&mut v);
        assert_eq!(v, serde_json::json!({"token": "[REDACTED]", "user": {"password": "[REDACTED]", "name": "Dany"}}));
    }

    #[tokio::test]
    async fn a_scope_redacts_its_own_secrets_and_the_runs_and_forgets_its_own() {
        let run = Redactor::new();
        run.register("run-secret-token", SecretKind::Token);
        let other = Redactor::new();
        let inside = run
            .scope(async {
                run.register("pass-secret-token", SecretKind::Token);
                // Another registry is not scoped by this one's scope.
                other.register("other-secret", SecretKind::Password);
                run.text("run-secret-token pass-secret-token")
            })
            .await;
        assert_eq!(inside, "[REDACTED:token] [REDACTED:token]");
        assert_eq!(run.text("pass-secret-token"), "pass-secret-token", "the pass's secret went with it");
        assert_eq!(run.text("run-secret-token"), "[REDACTED:token]");
        assert_eq!(other.text("other-secret"), "[REDACTED:password]");
        assert_eq!(format!("{:?}", run.secrets.read().unwrap()), "SecretIndex(1 secrets)");
    }

    #[test]
    fn excerpt_is_bounded() {
        let r = Redactor::new();
        assert_eq!(r.excerpt("abcdef", 3), "abc…");
    }
}
