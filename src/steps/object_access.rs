//! Object-level access, as a security reviewer tries it on every operation
//! that names an object (features/security/objects.feature): one signed-in
//! user acting on another's data owner, transfer keys, notification or user
//! id with her own, valid credentials. Each attack is refused, and its object is read back by its
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

/// Calls `operation` as `attacker`, with her own token, on `victim`'s data
/// owner (`data_owner_id`) and the `extra` variables; the request must
/// name that data owner, or the attack was never sent.
async fn on_victims_owner(
    w: &mut AuthWorld,
    attacker: &str,
    victim: &str,
    operation: &str,
    extra: Vec<(&str, serde_json::Value)>,
) -> StepResult {
    let victim_owner = owner_id(w, victim)?;
    let ctx = w.ctx();
    let a = actor(w, attacker)?;
    let mut vars = a.context();
    vars.insert("data_owner_id".into(), json!(victim_owner));
    vars.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    let ex = ctx.client.target.call(operation, &vars, Some(&client::session(a)?)).await?;
    w.record(ex);
    let (sent, op) = named(w, &victim_owner)?;
    super::checks::attack_sent(sent, &op, &format!("{victim}'s data owner id (`data_owner_id`)"))
}

/// The fingerprint of the actor's key pair.
fn fingerprint(w: &mut AuthWorld, name: &str) -> Result<String, ClientError> {
    actor(w, name)?
        .key
        .as_ref()
        .map(|k| k.fingerprint().to_string())
        .ok_or_else(|| ClientError::Expectation(format!("{name} holds no key pair")))
}

/// When Cersei adds a key of her own to Daenerys's data owner
///
/// With her own token, the first actor adds her own public key to the second actor's data owner (`data_owner.add_key`): an end-to-end key injection, which would let her read everything shared with that owner from then on. The request must name the victim's data owner.
#[when(regex = r"^([^\s']+) adds a key of (?:her|his|their) own to ([^\s']+)'s data owner$")]
async fn adds_key_to_other(w: &mut AuthWorld, attacker: String, victim: String) -> StepResult {
    let a = actor(w, &attacker)?;
    let key = a.key.as_ref().ok_or_else(|| ClientError::Expectation(format!("{attacker} holds no key pair")))?;
    let extra = vec![("public_key", json!(key.public_hex()))];
    on_victims_owner(w, &attacker, &victim, "data_owner.add_key", extra).await
}

/// When Cersei stops Daenerys's sharing with Samwell
///
/// With her own token, the first actor ends the second's automatic sharing with a third (`data_owner.stop_sharing` on the victim's data owner): a change only the owner may make.
#[when(regex = r"^([^\s']+) stops ([^\s']+)'s sharing with ([^\s']+)$")]
async fn stops_others_sharing(w: &mut AuthWorld, attacker: String, victim: String, delegate: String) -> StepResult {
    let extra = vec![("delegate_id", json!(owner_id(w, &delegate)?))];
    on_victims_owner(w, &attacker, &victim, "data_owner.stop_sharing", extra).await
}

/// When Cersei asks for a token for Daenerys's user id
///
/// With her own token, the first actor asks `token.create` for a token in the second actor's user id: a token minted so would sign her in as the victim.
#[when(regex = r"^([^\s']+) asks for a token for ([^\s']+)'s user id$")]
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
#[then(regex = r"^([^\s']+)'s data owner still shares with ([^\s']+)$")]
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

/// When Cersei adds a transfer key of her own to Daenerys's data owner
///
/// With her own token, the first actor adds a transfer key to the second actor's data owner: from the victim's key to her own, carrying a private key she chose. A device of the victim would take it for its own new key: the victim's data would then be shared with a key the attacker holds.
#[when(regex = r"^([^\s']+) adds a transfer key of (?:her|his|their) own to ([^\s']+)'s data owner$")]
async fn adds_transfer_key_to_other(w: &mut AuthWorld, attacker: String, victim: String) -> StepResult {
    let extra = vec![
        ("from_fingerprint", json!(fingerprint(w, &victim)?)),
        ("to_fingerprint", json!(fingerprint(w, &attacker)?)),
        // Content of the attacker's choosing: what it holds does not matter to the check.
        ("wrapped_key", json!(hex::encode([0x5a_u8; 32]))),
        ("encrypted_private_key", json!(hex::encode([0xa5_u8; 48]))),
    ];
    on_victims_owner(w, &attacker, &victim, "data_owner.add_transfer_key", extra).await
}

/// Then Daenerys's data owner holds no transfer key of Cersei's
///
/// Reads the actor's data owner with her own token and checks that none of its transfer keys leads to the other actor's key.
#[then(regex = r"^([^\s']+)'s data owner holds no transfer key of ([^\s']+)'s$")]
async fn no_foreign_transfer_key(w: &mut AuthWorld, name: String, attacker: String) -> StepResult {
    let theirs = fingerprint(w, &attacker)?;
    let id = owner_id(w, &name)?;
    let ctx = w.ctx();
    let view = client::owner_view(&ctx.client, actor(w, &name)?, &id).await?;
    let planted = view
        .transfer_keys
        .as_object()
        .is_some_and(|from| from.values().any(|to| to.as_object().is_some_and(|to| to.contains_key(&theirs))));
    w.record(view.exchange);
    check(Assertion::OwnerUnchanged, !planted, || {
        format!("{name}'s data owner holds a transfer key to {attacker}'s key: another user's request planted it")
    })
}

/// The id of `name`'s first pending KEY_PAIR_UPDATE, read with her own token.
async fn pending_update(w: &mut AuthWorld, name: &str) -> Result<String, ClientError> {
    let ctx = w.ctx();
    let (ex, list) = client::pending_notifications(&ctx.client, actor(w, name)?).await?;
    w.record(ex);
    list.iter()
        .find(|n| n.kind == "KEY_PAIR_UPDATE")
        .map(|n| n.id.clone())
        .ok_or_else(|| ClientError::Expectation(format!("{name} has no pending key pair update")))
}

/// When Cersei completes Samwell's key pair update
///
/// With her own token, the first actor marks the second actor's pending KEY_PAIR_UPDATE notification done (`notifications.complete` with its id): it would vanish before its recipient gave access back.
#[when(regex = r"^([^\s']+) completes ([^\s']+)'s key pair update$")]
async fn completes_others_update(w: &mut AuthWorld, attacker: String, victim: String) -> StepResult {
    let id = pending_update(w, &victim).await?;
    let ctx = w.ctx();
    let mut vars = actor(w, &attacker)?.context();
    vars.insert("task_id".into(), json!(id));
    let creds = client::session(actor(w, &attacker)?)?;
    let ex = ctx.client.target.call("notifications.complete", &vars, Some(&creds)).await?;
    w.record(ex);
    let (sent, op) = named(w, &id)?;
    super::checks::attack_sent(sent, &op, &format!("{victim}'s notification id (`task_id`)"))
}

/// When Samwell completes his key pair update
///
/// Marks the actor's own pending KEY_PAIR_UPDATE notification done (the positive control of another's attempt).
#[when(regex = r"^([^\s']+) completes (?:her|his|their) key pair update$")]
async fn completes_own_update(w: &mut AuthWorld, name: String) -> StepResult {
    let id = pending_update(w, &name).await?;
    let ctx = w.ctx();
    let ex = client::complete_notification(&ctx.client, actor(w, &name)?, &id).await?;
    w.record(ex);
    Ok(())
}
