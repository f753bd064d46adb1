//! The partner's deep link (`snapmdconnectedcare://?jwt=<JWT>`): the harness
//! asks the partner for one, then plays the app the link opens, which hands
//! the JWT to the platform (the double) for a token.
use cucumber::{then, when};
use serde_json::json;

use super::actors::actor;
use super::sso::{ensure_actor, password, platform};
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::client::ClientError;
use crate::operation::{CounterpartRequest, Exchange};
use crate::profile::StatusPattern;
use crate::redact::SecretKind;
use crate::world::AuthWorld;

const SCHEME: &str = "snapmdconnectedcare";

/// When Arya asks the partner for a deep link
///
/// Calls the partner's deep-link operation with the actor's password (or a wrong one) and keeps the link.
#[when(regex = r"^([^\s']+) asks the partner for a deep link( with a wrong password)?$")]
async fn asks_deep_link(w: &mut AuthWorld, name: String, wrong: String) -> StepResult {
    ensure_actor(w, &name);
    let a = actor(w, &name)?;
    let (email, pw, mut vars) = (a.email.clone(), a.password.clone(), a.context());
    let pw = match pw {
        Some(pw) if wrong.is_empty() => pw,
        _ => password(w, &name),
    };
    let ctx = w.ctx();
    vars.insert("email".into(), json!(email));
    vars.insert("password".into(), json!(pw));
    let ex = ctx.client.target.call("sso.deep_link", &vars, None).await?;
    let link = ex.get("deep_link").map(str::to_string);
    w.record(ex);
    if let Some(link) = link {
        if let Some(jwt) = jwt_of(&link) {
            ctx.client.redactor.register(&jwt, SecretKind::Token);
        }
        actor(w, &name)?.deep_links.push(link);
    }
    Ok(())
}

/// The `jwt` query parameter of a `snapmdconnectedcare://` link.
fn jwt_of(link: &str) -> Option<String> {
    let url = url::Url::parse(link).ok().filter(|u| u.scheme() == SCHEME)?;
    url.query_pairs().find(|(k, _)| k == "jwt").map(|(_, v)| v.into_owned()).filter(|v| !v.is_empty())
}

/// Plays the app the link opens: `GET {platform}v2/account/token?jwt=`,
/// recorded as evidence like any exchange.
async fn open(w: &mut AuthWorld, link: &str) -> Result<Exchange, ClientError> {
    let jwt =
        jwt_of(link).ok_or_else(|| ClientError::Expectation(format!("the deep link is not {SCHEME}://?jwt=<JWT>")))?;
    let ctx = w.ctx();
    let double = platform(w)?;
    let creds = ctx
        .client
        .target
        .profile()
        .platform
        .clone()
        .ok_or_else(|| ClientError::Expectation("the profile has no platform section".into()))?;
    let request = CounterpartRequest {
        operation: "app.open_deep_link",
        url: format!("{}v2/account/token", double.url()),
        query: vec![("jwt".into(), jwt)],
        headers: vec![("X-Developer-Id".into(), creds.developer_id), ("X-Api-Key".into(), creds.api_key)],
        accept: &[StatusPattern::Exact(200)],
    };
    let mut ex = ctx.client.target.counterpart_get(request).await?;
    let token = serde_json::from_str::<serde_json::Value>(&ex.response_body)
        .ok()
        .and_then(|v| v["data"][0]["access_token"].as_str().map(str::to_string));
    if let Some(t) = token {
        ctx.client.redactor.register(&t, SecretKind::Token);
        ex.extracted.insert("access_token".to_string(), t);
    }
    Ok(ex)
}

fn link(w: &mut AuthWorld, name: &str, first: bool) -> Result<String, ClientError> {
    let links = &actor(w, name)?.deep_links;
    let found = if first { links.first() } else { links.last() };
    found.cloned().ok_or_else(|| ClientError::Expectation(format!("the partner handed {name} no deep link")))
}

/// Then the deep link opens the app as Arya
///
/// Plays the app: hands the link's JWT to the platform double, which must accept it, pass every claim check and issue a token.
///
/// The platform took the link's JWT for Arya, and that JWT passed its
/// checks (only the verdicts of this opening count: a replay the scenario
/// made on purpose is not the partner's fault).
#[then(regex = r"^the deep link opens the app as ([^\s']+)$")]
async fn opens_as(w: &mut AuthWorld, name: String) -> StepResult {
    let latest = link(w, &name, false)?;
    let email = actor(w, &name)?.email.clone();
    let seen_before = platform(w)?.verdicts_for(&email).len();
    let ex = open(w, &latest).await?;
    let ctx = w.ctx();
    let summary = ex.summary(&ctx.client.redactor);
    let token = ex.get("access_token").map(str::to_string);
    w.record(ex);
    let p = platform(w)?;
    let verdicts = p.verdicts_for(&email);
    let fresh = verdicts.get(seen_before..).unwrap_or_default();
    check(Assertion::DeepLinkOpens, !fresh.is_empty(), || {
        format!("the platform saw no JWT for {name} in the deep link: {summary}")
    })?;
    super::sso::jwt_verdicts(fresh.iter().flat_map(|v| v.failures()).collect())?;
    let issued = p.tokens_issued_for(&email);
    check(Assertion::DeepLinkOpens, token.as_ref().is_some_and(|t| issued.contains(t)), || {
        format!("the platform gave the app no token for {name}: {summary}")
    })
}

/// Then Arya's deep links carry JWTs with distinct ids, each valid at most 5 minutes
///
/// Decodes the JWT of every deep link the actor was handed: each has its own `jti`, and `exp - iat` of at most 300 s.
///
/// What the partner controls, read from the links themselves: a replay
/// refused by the platform would only show the harness's own double working.
#[then(regex = r"^([^\s']+)'s deep links carry JWTs with distinct ids, each valid at most 5 minutes$")]
async fn fresh_links(w: &mut AuthWorld, name: String) -> StepResult {
    let links = actor(w, &name)?.deep_links.clone();
    check(Assertion::DeepLinkCount, links.len() >= 2, || {
        format!("{name} was handed {} deep link(s); the step compares at least two", links.len())
    })?;
    let mut ids = std::collections::BTreeSet::new();
    for link in &links {
        let jwt = jwt_of(link)
            .ok_or_else(|| ClientError::Expectation(format!("a deep link is not {SCHEME}://?jwt=<JWT>")))?;
        let claims = crate::crypto::unverified_claims(&jwt)
            .ok_or_else(|| ClientError::Expectation("a deep link's JWT has no readable claims".into()))?;
        let num = |k: &str| claims.get(k).and_then(serde_json::Value::as_i64);
        let jti = claims.get("jti").and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
        check(Assertion::DeepLinkJti, !jti.is_empty(), || "a deep link's JWT has no jti".into())?;
        let lifetime = num("exp").zip(num("iat")).map(|(e, i)| e - i);
        check(Assertion::DeepLinkLifetime, lifetime.is_some_and(|l| (1..=300).contains(&l)), || {
            format!("a deep link's JWT lives {lifetime:?} s (exp - iat); at most 300 s expected")
        })?;
        ids.insert(jti);
    }
    check(Assertion::DeepLinkDistinct, ids.len() == links.len(), || {
        format!("{} deep links carried only {} distinct jti: a JWT was handed out twice", links.len(), ids.len())
    })
}

/// Then the partner hands out no deep link
///
/// Checks that the last answer was a refusal (with a control: a deep link handed out in the scenario) carrying no deep link and no JWT.
#[then(regex = r"^the partner hands out no deep link$")]
async fn no_link(w: &mut AuthWorld) -> StepResult {
    let ctx = w.ctx();
    let ex = super::checks::last(w)?;
    let leaked = ex.response_body.contains(&format!("{SCHEME}:")) || ex.response_body.contains("eyJ");
    check(Assertion::DeepLinkWithheld, !leaked, || {
        format!("a deep link was handed out: {}", ex.summary(&ctx.client.redactor))
    })?;
    super::checks::refused(w, "a deep link request with a wrong password")
}
