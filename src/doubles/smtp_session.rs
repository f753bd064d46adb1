//! One SMTP session: the dialogue (RFC 5321 subset, STARTTLS of RFC 3207)
//! from greeting to QUIT, with every line bounded and an idle session closed.
use std::time::Duration;

use tokio::net::TcpStream;

use super::inbox::Inbox;
use super::mail::Mail;
use super::smtp_conn::{Conn, StartTlsOffer};

pub(super) const MAX_LINE: usize = 1000;
const MAX_RECIPIENTS: usize = 100;
/// A session that sends nothing for this long is closed (RFC 5321 4.5.3.2
/// allows minutes; a target's mailer never pauses that long mid-dialogue).
const IDLE: Duration = Duration::from_secs(30);

pub(super) struct Session {
    stream: Conn,
    starttls: Option<StartTlsOffer>,
    buf: Vec<u8>,
    /// How much of `buf` is known to hold no CRLF (a long line is scanned once).
    scanned: usize,
    max_size: usize,
    latency: std::time::Duration,
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
}

enum Read {
    Line(String),
    TooLong,
    Closed,
    Idle,
}

impl Session {
    pub(super) fn new(stream: TcpStream, policy: super::smtp::SinkPolicy, starttls: Option<StartTlsOffer>) -> Session {
        Session {
            stream: Conn::new(stream),
            starttls,
            buf: Vec::with_capacity(4096),
            scanned: 0,
            max_size: policy.max_size,
            latency: policy.latency,
            greeted: false,
            from: None,
            to: Vec::new(),
        }
    }

    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        self.stream.write_all(text.as_bytes()).await
    }

    /// Reads one CRLF-terminated line (without the CRLF).
    async fn read_line(&mut self, limit: usize) -> std::io::Result<Read> {
        loop {
            let from = self.scanned.saturating_sub(1);
            if let Some(pos) = self.buf[from..].windows(2).position(|w| w == b"\r\n").map(|p| p + from) {
                let line: Vec<u8> = self.buf.drain(..pos + 2).take(pos).collect();
                self.scanned = 0;
                return Ok(Read::Line(String::from_utf8_lossy(&line).into_owned()));
            }
            self.scanned = self.buf.len();
            if self.buf.len() > limit {
                self.buf.clear();
                self.scanned = 0;
                return Ok(Read::TooLong);
            }
            let mut chunk = [0u8; 8192];
            let n = match tokio::time::timeout(IDLE, self.stream.read(&mut chunk)).await {
                Ok(n) => n?,
                Err(_) => return Ok(Read::Idle),
            };
            if n == 0 {
                return Ok(Read::Closed);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    pub(super) async fn run(mut self, inbox: &Inbox<Mail>) -> std::io::Result<()> {
        self.reply("220 authconform-sink ESMTP ready\r\n").await?;
        loop {
            let line = match self.read_line(MAX_LINE).await? {
                Read::Line(l) => l,
                // One answer, then the connection closes: the rest of an
                // endless line is not worth a reply per kilobyte.
                Read::TooLong => return self.reply("500 5.5.2 line too long, closing\r\n").await,
                Read::Idle => return self.reply("421 4.4.2 idle too long, closing\r\n").await,
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
                    let starttls = if self.offers_tls() { "250-STARTTLS\r\n" } else { "" };
                    let msg = format!(
                        "250-authconform-sink\r\n250-SIZE {}\r\n{starttls}250-8BITMIME\r\n250 SMTPUTF8\r\n",
                        self.max_size
                    );
                    self.reply(&msg).await?;
                }
                "HELO" => {
                    self.greeted = true;
                    self.reset();
                    self.reply("250 authconform-sink\r\n").await?;
                }
                "STARTTLS" if self.offers_tls() => {
                    if !arg.is_empty() {
                        self.reply("501 5.5.4 syntax: STARTTLS\r\n").await?;
                        continue;
                    }
                    self.reply("220 2.0.0 ready to start TLS\r\n").await?;
                    let Some(offer) = self.starttls.clone() else { continue };
                    if self.stream.upgrade(&offer).await.is_err() {
                        return Ok(());
                    }
                    // RFC 3207 4.2: forget everything said in plain text,
                    // including lines sent ahead of the handshake (they
                    // could be an attacker's injection).
                    self.buf.clear();
                    self.scanned = 0;
                    self.greeted = false;
                    self.reset();
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

    /// STARTTLS is offered while the session is still in plain text.
    fn offers_tls(&self) -> bool {
        self.starttls.is_some() && !self.stream.is_tls()
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
        if let Some(offer) = self.starttls.as_ref().filter(|o| o.required && !self.stream.is_tls()) {
            if let Some(peer) = self.stream.peer() {
                offer.log.plaintext(peer);
            }
            return self.reply("530 5.7.0 must issue a STARTTLS command first\r\n").await;
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
                Read::Idle => return self.reply("421 4.4.2 idle too long, closing\r\n").await,
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
                if !self.latency.is_zero() {
                    tokio::time::sleep(self.latency).await;
                }
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
