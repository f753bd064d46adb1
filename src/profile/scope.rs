//! Every template of a profile checked against the variables it will get
//! (README rule 6): a template naming anything else would fail on the first
//! call, halfway through a run, so it is a profile error with its key path
//! and line when the profile loads, which `lint` and `--dry-run` share.
use std::collections::BTreeSet;

use minijinja::Environment;
use serde_json::Value;

use super::model::{AuthScheme, Body, OperationSpec, Profile};
use super::operations::{operation, BASE_VARIABLES, CREDENTIAL_VARIABLES};
use super::validate::{at, Problem};

/// The marker of a structured value in a JSON body (see `operation::template`).
const VALUE_MARKER: &str = "$value";

struct Scope<'a> {
    env: Environment<'static>,
    /// What this template may name, for the error message.
    names: BTreeSet<&'a str>,
}

impl<'a> Scope<'a> {
    fn new(profile: &'a Profile, own: impl Iterator<Item = &'static str>) -> Self {
        let shorten = |s: &'static str| -> &'a str { s };
        let mut names: BTreeSet<&'a str> = profile.variables.keys().map(String::as_str).collect();
        names.extend(BASE_VARIABLES.iter().copied().chain(own).map(shorten));
        Scope { env: Environment::new(), names }
    }

    fn template(&self, path: &[&str], source: &str) -> Result<(), Problem> {
        // A template that does not parse is reported by `validate` already.
        let Ok(t) = self.env.template_from_str(source) else { return Ok(()) };
        self.known(path, t.undeclared_variables(false))?;
        unknown_callables(path, source)
    }

    fn expression(&self, path: &[&str], source: &str) -> Result<(), Problem> {
        let e = self
            .env
            .compile_expression(source)
            .map_err(|e| at(path, format!("`$value` expression does not parse: {e}")))?;
        self.known(path, e.undeclared_variables(false))
    }

    fn known(&self, path: &[&str], used: std::collections::HashSet<String>) -> Result<(), Problem> {
        let unknown: Vec<String> = used.into_iter().filter(|v| !self.names.contains(v.as_str())).collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let scope: Vec<&str> = self.names.iter().copied().collect();
        Err(at(path, undefined_message(unknown, &scope)))
    }

    /// String leaves and keys are templates; `{$value: expr}` is an expression.
    fn json(&self, path: &mut Vec<String>, body: &Value) -> Result<(), Problem> {
        match body {
            Value::String(s) => self.template(&as_strs(path), s),
            Value::Array(items) => items.iter().try_for_each(|v| self.json(path, v)),
            Value::Object(map) if map.len() == 1 && map.contains_key(VALUE_MARKER) => {
                match map[VALUE_MARKER].as_str() {
                    Some(expr) => {
                        path.push(VALUE_MARKER.into());
                        let r = self.expression(&as_strs(path), expr);
                        path.pop();
                        r
                    }
                    None => Err(at(&as_strs(path), "`$value` must be an expression string")),
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(k.clone());
                    self.template(&as_strs(path), k)?;
                    self.json(path, v)?;
                    path.pop();
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// minijinja resolves filters, tests and functions only when rendering:
/// a trial render with every variable undefined (chainable, so attribute
/// lookups pass) finds a misspelt `| urlencod` now rather than on the call.
fn unknown_callables(path: &[&str], source: &str) -> Result<(), Problem> {
    use minijinja::ErrorKind::*;
    let mut trial = Environment::new();
    trial.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    match trial.render_str(source, ()) {
        Err(e) if matches!(e.kind(), UnknownFilter | UnknownTest | UnknownFunction) => {
            Err(at(path, format!("template: {}{}", e.kind(), e.detail().map(|d| format!(": {d}")).unwrap_or_default())))
        }
        _ => Ok(()),
    }
}

/// `undefined variable `x` (variables in scope: a, b)`: the words of a
/// load-time check and of a render that finds one, kept the same.
pub fn undefined_message(mut missing: Vec<String>, scope: &[&str]) -> String {
    missing.sort();
    let named: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
    format!("undefined variable {} (variables in scope: {})", named.join(", "), scope.join(", "))
}

/// Every variable the templates of one operation name (URL, headers, body
/// leaves, keys and `$value` expressions): what its requests can carry.
pub fn variables_used(spec: &OperationSpec) -> BTreeSet<String> {
    fn walk(env: &Environment<'static>, v: &Value, used: &mut BTreeSet<String>) {
        match v {
            Value::String(s) => template_vars(env, s, used),
            Value::Array(items) => items.iter().for_each(|i| walk(env, i, used)),
            Value::Object(map) if map.len() == 1 && map.contains_key(VALUE_MARKER) => {
                if let Some(e) = map[VALUE_MARKER].as_str().and_then(|x| env.compile_expression(x).ok()) {
                    used.extend(e.undeclared_variables(false));
                }
            }
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                template_vars(env, k, used);
                walk(env, v, used);
            }),
            _ => {}
        }
    }
    fn template_vars(env: &Environment<'static>, source: &str, used: &mut BTreeSet<String>) {
        if let Ok(t) = env.template_from_str(source) {
            used.extend(t.undeclared_variables(false));
        }
    }
    let env = Environment::new();
    let mut used = BTreeSet::new();
    template_vars(&env, &spec.url, &mut used);
    spec.headers.values().for_each(|h| template_vars(&env, h, &mut used));
    match &spec.body {
        Some(Body::Form(form)) => form.values().for_each(|v| template_vars(&env, v, &mut used)),
        Some(Body::Raw { text, .. }) => template_vars(&env, text, &mut used),
        Some(Body::Json(json)) => walk(&env, json, &mut used),
        None => {}
    }
    used
}

fn as_strs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

/// Checks the templates of every bound operation, of `auth:` and of the
/// mail API's URL. Operations outside the catalogue are `validate`'s to report.
pub fn check_scopes(p: &Profile) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut note = |r: Result<(), Problem>| problems.extend(r.err());
    for (name, spec) in &p.operations {
        let Some(def) = operation(name) else { continue };
        let mut scope = Scope::new(p, def.scope());
        scope.names.extend(p.extracted_names());
        let base = ["operations", name.as_str()];
        note(scope.template(&[base[0], base[1], "url"], &spec.url));
        for (k, v) in &spec.headers {
            note(scope.template(&[base[0], base[1], "headers", k], v));
        }
        match &spec.body {
            Some(Body::Form(form)) => {
                for (k, v) in form {
                    note(scope.template(&[base[0], base[1], "form", k], v));
                }
            }
            Some(Body::Raw { text, .. }) => note(scope.template(&[base[0], base[1], "raw"], text)),
            Some(Body::Json(json)) => {
                note(scope.json(&mut vec!["operations".into(), name.clone(), "json".into()], json))
            }
            None => {}
        }
    }
    // The scheme is rendered with the credentials of whichever operation
    // presents them: only what all of them share is certain to be there.
    let auth = Scope::new(p, CREDENTIAL_VARIABLES.iter().copied());
    match &p.auth {
        AuthScheme::Basic(b) => {
            note(auth.template(&["auth", "basic", "username"], &b.username));
            note(auth.template(&["auth", "basic", "password"], &b.password));
        }
        AuthScheme::Bearer(t) => note(auth.template(&["auth", "bearer"], t)),
        AuthScheme::Header(h) => note(auth.template(&["auth", "header", "value"], &h.value)),
    }
    if let Some(http) = p.mailbox.as_ref().and_then(|m| m.http()) {
        note(Scope::new(p, ["recipient"].into_iter()).template(&["mailbox", "http", "url"], &http.url));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ops: &str) -> Result<(), (String, String)> {
        let yaml = format!(
            "name: t\nbase_url: http://127.0.0.1:1\nfamilies: [sessions]\nauth: {{ bearer: '{{{{ secret }}}}' }}\noperations:\n{ops}"
        );
        let p: Profile = serde_yaml::from_str(&yaml).unwrap();
        check_scopes(&p).into_iter().next().map_or(Ok(()), |(path, m)| Err((path.join("."), m)))
    }

    #[test]
    fn a_variable_the_operation_does_not_get_is_refused_with_its_key() {
        let (path, m) =
            check("  otp.validate:\n    method: POST\n    url: '{{ base_url }}/p/{{ reqest_id }}'\n").unwrap_err();
        assert_eq!(path, "operations.otp.validate.url");
        assert_eq!(
            m,
            "undefined variable `reqest_id` (variables in scope: base_url, code, email, login, password, phone, purpose, request_id)"
        );
        // The credentials are not given to an operation that presents none.
        let (_, m) = check("  otp.validate:\n    method: POST\n    url: '{{ base_url }}/{{ secret }}'\n").unwrap_err();
        assert!(m.starts_with("undefined variable `secret`"), "{m}");
        assert!(check("  user.current:\n    method: GET\n    url: '{{ base_url }}/u/{{ login }}'\n").is_ok());
    }

    #[test]
    fn json_leaves_keys_and_value_expressions_are_checked() {
        let op =
            "  otp.validate:\n    method: POST\n    url: '{{ base_url }}/v'\n    json:\n      id: '{{ request_id }}'\n";
        assert!(check(op).is_ok());
        let (path, m) = check(&format!("{op}      keys: {{ $value: cdoe }}\n")).unwrap_err();
        assert_eq!(path, "operations.otp.validate.json.keys.$value");
        assert!(m.starts_with("undefined variable `cdoe`"), "{m}");
        let (path, _) = check(&format!("{op}      '{{{{ nope }}}}': 1\n")).unwrap_err();
        assert_eq!(path, "operations.otp.validate.json.{{ nope }}");
    }

    #[test]
    fn unknown_filters_and_functions_are_found_before_any_call() {
        let (path, m) =
            check("  otp.validate:\n    method: POST\n    url: '{{ base_url }}/{{ code | urlencod }}'\n").unwrap_err();
        assert_eq!(path, "operations.otp.validate.url");
        assert!(m.starts_with("template: unknown filter"), "{m}");
        assert!(check("  otp.validate:\n    method: POST\n    url: '{{ base_url }}/{{ code | urlencode }}/{{ request_id.x.y }}'\n").is_ok());
        let (_, m) = check("  otp.validate:\n    method: POST\n    url: '{{ nowhere() }}'\n").unwrap_err();
        assert!(m.contains("undefined variable `nowhere`") || m.contains("unknown function"), "{m}");
    }

    #[test]
    fn auth_and_the_mail_api_have_their_own_scopes() {
        let yaml =
            "name: t\nbase_url: http://x\nfamilies: [sessions]\nauth: { bearer: '{{ token }}' }\noperations: {}\n";
        let p: Profile = serde_yaml::from_str(yaml).unwrap();
        let (path, m) = check_scopes(&p).remove(0);
        assert_eq!(path, ["auth", "bearer"]);
        assert!(m.contains("variables in scope: base_url, login, secret"), "{m}");
    }

    #[test]
    fn the_variables_an_operation_sends_are_read_off_its_templates() {
        let profile = |complete: &str| -> Profile {
            let yaml = format!(
                "name: t\nbase_url: http://x\nfamilies: [sessions]\nauth: {{ bearer: x }}\noperations:\n  password_reset.complete:\n    method: POST\n    url: '{{{{ base_url }}}}/r'\n{complete}"
            );
            serde_yaml::from_str(&yaml).unwrap()
        };
        let p = profile("    json:\n      token: '{{ reset_token }}'\n      who: { $value: email }\n");
        let used = variables_used(&p.operations["password_reset.complete"]);
        assert_eq!(used, BTreeSet::from(["base_url".into(), "reset_token".into(), "email".into()]));
        assert!(p.declared().shapes.contains(&super::super::Shape::ResetNamesAccount));
        // The token alone: no request can name another account.
        let p = profile("    form:\n      key: '{{ reset_token }}'\n");
        assert!(p.declared().shapes.is_empty());
    }
}
