//! TLS for the servers of a run, and the trust of its clients: the
//! harness's doubles (the platform API, the SMS webhook, the SMTP sink's
//! STARTTLS) and the reference target both serve through this crate, so
//! neither imports the other for it.
//!
//! rustls on ring, not aws-lc: aws-lc-sys needs cmake to build, which a
//! fresh machine with a Rust toolchain and a C compiler lacks (ring has no
//! post-quantum key exchange, hence rustls's deprecation mark).
mod listener;
mod trust;

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub use listener::{HandshakeFailure, TlsListener};
pub use rustls;
pub use tokio_rustls::{server::TlsStream, TlsAcceptor, TlsConnector};
pub use trust::LazyTrust;

/// The crypto provider of every TLS configuration of the project.
#[allow(deprecated)]
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server's certificate chain and key, PEM.
#[derive(Debug, Clone)]
pub struct ServerIdentity {
    pub cert_pem: String,
    pub key_pem: String,
}

impl ServerIdentity {
    /// The server configuration for this identity, offering `alpn` (e.g.
    /// `http/1.1`; none for SMTP); an error says what did not parse.
    pub fn server_config(&self, alpn: &[&[u8]]) -> Result<Arc<rustls::ServerConfig>, String> {
        let chain = CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("certificate: {e}"))?;
        if chain.is_empty() {
            return Err("certificate: no PEM certificate".into());
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).map_err(|e| format!("key: {e}"))?;
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    }

    /// The acceptor of an HTTPS server (ALPN `http/1.1`).
    pub fn acceptor(&self) -> Result<TlsAcceptor, String> {
        Ok(TlsAcceptor::from(self.server_config(&[b"http/1.1"])?))
    }
}

/// Reads every certificate of a PEM text (a CA bundle); an error names why.
pub fn certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM certificate".into());
    }
    Ok(certs)
}

/// A client configuration that checks servers against the platform's trust
/// store plus `extra_roots` (a private CA, such as the one the harness
/// generates for its doubles), speaking `http/1.1` where ALPN is used.
pub fn client_config(extra_roots: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = provider();
    let verifier = LazyTrust::new(extra_roots, provider.clone())?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A client configuration that trusts nothing: every HTTPS call fails,
/// plain HTTP still works. For when no trust store can be had.
pub fn trusting_nothing() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}
