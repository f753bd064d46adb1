//! A received e-mail, parsed with mailparse: RFC 2047 subjects, multipart
//! bodies, quoted-printable and base64 transfer encodings, HTML-only mails.
use mailparse::{parse_mail, MailHeaderMap, ParsedMail};

use super::inbox::Message;
use crate::profile::{CodeExtraction, LinkExtraction, MailPart};

#[derive(Debug, Clone)]
pub struct Mail {
    /// Envelope sender (MAIL FROM) and recipients (RCPT TO).
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub from: String,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub size: usize,
    /// When the harness received it (places it under its step in reports).
    pub received: chrono::DateTime<chrono::Utc>,
}

impl Mail {
    pub fn parse(envelope_from: String, envelope_to: Vec<String>, raw: &[u8]) -> Result<Mail, String> {
        let parsed = parse_mail(raw).map_err(|e| format!("unparseable message: {e}"))?;
        let mut mail = Mail {
            envelope_from,
            envelope_to,
            from: parsed.headers.get_first_value("From").unwrap_or_default(),
            subject: parsed.headers.get_first_value("Subject").unwrap_or_default(),
            text: None,
            html: None,
            size: raw.len(),
            received: chrono::Utc::now(),
        };
        collect_bodies(&parsed, &mut mail)?;
        Ok(mail)
    }

    /// Builds a mail from parts (the HTTP mail-API backend).
    pub fn from_parts(to: &str, subject: String, text: Option<String>, html: Option<String>) -> Mail {
        Mail {
            envelope_from: String::new(),
            envelope_to: vec![to.to_string()],
            from: String::new(),
            subject,
            size: text.as_ref().map_or(0, String::len) + html.as_ref().map_or(0, String::len),
            text,
            html,
            received: chrono::Utc::now(),
        }
    }

    fn part(&self, part: MailPart) -> Option<&str> {
        match part {
            MailPart::Subject => Some(self.subject.as_str()),
            MailPart::Text => self.text.as_deref(),
            MailPart::Html => self.html.as_deref(),
        }
    }

    /// The first capture of the profile's code regex, searching parts in order.
    pub fn find_code(&self, rule: &CodeExtraction) -> Option<String> {
        rule.parts.iter().find_map(|part| rule.regex.first(self.part(*part)?).map(str::to_string))
    }

    /// The first link the profile's link regex finds, searching parts in
    /// order, with the token its `token` regex finds inside it (HTML
    /// entities of an `href` undone first).
    pub fn find_link(&self, rule: &LinkExtraction) -> Option<(String, Option<String>)> {
        let link = rule.parts.iter().find_map(|part| {
            let found = rule.regex.first(self.part(*part)?)?;
            Some(if *part == MailPart::Html { decode_entities(found) } else { found.to_string() })
        })?;
        if rule.bare {
            return Some((link.clone(), Some(link)));
        }
        let token = rule.token.first(&link).map(str::to_string);
        Some((link, token))
    }
}

fn collect_bodies(part: &ParsedMail<'_>, mail: &mut Mail) -> Result<(), String> {
    if part.subparts.is_empty() {
        let body = part.get_body().map_err(|e| format!("undecodable body: {e}"))?;
        match part.ctype.mimetype.as_str() {
            "text/html" if mail.html.is_none() => mail.html = Some(body),
            "text/plain" if mail.text.is_none() => mail.text = Some(body),
            _ => {}
        }
    }
    for sub in &part.subparts {
        collect_bodies(sub, mail)?;
    }
    Ok(())
}

impl Message for Mail {
    fn recipients(&self) -> &[String] {
        &self.envelope_to
    }
    fn describe(&self) -> String {
        format!("to {} subject {:?}", self.envelope_to.join(","), self.subject)
    }
}

/// An `href` as HTML writes it (`&amp;`, `&#38;`, any HTML5 named entity)
/// as the browser follows it. A stray `&` that starts no entity is kept as
/// written, as browsers do.
fn decode_entities(href: &str) -> String {
    quick_xml::escape::unescape_with(href, quick_xml::escape::resolve_html5_entity)
        .map_or_else(|_| href.to_string(), |d| d.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTIPART: &str = "From: gw@ref.test\r\nTo: a@x.test\r\nSubject: =?UTF-8?B?Vm90cmUgY29kZSDDqSA0ODI5MTc=?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nYour code is =\r\n482917\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+WW91ciBjb2RlIGlzIDxiPjQ4MjkxNzwvYj48L3A+\r\n--b1--\r\n";

    #[test]
    fn decodes_subject_quoted_printable_and_base64() {
        let m = Mail::parse("gw@ref.test".into(), vec!["a@x.test".into()], MULTIPART.as_bytes()).unwrap();
        assert_eq!(m.subject, "Votre code é 482917");
        assert_eq!(m.text.as_deref().map(str::trim), Some("Your code is 482917"));
        assert_eq!(m.html.as_deref(), Some("<p>Your code is <b>482917</b></p>"));
        assert_eq!(m.find_code(&CodeExtraction::default()).as_deref(), Some("482917"));
    }

    #[test]
    fn html_only_mail_yields_the_code() {
        let raw = "Subject: Welcome\r\nContent-Type: text/html\r\n\r\n<a href=\"https://x/v?c=918273\">go</a>\r\n";
        let m = Mail::parse(String::new(), vec!["a@x".into()], raw.as_bytes()).unwrap();
        assert!(m.text.is_none());
        let rule = CodeExtraction {
            regex: crate::profile::CaptureRegex::new(r"c=(\d+)").unwrap(),
            parts: vec![MailPart::Html],
        };
        assert_eq!(m.find_code(&rule).as_deref(), Some("918273"));
    }

    #[test]
    fn html_links_are_decoded_as_a_browser_follows_them() {
        assert_eq!(decode_entities("https://x/r?a=1&amp;token=t1"), "https://x/r?a=1&token=t1");
        assert_eq!(decode_entities("https://x/r?a=1&#38;token=t2&#x26;b=&quot;"), "https://x/r?a=1&token=t2&b=\"");
        assert_eq!(decode_entities("https://x/r?a=1&token=t3;x"), "https://x/r?a=1&token=t3;x");
    }
}
