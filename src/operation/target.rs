//! A target reached through its profile: the only way steps and doubles
//! talk to an implementation.
use std::sync::Arc;

use serde_json::Value;

use crate::profile::{AuthScheme, Body, OperationSpec, Profile};
use crate::redact::{Redactor, SecretKind};

use super::error::OperationError;
use super::exchange::Exchange;
use super::extract::extract;
use super::perform::Sent;
use super::template::{Renderer, Vars};

/// The secret an actor presents: a one-time code or a token, with its login.
#[derive(Clone)]
pub struct Credentials {
    pub login: String,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("login", &self.login).field("secret", &"[REDACTED]").finish()
    }
}

/// What a step adds to an operation's request, beyond the profile's
/// template: the attack inputs of a negative scenario.
#[derive(Debug, Default, Clone, Copy)]
pub struct Injection<'a> {
    pub headers: &'a [(&'a str, &'a str)],
    /// Top-level fields of a JSON object body, or extra form fields.
    pub fields: &'a [(&'a str, Value)],
}

pub struct Target {
    pub(super) profile: Arc<Profile>,
    pub(super) client: reqwest::Client,
    renderer: Renderer,
    pub(super) redactor: Redactor,
    /// Every name the profile extracts to: values a step may pass to any
    /// operation (the actor's context), computed once, not per call.
    extracted: std::collections::BTreeSet<String>,
}

impl Target {
    /// A target called as its profile says; fails only when the TLS
    /// client cannot be set up (see `super::tls`).
    pub fn new(profile: Arc<Profile>, redactor: Redactor) -> Result<Self, rustls::Error> {
        let client = super::tls::client_builder(&profile.tls)?
            // Keep-alive saves ~0.15 ms per exchange on loopback (perf-floor.md);
            // redirects are part of what a target answers, so never follow them.
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| rustls::Error::General(format!("the HTTP client did not build: {e}")))?;
        let renderer = Renderer::for_profile(&profile);
        let extracted = profile.extracted_names().into_iter().map(str::to_string).collect();
        Ok(Target { profile, client, renderer, redactor, extracted })
    }

    /// The HTTP client the target is called with (its TLS settings), for
    /// the other servers the profile names (a mail API). Cheap: a handle.
    pub fn http_client(&self) -> reqwest::Client {
        self.client.clone()
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The variables every template sees.
    pub fn base_vars(&self) -> Vars {
        let mut vars: Vars = self.profile.variables.clone().into_iter().collect();
        vars.insert("base_url".into(), Value::String(self.profile.base_url.trim_end_matches('/').to_string()));
        vars
    }

    /// Runs an operation and returns the exchange whatever the status; the
    /// caller decides whether a refusal was expected. Only transport failures
    /// and template errors are errors here.
    pub async fn call(&self, name: &str, vars: &Vars, auth: Option<&Credentials>) -> Result<Exchange, OperationError> {
        self.call_injected(name, vars, auth, &Injection::default()).await
    }

    /// `call`, with what the harness adds on top of the profile's request:
    /// a forged `X-Forwarded-Host`, a `Role` field, which no profile would
    /// declare. The step then checks the recorded request carried them.
    pub async fn call_injected(
        &self,
        name: &str,
        vars: &Vars,
        auth: Option<&Credentials>,
        extra: &Injection<'_>,
    ) -> Result<Exchange, OperationError> {
        let spec = self
            .profile
            .operations
            .get(name)
            .ok_or_else(|| OperationError::NotBound { operation: name.to_string() })?;
        let def =
            crate::profile::operation(name).ok_or_else(|| OperationError::NotBound { operation: name.to_string() })?;
        if let Some(v) = vars.keys().find(|v| !def.gets(v) && !self.extracted.contains(v.as_str())) {
            return Err(OperationError::Undeclared { operation: name.to_string(), variable: v.clone() });
        }
        let mut all = self.base_vars();
        all.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Some(c) = auth {
            all.insert("login".into(), Value::String(c.login.clone()));
            all.insert("secret".into(), Value::String(c.secret.clone()));
        }
        self.send(name, spec, &all, auth.is_some(), extra).await
    }

    /// Runs an operation that must succeed: a status outside `accept` or a
    /// missing extraction is an error naming the operation, URL and status.
    pub async fn expect(
        &self,
        name: &str,
        vars: &Vars,
        auth: Option<&Credentials>,
    ) -> Result<Exchange, OperationError> {
        let ex = self.call(name, vars, auth).await?;
        if !ex.accepted {
            let spec = &self.profile.operations[name];
            return Err(OperationError::Status {
                operation: name.to_string(),
                method: ex.method.clone(),
                url: self.redactor.text(&ex.url),
                status: ex.effective_status(),
                expected: describe_accept(spec),
                excerpt: ex.body_excerpt(&self.redactor, 300),
            });
        }
        Ok(ex)
    }

    async fn send(
        &self,
        name: &str,
        spec: &OperationSpec,
        vars: &Vars,
        with_auth: bool,
        extra: &Injection<'_>,
    ) -> Result<Exchange, OperationError> {
        let tpl_err = |field: &str, message: String| OperationError::Template {
            operation: name.to_string(),
            field: field.to_string(),
            message,
        };
        let url = self.renderer.render(&spec.url, vars).map_err(|m| tpl_err("url", m))?;
        let method = spec.method.as_reqwest();
        let mut req = self.client.request(method.clone(), &url);
        let mut sent_headers = Vec::new();
        for (k, v) in &spec.headers {
            let v = self.renderer.render(v, vars).map_err(|m| tpl_err(&format!("headers.{k}"), m))?;
            sent_headers.push((k.clone(), v.clone()));
            req = req.header(k, v);
        }
        for (k, v) in extra.headers {
            sent_headers.push((k.to_string(), v.to_string()));
            req = req.header(*k, *v);
        }
        if spec.auth && with_auth {
            let (k, v) = self.auth_header(vars).map_err(|m| tpl_err("auth", m))?;
            // Whatever the scheme encodes (base64 of login:secret, a custom
            // header's value) is a secret a target may echo back.
            self.redactor.register(&v, SecretKind::Token);
            if let Some((_, credentials)) = v.split_once(' ') {
                self.redactor.register(credentials, SecretKind::Token);
            }
            sent_headers.push((k.clone(), v.clone()));
            req = req.header(k, v);
        }
        let mut request_body = None;
        match &spec.body {
            Some(Body::Json(json)) => {
                let mut body = self.renderer.render_json(json, vars).map_err(|m| tpl_err("json", m))?;
                // Added at the top level of an object body; an array or scalar
                // body has nowhere to put them, which the step's check then shows.
                if let Some(map) = body.as_object_mut() {
                    map.extend(extra.fields.iter().map(|(k, v)| (k.to_string(), v.clone())));
                }
                request_body = Some(body.to_string());
                req = req.json(&body);
            }
            Some(Body::Form(form)) => {
                let mut pairs = Vec::new();
                for (k, v) in form {
                    let value = self.renderer.render(v, vars).map_err(|m| tpl_err(&format!("form.{k}"), m))?;
                    pairs.push((k.clone(), value));
                }
                pairs.extend(
                    extra
                        .fields
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.as_str().map_or_else(|| v.to_string(), str::to_string))),
                );
                request_body = Some(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish());
                req = req.form(&pairs);
            }
            Some(Body::Raw { text, content_type }) => {
                let body = self.renderer.render(text, vars).map_err(|m| tpl_err("raw", m))?;
                let ct = content_type.as_deref().unwrap_or("text/plain");
                req = req.header(reqwest::header::CONTENT_TYPE, ct).body(body.clone());
                request_body = Some(body);
            }
            None => {}
        }
        let budget = spec.timeout.unwrap_or(self.profile.defaults.timeout);
        let shown_url = self.redactor.text(&url);
        let sent = Sent { operation: name, method, url, headers: sent_headers, body: request_body, budget };
        let mut ex = self.perform(req, sent, &spec.accept, &spec.refuse).await?;
        if let Some(pointer) = &spec.outcome {
            judge_by_body(&mut ex, pointer, &spec.accept, &spec.refuse);
        }
        let status = ex.status;
        // A secret the profile names (`token`, `access_token`...) is one
        // whatever the status: a target answering token creation with an
        // unexpected status must not get its token printed in the failure.
        for (_, rule) in spec.extract.iter().filter(|(k, _)| crate::redact::is_secret_key(k)) {
            if let Ok(Some(v)) = extract(rule, &ex, self.profile.limits.value_bytes()) {
                self.redactor.register(&v, SecretKind::Token);
            }
        }
        if ex.accepted {
            for (key, rule) in &spec.extract {
                match extract(rule, &ex, self.profile.limits.value_bytes()) {
                    Ok(Some(v)) => {
                        ex.extracted.insert(key.clone(), v);
                    }
                    Ok(None) => {}
                    Err(message) => {
                        return Err(OperationError::Extract {
                            operation: name.into(),
                            method: ex.method.clone(),
                            url: shown_url,
                            status,
                            name: key.clone(),
                            message,
                            excerpt: ex.body_excerpt(&self.redactor, 300),
                        })
                    }
                }
            }
        }
        Ok(ex)
    }

    fn auth_header(&self, vars: &Vars) -> Result<(String, String), String> {
        match &self.profile.auth {
            AuthScheme::Basic(b) => {
                use base64::Engine as _;
                let user = self.renderer.render(&b.username, vars)?;
                let pass = self.renderer.render(&b.password, vars)?;
                let enc = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
                Ok(("Authorization".into(), format!("Basic {enc}")))
            }
            AuthScheme::Bearer(t) => Ok(("Authorization".into(), format!("Bearer {}", self.renderer.render(t, vars)?))),
            AuthScheme::Header(h) => Ok((h.name.clone(), self.renderer.render(&h.value, vars)?)),
        }
    }
}

fn describe_accept(spec: &OperationSpec) -> String {
    describe_statuses(&spec.accept)
}

/// `200 or 2xx`, for messages.
/// An API that answers 200 with an error inside: the status its body
/// carries (at `pointer`) decides acceptance and refusal, unless the HTTP
/// status itself is a server error. A body without one is judged by the
/// HTTP status, and says so in the evidence.
fn judge_by_body(
    ex: &mut Exchange,
    pointer: &str,
    accept: &[crate::profile::StatusPattern],
    refuse: &[crate::profile::StatusPattern],
) {
    if ex.status >= 500 {
        return;
    }
    let carried = ex.json().and_then(|v| v.pointer(pointer).and_then(|s| s.as_u64()));
    match carried.and_then(|c| u16::try_from(c).ok()) {
        Some(code) => {
            ex.outcome = Some(code);
            ex.accepted = accept.iter().any(|p| p.matches(code));
            ex.refusal = refuse.iter().any(|p| p.matches(code));
            if code != ex.status {
                ex.notes.push(format!("answered {} with outcome {code} in the body ({pointer})", ex.status));
            }
        }
        None => ex.notes.push(format!("no status at {pointer} in the body: judged by the HTTP status")),
    }
}

pub fn describe_statuses(patterns: &[crate::profile::StatusPattern]) -> String {
    let parts: Vec<String> = patterns
        .iter()
        .map(|p| match p {
            crate::profile::StatusPattern::Exact(s) => s.to_string(),
            crate::profile::StatusPattern::Class(c) => format!("{c}xx"),
        })
        .collect();
    parts.join(" or ")
}

pub(super) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::StatusPattern;

    fn reply(status: u16, body: &str) -> Exchange {
        Exchange { status, response_body: body.into(), ..Default::default() }
    }

    #[test]
    fn a_status_in_the_body_decides_acceptance_and_refusal() {
        let accept = [StatusPattern::Exact(200)];
        let refuse = [StatusPattern::Exact(401)];
        let mut refused = reply(200, r#"{"status": 401, "error": "bad"}"#);
        judge_by_body(&mut refused, "/status", &accept, &refuse);
        assert!(!refused.accepted && refused.refused() && refused.outcome == Some(401));
        assert!(refused.notes.iter().any(|n| n.contains("outcome 401")));
        let mut ok = reply(200, r#"{"status": 200}"#);
        judge_by_body(&mut ok, "/status", &accept, &refuse);
        assert!(ok.accepted && !ok.refused());
        // A server error stays the target breaking, whatever its body says;
        // a body error of 5xx too.
        let mut broke = reply(500, r#"{"status": 200}"#);
        judge_by_body(&mut broke, "/status", &accept, &refuse);
        assert!(broke.broke() && broke.outcome.is_none());
        let mut inner = reply(200, r#"{"status": 503}"#);
        judge_by_body(&mut inner, "/status", &accept, &refuse);
        assert!(inner.broke() && !inner.accepted);
        // No status in the body: the HTTP status judges, and the evidence says so.
        let mut html = reply(200, "<html>");
        html.accepted = true;
        judge_by_body(&mut html, "/status", &accept, &refuse);
        assert!(html.accepted && html.outcome.is_none() && !html.notes.is_empty());
    }
}
