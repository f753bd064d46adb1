//! `authconform init`: a starter profile for a target the user describes by
//! its address and families. Every operation those families require is
//! written out, with the variables its templates get; where an OpenAPI
//! document is given, each operation's method and path are guessed from
//! it. What is left to decide is marked `TODO`, and a profile that still
//! holds a `TODO` does not load (`lint` names each at its line), so no
//! half-written profile runs.
use std::fmt::Write as _;

use serde_yaml::Value;

use super::family::{Declared, Extra, Family};
use super::operations::{OperationDef, ACTOR_VARIABLES, OPERATIONS};

/// What `init` was told.
pub struct Starter<'a> {
    pub name: &'a str,
    pub target_url: &'a str,
    pub families: &'a [Family],
    pub extras: &'a [Extra],
    /// The target's OpenAPI document (YAML or JSON), when there is one.
    pub openapi: Option<&'a Value>,
}

/// Words that point at each operation in an API's paths, and the method it
/// is usually bound to.
fn hints(op: &str) -> (&'static str, &'static [&'static str]) {
    match op {
        "otp.start" => ("POST", &["otp", "code", "passwordless", "magic", "start", "request", "send"]),
        "otp.validate" => ("POST", &["otp", "code", "verify", "validate", "confirm"]),
        "user.current" => ("GET", &["me", "current", "whoami", "session", "userinfo"]),
        "token.create" => ("POST", &["token", "tokens"]),
        "password.register" => ("POST", &["register", "registration", "signup", "sign-up", "accounts", "users"]),
        "password.login" => ("POST", &["login", "signin", "sign-in", "token", "session", "auth"]),
        "password.logout" => ("POST", &["logout", "signout", "sign-out", "session"]),
        "password.change" => ("POST", &["password", "change", "change-password"]),
        "password_reset.start" => ("POST", &["forgot", "reset", "password", "request"]),
        "password_reset.complete" => ("POST", &["reset", "password", "confirm", "complete"]),
        "data_sample.create" | "data_sample.list" => {
            (if op.ends_with("create") { "POST" } else { "GET" }, &["records", "notes", "documents", "samples"])
        }
        "data_sample.get" => ("GET", &["records", "notes", "documents", "samples", "{"]),
        _ => ("POST", &[]),
    }
}

/// The OpenAPI path and method that fit `op` best, if any fits at all.
fn guess(openapi: &Value, op: &str) -> Option<(String, String)> {
    let (method, words) = hints(op);
    let paths = openapi.get("paths")?.as_mapping()?;
    let mut best: Option<(usize, String, String)> = None;
    for (path, ops) in paths {
        let path = path.as_str()?;
        let lower = path.to_lowercase();
        let score = words.iter().filter(|w| lower.contains(*w)).count();
        for m in ops.as_mapping().map(|m| m.keys().filter_map(Value::as_str).collect::<Vec<_>>()).unwrap_or_default() {
            let same = m.eq_ignore_ascii_case(method);
            let s = score * 2 + usize::from(same);
            if score > 0 && best.as_ref().is_none_or(|b| s > b.0) {
                best = Some((s, m.to_uppercase(), path.to_string()));
            }
        }
    }
    best.map(|(_, m, p)| (m, p))
}

/// The profile text.
pub fn starter_profile(s: &Starter) -> String {
    let mut d = Declared::default();
    d.families.extend(s.families.iter().copied());
    d.extras.extend(s.extras.iter().copied());
    let mut out = String::new();
    let fam: Vec<&str> = s.families.iter().map(|f| f.as_str()).collect();
    let ext: Vec<&str> = s.extras.iter().map(|e| e.as_str()).collect();
    let env = s.name.to_uppercase().replace(['-', '.', ' '], "_");
    let _ = writeln!(out, "# Starter profile written by `authconform init`. Replace every TODO, then");
    let _ = writeln!(out, "# `authconform lint` (it names what is left) and `authconform run --target <this file>`.");
    let _ = writeln!(out, "# `authconform operations` says what each operation does and the variables it gets.");
    let _ = writeln!(out, "name: {}", s.name);
    let _ = writeln!(out, "base_url: ${{{env}_URL:-{}}}", s.target_url.trim_end_matches('/'));
    let _ = writeln!(out, "families: [{}]", fam.join(", "));
    let _ = writeln!(out, "extras: [{}]\n", ext.join(", "));
    let _ = writeln!(out, "# How calls marked `auth: true` present the session (`secret`: the token).");
    let _ = writeln!(out, "auth:\n  bearer: \"{{{{ secret }}}}\"\n");
    if d.extras.contains(&Extra::Email) || d.families.contains(&Family::PasswordReset) {
        let _ = writeln!(out, "# The harness runs an SMTP sink here: point the target's outgoing mail at it");
        let _ = writeln!(out, "# (or use `http:` or `catcher:`, see the README's Mailbox).");
        let _ = writeln!(out, "mailbox:\n  smtp:\n    listen: 127.0.0.1:2525");
        if d.families.contains(&Family::PasswordReset) {
            let _ = writeln!(out, "  # Where the reset link is (or `bare: true` and a regex for a bare token).");
            let _ = writeln!(out, "  link:\n    regex: 'TODO (https?://\\S+)'");
        }
        out.push('\n');
    }
    if d.extras.contains(&Extra::Sms) {
        let _ = writeln!(
            out,
            "sms:\n  webhook:\n    listen: 127.0.0.1:2526\n    path: /sms\n    recipient: /to\n    text: /message\n"
        );
    }
    let _ = writeln!(out, "operations:");
    let gives_token = false;
    for def in OPERATIONS.iter().filter(|o| o.required_by(&d, gives_token) && !o.name.starts_with("test.")) {
        write_operation(&mut out, def, s.openapi);
    }
    out
}

fn write_operation(out: &mut String, def: &OperationDef, openapi: Option<&Value>) {
    let mut vars: Vec<&str> = def.variables.iter().map(|v| v.trim_end_matches('?')).collect();
    vars.extend(ACTOR_VARIABLES);
    vars.dedup();
    let _ = writeln!(out, "  # {}", def.what);
    let _ = writeln!(out, "  # variables: {}", vars.join(", "));
    let guessed = openapi.and_then(|doc| guess(doc, def.name));
    let (method, path) = match &guessed {
        Some((m, p)) => {
            let _ = writeln!(out, "  # guessed from the OpenAPI document: {m} {p} (check it)");
            (m.clone(), p.replace('{', "{{ ").replace('}', " }}"))
        }
        None => (hints(def.name).0.to_string(), "/TODO".to_string()),
    };
    let _ = writeln!(out, "  {}:", def.name);
    let _ = writeln!(out, "    method: {method}");
    let _ = writeln!(out, "    url: \"{{{{ base_url }}}}{path}\"");
    if def.credentials {
        let _ = writeln!(out, "    auth: true");
    }
    let sent: Vec<&&str> = def.variables.iter().filter(|v| !v.ends_with('?')).collect();
    if method != "GET" && !sent.is_empty() {
        let _ = writeln!(out, "    json:  # TODO: the target's field names");
        for v in sent {
            let _ = writeln!(out, "      {v}: \"{{{{ {v} }}}}\"");
        }
    }
    let _ = writeln!(out, "    accept: [200]  # TODO: the statuses of success");
    if let Some(key) = must_extract(def.name) {
        let _ = writeln!(out, "    extract:\n      {key}: {{ json: /TODO }}");
    }
    out.push('\n');
}

/// What an operation must extract for the steps to go on.
fn must_extract(op: &str) -> Option<&'static str> {
    match op {
        "password.login" | "otp.validate" => Some("token"),
        "otp.start" => Some("flow_id"),
        "data_sample.create" => Some("sample_id"),
        "data_sample.get" => Some("text"),
        "data_sample.list" => Some("sample_ids"),
        "user.current" => Some("user_id"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_starter_names_every_required_operation_and_guesses_paths() {
        let openapi: Value = serde_yaml::from_str(
            "paths:\n  /api/auth/token: {post: {}}\n  /api/accounts: {post: {}}\n  /api/users/me: {get: {}}\n  /api/auth/logout: {post: {}}\n",
        )
        .unwrap();
        let text = starter_profile(&Starter {
            name: "my-service",
            target_url: "https://api.example.test/",
            families: &[Family::Password, Family::Sessions],
            extras: &[],
            openapi: Some(&openapi),
        });
        assert!(text.contains("base_url: ${MY_SERVICE_URL:-https://api.example.test}"), "{text}");
        for op in ["password.register", "password.login", "password.logout", "password.change", "user.current"] {
            assert!(text.contains(&format!("  {op}:\n")), "{op} missing:\n{text}");
        }
        assert!(text.contains("url: \"{{ base_url }}/api/auth/token\""), "{text}");
        assert!(text.contains("url: \"{{ base_url }}/api/users/me\""), "{text}");
        assert!(text.contains("token: { json: /TODO }"), "{text}");
        assert!(!text.contains("password_reset"), "{text}");
    }
}
