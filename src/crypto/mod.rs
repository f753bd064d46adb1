//! Client-side cryptography as the SDK does it: RSA-OAEP key pairs exported
//! as SPKI/PKCS#8 hex, AES-256-GCM data envelopes with per-key wrapping, and
//! a pool that generates key pairs off the cucumber task (or takes them
//! from a stock made ahead); and the CA the doubles serve TLS under.
mod ca;
mod envelope;
mod forge;
mod jwt;
mod keys;
mod pool;
mod stock;

pub use ca::{CaError, CertificateAuthority};
pub use envelope::{content_key, new_aes_key, open, open_blob, seal, seal_blob, tamper_blob, Envelope, EnvelopeError};
pub use forge::{public_pem_from_jwks, AttackerKeys, ForgeError, Forged, IssuedJwt};
pub use jwt::{sign_rs256, unverified_claims, Check, JwtError, PatientClaims, Registration, Verdict};
pub use keys::{encrypt_for_hex, fingerprint_of, KeyError, KeyPair, OaepHash};
pub use pool::{KeyBank, KeyPool, KeyStats, KeySupply};
pub use stock::{Filled, KeyStock, StockError};
