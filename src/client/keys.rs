//! Key recovery as the SDK does it (docs/icure-protocol.md §4): reading
//! KEY_PAIR_UPDATE notifications, giving access back for a new key, and
//! transfer keys between an actor's devices.
use serde_json::json;

use super::actor::Actor;
use super::context::ClientContext;
use super::error::ClientError;
use super::otp::session;
use super::samples::{fetch_sample, owner_view};
use crate::crypto::{content_key, encrypt_for_hex, fingerprint_of, new_aes_key, open_blob, seal_blob, KeyPair};
use crate::operation::Exchange;

/// A pending notification, as the profile's parallel extractions give it.
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub concerned_id: String,
    pub concerned_key: String,
}

fn strings(ex: &Exchange, name: &str) -> Vec<String> {
    ex.get(name)
        .and_then(|r| serde_json::from_str::<Vec<serde_json::Value>>(r).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// The actor's pending notifications.
pub async fn pending_notifications(
    ctx: &ClientContext,
    actor: &Actor,
) -> Result<(Exchange, Vec<Notification>), ClientError> {
    let ex = ctx.target.expect("notifications.pending", &actor.context(), Some(&session(actor)?)).await?;
    let (ids, kinds, who, keys) = (
        strings(&ex, "task_ids"),
        strings(&ex, "task_types"),
        strings(&ex, "concerned_ids"),
        strings(&ex, "concerned_keys"),
    );
    let list = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| Notification {
            id,
            kind: kinds.get(i).cloned().unwrap_or_default(),
            concerned_id: who.get(i).cloned().unwrap_or_default(),
            concerned_key: keys.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    Ok((ex, list))
}

/// The sample ids a `data_sample.list` reply listed (its `sample_ids`).
pub fn listed_ids(ex: &Exchange) -> Vec<String> {
    strings(ex, "sample_ids")
}

/// The ids of owner `owner_id`'s samples that `reader` can list.
pub async fn list_samples(
    ctx: &ClientContext,
    reader: &Actor,
    owner_id: &str,
) -> Result<(Exchange, Vec<String>), ClientError> {
    let mut vars = reader.context();
    vars.insert("data_owner_id".into(), json!(owner_id));
    let ex = ctx.target.expect("data_sample.list", &vars, Some(&session(reader)?)).await?;
    let ids = listed_ids(&ex);
    Ok((ex, ids))
}

/// Asks for owner `owner_id`'s samples as `reader`, who may be refused;
/// the listed ids when the list was accepted.
pub async fn try_list_samples(
    ctx: &ClientContext,
    reader: &Actor,
    owner_id: Option<&str>,
) -> Result<(Exchange, Option<Vec<String>>), ClientError> {
    let mut vars = reader.context();
    if let Some(id) = owner_id {
        vars.insert("data_owner_id".into(), json!(id));
    }
    let ex = ctx.target.call("data_sample.list", &vars, Some(&session(reader)?)).await?;
    let ids = ex.accepted.then(|| listed_ids(&ex));
    Ok((ex, ids))
}

/// Adds, for `new_key` of `owner_id`, a wrapped copy of the content key of
/// every sample of that owner `giver` can unwrap itself (`giveAccessBackTo`).
/// Returns the exchanges and how many samples were given back.
pub async fn give_access_back(
    ctx: &ClientContext,
    giver: &Actor,
    owner_id: &str,
    new_key: &str,
) -> Result<(Vec<Exchange>, usize), ClientError> {
    let (list, ids) = list_samples(ctx, giver, owner_id).await?;
    let mut log = vec![list];
    let mut given = 0;
    for id in ids {
        let (ex, envelope) = fetch_sample(ctx, giver, &id).await?;
        log.push(ex);
        let Some(envelope) = envelope else { continue };
        // Only what the giver can itself decrypt can be given back.
        let Ok(key) = content_key(&envelope, &giver.keyring()) else { continue };
        let hash = giver.key.as_ref().or(giver.extra_keys.first()).map(KeyPair::hash).unwrap_or_default();
        let wrapped = encrypt_for_hex(new_key, hash, &key)?;
        let mut vars = giver.context();
        vars.insert("sample_id".into(), json!(id));
        vars.insert("data_owner_id".into(), json!(owner_id));
        vars.insert("fingerprint".into(), json!(fingerprint_of(new_key)));
        vars.insert("wrapped_key".into(), json!(hex::encode(wrapped)));
        log.push(ctx.target.expect("data_sample.add_key", &vars, Some(&session(giver)?)).await?);
        given += 1;
    }
    Ok((log, given))
}

pub async fn complete_notification(ctx: &ClientContext, actor: &Actor, id: &str) -> Result<Exchange, ClientError> {
    let mut vars = actor.context();
    vars.insert("task_id".into(), json!(id));
    Ok(ctx.target.expect("notifications.complete", &vars, Some(&session(actor)?)).await?)
}

/// On a device with a new key: for every other public key of the owner,
/// publishes the new private key encrypted so that the holder of that old
/// key (another device) can recover it.
pub async fn publish_transfer_keys(ctx: &ClientContext, actor: &Actor) -> Result<Vec<Exchange>, ClientError> {
    let key = actor.key_pair()?;
    let owner = actor.data_owner_id.clone().ok_or_else(|| ClientError::Expectation("no data owner id".into()))?;
    let view = owner_view(ctx, actor, &owner).await?;
    let mut log = vec![view.exchange];
    let private = key.private_pkcs8_hex();
    for old in view.public_keys.iter().filter(|k| *k != key.public_hex()) {
        let k = new_aes_key();
        let mut vars = actor.context();
        vars.insert("data_owner_id".into(), json!(owner));
        vars.insert("from_fingerprint".into(), json!(fingerprint_of(old)));
        vars.insert("to_fingerprint".into(), json!(key.fingerprint()));
        vars.insert("wrapped_key".into(), json!(hex::encode(encrypt_for_hex(old, key.hash(), &k)?)));
        vars.insert("encrypted_private_key".into(), json!(seal_blob(&k, private.as_bytes())?));
        log.push(ctx.target.expect("data_owner.add_transfer_key", &vars, Some(&session(actor)?)).await?);
    }
    Ok(log)
}

/// On a device holding an old key: recovers the new keys published for it.
/// Returns the exchange and how many keys were recovered.
pub async fn take_transfer_keys(ctx: &ClientContext, actor: &mut Actor) -> Result<(Exchange, usize), ClientError> {
    let owner = actor.data_owner_id.clone().ok_or_else(|| ClientError::Expectation("no data owner id".into()))?;
    let view = owner_view(ctx, actor, &owner).await?;
    let mut recovered = Vec::new();
    for held in actor.keyring() {
        let Some(entries) = view.transfer_keys.get(held.fingerprint()).and_then(|e| e.as_object()) else { continue };
        for entry in entries.values() {
            let wrapped = entry.get("wrappedKey").and_then(|v| v.as_str()).unwrap_or_default();
            let blob = entry.get("encryptedPrivateKey").and_then(|v| v.as_str()).unwrap_or_default();
            let wrapped =
                hex::decode(wrapped).map_err(|e| ClientError::Expectation(format!("transfer key is not hex: {e}")))?;
            let k = held.decrypt(&wrapped)?;
            let pkcs8 = open_blob(&k, blob)?;
            let pkcs8 = String::from_utf8(pkcs8)
                .map_err(|_| ClientError::Expectation("transferred key is not hex text".into()))?;
            let key = KeyPair::from_pkcs8_hex(&pkcs8, held.hash())?;
            ctx.redactor.register(&pkcs8, crate::redact::SecretKind::PrivateKey);
            recovered.push(key);
        }
    }
    let n = recovered.len();
    for key in recovered {
        if !actor.keyring().iter().any(|k| k.public_hex() == key.public_hex()) {
            actor.extra_keys.push(key);
        }
    }
    Ok((view.exchange, n))
}

/// Stops sharing new data with `delegate_id`.
pub async fn stop_sharing(ctx: &ClientContext, actor: &Actor, delegate_id: &str) -> Result<Exchange, ClientError> {
    let mut vars = actor.context();
    vars.insert("data_owner_id".into(), json!(actor.data_owner_id.clone().unwrap_or_default()));
    vars.insert("delegate_id".into(), json!(delegate_id));
    Ok(ctx.target.expect("data_owner.stop_sharing", &vars, Some(&session(actor)?)).await?)
}
