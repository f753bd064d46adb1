//! Checks of single profile values that serde accepts but a run could not
//! use: URLs, durations, listen addresses, JSON pointers, regexes that need
//! a capture group, status lists. Each would otherwise fail every scenario
//! halfway through a run and read as the target not conforming.
use std::net::SocketAddr;
use std::time::Duration;

use super::channels::MailBackend;
use super::model::{Profile, StatusPattern};
use super::validate::{at, Problem};

/// The target's and the public address: absolute http(s) URLs with a host.
pub fn check_url(path: &[&str], value: &str) -> Result<(), Problem> {
    let url = url::Url::parse(value).map_err(|e| at(path, format!("`{value}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(at(path, format!("`{value}`: the harness speaks http and https, not `{}`", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(at(path, format!("`{value}` has no host")));
    }
    Ok(())
}

/// A zero duration would make every wait fail at once (or, for
/// `silence`, make "no mail came" true of any target).
pub fn check_positive(path: &[&str], d: Duration) -> Result<(), Problem> {
    if d.is_zero() {
        return Err(at(path, "must be longer than 0 (write e.g. 5s or 250ms)"));
    }
    Ok(())
}

/// Where a double listens: `ip:port` or `localhost:port`.
pub fn check_listen(path: &[&str], value: &str) -> Result<(), Problem> {
    if value.parse::<SocketAddr>().is_ok() {
        return Ok(());
    }
    match value.rsplit_once(':') {
        Some(("localhost", port)) if port.parse::<u16>().is_ok() => Ok(()),
        _ => Err(at(path, format!("`{value}` is not a listen address (write e.g. 127.0.0.1:2525, or port 0 for any)"))),
    }
}

/// RFC 6901: empty (the whole document) or `/`-separated tokens in which
/// `~` only appears as `~0` or `~1`.
pub fn check_pointer(path: &[&str], ptr: &str) -> Result<(), Problem> {
    pointer_problem(ptr).map_or(Ok(()), |why| Err(at(path, why)))
}

/// What is wrong with `ptr` as a JSON pointer, if anything.
pub fn pointer_problem(ptr: &str) -> Option<String> {
    if ptr.is_empty() {
        return None;
    }
    if !ptr.starts_with('/') {
        return Some(format!(
            "`{ptr}` is not a JSON pointer (they start with `/`, or are empty for the whole document)"
        ));
    }
    let mut chars = ptr.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Some(format!("`{ptr}`: `~` must be followed by 0 (for `~`) or 1 (for `/`)"));
        }
    }
    None
}

/// A regex whose first capture group is the value taken (a code, a link,
/// a token), compiled once as the profile loads; one that does not compile
/// or has no group does not load.
#[derive(Debug, Clone)]
pub struct CaptureRegex(regex::Regex);

impl CaptureRegex {
    pub fn new(source: &str) -> Result<CaptureRegex, String> {
        let re = regex::Regex::new(source).map_err(|e| format!("regex does not compile: {e}"))?;
        if re.captures_len() < 2 {
            return Err(format!("regex `{source}` needs a capture group: the first group is the value"));
        }
        Ok(CaptureRegex(re))
    }

    /// One of the harness's own defaults.
    pub(super) fn fixed(source: &str) -> CaptureRegex {
        CaptureRegex::new(source).expect("a default regex compiles and has a group")
    }

    /// The first group of the first match.
    pub fn first<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.0.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn regex(&self) -> &regex::Regex {
        &self.0
    }
}

impl std::fmt::Display for CaptureRegex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CaptureRegex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        CaptureRegex::new(&source).map_err(serde::de::Error::custom)
    }
}

pub fn check_accept(path: &[&str], accept: &[StatusPattern]) -> Result<(), Problem> {
    if accept.is_empty() {
        return Err(at(path, "an empty list: no answer could be accepted"));
    }
    Ok(())
}

/// Every value of these kinds in the profile.
pub fn check_values(p: &Profile) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut note = |r: Result<(), Problem>| problems.extend(r.err());
    note(check_url(&["base_url"], &p.base_url));
    if let Some(u) = &p.public_url {
        note(check_url(&["public_url"], u));
    }
    note(check_positive(&["defaults", "timeout"], p.defaults.timeout));
    for (name, op) in &p.operations {
        note(check_accept(&["operations", name, "accept"], &op.accept));
        if let Some(t) = op.timeout {
            note(check_positive(&["operations", name, "timeout"], t));
        }
    }
    if let Some(m) = &p.mailbox {
        note(check_positive(&["mailbox", "timeout"], m.timeout));
        note(check_positive(&["mailbox", "silence"], m.silence));
        match &m.backend {
            MailBackend::Smtp(s) => note(check_listen(&["mailbox", "smtp", "listen"], &s.listen)),
            MailBackend::Http(h) => {
                note(check_positive(&["mailbox", "http", "poll"], h.poll));
                for (key, ptr) in [("subject", &h.subject), ("text", &h.text), ("html", &h.html)] {
                    if let Some(ptr) = ptr {
                        note(check_pointer(&["mailbox", "http", key], ptr));
                    }
                }
            }
            MailBackend::Catcher(c) => {
                note(check_url(&["mailbox", "catcher", "url"], &c.url));
                note(check_positive(&["mailbox", "catcher", "poll"], c.poll));
            }
        }
    }
    if let Some(s) = &p.sms {
        note(check_positive(&["sms", "timeout"], s.timeout));
        note(check_listen(&["sms", "webhook", "listen"], &s.webhook.listen));
        if !s.webhook.path.starts_with('/') {
            note(Err(at(&["sms", "webhook", "path"], format!("`{}` must start with `/`", s.webhook.path))));
        }
        note(check_pointer(&["sms", "webhook", "recipient"], &s.webhook.recipient));
        note(check_pointer(&["sms", "webhook", "text"], &s.webhook.text));
    }
    if let Some(pl) = &p.platform {
        note(check_listen(&["platform", "listen"], &pl.listen));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<(), Problem>) -> String {
        r.unwrap_err().1
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(check_url(&["base_url"], "https://sandbox.example.test/api").is_ok());
        assert!(msg(check_url(&["base_url"], "ftp://x")).contains("not `ftp`"));
        assert!(msg(check_url(&["base_url"], "")).contains("is not a URL"));
        assert!(
            msg(check_url(&["base_url"], "127.0.0.1:8080")).contains("not a URL")
                || msg(check_url(&["base_url"], "127.0.0.1:8080")).contains("not `127.0.0.1`")
        );
    }

    #[test]
    fn durations_addresses_pointers_and_groups() {
        assert!(msg(check_positive(&["t"], Duration::ZERO)).contains("longer than 0"));
        assert!(check_listen(&["l"], "127.0.0.1:0").is_ok() && check_listen(&["l"], "localhost:2525").is_ok());
        assert!(msg(check_listen(&["l"], "not-an-address")).contains("not a listen address"));
        assert!(check_pointer(&["p"], "/a~1b/~0c").is_ok() && check_pointer(&["p"], "").is_ok());
        assert!(msg(check_pointer(&["p"], "/a~2")).contains("`~` must be followed"));
        assert!(msg(check_pointer(&["p"], "a/b")).contains("start with `/`"));
        assert!(CaptureRegex::new(r"\d{6}").unwrap_err().contains("needs a capture group"));
        assert_eq!(CaptureRegex::new(r"code (\d{6})").unwrap().first("your code 123456."), Some("123456"));
        assert!(check_accept(&["a"], &[]).is_err());
    }
}
