//! Serving the reference over HTTPS, as every real deployment is reached:
//! a TCP listener whose connections are accepted through a rustls
//! handshake before axum sees them. A failed handshake (a client that does
//! not trust the certificate) drops that connection and the next is
//! accepted; the server keeps running.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A handshake that takes longer is a client that stalled: drop it.
const HANDSHAKE_BUDGET: Duration = Duration::from_secs(10);

/// The server's certificate chain and key, PEM.
#[derive(Debug, Clone)]
pub struct TlsIdentity {
    pub cert_pem: String,
    pub key_pem: String,
}

impl TlsIdentity {
    /// The acceptor for this identity; an error says what did not parse.
    pub fn acceptor(&self) -> Result<TlsAcceptor, String> {
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
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// ring, not aws-lc: aws-lc-sys needs cmake to build, which a fresh machine
/// with a Rust toolchain and a C compiler lacks (ring has no post-quantum
/// key exchange, hence rustls's deprecation mark).
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client the reference calls others with (the platform, an SMS
/// webhook): HTTPS checked against the platform's trust store.
pub fn http_client() -> reqwest::Client {
    let provider = provider();
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone());
    let config = verifier.and_then(|v| {
        let mut c = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(v))
            .with_no_client_auth();
        c.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(c)
    });
    let builder = reqwest::Client::builder();
    let builder = match config {
        Ok(c) => builder.tls_backend_preconfigured(c),
        Err(e) => {
            // Without a trust store HTTPS cannot be checked: plain HTTP still works.
            tracing::warn!("no TLS for outgoing calls: {e}");
            builder.tls_backend_preconfigured(unverifiable())
        }
    };
    builder.build().expect("an HTTP client with a preconfigured TLS backend builds")
}

/// A TLS configuration that trusts nothing: every HTTPS call fails.
fn unverifiable() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}

/// A listener that hands axum only connections whose TLS handshake passed.
pub struct TlsListener {
    pub tcp: TcpListener,
    pub acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = match self.tcp.accept().await {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            match tokio::time::timeout(HANDSHAKE_BUDGET, self.acceptor.accept(stream)).await {
                Ok(Ok(tls)) => return (tls, addr),
                Ok(Err(e)) => tracing::debug!("TLS handshake with {addr} failed: {e}"),
                Err(_) => tracing::debug!("TLS handshake with {addr} stalled"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
