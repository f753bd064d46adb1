//! The token lifetime cap (features/security/tokens.feature): a client
//! that asks for a token validity beyond the target's cap
//! (`lifetimes.token_cap`) gets a refusal, or a token that dies at the cap;
//! never the lifetime it asked for. A long-lived bearer token on a lost
//! phone is a long-lived key to a patient's records.
use std::time::Instant;

use cucumber::{then, when};
use serde_json::json;

use super::actors::actor;
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::{self, check, Born, ClientError};
use crate::profile::Lifetime;
use crate::redact::SecretKind;
use crate::world::AuthWorld;

/// When Daenerys asks for a token valid for twice the target's cap
///
/// With her session token, the actor asks `token.create` for a token whose `token_validity` is twice the profile's `lifetimes.token_cap`, in seconds. A token granted so becomes her current one, so the next steps can show how long it lives.
#[when(regex = r"^([^\s']+) asks for a token valid for twice the target's cap$")]
async fn asks_beyond_cap(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let cap = ctx
        .client
        .target
        .profile()
        .lifetimes
        .token_cap
        .ok_or_else(|| ClientError::Expectation("the profile declares no `lifetimes.token_cap`".into()))?;
    let asked = (cap * 2).as_secs().to_string();
    let a = actor(w, &name)?;
    let user_id = a.user_id.clone().ok_or_else(|| ClientError::Expectation(format!("{name} has no user id")))?;
    let mut vars = a.context();
    vars.insert("user_id".into(), json!(user_id));
    vars.insert("device_key".into(), json!(format!("{}-{}", name.to_lowercase(), a.device)));
    vars.insert("token_validity".into(), json!(asked));
    let session = client::session(a)?;
    let sent = Instant::now();
    let ex = ctx.client.target.call("token.create", &vars, Some(&session)).await?;
    let granted = ex.accepted.then(|| ex.get("token").map(str::to_string)).flatten().filter(|t| !t.is_empty());
    let carried = ex.url.contains(&asked) || ex.request_body.as_deref().is_some_and(|b| b.contains(&asked));
    w.record(ex);
    super::checks::attack_sent(carried, "token.create", &format!("the validity asked for ({asked} s)"))?;
    if let Some(token) = granted {
        ctx.client.redactor.register(&token, SecretKind::Token);
        let a = actor(w, &name)?;
        a.tokens.push(token);
        a.born.insert(Lifetime::TokenCap, Born::between(sent));
    }
    Ok(())
}

/// Then Daenerys's token lives no longer than the target's cap
///
/// Passes when the long validity was refused (a declared refusal, beside the sign-up's accepted `token.create`). When a token was granted, checks that it works, ages it to just past the cap (time_travel hooks, or waiting for a short cap), and checks it is then refused.
#[then(regex = r"^([^\s']+)'s token lives no longer than the target's cap$")]
async fn lives_within_cap(w: &mut AuthWorld, name: String) -> StepResult {
    if !actor(w, &name)?.born.contains_key(&Lifetime::TokenCap) {
        return super::checks::refused(w, "a token valid for twice the cap");
    }
    super::session::token_is(w, name.clone(), "accepted".into()).await?;
    super::lifetime::age_to(w, &name, Lifetime::TokenCap, true).await?;
    let token = client::session(actor(w, &name)?)?.secret;
    super::session::whoami(w, &name, token).await?;
    let ex = super::checks::last(w)?;
    if ex.broke() {
        return Err(super::checks::broke(w, ex, "a refusal"));
    }
    let ctx = w.ctx();
    check(Assertion::TokenCap, ex.refused(), || {
        format!(
            "a token asked for twice the cap still authenticates just past the cap ({}): {}",
            spoken(ctx.client.target.profile().lifetimes.token_cap.unwrap_or_default()),
            ex.summary(&ctx.client.redactor)
        )
    })
}

/// A cap as its profile likely wrote it: whole days as days (humantime
/// would say "9years 11months 27days 21h 50m 24s" for 3650 days).
fn spoken(cap: std::time::Duration) -> String {
    match cap.as_secs() {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} days", s / 86_400),
        _ => humantime::format_duration(cap).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn caps_read_as_written() {
        assert_eq!(super::spoken(Duration::from_secs(3650 * 86_400)), "3650 days");
        assert_eq!(super::spoken(Duration::from_secs(90)), "1m 30s");
    }
}
