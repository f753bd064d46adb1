//! A data owner's keys and who they concern (docs/icure-protocol.md §4):
//! public keys are appended, never replaced; a new key notifies every
//! delegate and delegator with a KEY_PAIR_UPDATE task; transfer keys let a
//! holder of an old key recover a new one; auto-sharing can be stopped.
use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;

use super::auth::authenticate;
use super::error::{ApiError, ApiResult};
use super::faults::Fault;
use super::server::{AppState, Shared};
use super::store::{new_rev, DataOwner, Task, TaskProperties};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewKey {
    public_key: String,
}

/// Only the data owner itself may change its keys and sharing (any
/// authenticated caller under the fault `unless`).
fn authenticate_owner(app: &AppState, headers: &HeaderMap, id: &str, unless: Option<Fault>) -> ApiResult<()> {
    let caller = authenticate(app, headers)?;
    if caller.data_owner_id != id && !unless.is_some_and(|f| app.config.has(f)) {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

fn bump(owner: &mut DataOwner) {
    let generation = owner.rev.split('-').next().and_then(|g| g.parse::<u32>().ok()).unwrap_or(1);
    owner.rev = new_rev(generation + 1);
}

/// `POST /rest/v2/dataowner/{id}/publicKeys {publicKey}`: only the owner, only
/// a real RSA SPKI of at least 2048 bits. A key added next to existing ones
/// notifies the owner's delegates and delegators.
pub async fn add_key(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<NewKey>>,
) -> ApiResult<Json<serde_json::Value>> {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    authenticate_owner(&app, &headers, &id, Some(Fault::ForeignKeyAccepted))?;
    let Json(body) = body.ok_or_else(|| ApiError::bad_request("invalid_body"))?;
    let der = hex::decode(&body.public_key).map_err(|_| ApiError::field("invalid_public_key", "publicKey"))?;
    let key =
        rsa::RsaPublicKey::from_public_key_der(&der).map_err(|_| ApiError::field("invalid_public_key", "publicKey"))?;
    if key.size() * 8 < 2048 {
        return Err(ApiError::field("public_key_too_short", "publicKey"));
    }
    let cfg = &app.config;
    let mut store = app.store();
    let owner = store.owners.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if cfg.has(Fault::KeyNotPublished) || owner.public_keys.contains(&body.public_key) {
        return Ok(Json(serde_json::to_value(&*owner).expect("data owner serialises")));
    }
    let had_keys = !owner.public_keys.is_empty();
    if cfg.has(Fault::KeyReplaces) {
        owner.public_keys.clear();
    }
    owner.public_keys.push(body.public_key.clone());
    bump(owner);
    let reply = serde_json::to_value(&*owner).expect("data owner serialises");
    if cfg.has(Fault::KeyEntriesCopied) {
        // The defect: "re-keying" records by copying entries the new key cannot open.
        let new_fp = body.public_key[body.public_key.len().saturating_sub(32)..].to_string();
        for sample in store.samples.values_mut().filter(|s| s.owner == id) {
            if let Some(mine) = sample.encryption_keys.get_mut(&id).and_then(|m| m.as_object_mut()) {
                if let Some(first) = mine.values().next().cloned() {
                    mine.insert(new_fp.clone(), first);
                }
            }
        }
    }
    if had_keys && !cfg.has(Fault::NoKeyNotification) {
        let recipients: Vec<String> = if cfg.has(Fault::NotifyOwnerOnly) {
            vec![id.clone()]
        } else {
            store.delegates_and_delegators(&id).into_iter().collect()
        };
        for recipient in recipients {
            store.tasks.push(Task {
                id: uuid::Uuid::new_v4().to_string(),
                recipient,
                task_type: "KEY_PAIR_UPDATE",
                status: "pending",
                properties: TaskProperties {
                    data_owner_concerned_id: id.clone(),
                    data_owner_concerned_pub_key: body.public_key.clone(),
                },
            });
        }
    }
    Ok(Json(reply))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTransferKey {
    from: String,
    to: String,
    /// hex(RSA-OAEP(old public key, k))
    wrapped_key: String,
    /// base64(nonce || AES-GCM(k, pkcs8(new private key)))
    encrypted_private_key: String,
}

/// `POST /rest/v2/dataowner/{id}/transferKeys`: only the owner.
pub async fn add_transfer_key(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<NewTransferKey>,
) -> ApiResult<Json<serde_json::Value>> {
    authenticate_owner(&app, &headers, &id, Some(Fault::ForeignTransferKey))?;
    let mut store = app.store();
    let owner = store.owners.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if !app.config.has(Fault::TransferKeysIgnored) {
        let entry =
            serde_json::json!({ "wrappedKey": body.wrapped_key, "encryptedPrivateKey": body.encrypted_private_key });
        owner.transfer_keys.entry(body.from).or_insert_with(BTreeMap::new).insert(body.to, entry);
        bump(owner);
    }
    Ok(Json(serde_json::to_value(&*owner).expect("data owner serialises")))
}

/// `GET /rest/v2/maintenancetask`: the caller's pending notifications.
pub async fn pending_tasks(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Vec<Task>>> {
    let caller = authenticate(&app, &headers)?;
    let store = app.store();
    Ok(Json(
        store.tasks.iter().filter(|t| t.recipient == caller.data_owner_id && t.status == "pending").cloned().collect(),
    ))
}

/// `POST /rest/v2/maintenancetask/{id}/complete`
pub async fn complete_task(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let caller = authenticate(&app, &headers)?;
    let mut store = app.store();
    let task = store
        .tasks
        .iter_mut()
        .find(|t| t.id == id && (t.recipient == caller.data_owner_id || app.config.has(Fault::ForeignTaskComplete)))
        .ok_or_else(ApiError::not_found)?;
    task.status = "completed";
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /rest/v2/dataowner/{id}/shareWith/{delegate}`: new data is no
/// longer shared with `delegate`; what it already has stays its own.
pub async fn stop_sharing(
    State(app): State<Shared>,
    Path((id, delegate)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    if app.config.has(Fault::ForeignSharingChange) {
        // The defect: the change is made before the caller is checked.
        authenticate(&app, &headers)?;
        if let Some(owner) = app.store().owners.get_mut(&id) {
            owner.share_with.retain(|d| *d != delegate);
        }
    }
    authenticate_owner(&app, &headers, &id, None)?;
    let mut store = app.store();
    let owner = store.owners.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if !app.config.has(Fault::StopSharingIgnored) {
        owner.share_with.retain(|d| *d != delegate);
        bump(owner);
    }
    Ok(Json(serde_json::to_value(&*owner).expect("data owner serialises")))
}
