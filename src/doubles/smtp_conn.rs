//! The SMTP sink's side of one connection: plain TCP, or TLS once the
//! sender asked for STARTTLS (RFC 3207) and the handshake passed.
//!
//! TCP_NODELAY is set on accept and TCP_QUICKACK after every read: senders
//! such as lettre write the final `.` separately, and with Nagle on their
//! side and delayed ACKs on ours every mail stalls 44 ms (perf-floor.md).
use std::net::SocketAddr;

use authconform_tls::{TlsAcceptor, TlsStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::served_tls::HandshakeLog;
use crate::profile::StartTls;

/// A sender that stalls its handshake longer is dropped.
const HANDSHAKE_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// What the sink says of STARTTLS, and what it needs to do it.
#[derive(Clone)]
pub struct StartTlsOffer {
    pub acceptor: TlsAcceptor,
    pub log: HandshakeLog,
    /// A mail begun in plain text is refused.
    pub required: bool,
}

impl StartTlsOffer {
    /// The offer for `mode` (none when it is off).
    pub fn new(mode: StartTls, acceptor: TlsAcceptor, log: HandshakeLog) -> Option<StartTlsOffer> {
        (mode != StartTls::Off).then(|| StartTlsOffer { acceptor, log, required: mode == StartTls::Required })
    }
}

pub(super) enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Between the 220 to STARTTLS and the end of the handshake; a failed
    /// handshake leaves it here, and the session ends.
    Gone,
}

impl Conn {
    pub(super) fn new(stream: TcpStream) -> Conn {
        let _ = stream.set_nodelay(true);
        Conn::Plain(stream)
    }

    pub(super) fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
    }

    pub(super) fn peer(&self) -> Option<SocketAddr> {
        self.tcp().and_then(|t| t.peer_addr().ok())
    }

    fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Conn::Plain(s) => Some(s),
            Conn::Tls(s) => Some(s.get_ref().0),
            Conn::Gone => None,
        }
    }

    pub(super) async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match self {
            Conn::Plain(s) => s.read(buf).await?,
            Conn::Tls(s) => s.read(buf).await?,
            Conn::Gone => 0,
        };
        if let Some(tcp) = self.tcp() {
            quick_ack(tcp);
        }
        Ok(n)
    }

    pub(super) async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.write_all(bytes).await,
            Conn::Tls(s) => {
                s.write_all(bytes).await?;
                // rustls buffers: a reply must leave now, not with the next.
                s.flush().await
            }
            Conn::Gone => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    /// The TLS handshake on a plain connection; a failure is logged and
    /// leaves the connection gone.
    pub(super) async fn upgrade(&mut self, offer: &StartTlsOffer) -> std::io::Result<()> {
        let Conn::Plain(tcp) = std::mem::replace(self, Conn::Gone) else {
            return Err(std::io::Error::other("STARTTLS on a connection that is not plain TCP"));
        };
        let peer = tcp.peer_addr().ok();
        let handshake = tokio::time::timeout(HANDSHAKE_BUDGET, offer.acceptor.accept(tcp)).await;
        match handshake
            .unwrap_or_else(|_| Err(std::io::Error::other(format!("no handshake within {HANDSHAKE_BUDGET:?}"))))
        {
            Ok(tls) => {
                *self = Conn::Tls(Box::new(tls));
                Ok(())
            }
            Err(e) => {
                if let Some(peer) = peer {
                    offer.log.failed(peer, &e.to_string());
                }
                Err(e)
            }
        }
    }
}

/// Quick-ACK mode is not sticky on Linux: re-armed after each read. Other
/// systems have no such option (nor the 44 ms stall it avoids).
#[cfg(target_os = "linux")]
fn quick_ack(stream: &TcpStream) {
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
}

#[cfg(not(target_os = "linux"))]
fn quick_ack(_: &TcpStream) {}
