//! Data samples: sealed on the client, stored and read back as ciphertext.
use serde_json::json;

use super::error::ClientError;
use super::otp::session;
use crate::crypto::{open, seal, Envelope};
use crate::operation::{Exchange, Vars};
use crate::runner::RunContext;
use crate::world::{Actor, SampleRecord};

/// Seals `plaintext` for the actor's own key and stores it; returns the exchange.
pub async fn store_sample(ctx: &RunContext, actor: &mut Actor, plaintext: &str) -> Result<Exchange, ClientError> {
    let creds = session(actor)?;
    let key = actor.key.as_ref().ok_or_else(|| ClientError::Expectation(format!("{} has no key pair", actor.name)))?;
    let owner = actor.data_owner_id.clone().ok_or_else(|| ClientError::Expectation("no data owner id".into()))?;
    let envelope = seal(plaintext.as_bytes(), &[(owner, key.public_hex().to_string())], key.hash())?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut vars = Vars::new();
    vars.insert("sample".into(), json!({"id": id, "encrypted_self": envelope.encrypted_self, "encryption_keys": envelope.encryption_keys}));
    let ex = ctx.target.expect("data_sample.create", &vars, Some(&creds)).await?;
    let stored = ex.get("sample_id").unwrap_or(&id).to_string();
    actor.samples.push(SampleRecord { id: stored, plaintext: plaintext.to_string() });
    Ok(ex)
}

/// Reads a sample as `reader` and decrypts it with the reader's key.
/// Returns the exchange, and the plaintext when the read was accepted.
pub async fn read_sample(ctx: &RunContext, reader: &Actor, sample_id: &str) -> Result<(Exchange, Option<Result<String, ClientError>>), ClientError> {
    let creds = session(reader)?;
    let mut vars = Vars::new();
    vars.insert("sample_id".into(), json!(sample_id));
    let ex = ctx.target.call("data_sample.get", &vars, Some(&creds)).await?;
    if !ex.accepted {
        return Ok((ex, None));
    }
    let decrypted = (|| {
        let enc = ex.get("encrypted_self").unwrap_or_default().to_string();
        let keys = ex.get("encryption_keys").unwrap_or("{}");
        let envelope = Envelope {
            encrypted_self: enc,
            encryption_keys: serde_json::from_str(keys).map_err(|e| ClientError::Expectation(format!("encryption keys are not a map of maps: {e}")))?,
        };
        let key = reader.key.as_ref().ok_or_else(|| ClientError::Expectation("the reader has no key".into()))?;
        let plain = open(&envelope, &[key])?;
        String::from_utf8(plain).map_err(|_| ClientError::Expectation("decrypted content is not UTF-8".into()))
    })();
    Ok((ex, Some(decrypted)))
}
