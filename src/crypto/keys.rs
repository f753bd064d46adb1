//! RSA-2048 OAEP key pairs in the SDK's exchange format.
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};

/// OAEP hash: SHA-256 for current SDKs, SHA-1 for legacy targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OaepHash {
    #[default]
    Sha256,
    Sha1,
}

impl OaepHash {
    fn padding(self) -> Oaep {
        match self {
            OaepHash::Sha256 => Oaep::new::<sha2::Sha256>(),
            OaepHash::Sha1 => Oaep::new::<sha1::Sha1>(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("RSA key generation failed: {0}")]
    Generate(String),
    #[error("public key is not hex-encoded SPKI DER: {0}")]
    BadPublicKey(String),
    #[error("private key is not hex-encoded PKCS#8 DER: {0}")]
    BadPrivateKey(String),
    #[error("RSA-OAEP encryption failed: {0}")]
    Encrypt(String),
    #[error("RSA-OAEP decryption failed (wrong key, or the wrapped key was altered)")]
    Decrypt,
}

/// A key pair with its exported forms computed once.
#[derive(Clone)]
pub struct KeyPair {
    private: RsaPrivateKey,
    public: RsaPublicKey,
    public_hex: String,
    hash: OaepHash,
}

impl std::fmt::Debug for KeyPair {
    // Never print key material, not even in a panic's World dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair(fingerprint {})", self.fingerprint())
    }
}

impl KeyPair {
    /// Generates a 2048-bit key. CPU-heavy (≈70 ms median, with a long
    /// tail): call it on a blocking thread, or take keys from a
    /// [`super::KeyPool`].
    pub fn generate(hash: OaepHash) -> Result<KeyPair, KeyError> {
        use rsa_keygen::pkcs8::EncodePrivateKey as _;
        let fail = |e: &dyn std::fmt::Display| KeyError::Generate(e.to_string());
        // rsa 0.10 generates; the key moves to 0.9 (the rest of the stack)
        // as PKCS#8, which costs well under a millisecond.
        let fresh = rsa_keygen::PrivateKey::new(&mut getrandom::SysRng, 2048).map_err(|e| fail(&e))?;
        let der = fresh.to_pkcs8_der().map_err(|e| fail(&e))?;
        let private = RsaPrivateKey::from_pkcs8_der(der.as_bytes()).map_err(|e| fail(&e))?;
        Ok(Self::from_private(private, hash))
    }

    fn from_private(private: RsaPrivateKey, hash: OaepHash) -> KeyPair {
        let public = RsaPublicKey::from(&private);
        let der = public.to_public_key_der().expect("an RSA public key always encodes");
        KeyPair { private, public, public_hex: hex::encode(der.as_bytes()), hash }
    }

    /// Restores a pair from the PKCS#8 hex a device stored.
    pub fn from_pkcs8_hex(hex_der: &str, hash: OaepHash) -> Result<KeyPair, KeyError> {
        let der = hex::decode(hex_der).map_err(|e| KeyError::BadPrivateKey(e.to_string()))?;
        let private = RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| KeyError::BadPrivateKey(e.to_string()))?;
        Ok(Self::from_private(private, hash))
    }

    /// Restores a pair from a PKCS#8 PEM file's text (a key stock's).
    pub fn from_pkcs8_pem(pem: &str, hash: OaepHash) -> Result<KeyPair, KeyError> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError::BadPrivateKey(e.to_string()))?;
        Ok(Self::from_private(private, hash))
    }

    /// SPKI DER as lowercase hex (588 characters for RSA-2048).
    pub fn public_hex(&self) -> &str {
        &self.public_hex
    }

    pub fn private_pkcs8_hex(&self) -> String {
        let der = self.private.to_pkcs8_der().expect("an RSA private key always encodes");
        hex::encode(der.as_bytes())
    }

    /// The SDK's fingerprint: the last 32 hex characters of the SPKI hex.
    pub fn fingerprint(&self) -> &str {
        fingerprint_of(&self.public_hex)
    }

    /// (public SPKI PEM, private PKCS#8 PEM): the forms a JWT signer is given.
    pub fn pem_pair(&self) -> Result<(String, String), KeyError> {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let public = self.public.to_public_key_pem(LineEnding::LF).map_err(|e| KeyError::Generate(e.to_string()))?;
        let private = self.private.to_pkcs8_pem(LineEnding::LF).map_err(|e| KeyError::Generate(e.to_string()))?;
        Ok((public, private.to_string()))
    }

    pub fn hash(&self) -> OaepHash {
        self.hash
    }

    pub fn encrypt(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        encrypt_for(&self.public, self.hash, data)
    }

    pub fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.private.decrypt(self.hash.padding(), data).map_err(|_| KeyError::Decrypt)
    }
}

/// Fingerprint of any SPKI hex: its last 32 characters.
pub fn fingerprint_of(spki_hex: &str) -> &str {
    &spki_hex[spki_hex.len().saturating_sub(32)..]
}

/// Encrypts for a public key known only by its SPKI hex (another data owner's).
pub fn encrypt_for_hex(spki_hex: &str, hash: OaepHash, data: &[u8]) -> Result<Vec<u8>, KeyError> {
    let der = hex::decode(spki_hex).map_err(|e| KeyError::BadPublicKey(e.to_string()))?;
    let public = RsaPublicKey::from_public_key_der(&der).map_err(|e| KeyError::BadPublicKey(e.to_string()))?;
    encrypt_for(&public, hash, data)
}

fn encrypt_for(public: &RsaPublicKey, hash: OaepHash, data: &[u8]) -> Result<Vec<u8>, KeyError> {
    public.encrypt(&mut rand::thread_rng(), hash.padding(), data).map_err(|e| KeyError::Encrypt(e.to_string()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// One key for the whole test module: generation is the slow part.
    pub(crate) fn test_key() -> &'static KeyPair {
        static K: OnceLock<KeyPair> = OnceLock::new();
        K.get_or_init(|| KeyPair::generate(OaepHash::Sha256).unwrap())
    }

    #[test]
    fn exports_in_the_sdk_format() {
        let k = test_key();
        assert_eq!(k.public_hex().len(), 588);
        assert!(k.public_hex().starts_with("30820122300d06092a864886f70d0101010500"));
        assert_eq!(k.fingerprint(), &k.public_hex()[556..]);
        let back = KeyPair::from_pkcs8_hex(&k.private_pkcs8_hex(), OaepHash::Sha256).unwrap();
        assert_eq!(back.public_hex(), k.public_hex());
    }

    #[test]
    fn oaep_round_trips_and_hashes_do_not_mix() {
        let k = test_key();
        let ct = k.encrypt(b"exchange key").unwrap();
        assert_eq!(k.decrypt(&ct).unwrap(), b"exchange key");
        let legacy = KeyPair::from_pkcs8_hex(&k.private_pkcs8_hex(), OaepHash::Sha1).unwrap();
        assert!(matches!(legacy.decrypt(&ct), Err(KeyError::Decrypt)));
        let ct1 = encrypt_for_hex(k.public_hex(), OaepHash::Sha1, b"x").unwrap();
        assert_eq!(legacy.decrypt(&ct1).unwrap(), b"x");
    }
}
