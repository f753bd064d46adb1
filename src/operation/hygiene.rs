//! Error hygiene: what an error reply must never show. A stack trace, an
//! SQL error, a source path with a line number, or a framework's debug page
//! tells an attacker the stack, its versions and where to aim. The patterns
//! are listed in the README ("Error hygiene"); every error reply of every
//! scenario is scanned against them (the run's record keeps the finding as
//! a failure of SEC-ERR-01), and `no error reply of the scenario shows
//! internals` checks one scenario's on the spot.
use std::sync::LazyLock;

use regex::Regex;

use super::Exchange;

/// One thing an error reply showed that it must not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// What it is: "a stack trace", "an SQL error", ...
    pub kind: &'static str,
    /// The match and a little around it, at most `EXCERPT` characters.
    pub excerpt: String,
}

impl Leak {
    /// For a failure message: what leaked, where (operation, URL, status)
    /// and a redacted excerpt.
    pub fn describe(&self, ex: &Exchange, r: &crate::redact::Redactor) -> String {
        format!(
            "an error reply shows {}: {} {} {} -> {}: {:?}",
            self.kind,
            ex.operation,
            ex.method,
            r.text(&ex.url),
            ex.status,
            r.text(&self.excerpt)
        )
    }
}

/// Characters shown around a match.
const EXCERPT: usize = 120;

/// (what it is, pattern). Each is specific enough that no ordinary error
/// message matches: they name a runtime's own words or shapes.
static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("a stack trace (Python)", r"Traceback \(most recent call last\)"),
        ("a stack trace (Java)", r"\bat [\w$.]+\([\w$]+\.java:\d+\)"),
        ("a stack trace (Node.js)", r"\bat [\w$.<> ]+\((?:/|[A-Za-z]:\\|node:)[^)\s]+:\d+:\d+\)"),
        ("a stack trace (.NET)", r"\bat [\w.`<>]+\([^)]*\) in [^\n]+:line \d+"),
        ("a stack trace (Go)", r"goroutine \d+ \[running\]"),
        ("a stack trace (PHP)", r"Stack trace:\s*(?:\\n|\n)?\s*#0 "),
        ("a panic message (Rust)", r"panicked at [^\s]+\.rs:\d+"),
        ("a source path with a line number", r"(?:[\w.-]+/)+[\w.-]+\.(?:rs|py|java|js|ts|rb|php|go|cs|kt|scala):\d+"),
        ("an SQL error", r"SQLSTATE\[|\bORA-\d{5}\b|syntax error at or near|You have an error in your SQL syntax|\bSQLException\b|sqlite3\.\w*Error|psycopg2?\.\w*Error|PG::\w+Error"),
        ("a framework debug page (Django)", r"You're seeing this error because you have <code>DEBUG = True</code>"),
        ("a framework debug page (Werkzeug)", r"Werkzeug Debugger|The debugger caught an exception"),
        ("a framework debug page (Spring)", r"Whitelabel Error Page"),
        ("a framework debug page (ASP.NET)", r"Server Error in '[^']*' Application"),
        ("a framework debug page (Laravel)", r"Whoops, looks like something went wrong|\bIgnition\b.*Laravel"),
        ("a framework debug page (Rails)", r"Action Controller: Exception caught"),
    ]
    .into_iter()
    .map(|(kind, re)| (kind, Regex::new(re).expect("the hygiene patterns compile")))
    .collect()
});

/// The kinds the scan knows, for the README's list and the step docs.
pub fn kinds() -> Vec<&'static str> {
    PATTERNS.iter().map(|(k, _)| *k).collect()
}

/// The first leak in `body`, if any.
pub fn scan(body: &str) -> Option<Leak> {
    PATTERNS.iter().find_map(|(kind, re)| {
        re.find(body).map(|m| {
            let start = floor(body, m.start().saturating_sub(EXCERPT / 3));
            let end = floor(body, (m.end() + EXCERPT / 3).min(body.len()).max(start));
            let mut excerpt: String = body[start..end].chars().take(EXCERPT).collect();
            excerpt = excerpt.split_whitespace().collect::<Vec<_>>().join(" ");
            Leak { kind, excerpt }
        })
    })
}

/// The largest char boundary at or before `i`.
fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every error reply (4xx or 5xx) among `exchanges` that leaks, with its
/// leak.
pub fn error_leaks(exchanges: &[Exchange]) -> Vec<(&Exchange, Leak)> {
    exchanges.iter().filter(|e| e.status >= 400).filter_map(|e| scan(&e.response_body).map(|l| (e, l))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_found_in_the_shape_its_runtime_prints() {
        let samples = [
            ("Traceback (most recent call last):\n  File \"app.py\", line 3", "Python"),
            ("java.lang.NullPointerException\n\tat com.acme.Login.check(Login.java:42)", "Java"),
            ("Error: boom\n    at verify (/srv/app/auth.js:10:5)", "Node.js"),
            ("   at Acme.Auth.Login() in C:\\src\\Auth.cs:line 12", ".NET"),
            ("goroutine 1 [running]:\nmain.main()", "Go"),
            ("thread 'main' panicked at src/main.rs:2:5", "Rust"),
            ("{\"trace\": \"app/services/login.py:88\"}", "source path"),
            ("SQLSTATE[42000]: Syntax error", "SQL"),
            ("ERROR: syntax error at or near \"'\"", "SQL"),
            (
                "<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings",
                "Django",
            ),
            ("<h1>Whitelabel Error Page</h1>", "Spring"),
        ];
        for (body, kind) in samples {
            let leak = scan(body).unwrap_or_else(|| panic!("{kind}: nothing found in {body:?}"));
            assert!(leak.kind.contains(kind) || leak.kind.contains("source path"), "{kind}: {leak:?}");
            assert!(leak.excerpt.chars().count() <= EXCERPT);
        }
    }

    #[test]
    fn ordinary_error_messages_are_clean() {
        for body in [
            r#"{"error": "invalid_grant"}"#,
            r#"{"errors": [{"field": "email", "message": "Enter a valid e-mail address."}]}"#,
            "Bad Request",
            r#"{"status": 400, "message": "The code is invalid or expired", "at": "2026-12-05T08:00:00Z"}"#,
            "<html><body><h1>404 Not Found</h1><p>nginx</p></body></html>",
            r#"{"detail": "Not found.", "path": "/api/v2/user/current"}"#,
        ] {
            assert_eq!(scan(body), None, "{body}");
        }
    }
}
