//! Secret redaction for everything the harness shows or writes.
mod index;
mod redactor;
pub use redactor::{cut, is_secret_key, Redactor, SecretKind};
