//! Data samples (the `records` family): sealed on the client for every
//! reader and stored as ciphertext where the target has `e2e_keys`, else
//! the user's own text, stored and read back as it is (a notes or records
//! API of a plain web service). The steps are the same for both, so the
//! object-level checks (one user cannot read another's) certify either.
use serde_json::json;

use super::actor::{Actor, SampleRecord};
use super::context::ClientContext;
use super::error::ClientError;
use super::otp::session;
use crate::crypto::{open, seal, Envelope};
use crate::operation::Exchange;
use crate::profile::Family;

/// Whether the target seals samples end to end (`e2e_keys`), rather than
/// storing the user's text as it is.
pub fn sealed(ctx: &ClientContext) -> bool {
    ctx.target.profile().families.contains(&Family::E2eKeys)
}

/// A data owner as the harness needs it: its public keys and who it shares with.
pub struct OwnerView {
    pub exchange: Exchange,
    pub public_keys: Vec<String>,
    pub share_with: Vec<String>,
    pub transfer_keys: serde_json::Value,
}

fn json_list(raw: Option<&str>) -> Vec<String> {
    raw.and_then(|r| serde_json::from_str::<Vec<String>>(r).ok()).unwrap_or_default()
}

/// Reads data owner `id` as `reader`.
pub async fn owner_view(ctx: &ClientContext, reader: &Actor, id: &str) -> Result<OwnerView, ClientError> {
    let creds = session(reader)?;
    let mut vars = reader.context();
    vars.insert("data_owner_id".into(), json!(id));
    let ex = ctx.target.expect("data_owner.get", &vars, Some(&creds)).await?;
    Ok(OwnerView {
        public_keys: json_list(ex.get("public_keys")),
        share_with: json_list(ex.get("share_with")),
        transfer_keys: ex.get("transfer_keys").and_then(|t| serde_json::from_str(t).ok()).unwrap_or(json!({})),
        exchange: ex,
    })
}

/// Seals `plaintext` for every public key of the author's data owner and of
/// each data owner it shares with automatically (the SDK's auto-delegations),
/// and stores it. Returns every exchange made.
pub async fn store_sample(
    ctx: &ClientContext,
    actor: &mut Actor,
    plaintext: &str,
) -> Result<Vec<Exchange>, ClientError> {
    if !sealed(ctx) {
        return store_text(ctx, actor, plaintext).await.map(|ex| vec![ex]);
    }
    let creds = session(actor)?;
    let key = actor.key_pair()?;
    let owner = actor.data_owner_id.clone().ok_or_else(|| ClientError::Expectation("no data owner id".into()))?;
    let mut log = Vec::new();
    let me = owner_view(ctx, actor, &owner).await?;
    let mut readers: Vec<(String, String)> = vec![(owner.clone(), key.public_hex().to_string())];
    readers.extend(me.public_keys.iter().filter(|k| *k != key.public_hex()).map(|k| (owner.clone(), k.clone())));
    let share_with = me.share_with.clone();
    log.push(me.exchange);
    for delegate in share_with {
        let other = owner_view(ctx, actor, &delegate).await?;
        readers.extend(other.public_keys.iter().map(|k| (delegate.clone(), k.clone())));
        log.push(other.exchange);
    }
    let envelope = seal(plaintext.as_bytes(), &readers, key.hash())?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut vars = actor.context();
    vars.insert(
        "sample".into(),
        json!({"id": id, "encrypted_self": envelope.encrypted_self, "encryption_keys": envelope.encryption_keys}),
    );
    let ex = ctx.target.expect("data_sample.create", &vars, Some(&creds)).await?;
    let stored = ex.get("sample_id").unwrap_or(&id).to_string();
    actor.samples.push(SampleRecord { id: stored, plaintext: plaintext.to_string() });
    log.push(ex);
    Ok(log)
}

/// Stores `text` as it is (`sample.text`; a target without `e2e_keys`).
async fn store_text(ctx: &ClientContext, actor: &mut Actor, text: &str) -> Result<Exchange, ClientError> {
    let creds = session(actor)?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut vars = actor.context();
    vars.insert("sample".into(), json!({"id": id, "text": text}));
    let ex = ctx.target.expect("data_sample.create", &vars, Some(&creds)).await?;
    let stored = ex.get("sample_id").unwrap_or(&id).to_string();
    actor.samples.push(SampleRecord { id: stored, plaintext: text.to_string() });
    Ok(ex)
}

/// Reads sample `sample_id` as `reader`; returns the exchange, and when the
/// read was accepted, its envelope.
pub async fn fetch_sample(
    ctx: &ClientContext,
    reader: &Actor,
    sample_id: &str,
) -> Result<(Exchange, Option<Envelope>), ClientError> {
    let creds = session(reader)?;
    let mut vars = reader.context();
    vars.insert("sample_id".into(), json!(sample_id));
    let ex = ctx.target.call("data_sample.get", &vars, Some(&creds)).await?;
    if !ex.accepted {
        return Ok((ex, None));
    }
    let envelope = Envelope {
        encrypted_self: ex.get("encrypted_self").unwrap_or_default().to_string(),
        encryption_keys: serde_json::from_str(ex.get("encryption_keys").unwrap_or("{}"))
            .map_err(|e| ClientError::Expectation(format!("encryption keys are not a map of maps: {e}")))?,
    };
    Ok((ex, Some(envelope)))
}

/// Reads a sample as `reader` and decrypts it with the keys its device holds
/// (or, without `e2e_keys`, takes the `text` the read extracted). Returns the
/// exchange, and the plaintext when the read was accepted.
pub async fn read_sample(
    ctx: &ClientContext,
    reader: &Actor,
    sample_id: &str,
) -> Result<(Exchange, Option<Result<String, ClientError>>), ClientError> {
    if !sealed(ctx) {
        let creds = session(reader)?;
        let mut vars = reader.context();
        vars.insert("sample_id".into(), json!(sample_id));
        let ex = ctx.target.call("data_sample.get", &vars, Some(&creds)).await?;
        // Profile validation makes `text` an extraction of every plain
        // `data_sample.get`, so an accepted read without it carried none.
        let text = ex.accepted.then(|| {
            ex.get("text").map(str::to_string).ok_or_else(|| {
                crate::assertion::Assertion::ReadsBack
                    .fail("the accepted read carried no `text` where the profile extracts it")
            })
        });
        return Ok((ex, text));
    }
    let (ex, envelope) = fetch_sample(ctx, reader, sample_id).await?;
    let Some(envelope) = envelope else { return Ok((ex, None)) };
    let decrypted = open(&envelope, &reader.keyring()).map_err(ClientError::from).and_then(|plain| {
        String::from_utf8(plain).map_err(|_| ClientError::Expectation("decrypted content is not UTF-8".into()))
    });
    Ok((ex, Some(decrypted)))
}
