//! Reading a reply's body within the profile's limit, and noting what in
//! a reply is not what its headers say. A target may answer 50 MB, break
//! off halfway or trickle a byte a second; none of it may cost the harness
//! more than the limit, and each is told apart in the failure text.
use sha2::{Digest, Sha256};

/// A body read whole, within the limit.
#[derive(Debug)]
pub struct Body {
    /// The body as text; invalid UTF-8 is shown as U+FFFD here, and
    /// `invalid_utf8_at` says where, so that nothing is extracted from it.
    pub text: String,
    pub bytes: usize,
    pub sha256: String,
    pub invalid_utf8_at: Option<usize>,
}

/// Why a body could not be read, after the status and headers arrived.
#[derive(Debug)]
pub enum BodyError {
    /// Over the limit: `received` bytes were read (or announced) before stopping.
    TooLarge { received: u64, head: String },
    /// The time budget ran out while the body was still coming.
    Trickled { received: usize, head: String },
    /// The connection broke before the body was complete.
    BrokeOff { received: usize, head: String, message: String },
}

/// How much of a failed body the error keeps (redacted when shown).
const HEAD: usize = 512;

fn head(buf: &[u8]) -> String {
    String::from_utf8_lossy(&buf[..buf.len().min(HEAD)]).into_owned()
}

/// Reads the body chunk by chunk, refusing it as soon as it passes `limit`
/// (or announces it will, by Content-Length), so memory stays bounded.
pub async fn read(mut reply: reqwest::Response, limit: usize) -> Result<Body, BodyError> {
    if let Some(n) = reply.content_length().filter(|n| *n > limit as u64) {
        return Err(BodyError::TooLarge { received: n, head: String::new() });
    }
    let mut buf: Vec<u8> = Vec::new();
    loop {
        match reply.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > limit {
                    let received = (buf.len() + chunk.len()) as u64;
                    buf.extend_from_slice(&chunk[..HEAD.saturating_sub(buf.len()).min(chunk.len())]);
                    return Err(BodyError::TooLarge { received, head: head(&buf) });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => return Err(BodyError::Trickled { received: buf.len(), head: head(&buf) }),
            Err(e) => {
                return Err(BodyError::BrokeOff {
                    received: buf.len(),
                    head: head(&buf),
                    message: super::target::root_cause(&e),
                })
            }
        }
    }
    Ok(decode(buf))
}

fn decode(buf: Vec<u8>) -> Body {
    let sha256 = hex::encode(Sha256::digest(&buf));
    let bytes = buf.len();
    match String::from_utf8(buf) {
        Ok(text) => Body { text, bytes, sha256, invalid_utf8_at: None },
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Body { text: String::from_utf8_lossy(e.as_bytes()).into_owned(), bytes, sha256, invalid_utf8_at: Some(at) }
        }
    }
}

/// What in a reply contradicts its own headers: kept in the evidence and
/// shown in failure texts, since a check failing on such a reply is
/// usually failing on the damage, not on the requirement.
pub fn notes(headers: &[(String, String)], body: &Body) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(at) = body.invalid_utf8_at {
        notes.push(format!("the body is not valid UTF-8 (from byte {at}); nothing is extracted from it"));
    }
    let content_type =
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.to_ascii_lowercase());
    let trimmed = body.text.trim_start();
    let looks_json = (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(&body.text).is_ok();
    match content_type.as_deref() {
        Some(ct) if ct.contains("json") && !trimmed.is_empty() && !looks_json => {
            notes.push(format!("the content type is `{ct}` but the body is not JSON"))
        }
        Some(ct) if !ct.contains("json") && looks_json => {
            notes.push(format!("the body is JSON but the content type is `{ct}`"))
        }
        None if looks_json => notes.push("the body is JSON but there is no content type".into()),
        _ => {}
    }
    let mut names: Vec<String> = headers.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
    names.sort();
    names.dedup();
    for name in names.iter().filter(|n| *n != "set-cookie" && *n != "vary") {
        let n = headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).count();
        if n > 1 {
            notes.push(format!("header `{name}` appears {n} times"));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn invalid_utf8_is_located_and_hashed_whole() {
        let b = decode(b"ok\xff\xfe".to_vec());
        assert_eq!(b.invalid_utf8_at, Some(2));
        assert_eq!(b.bytes, 4);
        assert_eq!(b.sha256.len(), 64);
        assert!(notes(&[], &b)[0].contains("not valid UTF-8 (from byte 2)"));
        assert_eq!(decode(b"fine".to_vec()).invalid_utf8_at, None);
    }

    #[test]
    fn replies_contradicting_their_headers_are_noted() {
        let json = decode(br#"{"a":1}"#.to_vec());
        assert_eq!(
            notes(&h(&[("Content-Type", "text/html")]), &json),
            ["the body is JSON but the content type is `text/html`"]
        );
        assert!(notes(&h(&[("content-type", "application/json; charset=utf-8")]), &json).is_empty());
        let html = decode(b"<html>".to_vec());
        assert_eq!(
            notes(&h(&[("content-type", "application/json")]), &html),
            ["the content type is `application/json` but the body is not JSON"]
        );
        let dup = notes(
            &h(&[
                ("content-type", "text/plain"),
                ("X-Id", "1"),
                ("x-id", "2"),
                ("set-cookie", "a"),
                ("set-cookie", "b"),
            ]),
            &html,
        );
        assert_eq!(dup, ["header `x-id` appears 2 times"]);
    }
}
