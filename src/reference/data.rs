//! Data owners (public keys) and data samples (ciphertext and wrapped keys only).
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::auth::authenticate;
use super::error::{ApiError, ApiResult};
use super::faults::Fault;
use super::server::Shared;
use super::store::{new_rev, DataSample};

/// `GET /rest/v2/dataowner/{id}`: any authenticated user may read public keys.
pub async fn get_owner(State(app): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Json<serde_json::Value>> {
    authenticate(&app, &headers)?;
    let store = app.store();
    let owner = store.owners.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(serde_json::to_value(owner).expect("data owner serialises")))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewKey {
    public_key: String,
}

/// `POST /rest/v2/dataowner/{id}/publicKeys {publicKey}`: only the owner, only
/// a real RSA SPKI of at least 2048 bits; keys are appended, never replaced.
pub async fn add_key(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<NewKey>>,
) -> ApiResult<Json<serde_json::Value>> {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let caller = authenticate(&app, &headers)?;
    if caller.data_owner_id != id {
        return Err(ApiError::forbidden());
    }
    let Json(body) = body.ok_or_else(|| ApiError::bad_request("invalid_body"))?;
    let der = hex::decode(&body.public_key).map_err(|_| ApiError::field("invalid_public_key", "publicKey"))?;
    let key = rsa::RsaPublicKey::from_public_key_der(&der).map_err(|_| ApiError::field("invalid_public_key", "publicKey"))?;
    if key.size() * 8 < 2048 {
        return Err(ApiError::field("public_key_too_short", "publicKey"));
    }
    let mut store = app.store();
    let owner = store.owners.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if !app.config.has(Fault::KeyNotPublished) && !owner.public_keys.contains(&body.public_key) {
        owner.public_keys.push(body.public_key);
        let generation = owner.rev.split('-').next().and_then(|g| g.parse::<u32>().ok()).unwrap_or(1);
        owner.rev = new_rev(generation + 1);
    }
    Ok(Json(serde_json::to_value(&*owner).expect("data owner serialises")))
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
pub async fn create_sample(State(app): State<Shared>, headers: HeaderMap, body: Option<Json<NewSample>>) -> ApiResult<Json<DataSample>> {
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
    let sample = DataSample {
        id: id.clone(),
        rev: new_rev(1),
        owner: caller.data_owner_id.clone(),
        delegations: vec![caller.data_owner_id],
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
    Ok(Json(sample))
}

/// `GET /rest/v2/datasample/{id}`: only data owners the sample is delegated to.
pub async fn get_sample(State(app): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Json<DataSample>> {
    let caller = authenticate(&app, &headers)?;
    let store = app.store();
    let sample = store.samples.get(&id).ok_or_else(ApiError::not_found)?;
    if !sample.delegations.contains(&caller.data_owner_id) && !app.config.has(Fault::NoAccessCheck) {
        // 404 rather than 403: do not confirm the sample exists.
        return Err(ApiError::not_found());
    }
    Ok(Json(sample.clone()))
}
