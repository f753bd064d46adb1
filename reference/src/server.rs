//! Starting the reference: shared state, the router, the listener.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::routing::{get, post};
use axum::Router;

use super::config::ReferenceConfig;
use super::notify::Notifier;
use super::store::Store;
use super::{
    accounts, accounts_otp, accounts_records, auth, data, gateway, hooks, keys, partner, partner_alt, partner_deeplink,
    partner_reset, v3,
};

pub struct AppState {
    pub config: ReferenceConfig,
    pub store: Mutex<Store>,
    pub notifier: Notifier,
    /// Client for outgoing calls (the partner's platform calls).
    pub http: reqwest::Client,
    /// Where mailed links point (`config.public_url` or the bound address).
    pub public_url: String,
    /// The key the plain accounts service signs session JWTs with, made
    /// on first use (`session_jwt::keys`).
    pub session_keys: std::sync::OnceLock<Arc<super::session_jwt::SessionKeys>>,
}

impl AppState {
    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the lock must not take the whole reference down.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub type Shared = Arc<AppState>;

/// A running reference; dropping it stops the server.
pub struct ReferenceServer {
    addr: SocketAddr,
    scheme: &'static str,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ReferenceServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://` or, serving TLS, `https://`, with the bound address.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Serves until the task is aborted (standalone `authconform reference`).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

pub fn router(state: Shared) -> Router {
    let spec = "/msggw/{spec}";
    let mut app = Router::new()
        .route(&format!("{spec}/process/{{process}}/{{request_id}}"), post(gateway::start))
        .route(&format!("{spec}/process/validate/{{attempt}}"), get(gateway::validate))
        .route("/rest/v2/user/current", get(auth::current_user))
        .route("/rest/v2/user/token/{user_id}/{key}", post(auth::create_token))
        .route("/rest/v2/dataowner/{id}", get(data::get_owner))
        .route("/rest/v2/dataowner/{id}/publicKeys", post(keys::add_key))
        .route("/rest/v2/dataowner/{id}/transferKeys", post(keys::add_transfer_key))
        .route("/rest/v2/dataowner/{id}/shareWith/{delegate}", axum::routing::delete(keys::stop_sharing))
        .route("/rest/v2/maintenancetask", get(keys::pending_tasks))
        .route("/rest/v2/maintenancetask/{id}/complete", post(keys::complete_task))
        .route("/rest/v2/datasample", post(data::create_sample).get(data::list_samples))
        .route("/rest/v2/datasample/{id}", get(data::get_sample))
        .route("/rest/v2/datasample/{id}/keys", post(data::add_sample_key))
        .route("/api/v3/otp/{process}/{request_id}", post(v3::start))
        .route("/api/v3/otp/{request_id}/verify", post(v3::verify))
        .route("/api/v3/me", get(v3::me))
        .route("/api/v3/tokens", post(v3::tokens))
        .route("/partner/sso/login", post(partner::login))
        .route("/partner/sso/register", post(partner::register))
        .route("/partner/sso/password-reset", post(partner_reset::request).get(partner_reset::page))
        .route("/partner/sso/password-reset/complete", post(partner_reset::complete))
        .route("/partner/sso/deeplink", post(partner_deeplink::deep_link))
        .route("/partner/api/session", post(partner_alt::session))
        .route("/partner/api/accounts", post(partner_alt::accounts))
        .route("/api/accounts", post(accounts::register))
        .route("/api/auth/token", post(accounts::token))
        .route("/api/auth/logout", post(accounts::logout))
        .route("/api/auth/change-password", post(accounts::change))
        .route("/api/users/me", get(accounts::me))
        .route("/.well-known/jwks.json", get(super::session_jwt::jwks))
        .route("/api/auth/forgot-password", post(accounts::forgot))
        .route("/api/auth/reset-password", post(accounts::reset))
        .route("/api/otp/start", post(accounts_otp::start))
        .route("/api/otp/verify", post(accounts_otp::verify))
        .route("/api/records", post(accounts_records::create).get(accounts_records::list))
        .route("/api/records/{id}", get(accounts_records::get));
    if state.config.test_hooks {
        app = app
            .route("/_test/age", post(hooks::age))
            .route("/_test/partner/disable", post(hooks::disable_partner_account))
            .route(&format!("{spec}/lastEmail/{{email}}"), get(hooks::last_email));
    }
    app.with_state(state)
}

/// Binds and serves the reference in the current runtime.
pub async fn start(config: ReferenceConfig) -> std::io::Result<ReferenceServer> {
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    let mut store = Store::default();
    store.seed_master_hcp(&config.master_hcp_id);
    let trusted = super::tls::trusted(config.trust_ca.as_deref())
        .map_err(|e| std::io::Error::other(format!("the CA to trust: {e}")))?;
    let notifier = Notifier::new(&config, trusted.clone());
    let acceptor = match &config.tls {
        Some(identity) => Some(identity.acceptor().map_err(|e| std::io::Error::other(format!("TLS {e}")))?),
        None => None,
    };
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    let public_url =
        config.public_url.clone().unwrap_or_else(|| format!("{scheme}://{addr}")).trim_end_matches('/').to_string();
    let state = Arc::new(AppState {
        config,
        store: Mutex::new(store),
        notifier,
        http: super::tls::http_client(trusted),
        public_url,
        session_keys: std::sync::OnceLock::new(),
    });
    let app = router(state);
    let task = tokio::spawn(async move {
        let served = match acceptor {
            Some(acceptor) => axum::serve(authconform_tls::TlsListener::new(listener, acceptor), app).await,
            None => axum::serve(listener, app).await,
        };
        if let Err(e) = served {
            tracing::error!("reference server stopped: {e}");
        }
    });
    Ok(ReferenceServer { addr, scheme, task })
}
