//! Redaction of what cucumber-rs writes itself: its console output and its
//! `cucumber.json` carry step failure messages as the steps raised them,
//! before the after-hook registered the secrets it found (codes in mails no
//! step read) and before the reports' own redaction. Every line of the
//! console goes through the run's [`Redactor`] on its way out
//! (`cucumber.json` is redacted once written: `cucumber_json::redact_file`).
use std::io::{self, Write};

use crate::redact::Redactor;

/// Writes whole lines, each redacted; a line without its end waits in the
/// buffer until it ends or the writer is flushed.
pub(super) struct RedactingWriter<W: Write> {
    inner: W,
    redactor: Redactor,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    pub(super) fn new(inner: W, redactor: Redactor) -> Self {
        RedactingWriter { inner, redactor, pending: Vec::new() }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let line: Vec<u8> = self.pending.drain(..upto).collect();
        let shown = self.redactor.text(&String::from_utf8_lossy(&line));
        self.inner.write_all(shown.as_bytes())
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            self.emit(end + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.emit(self.pending.len())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::SecretKind;

    #[test]
    fn console_lines_lose_their_secrets() {
        let redactor = Redactor::new();
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter::new(&mut out, redactor.clone());
            w.write_all(b"step failed: token ").unwrap();
            // Registered before the line ends, as the after-hook does.
            redactor.register("s3cr3t-t0ken-value", SecretKind::Token);
            w.write_all(b"s3cr3t-t0ken-value refused\npartial s3cr3t-t0ken-value").unwrap();
        }
        let shown = String::from_utf8(out).unwrap();
        assert!(
            !shown.contains("s3cr3t")
                && shown.contains("step failed: token [REDACTED")
                && shown.contains("partial [REDACTED"),
            "{shown}"
        );
    }
}
