//! The optional deep link of the reference partner (docs/snapmd-sso.md):
//! after the same authentication as the SSO login, the partner answers
//! `snapmdconnectedcare://?jwt=<JWT>` and the app hands the JWT to the
//! platform itself. Each link carries a freshly built JWT (new jti), so an
//! intercepted link cannot be replayed.
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::faults::Fault;
use super::partner::{authenticate, patient_jwt, platform_unavailable, Login};
use super::platform_client::PlatformClient;
use super::server::Shared;

/// `POST /partner/sso/deeplink {Email, Password}` -> `{url}`, not to be cached.
pub async fn deep_link(State(app): State<Shared>, body: Option<Json<Login>>) -> Response {
    let Some(Json(body)) = body else { return super::partner::generic(StatusCode::BAD_REQUEST, "invalid_request") };
    let (partner, user) = match authenticate(&app, &body.email, body.password).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    if app.config.has(Fault::SsoDeepLinkOnce) && !app.store().deep_links_handed.insert(user.email.clone()) {
        return super::partner::generic(StatusCode::CONFLICT, "link_pending");
    }
    let cached = app
        .config
        .has(Fault::SsoDeepLinkReusedJwt)
        .then(|| app.store().deep_link_cache.get(&user.email).cloned())
        .flatten();
    let jwt = match cached {
        Some(jwt) => jwt,
        None => match patient_jwt(&app, &PlatformClient::new(&app.config, partner, app.http.clone()), &user).await {
            Ok(jwt) => jwt,
            Err(e) => {
                tracing::warn!("deep link: {e}");
                return platform_unavailable(&app, &e);
            }
        },
    };
    if app.config.has(Fault::SsoDeepLinkReusedJwt) {
        app.store().deep_link_cache.insert(user.email.clone(), jwt.clone());
    }
    let url = format!("snapmdconnectedcare://?jwt={jwt}");
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(json!({ "url": url }))).into_response()
}
