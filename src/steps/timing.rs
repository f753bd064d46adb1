//! Timing side channels (features/security/timing.feature): the same
//! operation answered for known accounts and for unknown e-mails, timed
//! in interleaved pairs (each pair in a random order, so drift and load
//! fall on both groups alike), then compared with a rank test
//! (`crate::timing::rank`). Known accounts are many, each asked only a
//! few times, so the target's own throttling (allauth locks an address
//! after five failures) never enters the measurement; unknown e-mails are
//! fresh every time for the same reason.
use cucumber::{then, when};
use rand::Rng;

use super::StepResult;
use crate::assertion::Assertion;
use crate::client::{check, ClientError};
use crate::model::TimingRecord;
use crate::world::AuthWorld;

/// Tries per known account: below every per-address limit we know of.
const PER_ACCOUNT: u32 = 4;

#[derive(Clone, Copy, PartialEq)]
enum Timed {
    SignIn,
    ResetRequest,
}

impl Timed {
    fn operation(self) -> &'static str {
        match self {
            Timed::SignIn => "password.login",
            Timed::ResetRequest => "password_reset.start",
        }
    }

    /// Asks once for `name` and returns the answer time (ms), checking the
    /// answer is the ordinary one (a refused sign-in, an accepted reset
    /// request): a throttled or broken answer would measure something else.
    async fn once(self, w: &mut AuthWorld, name: &str, sample: u32) -> Result<f64, ClientError> {
        super::sso::ensure_actor(w, name);
        match self {
            Timed::SignIn => {
                let wrong = super::sso::password(w, name);
                super::password::sign_in(w, name, wrong).await?;
            }
            Timed::ResetRequest => super::reset::ask_reset(w, name, &[]).await?,
        }
        let ex = super::checks::last(w)?;
        if ex.broke() {
            return Err(super::checks::broke(w, ex, "an answer"));
        }
        let ordinary = match self {
            Timed::SignIn => ex.refused() && ex.status != 429,
            Timed::ResetRequest => ex.accepted,
        };
        if !ordinary {
            let ctx = w.ctx();
            return Err(ClientError::Expectation(format!(
                "timed sample #{sample} of {} got an answer that is not the ordinary one, so the timings would compare \
                 something else: {}",
                self.operation(),
                ex.summary(&ctx.client.redactor)
            )));
        }
        Ok(ex.elapsed.as_secs_f64() * 1000.0)
    }
}

/// When sign-in answers are timed for known and unknown e-mails
///
/// Registers a few accounts, then times the operation (`password.login` with a wrong password, or `password_reset.start`) for a known account and for a fresh unknown e-mail, in pairs whose order is random, `timing.samples` pairs (30 unless the profile says otherwise). Each known account is asked at most 4 times.
#[when(regex = r"^(sign-in|reset request) answers are timed for known and unknown e-mails$")]
async fn timed(w: &mut AuthWorld, which: String) -> StepResult {
    let timed = if which == "sign-in" { Timed::SignIn } else { Timed::ResetRequest };
    let settings = w.ctx().client.target.profile().timing;
    let accounts = settings.samples.div_ceil(PER_ACCOUNT);
    for k in 0..accounts {
        let name = format!("Known{k}");
        super::password::registers(w, name).await?;
        super::checks::accepted(w, "a known account's registration")?;
    }
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..settings.samples {
        let known_first = rand::thread_rng().gen_bool(0.5);
        for first in [known_first, !known_first] {
            if first {
                known.push(timed.once(w, &format!("Known{}", i % accounts), i + 1).await?);
            } else {
                unknown.push(timed.once(w, &format!("Unknown{i}"), i + 1).await?);
            }
        }
    }
    let comparison = crate::timing::rank::compare(&known, &unknown, 1.0 - settings.alpha);
    w.timings.push(TimingRecord {
        operation: timed.operation().into(),
        first: "known".into(),
        second: "unknown".into(),
        first_ms: known,
        second_ms: unknown,
        comparison,
        threshold_ms: settings.threshold.as_secs_f64() * 1000.0,
        alpha: settings.alpha,
    });
    Ok(())
}

/// Then the answer times tell no account state
///
/// Flags the last timing comparison when the rank test finds the groups differ (p below `timing.alpha`, 0.01 unless the profile says otherwise) and the median of their differences is larger than `timing.threshold` (5 ms unless it says otherwise).
#[then(regex = r"^the answer times tell no account state$")]
async fn tell_nothing(w: &mut AuthWorld) -> StepResult {
    let t = w.timings.last().ok_or_else(|| ClientError::Expectation("nothing was timed".into()))?;
    let (m1, m2) = t.medians();
    check(Assertion::Timing, !t.flagged(), || {
        let c = t.comparison.expect("a flagged record has a comparison");
        format!(
            "{} answers known accounts in {m1:.1} ms and unknown e-mails in {m2:.1} ms (medians): a difference of \
             {:.1} ms ({:.0} % interval {:.1} to {:.1} ms), p = {:.2e} over {} samples each, so its answer time tells \
             who has an account",
            t.operation,
            c.shift_ms,
            c.level * 100.0,
            c.low_ms,
            c.high_ms,
            c.p_value,
            t.first_ms.len()
        )
    })
}
