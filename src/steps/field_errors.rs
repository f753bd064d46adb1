//! Finding a field in a validation error, by the error's structure: the
//! field is a key (`{"errors": {"Password": [...]}}`), the end of a path
//! (`{"loc": ["body", "password"]}`, `{"field": "Password"}`, JSON:API's
//! `source.pointer`), or a word of a message (`"Password is too short"`).
//! A substring of the whole body is not enough: the body may echo the
//! request, or name the field in an unrelated sentence fragment.
use serde_json::Value;

/// Keys whose value names the field an error is about.
const PATH_KEYS: &[&str] = &[
    "loc",
    "field",
    "fields",
    "path",
    "param",
    "parameter",
    "property",
    "propertyname",
    "member",
    "membernames",
    "pointer",
    "name",
    "key",
    "attribute",
];
/// Keys whose value is a human message about the field.
const MESSAGE_KEYS: &[&str] =
    &["message", "msg", "detail", "details", "error", "errors", "title", "description", "reason", "error_description"];

/// Whether the JSON error names `field` (case-insensitively, `first_name`
/// matching `FirstName` too) as a key, a path or a message word.
pub fn names_field(v: &Value, field: &str) -> bool {
    walk(v, field, None)
}

fn walk(v: &Value, field: &str, under: Option<&str>) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, x)| same(k, field) || walk(x, field, Some(k))),
        Value::Array(items) => items.iter().any(|x| walk(x, field, under)),
        Value::String(s) => {
            let key = under.map(|k| k.to_ascii_lowercase().replace(['_', '-'], ""));
            match key.as_deref() {
                Some(k) if PATH_KEYS.iter().any(|p| p.replace('_', "") == k) => {
                    s.rsplit(['/', '.']).next().is_some_and(|last| same(last, field)) || same(s, field)
                }
                Some(k) if MESSAGE_KEYS.contains(&k) => word_in(s, field),
                // A bare list of messages (`{"Password": ["too short"]}` is
                // caught by its key; `["Password is required"]` here).
                None => word_in(s, field),
                _ => false,
            }
        }
        _ => false,
    }
}

/// `FirstName`, `firstName`, `first_name` and `first-name` are one name.
fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    !a.is_empty() && norm(a) == norm(b)
}

/// Whether `text` holds `field` as a whole word (in any of its spellings).
pub fn word_in(text: &str, field: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).any(|w| same(w, field) && !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_paths_and_messages_name_a_field() {
        assert!(names_field(&json!({"errors": {"Password": ["too short"]}}), "Password"));
        assert!(names_field(&json!({"detail": [{"loc": ["body", "password"], "msg": "too short"}]}), "Password"));
        assert!(names_field(&json!({"errors": [{"field": "first_name", "message": "required"}]}), "FirstName"));
        assert!(names_field(&json!({"errors": [{"source": {"pointer": "/data/attributes/gender"}}]}), "Gender"));
        assert!(names_field(&json!({"message": "Password is too common"}), "Password"));
        assert!(names_field(&json!(["Email is not an address"]), "Email"));
    }

    #[test]
    fn an_echo_or_a_fragment_is_not_a_field_error() {
        // The request echoed back names nothing wrong.
        assert!(!names_field(&json!({"error": "invalid request", "input": "Password"}), "Password"));
        assert!(!names_field(&json!({"message": "PasswordPolicyV2 failed"}), "Password"));
        assert!(!names_field(&json!({"errors": {"Email": ["taken"]}}), "Password"));
        assert!(!word_in("bad request", "Gender"));
        assert!(word_in("Gender: must be M or F", "Gender"));
    }
}
