//! Assertions on "the request": the exchange the previous step made.
use cucumber::then;

use super::StepResult;
use crate::assertion::{check, Assertion};
use crate::client::{ClientError};
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
/// Compares the two actors' start answers (status and redacted body): enumeration shows as a difference.
#[then(regex = r"^the answers to (\w+) and (\w+) were the same$")]
async fn same_answers(w: &mut AuthWorld, a: String, b: String) -> StepResult {
    compare_answers(w, &a, &b)
}

/// Compares the replies recorded under two keys of `start_replies`, with
/// echoed values masked: a difference tells one account state from another.
pub(super) fn compare_answers(w: &AuthWorld, a: &str, b: &str) -> StepResult {
    let ctx = w.ctx();
    let pick = |name: &str| {
        w.start_replies
            .get(name)
            .map(|i| &w.exchanges[*i])
            .ok_or_else(|| ClientError::Expectation(format!("no answer was recorded for {name}")))
    };
    let (ea, eb) = (pick(a)?, pick(b)?);
    // Compare with echoed values masked: a string the request itself carried
    // (its request id, the address) differs by design; anything else must not.
    let shape = |e: &crate::operation::Exchange| {
        let sent = format!("{} {}", e.url, e.request_body.as_deref().unwrap_or(""));
        let mut v = e.json().unwrap_or_else(|| serde_json::Value::String(e.response_body.clone()));
        mask_echoes(&mut v, &sent);
        (e.status, v)
    };
    check(Assertion::SameAnswer, shape(ea) == shape(eb), || {
        format!("the answers differ, which tells one account state from another: {} vs {}", ea.summary(&ctx.redactor), eb.summary(&ctx.redactor))
    })
}

fn mask_echoes(v: &mut serde_json::Value, sent: &str) {
    match v {
        serde_json::Value::String(s) if !s.is_empty() && sent.contains(s.as_str()) => *s = "<echoed>".into(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| mask_echoes(i, sent)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| mask_echoes(i, sent)),
        _ => {}
    }
}
