//! Data sample envelopes: content under AES-256-GCM with a fresh key, that
//! key wrapped with RSA-OAEP for every public key allowed to read it.
//! The target only ever sees this structure: ciphertext and wrapped keys.
use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::Aes256Gcm;
use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::keys::{encrypt_for_hex, fingerprint_of, KeyError, KeyPair, OaepHash};

const NONCE_LEN: usize = 12;

/// What is stored on the server: `encryptedSelf` is base64(nonce || ciphertext || tag);
/// `encryptionKeys[dataOwnerId][fingerprint]` is hex(RSA-OAEP(content key)).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub encrypted_self: String,
    pub encryption_keys: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("no key for this record: none of the reader's key fingerprints ({fingerprints}) has a wrapped key")]
    NoKeyForRecord { fingerprints: String },
    #[error("the wrapped content key could not be unwrapped: {0}")]
    Unwrap(#[from] KeyError),
    #[error("the content does not decrypt: it was altered or the wrong key was used")]
    Corrupt,
    #[error("the envelope is malformed: {0}")]
    Malformed(String),
}

/// Encrypts `plaintext` and wraps its key for each `(owner id, SPKI hex)` reader.
pub fn seal(plaintext: &[u8], readers: &[(String, String)], hash: OaepHash) -> Result<Envelope, KeyError> {
    let key = new_aes_key();
    let encrypted_self = seal_blob(&key, plaintext)?;
    let mut keys: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (owner, spki) in readers {
        let wrapped = encrypt_for_hex(spki, hash, &key)?;
        keys.entry(owner.clone()).or_default().insert(fingerprint_of(spki).to_string(), hex::encode(wrapped));
    }
    Ok(Envelope { encrypted_self, encryption_keys: keys })
}

/// Unwraps the content key with whichever of `keys` has a wrapped copy.
pub fn content_key(envelope: &Envelope, keys: &[&KeyPair]) -> Result<Vec<u8>, EnvelopeError> {
    let wrapped = keys.iter().find_map(|k| {
        envelope.encryption_keys.values().find_map(|per_owner| per_owner.get(k.fingerprint())).map(|w| (k, w))
    });
    let Some((key, wrapped)) = wrapped else {
        let fingerprints = keys.iter().map(|k| k.fingerprint()).collect::<Vec<_>>().join(", ");
        return Err(EnvelopeError::NoKeyForRecord { fingerprints });
    };
    let wrapped = hex::decode(wrapped).map_err(|e| EnvelopeError::Malformed(format!("wrapped key is not hex: {e}")))?;
    Ok(key.decrypt(&wrapped)?)
}

/// Decrypts with whichever of `keys` has a wrapped copy of the content key.
pub fn open(envelope: &Envelope, keys: &[&KeyPair]) -> Result<Vec<u8>, EnvelopeError> {
    let content_key = content_key(envelope, keys)?;
    open_blob(&content_key, &envelope.encrypted_self)
}

/// base64(nonce || AES-256-GCM(key, plaintext)).
pub fn seal_blob(key: &[u8], plaintext: &[u8]) -> Result<String, KeyError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| KeyError::Encrypt("AES-256 needs a 32-byte key".into()))?;
    let ct = cipher
        .encrypt(&nonce.into(), plaintext)
        .map_err(|_| KeyError::Encrypt("AES-GCM refused the plaintext".into()))?;
    let mut blob = nonce.to_vec();
    blob.extend_from_slice(&ct);
    Ok(base64::engine::general_purpose::STANDARD.encode(blob))
}

/// The inverse of [`seal_blob`].
pub fn open_blob(key: &[u8], blob: &str) -> Result<Vec<u8>, EnvelopeError> {
    let blob = base64::engine::general_purpose::STANDARD
        .decode(blob)
        .map_err(|e| EnvelopeError::Malformed(format!("ciphertext is not base64: {e}")))?;
    if blob.len() < NONCE_LEN + 16 {
        return Err(EnvelopeError::Malformed("ciphertext is too short".into()));
    }
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| EnvelopeError::Corrupt)?;
    let (nonce, ct) = blob.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at NONCE_LEN");
    cipher.decrypt(&nonce.into(), ct).map_err(|_| EnvelopeError::Corrupt)
}

/// The blob with one byte of its ciphertext changed: authenticated
/// encryption must then refuse it.
pub fn tamper_blob(blob: &str) -> Option<String> {
    let mut raw = base64::engine::general_purpose::STANDARD.decode(blob).ok()?;
    let last = raw.last_mut()?;
    *last ^= 0x01;
    Some(base64::engine::general_purpose::STANDARD.encode(raw))
}

/// A fresh random AES-256 key.
pub fn new_aes_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::tests::test_key;

    #[test]
    fn seals_for_readers_and_opens() {
        let k = test_key();
        let env = seal(b"Hello world", &[("owner".into(), k.public_hex().into())], OaepHash::Sha256).unwrap();
        assert!(!env.encrypted_self.contains("Hello"));
        assert_eq!(open(&env, &[k]).unwrap(), b"Hello world");
    }

    #[test]
    fn tampering_and_missing_keys_are_clear_errors() {
        let k = test_key();
        let mut env = seal(b"data", &[("o".into(), k.public_hex().into())], OaepHash::Sha256).unwrap();
        let other = seal(b"x", &[], OaepHash::Sha256).unwrap();
        assert!(matches!(open(&other, &[k]), Err(EnvelopeError::NoKeyForRecord { .. })));
        let mut blob = base64::engine::general_purpose::STANDARD.decode(&env.encrypted_self).unwrap();
        let last = blob.len() - 1;
        blob[last] ^= 1;
        env.encrypted_self = base64::engine::general_purpose::STANDARD.encode(blob);
        assert!(matches!(open(&env, &[k]), Err(EnvelopeError::Corrupt)));
    }
}
