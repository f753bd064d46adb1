//! Sessions and keys: tokens issued, reused, aged and tampered with, and
//! the public keys on the data owner.
use cucumber::{then, when};
use serde_json::json;

use super::actors::actor;
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::client::{self, ClientError};
use crate::operation::Credentials;
use crate::world::AuthWorld;

async fn owner_keys(w: &mut AuthWorld, name: &str) -> Result<Vec<String>, ClientError> {
    let ctx = w.ctx();
    let a = actor(w, name)?;
    let creds = client::session(a)?;
    let mut vars = a.context();
    vars.insert("data_owner_id".into(), json!(a.data_owner_id.clone().unwrap_or_default()));
    let ex = ctx.client.target.expect("data_owner.get", &vars, Some(&creds)).await?;
    let keys: Vec<String> = ex
        .get("public_keys")
        .map(|raw| serde_json::from_str::<Vec<String>>(raw).unwrap_or_else(|_| vec![raw.to_string()]))
        .unwrap_or_default();
    w.record(ex);
    Ok(keys)
}

/// Then Daenerys's public key is published on her data owner
///
/// Checks that the actor's public key is on their data owner.
#[then(regex = r"^([^\s']+)'s public key is published on (?:her|his|their) data owner$")]
async fn key_published(w: &mut AuthWorld, name: String) -> StepResult {
    let keys = owner_keys(w, &name).await?;
    let mine = actor(w, &name)?.key.as_ref().map(|k| k.public_hex().to_string()).unwrap_or_default();
    check(Assertion::KeyListed, keys.contains(&mine), || {
        format!("the data owner lists {} key(s), none of them {name}'s", keys.len())
    })
}

/// Then Daenerys's data owner still has exactly her one public key
///
/// Checks that signing in again did not add a public key.
#[then(regex = r"^([^\s']+)'s data owner still has exactly (?:her|his|their) one public key$")]
async fn key_unchanged(w: &mut AuthWorld, name: String) -> StepResult {
    let keys = owner_keys(w, &name).await?;
    let mine = actor(w, &name)?.key.as_ref().map(|k| k.public_hex().to_string()).unwrap_or_default();
    check(Assertion::OnlyKey, keys == vec![mine], || {
        format!("the data owner lists {} key(s); expected exactly {name}'s one key", keys.len())
    })
}

/// Then Daenerys has a new token, different from the previous one
///
/// Checks that the actor's latest token differs from the one before.
#[then(regex = r"^([^\s']+) has a new token, different from the previous one$")]
async fn new_token(w: &mut AuthWorld, name: String) -> StepResult {
    let a = actor(w, &name)?;
    let n = a.tokens.len();
    // The sign-in steps fail when no token comes, so this guards the step's use, not the target.
    if n < 2 {
        return Err(ClientError::Expectation(format!("{name} signed in {n} time(s); the step compares two tokens")));
    }
    check(Assertion::NewToken, a.tokens[n - 1] != a.tokens[n - 2], || "the sign-in gave the same token again".into())
}

pub(super) async fn whoami(w: &mut AuthWorld, name: &str, secret: String) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, name)?;
    let creds = Credentials { login: a.login().to_string(), secret };
    let ex = ctx.client.target.call("user.current", &a.context(), Some(&creds)).await?;
    w.record(ex);
    Ok(())
}

/// When Daenerys comes back with her stored token and key pair
///
/// Authenticates with the stored token, no code, and reads the data owner with the stored key pair.
#[when(regex = r"^([^\s']+) comes back with (?:her|his|their) stored token and key pair$")]
async fn comes_back(w: &mut AuthWorld, name: String) -> StepResult {
    let token = client::session(actor(w, &name)?)?.secret;
    whoami(w, &name, token).await?;
    let ctx = w.ctx();
    let last = w.last_exchange().expect("recorded");
    check(Assertion::StoredTokenAccepted, last.accepted, || {
        format!("the stored token was refused: {}", last.summary(&ctx.client.redactor))
    })?;
    let seen = last.get("user_id").map(str::to_string);
    let a = actor(w, &name)?;
    check(Assertion::SameUser, seen == a.user_id, || format!("the token authenticates another user than {name}"))?;
    // initUserCrypto(false, stored pair): the same key, so nothing is published.
    let AuthWorld { actors, exchanges, .. } = w;
    let a = actors.get_mut(&name).expect("checked above");
    client::publish_key_if_missing(&ctx.client, a, exchanges).await
}

/// When Daenerys presents her token with its last character changed
///
/// Presents the actor's token with one character changed.
#[when(regex = r"^([^\s']+) presents (?:her|his|their) token with its last character changed$")]
async fn tampered(w: &mut AuthWorld, name: String) -> StepResult {
    let mut token = client::session(actor(w, &name)?)?.secret;
    if let Some(jwt) = crate::crypto::IssuedJwt::parse(&token) {
        // A JWT signature's last character may carry padding bits only,
        // which lenient base64url decoders (Python's `base64`, Go's without
        // `Strict`) ignore: change one in the middle, where every bit counts.
        token = jwt.signature_altered();
    } else {
        let last = token.pop().unwrap_or('A');
        token.push(if last == 'A' { 'B' } else { 'A' });
    }
    whoami(w, &name, token).await
}

/// When Daenerys presents her one-time code as her credential
///
/// Authenticates `user.current` with the actor's login and the last code she received, in place of her token: once a token was issued with it, the code must authenticate nothing (a code read over a shoulder or from a mail log).
#[when(regex = r"^([^\s']+) presents (?:her|his|their) one-time code as (?:her|his|their) credential$")]
async fn code_as_credential(w: &mut AuthWorld, name: String) -> StepResult {
    let a = actor(w, &name)?;
    let code = a.codes.last().cloned().ok_or_else(|| ClientError::Expectation(format!("{name} received no code")))?;
    whoami(w, &name, code).await
}

/// When Daenerys presents Cersei's token with her own login
///
/// Authenticates with the actor's login and another actor's (valid) token.
#[when(regex = r"^([^\s']+) presents ([^\s']+)'s token with (?:her|his|their) own login$")]
async fn borrowed(w: &mut AuthWorld, name: String, other: String) -> StepResult {
    let token = client::session(actor(w, &other)?)?.secret;
    whoami(w, &name, token).await
}

/// Then the token does not authenticate Daenerys
///
/// Checks the last `user.current`: refused (a declared refusal, beside an accepted one), or accepted as another user (a scheme that sends no login, a bearer token, authenticates the token's own user, which is right).
#[then(regex = r"^the token does not authenticate ([^\s']+)$")]
async fn not_authenticated_as(w: &mut AuthWorld, name: String) -> StepResult {
    let ex = super::checks::last(w)?;
    if !ex.accepted {
        return super::checks::refused(w, &format!("another user's token presented by {name}"));
    }
    let seen = ex.get("user_id").map(str::to_string).ok_or_else(|| {
        ClientError::Expectation(
            "user.current was accepted but extracts no `user_id`: whom the token authenticates cannot be told".into(),
        )
    })?;
    let summary = ex.summary(&w.ctx().client.redactor);
    let mine = actor(w, &name)?.user_id.clone();
    check(Assertion::NotPresenter, mine.as_deref() != Some(seen.as_str()), || {
        format!("another user's token authenticated {name}: {summary}")
    })
}

/// Then Daenerys's token is refused
///
/// Checks whether the target accepts the actor's token.
#[then(regex = r"^([^\s']+)'s token is (accepted|refused)$")]
pub(super) async fn token_is(w: &mut AuthWorld, name: String, verdict: String) -> StepResult {
    let token = client::session(actor(w, &name)?)?.secret;
    whoami(w, &name, token).await?;
    if verdict == "accepted" {
        super::checks::accepted(w, &format!("{name}'s token"))
    } else {
        super::checks::refused(w, &format!("{name}'s token"))
    }
}
