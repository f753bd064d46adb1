//! Partner SSO (seed 004): the harness plays the mobile app against the
//! partner's endpoints and the platform the partner calls (the double).
use cucumber::{given, then, when};
use serde_json::{json, Value};

use super::actors::{actor, new_actor};
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::client::ActorKind;
use crate::client::ClientError;
use crate::doubles::{Misbehaviour, PlatformDouble};
use crate::operation::{Injection, Vars};
use crate::redact::SecretKind;
use crate::world::AuthWorld;

pub(super) fn platform(w: &AuthWorld) -> Result<&PlatformDouble, ClientError> {
    w.ctx
        .as_ref()
        .and_then(|c| c.platform.as_ref())
        .ok_or_else(|| ClientError::Expectation("the profile has no platform double".into()))
}

/// The password an actor uses at the partner: random, registered as a secret.
pub(super) fn password(w: &AuthWorld, name: &str) -> String {
    let pw = format!("pw-{}-{}", name.to_lowercase(), &uuid::Uuid::new_v4().simple().to_string()[..12]);
    w.ctx().client.redactor.register(&pw, SecretKind::Password);
    pw
}

fn registration(w: &AuthWorld, name: &str, pw: &str) -> Result<Vars, ClientError> {
    let a = w.actors.get(name).ok_or_else(|| ClientError::Expectation(format!("no actor {name}")))?;
    let v = json!({
        "first_name": a.name, "last_name": "Conformance", "email": a.email, "address": "1 Dragonstone Road, Westeros",
        "mobile": a.phone, "gender": "F", "password": pw,
    });
    let mut vars = a.context();
    vars.extend(v.as_object().expect("object").clone());
    Ok(vars)
}

async fn register_with(w: &mut AuthWorld, name: &str, vars: Vars, fields: &[(&str, Value)]) -> StepResult {
    let ctx = w.ctx();
    let ex = ctx.client.target.call_injected("sso.register", &vars, None, &Injection { headers: &[], fields }).await?;
    w.record_reply(format!("{name}@register"), ex);
    Ok(())
}

/// The seed's name of a field, or the target's where the profile maps it.
fn field_name(w: &AuthWorld, seed: &str) -> String {
    w.ctx().client.target.profile().field_names.get(seed).cloned().unwrap_or_else(|| seed.to_string())
}

pub(super) fn ensure_actor(w: &mut AuthWorld, name: &str) {
    if !w.actors.contains_key(name) {
        let a = new_actor(w, name, ActorKind::Patient);
        w.actors.insert(name.to_string(), a);
    }
}

/// Registers the actor at the partner with `pw`; the answer is recorded as `{name}@register`.
pub(super) async fn register_partner(w: &mut AuthWorld, name: &str, pw: &str) -> StepResult {
    let vars = registration(w, name, pw)?;
    register_with(w, name, vars, &[]).await
}

/// Given Arya has a partner account
///
/// Registers the actor at the partner with a fresh random password and expects it accepted.
#[given(regex = r"^([^\s']+) has a partner account$")]
async fn has_account(w: &mut AuthWorld, name: String) -> StepResult {
    ensure_actor(w, &name);
    let pw = password(w, &name);
    register_with(w, &name, registration(w, &name, &pw)?, &[]).await?;
    super::checks::accepted(w, "the registration")?;
    actor(w, &name)?.password = Some(pw);
    Ok(())
}

/// Given Arya is already a patient on the platform
///
/// Creates the actor's patient on the platform double, as if registered elsewhere before.
#[given(regex = r"^([^\s']+) is already a patient on the platform$")]
async fn already_patient(w: &mut AuthWorld, name: String) -> StepResult {
    ensure_actor(w, &name);
    let email = actor(w, &name)?.email.clone();
    platform(w)?.seed_patient(&name, &email);
    Ok(())
}

/// When Arya registers at the partner claiming to be an admin of another hospital
///
/// Registers the actor at the partner, optionally adding a Role and a HospitalId (the profile's field_names, else the seed's) it must ignore, and checking the request carried them.
///
/// The mass-assignment fields are the harness's, added to the body whatever
/// the profile's template says; a profile that cannot carry them is a
/// profile error, since the scenario could then not attack.
#[when(regex = r"^([^\s']+) registers at the partner( claiming to be an admin of another hospital)?$")]
async fn registers(w: &mut AuthWorld, name: String, claim: String) -> StepResult {
    ensure_actor(w, &name);
    let pw = password(w, &name);
    let vars = registration(w, &name, &pw)?;
    let (role, hospital) = (field_name(w, "Role"), field_name(w, "HospitalId"));
    let fields = if claim.is_empty() {
        Vec::new()
    } else {
        vec![(role.as_str(), json!("admin")), (hospital.as_str(), json!(1))]
    };
    register_with(w, &name, vars, &fields).await?;
    actor(w, &name)?.password = Some(pw);
    if !claim.is_empty() {
        let body = super::checks::last(w)?.request_body.clone().unwrap_or_default();
        let sent = body.contains(&role) && body.contains("admin") && body.contains(&hospital);
        super::checks::attack_sent(sent, "sso.register", &format!("the {role} and {hospital} fields"))?;
    }
    Ok(())
}

/// When Arya registers at the partner with Gender "X"
///
/// Registers with one field (by the seed's name) set to the given value.
#[when(regex = r#"^([^\s']+) registers at the partner with ([^\s']+) "([^"]*)"$"#)]
async fn registers_with_field(w: &mut AuthWorld, name: String, field: String, value: String) -> StepResult {
    ensure_actor(w, &name);
    let pw = password(w, &name);
    let mut vars = registration(w, &name, &pw)?;
    let key = match field.as_str() {
        "FirstName" => "first_name",
        "LastName" => "last_name",
        "Email" => "email",
        "Address" => "address",
        "MobileNumberWithCountryCode" => "mobile",
        "Gender" => "gender",
        "Password" => "password",
        other => return Err(ClientError::Expectation(format!("unknown registration field {other}"))),
    };
    vars.insert(key.into(), json!(value));
    register_with(w, &name, vars, &[]).await
}

/// Then the partner refuses with a field error naming Gender
///
/// Checks for a refusal (the operation's `refuse:` statuses, 400 and 422 among them) whose error names the field (by the profile's field_names, else the seed's name) as a key, a `loc`/`field` path or a word of a message.
#[then(regex = r"^the partner refuses with a field error naming ([^\s']+)$")]
async fn field_error(w: &mut AuthWorld, field: String) -> StepResult {
    super::checks::refused(w, &format!("a registration with a bad {field}"))?;
    let ctx = w.ctx();
    let ex = super::checks::last(w)?;
    let name = field_name(w, &field);
    let named = match ex.json() {
        Some(v) => super::field_errors::names_field(&v, &name),
        None => super::field_errors::word_in(&ex.response_body, &name),
    };
    check(Assertion::FieldError, named, || {
        format!("the field errors do not name {name}: {}", ex.summary(&ctx.client.redactor))
    })
}

pub(super) async fn login_as(w: &mut AuthWorld, name: &str, pw: String) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, name)?;
    let mut vars = a.context();
    vars.insert("email".into(), json!(a.email.clone()));
    vars.insert("password".into(), json!(pw));
    let ex = ctx.client.target.call("sso.login", &vars, None).await?;
    if let Some(t) = ex.get("access_token") {
        ctx.client.redactor.register(t, SecretKind::Token);
        if ex.accepted && !t.is_empty() {
            actor(w, name)?.sso_tokens.push(t.to_string());
        }
    }
    w.record_reply(format!("{name}@login"), ex);
    Ok(())
}

/// When Arya signs in at the partner with a wrong password
///
/// Signs in at the partner's SSO login with the actor's password, a wrong one, or the one before the last reset.
#[when(regex = r"^([^\s']+) signs in at the partner(?: with (a wrong|(?:her|his|their) old) password)?$")]
async fn signs_in(w: &mut AuthWorld, name: String, which: String) -> StepResult {
    ensure_actor(w, &name);
    let a = actor(w, &name)?;
    let pw = match (which.as_str(), a.password.clone(), a.previous_password.clone()) {
        ("", Some(pw), _) => pw,
        (w_, _, Some(old)) if w_.ends_with("old") => old,
        (w_, _, None) if w_.ends_with("old") => {
            return Err(ClientError::Expectation(format!("{name} has not reset a password yet")))
        }
        _ => password(w, &name),
    };
    login_as(w, &name, pw).await
}

/// Given Arya's partner account is disabled
/// When Arya's partner account is disabled
///
/// Disables the actor's partner account through the profile's admin operation.
#[given(regex = r"^([^\s']+)'s partner account is disabled$")]
#[when(regex = r"^([^\s']+)'s partner account is disabled$")]
async fn disabled(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let mut vars = a.context();
    vars.insert("email".into(), json!(a.email.clone()));
    let ex = ctx.client.target.expect("sso.disable_account", &vars, None).await?;
    w.record(ex);
    Ok(())
}

/// Then the answers to registration for Arya and Gendry were the same
///
/// Compares the two actors' registration answers: each accepted or a declared refusal, then status, body (echoes masked) and headers.
#[then(regex = r"^the answers to registration for ([^\s']+) and ([^\s']+) were the same$")]
async fn same_registration_answers(w: &mut AuthWorld, a: String, b: String) -> StepResult {
    super::reply::compare_answers(w, &format!("{a}@register"), &format!("{b}@register"))
}

/// Then the partner's answers to Arya and Bran were the same
///
/// Compares the two actors' last SSO login answers: each accepted or a declared refusal, then status, body (echoes masked) and headers.
#[then(regex = r"^the partner's answers to ([^\s']+) and ([^\s']+) were the same$")]
async fn same_answers(w: &mut AuthWorld, a: String, b: String) -> StepResult {
    super::reply::compare_answers(w, &format!("{a}@login"), &format!("{b}@login"))
}

/// Then the partner answers with only the token fields, not to be cached
///
/// Checks that the login answer is JSON holding a token and no field outside the allow-list (`sso.login`'s `reply_fields`, default `access_token` and `expires`), with Cache-Control: no-store.
///
/// Where the token sits is the profile's `access_token` extraction. The
/// allow-list names fields at any depth, so a nested dialect lists its
/// envelope too (`result`, `session`).
#[then(regex = r"^the partner answers with only the token fields, not to be cached$")]
async fn token_reply(w: &mut AuthWorld) -> StepResult {
    let ctx = w.ctx();
    super::checks::accepted(w, "the login")?;
    let ex = super::checks::last(w)?;
    let token = ex.get("access_token").unwrap_or_default().to_string();
    check(Assertion::TokenPresent, !token.is_empty(), || {
        "the reply holds no token (missing, null or empty at the profile's `access_token`)".into()
    })?;
    let allowed = ctx
        .client
        .target
        .profile()
        .operations
        .get(&ex.operation)
        .and_then(|s| s.reply_fields.clone())
        .unwrap_or_else(|| DEFAULT_TOKEN_FIELDS.iter().map(|f| f.to_string()).collect());
    let body = ex.json().ok_or_else(|| {
        Assertion::TokenFields.fail(format!("the reply is not JSON: {}", ex.summary(&ctx.client.redactor)))
    })?;
    let mut others = std::collections::BTreeSet::new();
    field_names(&body, &mut |name| {
        if !allowed.iter().any(|a| a == name) {
            others.insert(name.to_string());
        }
    });
    check(Assertion::TokenFields, others.is_empty(), || {
        format!(
            "the reply carries fields beyond the token's ({}): {}",
            allowed.join(", "),
            others.into_iter().collect::<Vec<_>>().join(", ")
        )
    })?;
    let cache = ex.header("cache-control").unwrap_or_default().to_ascii_lowercase();
    check(Assertion::NoStore, cache.contains("no-store"), || format!("Cache-Control is {cache:?}, expected no-store"))
}

/// The seed's token reply: `{access_token, expires}`.
const DEFAULT_TOKEN_FIELDS: &[&str] = &["access_token", "expires"];

/// Every object key at any depth.
fn field_names(v: &Value, f: &mut dyn FnMut(&str)) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            f(k);
            field_names(x, f);
        }),
        Value::Array(a) => a.iter().for_each(|x| field_names(x, f)),
        _ => {}
    }
}

/// Then the token is the one the platform issued for Arya
///
/// Checks that the token the app got is one the platform double issued for the actor.
#[then(regex = r"^the token is the one the platform issued for ([^\s']+)$")]
async fn token_from_platform(w: &mut AuthWorld, name: String) -> StepResult {
    let email = actor(w, &name)?.email.clone();
    let issued = platform(w)?.tokens_issued_for(&email);
    let got = w.last_exchange().and_then(|e| e.get("access_token")).unwrap_or_default().to_string();
    check(Assertion::TokenFromPlatform, !got.is_empty() && issued.contains(&got), || {
        format!("the app got a token the platform did not issue for {name} ({} issued)", issued.len())
    })
}

/// Then every JWT the partner built for Arya passed the platform's checks
///
/// Every JWT naming the actor passed the platform's claim checks, and each accepted login's token was issued for a JWT whose email is the actor's.
///
/// A login is tied to its JWT by the token: the platform double keeps the
/// JWT each patient token was issued for. So each login gets one verdict,
/// and a JWT naming another user (which the platform, knowing only the
/// claims, would accept) is caught here.
#[then(regex = r"^every JWT the partner built for ([^\s']+) passed the platform's checks$")]
async fn jwt_checks(w: &mut AuthWorld, name: String) -> StepResult {
    let a = actor(w, &name)?;
    let (email, tokens) = (a.email.clone(), a.sso_tokens.clone());
    let p = platform(w)?;
    // JWTs naming the actor (e-mails are unique to a scenario): refused ones
    // included, so a login the platform turned down shows why.
    let mut failed: Vec<String> = p.verdicts_for(&email).iter().flat_map(|v| v.failures()).collect();
    check(Assertion::JwtPerLogin, !tokens.is_empty() || !failed.is_empty(), || {
        format!("{name} has no accepted login in this scenario, and the platform saw no JWT for {name}")
    })?;
    for (n, token) in tokens.iter().enumerate() {
        let Some(jwt) = p.jwt_behind(token) else {
            return Err(Assertion::JwtPerLogin
                .fail(format!("login {} of {name} got a token the platform issued for no JWT", n + 1)));
        };
        if !jwt.email.eq_ignore_ascii_case(&email) {
            failed.extend(jwt.verdict.failures());
            failed.push(format!(
                "login {}: email is the authenticated user's: the JWT names another user {}",
                n + 1,
                Assertion::JwtEmail.tag()
            ));
        }
    }
    jwt_verdicts(failed)
}

/// Fails with every failed JWT check, each carrying its id.
pub(super) fn jwt_verdicts(failed: Vec<String>) -> StepResult {
    match failed.is_empty() {
        true => Ok(()),
        false => Err(ClientError::Expectation(format!("JWT checks failed: {}", failed.join("; ")))),
    }
}

/// Then the partner called the platform with its keys and as an admin of its hospital
///
/// Checks every platform call for X-Developer-Id and X-Api-Key, and admin token requests for userTypeId 2 and the profile's hospital.
#[then(regex = r"^the partner called the platform with its keys and as an admin of its hospital$")]
async fn platform_calls(w: &mut AuthWorld) -> StepResult {
    let p = platform(w)?;
    let emails: Vec<&str> = w.actors.values().map(|a| a.email.as_str()).collect();
    let calls = p.calls(&emails);
    check(Assertion::PlatformKeys, !calls.is_empty(), || "the partner never called the platform".into())?;
    let keyless = calls.iter().filter(|c| !(c.developer_id_ok && c.api_key_ok)).count();
    check(Assertion::PlatformKeys, keyless == 0, || {
        format!("{keyless} platform call(s) lacked X-Developer-Id or X-Api-Key")
    })?;
    let hospital = w.ctx().client.target.profile().platform.as_ref().map(|c| c.hospital_id);
    let bad_admin = calls
        .iter()
        .filter(|c| {
            c.path.ends_with("v2/account/token")
                && c.method == "POST"
                && (c.user_type_id != Some(2) || c.hospital_id != hospital)
        })
        .count();
    check(Assertion::AdminToken, bad_admin == 0, || {
        format!("{bad_admin} admin token request(s) not as userTypeId 2 of the hospital")
    })
}

/// Then the platform holds exactly one patient for Arya
///
/// Counts the platform double's patients with the actor's e-mail.
#[then(regex = r"^the platform holds exactly one patient for ([^\s']+)$")]
async fn one_patient(w: &mut AuthWorld, name: String) -> StepResult {
    let email = actor(w, &name)?.email.clone();
    let n = platform(w)?.patients_with(&email);
    check(Assertion::OnePatient, n == 1, || format!("the platform holds {n} patients for {name}"))
}

/// When the platform answers Arya's calls with 500
///
/// Makes the platform double answer the actor's calls with a 401, a 500 or an empty data envelope.
#[when(regex = r"^the platform answers ([^\s']+)'s calls with (401|500|no data)$")]
async fn platform_misbehaves(w: &mut AuthWorld, name: String, how: String) -> StepResult {
    let email = actor(w, &name)?.email.clone();
    let mode = match how.as_str() {
        "401" => Misbehaviour::Unauthorized,
        "500" => Misbehaviour::ServerError,
        _ => Misbehaviour::EmptyData,
    };
    platform(w)?.misbehave_for(&email, mode);
    Ok(())
}

/// Then the partner answers with a generic error, not the platform's
///
/// Checks that the answer is an error that carries none of the platform's own text.
#[then(regex = r"^the partner answers with a generic error, not the platform's$")]
async fn generic_error(w: &mut AuthWorld) -> StepResult {
    let ctx = w.ctx();
    let ex = w.last_exchange().ok_or_else(|| ClientError::Expectation("no request was made".into()))?;
    check(Assertion::ErrorStatus, ex.status >= 400, || {
        format!("a platform failure reached the app as {}: {}", ex.status, ex.summary(&ctx.client.redactor))
    })?;
    let leaked = ["SnapMD", "Exception", "denied"].iter().any(|t| ex.response_body.contains(t));
    check(Assertion::NoPlatformText, !leaked, || {
        format!("the platform's text reached the app: {}", ex.summary(&ctx.client.redactor))
    })
}
