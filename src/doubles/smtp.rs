//! An SMTP sink: accepts mail over a real SMTP dialogue (RFC 5321 subset:
//! EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, VRFY, QUIT,
//! SIZE; STARTTLS when the profile asks) and delivers parsed messages to an [`Inbox`]. This file owns the
//! listener (bounded sessions, accept errors survived); the dialogue of one
//! session is `smtp_session.rs`.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::inbox::Inbox;
use super::mail::Mail;
use super::smtp_conn::StartTlsOffer;
use super::smtp_session::Session;

pub struct SmtpSink {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How the sink answers: the largest message it takes, and how long it
/// takes to accept one.
#[derive(Debug, Clone, Copy)]
pub struct SinkPolicy {
    pub max_size: usize,
    /// Waited before the end of each message is answered, as a relay that
    /// scans and queues it does: a target that sends its mail before
    /// answering its own client then answers that much later, which the
    /// timing scenarios can see (a sink answering in microseconds hides it).
    pub latency: Duration,
}

impl SinkPolicy {
    /// Messages up to `max_size` bytes, accepted at once.
    pub fn sized(max_size: usize) -> SinkPolicy {
        SinkPolicy { max_size, latency: Duration::ZERO }
    }
}

impl SmtpSink {
    /// Binds `listen` (port 0 for an ephemeral port) and serves until
    /// dropped, offering STARTTLS when `starttls` is given.
    pub async fn start(
        listen: &str,
        policy: SinkPolicy,
        inbox: Arc<Inbox<Mail>>,
        starttls: Option<StartTlsOffer>,
    ) -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(serve(listener, policy, inbox, starttls));
        Ok(SmtpSink { addr, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// Sessions served at once; one more is told 421 and closed, so a flood
/// of connections cannot exhaust the harness's file descriptors.
const MAX_SESSIONS: usize = 64;

/// The accept loop. An accept error (the descriptor limit reached, a
/// connection reset before it was taken) is logged and retried after a
/// growing pause: the sink must outlive it, or every later mail would be
/// blamed on the target.
async fn serve(listener: TcpListener, policy: SinkPolicy, inbox: Arc<Inbox<Mail>>, starttls: Option<StartTlsOffer>) {
    let sessions = Arc::new(Semaphore::new(MAX_SESSIONS));
    let mut pause = Duration::from_millis(5);
    loop {
        let mut stream = match listener.accept().await {
            Ok((stream, _)) => {
                pause = Duration::from_millis(5);
                stream
            }
            Err(e) => {
                tracing::warn!("SMTP sink: accept failed, retrying in {pause:?}: {e}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let Ok(permit) = sessions.clone().try_acquire_owned() else {
            tokio::spawn(async move {
                let _ = stream.write_all(b"421 4.3.2 too many connections, try again later\r\n").await;
            });
            continue;
        };
        let inbox = inbox.clone();
        let starttls = starttls.clone();
        tokio::spawn(async move {
            if let Err(e) = Session::new(stream, policy, starttls).run(&inbox).await {
                tracing::debug!("smtp session ended: {e}");
            }
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Redactor;
    use tokio::io::AsyncReadExt;
    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::net::TcpStream;

    async fn dialogue(addr: SocketAddr, script: &[(&str, &str)]) {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        assert!(line.starts_with("220"), "{line}");
        for (send, expect) in script {
            w.write_all(send.as_bytes()).await.unwrap();
            loop {
                line.clear();
                r.read_line(&mut line).await.unwrap();
                if line.as_bytes().get(3) != Some(&b'-') {
                    break;
                }
            }
            assert!(line.starts_with(expect), "after {send:?} expected {expect}, got {line:?}");
        }
    }

    #[tokio::test]
    async fn full_dialogue_with_dot_unstuffing_and_several_recipients() {
        let inbox = Inbox::new("mail");
        let sink = SmtpSink::start("127.0.0.1:0", SinkPolicy::sized(10_000), inbox.clone(), None).await.unwrap();
        dialogue(
            sink.addr(),
            &[
                ("MAIL FROM:<x@y>\r\n", "503"),
                ("EHLO me\r\n", "250"),
                ("RCPT TO:<a@t>\r\n", "503"),
                ("MAIL FROM:<gw@ref.test> SIZE=100\r\n", "250"),
                ("RCPT TO:<a@t>\r\n", "250"),
                ("RCPT TO:<b@t>\r\n", "250"),
                ("NOOP\r\n", "250"),
                ("DATA\r\n", "354"),
                ("Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.\r\n", "250"),
                ("RSET\r\n", "250"),
                ("BOGUS\r\n", "500"),
                ("QUIT\r\n", "221"),
            ],
        )
        .await;
        let r = Redactor::new();
        let m = inbox.next_for("b@t", Duration::from_secs(1), &r).await.unwrap();
        assert_eq!(m.subject, "hi");
        assert_eq!(m.text.as_deref(), Some(".leading dot\r\nbody\r\n"));
        assert_eq!(m.envelope_to, vec!["a@t", "b@t"]);
    }

    #[tokio::test]
    async fn size_limit_is_enforced() {
        let inbox = Inbox::new("mail");
        let sink = SmtpSink::start("127.0.0.1:0", SinkPolicy::sized(64), inbox.clone(), None).await.unwrap();
        let big = format!("Subject: big\r\n\r\n{}\r\n.\r\n", "x".repeat(200));
        dialogue(
            sink.addr(),
            &[
                ("HELO me\r\n", "250"),
                ("MAIL FROM:<a@b> SIZE=1000\r\n", "552"),
                ("MAIL FROM:<a@b>\r\n", "250"),
                ("RCPT TO:<c@d>\r\n", "250"),
                ("DATA\r\n", "354"),
                (big.as_str(), "552"),
            ],
        )
        .await;
        assert!(!inbox.received_any("c@d"));
    }

    #[tokio::test]
    async fn an_endless_line_gets_one_answer_and_the_sink_keeps_serving() {
        let inbox = Inbox::new("mail");
        let sink = SmtpSink::start("127.0.0.1:0", SinkPolicy::sized(10_000), inbox.clone(), None).await.unwrap();
        let mut stream = TcpStream::connect(sink.addr()).await.unwrap();
        let mut greeting = [0u8; 64];
        let _ = stream.read(&mut greeting).await.unwrap();
        // 100 KiB without a line end; the sink may close while we write.
        let _ = stream.write_all(&vec![b'x'; 100 * 1024]).await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        assert_eq!(answer.matches("500").count(), 1, "{answer}");
        // The next sender is served as usual.
        dialogue(sink.addr(), &[("HELO me\r\n", "250"), ("QUIT\r\n", "221")]).await;
    }

    #[tokio::test]
    async fn sessions_beyond_the_bound_are_told_421() {
        let inbox = Inbox::new("mail");
        let sink = SmtpSink::start("127.0.0.1:0", SinkPolicy::sized(10_000), inbox.clone(), None).await.unwrap();
        let mut held = Vec::new();
        for _ in 0..MAX_SESSIONS {
            let mut s = TcpStream::connect(sink.addr()).await.unwrap();
            let mut greeting = [0u8; 64];
            let n = s.read(&mut greeting).await.unwrap();
            assert!(greeting[..n].starts_with(b"220"));
            held.push(s);
        }
        let mut extra = TcpStream::connect(sink.addr()).await.unwrap();
        let mut reply = Vec::new();
        let _ = extra.read_to_end(&mut reply).await;
        assert!(reply.starts_with(b"421"), "{}", String::from_utf8_lossy(&reply));
        drop(held);
        // Freed sessions are served again (the permits return as they close).
        tokio::time::sleep(Duration::from_millis(50)).await;
        dialogue(sink.addr(), &[("HELO me\r\n", "250")]).await;
    }

    /// Reads one SMTP reply (the last line of a multi-line one is returned
    /// whole with the others before it).
    async fn reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).await.unwrap();
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }

    #[tokio::test]
    async fn starttls_when_required_forgets_the_plain_text_and_then_delivers() {
        use crate::crypto::CertificateAuthority;
        use crate::doubles::DoublesTls;
        let ca = CertificateAuthority::generate().unwrap();
        let tls = DoublesTls::new(&ca, &["127.0.0.1".into()]).unwrap();
        let (acceptor, log) = tls.starttls().unwrap();
        let offer = StartTlsOffer::new(crate::profile::StartTls::Required, acceptor, log);
        let inbox = Inbox::new("mail");
        let sink = SmtpSink::start("127.0.0.1:0", SinkPolicy::sized(10_000), inbox.clone(), offer).await.unwrap();

        let mut plain = BufReader::new(TcpStream::connect(sink.addr()).await.unwrap());
        assert!(reply(&mut plain).await.starts_with("220"));
        plain.write_all(b"EHLO me\r\n").await.unwrap();
        assert!(reply(&mut plain).await.contains("250-STARTTLS"));
        plain.write_all(b"MAIL FROM:<a@b>\r\n").await.unwrap();
        assert!(reply(&mut plain).await.starts_with("530 5.7.0"), "plain text is refused");
        // A command sent ahead of the handshake must be forgotten (RFC 3207 4.2).
        plain.write_all(b"STARTTLS\r\nMAIL FROM:<injected@x>\r\n").await.unwrap();
        assert!(reply(&mut plain).await.starts_with("220 2.0.0"));

        let roots = authconform_tls::certificates(ca.cert_pem()).unwrap();
        let connector =
            authconform_tls::client_config(roots).map(|c| authconform_tls::TlsConnector::from(Arc::new(c))).unwrap();
        let name = authconform_tls::rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let tls_stream = connector.connect(name, plain.into_inner()).await.unwrap();
        let mut secure = BufReader::new(tls_stream);
        for (send, expect) in [
            ("MAIL FROM:<a@b>\r\n", "503"),
            ("EHLO me\r\n", "250"),
            ("MAIL FROM:<a@b>\r\n", "250"),
            ("RCPT TO:<c@d>\r\n", "250"),
            ("DATA\r\n", "354"),
            ("Subject: over tls\r\n\r\nbody\r\n.\r\n", "250"),
            ("QUIT\r\n", "221"),
        ] {
            secure.write_all(send.as_bytes()).await.unwrap();
            secure.flush().await.unwrap();
            let got = reply(&mut secure).await;
            assert!(got.starts_with(expect), "after {send:?} expected {expect}, got {got:?}");
            assert!(!got.contains("STARTTLS"), "STARTTLS is not offered twice: {got}");
        }
        let m = inbox.next_for("c@d", Duration::from_secs(1), &Redactor::new()).await.unwrap();
        assert_eq!(m.subject, "over tls");
        let warned = tls.failures(None).join("\n");
        assert!(warned.contains("a mail begun in plain text was refused") && !warned.contains("injected"), "{warned}");
    }
}
