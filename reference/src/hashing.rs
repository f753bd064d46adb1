//! Password hashing of the partner and the accounts service: Argon2id with
//! the crate's default (OWASP) parameters, 19 MiB and two passes a hash,
//! stored as PHC strings.
//!
//! Two things keep a burst of sign-ins (a timing check, a load run, an
//! attacker) cheap for the machine without making a hash cheaper for an
//! attacker:
//! - as many hashes at once as there are cores; the rest wait their turn.
//!   Unbounded, such a burst holds a gigabyte;
//! - each hash works in a 19 MiB buffer kept from the last one, not a fresh
//!   allocation. A fresh one is zeroed page by page by the kernel: a fifth of
//!   the embedded run's CPU went to those page faults. Argon2 writes every
//!   block before it reads it, so what a buffer held before never matters.
use std::sync::{Mutex, OnceLock};

use argon2::password_hash::{
    rand_core::OsRng, Decimal, Ident, Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, Salt,
    SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Read once: `available_parallelism` reads the cgroup's files on each
/// call, and this is asked at every hash.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

async fn hashing_turn() -> tokio::sync::SemaphorePermit<'static> {
    static TURNS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    TURNS.get_or_init(|| tokio::sync::Semaphore::new(cores())).acquire().await.expect("the semaphore is never closed")
}

/// The buffers of the hashes done so far, at most one per turn.
fn spare_memory() -> &'static Mutex<Vec<Vec<Block>>> {
    static SPARE: OnceLock<Mutex<Vec<Vec<Block>>>> = OnceLock::new();
    SPARE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Argon2 whose working memory comes from [`spare_memory`]. Verifying goes
/// through the same code (`PasswordVerifier` is implemented for every
/// `PasswordHasher`), so both cost the same.
struct ReusingArgon2;

impl PasswordHasher for ReusingArgon2 {
    type Params = Params;

    fn hash_password<'a>(
        &self,
        password: &[u8],
        salt: impl Into<Salt<'a>>,
    ) -> argon2::password_hash::Result<PasswordHash<'a>> {
        self.hash_password_customized(password, None, None, Params::default(), salt)
    }

    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> argon2::password_hash::Result<PasswordHash<'a>> {
        let algorithm = algorithm.map(Algorithm::try_from).transpose()?.unwrap_or_default();
        let version = version.map(Version::try_from).transpose()?.unwrap_or_default();
        let salt = salt.into();
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_buf)?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let blocks = params.block_count();
        let mut memory = {
            let mut spare = spare_memory().lock().unwrap_or_else(|e| e.into_inner());
            spare.pop().filter(|m| m.len() >= blocks)
        }
        .unwrap_or_else(|| vec![Block::default(); blocks]);
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = Output::init_with(output_len, |out| {
            Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..blocks])?)
        });
        let mut spare = spare_memory().lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < cores() {
            spare.push(memory);
        }
        drop(spare);
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt),
            hash: Some(output?),
        })
    }
}

/// The PHC string of a new hash of `password`, made on a blocking thread.
pub(super) async fn hash(password: String) -> String {
    let _turn = hashing_turn().await;
    tokio::task::spawn_blocking(move || hash_now(password.as_bytes())).await.expect("the hashing task does not panic")
}

fn hash_now(password: &[u8]) -> String {
    let salt = SaltString::generate(&mut OsRng);
    ReusingArgon2.hash_password(password, &salt).expect("argon2 hashes any input").to_string()
}

/// Whether `password` matches the PHC string `hash` (false for a string
/// that is no hash).
pub(super) async fn verify(password: String, hash: String) -> bool {
    let _turn = hashing_turn().await;
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| ReusingArgon2.verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, verified against for unknown e-mails so
/// that they cost the same time as known ones.
pub(super) fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_now(uuid::Uuid::new_v4().to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_the_crates_own_and_a_reused_buffer_changes_nothing() {
        let stored = hash("correct horse".into()).await;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        // The crate's own verifier, with its own fresh memory, agrees.
        let parsed = PasswordHash::new(&stored).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
        // And ours accepts what the crate made, with a buffer used before.
        let theirs =
            Argon2::default().hash_password(b"battery", &SaltString::generate(&mut OsRng)).unwrap().to_string();
        assert!(verify("battery".into(), theirs.clone()).await);
        assert!(!verify("staple".into(), theirs).await);
        assert!(verify("correct horse".into(), stored.clone()).await);
        assert!(!verify("correct horse".into(), "not a hash".into()).await);
        assert!(spare_memory().lock().unwrap().len() <= cores());
    }
}
