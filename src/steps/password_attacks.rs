//! What a security reviewer tries on password accounts (features/security/):
//! long passwords in several scripts, near misses of a long password (a
//! target that hashes a prefix, as bcrypt does past 72 bytes, lets them
//! in), and registering again with an e-mail that is taken.
use cucumber::{given, then, when};
use rand::seq::SliceRandom;

use super::actors::actor;
use super::password::{register, sign_in};
use super::sso::{ensure_actor, password};
use super::StepResult;
use crate::client::ClientError;
use crate::redact::SecretKind;
use crate::world::AuthWorld;

/// NIST SP 800-63B 5.1.1.2: verifiers accept at least 64 characters.
const LONG: usize = 64;

/// Letters of several scripts, two to four bytes each in UTF-8, so a long
/// password runs well past the 72 bytes some hashes silently keep.
const SCRIPTS: &[char] =
    &['é', 'ß', 'ø', 'ñ', 'Ω', 'λ', 'Ж', 'д', 'ש', 'ع', 'ह', 'ก', '日', '本', '한', '글', '€', '😀'];

/// A fresh password of `LONG` characters: a random ASCII head (unique per
/// call) and letters of several scripts, registered with the redactor.
fn long_password(w: &AuthWorld) -> String {
    let head = format!("pw-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let mut rng = rand::thread_rng();
    let tail: String = (head.chars().count()..LONG).map(|_| *SCRIPTS.choose(&mut rng).unwrap_or(&'é')).collect();
    let pw = head + &tail;
    w.ctx().client.redactor.register(&pw, SecretKind::Password);
    pw
}

/// Whether `body` (or the URL) carried `pw`: as it is, JSON-escaped, or
/// form-encoded.
fn carried(ex: &crate::operation::Exchange, pw: &str) -> bool {
    let json = serde_json::to_string(pw).unwrap_or_default();
    let json = json.trim_matches('"');
    let form: String = url::form_urlencoded::byte_serialize(pw.as_bytes()).collect();
    let carries = |s: &str| s.contains(pw) || s.contains(json) || s.contains(&form);
    carries(&ex.url) || ex.request_body.as_deref().is_some_and(carries)
}

/// Registers `name` with a long password in several scripts; an accepted
/// one becomes the actor's password.
async fn register_long(w: &mut AuthWorld, name: &str) -> StepResult {
    ensure_actor(w, name);
    let pw = long_password(w);
    register(w, name, &pw).await?;
    let ex = super::checks::last(w)?;
    let (sent, accepted, operation) = (carried(ex, &pw), ex.accepted, ex.operation.clone());
    super::checks::attack_sent(sent, &operation, &format!("the {LONG}-character password (`password`)"))?;
    if accepted {
        actor(w, name)?.password = Some(pw);
    }
    Ok(())
}

/// When Arya registers with a long password in several scripts
///
/// Registers with a fresh 64-character password mixing ASCII with letters of several scripts (well over 72 bytes of UTF-8), and checks the request carried it whole; the answer is left for the next steps.
#[when(regex = r"^([^\s']+) registers with a long password in several scripts$")]
async fn registers_long(w: &mut AuthWorld, name: String) -> StepResult {
    register_long(w, &name).await
}

/// Given Arya has an account with a long password in several scripts
///
/// Registers as "registers with a long password in several scripts" does and expects it accepted.
#[given(regex = r"^([^\s']+) has an account with a long password in several scripts$")]
async fn has_long_account(w: &mut AuthWorld, name: String) -> StepResult {
    register_long(w, &name).await?;
    super::checks::accepted(w, "the registration with a long password")
}

/// The actor's password, or an error saying there is none.
fn own_password(w: &AuthWorld, name: &str) -> Result<String, ClientError> {
    let a = w.actors.get(name).ok_or_else(|| ClientError::Expectation(format!("no actor {name}")))?;
    a.password.clone().ok_or_else(|| ClientError::Expectation(format!("{name} has no password")))
}

/// When Arya signs in with her password with its last character changed
///
/// Signs in with the actor's password but for its last character: a target that compares a prefix (bcrypt keeps 72 bytes) lets it in.
#[when(regex = r"^([^\s']+) signs in with (?:her|his|their) password with its last character changed$")]
async fn signs_in_last_changed(w: &mut AuthWorld, name: String) -> StepResult {
    let pw = own_password(w, &name)?;
    let last = pw.chars().last().unwrap_or('x');
    let other = SCRIPTS.iter().chain(['x', 'y'].iter()).find(|c| **c != last).copied().unwrap_or('z');
    let near: String = pw.chars().take(pw.chars().count() - 1).chain([other]).collect();
    w.ctx().client.redactor.register(&near, SecretKind::Password);
    sign_in(w, &name, near).await
}

/// When Arya signs in with the first half of her password
///
/// Signs in with the first half of the actor's password (at least 8 characters of a long one).
#[when(regex = r"^([^\s']+) signs in with the first half of (?:her|his|their) password$")]
async fn signs_in_half(w: &mut AuthWorld, name: String) -> StepResult {
    let pw = own_password(w, &name)?;
    let half: String = pw.chars().take(pw.chars().count() / 2).collect();
    w.ctx().client.redactor.register(&half, SecretKind::Password);
    sign_in(w, &name, half).await
}

/// When Mallory registers with Arya's e-mail and a password of his own
///
/// The first actor takes the second's e-mail address as their own and registers with a fresh password, which stays theirs whatever the answer; signing in as the first actor then uses that e-mail and that password.
#[when(regex = r"^([^\s']+) registers with ([^\s']+)'s e-mail and a password of (?:her|his|their) own$")]
async fn registers_taken_email(w: &mut AuthWorld, attacker: String, victim: String) -> StepResult {
    let email = actor(w, &victim)?.email.clone();
    ensure_actor(w, &attacker);
    let pw = password(w, &attacker);
    let a = actor(w, &attacker)?;
    a.email = email;
    a.password = Some(pw.clone());
    register(w, &attacker, &pw).await
}

/// When Arya signs in with a quote and an SQL comment after her e-mail
///
/// Signs in with the actor's password and her e-mail followed by `'--`: the first thing a reviewer types to see whether the login query breaks. The request must carry it; the answer is left for the next steps (a refusal, and no internals in it).
#[when(regex = r"^([^\s']+) signs in with a quote and an SQL comment after (?:her|his|their) e-mail$")]
async fn signs_in_sql_fragment(w: &mut AuthWorld, name: String) -> StepResult {
    let pw = own_password(w, &name)?;
    let a = actor(w, &name)?;
    let email = std::mem::take(&mut a.email);
    a.email = format!("{email}'--");
    let signed = sign_in(w, &name, pw).await;
    actor(w, &name)?.email = email;
    signed?;
    let ex = super::checks::last(w)?;
    let carries = |s: &str| s.contains("'--") || s.contains("%27--") || s.contains("\\u0027--");
    let sent = carries(&ex.url) || ex.request_body.as_deref().is_some_and(carries);
    let operation = ex.operation.clone();
    super::checks::attack_sent(sent, &operation, "the quote and SQL comment after the e-mail")
}

/// Then the target does not break
///
/// Checks that the last answer is not a server error, whether it accepted or refused: where either is right, only breaking is wrong.
#[then(regex = r"^the target does not break$")]
async fn does_not_break(w: &mut AuthWorld) -> StepResult {
    let ex = super::checks::last(w)?;
    match ex.broke() {
        true => Err(super::checks::broke(w, ex, "an acceptance or a refusal")),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_runs_long_passwords_past_72_bytes() {
        let shortest = SCRIPTS.iter().map(|c| c.len_utf8()).min().unwrap();
        assert!(shortest >= 2);
        assert!(15 + (LONG - 15) * shortest > 72);
    }
}
