//! The platform double: a SnapMD-like token and patient-admin API that a
//! partner backend calls (research/snapmd-sso.md). It requires the developer
//! id and API key on every call, records every call, checks every JWT it is
//! handed claim by claim (keeping the verdicts as evidence), and can be told
//! to misbehave for one user so the partner's failure handling can be tested.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

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

#[derive(Default)]
struct Books {
    calls: Vec<PlatformCall>,
    verdicts: Vec<(String, Verdict)>,
    patients: Vec<Value>,
    admin_tokens: Vec<String>,
    /// Patient tokens issued, with the e-mail they were issued for.
    issued: Vec<(String, String)>,
    misbehaviour: HashMap<String, Misbehaviour>,
}

struct Inner {
    config: PlatformConfig,
    registration: Registration,
    books: Mutex<Books>,
}

impl Inner {
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct PlatformDouble {
    inner: Arc<Inner>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PlatformDouble {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PlatformDouble {
    pub async fn start(config: PlatformConfig, listen: &str) -> std::io::Result<PlatformDouble> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let registration = Registration::new(config.issuer.clone(), config.public_pem.clone());
        let inner = Arc::new(Inner { config, registration, books: Mutex::new(Books::default()) });
        let app = Router::new()
            .route("/api/v2/account/token", post(admin_token).get(exchange_jwt))
            .route("/api/v3/auth/user-sessions/sso", post(sso_session))
            .route("/api/v2/admin/patients", get(find_patient).post(add_patient))
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(PlatformDouble { inner, addr, task })
    }

    /// The base URL a partner's backend is configured with.
    pub fn url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    pub fn misbehave_for(&self, email: &str, how: Misbehaviour) {
        self.inner.books().misbehaviour.insert(email.to_lowercase(), how);
    }

    /// Every call that concerned `email`, plus the admin-token calls (which name no user).
    pub fn calls(&self) -> Vec<PlatformCall> {
        self.inner.books().calls.clone()
    }

    pub fn calls_for(&self, email: &str) -> Vec<PlatformCall> {
        self.inner.books().calls.iter().filter(|c| c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email))).cloned().collect()
    }

    /// The verdicts on every JWT that named `email`.
    pub fn verdicts_for(&self, email: &str) -> Vec<Verdict> {
        self.inner.books().verdicts.iter().filter(|(e, _)| e.eq_ignore_ascii_case(email)).map(|(_, v)| v.clone()).collect()
    }

    /// The patient tokens the platform issued for `email`.
    pub fn tokens_issued_for(&self, email: &str) -> Vec<String> {
        self.inner.books().issued.iter().filter(|(e, _)| e.eq_ignore_ascii_case(email)).map(|(_, t)| t.clone()).collect()
    }

    /// Puts a patient on the platform before the scenario, as if created elsewhere.
    pub fn seed_patient(&self, first_name: &str, email: &str) {
        let mut books = self.inner.books();
        let id = books.patients.len() as i64 + 1000;
        books.patients.push(json!({"patientId": id, "firstName": first_name, "email": email}));
    }

    /// How many patients the platform holds with this e-mail.
    pub fn patients_with(&self, email: &str) -> usize {
        self.inner.books().patients.iter().filter(|p| p["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))).count()
    }
}

fn envelope(data: Value) -> Value {
    let total = data.as_array().map_or(1, Vec::len);
    json!({ "data": data, "message": "Success", "total": total })
}

/// Records a call and, when the partner left out its keys, refuses it.
fn admit(inner: &Inner, headers: &HeaderMap, method: &Method, uri: &Uri, email: Option<String>, body: &Value) -> (bool, PlatformCall) {
    let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
    let call = PlatformCall {
        method: method.to_string(),
        path: uri.path().to_string(),
        developer_id_ok: header("x-developer-id") == inner.config.developer_id,
        api_key_ok: header("x-api-key") == inner.config.api_key,
        user_type_id: body.get("userTypeId").and_then(Value::as_i64),
        hospital_id: body.get("hospitalId").and_then(Value::as_i64),
        email,
        status: 0,
    };
    (call.developer_id_ok && call.api_key_ok, call)
}

fn finish(inner: &Inner, mut call: PlatformCall, status: StatusCode, body: Value) -> Response {
    call.status = status.as_u16();
    inner.books().calls.push(call);
    (status, Json(body)).into_response()
}

/// A misbehaviour answer, with the kind of internal text a real platform leaks.
async fn misbehave(inner: &Inner, email: Option<&str>) -> Option<(StatusCode, Value)> {
    let how = email.and_then(|e| inner.books().misbehaviour.get(&e.to_lowercase()).copied())?;
    match how {
        Misbehaviour::Unauthorized => Some((StatusCode::UNAUTHORIZED, json!({"message": "Authorization has been denied for this request. (SnapMD.Core.TokenService)"}))),
        Misbehaviour::ServerError => Some((StatusCode::INTERNAL_SERVER_ERROR, json!({"message": "System.NullReferenceException at SnapMD.Web.Api.AccountController"}))),
        Misbehaviour::EmptyData => Some((StatusCode::OK, envelope(json!([])))),
        Misbehaviour::Slow(d) => {
            tokio::time::sleep(d).await;
            None
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ").map(str::to_string)
}

fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `POST v2/account/token {email, password, hospitalId, userTypeId}`
async fn admin_token(State(inner): State<Arc<Inner>>, headers: HeaderMap, method: Method, uri: Uri, Json(body): Json<Value>) -> Response {
    let (ok, call) = admit(&inner, &headers, &method, &uri, None, &body);
    if !ok {
        return finish(&inner, call, StatusCode::UNAUTHORIZED, json!({"message": "Missing or invalid X-Developer-Id / X-Api-Key"}));
    }
    let c = &inner.config;
    let right = body["email"] == c.admin_email.as_str() && body["password"] == c.admin_password.as_str() && call.hospital_id == Some(c.hospital_id) && call.user_type_id == Some(2);
    if !right {
        return finish(&inner, call, StatusCode::NOT_FOUND, json!({"message": "Invalid user name or password"}));
    }
    let token = new_token();
    inner.books().admin_tokens.push(token.clone());
    finish(&inner, call, StatusCode::OK, envelope(json!([{ "access_token": token }])))
}

#[derive(Deserialize)]
struct JwtQuery {
    jwt: String,
}

/// Checks a partner JWT; the user it names must be a known patient.
fn check_jwt(inner: &Inner, jwt: &str) -> (Option<String>, Result<(), Value>) {
    let email = jwt.split('.').nth(1).and_then(|p| {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok()?;
        serde_json::from_slice::<Value>(&raw).ok()?.get("email")?.as_str().map(str::to_string)
    });
    let verdict = inner.registration.verify(jwt, email.as_deref());
    let passed = verdict.passed();
    let failed: Vec<String> = verdict.failed().iter().map(|c| format!("{}: {}", c.name, c.detail)).collect();
    inner.books().verdicts.push((email.clone().unwrap_or_default(), verdict));
    let known = email.as_deref().is_some_and(|e| inner.books().patients.iter().any(|p| p["email"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(e))));
    let result = match (passed, known) {
        (true, true) => Ok(()),
        (true, false) => Err(json!({"message": "Invalid user"})),
        (false, _) => Err(json!({"message": "JWT rejected", "checks": failed})),
    };
    (email, result)
}

/// `GET v2/account/token?jwt=`
async fn exchange_jwt(State(inner): State<Arc<Inner>>, headers: HeaderMap, method: Method, uri: Uri, Query(q): Query<JwtQuery>) -> Response {
    let (email, checked) = check_jwt(&inner, &q.jwt);
    let (ok, call) = admit(&inner, &headers, &method, &uri, email.clone(), &Value::Null);
    if !ok {
        return finish(&inner, call, StatusCode::UNAUTHORIZED, json!({"message": "Missing or invalid X-Developer-Id / X-Api-Key"}));
    }
    if let Some((status, body)) = misbehave(&inner, email.as_deref()).await {
        return finish(&inner, call, status, body);
    }
    match checked {
        Ok(()) => {
            let token = new_token();
            inner.books().issued.push((email.clone().unwrap_or_default(), token.clone()));
            finish(&inner, call, StatusCode::OK, envelope(json!([{ "access_token": token }])))
        }
        Err(body) => finish(&inner, call, StatusCode::UNAUTHORIZED, body),
    }
}

/// `POST v3/auth/user-sessions/sso {hospitalId, jwt}`
async fn sso_session(State(inner): State<Arc<Inner>>, headers: HeaderMap, method: Method, uri: Uri, Json(body): Json<Value>) -> Response {
    let jwt = body["jwt"].as_str().unwrap_or_default().to_string();
    let (email, checked) = check_jwt(&inner, &jwt);
    let (ok, call) = admit(&inner, &headers, &method, &uri, email.clone(), &body);
    if !ok {
        return finish(&inner, call, StatusCode::UNAUTHORIZED, json!({"message": "Missing or invalid X-Developer-Id / X-Api-Key"}));
    }
    if let Some((status, body)) = misbehave(&inner, email.as_deref()).await {
        return finish(&inner, call, status, body);
    }
    if call.hospital_id != Some(inner.config.hospital_id) {
        return finish(&inner, call, StatusCode::BAD_REQUEST, json!({"message": "Invalid hospital"}));
    }
    match checked {
        Ok(()) => {
            let expires = (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
            finish(&inner, call, StatusCode::OK, json!({"apiSessionId": uuid::Uuid::new_v4().to_string(), "accessToken": new_token(), "expires": expires}))
        }
        Err(body) => finish(&inner, call, StatusCode::UNAUTHORIZED, body),
    }
}

fn is_admin(inner: &Inner, headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|t| inner.books().admin_tokens.contains(&t))
}

#[derive(Deserialize)]
struct EmailQuery {
    email: String,
}

/// `GET v2/admin/patients?email=`
async fn find_patient(State(inner): State<Arc<Inner>>, headers: HeaderMap, method: Method, uri: Uri, Query(q): Query<EmailQuery>) -> Response {
    let (ok, call) = admit(&inner, &headers, &method, &uri, Some(q.email.clone()), &Value::Null);
    if !ok || !is_admin(&inner, &headers) {
        return finish(&inner, call, StatusCode::UNAUTHORIZED, json!({"message": "Caller is not hospital staff"}));
    }
    if let Some((status, body)) = misbehave(&inner, Some(&q.email)).await {
        return finish(&inner, call, status, body);
    }
    let found = inner.books().patients.iter().find(|p| p["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(&q.email))).cloned();
    match found {
        Some(p) => finish(&inner, call, StatusCode::OK, json!({"data": p, "message": "Success", "success": true})),
        None => finish(&inner, call, StatusCode::NOT_FOUND, json!({"message": "Patient not found", "success": false})),
    }
}

/// `POST v2/admin/patients` (PatientOnBoardShortDetail)
async fn add_patient(State(inner): State<Arc<Inner>>, headers: HeaderMap, method: Method, uri: Uri, Json(body): Json<Value>) -> Response {
    let email = body["email"].as_str().map(str::to_string);
    let (ok, call) = admit(&inner, &headers, &method, &uri, email.clone(), &body);
    if !ok || !is_admin(&inner, &headers) {
        return finish(&inner, call, StatusCode::UNAUTHORIZED, json!({"message": "Caller is not hospital staff"}));
    }
    if let Some((status, body)) = misbehave(&inner, email.as_deref()).await {
        return finish(&inner, call, status, body);
    }
    let text = |k: &str| body[k].as_str().unwrap_or("").trim().to_string();
    let mut missing: Vec<&str> = ["firstName", "email", "mobileNumberWithCountryCode"].into_iter().filter(|k| text(k).is_empty()).collect();
    if text("address").is_empty() && body["addressObject"].is_null() {
        missing.push("address");
    }
    if !matches!(text("gender").as_str(), "M" | "F") {
        missing.push("gender");
    }
    if !missing.is_empty() {
        return finish(&inner, call, StatusCode::BAD_REQUEST, json!({"message": "Invalid patient", "fields": missing}));
    }
    let id = {
        let mut books = inner.books();
        let id = books.patients.len() as i64 + 1000;
        let mut patient = body.clone();
        patient["patientId"] = json!(id);
        books.patients.push(patient);
        id
    };
    finish(&inner, call, StatusCode::OK, envelope(json!([{ "patientId": id }])))
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
        let p = PlatformDouble::start(config, "127.0.0.1:0").await.unwrap();
        (p, private.to_pkcs8_pem(LineEnding::LF).unwrap().to_string())
    }

    fn client() -> reqwest::Client {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-developer-id", "dev".parse().unwrap());
        h.insert("x-api-key", "key".parse().unwrap());
        reqwest::Client::builder().default_headers(h).build().unwrap()
    }

    #[tokio::test]
    async fn the_partner_flow_end_to_end_and_its_evidence() {
        let (p, private) = platform().await;
        let c = client();
        let admin: Value = c.post(format!("{}v2/account/token", p.url())).json(&json!({"email": "admin@partner.test", "password": "admin-pw", "hospitalId": 126, "userTypeId": 2})).send().await.unwrap().json().await.unwrap();
        let admin = admin["data"][0]["access_token"].as_str().unwrap().to_string();
        let find = c.get(format!("{}v2/admin/patients?email=d@x.test", p.url())).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(find.status(), 404);
        let bad = c.post(format!("{}v2/admin/patients", p.url())).bearer_auth(&admin).json(&json!({"email": "d@x.test", "gender": "X"})).send().await.unwrap();
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
    }

    #[tokio::test]
    async fn keys_are_required_and_misbehaviour_is_per_user() {
        let (p, private) = platform().await;
        let plain = reqwest::Client::new();
        let r = plain.post(format!("{}v2/account/token", p.url())).json(&json!({})).send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(!p.calls()[0].api_key_ok);

        p.misbehave_for("e@x.test", Misbehaviour::EmptyData);
        let jwt = sign_rs256(&PatientClaims::new("partner.test", "E", "e@x.test", 300), &private).unwrap();
        let r: Value = client().get(format!("{}v2/account/token?jwt={jwt}", p.url())).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["data"], json!([]));
        p.misbehave_for("e@x.test", Misbehaviour::ServerError);
        let jwt = sign_rs256(&PatientClaims::new("partner.test", "E", "e@x.test", 300), &private).unwrap();
        let r = client().get(format!("{}v2/account/token?jwt={jwt}", p.url())).send().await.unwrap();
        assert_eq!(r.status(), 500);
    }
}
