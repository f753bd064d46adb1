//! Rendering the profile's templates (minijinja) against a call's variables.
use minijinja::{Environment, Value as MjValue};
use serde_json::{Map, Value};

use crate::profile::{AuthScheme, Body, Profile};

/// Variables one call renders with: profile variables, `base_url`, then the
/// step's own values (later ones win).
pub type Vars = Map<String, Value>;

/// The key that marks "insert this structured value" inside a JSON body:
/// `encryptionKeys: { $value: sample.keys }`.
const VALUE_MARKER: &str = "$value";

pub struct Renderer {
    env: Environment<'static>,
}

impl Default for Renderer {
    fn default() -> Self {
        let mut env = Environment::new();
        // A missing variable is an error, not an empty string: an empty path
        // segment would send a plausible but wrong request.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        Renderer { env }
    }
}

/// Whether `text` holds template syntax at all (most values are literal).
fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

impl Renderer {
    /// A renderer with `templates` parsed now, once, as the profile is
    /// taken into use: a call then only evaluates them. A template that
    /// does not parse is left out (the profile's load already refused it;
    /// rendering it would report the same error).
    pub fn with_templates<'a>(templates: impl IntoIterator<Item = &'a str>) -> Renderer {
        let mut r = Renderer::default();
        for t in templates.into_iter().filter(|t| is_template(t)) {
            if r.env.get_template(t).is_err() {
                let _ = r.env.add_template_owned(t.to_string(), t.to_string());
            }
        }
        r
    }

    /// The templates of a profile: every operation's URL, headers and body
    /// (JSON string leaves and keys), and the auth scheme.
    pub fn for_profile(p: &Profile) -> Renderer {
        let mut all: Vec<&str> = Vec::new();
        for op in p.operations.values() {
            all.push(&op.url);
            all.extend(op.headers.values().map(String::as_str));
            match &op.body {
                Some(Body::Json(json)) => json_strings(json, &mut all),
                Some(Body::Form(form)) => all.extend(form.values().map(String::as_str)),
                Some(Body::Raw { text, .. }) => all.push(text),
                None => {}
            }
        }
        match &p.auth {
            AuthScheme::Basic(b) => all.extend([b.username.as_str(), b.password.as_str()]),
            AuthScheme::Bearer(t) => all.push(t),
            AuthScheme::Header(h) => all.push(&h.value),
        }
        Renderer::with_templates(all)
    }

    pub fn render(&self, template: &str, vars: &Vars) -> Result<String, String> {
        if !is_template(template) {
            return Ok(template.to_string());
        }
        let ctx = MjValue::from_serialize(vars);
        let rendered = match self.env.get_template(template) {
            Ok(compiled) => compiled.render(ctx),
            Err(_) => self.env.render_str(template, ctx),
        };
        rendered.map_err(|e| match e.kind() {
            minijinja::ErrorKind::UndefinedError => self.undefined(template, vars).unwrap_or_else(|| describe(&e)),
            _ => describe(&e),
        })
    }

    /// Names the variables `template` uses that `vars` lacks, and those in
    /// scope, so that the profile's author sees what to write instead.
    fn undefined(&self, template: &str, vars: &Vars) -> Option<String> {
        let used = self.env.template_from_str(template).ok()?.undeclared_variables(false);
        let missing: Vec<String> = used.into_iter().filter(|v| !vars.contains_key(v)).collect();
        if missing.is_empty() {
            return None;
        }
        let scope: Vec<&str> = vars.keys().map(String::as_str).collect();
        Some(crate::profile::undefined_message(missing, &scope))
    }

    /// Renders a JSON body: string leaves are templates, `{$value: expr}`
    /// objects become the expression's structured value, and a key whose
    /// `$value` is undefined or none is left out (optional fields).
    pub fn render_json(&self, body: &Value, vars: &Vars) -> Result<Value, String> {
        Ok(self.render_opt(body, vars)?.unwrap_or(Value::Null))
    }

    fn render_opt(&self, body: &Value, vars: &Vars) -> Result<Option<Value>, String> {
        Ok(Some(match body {
            Value::String(s) => Value::String(self.render(s, vars)?),
            Value::Array(items) => {
                let mut out = Vec::new();
                for v in items {
                    out.extend(self.render_opt(v, vars)?);
                }
                Value::Array(out)
            }
            Value::Object(map) if map.len() == 1 && map.contains_key(VALUE_MARKER) => {
                let expr = map[VALUE_MARKER].as_str().ok_or("`$value` must be an expression string")?;
                let compiled = self.env.compile_expression(expr).map_err(|e| describe(&e))?;
                let value = match compiled.eval(MjValue::from_serialize(vars)) {
                    Ok(v) => v,
                    Err(e) if e.kind() == minijinja::ErrorKind::UndefinedError => return Ok(None),
                    Err(e) => return Err(describe(&e)),
                };
                if value.is_undefined() || value.is_none() {
                    return Ok(None);
                }
                serde_json::to_value(&value).map_err(|e| e.to_string())?
            }
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    if let Some(v) = self.render_opt(v, vars)? {
                        out.insert(self.render(k, vars)?, v);
                    }
                }
                Value::Object(out)
            }
            other => other.clone(),
        }))
    }
}

fn json_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| json_strings(i, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k);
            json_strings(v, out);
        }),
        _ => {}
    }
}

fn describe(e: &minijinja::Error) -> String {
    let mut msg = e.kind().to_string();
    if let Some(detail) = e.detail() {
        msg.push_str(": ");
        msg.push_str(detail);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        json!({"base_url": "http://t", "id": "42", "keys": {"a": {"f": "x"}}}).as_object().unwrap().clone()
    }

    #[test]
    fn renders_strings_and_structured_values() {
        let r = Renderer::default();
        assert_eq!(r.render("{{ base_url }}/u/{{ id }}", &vars()).unwrap(), "http://t/u/42");
        let body = json!({"id": "{{ id }}", "keys": {"$value": "keys"}, "n": 3});
        assert_eq!(r.render_json(&body, &vars()).unwrap(), json!({"id": "42", "keys": {"a": {"f": "x"}}, "n": 3}));
    }

    #[test]
    fn templates_parsed_once_render_as_those_parsed_per_call() {
        let r = Renderer::with_templates(["{{ base_url }}/u/{{ id }}", "{{ nope }}", "{{ broken"]);
        assert_eq!(r.render("{{ base_url }}/u/{{ id }}", &vars()).unwrap(), "http://t/u/42");
        assert_eq!(r.render("{{ id }}!", &vars()).unwrap(), "42!", "one not given beforehand still renders");
        assert_eq!(
            r.render("{{ nope }}", &vars()).unwrap_err(),
            Renderer::default().render("{{ nope }}", &vars()).unwrap_err()
        );
        assert!(r.render("{{ broken", &vars()).is_err());
    }

    #[test]
    fn missing_variables_are_errors() {
        let r = Renderer::default();
        let e = r.render("{{ base_url }}/{{ nope }}", &vars()).unwrap_err();
        assert_eq!(e, "undefined variable `nope` (variables in scope: base_url, id, keys)");
        // An undefined attribute of a defined value: minijinja's own words.
        assert!(r.render("{{ keys.b.c }}", &vars()).unwrap_err().contains("undefined"));
        assert_eq!(r.render_json(&json!({"a": 1, "b": {"$value": "nope"}}), &vars()).unwrap(), json!({"a": 1}));
    }
}
