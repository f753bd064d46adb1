//! Checks serde cannot express: exactly-one choices, templates and regexes
//! that compile, and every operation the suite speaks of being bound.
use super::model::{AuthScheme, Capability, Extract, OperationSpec, Profile, StatusPattern};
use super::operations::{operation, OPERATIONS};

/// Capabilities that only make sense on top of others.
const CAPABILITY_NEEDS: &[(Capability, Capability)] = &[
    (Capability::PasswordReset, Capability::Sso),
    (Capability::PasswordReset, Capability::Email),
    (Capability::ResetCompletion, Capability::PasswordReset),
    (Capability::DeepLink, Capability::Sso),
    (Capability::AccountAdmin, Capability::Sso),
];

/// A problem: the key path it sits at, and what is wrong.
pub(super) type Problem = (Vec<String>, String);

pub(super) fn at(path: &[&str], message: impl Into<String>) -> Problem {
    (path.iter().map(|s| s.to_string()).collect(), message.into())
}

pub fn validate(p: &Profile) -> Result<(), Problem> {
    check_template(&["base_url"], &p.base_url)?;
    check_auth(&p.auth)?;
    super::values::check_values(p)?;
    if let Some((key, why)) = p.limits.problem() {
        return Err(at(&["limits", key], why));
    }
    for (cap, needs) in CAPABILITY_NEEDS {
        if p.capabilities.contains(cap) && !p.capabilities.contains(needs) {
            return Err(at(
                &["capabilities"],
                format!("capability `{}` needs capability `{}`", cap.as_str(), needs.as_str()),
            ));
        }
    }
    for def in OPERATIONS {
        let (name, needs) = (def.name, def.needs);
        let required = needs.iter().all(|c| p.capabilities.contains(c));
        if required && !p.operations.contains_key(name) {
            let names: Vec<String> = needs.iter().map(|c| format!("`{}`", c.as_str())).collect();
            let why = if names.is_empty() {
                String::new()
            } else {
                format!(" (the profile declares capability {})", names.join(" and "))
            };
            return Err(at(&["operations"], format!("operation `{name}` is not bound{why}")));
        }
    }
    for (name, op) in &p.operations {
        if operation(name).is_none() {
            let known: Vec<_> = OPERATIONS.iter().map(|o| o.name).collect();
            return Err(at(&["operations", name], format!("unknown operation; known: {}", known.join(", "))));
        }
        check_operation(name, op)?;
    }
    match &p.mailbox {
        Some(m) => {
            if m.smtp.is_some() == m.http.is_some() {
                return Err(at(&["mailbox"], "set exactly one of `smtp` or `http`"));
            }
            if let Some(http) = &m.http {
                check_template(&["mailbox", "http", "url"], &http.url)?;
            }
        }
        None if p.capabilities.contains(&Capability::Email) => {
            return Err(at(&["capabilities"], "capability `email` needs a `mailbox` section"));
        }
        None => {}
    }
    if p.sms.is_none() && p.capabilities.contains(&Capability::Sms) {
        return Err(at(&["capabilities"], "capability `sms` needs an `sms` section"));
    }
    if p.capabilities.contains(&Capability::Sso) && p.platform.is_none() {
        return Err(at(&["capabilities"], "capability `sso` needs a `platform` section (the platform double)"));
    }
    if p.platform.as_ref().is_some_and(|pl| pl.partner_public_key.is_some() && pl.partner_public_key_file.is_some()) {
        return Err(at(
            &["platform", "partner_public_key_file"],
            "set `partner_public_key` or `partner_public_key_file`, not both",
        ));
    }
    super::scope::check_scopes(p)
}

fn check_auth(a: &AuthScheme) -> Result<(), Problem> {
    let set = [a.basic.is_some(), a.bearer.is_some(), a.header.is_some()];
    if set.iter().filter(|b| **b).count() != 1 {
        return Err(at(&["auth"], "set exactly one of `basic`, `bearer` or `header`"));
    }
    if let Some(b) = &a.basic {
        check_template(&["auth", "basic", "username"], &b.username)?;
        check_template(&["auth", "basic", "password"], &b.password)?;
    }
    if let Some(t) = &a.bearer {
        check_template(&["auth", "bearer"], t)?;
    }
    if let Some(h) = &a.header {
        check_template(&["auth", "header", "value"], &h.value)?;
    }
    Ok(())
}

fn check_operation(name: &str, op: &OperationSpec) -> Result<(), Problem> {
    check_template(&["operations", name, "url"], &op.url)?;
    let bodies = [op.json.is_some(), op.form.is_some(), op.raw.is_some()];
    if bodies.iter().filter(|b| **b).count() > 1 {
        return Err(at(&["operations", name], "set at most one body: `json`, `form` or `raw`"));
    }
    if op.content_type.is_some() && op.raw.is_none() {
        return Err(at(&["operations", name, "content_type"], "only meaningful with a `raw` body"));
    }
    for (k, v) in &op.headers {
        check_template(&["operations", name, "headers", k], v)?;
    }
    if let Some(raw) = &op.raw {
        check_template(&["operations", name, "raw"], raw)?;
    }
    for (k, v) in op.form.iter().flatten() {
        check_template(&["operations", name, "form", k], v)?;
    }
    if op.refuse.is_empty() {
        return Err(at(&["operations", name, "refuse"], "an empty list: no answer could count as a refusal"));
    }
    for r in &op.refuse {
        let in_4xx = match r {
            StatusPattern::Exact(s) => (400..500).contains(s),
            StatusPattern::Class(c) => *c == 4,
        };
        if !in_4xx {
            return Err(at(
                &["operations", name, "refuse"],
                "refusals are 4xx statuses: a 5xx is the target breaking, a 2xx or 3xx is not a refusal",
            ));
        }
        if op.accept.iter().any(|a| (400..500).any(|s| a.matches(s) && r.matches(s))) {
            return Err(at(&["operations", name, "refuse"], "a status cannot be both accepted and a refusal"));
        }
    }
    for (k, e) in &op.extract {
        check_extract(&["operations", name, "extract", k], e)?;
    }
    Ok(())
}

fn check_extract(path: &[&str], e: &Extract) -> Result<(), Problem> {
    let sources = [e.json.is_some(), e.header.is_some(), e.status, e.body];
    let n = sources.iter().filter(|b| **b).count();
    if n > 1 || (n == 0 && e.regex.is_none()) {
        return Err(at(path, "set exactly one of `json`, `header`, `status: true` or `body: true` (optionally with `regex`), or `regex` alone"));
    }
    if e.each.is_some() && e.json.is_none() {
        return Err(at(path, "`each` maps the elements of a `json` array: set `json` too"));
    }
    if let Some(r) = &e.regex {
        super::values::check_group_regex(path, r)?;
    }
    Ok(())
}

fn check_template(path: &[&str], source: &str) -> Result<(), Problem> {
    let env = minijinja::Environment::new();
    env.template_from_str(source).map(|_| ()).map_err(|e| at(path, format!("template does not parse: {e}")))
}
