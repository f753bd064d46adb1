//! Starting a process, reading the code, completing sign-up or sign-in.
use serde_json::{json, Value};

use super::actor::{Actor, ActorKind, Born, Channel};
use super::context::ClientContext;
use super::error::ClientError;
use crate::crypto::KeyPair;
use crate::operation::{Credentials, Exchange, Vars};
use crate::profile::Lifetime;
use crate::redact::SecretKind;

/// What a start sends beyond the actor's own details.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Register under the profile's master HCP.
    pub with_master: bool,
    /// Overrides the profile's (valid) captcha token.
    pub captcha: Option<String>,
    pub code_length: Option<usize>,
    /// Signing in (an existing account) rather than up: templates see
    /// `purpose`, `sign_in` or `sign_up`, for targets with two endpoints.
    pub sign_in: bool,
}

pub fn start_vars(ctx: &ClientContext, actor: &Actor, request_id: &str, opts: &StartOptions) -> Vars {
    let vars = ctx.target.base_vars();
    let var = |k: &str| vars.get(k).cloned().unwrap_or(Value::String(String::new()));
    let kind = match actor.kind {
        ActorKind::Patient => "patient",
        ActorKind::Hcp => "hcp",
    };
    let (channel, email, phone) = match actor.channel {
        Channel::Email => ("email", actor.email.as_str(), ""),
        Channel::Sms => ("sms", "", actor.phone.as_str()),
    };
    let captcha = opts.captcha.clone().map(Value::String).unwrap_or_else(|| var("captcha"));
    let hcp_id = match (opts.with_master, &actor.master) {
        (false, _) => Value::String(String::new()),
        (true, Some(own)) => Value::String(own.clone()),
        (true, None) => var("master_hcp_id"),
    };
    let mut out = actor.context();
    out.insert("process".into(), json!(format!("{kind}_{channel}")));
    out.insert("purpose".into(), json!(purpose(opts.sign_in)));
    out.insert("request_id".into(), json!(request_id));
    out.insert("captcha".into(), captcha);
    out.insert("first_name".into(), json!(actor.name));
    out.insert("last_name".into(), json!("Conformance"));
    out.insert("email".into(), json!(email));
    out.insert("mobile_phone".into(), json!(phone));
    out.insert("hcp_id".into(), hcp_id);
    // Left undefined unless a scenario asks: the target's default is checked too.
    if let Some(n) = opts.code_length {
        out.insert("code_length".into(), json!(n));
    }
    out
}

/// Starts a process for the actor; the exchange is returned whatever the
/// status, since refusals are what some scenarios expect.
pub async fn start(ctx: &ClientContext, actor: &mut Actor, opts: &StartOptions) -> Result<Exchange, ClientError> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let vars = start_vars(ctx, actor, &request_id, opts);
    if let Some(c) = opts.captcha.as_deref() {
        ctx.redactor.register(c, SecretKind::Captcha);
    }
    let sent = std::time::Instant::now();
    let ex = ctx.target.call("otp.start", &vars, None).await?;
    if ex.accepted {
        actor.born.insert(Lifetime::Code, Born::between(sent));
        actor.request_id = Some(request_id);
        actor.purpose = purpose(opts.sign_in);
        actor.remember(&ex);
    }
    Ok(ex)
}

fn purpose(sign_in: bool) -> &'static str {
    if sign_in {
        "sign_in"
    } else {
        "sign_up"
    }
}

/// Waits for the next code to the actor on their channel and remembers it.
pub async fn read_code(ctx: &ClientContext, actor: &mut Actor) -> Result<String, ClientError> {
    let code = match actor.channel {
        Channel::Email => {
            let mail =
                ctx.mail.as_ref().ok_or_else(|| ClientError::Expectation("the profile has no mailbox".into()))?;
            let m = mail.mailbox.next_for(&actor.email, mail.timeout, &ctx.redactor).await?;
            m.find_code(&mail.code).ok_or_else(|| {
                ClientError::Expectation(format!(
                    "the mail to {} ({:?}) holds no code matching `{}`",
                    actor.email,
                    ctx.redactor.message(&m.subject),
                    mail.code.regex
                ))
            })?
        }
        Channel::Sms => {
            let sms = ctx.sms.as_ref().ok_or_else(|| ClientError::Expectation("the profile has no SMS sink".into()))?;
            let m = sms.inbox.next_for(&actor.phone, sms.timeout, &ctx.redactor).await?;
            sms.code.regex.first(&m.text).map(str::to_string).ok_or_else(|| {
                ClientError::Expectation(format!(
                    "the SMS to {} holds no code matching `{}`",
                    actor.phone, sms.code.regex
                ))
            })?
        }
    };
    ctx.redactor.register(&code, SecretKind::Code);
    actor.codes.push(code.clone());
    Ok(code)
}

/// Completes a process: validate the code; where that gives no session
/// token, do as the iCure SDK does (learn who we are with the code as
/// password, then create a long-lived token); where it does, learn who we
/// are with the token if the target can say (`user.current` bound). Then,
/// where the target has end-to-end keys, make sure the key pair's public
/// key is on the data owner.
pub async fn complete(
    ctx: &ClientContext,
    actor: &mut Actor,
    key: Option<KeyPair>,
    log: &mut Vec<Exchange>,
) -> Result<(), ClientError> {
    let request_id = actor
        .request_id
        .clone()
        .ok_or_else(|| ClientError::Expectation(format!("{} has no started process", actor.name)))?;
    let code = actor.received_code()?;
    let sent = std::time::Instant::now();
    let mut vars = actor.context();
    vars.insert("request_id".into(), json!(request_id));
    vars.insert("code".into(), json!(code));
    vars.insert("purpose".into(), json!(actor.purpose));
    let validated = ctx.target.expect("otp.validate", &vars, None).await?;
    actor.remember(&validated);
    let given = validated.get("token").filter(|t| !t.is_empty()).map(str::to_string);
    log.push(validated);

    let token = match given {
        Some(token) => {
            ctx.redactor.register(&token, SecretKind::Token);
            if ctx.target.profile().operations.contains_key("user.current") {
                let by_token = Credentials { login: actor.login().to_string(), secret: token.clone() };
                who_am_i(ctx, actor, &by_token, log).await?;
            }
            token
        }
        None => token_chain(ctx, actor, code, log).await?,
    };
    actor.tokens.push(token);
    actor.born.insert(Lifetime::Token, Born::between(sent));
    let Some(key) = key else { return Ok(()) };
    ctx.redactor.register(&key.private_pkcs8_hex(), SecretKind::PrivateKey);
    actor.key = Some(key);
    // Only a target with end-to-end keys keeps public keys on data owners.
    if ctx.target.profile().families.contains(&crate::profile::Family::E2eKeys) {
        publish_key_if_missing(ctx, actor, log).await?;
    }
    Ok(())
}

/// `user.current` with `creds`: the actor's user id, group and data owner.
async fn who_am_i(
    ctx: &ClientContext,
    actor: &mut Actor,
    creds: &Credentials,
    log: &mut Vec<Exchange>,
) -> Result<(), ClientError> {
    let me = ctx.target.expect("user.current", &actor.context(), Some(creds)).await?;
    actor.remember(&me);
    actor.user_id = me.get("user_id").map(str::to_string);
    actor.group_id = me.get("group_id").map(str::to_string);
    actor.data_owner_id = me.get("data_owner_id").map(str::to_string);
    log.push(me);
    Ok(())
}

/// The iCure way to a session token: the code authenticates `user.current`
/// and `token.create`.
async fn token_chain(
    ctx: &ClientContext,
    actor: &mut Actor,
    code: String,
    log: &mut Vec<Exchange>,
) -> Result<String, ClientError> {
    let by_code = Credentials { login: actor.login().to_string(), secret: code };
    who_am_i(ctx, actor, &by_code, log).await?;
    let user_id = actor
        .user_id
        .clone()
        .ok_or_else(|| ClientError::Expectation("user.current gave no `user_id` (check its `extract`)".into()))?;
    let mut vars = actor.context();
    vars.insert("user_id".into(), json!(user_id));
    // One token per device: the device name is the token key.
    vars.insert("device_key".into(), json!(format!("{}-{}", actor.name.to_lowercase(), actor.device)));
    // The hour the suite asks for, unless the profile's variables say otherwise.
    if !ctx.target.profile().variables.contains_key("token_validity") {
        vars.insert("token_validity".into(), json!(3600));
    }
    let t = ctx.target.expect("token.create", &vars, Some(&by_code)).await?;
    actor.remember(&t);
    let token = t.get("token").map(str::to_string);
    log.push(t);
    let token =
        token.ok_or_else(|| ClientError::Expectation("token.create gave no `token` (check its `extract`)".into()))?;
    ctx.redactor.register(&token, SecretKind::Token);
    Ok(token)
}

/// Reads the data owner and publishes the actor's public key if absent
/// (`initUserCrypto`: same key, nothing to do).
pub async fn publish_key_if_missing(
    ctx: &ClientContext,
    actor: &mut Actor,
    log: &mut Vec<Exchange>,
) -> Result<(), ClientError> {
    let creds = session(actor)?;
    let owner = actor.data_owner_id.clone().ok_or_else(|| ClientError::Expectation("no data owner id known".into()))?;
    let public = actor
        .key
        .as_ref()
        .map(|k| k.public_hex().to_string())
        .ok_or_else(|| ClientError::Expectation("no key pair".into()))?;
    let mut vars = actor.context();
    vars.insert("data_owner_id".into(), json!(owner));
    let current = ctx.target.expect("data_owner.get", &vars, Some(&creds)).await?;
    let has_key = current.get("public_keys").is_some_and(|k| k.contains(&public));
    log.push(current);
    if !has_key {
        vars.insert("public_key".into(), json!(public));
        log.push(ctx.target.expect("data_owner.add_key", &vars, Some(&creds)).await?);
    }
    Ok(())
}

/// The credentials a device with a stored token presents.
pub fn session(actor: &Actor) -> Result<Credentials, ClientError> {
    let token = actor.token().ok_or_else(|| ClientError::Expectation(format!("{} holds no token", actor.name)))?;
    Ok(Credentials { login: actor.login().to_string(), secret: token.to_string() })
}

/// The extractions of the sign-in already guarantee these; a step that uses
/// an actor who never signed in is a scenario error, not a verdict.
pub fn check_signed_in(actor: &Actor) -> Result<(), ClientError> {
    let precondition =
        |cond: bool, message: &dyn Fn() -> String| if cond { Ok(()) } else { Err(ClientError::Expectation(message())) };
    precondition(actor.user_id.is_some(), &|| format!("{} has no user id", actor.name))?;
    precondition(actor.group_id.is_some(), &|| format!("{} has no group id", actor.name))?;
    precondition(actor.token().is_some(), &|| format!("{} has no token", actor.name))
}
