//! The TLS a run's doubles serve, when the profile asks for it: the CA (the
//! profile's, or one generated for this run), one certificate for every
//! name a target may reach the doubles by, and the CA's certificate written
//! where the target's operator finds it: `<report dir>/doubles-ca.pem`,
//! before any double starts, so a target that reads its trust at call time
//! can be pointed at it.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::config::RunConfig;
use super::outcome::RunError;
use crate::crypto::CertificateAuthority;
use crate::doubles::DoublesTls;
use crate::profile::Profile;

/// The file the CA's certificate is written to, in the report folder.
pub const CA_FILE: &str = "doubles-ca.pem";

/// The doubles' TLS of a run, and where its CA was written (nowhere
/// without a report folder).
pub struct ServedTls {
    pub tls: Arc<DoublesTls>,
    pub ca_file: Option<PathBuf>,
}

/// The doubles' TLS; `None` when no double serves TLS.
pub fn prepare(config: &RunConfig, profile: &Profile) -> Result<Option<ServedTls>, RunError> {
    if profile.tls_doubles().is_empty() {
        return Ok(None);
    }
    let generated;
    let ca: &CertificateAuthority = match &profile.doubles_tls.loaded {
        Some(given) => given,
        None => {
            generated = CertificateAuthority::generate().map_err(RunError::DoublesTls)?;
            &generated
        }
    };
    let tls = DoublesTls::new(ca, &hosts(profile)).map_err(RunError::DoublesTls)?;
    let file = match &config.report_dir {
        Some(dir) => Some(write_ca(dir, tls.ca_pem()).map_err(|source| RunError::Io {
            what: format!("cannot write the doubles' CA to {}", dir.join(CA_FILE).display()),
            source,
        })?),
        None => None,
    };
    Ok(Some(ServedTls { tls: Arc::new(tls), ca_file: file }))
}

/// The names in the doubles' certificate: loopback under every spelling,
/// the hosts the TLS doubles listen on (unless they listen everywhere),
/// and the profile's `doubles_tls.hosts`.
fn hosts(profile: &Profile) -> Vec<String> {
    let mut out: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    let mut listens = Vec::new();
    if let Some(p) = profile.platform.as_ref().filter(|p| p.tls) {
        listens.push(p.listen.as_str());
    }
    if let Some(s) = profile.sms.as_ref().filter(|s| s.webhook.tls) {
        listens.push(s.webhook.listen.as_str());
    }
    if let Some(m) = profile.mailbox.as_ref().and_then(|m| m.smtp()) {
        listens.push(m.listen.as_str());
    }
    for listen in listens {
        let host = listen.rsplit_once(':').map_or(listen, |(h, _)| h);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if !matches!(host, "" | "0.0.0.0" | "::") {
            out.push(host.to_string());
        }
    }
    out.extend(profile.doubles_tls.hosts.iter().cloned());
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|h| seen.insert(h.to_ascii_lowercase()));
    out
}

/// Writes the CA beside the reports, atomically: a target reading it while
/// the next run rewrites it sees one CA or the other, never half of one.
fn write_ca(report_dir: &Path, pem: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(report_dir)?;
    let path = report_dir.join(CA_FILE);
    let mut tmp = tempfile::NamedTempFile::new_in(report_dir)?;
    std::io::Write::write_all(&mut tmp, pem.as_bytes())?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(std::path::absolute(&path).unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_written_whole_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let reports = dir.path().join("reports");
        let first = write_ca(&reports, "first").unwrap();
        assert!(first.is_absolute() && first.ends_with("reports/doubles-ca.pem"));
        write_ca(&reports, "second").unwrap();
        assert_eq!(std::fs::read_to_string(first).unwrap(), "second");
        assert_eq!(std::fs::read_dir(&reports).unwrap().count(), 1, "no temporary file left");
    }
}
