//! Checks of meaning serde cannot express (the "one of" choices are the
//! model's enums): templates that parse, families and extras that fit together,
//! and every operation the suite speaks of being bound. All are collected.
use super::model::{AuthScheme, Body, Extra, Family, Lifetime, OperationSpec, Profile, StatusPattern};
use super::operations::{operation, OPERATIONS};

/// A problem: the key path it sits at, and what is wrong.
pub(super) type Problem = (Vec<String>, String);

pub(super) fn at(path: &[&str], message: impl Into<String>) -> Problem {
    (path.iter().map(|s| s.to_string()).collect(), message.into())
}

/// Every problem of the profile, in the order of the file's sections, so a
/// user fixes them in one pass (serde stops at the first problem of shape;
/// these are the problems of meaning once the shape is right).
pub fn validate(p: &Profile) -> Vec<Problem> {
    let mut problems = super::values::check_values(p);
    let mut note = |r: Result<(), Problem>| problems.extend(r.err());
    note(check_template(&["base_url"], &p.base_url));
    note(check_auth(&p.auth));
    if let Some((key, why)) = p.timing.problem() {
        note(Err(at(&["timing", key], why)));
    }
    if let Some((key, why)) = p.throttling.problem() {
        note(Err(at(&["throttling", key], why)));
    }
    if let Some((key, why)) = p.limits.problem() {
        note(Err(at(&["limits", key], why)));
    }
    if let Some((key, why)) = p.tls.problem() {
        note(Err(at(&["tls", key], why)));
    }
    if let Some((key, why)) = p.doubles_tls.problem() {
        note(Err(at(&["doubles_tls", key], why)));
    }
    let tls_given = p.doubles_tls.ca_cert.is_some() || !p.doubles_tls.hosts.is_empty();
    if tls_given && p.tls_doubles().is_empty() {
        note(Err(at(
            &["doubles_tls"],
            "no double serves TLS, so this CA would sign nothing: set `platform.tls`, `sms.webhook.tls` or `mailbox.smtp.starttls`, or remove it",
        )));
    }
    for problem in check_declared(p) {
        note(Err(problem));
    }
    // One problem for all unbound operations: they are one edit, in one place.
    let declared = p.declared();
    let gives_token = p.validate_gives_token();
    let unbound: Vec<String> = OPERATIONS
        .iter()
        .filter(|def| def.required_by(&declared, gives_token) && !p.operations.contains_key(def.name))
        .map(|def| format!("`{}` ({})", def.name, def.describe_needs()))
        .collect();
    match unbound.as_slice() {
        [] => {}
        [one] => note(Err(at(&["operations"], format!("operation {one} is not bound")))),
        many => note(Err(at(&["operations"], format!("operations {} are not bound", many.join(", "))))),
    }
    for (name, op) in &p.operations {
        if operation(name).is_none() {
            let known: Vec<_> = OPERATIONS.iter().map(|o| o.name).collect();
            note(Err(at(&["operations", name], format!("unknown operation; known: {}", known.join(", ")))));
        }
        note(check_operation(name, op));
    }
    if let Some(http) = p.mailbox.as_ref().and_then(|m| m.http()) {
        note(check_template(&["mailbox", "http", "url"], &http.url));
    }
    // A problem of syntax is already listed; its scope check would repeat it.
    if problems.is_empty() {
        problems.extend(super::scope::check_scopes(p));
    }
    problems
}

/// Families and extras that fit together, and the sections they need.
fn check_declared(p: &Profile) -> Vec<Problem> {
    let mut problems = Vec::new();
    let has = |f: Family| p.families.contains(&f);
    let extra = |e: Extra| p.extras.contains(&e);
    if p.families.is_empty() {
        let known: Vec<&str> = Family::ALL.iter().map(|f| f.as_str()).collect();
        problems.push(at(&["families"], format!("declare at least one family: {}", known.join(", "))));
    }
    for e in Extra::ALL.iter().filter(|e| extra(**e)) {
        if let Some(f) = e.lives_in().filter(|f| !has(*f)) {
            problems.push(at(
                &["extras"],
                format!("extra `{}` is part of family `{}`, which `families` does not list", e.as_str(), f.as_str()),
            ));
        }
    }
    if has(Family::Otp) && !extra(Extra::Email) && !extra(Extra::Sms) {
        problems.push(at(&["extras"], "family `otp` sends its codes somewhere: add extra `email`, `sms` or both"));
    }
    let mails = extra(Extra::Email) || has(Family::PasswordReset);
    if mails && p.mailbox.is_none() {
        let (key, who) =
            if extra(Extra::Email) { ("extras", "extra `email`") } else { ("families", "family `password_reset`") };
        problems.push(at(&[key], format!("{who} needs a `mailbox` section (where the target's mail arrives)")));
    }
    if extra(Extra::Sms) && p.sms.is_none() {
        problems.push(at(&["extras"], "extra `sms` needs an `sms` section"));
    }
    if has(Family::PasswordReset) && !has(Family::Password) && !has(Family::SsoPlatform) {
        problems.push(at(
            &["families"],
            "family `password_reset` needs family `password` or `sso_platform`: the new password is checked by signing in",
        ));
    }
    if has(Family::Password) && p.operations.get("password.login").is_some_and(|o| !o.extract.contains_key("token")) {
        problems.push(at(
            &["operations", "password.login"],
            "`password.login` must extract the session `token` (e.g. `extract: {token: {json: /access_token}}`)",
        ));
    }
    if has(Family::Records) {
        problems.extend(records_problems(p, has(Family::E2eKeys)));
        if !has(Family::Otp) && !has(Family::Password) {
            problems.push(at(
                &["families"],
                "family `records` needs family `otp` or `password`: its users sign in before they store anything",
            ));
        }
    }
    let waited = !extra(Extra::TimeTravel);
    for kind in Lifetime::ALL {
        let key = kind.key();
        match p.lifetimes.of(*kind) {
            Some(d) if d.is_zero() => problems.push(at(&["lifetimes", key], "must be longer than 0")),
            // Without hooks the harness waits a lifetime out, in every run.
            // A token cap is a policy; a long one only leaves its scenario not applicable.
            Some(d) if waited && d > super::model::MAX_WAITED && *kind != Lifetime::TokenCap => problems.push(at(
                &["lifetimes", key],
                "the harness waits this out in real time: start the target with at most 2 minutes for the run, \
                 or give it time_travel hooks",
            )),
            _ => {}
        }
    }
    if p.lifetimes.token_cap.is_some()
        && !p.operations.get("token.create").is_some_and(|o| super::scope::variables_used(o).contains("token_validity"))
    {
        problems.push(at(
            &["lifetimes", "token_cap"],
            "a cap needs a `token.create` that sends `{{ token_validity }}`: that is how a client asks for a longer validity",
        ));
    }
    if has(Family::SsoPlatform) && p.platform.is_none() {
        problems.push(at(&["families"], "family `sso_platform` needs a `platform` section (the platform double)"));
    }
    problems
}

/// What the records steps read from the replies: the listed ids, and the
/// stored text (plain) or envelope (sealed).
fn records_problems(p: &Profile, sealed: bool) -> Vec<Problem> {
    let read: &[&str] = if sealed { &["encrypted_self", "encryption_keys"] } else { &["text"] };
    let needs = [("data_sample.get", read), ("data_sample.list", &["sample_ids"][..])];
    let mut problems = Vec::new();
    for (name, keys) in needs {
        let Some(op) = p.operations.get(name) else { continue };
        let missing: Vec<String> =
            keys.iter().filter(|k| !op.extract.contains_key(**k)).map(|k| format!("`{k}`")).collect();
        if !missing.is_empty() {
            let why = if sealed { "sealed samples (family `e2e_keys`)" } else { "plain records (no `e2e_keys`)" };
            problems
                .push(at(&["operations", name], format!("`{name}` must extract {} for {why}", missing.join(" and "))));
        }
    }
    problems
}

fn check_auth(a: &AuthScheme) -> Result<(), Problem> {
    match a {
        AuthScheme::Basic(b) => {
            check_template(&["auth", "basic", "username"], &b.username)?;
            check_template(&["auth", "basic", "password"], &b.password)
        }
        AuthScheme::Bearer(t) => check_template(&["auth", "bearer"], t),
        AuthScheme::Header(h) => check_template(&["auth", "header", "value"], &h.value),
    }
}

fn check_operation(name: &str, op: &OperationSpec) -> Result<(), Problem> {
    check_template(&["operations", name, "url"], &op.url)?;
    for (k, v) in &op.headers {
        check_template(&["operations", name, "headers", k], v)?;
    }
    match &op.body {
        Some(Body::Raw { text, .. }) => check_template(&["operations", name, "raw"], text)?,
        Some(Body::Form(form)) => {
            for (k, v) in form {
                check_template(&["operations", name, "form", k], v)?;
            }
        }
        Some(Body::Json(_)) | None => {}
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
    Ok(())
}

fn check_template(path: &[&str], source: &str) -> Result<(), Problem> {
    let env = minijinja::Environment::new();
    env.template_from_str(source).map(|_| ()).map_err(|e| at(path, format!("template does not parse: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(families: &str, ops: &str) -> Vec<String> {
        let yaml =
            format!("name: t\nbase_url: http://x\nfamilies: {families}\nauth: {{ bearer: x }}\noperations:\n{ops}");
        let p: Profile = serde_yaml::from_str(&yaml).unwrap();
        check_declared(&p).into_iter().map(|(path, m)| format!("{}: {m}", path.join("."))).collect()
    }

    #[test]
    fn records_say_what_their_reads_must_extract_and_how_users_sign_in() {
        let get = "  data_sample.get:\n    method: GET\n    url: u\n    extract: { encrypted_self: { json: /e } }\n";
        let found = problems("[records, sessions]", get);
        assert_eq!(
            found,
            [
                "operations.data_sample.get: `data_sample.get` must extract `text` for plain records (no `e2e_keys`)",
                "families: family `records` needs family `otp` or `password`: its users sign in before they store anything",
            ]
        );
        let found = problems("[records, password, e2e_keys]", get);
        assert_eq!(found, ["operations.data_sample.get: `data_sample.get` must extract `encryption_keys` for sealed samples (family `e2e_keys`)"]);
    }
}
