//! The platform double: a SnapMD-like token and patient-admin API that a
//! partner backend calls (docs/snapmd-sso.md). It requires the developer
//! id and API key on every call, records every call, checks every JWT it is
//! handed claim by claim (keeping the verdicts as evidence), and can be told
//! to misbehave for one user so the partner's failure handling can be tested.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::platform_api::{add_patient, admin_token, exchange_jwt, find_patient, sso_session};
use super::served_tls::{serve_http, DoublesTls};
use crate::crypto::{Registration, Verdict};

/// What the platform knows of the partner under test.
#[derive(Debug, Clone)]
pub struct PlatformConfig {
    pub developer_id: String,
    pub api_key: String,
    pub admin_email: String,
    pub admin_password: String,
    pub hospital_id: i64,
    pub issuer: String,
    /// The partner's registered public key (PEM).
    pub public_pem: String,
}

/// How the platform answers one user's calls, to test a partner's failure handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    Unauthorized,
    ServerError,
    EmptyData,
    Slow(Duration),
}

/// One call the partner made, as evidence.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PlatformCall {
    pub method: String,
    pub path: String,
    pub developer_id_ok: bool,
    pub api_key_ok: bool,
    /// `userTypeId` of a token request, if any.
    pub user_type_id: Option<i64>,
    pub hospital_id: Option<i64>,
    /// The user the call concerns, when the platform can tell.
    pub email: Option<String>,
    pub status: u16,
}

/// One JWT the platform was handed: the e-mail its claims name, the verdict
/// on it, and the patient token it was exchanged for, if any. The token is
/// what ties a JWT to the login that obtained it: the app got that token.
#[derive(Debug, Clone)]
pub struct JwtSeen {
    pub email: String,
    pub verdict: Verdict,
    pub token: Option<String>,
}

#[derive(Default)]
pub(super) struct Books {
    pub(super) calls: Vec<PlatformCall>,
    pub(super) jwts: Vec<JwtSeen>,
    pub(super) patients: Vec<Value>,
    pub(super) admin_tokens: Vec<String>,
    pub(super) misbehaviour: HashMap<String, Misbehaviour>,
}

pub(super) struct Inner {
    pub(super) config: PlatformConfig,
    pub(super) registration: Registration,
    pub(super) books: Mutex<Books>,
}

impl Inner {
    pub(super) fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct PlatformDouble {
    inner: Arc<Inner>,
    addr: SocketAddr,
    scheme: &'static str,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PlatformDouble {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PlatformDouble {
    /// Binds `listen` and serves, over HTTPS when `tls` is given.
    pub async fn start(
        config: PlatformConfig,
        listen: &str,
        tls: Option<&DoublesTls>,
    ) -> std::io::Result<PlatformDouble> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let registration = Registration::new(config.issuer.clone(), config.public_pem.clone());
        let inner = Arc::new(Inner { config, registration, books: Mutex::new(Books::default()) });
        let app = Router::new()
            .route("/api/v2/account/token", post(admin_token).get(exchange_jwt))
            .route("/api/v3/auth/user-sessions/sso", post(sso_session))
            .route("/api/v2/admin/patients", get(find_patient).post(add_patient))
            .with_state(inner.clone());
        let (task, scheme) = serve_http(listener, app, tls, "platform double")?;
        Ok(PlatformDouble { inner, addr, scheme, task })
    }

    /// The base URL a partner's backend is configured with.
    pub fn url(&self) -> String {
        format!("{}://{}/api/", self.scheme, self.addr)
    }

    pub fn misbehave_for(&self, email: &str, how: Misbehaviour) {
        self.inner.books().misbehaviour.insert(email.to_lowercase(), how);
    }

    /// Every call that concerned one of `emails`, plus the admin-token
    /// calls, which name no user (a partner may fetch its admin token for
    /// any user's request).
    pub fn calls(&self, emails: &[&str]) -> Vec<PlatformCall> {
        let concerns = |c: &PlatformCall| {
            c.email.as_deref().map_or(c.path.ends_with("v2/account/token") && c.method == "POST", |e| {
                emails.iter().any(|x| x.eq_ignore_ascii_case(e))
            })
        };
        self.inner.books().calls.iter().filter(|c| concerns(c)).cloned().collect()
    }

    /// Every call that concerned `email`.
    pub fn calls_for(&self, email: &str) -> Vec<PlatformCall> {
        self.inner
            .books()
            .calls
            .iter()
            .filter(|c| c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)))
            .cloned()
            .collect()
    }

    /// The verdicts on every JWT that named `email`.
    pub fn verdicts_for(&self, email: &str) -> Vec<Verdict> {
        self.inner
            .books()
            .jwts
            .iter()
            .filter(|j| j.email.eq_ignore_ascii_case(email))
            .map(|j| j.verdict.clone())
            .collect()
    }

    /// The JWT that was exchanged for `token`, whoever it named.
    pub fn jwt_behind(&self, token: &str) -> Option<JwtSeen> {
        self.inner.books().jwts.iter().find(|j| j.token.as_deref() == Some(token)).cloned()
    }

    /// The patient tokens the platform issued for `email`.
    pub fn tokens_issued_for(&self, email: &str) -> Vec<String> {
        self.inner
            .books()
            .jwts
            .iter()
            .filter(|j| j.email.eq_ignore_ascii_case(email))
            .filter_map(|j| j.token.clone())
            .collect()
    }

    /// Puts a patient on the platform before the scenario, as if created elsewhere.
    pub fn seed_patient(&self, first_name: &str, email: &str) {
        let mut books = self.inner.books();
        let id = books.patients.len() as i64 + 1000;
        books.patients.push(json!({"patientId": id, "firstName": first_name, "email": email}));
    }

    /// How many patients the platform holds with this e-mail.
    pub fn patients_with(&self, email: &str) -> usize {
        self.inner
            .books()
            .patients
            .iter()
            .filter(|p| p["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email)))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{sign_rs256, PatientClaims};
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

    async fn platform() -> (PlatformDouble, String) {
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let public_pem = rsa::RsaPublicKey::from(&private).to_public_key_pem(LineEnding::LF).unwrap();
        let config = PlatformConfig {
            developer_id: "dev".into(),
            api_key: "key".into(),
            admin_email: "admin@partner.test".into(),
            admin_password: "admin-pw".into(),
            hospital_id: 126,
            issuer: "partner.test".into(),
            public_pem,
        };
        let p = PlatformDouble::start(config, "127.0.0.1:0", None).await.unwrap();
        (p, private.to_pkcs8_pem(LineEnding::LF).unwrap().to_string())
    }

    fn plain_client() -> reqwest::ClientBuilder {
        crate::operation::client_builder(&crate::profile::TlsConfig::default()).unwrap()
    }

    fn client() -> reqwest::Client {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-developer-id", "dev".parse().unwrap());
        h.insert("x-api-key", "key".parse().unwrap());
        plain_client().default_headers(h).build().unwrap()
    }

    #[tokio::test]
    async fn the_partner_flow_end_to_end_and_its_evidence() {
        let (p, private) = platform().await;
        let c = client();
        let admin: Value = c
            .post(format!("{}v2/account/token", p.url()))
            .json(&json!({"email": "admin@partner.test", "password": "admin-pw", "hospitalId": 126, "userTypeId": 2}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let admin = admin["data"][0]["access_token"].as_str().unwrap().to_string();
        let find =
            c.get(format!("{}v2/admin/patients?email=d@x.test", p.url())).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(find.status(), 404);
        let bad = c
            .post(format!("{}v2/admin/patients", p.url()))
            .bearer_auth(&admin)
            .json(&json!({"email": "d@x.test", "gender": "X"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        let add = c.post(format!("{}v2/admin/patients", p.url())).bearer_auth(&admin)
            .json(&json!({"firstName": "Dany", "lastName": "T", "email": "d@x.test", "address": "Dragonstone", "mobileNumberWithCountryCode": "+3247000000", "gender": "F"}))
            .send().await.unwrap();
        assert_eq!(add.status(), 200);
        assert_eq!(p.patients_with("D@x.test"), 1);

        let jwt = sign_rs256(&PatientClaims::new("partner.test", "Dany", "d@x.test", 300), &private).unwrap();
        let first = c.get(format!("{}v2/account/token?jwt={jwt}", p.url())).send().await.unwrap();
        assert_eq!(first.status(), 200);
        let replay = c.get(format!("{}v2/account/token?jwt={jwt}", p.url())).send().await.unwrap();
        assert_eq!(replay.status(), 401, "a jti is single use");
        let verdicts = p.verdicts_for("d@x.test");
        assert_eq!(verdicts.len(), 2);
        assert!(verdicts[0].passed() && !verdicts[1].passed());
        assert!(p.calls_for("d@x.test").iter().all(|c| c.developer_id_ok && c.api_key_ok));
        let token = first.json::<Value>().await.unwrap()["data"][0]["access_token"].as_str().unwrap().to_string();
        let behind = p.jwt_behind(&token).unwrap();
        assert_eq!((behind.email.as_str(), behind.verdict.passed()), ("d@x.test", true));
        // Per user: the admin-token call and Dany's, not another user's.
        assert!(p.calls(&["d@x.test"]).iter().all(|c| c.email.as_deref().is_none_or(|e| e == "d@x.test")));
        assert!(p.calls(&["nobody@x.test"]).iter().all(|c| c.email.is_none()));
    }

    #[tokio::test]
    async fn keys_are_required_and_misbehaviour_is_per_user() {
        let (p, private) = platform().await;
        let plain = plain_client().build().unwrap();
        let r = plain.post(format!("{}v2/account/token", p.url())).json(&json!({})).send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(!p.calls(&[])[0].api_key_ok);

        p.misbehave_for("e@x.test", Misbehaviour::EmptyData);
        let jwt = sign_rs256(&PatientClaims::new("partner.test", "E", "e@x.test", 300), &private).unwrap();
        let r: Value =
            client().get(format!("{}v2/account/token?jwt={jwt}", p.url())).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["data"], json!([]));
        p.misbehave_for("e@x.test", Misbehaviour::ServerError);
        let jwt = sign_rs256(&PatientClaims::new("partner.test", "E", "e@x.test", 300), &private).unwrap();
        let r = client().get(format!("{}v2/account/token?jwt={jwt}", p.url())).send().await.unwrap();
        assert_eq!(r.status(), 500);
    }
}
