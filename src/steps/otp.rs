//! One-time-code processes: start, receive, submit, complete.
use cucumber::{given, then, when};
use serde_json::json;

use super::actors::{actor, new_actor};
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::client::{self, ClientError, StartOptions};
use crate::client::{ActorKind, Channel};
use crate::world::AuthWorld;

pub(super) async fn start_as(w: &mut AuthWorld, name: &str, channel: Channel, opts: StartOptions) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, name)?;
    a.channel = channel;
    let ex = client::start(&ctx.client, a, &opts).await?;
    w.record_reply(name.to_string(), ex);
    Ok(())
}

pub(super) fn channel(word: &str) -> Channel {
    if word.eq_ignore_ascii_case("sms") {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// When Daenerys starts signing up by email under the master HCP
///
/// Starts a sign-up or sign-in process by e-mail or SMS (patients under the profile's master HCP); a code is sent.
#[when(regex = r"^([^\s']+) starts signing (up|in) by (email|SMS)(?: under the master HCP)?$")]
async fn start_signing(w: &mut AuthWorld, name: String, purpose: String, via: String) -> StepResult {
    // Patients name the master HCP, signing in as much as signing up.
    let with_master = actor(w, &name)?.kind == ActorKind::Patient;
    let sign_in = purpose == "in";
    start_as(w, &name, channel(&via), StartOptions { with_master, sign_in, ..Default::default() }).await
}

/// When Arya starts signing up by email without a master HCP
///
/// Starts a sign-up or sign-in process without naming a master HCP.
#[when(regex = r"^([^\s']+) starts signing (up|in) by (email|SMS) without a master HCP$")]
async fn start_without_master(w: &mut AuthWorld, name: String, purpose: String, via: String) -> StepResult {
    start_as(w, &name, channel(&via), StartOptions { sign_in: purpose == "in", ..Default::default() }).await
}

/// When Tyrion starts signing up by email with the captcha "bad"
///
/// Starts a sign-up with the given captcha token instead of the profile's.
#[when(regex = r#"^([^\s']+) starts signing up by (email|SMS) with the captcha "([^"]*)"$"#)]
async fn start_with_captcha(w: &mut AuthWorld, name: String, via: String, captcha: String) -> StepResult {
    start_as(w, &name, channel(&via), StartOptions { with_master: true, captcha: Some(captcha), ..Default::default() })
        .await
}

/// When Sansa starts signing up by email asking for 8-digit codes
///
/// Starts a sign-up asking for codes of the given length.
#[when(regex = r"^([^\s']+) starts signing up by (email|SMS) asking for (\d+)-digit codes$")]
async fn start_with_length(w: &mut AuthWorld, name: String, via: String, digits: usize) -> StepResult {
    start_as(
        w,
        &name,
        channel(&via),
        StartOptions { with_master: true, code_length: Some(digits), ..Default::default() },
    )
    .await
}

/// When Bran starts signing up with the address "not-an-email"
///
/// Starts a sign-up with the given e-mail address or phone number.
#[when(regex = r#"^([^\s']+) starts signing up with the (address|number) "([^"]*)"$"#)]
async fn start_with_address(w: &mut AuthWorld, name: String, what: String, value: String) -> StepResult {
    let via = if what == "number" {
        actor(w, &name)?.phone = value;
        Channel::Sms
    } else {
        actor(w, &name)?.email = value;
        Channel::Email
    };
    start_as(w, &name, via, StartOptions { with_master: true, ..Default::default() }).await
}

/// Then Daenerys receives a code by email
///
/// Reads the code from the mail or SMS the actor received (the profile's `code` rule finds it), so the scenario can use it.
#[then(regex = r"^([^\s']+) receives a code by (?:email|SMS)$")]
async fn receives_any_code(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    client::read_code(&ctx.client, actor(w, &name)?).await?;
    Ok(())
}

/// Then Gilly's code carries at least 20 bits
///
/// Checks the actor's last code is at least as strong as 6 decimal digits (NIST SP 800-63B 5.1.3.2: about 20 bits): digits count log2(10) bits each; letters and digits of one case log2(36); mixed case log2(62); separators nothing.
#[then(regex = r"^([^\s']+)'s code carries at least 20 bits$")]
async fn code_strength(w: &mut AuthWorld, name: String) -> StepResult {
    let code = actor(w, &name)?.received_code()?;
    let bits = code_bits(&code);
    check(Assertion::CodeStrength, bits >= 19.9, || {
        format!(
            "{name}'s code has {} characters, about {bits:.0} bits; 6 decimal digits (20 bits) is the least",
            code.len()
        )
    })
}

/// The entropy a code of this alphabet and length can carry at most.
fn code_bits(code: &str) -> f64 {
    let symbols: Vec<char> = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let lower = symbols.iter().any(|c| c.is_ascii_lowercase());
    let upper = symbols.iter().any(|c| c.is_ascii_uppercase());
    let alphabet: f64 = match (lower, upper) {
        (false, false) => 10.0,
        (true, true) => 62.0,
        _ => 36.0,
    };
    symbols.len() as f64 * alphabet.log2()
}

/// Then Daenerys receives a 6-digit code by email
///
/// Reads the code from the mail or SMS the actor received and checks it has exactly that many digits (a start that asked for a length).
#[then(regex = r"^([^\s']+) receives an? (\d+)-digit code by (?:email|SMS)$")]
async fn receives_code(w: &mut AuthWorld, name: String, digits: usize) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let code = client::read_code(&ctx.client, a).await?;
    check(Assertion::CodeLength, code.len() == digits && code.chars().all(|c| c.is_ascii_digit()), || {
        format!("{name} received a {}-character code, expected {digits} digits", code.len())
    })
}

/// Then Arya receives no email
///
/// Waits the profile's mailbox.silence, then checks that no mail or SMS reached the actor; without a mailbox or SMS sink the step fails (nothing could be observed).
#[then(regex = r"^([^\s']+) receives no (?:email|SMS)$")]
async fn receives_nothing(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let unobservable = |what: &str| {
        ClientError::Expectation(format!(
            "cannot observe {what}: the profile has no sink for it, so \"no message\" proves nothing"
        ))
    };
    // A target may send in the background: give a message that is coming
    // the profile's `silence` to arrive before concluding there is none.
    let got = match a.channel {
        Channel::Email => {
            let m = ctx.client.mail.as_ref().ok_or_else(|| unobservable("mail"))?;
            tokio::time::sleep(m.silence).await;
            m.mailbox.received_any(&a.email, &ctx.client.redactor).await
        }
        Channel::Sms => {
            let s = ctx.client.sms.as_ref().ok_or_else(|| unobservable("SMS"))?;
            let silence = ctx.client.mail.as_ref().map(|m| m.silence).unwrap_or(std::time::Duration::from_millis(500));
            tokio::time::sleep(silence).await;
            s.inbox.received_any(&a.phone)
        }
    };
    check(Assertion::NoMessage, !got, || format!("{name} received a message although the start was refused"))
}

/// Submits `code` to the actor's current process, or to `process`.
pub(super) async fn submit(w: &mut AuthWorld, name: &str, code: String) -> StepResult {
    submit_to(w, name, code, None).await
}

/// Submits `code` to `process` (one the actor put aside), else to the
/// actor's current one.
pub(super) async fn submit_to(
    w: &mut AuthWorld,
    name: &str,
    code: String,
    process: Option<&client::Process>,
) -> StepResult {
    let vars = validation_vars(w, name, code, process)?;
    let ex = w.ctx().client.target.call("otp.validate", &vars, None).await?;
    w.record(ex);
    Ok(())
}

/// The variables of `otp.validate` for `code` sent to `process`, else to
/// the actor's current one.
pub(super) fn validation_vars(
    w: &mut AuthWorld,
    name: &str,
    code: String,
    process: Option<&client::Process>,
) -> Result<crate::operation::Vars, ClientError> {
    let ctx = w.ctx();
    let a = &*actor(w, name)?;
    let request_id = process
        .map_or(a.request_id.clone(), |p| p.request_id.clone())
        .ok_or_else(|| ClientError::Expectation(format!("{name} has no started process")))?;
    // Wrong codes are redacted too: ours are derived from the right one.
    ctx.client.redactor.register(&code, crate::redact::SecretKind::Code);
    let mut vars = a.context();
    if let Some(p) = process {
        vars.extend(p.values.iter().map(|(k, v)| (k.clone(), json!(v))));
    }
    vars.insert("request_id".into(), json!(request_id));
    vars.insert("code".into(), json!(code));
    vars.insert("purpose".into(), json!(process.map_or(a.purpose, |p| p.purpose)));
    Ok(vars)
}

/// When Robb submits the code
///
/// Submits the actor's current code to the validation operation.
#[when(regex = r"^([^\s']+) submits the code(?: again)?$")]
async fn submit_code(w: &mut AuthWorld, name: String) -> StepResult {
    let code = actor(w, &name)?.received_code()?;
    submit(w, &name, code).await
}

/// When Robb submits a wrong code 5 times
///
/// Submits codes derived from the right one but wrong, once or the given number of times.
#[when(regex = r"^([^\s']+) submits a wrong code(?: (\d+) times)?$")]
async fn submit_wrong(w: &mut AuthWorld, name: String, times: String) -> StepResult {
    let times: usize = times.parse().unwrap_or(1);
    let right = actor(w, &name)?.code().map(str::to_string).unwrap_or_default();
    for i in 0..times {
        submit(w, &name, wrong_code(&right, i)).await?;
        super::checks::refused(w, &format!("wrong code #{}", i + 1))?;
    }
    Ok(())
}

/// A wrong code of the right shape: the real one with every digit and
/// letter shifted by `1 + i` (separators kept), so the `i`-th of a series
/// differs from the right one and from the others.
pub(super) fn wrong_code(right: &str, i: usize) -> String {
    let shift = |c: char, base: u8, span: u8| char::from(base + ((c as u8 - base + 1 + (i % 9) as u8) % span));
    let wrong: String = right
        .chars()
        .map(|c| match c {
            '0'..='9' => shift(c, b'0', 10),
            'A'..='Z' => shift(c, b'A', 26),
            'a'..='z' => shift(c, b'a', 26),
            _ => c,
        })
        .collect();
    if wrong.is_empty() || wrong == right {
        "000000".into()
    } else {
        wrong
    }
}

/// When Daenerys completes the sign-up with the code and a new key pair
///
/// Validates the code and gets a session token (from the validation, or by the iCure token chain); with a key pair, where the target has e2e_keys, publishes the new or stored public key on the data owner.
#[when(
    regex = r"^([^\s']+) completes the sign-(?:up|in) with the code(?: and (a new|(?:her|his|their) stored) key pair)?$"
)]
async fn complete(w: &mut AuthWorld, name: String, which: String) -> StepResult {
    let ctx = w.ctx();
    let e2e = ctx.client.target.profile().families.contains(&crate::profile::Family::E2eKeys);
    let key = match which.as_str() {
        "" => None,
        // A key pair only means something to a target that keeps keys; none is generated otherwise.
        "a new" if !e2e => None,
        "a new" => Some(ctx.keys.take().await?),
        _ => Some(actor(w, &name)?.key_pair()?.clone()),
    };
    let AuthWorld { actors, exchanges, .. } = w;
    let a = actors.get_mut(&name).ok_or_else(|| ClientError::Expectation(format!("no actor {name}")))?;
    let result = client::complete(&ctx.client, a, key, exchanges).await;
    w.last = w.exchanges.len().checked_sub(1);
    result
}

/// Given Daenerys has started signing up by email
///
/// Starts a process and reads the code, so the scenario continues from there.
#[given(regex = r"^([^\s']+) has started signing up by (email|SMS)$")]
async fn has_started(w: &mut AuthWorld, name: String, via: String) -> StepResult {
    if !w.actors.contains_key(&name) {
        let a = new_actor(w, &name, ActorKind::Patient);
        w.actors.insert(name.clone(), a);
    }
    start_signing(w, name.clone(), "up".into(), via).await?;
    super::checks::accepted(w, "the start")?;
    let ctx = w.ctx();
    client::read_code(&ctx.client, actor(w, &name)?).await?;
    Ok(())
}

/// Given Daenerys has signed up by email
///
/// Signs the actor up completely: code, token, and a key pair where the target has e2e_keys and the scenario is about keys or records (`@needs:e2e_keys`, `@needs:records`).
#[given(regex = r"^([^\s']+) has signed up by (email|SMS)$")]
pub(super) async fn has_signed_up(w: &mut AuthWorld, name: String, via: String) -> StepResult {
    has_started(w, name.clone(), via).await?;
    // The stage of another scenario needs no key pair: each costs ~70 ms of CPU.
    let key = if w.keys_matter() { "a new" } else { "" };
    complete(w, name, key.into()).await
}

/// Starts, reads the code and completes with a new key pair (where the
/// target has e2e_keys), whatever the scenario is about.
pub(super) async fn signs_up_with_a_new_key(w: &mut AuthWorld, name: String, via: String) -> StepResult {
    has_started(w, name.clone(), via).await?;
    complete(w, name, "a new".into()).await
}

/// Then Daenerys is signed in with a user id, a group id and a token
///
/// Checks that the actor holds a user id, a group id and a token from the sign-up (iCure).
#[then(regex = r"^([^\s']+) is signed in with a user id, a group id and a token$")]
async fn signed_in(w: &mut AuthWorld, name: String) -> StepResult {
    client::check_signed_in(actor(w, &name)?)
}

/// Then Jon is signed in with a token
///
/// Checks that the sign-up gave the actor a session token; where the target has `sessions`, that the token authenticates them.
#[then(regex = r"^([^\s']+) is signed in with a token$")]
async fn signed_in_with_token(w: &mut AuthWorld, name: String) -> StepResult {
    client::session(actor(w, &name)?)?;
    if w.ctx().client.target.profile().families.contains(&crate::profile::Family::Sessions) {
        super::session::token_is(w, name, "accepted".into()).await?;
    }
    Ok(())
}
