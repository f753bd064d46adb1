//! Password reset of the reference partner. Seed 004 leaves reset to the
//! partner; this one follows the OWASP Forgot Password cheat sheet: the same
//! answer for known and unknown e-mails, a mailed link with a single-use,
//! 256-bit, 30-minute token built on the configured address (never the
//! request's Host), and the current password untouched until the reset completes.
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;

use super::faults::Fault;
use super::hashing::hash;
use super::notify::CodeMail;
use super::partner::generic;
use super::server::{AppState, Shared};
use super::store::ResetLink;

/// How long a mailed link stays usable.
pub(super) const LINK_LIFETIME: Duration = Duration::from_secs(30 * 60);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResetRequest {
    #[serde(default)]
    email: String,
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, Json(json!({ "status": "accepted" }))).into_response()
}

/// `POST /partner/sso/password-reset {Email}` -> 202, known e-mail or not.
pub async fn request(State(app): State<Shared>, headers: HeaderMap, body: Option<Json<ResetRequest>>) -> Response {
    let Some(Json(body)) = body else { return generic(StatusCode::BAD_REQUEST, "invalid_request") };
    if app.config.partner.is_none() {
        return generic(StatusCode::NOT_FOUND, "not_found");
    }
    let email = body.email.trim().to_lowercase();
    let cfg = &app.config;
    let first_name = {
        let mut store = app.store();
        match store.partner_users.get_mut(&email) {
            Some(user) => {
                if cfg.has(Fault::SsoResetClearsPassword) {
                    user.hash.clear();
                }
                user.first_name.clone()
            }
            None if cfg.has(Fault::SsoResetEnumerates) => return generic(StatusCode::NOT_FOUND, "unknown_email"),
            None if cfg.has(Fault::SsoResetMailsUnknown) => "there".to_string(),
            None => return accepted(),
        }
    };
    let pending = app.store().reset_links.iter().find(|(_, l)| l.email == email && !l.used).map(|(t, _)| t.clone());
    if pending.is_some() && cfg.has(Fault::SsoResetMailsOnce) {
        return accepted();
    }
    let token = match pending {
        Some(t) if cfg.has(Fault::SsoResetTokenRepeated) => t,
        _ => new_token(cfg.has(Fault::SsoResetWeakToken)),
    };
    super::ledger::record(&cfg.ledger, &token);
    app.store()
        .reset_links
        .insert(token.clone(), ResetLink { email: email.clone(), created: Instant::now(), used: false });
    let link = format!("{}/partner/sso/password-reset?token={token}", link_base(&app, &headers));
    let mail = reset_mail(&first_name, &link);
    if app.config.test_hooks {
        app.store()
            .last_mail
            .insert(email.clone(), json!({ "from": app.config.mail_from, "subject": mail.subject, "html": mail.html }));
    }
    // Sent in the background: an SMTP round trip only for known e-mails
    // would tell them apart by timing.
    let sender = app.clone();
    tokio::spawn(async move {
        if let Err(e) = sender.notifier.mail(&email, &mail).await {
            tracing::warn!("password reset mail: {e}");
        }
    });
    accepted()
}

/// Where the link points: the configured address, or (defect) whatever
/// host the request claims to come through.
fn link_base(app: &AppState, headers: &HeaderMap) -> String {
    if app.config.has(Fault::SsoResetLinkFromHost) {
        let forwarded = headers.get("x-forwarded-host").or_else(|| headers.get("host")).and_then(|h| h.to_str().ok());
        if let Some(host) = forwarded {
            return format!("http://{host}");
        }
    }
    app.public_url.clone()
}

/// 32 bytes from the OS CSPRNG, base64url; the weak defect draws 6 digits.
fn new_token(weak: bool) -> String {
    let mut rng = rand::rngs::OsRng;
    if weak {
        return format!("{:06}", rng.next_u32() % 1_000_000);
    }
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn reset_mail(first_name: &str, link: &str) -> CodeMail {
    CodeMail {
        subject: "Reset your password".into(),
        text: format!(
            "Hello {first_name},\r\n\r\nSomeone asked to reset the password of your account. If it was you, open this link within 30 minutes:\r\n\r\n{link}\r\n\r\nIf it was not you, ignore this mail: your password stays as it is.\r\n"
        ),
        html: format!(
            "<p>Hello {first_name},</p><p>Someone asked to reset the password of your account. If it was you, open <a href=\"{link}\">this link</a> within 30 minutes.</p><p>If it was not you, ignore this mail: your password stays as it is.</p>"
        ),
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    token: String,
}

/// `GET /partner/sso/password-reset?token=` -> the form. Opening the link
/// (as mail scanners do) does not use it up; only the POST does.
pub async fn page(Query(q): Query<PageQuery>) -> Response {
    let token: String = q.token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    Html(format!(
        "<!doctype html><title>New password</title><form method=\"post\" action=\"/partner/sso/password-reset/complete\"><input type=\"hidden\" name=\"Token\" value=\"{token}\"><label>New password <input type=\"password\" name=\"Password\" minlength=\"8\" maxlength=\"64\"></label><button>Save</button></form>"
    ))
    .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Completion {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    /// The account, where the app names it: the link must have been mailed for it.
    #[serde(default)]
    email: Option<String>,
}

/// `POST /partner/sso/password-reset/complete {Token, Password[, Email]}`
/// -> 204; an unknown, used or expired link, or one mailed for another
/// account than the one named, is one generic 400. No token is returned:
/// the user signs in with the new password (ASVS 6.3.7).
pub async fn complete(State(app): State<Shared>, body: Option<Json<Completion>>) -> Response {
    let Some(Json(body)) = body else { return generic(StatusCode::BAD_REQUEST, "invalid_request") };
    if !(8..=64).contains(&body.password.chars().count()) {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_password", "fields": ["Password"] })))
            .into_response();
    }
    // The link is used up before the (slow) hashing, so two concurrent
    // completions cannot both pass.
    let email = {
        let mut store = app.store();
        let named = body.email.as_deref().map(|e| e.trim().to_lowercase());
        let any_account = app.config.has(Fault::SsoResetTokenAnyAccount);
        let usable = store.reset_links.get_mut(&body.token).and_then(|l| {
            let fresh = l.created.elapsed() <= LINK_LIFETIME || app.config.has(Fault::SsoResetLinkNeverExpires);
            let unused = !l.used || app.config.has(Fault::SsoResetLinkReusable);
            // A link for another account is refused and stays usable by its owner.
            let theirs = any_account || named.as_ref().is_none_or(|n| *n == l.email);
            (fresh && unused && theirs).then(|| {
                l.used = true;
                // The defect resets whichever account the request names.
                if any_account {
                    named.clone().unwrap_or_else(|| l.email.clone())
                } else {
                    l.email.clone()
                }
            })
        });
        let Some(email) = usable else {
            drop(store);
            return generic(StatusCode::BAD_REQUEST, "invalid_or_expired_link");
        };
        if !app.config.has(Fault::SsoResetLinkReusable) {
            // Every other link of the account dies with this one.
            store.reset_links.retain(|_, l| l.email != email || l.used);
        }
        email
    };
    super::ledger::record(&app.config.ledger, &body.password);
    let new_hash = hash(body.password).await;
    let mut store = app.store();
    let Some(user) = store.partner_users.get_mut(&email) else {
        return generic(StatusCode::BAD_REQUEST, "invalid_or_expired_link");
    };
    user.previous_hash = Some(std::mem::replace(&mut user.hash, new_hash));
    StatusCode::NO_CONTENT.into_response()
}
