//! Expiry, checked just short of a lifetime and just past it: through the
//! target's test hooks where it has them (`time_travel`: the harness ages
//! the code, token or link, instantly), else by waiting, in real time, for
//! the lifetime the profile says the target was started with
//! (`lifetimes:`). Scenarios run concurrently, so the waits overlap and a
//! run takes little more than its longest one.
use std::time::Duration;

use cucumber::when;
use serde_json::json;

use super::actors::actor;
use super::StepResult;
use crate::client::{Born, ClientError};
use crate::profile::{Extra, Lifetime};
use crate::world::AuthWorld;

/// The lifetime a requirement states, where the profile declares none and
/// hooks age the thing: codes 10 minutes (NIST SP 800-63B 5.1.3.2), tokens
/// the hour the suite asks for (`token_validity`), reset links an hour. A
/// token cap is the target's own policy: only its profile can say it.
fn stated(kind: Lifetime) -> Option<Duration> {
    match kind {
        Lifetime::Code => Some(Duration::from_secs(600)),
        Lifetime::Token | Lifetime::ResetLink => Some(Duration::from_secs(3600)),
        Lifetime::TokenCap => None,
    }
}

/// How far from the lifetime "just" is: a tenth of it, at least a second
/// (targets that count in whole seconds expire up to a second late).
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 10).max(Duration::from_secs(1))
}

/// Where the age goes: the test hook of each kind, and what names the thing.
fn hook(kind: Lifetime) -> (&'static str, &'static str) {
    match kind {
        Lifetime::Code => ("test.age_process", "request_id"),
        Lifetime::Token | Lifetime::TokenCap => ("test.age_token", "token"),
        Lifetime::ResetLink => ("test.age_reset_link", "reset_token"),
    }
}

/// The value the hook names (the process, the token, the reset token).
fn subject(w: &mut AuthWorld, name: &str, kind: Lifetime) -> Result<String, ClientError> {
    let a = actor(w, name)?;
    let missing = || ClientError::Expectation(format!("{name} holds no {}", kind.as_str().replace('_', " ")));
    match kind {
        Lifetime::Code => a.request_id.clone().ok_or_else(missing),
        Lifetime::Token | Lifetime::TokenCap => a.token().map(str::to_string).ok_or_else(missing),
        Lifetime::ResetLink => a.reset_links.last().map(|(_, t)| t.clone()).ok_or_else(missing),
    }
}

pub(super) async fn age_to(w: &mut AuthWorld, name: &str, kind: Lifetime, past: bool) -> StepResult {
    let ctx = w.ctx();
    let profile = ctx.client.target.profile();
    let declared = profile.lifetimes.of(kind);
    let born: Born = *actor(w, name)?.born.get(&kind).ok_or_else(|| {
        ClientError::Expectation(format!("{name} has no {} whose birth the harness saw", kind.as_str()))
    })?;
    let hooks = profile.extras.contains(&Extra::TimeTravel);
    let undeclared = || {
        ClientError::Expectation(format!(
            "the profile declares no `lifetimes.{}`{}",
            kind.key(),
            if hooks { "" } else { " and the target has no time_travel hooks" }
        ))
    };
    let lifetime = declared.or(stated(kind)).ok_or_else(undeclared)?;
    // Just short: the thing is younger than its lifetime even if it was born
    // the moment the request left; just past: older even if born as the answer came.
    let (age, from) = if past {
        (lifetime + margin(lifetime), born.answered)
    } else {
        (lifetime.saturating_sub(margin(lifetime)), born.sent)
    };
    if hooks {
        let (operation, key) = hook(kind);
        let by = age.saturating_sub(born.aged + from.elapsed());
        let mut vars = actor(w, name)?.context();
        vars.insert(key.into(), json!(subject(w, name, kind)?));
        vars.insert("seconds".into(), json!(by.as_secs()));
        ctx.client.target.expect(operation, &vars, None).await?;
        if let Some(b) = actor(w, name)?.born.get_mut(&kind) {
            b.aged += Duration::from_secs(by.as_secs());
        }
        return Ok(());
    }
    if declared.is_none() {
        return Err(undeclared());
    }
    tokio::time::sleep_until(tokio::time::Instant::from_std(from + age)).await;
    Ok(())
}

/// When Catelyn's code is just short of its lifetime
///
/// Ages the actor's code to just under its lifetime (a tenth of it, at least a second, to spare): through the test hook with time_travel, else by waiting for the profile's `lifetimes.code`.
#[when(regex = r"^([^\s']+)'s code is just (short of|past) its lifetime$")]
async fn code_ages(w: &mut AuthWorld, name: String, side: String) -> StepResult {
    age_to(w, &name, Lifetime::Code, side == "past").await
}

/// When Daenerys's token is just past its lifetime
///
/// Ages the actor's session token to just under or just over its lifetime: through the test hook with time_travel (an hour unless `lifetimes.token` says otherwise), else by waiting for `lifetimes.token`.
#[when(regex = r"^([^\s']+)'s token is just (short of|past) its lifetime$")]
async fn token_ages(w: &mut AuthWorld, name: String, side: String) -> StepResult {
    age_to(w, &name, Lifetime::Token, side == "past").await
}

/// When Arya's reset link is just past its lifetime
///
/// Ages the actor's last reset link or token to just under or just over its lifetime: through the test hook with time_travel (an hour unless `lifetimes.reset_link` says otherwise), else by waiting for `lifetimes.reset_link`.
#[when(regex = r"^([^\s']+)'s reset link is just (short of|past) its lifetime$")]
async fn link_ages(w: &mut AuthWorld, name: String, side: String) -> StepResult {
    age_to(w, &name, Lifetime::ResetLink, side == "past").await
}
