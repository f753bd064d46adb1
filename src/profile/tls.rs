//! `tls:` in a profile: how the harness checks the certificates of the
//! HTTPS servers it calls (the target, a mail API), and the certificate it
//! presents where a target asks for one. The platform's trust store is
//! always used; `ca_file` adds a private CA (a staging environment's);
//! `insecure` checks nothing, and every report says so.
//!
//! The files are read and parsed when the profile loads, so a missing or
//! malformed one is a profile error at its key (exit 2), never a failure
//! halfway through a run.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;

/// `tls:` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// A CA certificate (PEM, relative to the profile) trusted besides the
    /// platform's store.
    pub ca_file: Option<PathBuf>,
    /// A client certificate chain (PEM) presented to servers that ask.
    pub client_cert: Option<PathBuf>,
    /// Its private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub client_key: Option<PathBuf>,
    /// Accept any certificate: loud, a WARN line in every report.
    #[serde(default)]
    pub insecure: bool,
    /// What the files hold, once the profile has loaded.
    #[serde(skip)]
    pub loaded: Option<Arc<TlsMaterial>>,
}

/// The parsed content of the `tls:` files.
#[derive(Debug)]
pub struct TlsMaterial {
    pub extra_roots: Vec<CertificateDer<'static>>,
    pub identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
}

impl TlsConfig {
    /// Problems of meaning, with the key they sit at.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        match (&self.client_cert, &self.client_key) {
            (Some(_), None) => return Some(("client_key", "`client_cert` needs its `client_key`")),
            (None, Some(_)) => return Some(("client_cert", "`client_key` needs its `client_cert`")),
            _ => {}
        }
        if self.insecure && self.ca_file.is_some() {
            return Some(("insecure", "`insecure` accepts any certificate, so `ca_file` would mean nothing: keep one"));
        }
        None
    }

    /// Reads and parses the files, relative to `base` (the profile's folder).
    /// An error names the key of the file at fault and why.
    pub fn load(&mut self, base: &Path) -> Result<(), (&'static str, String)> {
        let ca = self.ca_file.as_ref().map(|p| base.join(p));
        let extra_roots = match &ca {
            Some(file) => {
                let certs = certificates(file).map_err(|e| ("ca_file", e))?;
                if certs.is_empty() {
                    return Err(("ca_file", format!("{} holds no PEM certificate", file.display())));
                }
                certs
            }
            None => Vec::new(),
        };
        let identity = match (&self.client_cert, &self.client_key) {
            (Some(cert), Some(key)) => {
                let (cert, key) = (base.join(cert), base.join(key));
                let chain = certificates(&cert).map_err(|e| ("client_cert", e))?;
                if chain.is_empty() {
                    return Err(("client_cert", format!("{} holds no PEM certificate", cert.display())));
                }
                let key = PrivateKeyDer::from_pem_file(&key)
                    .map_err(|e| ("client_key", format!("{}: no PEM private key ({e})", key.display())))?;
                Some((chain, key))
            }
            _ => None,
        };
        self.loaded = Some(Arc::new(TlsMaterial { extra_roots, identity }));
        Ok(())
    }

    /// Trusts `roots` too: the doubles' CA, for the links into a double
    /// the harness follows as the app would (a deep link to the platform).
    pub fn trust_also(&mut self, roots: Vec<CertificateDer<'static>>) {
        let (mut extra_roots, identity) = match self.loaded.take().map(Arc::try_unwrap) {
            Some(Ok(m)) => (m.extra_roots, m.identity),
            Some(Err(shared)) => {
                (shared.extra_roots.clone(), shared.identity.as_ref().map(|(c, k)| (c.clone(), k.clone_key())))
            }
            None => (Vec::new(), None),
        };
        extra_roots.extend(roots);
        self.loaded = Some(Arc::new(TlsMaterial { extra_roots, identity }));
    }
}

fn certificates(file: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    CertificateDer::pem_slice_iter(&text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: not a PEM certificate ({e})", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_relative_to_the_profile_and_named_when_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let mut tls = TlsConfig { ca_file: Some("ca.pem".into()), ..Default::default() };
        let (key, why) = tls.load(dir.path()).unwrap_err();
        assert_eq!(key, "ca_file");
        assert!(why.starts_with("cannot read ") && why.contains("ca.pem"), "{why}");
        std::fs::write(dir.path().join("ca.pem"), "not pem at all").unwrap();
        let (_, why) = tls.load(dir.path()).unwrap_err();
        assert!(why.contains("holds no PEM certificate"), "{why}");
        let half = TlsConfig { client_cert: Some("c.pem".into()), ..Default::default() };
        assert_eq!(half.problem(), Some(("client_key", "`client_cert` needs its `client_key`")));
        let both = TlsConfig { insecure: true, ca_file: Some("ca.pem".into()), ..Default::default() };
        assert_eq!(both.problem().map(|p| p.0), Some("insecure"));
        assert!(TlsConfig::default().problem().is_none());
    }
}
