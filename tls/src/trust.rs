//! The platform's trust store, read when the first certificate needs it.
//!
//! rustls-platform-verifier reads every certificate of the system's store
//! (a hundred files and more on Debian) when it is made. Every run makes
//! clients, most runs (loopback targets over plain HTTP) never check a
//! certificate, and a one-scenario run spent a third of its time there.
//! [`LazyTrust`] makes the verifier on the first handshake instead.
//!
//! It also stands for `tls.insecure` ([`LazyTrust::anyone`]): every
//! certificate passes, signatures are still checked, so the handshake is
//! real and only the identity is not.
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The platform's trust store plus `extra_roots`, loaded on first use; or
/// no trust at all.
#[derive(Debug)]
pub struct LazyTrust {
    extra_roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<Result<rustls_platform_verifier::Verifier, String>>,
    anyone: bool,
}

impl LazyTrust {
    /// Fails now, as the eager verifier did, when an extra root is not a
    /// CA certificate rustls can use; only the platform's store waits.
    pub fn new(
        extra_roots: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<LazyTrust, rustls::Error> {
        let mut check = rustls::RootCertStore::empty();
        for root in &extra_roots {
            check.add(root.clone())?;
        }
        Ok(LazyTrust { extra_roots, provider, verifier: OnceLock::new(), anyone: false })
    }

    /// Trusts every certificate (`tls.insecure`).
    pub fn anyone(provider: Arc<CryptoProvider>) -> LazyTrust {
        LazyTrust { extra_roots: Vec::new(), provider, verifier: OnceLock::new(), anyone: true }
    }

    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.verifier
            .get_or_init(|| {
                rustls_platform_verifier::Verifier::new_with_extra_roots(
                    self.extra_roots.iter().cloned(),
                    self.provider.clone(),
                )
                .map_err(|e| format!("cannot read the platform's trust store: {e}"))
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(e.clone()))
    }
}

impl ServerCertVerifier for LazyTrust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.anyone {
            return Ok(ServerCertVerified::assertion());
        }
        self.verifier()?.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    // Signatures need no trust store: checked as the platform verifier
    // checks them, with the provider's algorithms.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_read_until_a_certificate_is_checked() {
        assert!(LazyTrust::new(vec![CertificateDer::from(vec![1u8; 4])], crate::provider()).is_err());
        let trust = LazyTrust::new(Vec::new(), crate::provider()).unwrap();
        assert!(trust.verifier.get().is_none());
        assert!(!trust.supported_verify_schemes().is_empty());
        assert!(trust.verifier.get().is_none(), "the schemes need no store");
        let name = ServerName::try_from("example.org").unwrap();
        let not_a_cert = CertificateDer::from(vec![0u8; 8]);
        assert!(trust.verify_server_cert(&not_a_cert, &[], &name, &[], UnixTime::now()).is_err());
        assert!(trust.verifier.get().is_some(), "the first check reads the store");
        let anyone = LazyTrust::anyone(crate::provider());
        assert!(anyone.verify_server_cert(&not_a_cert, &[], &name, &[], UnixTime::now()).is_ok());
        assert!(anyone.verifier.get().is_none(), "trusting anyone reads nothing");
    }
}
