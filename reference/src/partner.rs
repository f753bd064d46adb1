//! The reference partner backend (seed 004): its own SSO login and
//! registration endpoints, users with argon2 password hashes, and the
//! platform dance of `platform_client` behind them. Every failure the app
//! sees is generic: no account state, no platform text.
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::config::PartnerConfig;
use super::faults::Fault;
use super::hashing::{dummy_hash, hash, verify};
use super::platform_client::{NewPatient, PlatformClient, PlatformError};
use super::server::{AppState, Shared};
use super::store::PartnerUser;

pub(super) fn generic(status: StatusCode, code: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(json!({ "error": code }))).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Login {
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) password: String,
}

/// `POST /partner/sso/login {Email, Password}` -> `{access_token, expires}`
pub async fn login(State(app): State<Shared>, body: Option<Json<Login>>) -> Response {
    let Some(Json(body)) = body else { return generic(StatusCode::BAD_REQUEST, "invalid_request") };
    let email = body.email.clone();
    match sign_in(&app, &body.email, body.password).await {
        Ok(Some((token, expires))) => {
            let cfg = &app.config;
            let mut reply = json!({ "expires": expires });
            reply[if cfg.has(Fault::SsoTokenRenamed) { "token" } else { "access_token" }] = json!(token);
            if cfg.has(Fault::SsoLoginLeaksProfile) {
                reply["user"] = json!({ "email": email, "name": app.store().partner_users.get(&email.to_lowercase()).map(|u| u.first_name.clone()) });
            }
            let cache = if cfg.has(Fault::SsoLoginCacheable) { "private, max-age=300" } else { "no-store" };
            (StatusCode::OK, [(header::CACHE_CONTROL, cache)], Json(reply)).into_response()
        }
        Ok(None) => (StatusCode::OK, Json(json!({ "access_token": null, "expires": null }))).into_response(),
        Err(refusal) => refusal,
    }
}

/// Signs a user in whatever the dialect: `(token, expires)`, `None` for the
/// null token of the `sso-null-token` defect, or the generic refusal.
pub(super) async fn sign_in(
    app: &AppState,
    email: &str,
    password: String,
) -> Result<Option<(String, String)>, Response> {
    let (partner, user) = authenticate(app, email, password).await?;
    let platform = PlatformClient::new(&app.config, partner, app.http.clone());
    let token = async {
        let jwt = patient_jwt(app, &platform, &user).await?;
        platform.exchange(&jwt).await
    }
    .await;
    match token {
        Ok(_) if app.config.has(Fault::SsoOwnToken) => {
            Ok(Some((uuid::Uuid::new_v4().simple().to_string(), expires_in(30))))
        }
        Ok(token) => Ok(Some((token, expires_in(30)))),
        Err(e) => {
            tracing::warn!("SSO login: {e}");
            if app.config.has(Fault::SsoNullToken) {
                return Ok(None);
            }
            Err(platform_unavailable(app, &e))
        }
    }
}

fn expires_in(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339()
}

/// The app's answer when the platform failed: generic, unless the
/// `sso-platform-text-leaks` defect passes the platform's words on.
pub(super) fn platform_unavailable(app: &AppState, e: &PlatformError) -> Response {
    match e {
        PlatformError::Status { said, .. } if app.config.has(Fault::SsoPlatformTextLeaks) => {
            (StatusCode::BAD_GATEWAY, Json(json!({ "error": "platform_unavailable", "detail": said }))).into_response()
        }
        _ => generic(StatusCode::BAD_GATEWAY, "platform_unavailable"),
    }
}

/// Checks e-mail and password; every refusal is the same generic 401
/// (unknown e-mail, wrong password, disabled account) unless a defect says otherwise.
pub(super) async fn authenticate<'a>(
    app: &'a AppState,
    email: &str,
    password: String,
) -> Result<(&'a PartnerConfig, PartnerUser), Response> {
    let Some(partner) = app.config.partner.as_ref() else { return Err(generic(StatusCode::NOT_FOUND, "not_found")) };
    super::ledger::record(&app.config.ledger, &password);
    let user = app.store().partner_users.get(&email.to_lowercase()).cloned();
    // Unknown e-mails still pay for a hash, so timing tells nothing either.
    let stored = user.as_ref().map(|u| u.hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let mut password_ok = verify(password.clone(), stored).await || app.config.has(Fault::SsoAnyPassword);
    if let Some(old) = user.as_ref().and_then(|u| u.previous_hash.clone()) {
        password_ok = password_ok || (app.config.has(Fault::SsoResetKeepsOldPassword) && verify(password, old).await);
    }
    match user {
        Some(u) if password_ok && u.disabled && app.config.has(Fault::SsoDisabledDistinct) => {
            Err(generic(StatusCode::FORBIDDEN, "account_disabled"))
        }
        Some(u) if password_ok && !u.disabled => Ok((partner, u)),
        None if app.config.has(Fault::SsoUnknownEmailDistinct) => Err(generic(StatusCode::NOT_FOUND, "unknown_email")),
        _ => Err(generic(StatusCode::UNAUTHORIZED, "invalid_credentials")),
    }
}

/// The seed's platform dance up to the signed JWT: admin token, the patient
/// found or created, the JWT built for the user.
pub(super) async fn patient_jwt(
    app: &AppState,
    platform: &PlatformClient<'_>,
    user: &PartnerUser,
) -> Result<String, PlatformError> {
    let admin = platform.admin_token().await?;
    super::ledger::record(&app.config.ledger, &admin);
    platform.ensure_patient(&admin, &user.as_new_patient()).await?;
    if app.config.has(Fault::JwtOtherUser) {
        // The defect: a test account left in the code, known to the platform.
        let qa = NewPatient {
            first_name: "QA",
            last_name: "Shared",
            email: "qa-shared@partner.test",
            address: "1 Test Street",
            mobile: "+3200000001",
            gender: "F",
        };
        platform.ensure_patient(&admin, &qa).await?;
        return platform
            .patient_jwt("QA Shared", qa.email, &user.role, &user.hash)
            .inspect(|jwt| super::ledger::record(&app.config.ledger, jwt));
    }
    platform
        .patient_jwt(&format!("{} {}", user.first_name, user.last_name), &user.email, &user.role, &user.hash)
        .inspect(|jwt| super::ledger::record(&app.config.ledger, jwt))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct Registration {
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
    pub(super) address: String,
    pub(super) mobile_number_with_country_code: String,
    pub(super) gender: String,
    pub(super) password: String,
    // Role, HospitalId, PatientId and anything else a client sends are
    // deliberately not fields: mass assignment has nothing to bind to.
}

/// A few of the most common passwords of breach corpora (NIST SP 800-63B
/// 5.1.1.2 asks for a blocklist; a real partner would use a large one).
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "iloveyou",
    "11111111",
    "abc12345",
    "letmein1",
    "welcome1",
];

fn invalid_fields(r: &Registration, blocklist: bool) -> Vec<&'static str> {
    let email_ok = r
        .email
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !r.email.contains(' '));
    let mobile_ok = r
        .mobile_number_with_country_code
        .strip_prefix('+')
        .is_some_and(|d| (7..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()) && !d.starts_with('0'));
    let pw_len = r.password.chars().count();
    [
        ("FirstName", !r.first_name.trim().is_empty()),
        ("LastName", !r.last_name.trim().is_empty()),
        ("Email", email_ok),
        ("Address", !r.address.trim().is_empty()),
        ("MobileNumberWithCountryCode", mobile_ok),
        ("Gender", matches!(r.gender.as_str(), "M" | "F")),
        // NIST SP 800-63B: at least 8, at least 64 allowed, no composition rules.
        (
            "Password",
            (8..=64).contains(&pw_len)
                && !(blocklist && COMMON_PASSWORDS.contains(&r.password.to_lowercase().as_str())),
        ),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(f, _)| f)
    .collect()
}

/// `POST /partner/sso/register` -> 202, the same for a new and a taken e-mail
/// (no enumeration); the app then signs in.
pub async fn register(State(app): State<Shared>, body: Option<Json<serde_json::Value>>) -> Response {
    let Some(Json(raw)) = body else { return generic(StatusCode::BAD_REQUEST, "invalid_request") };
    let Ok(r) = serde_json::from_value::<Registration>(raw.clone()) else {
        return generic(StatusCode::BAD_REQUEST, "invalid_request");
    };
    register_account(&app, r, raw.get("Role").and_then(|v| v.as_str()), |f| f).await
}

/// Registers an account whatever the dialect. `claimed_role` is what the
/// client sent, read only by the `sso-role-from-request` defect; `field_name`
/// turns the seed's field names into the dialect's in field errors.
pub(super) async fn register_account(
    app: &AppState,
    r: Registration,
    claimed_role: Option<&str>,
    field_name: fn(&'static str) -> &'static str,
) -> Response {
    let Some(partner) = app.config.partner.as_ref() else { return generic(StatusCode::NOT_FOUND, "not_found") };
    let role = match claimed_role {
        Some(claimed) if app.config.has(Fault::SsoRoleFromRequest) => claimed.to_string(),
        _ => "patient".to_string(),
    };
    let invalid = if app.config.has(Fault::SsoRegistrationUnvalidated) {
        Vec::new()
    } else {
        invalid_fields(&r, !app.config.has(Fault::SsoCommonPasswordAccepted))
    };
    if !invalid.is_empty() {
        if app.config.has(Fault::SsoFieldErrorsGeneric) {
            return generic(StatusCode::BAD_REQUEST, "invalid_registration");
        }
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_registration", "fields": invalid.into_iter().map(field_name).collect::<Vec<_>>() }))).into_response();
    }
    let accepted = || (StatusCode::ACCEPTED, Json(json!({ "status": "accepted" }))).into_response();
    let email = r.email.to_lowercase();
    super::ledger::record(&app.config.ledger, &r.password);
    if app.store().partner_users.contains_key(&email) {
        if app.config.has(Fault::SsoRegisterEnumerates) {
            return generic(StatusCode::CONFLICT, "email_taken");
        }
        return accepted();
    }
    let user = PartnerUser {
        email: email.clone(),
        first_name: r.first_name,
        last_name: r.last_name,
        address: r.address,
        mobile: r.mobile_number_with_country_code,
        gender: r.gender,
        hash: hash(r.password).await,
        previous_hash: None,
        disabled: false,
        role,
    };
    let platform = PlatformClient::new(&app.config, partner, app.http.clone());
    let created = async {
        let admin = platform.admin_token().await?;
        platform.ensure_patient(&admin, &user.as_new_patient()).await
    }
    .await;
    if let Err(e) = created {
        tracing::warn!("SSO registration: {e}");
        return platform_unavailable(app, &e);
    }
    app.store().partner_users.entry(email).or_insert(user);
    accepted()
}

impl PartnerUser {
    fn as_new_patient(&self) -> NewPatient<'_> {
        NewPatient {
            first_name: &self.first_name,
            last_name: &self.last_name,
            email: &self.email,
            address: &self.address,
            mobile: &self.mobile,
            gender: &self.gender,
        }
    }
}
