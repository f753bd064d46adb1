//! The message gateway: starting a process (captcha, address checks, master
//! HCP) and validating its code (lifetime, single use, limited tries).
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use rand::Rng;
use regex::Regex;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::faults::Fault;
use super::notify::Notifier;
use super::server::{AppState, Shared};
use super::store::{OwnerKind, Process, CODE_LIFETIME, MAX_TRIES};
use super::throttle::{admit_guess, admit_start};

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(rename = "codeLength")]
    code_length: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct StartBody {
    #[serde(rename = "g-recaptcha-response", default)]
    pub captcha: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub mobile_phone: String,
    #[serde(default)]
    pub hcp_id: String,
}

enum Channel {
    Email,
    Sms,
}

fn email_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$").unwrap())
}

fn phone_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^\+[1-9][0-9]{3,14}$").unwrap())
}

/// `POST /msggw/{spec}/process/{process}/{requestId}?codeLength=n`
pub async fn start(
    State(app): State<Shared>,
    Path((spec, process, request_id)): Path<(String, String, String)>,
    Query(q): Query<StartQuery>,
    body: Option<Json<StartBody>>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    if spec != app.config.spec_id {
        return Err(ApiError::not_found());
    }
    let Json(body) = body.ok_or_else(|| ApiError::bad_request("invalid_body"))?;
    let known = start_process(&app, &process, &request_id, q.code_length, body).await?;
    let mut reply = serde_json::json!({ "requestId": request_id });
    if let Some(known) = known {
        reply["existingUser"] = serde_json::json!(known);
    }
    Ok((StatusCode::OK, Json(reply)))
}

/// Starts a process whatever the API generation that asked. Returns, only
/// under the `start-enumerates` fault, whether the login was known.
pub async fn start_process(
    app: &AppState,
    process: &str,
    request_id: &str,
    code_length: Option<usize>,
    body: StartBody,
) -> ApiResult<Option<bool>> {
    let cfg = &app.config;
    let (kind, channel) = match process {
        "patient-email" => (OwnerKind::Patient, Channel::Email),
        "patient-sms" => (OwnerKind::Patient, Channel::Sms),
        "hcp-email" => (OwnerKind::Hcp, Channel::Email),
        "hcp-sms" => (OwnerKind::Hcp, Channel::Sms),
        _ => return Err(ApiError::not_found()),
    };
    if uuid::Uuid::parse_str(request_id).is_err() {
        return Err(ApiError::field("invalid_request_id", "requestId"));
    }
    let captcha_ok = body.captcha == cfg.captcha || cfg.has(Fault::CaptchaIgnored);
    if !captcha_ok && !cfg.has(Fault::CaptchaCheckedAfterSend) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "captcha_rejected"));
    }
    let login = match channel {
        Channel::Email => {
            if !email_re().is_match(&body.email) && !cfg.has(Fault::EmailUnchecked) {
                return Err(ApiError::field("invalid_email", "email").traced(cfg, concat!(file!(), ":", line!())));
            }
            body.email.to_lowercase()
        }
        Channel::Sms => {
            if !phone_re().is_match(&body.mobile_phone) && !cfg.has(Fault::PhoneUnchecked) {
                return Err(ApiError::field("invalid_phone", "mobilePhone"));
            }
            body.mobile_phone.clone()
        }
    };
    let code_length = code_length.unwrap_or(6);
    if !(6..=12).contains(&code_length) {
        return Err(ApiError::field("invalid_code_length", "codeLength"));
    }
    let (known, send) = {
        let mut store = app.store();
        let known = store.user_by_login(&login).is_some();
        // Every patient start names an existing master HCP (seed 000: "mandatory
        // for patients"), a sign-in as much as a sign-up: refusing only new
        // logins would tell which logins exist.
        let sign_in_spared = known && cfg.has(Fault::MasterForNewOnly);
        let needs_master = kind == OwnerKind::Patient || cfg.has(Fault::HcpNeedsMaster);
        if needs_master && !sign_in_spared && !cfg.has(Fault::PatientWithoutMaster) {
            let master_ok = store.owners.get(&body.hcp_id).is_some_and(|o| o.kind == OwnerKind::Hcp);
            if !master_ok {
                return Err(ApiError::field("master_hcp_required", "hcpId"));
            }
        }
        if store.processes.contains_key(request_id) {
            return Err(ApiError::new(StatusCode::CONFLICT, "request_id_in_use"));
        }
        // The defect: finished processes are never cleaned up, and the table
        // holding them is capped; a run passes, a busy day does not.
        if cfg.has(Fault::ProcessTableFills) && store.processes.len() >= PROCESS_TABLE_CAP {
            return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "process_table_full"));
        }
        let send = admit_start(cfg, &mut store.throttles, &login, Instant::now())?;
        (known, send)
    };
    let digits = if cfg.has(Fault::OtpShortCode) { 4 } else { code_length };
    let code = new_code(digits);
    super::ledger::record(&cfg.ledger, &code);
    let process = Process {
        login: login.clone(),
        kind,
        first_name: body.first_name.clone(),
        last_name: body.last_name.clone(),
        code: code.clone(),
        created: Instant::now(),
        wrong_tries: 0,
        validated: false,
        master: (kind == OwnerKind::Patient && !body.hcp_id.is_empty()).then(|| body.hcp_id.clone()),
    };
    match channel {
        // Turned away quietly (`quiet_throttle`): answered, never sent.
        _ if !send => {}
        Channel::Email => {
            let mail = Notifier::code_mail(&code, &body.first_name);
            app.notifier.mail(&login, &mail).await.map_err(|e| {
                tracing::warn!("{e}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "delivery_failed")
            })?;
            if cfg.test_hooks {
                app.store().last_mail.insert(
                    login.clone(),
                    serde_json::json!({"from": cfg.mail_from, "subject": mail.subject, "html": mail.html}),
                );
            }
        }
        Channel::Sms if cfg.has(Fault::SmsNotSent) => {}
        Channel::Sms => {
            let text = format!("Your validation code is {code}");
            app.notifier.sms(&login, &text).await.map_err(|e| {
                tracing::warn!("{e}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "delivery_failed")
            })?;
        }
    }
    if !captcha_ok {
        // The defect: the code already went out.
        return Err(ApiError::new(StatusCode::FORBIDDEN, "captcha_rejected"));
    }
    let mut store = app.store();
    // The newest code is the one: the login's older open process ends here.
    // Found by its login, not by scanning every process of the target.
    let older = store.newest_process.insert(login.clone(), request_id.to_string());
    if let Some(older) = older.filter(|_| !cfg.has(Fault::OlderCodeValid)) {
        if store.processes.get(&older).is_some_and(|p| !p.validated) {
            store.processes.remove(&older);
        }
    }
    store.processes.insert(request_id.to_string(), process);
    Ok(cfg.has(Fault::StartEnumerates).then_some(known))
}

/// A uniformly random decimal code from the OS CSPRNG.
fn new_code(digits: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..digits).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

/// `GET /msggw/{spec}/process/validate/{requestId}-{code}`
///
/// Every failure gets the same generic 400, so the reply is no oracle for
/// whether the request exists, expired, or died of too many tries.
pub async fn validate(
    State(app): State<Shared>,
    Path((spec, attempt)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    if spec != app.config.spec_id {
        return Err(ApiError::not_found());
    }
    let (request_id, code) = attempt.rsplit_once('-').ok_or_else(invalid_code)?;
    validate_code(&app, request_id, code)?;
    if app.config.has(Fault::CodeRace) {
        // The defect: the check and the "used" mark are two steps with a
        // slower write between them (as a read, then an update, against a
        // database), so a second submit inside that window passes the check.
        mark_validated(&app, request_id, false);
        tokio::time::sleep(RACE_WINDOW).await;
        mark_validated(&app, request_id, true);
    }
    Ok((StatusCode::OK, Json(serde_json::json!({}))))
}

/// Processes the `process-table-fills` fault holds before it refuses new
/// ones: more than one ordinary run starts, fewer than a load run does.
const PROCESS_TABLE_CAP: usize = 200;

/// How long the `code-race` fault leaves a checked code unmarked.
const RACE_WINDOW: std::time::Duration = std::time::Duration::from_millis(20);

fn mark_validated(app: &AppState, request_id: &str, validated: bool) {
    if let Some(p) = app.store().processes.get_mut(request_id) {
        p.validated = validated;
    }
}

fn invalid_code() -> ApiError {
    ApiError::bad_request("invalid_or_expired_code")
}

/// Checks a code against its process; on success the login's user exists
/// (created on first use) and the code is its short-lived password.
pub fn validate_code(app: &AppState, request_id: &str, code: &str) -> ApiResult<()> {
    let cfg = &app.config;
    let invalid = invalid_code;
    let mut store = app.store();
    let now = Instant::now();
    let login = store.processes.get(request_id).ok_or_else(invalid)?.login.clone();
    admit_guess(cfg, &mut store.throttles, &login, now)?;
    // The defect: a code sent for any live process opens this one.
    let elsewhere = cfg.has(Fault::CodeAnyProcess)
        && store.processes.values().any(|p| !p.validated && constant_time_eq(p.code.as_bytes(), code.as_bytes()));
    let process = store.processes.get_mut(request_id).ok_or_else(invalid)?;
    let max = if cfg.has(Fault::OtpThreeTries) { 3 } else { MAX_TRIES };
    let dead = process.wrong_tries >= max && !cfg.has(Fault::OtpUnlimitedTries);
    let expired = if cfg.has(Fault::OtpShortLifetime) {
        now.duration_since(process.created) > CODE_LIFETIME / 2
    } else {
        process.expired(now) && !cfg.has(Fault::OtpNeverExpires)
    };
    let used = process.validated && !cfg.has(Fault::OtpReusable);
    if dead || expired || used {
        return Err(invalid());
    }
    let matches = if cfg.has(Fault::OtpUnchecked) {
        process.code.len() == code.len()
    } else {
        constant_time_eq(process.code.as_bytes(), code.as_bytes())
    };
    if !(matches || elsewhere) {
        process.wrong_tries += 1;
        store.throttles.wrong_code(&login, now);
        return Err(invalid());
    }
    process.validated = true;
    let (login, code, created) = (process.login.clone(), process.code.clone(), process.created);
    let (kind, first, last, master) =
        (process.kind, process.first_name.clone(), process.last_name.clone(), process.master.clone());
    let user = match store.user_by_login_mut(&login) {
        Some(u) => u,
        None => store.create_user(&login, kind, &first, &last, master),
    };
    // The code becomes a short-lived password, for as long as the code itself lives.
    user.otp = Some((code, created));
    Ok(())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
