//! `doubles_tls:` in a profile: how the doubles that serve TLS identify
//! themselves to the target (`platform.tls`, `sms.webhook.tls`,
//! `mailbox.smtp.starttls`). By default the harness generates a CA per run
//! and writes its certificate beside the reports for the target to trust;
//! a target that runs on its own (and cannot be told a new CA each run)
//! is given a CA once, here, and trusts it for good.
//!
//! Like `tls:`, the files are read when the profile loads, so a missing or
//! malformed one is a profile error at its key (exit 2).
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::crypto::{CaError, CertificateAuthority};

/// How many names a certificate may carry: more is a typo'd list.
const MAX_HOSTS: usize = 32;

/// `doubles_tls:` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoublesTlsConfig {
    /// A CA certificate (PEM, relative to the profile) the doubles'
    /// certificates are signed by, instead of a CA generated per run.
    pub ca_cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub ca_key: Option<PathBuf>,
    /// Names the doubles' certificate is valid for besides `localhost`,
    /// `127.0.0.1`, `::1` and the hosts they listen on (the name a target
    /// on another machine reaches the harness by).
    #[serde(default)]
    pub hosts: Vec<String>,
    /// The CA given, checked, once the profile has loaded.
    #[serde(skip)]
    pub loaded: Option<Arc<CertificateAuthority>>,
}

impl DoublesTlsConfig {
    /// Problems of meaning, with the key they sit at.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        match (&self.ca_cert, &self.ca_key) {
            (Some(_), None) => {
                return Some((
                    "ca_key",
                    "`ca_cert` needs its `ca_key`: the doubles' certificates are signed with it".into(),
                ))
            }
            (None, Some(_)) => return Some(("ca_cert", "`ca_key` needs its `ca_cert`".into())),
            _ => {}
        }
        if self.hosts.len() > MAX_HOSTS {
            return Some(("hosts", format!("{} names; a certificate takes at most {MAX_HOSTS}", self.hosts.len())));
        }
        let bad = self.hosts.iter().find(|h| h.is_empty() || h.contains(|c: char| c.is_whitespace() || c == '/'));
        bad.map(|h| ("hosts", format!("{h:?} is not a host name or an IP address")))
    }

    /// Reads the CA files, relative to `base` (the profile's folder). An
    /// error names the key of the file at fault and why.
    pub fn load(&mut self, base: &Path) -> Result<(), (&'static str, String)> {
        let (Some(cert), Some(key)) = (&self.ca_cert, &self.ca_key) else { return Ok(()) };
        let read = |key: &'static str, path: &Path| {
            let path = base.join(path);
            std::fs::read_to_string(&path).map_err(|e| (key, format!("cannot read {}: {e}", path.display())))
        };
        let (cert_pem, key_pem) = (read("ca_cert", cert)?, read("ca_key", key)?);
        let ca = CertificateAuthority::from_pem(&cert_pem, &key_pem).map_err(|e| match e {
            CaError::Key(_) => ("ca_key", format!("{}: {e}", base.join(key).display())),
            _ => ("ca_cert", format!("{}: {e}", base.join(cert).display())),
        })?;
        self.loaded = Some(Arc::new(ca));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_and_bad_names_are_named_and_files_are_read_relative_to_the_profile() {
        let half = DoublesTlsConfig { ca_cert: Some("ca.pem".into()), ..Default::default() };
        assert_eq!(half.problem().map(|p| p.0), Some("ca_key"));
        let spaced = DoublesTlsConfig { hosts: vec!["ci host".into()], ..Default::default() };
        assert_eq!(spaced.problem().map(|p| p.0), Some("hosts"));
        assert!(DoublesTlsConfig { hosts: vec!["harness.ci".into()], ..Default::default() }.problem().is_none());

        let dir = tempfile::tempdir().unwrap();
        let mut given =
            DoublesTlsConfig { ca_cert: Some("ca.pem".into()), ca_key: Some("ca.key".into()), ..Default::default() };
        let (key, why) = given.load(dir.path()).unwrap_err();
        assert_eq!(key, "ca_cert");
        assert!(why.starts_with("cannot read ") && why.contains("ca.pem"), "{why}");
        std::fs::write(dir.path().join("ca.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
        std::fs::write(dir.path().join("ca.key"), "nothing").unwrap();
        assert_eq!(given.load(dir.path()).unwrap_err().0, "ca_key");
        let ca = CertificateAuthority::generate().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
        let (key, why) = given.load(dir.path()).unwrap_err();
        assert_eq!(key, "ca_key", "{why}");
    }
}
