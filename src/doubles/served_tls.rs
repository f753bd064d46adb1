//! The TLS the doubles serve when a target insists on it: one server
//! certificate, signed by the run's CA, for every double (the platform API,
//! the SMS webhook, the SMTP sink's STARTTLS), and the log of the handshakes
//! that failed. A target that does not trust the CA shows up only there:
//! its side sees an unknown CA, ours a dropped connection, so the run turns
//! each failure into a warning that says which CA file to trust.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use authconform_tls::{ServerIdentity, TlsAcceptor, TlsListener};
use tokio::net::TcpListener;

use crate::crypto::{CaError, CertificateAuthority};

/// Distinct failures described; past that only counted.
const DESCRIBED: usize = 5;

/// The doubles' TLS identity and what went wrong with it.
pub struct DoublesTls {
    ca_pem: String,
    identity: ServerIdentity,
    failures: Arc<Mutex<Failures>>,
}

/// The failures, grouped by double and cause: a target that distrusts the
/// CA fails every handshake alike, and one line with a count says it.
#[derive(Default)]
struct Failures {
    groups: Vec<(Cause, Tally)>,
    others: usize,
}

/// The double, what happened, what to do.
type Cause = (String, String, Remedy);

/// How often, and the first peer it happened with.
type Tally = (usize, SocketAddr);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Remedy {
    /// Trust the CA file.
    TrustCa,
    /// Send mail over STARTTLS.
    UseStartTls,
}

impl DoublesTls {
    /// A certificate for `hosts`, signed by `ca`.
    pub fn new(ca: &CertificateAuthority, hosts: &[String]) -> Result<DoublesTls, CaError> {
        Ok(DoublesTls { ca_pem: ca.cert_pem().to_string(), identity: ca.issue(hosts)?, failures: Arc::default() })
    }

    /// The CA's certificate, PEM: what the target must trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// An HTTPS listener for the double named `double` on `tcp`.
    pub fn listener(&self, tcp: TcpListener, double: &'static str) -> std::io::Result<TlsListener> {
        let acceptor = self.identity.acceptor().map_err(std::io::Error::other)?;
        let failures = self.failures.clone();
        Ok(TlsListener::new(tcp, acceptor).reporting(Arc::new(move |peer, why| note(&failures, double, peer, &why))))
    }

    /// The acceptor of STARTTLS (no ALPN: SMTP has none) and how a failed
    /// handshake is logged.
    pub fn starttls(&self) -> std::io::Result<(TlsAcceptor, HandshakeLog)> {
        let config = self.identity.server_config(&[]).map_err(std::io::Error::other)?;
        Ok((TlsAcceptor::from(config), HandshakeLog(self.failures.clone())))
    }

    /// One line per failed handshake (the first few), for the run's
    /// warnings; empty when every handshake passed.
    pub fn failures(&self, ca_file: Option<&std::path::Path>) -> Vec<String> {
        let f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let trust = match ca_file {
            Some(path) => format!("does the target trust {}?", path.display()),
            None => "does the target trust the doubles' CA (written beside the reports)?".to_string(),
        };
        let mut out: Vec<String> = f
            .groups
            .iter()
            .map(|((double, what, remedy), (count, first))| {
                let times = if *count == 1 { String::new() } else { format!(" {count} times, first") };
                let remedy = match remedy {
                    Remedy::TrustCa => trust.as_str(),
                    Remedy::UseStartTls => "the target must send its mail over STARTTLS",
                };
                format!("{double}:{times} {what} from {first}: {remedy}")
            })
            .collect();
        if f.others > 0 {
            out.push(format!("{} more TLS failures of other kinds with the doubles", f.others));
        }
        out
    }
}

/// Serves `app` on `tcp` until the task is aborted: over TLS when `tls` is
/// given, else plain HTTP. Returns the task and the URL scheme.
pub fn serve_http(
    tcp: TcpListener,
    app: axum::Router,
    tls: Option<&DoublesTls>,
    double: &'static str,
) -> std::io::Result<(tokio::task::JoinHandle<()>, &'static str)> {
    Ok(match tls {
        Some(tls) => {
            let listener = tls.listener(tcp, double)?;
            (tokio::spawn(async move { drop(axum::serve(listener, app).await) }), "https")
        }
        None => (tokio::spawn(async move { drop(axum::serve(tcp, app).await) }), "http"),
    })
}

/// Where the SMTP sink logs a STARTTLS handshake that failed.
#[derive(Clone)]
pub struct HandshakeLog(Arc<Mutex<Failures>>);

impl HandshakeLog {
    pub fn failed(&self, peer: SocketAddr, why: &str) {
        note(&self.0, "SMTP sink (STARTTLS)", peer, why);
    }

    /// A sender began a mail in plain text where TLS is required: not a
    /// handshake, but the same question of the target's TLS.
    pub fn plaintext(&self, peer: SocketAddr) {
        let what = "a mail begun in plain text was refused (`mailbox.smtp.starttls: required`)";
        group(&self.0, ("SMTP sink".into(), what.into(), Remedy::UseStartTls), peer);
    }
}

fn note(failures: &Mutex<Failures>, double: &str, peer: SocketAddr, why: &str) {
    // `why` comes from rustls (an alert, a protocol error): no secret.
    group(failures, (double.into(), format!("a TLS handshake failed ({why})"), Remedy::TrustCa), peer);
}

fn group(failures: &Mutex<Failures>, key: Cause, peer: SocketAddr) {
    let mut f = failures.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, (count, _))) = f.groups.iter_mut().find(|(k, _)| *k == key) {
        *count += 1;
    } else if f.groups.len() < DESCRIBED {
        f.groups.push((key, (1, peer)));
    } else {
        f.others += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_grouped_by_cause_counted_and_say_what_to_do() {
        let ca = CertificateAuthority::generate().unwrap();
        let tls = DoublesTls::new(&ca, &["127.0.0.1".into()]).unwrap();
        assert!(tls.failures(None).is_empty());
        let (_, log) = tls.starttls().unwrap();
        let peer = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        for port in 4000..4007 {
            log.failed(peer(port), "received fatal alert: UnknownCA");
        }
        log.plaintext(peer(5000));
        for n in 0..6 {
            log.failed(peer(6000), &format!("cause {n}"));
        }
        let lines = tls.failures(Some(std::path::Path::new("reports/doubles-ca.pem")));
        assert_eq!(
            lines[0],
            "SMTP sink (STARTTLS): 7 times, first a TLS handshake failed (received fatal alert: UnknownCA) from 127.0.0.1:4000: does the target trust reports/doubles-ca.pem?"
        );
        assert_eq!(
            lines[1],
            "SMTP sink: a mail begun in plain text was refused (`mailbox.smtp.starttls: required`) from 127.0.0.1:5000: the target must send its mail over STARTTLS"
        );
        assert_eq!(lines.len(), DESCRIBED + 1, "{lines:?}");
        assert_eq!(lines[DESCRIBED], "3 more TLS failures of other kinds with the doubles");
        assert!(tls.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    }
}
