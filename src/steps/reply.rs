//! Assertions on "the request": the exchange the previous step made.
use cucumber::then;

use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::client::ClientError;
use crate::operation::Exchange;
use crate::world::AuthWorld;

/// Then the target accepts the request
///
/// Checks that the last answer's status is one the profile accepts for its operation.
#[then(regex = r"^the target accepts the request$")]
async fn accepts(w: &mut AuthWorld) -> StepResult {
    super::checks::accepted(w, "the request")
}

/// Then the target refuses the request
///
/// Checks that the last answer was one of the operation's refusals (profile `refuse:`; a 5xx is the target breaking), and that the same operation is accepted somewhere in the scenario (the positive control).
#[then(regex = r"^the target refuses the request$")]
async fn refuses(w: &mut AuthWorld) -> StepResult {
    super::checks::refused(w, "the request")
}

/// Then the answers to Daenerys and Viserys were the same
///
/// Compares the two actors' start answers: each accepted or a declared refusal, then status, body (echoes masked) and headers (Date, request ids left out).
#[then(regex = r"^the answers to ([^\s']+) and ([^\s']+) were the same$")]
async fn same_answers(w: &mut AuthWorld, a: String, b: String) -> StepResult {
    compare_answers(w, &a, &b)
}

/// Headers that differ between any two answers (time, size, per-request
/// ids, tracing): left out of the comparison. Everything else must match.
const VOLATILE_HEADERS: &[&str] = &[
    "date",
    "content-length",
    "age",
    "expires",
    "last-modified",
    "etag",
    "set-cookie",
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "correlation-id",
    "traceparent",
    "tracestate",
    "x-amzn-trace-id",
    "x-amzn-requestid",
    "cf-ray",
    "server-timing",
    "x-runtime",
    "x-response-time",
];

/// Compares the replies recorded under two keys of `start_replies`: status,
/// body (echoed values masked) and headers (volatile ones left out). First,
/// each must be an answer of its operation, accepted or one of its declared
/// refusals (with a control): two identical 500s are not "the same answer".
pub(super) fn compare_answers(w: &mut AuthWorld, a: &str, b: &str) -> StepResult {
    let pick = |w: &AuthWorld, name: &str| {
        w.start_replies
            .get(name)
            .copied()
            .ok_or_else(|| ClientError::Expectation(format!("no answer was recorded for {name}")))
    };
    let (ia, ib) = (pick(w, a)?, pick(w, b)?);
    for (i, name) in [(ia, a), (ib, b)] {
        let ex = &w.exchanges[i];
        if !ex.accepted {
            super::checks::refused_at(w, i, &format!("the answer to {}", name.split('@').next().unwrap_or(name)))?;
        }
    }
    let ctx = w.ctx();
    let (ea, eb) = (&w.exchanges[ia], &w.exchanges[ib]);
    let differs = differences(ea, eb);
    check(Assertion::SameAnswer, differs.is_empty(), || {
        format!(
            "the answers differ in {}, which tells one account state from another: {} vs {}",
            differs.join(", "),
            ea.summary(&ctx.client.redactor),
            eb.summary(&ctx.client.redactor)
        )
    })
}

/// What tells two answers apart: `status`, `body`, `header <name>`.
fn differences(a: &Exchange, b: &Exchange) -> Vec<String> {
    let mut out = Vec::new();
    if a.status != b.status {
        out.push("status".to_string());
    }
    if comparable_body(a) != comparable_body(b) {
        out.push("body".to_string());
    }
    let headers = |e: &Exchange| -> BTreeMap<String, String> {
        e.response_headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .filter(|(k, _)| !VOLATILE_HEADERS.contains(&k.as_str()))
            .collect()
    };
    let (ha, hb) = (headers(a), headers(b));
    for name in ha.keys().chain(hb.keys()).collect::<BTreeSet<_>>() {
        if ha.get(name) != hb.get(name) {
            out.push(format!("header {name}"));
        }
    }
    out
}

/// The reply body with the values the request itself carried masked, and
/// those the profile extracts from it: an echoed address, or a flow id the
/// next call sends back, differs by design; anything else must not.
fn comparable_body(e: &Exchange) -> Value {
    let mut sent = sent_values(e);
    sent.extend(e.extracted.values().filter(|v| !v.is_empty()).cloned());
    let mut v = e.json().unwrap_or_else(|| Value::String(e.response_body.clone()));
    mask_echoes(&mut v, &sent);
    v
}

/// Every value the request carried: JSON leaves, form values, path segments
/// and query values. Only whole values are masked, so a short reply value
/// ("ok", "1") that happens to occur inside the URL is still compared.
fn sent_values(e: &Exchange) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(url) = url::Url::parse(&e.url) {
        out.extend(url.path_segments().into_iter().flatten().map(|s| s.to_string()));
        out.extend(url.query_pairs().map(|(_, v)| v.into_owned()));
    }
    let body = e.request_body.as_deref().unwrap_or("");
    match serde_json::from_str::<Value>(body) {
        Ok(v) => leaves(&v, &mut out),
        Err(_) => out.extend(url::form_urlencoded::parse(body.as_bytes()).map(|(_, v)| v.into_owned())),
    }
    out.retain(|s| !s.is_empty());
    out
}

fn leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| leaves(i, out)),
        Value::Object(map) => map.values().for_each(|i| leaves(i, out)),
        _ => {}
    }
}

/// Masks a reply string that is a sent value, or that quotes one of at
/// least 8 characters ("code sent to daenerys@..."), the quote only.
fn mask_echoes(v: &mut Value, sent: &[String]) {
    match v {
        Value::String(s) => {
            if sent.iter().any(|x| x == s) {
                *s = "<echoed>".into();
            } else {
                for x in sent.iter().filter(|x| x.chars().count() >= 8) {
                    *s = s.replace(x.as_str(), "<echoed>");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| mask_echoes(i, sent)),
        Value::Object(map) => map.values_mut().for_each(|i| mask_echoes(i, sent)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(url: &str, body: &str, status: u16, reply: &str, headers: &[(&str, &str)]) -> Exchange {
        Exchange {
            operation: "otp.start".into(),
            started: chrono::Utc::now(),
            method: "POST".into(),
            url: url.into(),
            request_headers: Vec::new(),
            request_body: Some(body.into()),
            status,
            response_headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            response_body: reply.into(),
            elapsed: std::time::Duration::ZERO,
            accepted: status < 300,
            refusal: (400..500).contains(&status),
            extracted: Default::default(),
            ..Default::default()
        }
    }

    #[test]
    fn echoes_are_masked_and_everything_else_compared() {
        let a = answer(
            "http://t/p/rid-aaaaaaaa",
            r#"{"email":"daenerys@x.test"}"#,
            200,
            r#"{"id":"rid-aaaaaaaa","msg":"sent to daenerys@x.test","ok":"1"}"#,
            &[("Date", "Mon"), ("X-Kind", "a")],
        );
        let b = answer(
            "http://t/p/rid-bbbbbbbb",
            r#"{"email":"viserys@x.test"}"#,
            200,
            r#"{"id":"rid-bbbbbbbb","msg":"sent to viserys@x.test","ok":"1"}"#,
            &[("Date", "Tue"), ("X-Kind", "a")],
        );
        assert!(differences(&a, &b).is_empty(), "{:?}", differences(&a, &b));
        // A short value inside the URL is not an echo: "1" vs "2" is a difference.
        let c = answer("http://t/p/1", r#"{}"#, 200, r#"{"known":"1"}"#, &[]);
        let d = answer("http://t/p/1", r#"{}"#, 200, r#"{"known":"2"}"#, &[]);
        assert_eq!(differences(&c, &d), vec!["body"]);
        // A header that tells them apart; Date and request ids do not count.
        let e = answer("http://t/p/x", "{}", 200, "{}", &[("X-Account", "known"), ("X-Request-Id", "1")]);
        let f = answer("http://t/p/x", "{}", 200, "{}", &[("X-Request-Id", "2")]);
        assert_eq!(differences(&e, &f), vec!["header x-account"]);
    }
}
