//! Data owners (public keys) and data samples (ciphertext and wrapped keys only).
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::auth::authenticate;
use super::error::{ApiError, ApiResult};
use super::faults::Fault;
use super::server::Shared;
use super::store::{new_rev, DataSample};

/// `GET /rest/v2/dataowner/{id}`: any authenticated user may read public keys.
pub async fn get_owner(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    authenticate(&app, &headers)?;
    let store = app.store();
    let owner = store.owners.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(serde_json::to_value(owner).expect("data owner serialises")))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSample {
    id: Option<String>,
    encrypted_self: Option<String>,
    #[serde(default)]
    encryption_keys: serde_json::Value,
    content: Option<serde_json::Value>,
}

/// `POST /rest/v2/datasample`: stores ciphertext and wrapped keys; clear
/// `content` is refused, since the server must never hold plaintext.
pub async fn create_sample(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Option<Json<NewSample>>,
) -> ApiResult<Json<DataSample>> {
    let caller = authenticate(&app, &headers)?;
    let Json(body) = body.ok_or_else(|| ApiError::bad_request("invalid_body"))?;
    let plaintext_ok = app.config.has(Fault::PlaintextAccepted);
    if body.content.is_some() && !plaintext_ok {
        return Err(ApiError::field("clear_content_refused", "content"));
    }
    let encrypted_self = match body.encrypted_self {
        Some(e) if !e.is_empty() => e,
        _ if plaintext_ok && body.content.is_some() => String::new(),
        _ => return Err(ApiError::field("encrypted_self_required", "encryptedSelf")),
    };
    if !body.encryption_keys.is_object() && !plaintext_ok {
        return Err(ApiError::field("encryption_keys_required", "encryptionKeys"));
    }
    let keys = if app.config.has(Fault::KeysDropped) { serde_json::json!({}) } else { body.encryption_keys };
    let id = body.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // The server decides who the sample is delegated to: its owner and whoever
    // the owner shares with automatically (the master HCP), never the client.
    let mut delegations = vec![caller.data_owner_id.clone()];
    if !app.config.has(Fault::NoAutoShare) {
        delegations
            .extend(app.store().owners.get(&caller.data_owner_id).map(|o| o.share_with.clone()).unwrap_or_default());
    }
    let sample = DataSample {
        id: id.clone(),
        rev: new_rev(1),
        owner: caller.data_owner_id.clone(),
        delegations,
        encrypted_self,
        encryption_keys: keys,
        content: body.content,
        created: chrono::Utc::now().timestamp_millis(),
    };
    let mut store = app.store();
    if store.samples.contains_key(&id) {
        return Err(ApiError::new(axum::http::StatusCode::CONFLICT, "conflict"));
    }
    store.samples.insert(id, sample.clone());
    if app.config.has(Fault::TokensRevokedOnWrite) {
        if let Some(u) = store.users.get_mut(&caller.user_id) {
            u.tokens.clear();
        }
    }
    Ok(Json(sample))
}

/// `GET /rest/v2/datasample/{id}`: only data owners the sample is delegated to.
pub async fn get_sample(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<DataSample>> {
    let caller = authenticate(&app, &headers)?;
    let store = app.store();
    let sample = store.samples.get(&id).ok_or_else(ApiError::not_found)?;
    if !sample.delegations.contains(&caller.data_owner_id) && !app.config.has(Fault::NoAccessCheck) {
        // 404 rather than 403: do not confirm the sample exists.
        return Err(ApiError::not_found());
    }
    if app.config.has(Fault::UnreadableHidden) && !has_entry_for_newest_key(&store, &caller.data_owner_id, sample) {
        return Err(ApiError::not_found());
    }
    let mut sample = sample.clone();
    if app.config.has(Fault::CiphertextCorrupted) {
        corrupt(&mut sample.encrypted_self);
    }
    Ok(Json(sample))
}

/// Whether the sample holds a wrapped key for the owner's newest public key
/// (fingerprint: its last 32 hex digits), for the `unreadable-hidden` defect.
fn has_entry_for_newest_key(store: &super::store::Store, owner: &str, sample: &DataSample) -> bool {
    let Some(key) = store.owners.get(owner).and_then(|o| o.public_keys.last()) else { return true };
    let fp = &key[key.len().saturating_sub(32)..];
    sample.encryption_keys.as_object().is_some_and(|m| m.values().any(|e| e.get(fp).is_some()))
}

/// The `ciphertext-corrupted` defect: one character of the middle changed.
fn corrupt(text: &mut String) {
    let mut chars: Vec<char> = text.chars().collect();
    let middle = chars.len() / 2;
    if let Some(c) = chars.get_mut(middle) {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    *text = chars.into_iter().collect();
}

#[derive(Deserialize)]
pub struct ListQuery {
    owner: Option<String>,
}

/// `GET /rest/v2/datasample?owner={id}`: the samples the caller has access
/// to, optionally those of one owner.
pub async fn list_samples(
    State(app): State<Shared>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<DataSample>>> {
    let caller = authenticate(&app, &headers)?;
    let store = app.store();
    let mut out: Vec<DataSample> = store
        .samples
        .values()
        .filter(|s| s.delegations.contains(&caller.data_owner_id) || app.config.has(Fault::ListNoAccessCheck))
        .filter(|s| q.owner.as_ref().is_none_or(|o| *o == s.owner))
        .cloned()
        .collect();
    out.sort_by_key(|s| s.created);
    if app.config.has(Fault::ListFirstPageOnly) {
        out = out.split_off(out.len().saturating_sub(1));
    }
    if app.config.has(Fault::CiphertextCorrupted) {
        out.iter_mut().for_each(|s| corrupt(&mut s.encrypted_self));
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSampleKey {
    data_owner_id: String,
    fingerprint: String,
    wrapped_key: String,
}

/// `POST /rest/v2/datasample/{id}/keys`: adds a wrapped content key for a
/// data owner's (new) key. Only who has access may give it: the owner, or a
/// delegate of the sample; anyone else gets 403. The server cannot check the
/// wrapped key itself: it holds no private key.
pub async fn add_sample_key(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<NewSampleKey>,
) -> ApiResult<Json<DataSample>> {
    let caller = authenticate(&app, &headers)?;
    let mut store = app.store();
    let sample = store.samples.get_mut(&id).ok_or_else(ApiError::not_found)?;
    let has_access = sample.delegations.contains(&caller.data_owner_id);
    if !has_access && !app.config.has(Fault::StrangerGivesAccess) {
        return Err(ApiError::forbidden());
    }
    if !sample.delegations.contains(&body.data_owner_id) {
        // Access back is for the sample's own readers, not a way to share it anew.
        return Err(ApiError::field("not_a_reader", "dataOwnerId"));
    }
    if !sample.encryption_keys.is_object() {
        sample.encryption_keys = serde_json::json!({});
    }
    sample.encryption_keys[&body.data_owner_id][&body.fingerprint] = serde_json::Value::String(body.wrapped_key);
    let generation = sample.rev.split('-').next().and_then(|g| g.parse::<u32>().ok()).unwrap_or(1);
    sample.rev = new_rev(generation + 1);
    Ok(Json(sample.clone()))
}
