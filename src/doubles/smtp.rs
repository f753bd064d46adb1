//! An SMTP sink: accepts mail over a real SMTP dialogue (RFC 5321 subset:
//! EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, VRFY, QUIT,
//! SIZE) and delivers parsed messages to an [`Inbox`].
//!
//! TCP_NODELAY is set on accept and TCP_QUICKACK after every read: senders
//! such as lettre write the final `.` separately, and with Nagle on their
//! side and delayed ACKs on ours every mail stalls 44 ms (perf-floor.md).
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::inbox::Inbox;
use super::mail::Mail;

const MAX_LINE: usize = 1000;
const MAX_RECIPIENTS: usize = 100;

pub struct SmtpSink {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Binds `listen` (port 0 for an ephemeral port) and serves until dropped.
    pub async fn start(listen: &str, max_size: usize, inbox: Arc<Inbox<Mail>>) -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let inbox = inbox.clone();
                tokio::spawn(async move {
                    if let Err(e) = Session::new(stream, max_size).run(&inbox).await {
                        tracing::debug!("smtp session ended: {e}");
                    }
                });
            }
        });
        Ok(SmtpSink { addr, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

struct Session {
    stream: TcpStream,
    buf: Vec<u8>,
    max_size: usize,
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
}

enum Read {
    Line(String),
    TooLong,
    Closed,
}

impl Session {
    fn new(stream: TcpStream, max_size: usize) -> Session {
        let _ = stream.set_nodelay(true);
        Session { stream, buf: Vec::with_capacity(4096), max_size, greeted: false, from: None, to: Vec::new() }
    }

    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        self.stream.write_all(text.as_bytes()).await
    }

    /// Reads one CRLF-terminated line (without the CRLF).
    async fn read_line(&mut self, limit: usize) -> std::io::Result<Read> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.buf.drain(..pos + 2).take(pos).collect();
                return Ok(Read::Line(String::from_utf8_lossy(&line).into_owned()));
            }
            if self.buf.len() > limit {
                self.buf.clear();
                return Ok(Read::TooLong);
            }
            let mut chunk = [0u8; 8192];
            let n = self.stream.read(&mut chunk).await?;
            // Quick-ACK mode is not sticky on Linux: re-arm it after each read.
            let _ = socket2::SockRef::from(&self.stream).set_tcp_quickack(true);
            if n == 0 {
                return Ok(Read::Closed);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    async fn run(mut self, inbox: &Inbox<Mail>) -> std::io::Result<()> {
        self.reply("220 authconform-sink ESMTP ready\r\n").await?;
        loop {
            let line = match self.read_line(MAX_LINE).await? {
                Read::Line(l) => l,
                Read::TooLong => {
                    self.reply("500 5.5.2 line too long\r\n").await?;
                    continue;
                }
                Read::Closed => return Ok(()),
            };
            let (verb, arg) = match line.split_once(' ') {
                Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
                None => (line.trim().to_ascii_uppercase(), String::new()),
            };
            match verb.as_str() {
                "EHLO" => {
                    self.greeted = true;
                    self.reset();
                    let msg = format!("250-authconform-sink\r\n250-SIZE {}\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n", self.max_size);
                    self.reply(&msg).await?;
                }
                "HELO" => {
                    self.greeted = true;
                    self.reset();
                    self.reply("250 authconform-sink\r\n").await?;
                }
                "MAIL" => self.mail(&arg).await?,
                "RCPT" => self.rcpt(&arg).await?,
                "DATA" => self.data(inbox).await?,
                "RSET" => {
                    self.reset();
                    self.reply("250 2.0.0 reset\r\n").await?;
                }
                "NOOP" => self.reply("250 2.0.0 ok\r\n").await?,
                "VRFY" => self.reply("252 2.1.5 cannot verify, will accept\r\n").await?,
                "QUIT" => {
                    self.reply("221 2.0.0 bye\r\n").await?;
                    return Ok(());
                }
                _ => self.reply("500 5.5.1 command not recognized\r\n").await?,
            }
        }
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }

    async fn mail(&mut self, arg: &str) -> std::io::Result<()> {
        if !self.greeted {
            return self.reply("503 5.5.1 say EHLO or HELO first\r\n").await;
        }
        if self.from.is_some() {
            return self.reply("503 5.5.1 sender already given\r\n").await;
        }
        let Some(addr) = path_arg(arg, "FROM:") else {
            return self.reply("501 5.5.4 syntax: MAIL FROM:<address>\r\n").await;
        };
        let declared = arg
            .split_whitespace()
            .find_map(|p| p.to_ascii_uppercase().strip_prefix("SIZE=").and_then(|n| n.parse::<usize>().ok()));
        if declared.is_some_and(|n| n > self.max_size) {
            return self.reply("552 5.3.4 message size exceeds fixed limit\r\n").await;
        }
        self.from = Some(addr);
        self.reply("250 2.1.0 sender ok\r\n").await
    }

    async fn rcpt(&mut self, arg: &str) -> std::io::Result<()> {
        if self.from.is_none() {
            return self.reply("503 5.5.1 need MAIL before RCPT\r\n").await;
        }
        let Some(addr) = path_arg(arg, "TO:").filter(|a| !a.is_empty()) else {
            return self.reply("501 5.5.4 syntax: RCPT TO:<address>\r\n").await;
        };
        if self.to.len() >= MAX_RECIPIENTS {
            return self.reply("452 4.5.3 too many recipients\r\n").await;
        }
        self.to.push(addr);
        self.reply("250 2.1.5 recipient ok\r\n").await
    }

    async fn data(&mut self, inbox: &Inbox<Mail>) -> std::io::Result<()> {
        if self.to.is_empty() {
            return self.reply("503 5.5.1 need RCPT before DATA\r\n").await;
        }
        self.reply("354 end data with <CR><LF>.<CR><LF>\r\n").await?;
        let mut body = Vec::new();
        let mut too_big = false;
        loop {
            let line = match self.read_line(self.max_size + MAX_LINE).await? {
                Read::Line(l) => l,
                Read::TooLong => {
                    too_big = true;
                    continue;
                }
                Read::Closed => return Ok(()),
            };
            if line == "." {
                break;
            }
            // RFC 5321 4.5.2: a leading dot was doubled by the sender.
            let line = line.strip_prefix('.').unwrap_or(&line);
            if body.len() + line.len() + 2 > self.max_size {
                too_big = true;
            } else if !too_big {
                body.extend_from_slice(line.as_bytes());
                body.extend_from_slice(b"\r\n");
            }
        }
        let from = self.from.take().unwrap_or_default();
        let to = std::mem::take(&mut self.to);
        if too_big {
            return self.reply("552 5.3.4 message size exceeds fixed limit\r\n").await;
        }
        match Mail::parse(from, to, &body) {
            Ok(mail) => {
                inbox.deliver(mail);
                self.reply("250 2.0.0 queued\r\n").await
            }
            Err(e) => self.reply(&format!("554 5.6.0 {e}\r\n")).await,
        }
    }
}

/// `FROM:<a@b> SIZE=10` -> `a@b`; accepts a space after the colon.
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let upper = arg.to_ascii_uppercase();
    if !upper.starts_with(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?.split('>').next()?;
    Some(inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Redactor;
    use std::time::Duration;
    use tokio::io::{AsyncBufReadExt, BufReader};

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
        let sink = SmtpSink::start("127.0.0.1:0", 10_000, inbox.clone()).await.unwrap();
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
        let sink = SmtpSink::start("127.0.0.1:0", 64, inbox.clone()).await.unwrap();
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
}
