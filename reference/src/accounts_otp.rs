//! The plain accounts service's sign-in by mailed code, as e-mail
//! one-time-code services commonly have it: a start that answers a flow id
//! (whatever the address, known or not), a 6-digit code by mail, and a
//! code exchange that answers the session token itself (no token call
//! after it). The account is created on the first successful exchange.
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::accounts::{error, token_reply};
use super::accounts_store::{plausible_email, random_code, Account, CodeFlow, CODE_LIFETIME, MAX_CODE_TRIES};
use super::faults::Fault;
use super::notify::Notifier;
use super::server::Shared;
use super::throttle::{admit_guess, admit_start};

#[derive(Deserialize)]
pub struct Start {
    #[serde(default)]
    email: String,
}

/// `POST /api/otp/start {email}` -> 200 `{flow_id}`; the code is mailed.
pub async fn start(State(app): State<Shared>, body: Option<Json<Start>>) -> Response {
    let Some(Json(body)) = body else { return error(StatusCode::BAD_REQUEST, "invalid_request") };
    let email = body.email.trim().to_lowercase();
    if !plausible_email(&email) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_email");
    }
    let mut store = app.store();
    let send = match admit_start(&app.config, &mut store.throttles, &email, Instant::now()) {
        Ok(send) => send,
        Err(e) => return e.into_response(),
    };
    let code = random_code();
    super::ledger::record(&app.config.ledger, &code);
    let flow_id = uuid::Uuid::new_v4().to_string();
    let flow =
        CodeFlow { email: email.clone(), code: code.clone(), created: Instant::now(), wrong_tries: 0, used: false };
    // The newest code is the one: older flows of the address end here.
    if !app.config.has(Fault::OlderCodeValid) {
        store.accounts.flows.retain(|_, f| f.email != email || f.used);
    }
    store.accounts.flows.insert(flow_id.clone(), flow);
    drop(store);
    let mail = Notifier::code_mail(&code, "there");
    let sender = app.clone();
    // Turned away quietly (`quiet_throttle`): answered, never sent.
    if send {
        tokio::spawn(async move {
            if let Err(e) = sender.notifier.mail(&email, &mail).await {
                tracing::warn!("sign-in code mail: {e}");
            }
        });
    }
    Json(json!({ "flow_id": flow_id })).into_response()
}

#[derive(Deserialize)]
pub struct Verify {
    #[serde(default)]
    flow_id: String,
    #[serde(default)]
    code: String,
}

/// `POST /api/otp/verify {flow_id, code}` -> `{access_token, token_type,
/// expires_in}`; a code works once, for 10 minutes, and five wrong codes
/// end the flow.
pub async fn verify(State(app): State<Shared>, body: Option<Json<Verify>>) -> Response {
    let Some(Json(body)) = body else { return error(StatusCode::BAD_REQUEST, "invalid_request") };
    let keys = super::session_jwt::keys(&app).await;
    let mut store = app.store();
    let now = Instant::now();
    let Some(email) = store.accounts.flows.get(&body.flow_id).map(|f| f.email.clone()) else {
        return error(StatusCode::BAD_REQUEST, "invalid_code");
    };
    if let Err(e) = admit_guess(&app.config, &mut store.throttles, &email, now) {
        return e.into_response();
    }
    // The defect: a code mailed for any live flow opens this one.
    let elsewhere =
        app.config.has(Fault::CodeAnyProcess) && store.accounts.flows.values().any(|f| !f.used && f.code == body.code);
    let Some(flow) = store.accounts.flows.get_mut(&body.flow_id) else {
        return error(StatusCode::BAD_REQUEST, "invalid_code");
    };
    let live = !flow.used && flow.wrong_tries < MAX_CODE_TRIES && now.duration_since(flow.created) <= CODE_LIFETIME;
    if !live {
        return error(StatusCode::BAD_REQUEST, "invalid_code");
    }
    if flow.code != body.code && !elsewhere && !app.config.has(Fault::OtpUnchecked) {
        flow.wrong_tries += 1;
        store.throttles.wrong_code(&email, now);
        return error(StatusCode::BAD_REQUEST, "invalid_code");
    }
    flow.used = !app.config.has(Fault::OtpReusable);
    let email = flow.email.clone();
    let accounts = &mut store.accounts;
    accounts.accounts.entry(email.clone()).or_insert_with(|| Account {
        id: uuid::Uuid::new_v4().to_string(),
        email: email.clone(),
        hash: String::new(),
    });
    let token = accounts.open_session(&email, &keys);
    super::ledger::record(&app.config.ledger, &token);
    token_reply(&token)
}
