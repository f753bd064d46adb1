//! The rules every acceptance and refusal check follows (README, "How the
//! suite decides"):
//! - a refusal is one of the statuses the operation declares as refusals
//!   (profile `refuse:`), never a 5xx (the target broke) and never a
//!   transport error (the scenario is then ERROR, see `runner::run`);
//! - a refusal counts only beside a positive control: the same scenario
//!   shows the same operation accepted, before or after the refusal. Without
//!   one, an operation bound to a path that does not exist (404 to
//!   everything) would pass every negative check. Pending controls are
//!   settled when the scenario ends (`AuthWorld::uncontrolled_refusals`).
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::ClientError;
use crate::operation::{describe_statuses, Exchange, PROFILE_ERROR};
use crate::world::AuthWorld;

/// The last exchange, or an error saying the step had nothing to check.
pub(super) fn last(w: &AuthWorld) -> Result<&Exchange, ClientError> {
    w.last_exchange().ok_or_else(|| ClientError::Expectation("no request was made".into()))
}

/// The wording of a server error, wherever a check meets one: the target
/// broke, whatever the step expected.
pub(super) fn broke(w: &AuthWorld, ex: &Exchange, expected: &str) -> ClientError {
    let message = format!(
        "the target broke: {} answered {} where {expected} was expected: {}",
        ex.operation,
        ex.status,
        ex.summary(&w.ctx().client.redactor)
    );
    Assertion::TargetBroke.fail(message)
}

/// Checks that exchange `index` is a refusal, and leaves a control to be
/// shown for its operation. `what` says what was refused, for the message.
pub(super) fn refused_at(w: &mut AuthWorld, index: usize, what: &str) -> StepResult {
    let ex = &w.exchanges[index];
    if ex.broke() {
        return Err(broke(w, ex, "a refusal"));
    }
    if !ex.refused() {
        let ctx = w.ctx();
        let declared = ctx
            .client
            .target
            .profile()
            .operations
            .get(&ex.operation)
            .map(|s| describe_statuses(&s.refuse))
            .unwrap_or_else(|| "a 4xx".into());
        let message = format!(
            "{what} was not refused (refusals of {}: {declared}): {}",
            ex.operation,
            ex.summary(&ctx.client.redactor)
        );
        return Err(Assertion::Refused.fail(message));
    }
    let operation = ex.operation.clone();
    w.expect_control(operation, what.to_string());
    Ok(())
}

/// `refused_at` on the last exchange.
pub(super) fn refused(w: &mut AuthWorld, what: &str) -> StepResult {
    let index = w.last.ok_or_else(|| ClientError::Expectation("no request was made".into()))?;
    refused_at(w, index, what)
}

/// The recorded request of an attack must carry it: a profile whose
/// template drops the attack input makes the verdict meaningless, so that is
/// a profile error (exit 2), not a pass.
pub(super) fn attack_sent(sent: bool, operation: &str, what: &str) -> StepResult {
    match sent {
        true => Ok(()),
        false => Err(ClientError::Expectation(format!("{PROFILE_ERROR}the request of `{operation}` did not carry {what}: its profile template drops the attack input, so the scenario cannot test it"))),
    }
}

/// Checks that the last exchange was accepted (a 5xx reads "the target broke").
pub(super) fn accepted(w: &AuthWorld, what: &str) -> StepResult {
    let ex = last(w)?;
    if ex.broke() {
        return Err(broke(w, ex, "acceptance"));
    }
    if !ex.accepted {
        let message = format!("{what} was not accepted: {}", ex.summary(&w.ctx().client.redactor));
        return Err(Assertion::Accepted.fail(message));
    }
    Ok(())
}
