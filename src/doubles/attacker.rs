//! The attacker's web site: where a forged JWT's `jku` and `x5u` point. It
//! serves the attacker's JWKS and certificate over HTTP on loopback, and
//! logs every request, so a scenario can tell a target that merely refused
//! the token from one that fetched the URL first (a server-side request
//! forgery, RFC 8725 §3.10). Started per scenario, only when one needs it.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, Method, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// One request the site received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub method: String,
    pub path: String,
}

pub struct AttackerSite {
    addr: SocketAddr,
    fetches: Arc<Mutex<Vec<Fetch>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for AttackerSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Site {
    jwks: String,
    cert_pem: String,
    fetches: Arc<Mutex<Vec<Fetch>>>,
}

/// The path of the attacker's JWKS.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// The path of the attacker's certificate.
pub const CERT_PATH: &str = "/attacker.pem";

impl AttackerSite {
    /// Binds an ephemeral loopback port and serves `jwks` and `cert_pem`.
    pub async fn start(jwks: String, cert_pem: String) -> std::io::Result<AttackerSite> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let fetches = Arc::new(Mutex::new(Vec::new()));
        let site = Site { jwks, cert_pem, fetches: fetches.clone() };
        let app = Router::new()
            .route(JWKS_PATH, get(jwks_doc))
            .route(CERT_PATH, get(cert))
            .fallback(other)
            .layer(axum::middleware::from_fn_with_state(site.clone(), log))
            .with_state(site);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(AttackerSite { addr, fetches, task })
    }

    /// A URL on the site.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received so far.
    pub fn fetches(&self) -> Vec<Fetch> {
        self.fetches.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

async fn log(
    State(site): State<Site>,
    method: Method,
    uri: Uri,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let fetch = Fetch { method: method.to_string(), path: uri.path().to_string() };
    site.fetches.lock().unwrap_or_else(|e| e.into_inner()).push(fetch);
    next.run(request).await
}

async fn jwks_doc(State(site): State<Site>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/jwk-set+json")], site.jwks)
}

async fn cert(State(site): State<Site>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/pem-certificate-chain")], site.cert_pem)
}

async fn other() -> axum::http::StatusCode {
    axum::http::StatusCode::NOT_FOUND
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn serves_the_keys_and_logs_every_fetch() {
        let site = AttackerSite::start("{\"keys\":[]}".into(), "PEM".into()).await.unwrap();
        assert!(site.fetches().is_empty());
        let client = crate::operation::client_builder(&crate::profile::TlsConfig::default()).unwrap().build().unwrap();
        let body = client.get(site.url(JWKS_PATH)).send().await.unwrap().text().await.unwrap();
        assert_eq!(body, "{\"keys\":[]}");
        assert_eq!(client.get(site.url("/nope")).send().await.unwrap().status(), 404);
        let paths: Vec<String> = site.fetches().into_iter().map(|f| f.path).collect();
        assert_eq!(paths, vec![JWKS_PATH.to_string(), "/nope".to_string()]);
    }
}
