//! Guessing, as a security reviewer tries it (features/security/guessing.feature):
//! wrong codes spread over new processes, codes asked for one login again
//! and again, wrong passwords on one account. Each series runs past the
//! profile's bound (`throttling:`) and stops at the first answer that
//! throttles; the judging step then says whether anything slowed the
//! guesser down, and the owner is shown getting back in.
use cucumber::{then, when};

use super::actors::actor;
use super::otp::{channel, start_as, submit, submit_to, wrong_code};
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::{self, check, ActorKind, ClientError, Process, StartOptions};
use crate::operation::Pressure;
use crate::world::AuthWorld;

/// Wrong codes sent to each new process: below any per-process cap a
/// target may set (allauth's is 3), so the series tests the cap across
/// processes, not the one inside a process.
const WRONG_PER_PROCESS: usize = 3;

/// Counts the last exchange in `pressure`, with its operation's declared
/// `throttled` regex; true when it throttles.
fn tally(w: &AuthWorld, pressure: &mut Pressure, what: &str) -> Result<bool, ClientError> {
    let ex = super::checks::last(w)?;
    let ctx = w.ctx();
    let declared = ctx.client.target.profile().operations.get(&ex.operation).and_then(|o| o.throttled.as_ref());
    Ok(pressure.tally(ex, what, declared))
}

/// Starts a sign-in for `name` by e-mail and counts it; a start refused or
/// throttled after the first stops the series (`pressure` says how).
async fn new_process(w: &mut AuthWorld, name: &str, pressure: &mut Pressure) -> StepResult {
    let first = pressure.tries == 0;
    let with_master = actor(w, name)?.kind == ActorKind::Patient;
    let opts = StartOptions { with_master, sign_in: true, ..Default::default() };
    start_as(w, name, channel("email"), opts).await?;
    let ex = super::checks::last(w)?;
    if ex.broke() {
        return Err(super::checks::broke(w, ex, "a start or a refusal"));
    }
    let accepted = ex.accepted;
    let throttled = tally(w, pressure, "code request")?;
    if first && !accepted {
        // The owner's own first sign-in must work, or nothing is measured.
        return super::checks::accepted(w, &format!("{name}'s first code request"));
    }
    if !accepted && !throttled {
        let status = super::checks::last(w)?.status;
        pressure.stopped(format!("{status} at code request #{}", pressure.tries));
    }
    Ok(())
}

/// When someone guesses Catelyn's code wrong over new sign-in processes, past the bound
///
/// Starts sign-in processes for the actor one after another and sends each three wrong codes of the right shape, until the wrong codes outnumber the profile's `throttling.code_guesses` (20 unless it says otherwise), or an answer throttles (429, Retry-After, or a refused start).
#[when(regex = r"^someone guesses ([^\s']+)'s code wrong over new sign-in processes, past the bound$")]
async fn guesses_over_processes(w: &mut AuthWorld, name: String) -> StepResult {
    let bound = w.ctx().client.target.profile().throttling.code_guesses;
    let mut pressure = Pressure::default();
    let mut wrong = 0;
    'series: while wrong <= bound && pressure.throttled.is_none() {
        new_process(w, &name, &mut pressure).await?;
        pressure.processes += 1;
        if pressure.throttled.is_some() {
            break;
        }
        let ctx = w.ctx();
        let right = client::read_code(&ctx.client, actor(w, &name)?).await?;
        for i in 0..WRONG_PER_PROCESS {
            submit(w, &name, wrong_code(&right, i)).await?;
            wrong += 1;
            let ex = super::checks::last(w)?;
            if ex.broke() {
                return Err(super::checks::broke(w, ex, "a refusal"));
            }
            if ex.accepted {
                return super::checks::refused(w, &format!("wrong code #{wrong}"));
            }
            if tally(w, &mut pressure, "wrong code")? || wrong > bound {
                continue 'series;
            }
        }
    }
    w.pressure = Some(pressure);
    Ok(())
}

/// Then a new process's right code does not sign Catelyn in at once
///
/// Passes when the guessing series was throttled. Otherwise starts one more process and submits its right code: accepted at once, it shows each new process gave the guesser fresh tries.
#[then(regex = r"^a new process's right code does not sign ([^\s']+) in at once$")]
async fn right_code_refused(w: &mut AuthWorld, name: String) -> StepResult {
    let mut pressure = w.pressure.take().ok_or_else(|| ClientError::Expectation("no guessing series ran".into()))?;
    let bound = w.ctx().client.target.profile().throttling.code_guesses;
    let (wrong, processes) = (pressure.tries - pressure.processes, pressure.processes);
    if pressure.how().is_none() {
        new_process(w, &name, &mut pressure).await?;
    }
    if pressure.how().is_some() {
        return Ok(());
    }
    let ctx = w.ctx();
    let right = client::read_code(&ctx.client, actor(w, &name)?).await?;
    submit(w, &name, right).await?;
    let ex = super::checks::last(w)?;
    if ex.broke() {
        return Err(super::checks::broke(w, ex, "a refusal"));
    }
    check(Assertion::GuessCap, !ex.accepted, || {
        format!(
            "after {} wrong codes over {} new processes (`throttling.code_guesses`: {bound}), the right code of a \
             new process still signs {name} in at once: every new process gives a guesser fresh tries",
            wrong, processes
        )
    })
}

/// When someone asks for Catelyn's sign-in code again and again, past the bound
///
/// Starts sign-in processes for the actor, one after another, one more than the profile's `throttling.starts` (10 unless it says otherwise), stopping at the first that is throttled or refused. Where every start was answered and the mailbox is the harness's SMTP sink, the mails are counted too: a target that stops sending without a word has throttled the flood as much as one that answers 429.
#[when(regex = r"^someone asks for ([^\s']+)'s sign-in code again and again, past the bound$")]
async fn asks_again_and_again(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let bound = ctx.client.target.profile().throttling.starts;
    let email = actor(w, &name)?.email.clone();
    let mail = ctx.client.mail.as_ref();
    let before = mail.and_then(|m| m.mailbox.count_for(&email));
    let mut pressure = Pressure::default();
    while pressure.tries <= bound && pressure.throttled.is_none() {
        new_process(w, &name, &mut pressure).await?;
    }
    if let (Some(mail), Some(before), None) = (mail, before, &pressure.throttled) {
        let sent = messages_sent(mail, &email, before, pressure.tries as usize).await;
        if sent < pressure.tries as usize {
            pressure.stopped(format!(
                "{sent} of {} code requests sent a mail: the rest were dropped quietly",
                pressure.tries
            ));
        }
    }
    w.pressure = Some(pressure);
    Ok(())
}

/// The mails that reached `email` since there were `before`, waiting up
/// to the mailbox's timeout for `expected` of them (a mail may trail its
/// answer), and no longer.
async fn messages_sent(mail: &crate::client::MailDouble, email: &str, before: usize, expected: usize) -> usize {
    let deadline = std::time::Instant::now() + mail.timeout;
    loop {
        let sent = mail.mailbox.count_for(email).unwrap_or(before).saturating_sub(before);
        if sent >= expected || std::time::Instant::now() >= deadline {
            return sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// When someone signs in as Arya with wrong passwords, past the bound
///
/// Signs in as the actor with wrong passwords, two more than the profile's `throttling.password_failures` (20 unless it says otherwise), stopping at the first answer that throttles (429 or Retry-After).
#[when(regex = r"^someone signs in as ([^\s']+) with wrong passwords, past the bound$")]
async fn wrong_passwords(w: &mut AuthWorld, name: String) -> StepResult {
    let bound = w.ctx().client.target.profile().throttling.password_failures;
    let mut pressure = Pressure::default();
    while pressure.tries < bound + 2 && pressure.throttled.is_none() {
        let wrong = super::sso::password(w, &name);
        super::password::sign_in(w, &name, wrong).await?;
        let ex = super::checks::last(w)?;
        if ex.broke() {
            return Err(super::checks::broke(w, ex, "a refusal"));
        }
        if ex.accepted {
            return super::checks::refused(w, &format!("wrong password #{}", pressure.tries + 1));
        }
        tally(w, &mut pressure, "wrong password")?;
    }
    w.pressure = Some(pressure);
    Ok(())
}

/// Then the wrong passwords were throttled
///
/// Checks that the series was slowed down: an answer with 429 or Retry-After, a refused start, or answers that grew at least twice and a second slower.
#[then(regex = r"^the (code requests|wrong passwords) were throttled$")]
async fn were_throttled(w: &mut AuthWorld, what: String) -> StepResult {
    let pressure = w.pressure.as_ref().ok_or_else(|| ClientError::Expectation("no guessing series ran".into()))?;
    check(Assertion::Throttled, pressure.how().is_some(), || {
        format!(
            "{} {what} in a row were each answered at once, none throttled (no 429, no Retry-After, no growing delay): \
             nothing slows a guesser down",
            pressure.tries
        )
    })
}

/// When Arya waits as long as the target asked
///
/// Waits the Retry-After of the answer that throttled the series, after checking it is within the profile's `throttling.max_wait` (60 s unless it says otherwise): a longer wait locks the owner out. A throttle that announced no wait is probed instead: the owner's right password, again and again at growing intervals (0.5 s, 1 s, 2 s, ...) until it is let in or `max_wait` has passed.
#[when(regex = r"^([^\s']+) waits as long as the target asked$")]
async fn waits_as_asked(w: &mut AuthWorld, name: String) -> StepResult {
    let pressure = w.pressure.clone().ok_or_else(|| ClientError::Expectation("no guessing series ran".into()))?;
    let max = w.ctx().client.target.profile().throttling.max_wait;
    let Some(wait) = pressure.wait else {
        return match pressure.throttled {
            Some(how) => probe_until_let_in(w, &name, &how, max).await,
            // A growing delay keeps no one out: nothing to wait for.
            None => Ok(()),
        };
    };
    check(Assertion::NoLockout, wait <= max, || {
        format!(
            "{name} is asked to wait {} before signing in again, beyond `throttling.max_wait` ({}): the owner is locked out",
            humantime::format_duration(wait),
            humantime::format_duration(max)
        )
    })?;
    // A target counting in whole seconds may round down: a little extra.
    tokio::time::sleep(wait + std::time::Duration::from_millis(250)).await;
    Ok(())
}

/// When Catelyn asks for another sign-in code, keeping the first
///
/// Puts the actor's current process and its code aside, then starts a new sign-in process by e-mail and reads its code.
#[when(regex = r"^([^\s']+) asks for another sign-in code, keeping the first$")]
async fn another_code(w: &mut AuthWorld, name: String) -> StepResult {
    let a = actor(w, &name)?;
    let code = a.code().map(str::to_string).ok_or_else(|| ClientError::Expectation(format!("{name} has no code")))?;
    a.earlier = Some(Process { request_id: a.request_id.clone(), values: a.values.clone(), purpose: a.purpose, code });
    let with_master = a.kind == ActorKind::Patient;
    start_as(w, &name, channel("email"), StartOptions { with_master, sign_in: true, ..Default::default() }).await?;
    super::checks::accepted(w, "the second code request")?;
    let ctx = w.ctx();
    client::read_code(&ctx.client, actor(w, &name)?).await?;
    Ok(())
}

/// When Catelyn submits her first code to its own process
///
/// Submits the code of the process put aside to that process, after a newer one was sent.
#[when(regex = r"^([^\s']+) submits (?:her|his|their) first code to its own process$")]
async fn submits_first(w: &mut AuthWorld, name: String) -> StepResult {
    let earlier = actor(w, &name)?
        .earlier
        .clone()
        .ok_or_else(|| ClientError::Expectation(format!("{name} put no process aside")))?;
    submit_to(w, &name, earlier.code.clone(), Some(&earlier)).await
}

/// When Cersei submits Catelyn's code to her own process
///
/// Submits the second actor's current code to the first actor's current process (both signing in at once).
#[when(regex = r"^([^\s']+) submits ([^\s']+)'s code to (?:her|his|their) own process$")]
async fn submits_others(w: &mut AuthWorld, name: String, other: String) -> StepResult {
    let theirs = actor(w, &other)?
        .code()
        .map(str::to_string)
        .ok_or_else(|| ClientError::Expectation(format!("{other} has no code")))?;
    let own = actor(w, &name)?.code().map(str::to_string);
    if own.as_deref() == Some(theirs.as_str()) {
        return Err(ClientError::Expectation(format!(
            "{name} and {other} were sent the same code, so the scenario cannot tell whose it is"
        )));
    }
    submit(w, &name, theirs).await
}

/// Tries the owner's right password at growing intervals until it is
/// accepted or `max` has passed; the sign-in steps after it then show which.
async fn probe_until_let_in(w: &mut AuthWorld, name: &str, how: &str, max: std::time::Duration) -> StepResult {
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(500);
    loop {
        let left = max.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(pause.min(left)).await;
        pause *= 2;
        let right = actor(w, name)?
            .password
            .clone()
            .ok_or_else(|| ClientError::Expectation(format!("{name} has no password")))?;
        super::password::sign_in(w, name, right).await?;
        if super::checks::last(w)?.accepted {
            return Ok(());
        }
    }
    Err(Assertion::NoLockout.fail(format!(
        "throttled ({how}) with no Retry-After, {name}'s right password is still refused after {} \
         (`throttling.max_wait`): the owner is locked out and not told for how long",
        humantime::format_duration(max)
    )))
}
