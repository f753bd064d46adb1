//! Races (features/security/codes.feature, SEC-CODE-04): one single-use
//! code sent twice at the same moment. A double tap, two tabs, or a proxy
//! that retries sends the same code twice before either answer is back; a
//! target that checks the code, then marks it used in a second step, lets
//! both through, and one code opens two sessions. A sequential "submit it
//! again" never sees that window.
use cucumber::{then, when};

use super::actors::actor;
use super::checks::{broke, refused_at};
use super::otp::validation_vars;
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::ClientError;
use crate::world::AuthWorld;

/// When Brienne submits the code twice at once
///
/// Sends the actor's current code to `otp.validate` twice, both requests in flight together (a double tap, two tabs, a retrying proxy). Both exchanges are recorded, in the order they were sent.
#[when(regex = r"^([^\s']+) submits the code twice at once$")]
async fn submits_twice_at_once(w: &mut AuthWorld, name: String) -> StepResult {
    let code = actor(w, &name)?.received_code()?;
    let vars = validation_vars(w, &name, code, None)?;
    let target = &w.ctx().client.target;
    let (first, second) =
        futures::join!(target.call("otp.validate", &vars, None), target.call("otp.validate", &vars, None));
    let (first, second) = (first?, second?);
    w.record(first);
    w.record(second);
    Ok(())
}

/// Then exactly one of the two was accepted
///
/// Of the last two requests (sent together), one was accepted and the other got one of its operation's declared refusals; both accepted fails `code.once-at-once`, neither accepted fails the positive control.
#[then(regex = r"^exactly one of the two was accepted$")]
async fn exactly_one_accepted(w: &mut AuthWorld) -> StepResult {
    let n = w.exchanges.len();
    if n < 2 {
        return Err(ClientError::Expectation("fewer than two requests were made".into()));
    }
    let pair = [n - 2, n - 1];
    if let Some(&i) = pair.iter().find(|&&i| w.exchanges[i].broke()) {
        return Err(broke(w, &w.exchanges[i], "one acceptance and one refusal"));
    }
    let accepted: Vec<usize> = pair.iter().copied().filter(|&i| w.exchanges[i].accepted).collect();
    let redactor = &w.ctx().client.redactor;
    match accepted[..] {
        [_, _] => Err(Assertion::OnceAtOnce.fail(format!(
            "both submits of the one code were accepted: {} / {}",
            w.exchanges[n - 2].summary(redactor),
            w.exchanges[n - 1].summary(redactor)
        ))),
        [] => Err(ClientError::Expectation(format!(
            "neither submit of the code was accepted, so the race was not tested (positive control): {}",
            w.exchanges[n - 1].summary(redactor)
        ))),
        [one] => {
            let other = if one == n - 1 { n - 2 } else { n - 1 };
            refused_at(w, other, "the second of two simultaneous submits of one code")
        }
        _ => unreachable!("two exchanges"),
    }
}
