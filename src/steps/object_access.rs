//! Object-level access, as a security reviewer tries it on every operation
//! that names an object (features/security/objects.feature): one signed-in
//! user acting on another's data owner or user id with her own, valid
//! credentials. Each attack is refused, and its object is read back by its
//! owner afterwards, unchanged.
use cucumber::{then, when};
use serde_json::json;

use super::actors::actor;
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::{self, check, ClientError};
use crate::world::AuthWorld;

/// The data owner id of `name`, or an error saying they never signed up.
fn owner_id(w: &AuthWorld, name: &str) -> Result<String, ClientError> {
    let a = w.actors.get(name).ok_or_else(|| ClientError::Expectation(format!("no actor {name}")))?;
    a.data_owner_id.clone().ok_or_else(|| ClientError::Expectation(format!("{name} has no data owner")))
}

/// Whether the last request named `id` (in its URL or its body).
fn named(w: &AuthWorld, id: &str) -> Result<(bool, String), ClientError> {
    let ex = super::checks::last(w)?;
    Ok((ex.url.contains(id) || ex.request_body.as_deref().is_some_and(|b| b.contains(id)), ex.operation.clone()))
}

/// When Cersei adds a key of her own to Daenerys's data owner
///
/// With her own token, the first actor adds her own public key to the second actor's data owner (`data_owner.add_key`): an end-to-end key injection, which would let her read everything shared with that owner from then on. The request must name the victim's data owner.
#[when(regex = r"^(\w+) adds a key of (?:her|his|their) own to (\w+)'s data owner$")]
async fn adds_key_to_other(w: &mut AuthWorld, attacker: String, victim: String) -> StepResult {
    let victim_owner = owner_id(w, &victim)?;
    let ctx = w.ctx();
    let a = actor(w, &attacker)?;
    let key = a.key.as_ref().ok_or_else(|| ClientError::Expectation(format!("{attacker} holds no key pair")))?;
    let mut vars = a.context();
    vars.insert("data_owner_id".into(), json!(victim_owner));
    vars.insert("public_key".into(), json!(key.public_hex()));
    let ex = ctx.client.target.call("data_owner.add_key", &vars, Some(&client::session(a)?)).await?;
    w.record(ex);
    let (sent, op) = named(w, &victim_owner)?;
    super::checks::attack_sent(sent, &op, &format!("{victim}'s data owner id (`data_owner_id`)"))
}

/// When Cersei stops Daenerys's sharing with Samwell
///
/// With her own token, the first actor ends the second's automatic sharing with a third (`data_owner.stop_sharing` on the victim's data owner): a change only the owner may make.
#[when(regex = r"^(\w+) stops (\w+)'s sharing with (\w+)$")]
async fn stops_others_sharing(w: &mut AuthWorld, attacker: String, victim: String, delegate: String) -> StepResult {
    let (victim_owner, delegate_owner) = (owner_id(w, &victim)?, owner_id(w, &delegate)?);
    let ctx = w.ctx();
    let a = actor(w, &attacker)?;
    let mut vars = a.context();
    vars.insert("data_owner_id".into(), json!(victim_owner));
    vars.insert("delegate_id".into(), json!(delegate_owner));
    let ex = ctx.client.target.call("data_owner.stop_sharing", &vars, Some(&client::session(a)?)).await?;
    w.record(ex);
    let (sent, op) = named(w, &victim_owner)?;
    super::checks::attack_sent(sent, &op, &format!("{victim}'s data owner id (`data_owner_id`)"))
}

/// When Cersei asks for a token for Daenerys's user id
///
/// With her own token, the first actor asks `token.create` for a token in the second actor's user id: a token minted so would sign her in as the victim.
#[when(regex = r"^(\w+) asks for a token for (\w+)'s user id$")]
async fn token_for_other(w: &mut AuthWorld, attacker: String, victim: String) -> StepResult {
    let victim_id = actor(w, &victim)?
        .user_id
        .clone()
        .ok_or_else(|| ClientError::Expectation(format!("{victim} has no user id")))?;
    let ctx = w.ctx();
    let a = actor(w, &attacker)?;
    let mut vars = a.context();
    vars.insert("user_id".into(), json!(victim_id));
    vars.insert("device_key".into(), json!(format!("{}-stolen", attacker.to_lowercase())));
    let ex = ctx.client.target.call("token.create", &vars, Some(&client::session(a)?)).await?;
    if let Some(t) = ex.get("token").filter(|t| !t.is_empty()) {
        // A token minted for the victim is a secret like any other.
        ctx.client.redactor.register(t, crate::redact::SecretKind::Token);
    }
    w.record(ex);
    let (sent, op) = named(w, &victim_id)?;
    super::checks::attack_sent(sent, &op, &format!("{victim}'s user id (`user_id`)"))
}

/// Then Daenerys's data owner still shares with Samwell
///
/// Reads the actor's data owner with her own token and checks the other actor's data owner is still in its `share_with`.
#[then(regex = r"^(\w+)'s data owner still shares with (\w+)$")]
async fn still_shares(w: &mut AuthWorld, name: String, delegate: String) -> StepResult {
    let delegate_owner = owner_id(w, &delegate)?;
    let id = owner_id(w, &name)?;
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let view = client::owner_view(&ctx.client, a, &id).await?;
    let shares = view.share_with.contains(&delegate_owner);
    w.record(view.exchange);
    check(Assertion::OwnerUnchanged, shares, || {
        format!("{name}'s data owner no longer shares with {delegate}: someone else's request changed it")
    })
}
