//! A TCP listener whose connections reach axum only after a rustls
//! handshake. A failed handshake (a client that does not trust the
//! certificate, a port scan) drops that connection, is reported to whoever
//! asked, and the next connection is accepted: the server keeps running.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A handshake that takes longer is a client that stalled: drop it.
const HANDSHAKE_BUDGET: Duration = Duration::from_secs(10);

/// Told of every failed handshake: the peer and why. A double keeps these
/// as evidence, because a target that does not trust the double's CA shows
/// up only as a failed handshake on the double's side.
pub type HandshakeFailure = Arc<dyn Fn(SocketAddr, String) + Send + Sync>;

/// A listener that hands axum only connections whose TLS handshake passed.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    on_failure: Option<HandshakeFailure>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> TlsListener {
        TlsListener { tcp, acceptor, on_failure: None }
    }

    /// Reports every failed handshake to `report`.
    pub fn reporting(mut self, report: HandshakeFailure) -> TlsListener {
        self.on_failure = Some(report);
        self
    }

    fn failed(&self, addr: SocketAddr, why: String) {
        tracing::debug!("TLS handshake with {addr} failed: {why}");
        if let Some(report) = &self.on_failure {
            report(addr, why);
        }
    }
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
            let _ = stream.set_nodelay(true);
            match tokio::time::timeout(HANDSHAKE_BUDGET, self.acceptor.accept(stream)).await {
                Ok(Ok(tls)) => return (tls, addr),
                Ok(Err(e)) => self.failed(addr, e.to_string()),
                Err(_) => self.failed(addr, format!("no handshake within {HANDSHAKE_BUDGET:?}")),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{certificates, client_config, ServerIdentity};
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn ca_and_identity() -> (String, ServerIdentity) {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
        let cert_pem = cert.signed_by(&key, &issuer).unwrap().pem();
        (ca_pem, ServerIdentity { cert_pem, key_pem: key.serialize_pem() })
    }

    async fn get(addr: SocketAddr, trusted: &str) -> std::io::Result<String> {
        let config = client_config(certificates(trusted).unwrap()).unwrap();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = TcpStream::connect(addr).await?;
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut tls = connector.connect(name, tcp).await?;
        tls.write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await?;
        let mut reply = String::new();
        tls.read_to_string(&mut reply).await?;
        Ok(reply)
    }

    #[tokio::test]
    async fn a_trusting_client_is_served_and_a_distrusting_one_is_reported() {
        let (ca, identity) = ca_and_identity();
        let (other_ca, _) = ca_and_identity();
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let failures = Arc::new(Mutex::new(Vec::new()));
        let seen = failures.clone();
        let listener = TlsListener::new(tcp, identity.acceptor().unwrap())
            .reporting(Arc::new(move |_, why| seen.lock().unwrap().push(why)));
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "over tls" }));
        tokio::spawn(async move { axum::serve(listener, app).await });

        assert!(get(addr, &other_ca).await.is_err());
        let reply = get(addr, &ca).await.unwrap();
        assert!(reply.starts_with("HTTP/1.1 200") && reply.ends_with("over tls"), "{reply}");
        let failures = failures.lock().unwrap();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("UnknownCA") || failures[0].contains("alert"), "{failures:?}");
    }

    #[test]
    fn bad_pem_is_named() {
        let bad = ServerIdentity { cert_pem: "nope".into(), key_pem: "nope".into() };
        assert_eq!(bad.acceptor().err().unwrap(), "certificate: no PEM certificate");
        assert_eq!(certificates("nope").unwrap_err(), "no PEM certificate");
    }
}
