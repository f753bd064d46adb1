//! Checks of single profile values that serde accepts but a run could not
//! use: URLs, durations, listen addresses, JSON pointers, regexes that need
//! a capture group, status lists. Each would otherwise fail every scenario
//! halfway through a run and read as the target not conforming.
use std::net::SocketAddr;
use std::time::Duration;

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
    if ptr.is_empty() {
        return Ok(());
    }
    if !ptr.starts_with('/') {
        return Err(at(
            path,
            format!("`{ptr}` is not a JSON pointer (they start with `/`, or are empty for the whole document)"),
        ));
    }
    let mut chars = ptr.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Err(at(path, format!("`{ptr}`: `~` must be followed by 0 (for `~`) or 1 (for `/`)")));
        }
    }
    Ok(())
}

/// A regex whose first group is the value taken.
pub fn check_group_regex(path: &[&str], source: &str) -> Result<(), Problem> {
    let re = regex::Regex::new(source).map_err(|e| at(path, format!("regex does not compile: {e}")))?;
    if re.captures_len() < 2 {
        return Err(at(path, format!("regex `{source}` needs a capture group: the first group is the value")));
    }
    Ok(())
}

pub fn check_accept(path: &[&str], accept: &[StatusPattern]) -> Result<(), Problem> {
    if accept.is_empty() {
        return Err(at(path, "an empty list: no answer could be accepted"));
    }
    Ok(())
}

/// Every value of these kinds in the profile.
pub fn check_values(p: &Profile) -> Result<(), Problem> {
    check_url(&["base_url"], &p.base_url)?;
    if let Some(u) = &p.public_url {
        check_url(&["public_url"], u)?;
    }
    check_positive(&["defaults", "timeout"], p.defaults.timeout)?;
    for (name, op) in &p.operations {
        check_accept(&["operations", name, "accept"], &op.accept)?;
        if let Some(t) = op.timeout {
            check_positive(&["operations", name, "timeout"], t)?;
        }
        for (k, e) in &op.extract {
            for ptr in e.json.iter().chain(e.each.iter()) {
                check_pointer(&["operations", name, "extract", k], ptr)?;
            }
        }
    }
    if let Some(m) = &p.mailbox {
        check_positive(&["mailbox", "timeout"], m.timeout)?;
        check_positive(&["mailbox", "silence"], m.silence)?;
        check_group_regex(&["mailbox", "code", "regex"], &m.code.regex)?;
        check_group_regex(&["mailbox", "link", "regex"], &m.link.regex)?;
        check_group_regex(&["mailbox", "link", "token"], &m.link.token)?;
        if let Some(s) = &m.smtp {
            check_listen(&["mailbox", "smtp", "listen"], &s.listen)?;
        }
        if let Some(h) = &m.http {
            check_positive(&["mailbox", "http", "poll"], h.poll)?;
            for (key, ptr) in [("subject", &h.subject), ("text", &h.text), ("html", &h.html)] {
                if let Some(ptr) = ptr {
                    check_pointer(&["mailbox", "http", key], ptr)?;
                }
            }
        }
    }
    if let Some(s) = &p.sms {
        check_positive(&["sms", "timeout"], s.timeout)?;
        check_group_regex(&["sms", "code", "regex"], &s.code.regex)?;
        check_listen(&["sms", "webhook", "listen"], &s.webhook.listen)?;
        if !s.webhook.path.starts_with('/') {
            return Err(at(&["sms", "webhook", "path"], format!("`{}` must start with `/`", s.webhook.path)));
        }
        check_pointer(&["sms", "webhook", "recipient"], &s.webhook.recipient)?;
        check_pointer(&["sms", "webhook", "text"], &s.webhook.text)?;
    }
    if let Some(pl) = &p.platform {
        check_listen(&["platform", "listen"], &pl.listen)?;
    }
    Ok(())
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
        assert!(msg(check_group_regex(&["r"], r"\d{6}")).contains("needs a capture group"));
        assert!(check_accept(&["a"], &[]).is_err());
    }
}
