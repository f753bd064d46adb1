//! Taking named results out of a reply: JSON pointer, header, status, body,
//! optionally narrowed by a regex.
use crate::profile::{Extract, ExtractSource};

use super::exchange::Exchange;

/// Takes one named value out of an accepted reply. Values are sent back to
/// the target, so one longer than `max` bytes, or read from a body that is
/// not valid UTF-8 (its decoding is a guess), is refused.
pub fn extract(spec: &Extract, ex: &Exchange, max: usize) -> Result<Option<String>, String> {
    if let (Some(at), false) = (ex.invalid_utf8_at, matches!(spec.from, ExtractSource::Header(_))) {
        return Err(format!("the body is not valid UTF-8 (from byte {at}), so no value is taken from it"));
    }
    let source: Option<String> = match &spec.from {
        ExtractSource::Json { pointer, each } => {
            let doc: serde_json::Value =
                serde_json::from_str(&ex.response_body).map_err(|e| format!("the reply is not JSON ({e})"))?;
            match (doc.pointer(pointer), each) {
                (None | Some(serde_json::Value::Null), _) => None,
                (Some(serde_json::Value::Array(items)), Some(each)) => {
                    let mapped: Vec<serde_json::Value> =
                        items.iter().map(|i| i.pointer(each).cloned().unwrap_or(serde_json::Value::Null)).collect();
                    Some(serde_json::Value::Array(mapped).to_string())
                }
                (Some(serde_json::Value::String(s)), _) => Some(s.clone()),
                (Some(other), _) => Some(other.to_string()),
            }
        }
        ExtractSource::Header(h) => ex.header(h).map(str::to_string),
        ExtractSource::Status => Some(ex.status.to_string()),
        ExtractSource::Body => Some(ex.response_body.clone()),
    };
    let value = match (&spec.regex, source) {
        (Some(re), Some(text)) => re.first(&text).map(str::to_string),
        (_, v) => v,
    };
    match value {
        Some(v) if v.len() > max => {
            Err(format!("the value is {} bytes, over the profile's `limits.value` ({max} bytes)", v.len()))
        }
        Some(v) if !v.is_empty() => Ok(Some(v)),
        _ if spec.optional => Ok(None),
        _ => Err(describe_missing(spec)),
    }
}

fn describe_missing(spec: &Extract) -> String {
    let from = match &spec.from {
        ExtractSource::Json { pointer, .. } => format!("JSON pointer `{pointer}`"),
        ExtractSource::Header(h) => format!("header `{h}`"),
        ExtractSource::Status => "the status".to_string(),
        ExtractSource::Body => "the body".to_string(),
    };
    match &spec.regex {
        Some(re) => format!("regex `{re}` found nothing in {from}"),
        None => format!("{from} is missing or empty"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ex(body: &str) -> Exchange {
        Exchange {
            operation: "op".into(),
            started: chrono::Utc::now(),
            method: "GET".into(),
            url: "http://t".into(),
            request_headers: vec![],
            request_body: None,
            status: 200,
            response_headers: vec![("X-Token".into(), "Token abc123".into())],
            response_body: body.into(),
            elapsed: Duration::ZERO,
            accepted: true,
            refusal: false,
            outcome: None,
            extracted: Default::default(),
            ..Default::default()
        }
    }

    fn spec(yaml: &str) -> Extract {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn pointer_header_regex_and_body() {
        let e = ex(r#"{"data": {"token": "t1", "n": 5}}"#);
        assert_eq!(extract(&spec("json: /data/token"), &e, 1024).unwrap().as_deref(), Some("t1"));
        assert_eq!(extract(&spec("json: /data/n"), &e, 1024).unwrap().as_deref(), Some("5"));
        assert_eq!(
            extract(&spec("header: x-token\nregex: 'Token (\\w+)'"), &e, 1024).unwrap().as_deref(),
            Some("abc123")
        );
        assert_eq!(extract(&spec("body: true"), &ex("plain"), 1024).unwrap().as_deref(), Some("plain"));
        assert_eq!(extract(&spec("status: true"), &e, 1024).unwrap().as_deref(), Some("200"));
        let list = ex(r#"[{"id": "a", "p": {"k": 1}}, {"id": "b", "p": {"k": 2}}]"#);
        assert_eq!(extract(&spec("json: ''\neach: /id"), &list, 1024).unwrap().as_deref(), Some(r#"["a","b"]"#));
        assert_eq!(extract(&spec("json: ''\neach: /p/k"), &list, 1024).unwrap().as_deref(), Some("[1,2]"));
    }

    #[test]
    fn missing_values_are_named() {
        let e = ex(r#"{"a": 1}"#);
        assert_eq!(extract(&spec("json: /b"), &e, 1024).unwrap_err(), "JSON pointer `/b` is missing or empty");
        assert_eq!(extract(&spec("json: /b\noptional: true"), &e, 1024).unwrap(), None);
        assert!(extract(&spec("json: /a"), &ex("<html>"), 1024).unwrap_err().contains("not JSON"));
    }

    #[test]
    fn long_values_and_damaged_bodies_give_nothing_to_send_back() {
        let e = ex(&format!(r#"{{"t":"{}"}}"#, "x".repeat(2000)));
        assert_eq!(
            extract(&spec("json: /t"), &e, 1024).unwrap_err(),
            "the value is 2000 bytes, over the profile's `limits.value` (1024 bytes)"
        );
        let mut bad = ex(r#"{"t":"ok"}"#);
        bad.invalid_utf8_at = Some(3);
        assert!(extract(&spec("json: /t"), &bad, 1024).unwrap_err().contains("not valid UTF-8 (from byte 3)"));
    }
}
