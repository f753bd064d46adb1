//! Password reset at the partner. Seed 004 leaves its shape to the partner;
//! what the steps check is the OWASP Forgot Password cheat sheet and ASVS
//! 6.3/6.5: no enumeration, a mailed single-use link with an unguessable,
//! expiring token on the partner's own address, no lock-out before completion.
use cucumber::{given, then, when};
use serde_json::json;

use super::actors::actor;
use super::sso::{ensure_actor, password};
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::client::ClientError;
use crate::operation::Injection;
use crate::redact::SecretKind;
use crate::world::AuthWorld;

/// The host the forged headers name: a reserved name (RFC 2606) that no
/// partner can legitimately use.
const FORGED_HOST: &str = "attacker.invalid";

/// The headers a host-header injection forges, one request each (OWASP
/// Forgot Password cheat sheet; PortSwigger's password-reset poisoning).
const FORGERIES: &[(&str, &str)] =
    &[("Host", FORGED_HOST), ("X-Forwarded-Host", FORGED_HOST), ("Forwarded", "host=attacker.invalid;proto=https")];

pub(super) async fn ask_reset(w: &mut AuthWorld, name: &str, headers: &[(&str, &str)]) -> StepResult {
    ensure_actor(w, name);
    let ctx = w.ctx();
    let a = actor(w, name)?;
    let mut vars = a.context();
    vars.insert("email".into(), json!(a.email.clone()));
    let sent = std::time::Instant::now();
    let ex = ctx
        .client
        .target
        .call_injected("password_reset.start", &vars, None, &Injection { headers, fields: &[] })
        .await?;
    if ex.accepted {
        actor(w, name)?.born.insert(crate::profile::Lifetime::ResetLink, crate::client::Born::between(sent));
    }
    w.record_reply(format!("{name}@reset"), ex);
    Ok(())
}

/// When Arya asks the partner to reset her password
///
/// Calls the partner's reset operation for the actor's e-mail.
#[when(regex = r"^([^\s']+) asks (?:the partner )?to reset (?:her|his|their) password$")]
async fn asks_reset(w: &mut AuthWorld, name: String) -> StepResult {
    ask_reset(w, &name, &[]).await
}

/// When Arya asks the partner to reset her password through forged hosts
///
/// Asks for a reset once per forged header (Host, X-Forwarded-Host, Forwarded), checks that the forged header was sent and the request accepted, and reads each mailed link.
#[when(regex = r"^([^\s']+) asks the partner to reset (?:her|his|their) password through forged hosts$")]
async fn asks_reset_forged(w: &mut AuthWorld, name: String) -> StepResult {
    for (header, value) in FORGERIES {
        ask_reset(w, &name, &[(header, value)]).await?;
        let ex = super::checks::last(w)?;
        let sent = ex.request_headers.iter().any(|(k, v)| k.eq_ignore_ascii_case(header) && v == value);
        super::checks::attack_sent(sent, "password_reset.start", &format!("the forged {header}"))?;
        super::checks::accepted(w, &format!("the reset request with a forged {header}"))?;
        receive_link(w, &name).await?;
    }
    Ok(())
}

/// Then the partner's reset answers to Arya and Gendry were the same
///
/// Compares the two actors' reset answers: each accepted or a declared refusal, then status, body (echoes masked) and headers.
#[then(regex = r"^the (?:partner's )?reset answers to ([^\s']+) and ([^\s']+) were the same$")]
async fn same_reset_answers(w: &mut AuthWorld, a: String, b: String) -> StepResult {
    super::reply::compare_answers(w, &format!("{a}@reset"), &format!("{b}@reset"))
}

async fn receive_link(w: &mut AuthWorld, name: &str) -> StepResult {
    let ctx = w.ctx();
    let mail = ctx.client.mail.as_ref().ok_or_else(|| ClientError::Expectation("the profile has no mailbox".into()))?;
    let email = actor(w, name)?.email.clone();
    let named = |message: String| Assertion::ResetCount.fail(message);
    let m =
        mail.mailbox.next_for(&email, mail.timeout, &ctx.client.redactor).await.map_err(|e| named(e.to_string()))?;
    let (link, token) = m.find_link(&mail.link).ok_or_else(|| {
        named(format!("the mail to {name} (subject {:?}) holds no link matching `mailbox.link.regex`", m.subject))
    })?;
    let token = token.ok_or_else(|| {
        ClientError::Expectation(format!("the link mailed to {name} holds no token matching `mailbox.link.token`"))
    })?;
    ctx.client.redactor.register(&token, SecretKind::Token);
    actor(w, name)?.reset_links.push((link, token));
    Ok(())
}

/// Then Arya receives a password-reset link by email
///
/// Reads the reset mail and finds the link and its token with the profile's mailbox.link rules.
#[then(regex = r"^([^\s']+) receives a password-reset link by email$")]
async fn receives_link(w: &mut AuthWorld, name: String) -> StepResult {
    receive_link(w, &name).await
}

/// Given Arya has received a password-reset link
///
/// Asks for a reset and reads the mailed link, so the scenario continues from there.
#[given(regex = r"^([^\s']+) has received a password-reset link$")]
async fn has_link(w: &mut AuthWorld, name: String) -> StepResult {
    ask_reset(w, &name, &[]).await?;
    super::checks::accepted(w, "the reset request")?;
    receive_link(w, &name).await
}

/// Then Gendry receives no password-reset mail
///
/// Waits the profile's mailbox.silence, then checks that no mail carrying a reset link or token (the profile's `link` rule) reached the actor; a notice without one is allowed.
#[then(regex = r"^([^\s']+) receives no password-reset mail$")]
async fn receives_no_link(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let mail = ctx.client.mail.as_ref().ok_or_else(|| {
        ClientError::Expectation(
            "cannot observe mail: the profile has no mailbox, so \"no mail\" proves nothing".into(),
        )
    })?;
    let email = actor(w, &name)?.email.clone();
    // A partner may mail in the background (so that timing tells nothing):
    // give a mail that is coming the profile's `silence` to arrive.
    tokio::time::sleep(mail.silence).await;
    let got = mail.mailbox.received_reset(&email, &mail.link, &ctx.client.redactor).await;
    check(Assertion::NoResetMail, !got, || {
        format!("a mail with a reset link or token reached {name}, who has no account")
    })
}

fn last_link(w: &mut AuthWorld, name: &str) -> Result<(String, String), ClientError> {
    actor(w, name)?
        .reset_links
        .last()
        .cloned()
        .ok_or_else(|| ClientError::Expectation(format!("{name} has received no reset link")))
}

/// Then every link Arya received points at the partner's public address
///
/// Checks that each mailed reset link's origin (scheme, host, port) is the profile's public_url (default base_url), not a forged host.
#[then(regex = r"^every link ([^\s']+) received points at the partner's public address$")]
async fn links_not_forged(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let public = ctx.client.target.profile().public_origin().to_string();
    let want = url::Url::parse(&public)
        .map(|u| u.origin())
        .map_err(|e| ClientError::Expectation(format!("the profile's public_url {public:?} is no URL: {e}")))?;
    let links = actor(w, &name)?.reset_links.clone();
    for (link, _) in &links {
        let origin = url::Url::parse(link).map(|u| u.origin()).ok();
        let shown = ctx.client.redactor.text(link);
        check(Assertion::ResetOrigin, origin.as_ref() == Some(&want), || {
            format!(
                "the reset link points elsewhere than the partner's public address {}: {shown}",
                want.ascii_serialization()
            )
        })?;
    }
    Ok(())
}

/// Bits of a token, from its length and the smallest usual alphabet that
/// holds it (digits, hex, base32, base64url); an upper bound of its entropy.
pub fn token_bits(token: &str) -> f64 {
    let all = |f: fn(char) -> bool| token.chars().all(f);
    let per_char: f64 = if all(|c| c.is_ascii_digit()) {
        10f64.log2()
    } else if all(|c| c.is_ascii_hexdigit()) {
        4.0
    } else if all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)) {
        5.0
    } else {
        6.0
    };
    token.chars().count() as f64 * per_char
}

/// Then Arya's reset links carry tokens of at least 128 bits
///
/// Checks each reset token's size (alphabet and length: at least 128 bits).
#[then(regex = r"^([^\s']+)'s reset links carry tokens of at least 128 bits$")]
async fn strong_tokens(w: &mut AuthWorld, name: String) -> StepResult {
    let links = actor(w, &name)?.reset_links.clone();
    check(Assertion::ResetCount, !links.is_empty(), || format!("{name} received no reset link"))?;
    for (_, token) in &links {
        let bits = token_bits(token);
        check(Assertion::ResetTokenBits, bits >= 128.0, || {
            format!("a reset token of {} characters carries at most {bits:.0} bits", token.chars().count())
        })?;
    }
    Ok(())
}

/// Then Arya's reset links carry a new token each
///
/// Checks that no two of the actor's reset tokens are equal (at least two are needed).
#[then(regex = r"^([^\s']+)'s reset links carry a new token each$")]
async fn distinct_tokens(w: &mut AuthWorld, name: String) -> StepResult {
    let links = actor(w, &name)?.reset_links.clone();
    check(Assertion::ResetCount, links.len() >= 2, || {
        format!("{name} received {} reset links; the step compares at least two", links.len())
    })?;
    let distinct: std::collections::BTreeSet<_> = links.iter().map(|(_, t)| t).collect();
    check(Assertion::ResetDistinct, distinct.len() == links.len(), || "two reset requests mailed the same token".into())
}

/// Completes a reset as `holder` (whose context the request gets: e-mail,
/// login) with `link` and `token`, and a fresh password; the exchange is
/// recorded and the new password returned.
async fn complete(w: &mut AuthWorld, holder: &str, link: &str, token: &str) -> Result<(bool, String), ClientError> {
    let new = password(w, holder);
    let ctx = w.ctx();
    let mut vars = actor(w, holder)?.context();
    vars.insert("link".into(), json!(link));
    vars.insert("reset_token".into(), json!(token));
    vars.insert("password".into(), json!(new));
    let ex = ctx.client.target.call("password_reset.complete", &vars, None).await?;
    let accepted = ex.accepted;
    w.record(ex);
    Ok((accepted, new))
}

/// When Arya sets a new password with the link
///
/// Completes the reset with the last mailed link's token and a fresh password.
#[when(regex = r"^([^\s']+) sets a new password with the link(?: again)?$")]
async fn sets_password(w: &mut AuthWorld, name: String) -> StepResult {
    let (link, token) = last_link(w, &name)?;
    let (accepted, new) = complete(w, &name, &link, &token).await?;
    if accepted {
        let a = actor(w, &name)?;
        a.previous_password = a.password.replace(new);
    }
    Ok(())
}

/// When Arya sets a new password with a made-up token
///
/// Completes a reset with a random 256-bit token the target never issued (and no link), and a fresh password.
#[when(regex = r"^([^\s']+) sets a new password with a made-up token$")]
async fn sets_password_made_up(w: &mut AuthWorld, name: String) -> StepResult {
    use rand::RngCore;
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    complete(w, &name, "", &hex::encode(raw)).await.map(|_| ())
}

/// When Gendry sets a new password for Arya with his link
///
/// Completes a reset in the second actor's name (their e-mail and login in the request) with the first actor's own mailed token: one account holder's attack on another's account. The recorded request must carry the victim's e-mail.
#[when(regex = r"^([^\s']+) sets a new password for ([^\s']+) with (?:her|his|their) link$")]
async fn sets_password_for_other(w: &mut AuthWorld, attacker: String, victim: String) -> StepResult {
    let (link, token) = last_link(w, &attacker)?;
    let email = actor(w, &victim)?.email.clone();
    complete(w, &victim, &link, &token).await?;
    let ex = super::checks::last(w)?;
    let encoded = email.replace('@', "%40");
    let carries = |s: &str| s.contains(&email) || s.contains(&encoded);
    let sent = carries(&ex.url) || ex.request_body.as_deref().is_some_and(carries);
    super::checks::attack_sent(sent, "password_reset.complete", &format!("{victim}'s e-mail (`email`)"))
}

#[cfg(test)]
mod tests {
    use super::token_bits;

    #[test]
    fn token_bits_follow_the_alphabet() {
        assert!(token_bits("123456") < 20.0);
        assert_eq!(token_bits(&"a".repeat(32)), 128.0);
        assert_eq!(token_bits(&"Q".repeat(26)), 130.0);
        assert_eq!(token_bits(&"z".repeat(22)), 132.0);
        assert!(token_bits(&"Z_-".repeat(7)) < 128.0);
    }
}
