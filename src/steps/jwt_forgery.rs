//! The target's own session JWTs, forged as an attacker would from one
//! she was issued (`crypto::IssuedJwt`), each presented to `user.current`:
//! every forgery must be refused, with no token in the refusal, and no URL
//! a forged header names may be fetched (RFC 8725 §2-3, OWASP JWT Cheat
//! Sheet). The forged token is a JWT's shape, so reports redact it; the
//! header it was sent with is a note on its exchange.
use cucumber::{then, when};
use regex::Regex;
use serde_json::{json, Value};

use super::actors::actor;
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::{self, check, ClientError};
use crate::crypto::{AttackerKeys, Forged, IssuedJwt};
use crate::doubles::{AttackerSite, CERT_PATH, JWKS_PATH};
use crate::operation::{Credentials, Exchange, PROFILE_ERROR};
use crate::world::AuthWorld;

/// The actor's current session token, taken apart. A profile that declares
/// `jwt` for a target whose tokens are not JWTs is wrong: a profile error.
fn issued(w: &mut AuthWorld, name: &str) -> Result<IssuedJwt, ClientError> {
    let token = client::session(actor(w, name)?)?.secret;
    IssuedJwt::parse(&token).ok_or_else(|| {
        ClientError::Expectation(format!(
            "{PROFILE_ERROR}the profile declares the extra `jwt`, but {name}'s session token is not a JWT \
             (three base64url segments, a JSON header naming its `alg`): leave `jwt` out for this target"
        ))
    })
}

/// Whether the request carried `secret`: as sent, or inside HTTP Basic.
fn carries(ex: &Exchange, secret: &str) -> bool {
    use base64::Engine as _;
    let basic = |v: &str| {
        v.strip_prefix("Basic ")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
            .is_some_and(|d| String::from_utf8_lossy(&d).contains(secret))
    };
    ex.url.contains(secret)
        || ex.request_body.as_deref().is_some_and(|b| b.contains(secret))
        || ex.request_headers.iter().any(|(_, v)| v.contains(secret) || basic(v))
}

/// Presents each forgery as the actor's credential to `user.current`.
async fn present(w: &mut AuthWorld, name: &str, forgeries: Vec<Forged>) -> StepResult {
    let ctx = w.ctx();
    for f in forgeries {
        let a = actor(w, name)?;
        let creds = Credentials { login: a.login().to_string(), secret: f.token.clone() };
        let mut ex = ctx.client.target.call("user.current", &a.context(), Some(&creds)).await?;
        super::checks::attack_sent(carries(&ex, &f.token), "user.current", "the forged token (`secret`)")?;
        ex.notes.push(format!("forged token sent ({}): header {}", f.label, f.header));
        w.record(ex);
        let index = w.exchanges.len() - 1;
        w.forged.push((index, f.label));
    }
    Ok(())
}

/// When Arya presents her token with alg "none"
///
/// Presents the actor's session JWT with its header's `alg` set to `none`, `None`, `NONE` and `nOnE`, and no signature.
#[when(regex = r#"^([^\s']+) presents (?:her|his|their) token with alg "none"$"#)]
async fn alg_none(w: &mut AuthWorld, name: String) -> StepResult {
    let forged = issued(w, &name)?.alg_none();
    present(w, &name, forged).await
}

/// When Arya presents her token without its signature
///
/// Presents the actor's session JWT, header and claims as issued, its signature cut off.
#[when(regex = r"^([^\s']+) presents (?:her|his|their) token without its signature$")]
async fn stripped(w: &mut AuthWorld, name: String) -> StepResult {
    let forged = vec![issued(w, &name)?.stripped()];
    present(w, &name, forged).await
}

/// When Arya presents her token re-signed with HS256 and the target's public key
///
/// Reads the target's JWKS (`session.jwks`), takes the RSA key of the token's `kid`, and presents the token re-signed HS256 with that public key's PEM forms as the HMAC secret (algorithm confusion).
#[when(regex = r"^([^\s']+) presents (?:her|his|their) token re-signed with HS256 and the target's public key$")]
async fn alg_confusion(w: &mut AuthWorld, name: String) -> StepResult {
    let jwt = issued(w, &name)?;
    let ctx = w.ctx();
    let ex = ctx.client.target.call("session.jwks", &Default::default(), None).await?;
    w.record(ex);
    super::checks::accepted(w, "the JWKS request")?;
    let body = super::checks::last(w)?.response_body.clone();
    let kid = jwt.header.get("kid").and_then(Value::as_str);
    let pem = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|set| crate::crypto::public_pem_from_jwks(&set, kid))
        .ok_or_else(|| {
            ClientError::Expectation(format!(
                "the JWKS `session.jwks` answered holds no RSA key for the token's kid {kid:?}: the public key the forgery needs is not there"
            ))
        })?;
    let forged = jwt.hmac_with_public_key(&pem).map_err(|e| ClientError::Expectation(e.to_string()))?;
    present(w, &name, forged).await
}

/// When Arya presents her token with its kid set to a path and to SQL
///
/// Presents the actor's session JWT with a `kid` that walks to /dev/null (HS256, empty secret) and one that is an SQL UNION choosing its own key (HS256 with that key).
#[when(regex = r"^([^\s']+) presents (?:her|his|their) token with its kid set to a path and to SQL$")]
async fn kid_injection(w: &mut AuthWorld, name: String) -> StepResult {
    let forged = issued(w, &name)?.kid_injection().map_err(|e| ClientError::Expectation(e.to_string()))?;
    present(w, &name, forged).await
}

/// When Arya presents her token signed with a key its own header names
///
/// Presents the actor's session JWT signed by the attacker's keys, named in its header three ways: an embedded `jwk`, a `jku` and an `x5u` pointing at the attacker's site, which the harness serves and watches.
#[when(regex = r"^([^\s']+) presents (?:her|his|their) token signed with a key its own header names$")]
async fn header_keys(w: &mut AuthWorld, name: String) -> StepResult {
    let jwt = issued(w, &name)?;
    let ctx = w.ctx();
    let pair = ctx.keys.take().await.map_err(|e| ClientError::Expectation(format!("the attacker's key: {e}")))?;
    let (public, private) =
        pair.pem_pair().map_err(|e| ClientError::Expectation(format!("the attacker's key: {e}")))?;
    let attacker = AttackerKeys::new(&public, &private).map_err(|e| ClientError::Expectation(e.to_string()))?;
    let site = AttackerSite::start(attacker.jwks().to_string(), attacker.cert_pem.clone())
        .await
        .map_err(|e| ClientError::Expectation(format!("cannot start the attacker's site on loopback: {e}")))?;
    let forge = |r: Result<Forged, crate::crypto::ForgeError>| r.map_err(|e| ClientError::Expectation(e.to_string()));
    let forged = vec![
        forge(jwt.embedded_jwk(&attacker))?,
        forge(jwt.jku(&attacker, &site.url(JWKS_PATH)))?,
        forge(jwt.x5u(&attacker, &site.url(CERT_PATH)))?,
    ];
    w.attacker = Some(site);
    present(w, &name, forged).await
}

/// When Arya presents her token naming Cersei as its subject
///
/// Presents the actor's session JWT with its `sub` claim replaced by the other actor's (read from her own token), under the original signature.
#[when(regex = r"^([^\s']+) presents (?:her|his|their) token naming ([^\s']+) as its subject$")]
async fn other_subject(w: &mut AuthWorld, name: String, other: String) -> StepResult {
    let theirs = issued(w, &other)?;
    let sub = theirs.subject().map(str::to_string).ok_or_else(|| {
        ClientError::Expectation(format!("{other}'s token has no `sub` claim: the subject to swap in is unknown"))
    })?;
    let jwt = issued(w, &name)?;
    let forged = vec![jwt.edited(format!("the sub claim set to {other}'s"), "sub", json!(sub))];
    present(w, &name, forged).await
}

/// When Arya presents her token with its expiry a year later
///
/// Presents the actor's session JWT with its `exp` claim a year later than issued, under the original signature.
#[when(regex = r"^([^\s']+) presents (?:her|his|their) token with its expiry a year later$")]
async fn later_expiry(w: &mut AuthWorld, name: String) -> StepResult {
    let jwt = issued(w, &name)?;
    let now = chrono::Utc::now().timestamp();
    let exp = jwt.claims.get("exp").and_then(Value::as_i64).unwrap_or(now);
    let forged = vec![jwt.edited("the exp claim a year later".into(), "exp", json!(exp + 365 * 24 * 3600))];
    present(w, &name, forged).await
}

/// A token in a reply: a JWT's shape, or a field named like one holding a value.
fn carries_token(ex: &Exchange) -> bool {
    static SHAPE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let shape = SHAPE.get_or_init(|| Regex::new(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.").expect("a valid pattern"));
    fn named(v: &Value) -> bool {
        match v {
            Value::Object(m) => m.iter().any(|(k, v)| {
                (k.to_ascii_lowercase().ends_with("token") && v.as_str().is_some_and(|s| !s.is_empty())) || named(v)
            }),
            Value::Array(a) => a.iter().any(named),
            _ => false,
        }
    }
    shape.is_match(&ex.response_body)
        || ex.response_headers.iter().any(|(_, v)| shape.is_match(v))
        || serde_json::from_str::<Value>(&ex.response_body).is_ok_and(|v| named(&v))
}

/// Then the target refuses every forged token
///
/// Checks every forged token the scenario presented: refused with one of `user.current`'s declared refusals (never a 5xx), and no token in the refusal. Each refusal waits for its positive control, the actor's real token accepted.
#[then(regex = r"^the target refuses every forged token$")]
async fn every_forgery_refused(w: &mut AuthWorld) -> StepResult {
    if w.forged.is_empty() {
        return Err(ClientError::Expectation("no forged token was presented".into()));
    }
    let redactor = w.ctx().client.redactor.clone();
    let mut taken = Vec::new();
    for (i, label) in &w.forged {
        let ex = &w.exchanges[*i];
        if ex.broke() {
            return Err(super::checks::broke(w, ex, &format!("a refusal of the forgery ({label})")));
        }
        if !ex.refused() {
            taken.push(format!("{label}: {}", ex.summary(&redactor)));
        } else if carries_token(ex) {
            taken.push(format!("{label}: refused, but the refusal carries a token: {}", ex.summary(&redactor)));
        }
    }
    let (count, total) = (taken.len(), w.forged.len());
    check(Assertion::ForgeryRefused, taken.is_empty(), || {
        format!("{count} of {total} forged token(s) were not refused:\n  {}", taken.join("\n  "))
    })?;
    w.expect_control("user.current".into(), "every forged token".into());
    Ok(())
}

/// Then the target fetched none of the URLs the forged headers named
///
/// Checks the attacker's site the forged `jku` and `x5u` pointed to: no request reached it (a target that fetches a URL a token names can be made to call anywhere).
#[then(regex = r"^the target fetched none of the URLs the forged headers named$")]
async fn nothing_fetched(w: &mut AuthWorld) -> StepResult {
    let site = w
        .attacker
        .as_ref()
        .ok_or_else(|| ClientError::Expectation("no forged header named a URL in this scenario".into()))?;
    let fetches = site.fetches();
    check(Assertion::NoFetch, fetches.is_empty(), || {
        let list: Vec<String> = fetches.iter().map(|f| format!("{} {}", f.method, site.url(&f.path))).collect();
        format!("the target fetched what a forged token's header named: {}", list.join(", "))
    })
}
