//! A second partner API on the reference, shaped unlike the first, to show
//! that a partner certifies with a profile alone
//! (`scenarios/targets/examples/partner-alt.yaml`): other paths and field
//! names, a form-encoded login, the token nested in the reply.
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;

use super::partner::{generic, register_account, sign_in, Registration};
use super::server::Shared;

#[derive(Deserialize)]
pub struct SessionForm {
    username: String,
    secret: String,
}

/// `POST /partner/api/session` (form `username`, `secret`) -> `{result: {session: {token, expiresAt}}}`
pub async fn session(State(app): State<Shared>, Form(f): Form<SessionForm>) -> Response {
    match sign_in(&app, &f.username, f.secret).await {
        Ok(Some((token, expires))) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "result": { "session": { "token": token, "expiresAt": expires } } })),
        )
            .into_response(),
        Ok(None) => (StatusCode::OK, Json(json!({ "result": { "session": { "token": null } } }))).into_response(),
        Err(refusal) => refusal,
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Account {
    given_name: String,
    family_name: String,
    email_address: String,
    postal_address: String,
    phone: String,
    sex: String,
    password: String,
}

/// `POST /partner/api/accounts {givenName, familyName, emailAddress, postalAddress, phone, sex, password}`
pub async fn accounts(State(app): State<Shared>, body: Option<Json<serde_json::Value>>) -> Response {
    let Some(Json(raw)) = body else { return generic(StatusCode::BAD_REQUEST, "invalid_request") };
    let Ok(a) = serde_json::from_value::<Account>(raw.clone()) else {
        return generic(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let r = Registration {
        first_name: a.given_name,
        last_name: a.family_name,
        email: a.email_address,
        address: a.postal_address,
        mobile_number_with_country_code: a.phone,
        gender: a.sex,
        password: a.password,
    };
    register_account(&app, r, raw.get("role").and_then(|v| v.as_str()), field_name).await
}

/// This dialect's name for each of the seed's registration fields.
fn field_name(seed: &'static str) -> &'static str {
    match seed {
        "FirstName" => "givenName",
        "LastName" => "familyName",
        "Email" => "emailAddress",
        "Address" => "postalAddress",
        "MobileNumberWithCountryCode" => "phone",
        "Gender" => "sex",
        "Password" => "password",
        other => other,
    }
}
