//! Password accounts, whichever family serves them: the `password` family's
//! own operations (`password.register`, `password.login`, `password.logout`)
//! where the target declares it, else a SnapMD partner's (`sso.register`,
//! `sso.login`). The password-reset scenarios speak through these steps, so
//! they certify a partner and a plain password service alike.
use cucumber::{given, then, when};
use serde_json::json;

use super::actors::actor;
use super::sso::{ensure_actor, password};
use super::StepResult;
use crate::client::{self, ClientError};
use crate::profile::{Family, Lifetime};
use crate::redact::SecretKind;
use crate::world::AuthWorld;

/// The target's own password accounts (`password` family), rather than a partner's.
fn own_accounts(w: &AuthWorld) -> bool {
    w.ctx().client.target.profile().families.contains(&Family::Password)
}

/// Registers the actor with `pw` and records the answer as `{name}@register`.
pub(super) async fn register(w: &mut AuthWorld, name: &str, pw: &str) -> StepResult {
    if !own_accounts(w) {
        return super::sso::register_partner(w, name, pw).await;
    }
    let ctx = w.ctx();
    let a = actor(w, name)?;
    let mut vars = a.context();
    vars.insert("email".into(), json!(a.email.clone()));
    vars.insert("password".into(), json!(pw));
    vars.insert("first_name".into(), json!(a.name.clone()));
    vars.insert("last_name".into(), json!("Conformance"));
    let ex = ctx.client.target.call("password.register", &vars, None).await?;
    w.record_reply(format!("{name}@register"), ex);
    Ok(())
}

/// Signs the actor in with `pw`; the answer is recorded as `{name}@login`,
/// and an accepted one's session token kept as the actor's token.
pub(super) async fn sign_in(w: &mut AuthWorld, name: &str, pw: String) -> StepResult {
    if !own_accounts(w) {
        return super::sso::login_as(w, name, pw).await;
    }
    let ctx = w.ctx();
    let a = actor(w, name)?;
    let mut vars = a.context();
    vars.insert("email".into(), json!(a.email.clone()));
    vars.insert("password".into(), json!(pw));
    let sent = std::time::Instant::now();
    let ex = ctx.client.target.call("password.login", &vars, None).await?;
    let token = ex.get("token").filter(|t| !t.is_empty()).map(str::to_string);
    if let Some(t) = &token {
        ctx.client.redactor.register(t, SecretKind::Token);
        if let Some(jwt) = crate::crypto::IssuedJwt::parse(t) {
            let _ = ctx.jwt_seen.set(jwt.describe());
        }
    }
    if ex.accepted {
        let a = actor(w, name)?;
        a.remember(&ex);
        if token.is_some() {
            a.born.insert(Lifetime::Token, client::Born::between(sent));
        }
        a.tokens.extend(token);
    }
    w.record_reply(format!("{name}@login"), ex);
    Ok(())
}

/// Given Arya has an account
///
/// Registers the actor with a fresh random password (`password.register`, or a partner's `sso.register`) and expects it accepted.
#[given(regex = r"^([^\s']+) has an account$")]
async fn has_account(w: &mut AuthWorld, name: String) -> StepResult {
    registers(w, name).await?;
    super::checks::accepted(w, "the registration")
}

/// When Arya registers with a password
///
/// Registers the actor with a fresh random password; the answer is left for the next steps to check.
#[when(regex = r"^([^\s']+) registers with a password$")]
pub(super) async fn registers(w: &mut AuthWorld, name: String) -> StepResult {
    ensure_actor(w, &name);
    let pw = password(w, &name);
    register(w, &name, &pw).await?;
    if super::checks::last(w)?.accepted {
        actor(w, &name)?.password = Some(pw);
    }
    Ok(())
}

/// When Arya signs in with her password
///
/// Signs in with the actor's password, a wrong one, or the one before the last reset (`password.login`, or a partner's `sso.login`).
#[when(regex = r"^([^\s']+) signs in with (a wrong|(?:her|his|their)(?: old)?) password$")]
async fn signs_in(w: &mut AuthWorld, name: String, which: String) -> StepResult {
    ensure_actor(w, &name);
    let a = actor(w, &name)?;
    let pw = match (which.as_str(), a.password.clone(), a.previous_password.clone()) {
        ("a wrong", _, _) => password(w, &name),
        (w_, _, Some(old)) if w_.ends_with("old") => old,
        (w_, _, None) if w_.ends_with("old") => {
            return Err(ClientError::Expectation(format!("{name} has not reset a password yet")))
        }
        (_, Some(pw), _) => pw,
        // An actor without an account signs in with a password of their own: an unknown e-mail.
        (_, None, _) => password(w, &name),
    };
    sign_in(w, &name, pw).await
}

/// Then Arya is signed in
///
/// Checks that the last sign-in was accepted and, for the target's own accounts, gave a session token.
#[then(regex = r"^([^\s']+) is signed in$")]
async fn is_signed_in(w: &mut AuthWorld, name: String) -> StepResult {
    super::checks::accepted(w, &format!("{name}'s sign-in"))?;
    if own_accounts(w) {
        client::session(actor(w, &name)?)?;
    }
    Ok(())
}

/// When Arya signs out
///
/// Ends the actor's session with `password.logout`, presenting the session token.
#[when(regex = r"^([^\s']+) signs out$")]
async fn signs_out(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let creds = client::session(a)?;
    let ex = ctx.client.target.call("password.logout", &a.context(), Some(&creds)).await?;
    w.record(ex);
    Ok(())
}

/// When Arya changes her password
///
/// Changes the actor's password with `password.change`, signed in with the latest session token; an accepted change makes the new password the actor's and the old one "her old password", and a session token it answers (Django renews the session) the actor's token.
#[when(regex = r"^([^\s']+) changes (?:her|his|their) password$")]
async fn changes_password(w: &mut AuthWorld, name: String) -> StepResult {
    let new = password(w, &name);
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let creds = client::session(a)?;
    let old = a.password.clone().ok_or_else(|| ClientError::Expectation(format!("{name} has no password")))?;
    let mut vars = a.context();
    vars.insert("current_password".into(), json!(old));
    vars.insert("password".into(), json!(new));
    let sent = std::time::Instant::now();
    let ex = ctx.client.target.call("password.change", &vars, Some(&creds)).await?;
    if ex.accepted {
        let renewed = ex.get("token").filter(|t| !t.is_empty()).map(str::to_string);
        let a = actor(w, &name)?;
        a.previous_password = a.password.replace(new);
        a.remember(&ex);
        if let Some(t) = renewed {
            ctx.client.redactor.register(&t, SecretKind::Token);
            a.tokens.push(t);
            a.born.insert(Lifetime::Token, client::Born::between(sent));
        }
    }
    w.record(ex);
    Ok(())
}

/// Then Arya's first token is refused
///
/// Presents the first session token the actor got in the scenario to `user.current` and checks it is refused (a declared refusal, beside an accepted one).
#[then(regex = r"^([^\s']+)'s first token is refused$")]
async fn first_token_refused(w: &mut AuthWorld, name: String) -> StepResult {
    let first = actor(w, &name)?
        .tokens
        .first()
        .cloned()
        .ok_or_else(|| ClientError::Expectation(format!("{name} holds no session token")))?;
    super::session::whoami(w, &name, first).await?;
    super::checks::refused(w, &format!("{name}'s first token"))
}

/// Then the sign-in answers to Arya and Gendry were the same
///
/// Compares the two actors' last sign-in answers: each accepted or a declared refusal, then status, body and headers.
#[then(regex = r"^the sign-in answers to ([^\s']+) and ([^\s']+) were the same$")]
async fn same_sign_in_answers(w: &mut AuthWorld, a: String, b: String) -> StepResult {
    super::reply::compare_answers(w, &format!("{a}@login"), &format!("{b}@login"))
}
