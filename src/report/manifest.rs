//! Tamper evidence for a report folder. `manifest.json` lists the SHA-256
//! and size of every file; with an operator key, `manifest.sig` is an RS256
//! JWS (jsonwebtoken) whose payload names the manifest's own SHA-256.
//! [`verify`] recomputes both and names every file that changed, went
//! missing or was added.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";
const FORMAT: &str = "authconform-report/1";

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub run_id: String,
    pub target: String,
    pub created: String,
    /// File name -> digest, for every file of the folder but the manifest and its signature.
    pub files: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Serialize, Deserialize)]
struct SignedClaims {
    manifest_sha256: String,
    run_id: String,
    iat: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read the key {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a PEM RSA {what} key: {message}")]
    Parse { path: PathBuf, what: &'static str, message: String },
    #[error("{0} is not a folder: give a report folder (reports/<run-id>)")]
    NotAFolder(PathBuf),
    /// No manifest and none of the files a run writes: a wrong folder, not
    /// a tampered report.
    #[error(
        "{0} is not a report folder: it holds no {MANIFEST} and none of the files a run writes (give reports/<run-id>)"
    )]
    NotAReport(PathBuf),
}

/// The files every run writes besides the manifest; one of them without a
/// manifest is a report whose manifest was removed.
const REPORT_FILES: [&str; 5] = ["summary.json", "summary.md", "report.html", "junit.xml", "evidence.jsonl"];

/// The operator's signing key (`--sign-key`, PKCS#8 or PKCS#1 PEM), read
/// before the run so a bad key fails at once, not after the scenarios.
pub struct SigningKey(EncodingKey);

impl SigningKey {
    pub fn from_pem_file(path: &Path) -> Result<SigningKey, KeyFileError> {
        let pem = std::fs::read(path).map_err(|source| KeyFileError::Read { path: path.into(), source })?;
        EncodingKey::from_rsa_pem(&pem).map(SigningKey).map_err(|e| KeyFileError::Parse {
            path: path.into(),
            what: "private",
            message: e.to_string(),
        })
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file's digest, read in blocks: a large run's evidence is tens of
/// megabytes, which need not all be in memory at once.
fn hash_file(path: &Path) -> std::io::Result<FileEntry> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(FileEntry { sha256: hex::encode(hasher.finalize()), bytes })
}

/// The files a manifest covers: every regular file but the manifest, its
/// signature and hidden (temporary) files, by name.
fn covered_files(dir: &Path) -> std::io::Result<BTreeMap<String, FileEntry>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_file() || name.starts_with('.') || name == MANIFEST || name == SIGNATURE {
            continue;
        }
        files.insert(name, hash_file(&entry.path())?);
    }
    Ok(files)
}

/// Writes `manifest.json` (and `manifest.sig` with a key) for `dir`; the
/// caller writes both atomically with the rest of the folder.
pub fn manifest_files(
    dir: &Path,
    run_id: &str,
    target: &str,
    key: Option<&SigningKey>,
) -> std::io::Result<Vec<(&'static str, Vec<u8>)>> {
    let manifest = Manifest {
        format: FORMAT.into(),
        run_id: run_id.into(),
        target: target.into(),
        created: chrono::Utc::now().to_rfc3339(),
        files: covered_files(dir)?,
    };
    let bytes = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let mut out = Vec::new();
    if let Some(key) = key {
        let claims = SignedClaims {
            manifest_sha256: sha256_hex(&bytes),
            run_id: run_id.into(),
            iat: chrono::Utc::now().timestamp(),
        };
        let jws =
            jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key.0).map_err(std::io::Error::other)?;
        out.push((SIGNATURE, jws.into_bytes()));
    }
    out.insert(0, (MANIFEST, bytes));
    Ok(out)
}

/// How the signature fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureState {
    /// Checked with the given public key.
    Verified,
    /// There is one, but no key was given to check it.
    NotChecked,
    /// The bundle is unsigned.
    Absent,
    /// It does not verify, or signs another manifest.
    Invalid,
}

/// The outcome of `authconform verify`: `problems` empty means intact.
#[derive(Debug)]
pub struct Verification {
    pub files: usize,
    /// The first line of the INCOMPLETE marker, when the run stopped early.
    pub incomplete: Option<String>,
    pub signature: SignatureState,
    pub problems: Vec<String>,
}

/// Checks a report folder against its manifest (and signature, with `key`:
/// a PEM public key). Only an unreadable key or a path that is no folder is
/// an `Err` (a usage error); everything wrong with the bundle is a problem
/// in the answer.
pub fn verify(dir: &Path, key: Option<&Path>) -> Result<Verification, KeyFileError> {
    if !dir.is_dir() {
        return Err(KeyFileError::NotAFolder(dir.into()));
    }
    let decoding = match key {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|source| KeyFileError::Read { path: path.into(), source })?;
            Some(DecodingKey::from_rsa_pem(&pem).map_err(|e| KeyFileError::Parse {
                path: path.into(),
                what: "public",
                message: e.to_string(),
            })?)
        }
        None => None,
    };
    let mut problems = Vec::new();
    let raw = match std::fs::read(dir.join(MANIFEST)) {
        Ok(raw) => raw,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !REPORT_FILES.iter().any(|f| dir.join(f).exists()) => {
            return Err(KeyFileError::NotAReport(dir.into()));
        }
        Err(e) => {
            problems.push(format!("{MANIFEST}: cannot be read ({e})"));
            return Ok(Verification { files: 0, incomplete: None, signature: SignatureState::Absent, problems });
        }
    };
    let manifest: Manifest = match serde_json::from_slice(&raw) {
        Ok(m) => m,
        Err(e) => {
            problems.push(format!("{MANIFEST}: not a manifest ({e})"));
            return Ok(Verification { files: 0, incomplete: None, signature: SignatureState::Absent, problems });
        }
    };
    let actual = covered_files(dir).unwrap_or_default();
    for (name, entry) in &manifest.files {
        match actual.get(name) {
            None => problems.push(format!("{name}: missing")),
            Some(found) if found != entry => {
                problems.push(format!("{name}: changed (SHA-256 {}, the manifest says {})", found.sha256, entry.sha256))
            }
            Some(_) => {}
        }
    }
    for name in actual.keys().filter(|n| !manifest.files.contains_key(*n)) {
        problems.push(format!("{name}: not in the manifest (added after the run)"));
    }
    let sig = std::fs::read_to_string(dir.join(SIGNATURE)).ok();
    let signature = match (sig, decoding) {
        (None, None) => SignatureState::Absent,
        (None, Some(_)) => {
            problems.push(format!("{SIGNATURE}: missing, but a key was given to check it"));
            SignatureState::Absent
        }
        (Some(_), None) => SignatureState::NotChecked,
        (Some(jws), Some(key)) => {
            let mut validation = Validation::new(Algorithm::RS256);
            validation.required_spec_claims.clear();
            validation.validate_exp = false;
            match jsonwebtoken::decode::<SignedClaims>(&jws, &key, &validation) {
                Ok(data) if data.claims.manifest_sha256 == sha256_hex(&raw) => SignatureState::Verified,
                Ok(_) => {
                    problems.push(format!("{MANIFEST}: changed since it was signed"));
                    SignatureState::Invalid
                }
                Err(e) => {
                    problems.push(format!("{SIGNATURE}: does not verify with the given key ({e})"));
                    SignatureState::Invalid
                }
            }
        }
    };
    let incomplete = std::fs::read_to_string(dir.join(super::INCOMPLETE))
        .ok()
        .map(|t| t.lines().next().unwrap_or_default().to_string());
    Ok(Verification { files: manifest.files.len(), incomplete, signature, problems })
}

/// What `authconform verify` prints.
pub fn render_verification(dir: &Path, v: &Verification) -> String {
    let signature = match v.signature {
        SignatureState::Verified => "signature verified",
        SignatureState::NotChecked => "signed, signature not checked (pass --key)",
        SignatureState::Absent => "unsigned",
        SignatureState::Invalid => "signature INVALID",
    };
    let mut out = format!("{}: {} files in the manifest, {signature}\n", dir.display(), v.files);
    if let Some(why) = &v.incomplete {
        out.push_str(&format!("INCOMPLETE run: {why}\n"));
    }
    if v.problems.is_empty() {
        out.push_str("intact: every file matches the manifest\n");
    } else {
        for p in &v.problems {
            out.push_str(&format!("  TAMPERED {p}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hashed_in_blocks_has_the_digest_of_its_whole_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.jsonl");
        // Larger than one read, and not a multiple of it.
        let content: Vec<u8> = (0..100_003u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let entry = hash_file(&path).unwrap();
        assert_eq!(entry, FileEntry { sha256: sha256_hex(&content), bytes: 100_003 });

        std::fs::write(&path, b"abc").unwrap();
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            hash_file(&path).unwrap().sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
