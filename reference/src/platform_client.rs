//! The partner backend's side of the platform (docs/snapmd-sso.md): an
//! admin token, finding or creating the patient, building the RS256 JWT and
//! exchanging it for the patient's platform token.
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::config::{PartnerConfig, ReferenceConfig};
use super::faults::Fault;

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("platform call {what} failed: {message}")]
    Call { what: &'static str, message: String },
    /// `said` is the platform's own message, which must never reach the app.
    #[error("platform refused {what} with status {status}")]
    Status { what: &'static str, status: u16, said: String },
    #[error("platform gave no token for {what}")]
    NoToken { what: &'static str },
}

pub struct PlatformClient<'a> {
    partner: &'a PartnerConfig,
    config: &'a ReferenceConfig,
    http: reqwest::Client,
}

/// A new patient as the platform's PatientOnBoardShortDetail wants it.
pub struct NewPatient<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub address: &'a str,
    pub mobile: &'a str,
    pub gender: &'a str,
}

impl<'a> PlatformClient<'a> {
    pub fn new(config: &'a ReferenceConfig, partner: &'a PartnerConfig, http: reqwest::Client) -> Self {
        PlatformClient { partner, config, http }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self
            .http
            .request(method, format!("{}{path}", self.partner.platform_url))
            .header("X-Developer-Id", &self.partner.developer_id);
        let req =
            if self.config.has(Fault::PlatformNoApiKey) { req } else { req.header("X-Api-Key", &self.partner.api_key) };
        req.timeout(std::time::Duration::from_secs(5))
    }

    /// A request without the partner's keys (the `platform-keys-on-retry` defect).
    fn keyless(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.partner.platform_url))
            .timeout(std::time::Duration::from_secs(5))
    }

    async fn send(&self, what: &'static str, req: reqwest::RequestBuilder) -> Result<(u16, Value), PlatformError> {
        let reply = req.send().await.map_err(|e| PlatformError::Call { what, message: e.to_string() })?;
        let status = reply.status().as_u16();
        let body = reply.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    fn refused(what: &'static str, status: u16, body: &Value) -> PlatformError {
        PlatformError::Status { what, status, said: body["message"].as_str().unwrap_or_default().to_string() }
    }

    fn first_token(what: &'static str, status: u16, body: &Value) -> Result<String, PlatformError> {
        if status != 200 {
            return Err(Self::refused(what, status, body));
        }
        body["data"][0]["access_token"].as_str().map(str::to_string).ok_or(PlatformError::NoToken { what })
    }

    /// `POST v2/account/token` as the partner's admin (userTypeId 2).
    pub async fn admin_token(&self) -> Result<String, PlatformError> {
        let p = self.partner;
        let body = |user_type: i64| json!({"email": p.admin_email, "password": p.admin_password, "hospitalId": p.hospital_id, "userTypeId": user_type});
        if self.config.has(Fault::AdminTokenPatientFirst) {
            let (status, reply) = self
                .send("admin token", self.request(reqwest::Method::POST, "v2/account/token").json(&body(1)))
                .await?;
            if let Ok(token) = Self::first_token("admin token", status, &reply) {
                return Ok(token);
            }
        }
        let (status, reply) =
            self.send("admin token", self.request(reqwest::Method::POST, "v2/account/token").json(&body(2))).await?;
        Self::first_token("admin token", status, &reply)
    }

    /// Finds the patient by e-mail, creating it when absent (never twice).
    pub async fn ensure_patient(&self, admin: &str, patient: &NewPatient<'_>) -> Result<(), PlatformError> {
        if self.config.has(Fault::PlatformKeysOnRetry) {
            let req = self
                .keyless(reqwest::Method::GET, "v2/admin/patients")
                .query(&[("email", patient.email)])
                .bearer_auth(admin);
            let _refused_without_keys = self.send("find patient", req).await?;
        }
        if !self.config.has(Fault::SsoDuplicatePatient) {
            let req = self
                .request(reqwest::Method::GET, "v2/admin/patients")
                .query(&[("email", patient.email)])
                .bearer_auth(admin);
            let (status, reply) = self.send("find patient", req).await?;
            match status {
                200 => return Ok(()),
                404 => {}
                other => return Err(Self::refused("find patient", other, &reply)),
            }
        }
        let body = json!({
            "firstName": patient.first_name, "lastName": patient.last_name, "email": patient.email,
            "address": patient.address, "mobileNumberWithCountryCode": patient.mobile, "gender": patient.gender,
        });
        let (status, reply) = self
            .send(
                "add patient",
                self.request(reqwest::Method::POST, "v2/admin/patients").bearer_auth(admin).json(&body),
            )
            .await?;
        match status {
            200 | 207 => Ok(()),
            other => Err(Self::refused("add patient", other, &reply)),
        }
    }

    /// Builds the patient's JWT: RS256, aud snapmd, 5 minutes, a fresh jti,
    /// the account's role. `password_hash` is read only by a defect.
    pub fn patient_jwt(
        &self,
        name: &str,
        email: &str,
        role: &str,
        password_hash: &str,
    ) -> Result<String, PlatformError> {
        let cfg = self.config;
        let now = chrono::Utc::now().timestamp();
        let lifetime = if cfg.has(Fault::JwtLongExp) { 3600 } else { 300 };
        // The window the defects move: issued at, not before.
        let iat = match () {
            _ if cfg.has(Fault::JwtExpired) => now - 400,
            _ if cfg.has(Fault::JwtFutureIat) => now + 60,
            _ => now,
        };
        let nbf = if cfg.has(Fault::JwtFutureNbf) { now + 60 } else { iat };
        let role = if cfg.has(Fault::JwtStaffRole) { "provider" } else { role };
        let iss = if cfg.has(Fault::JwtWrongIss) { "http://127.0.0.1" } else { self.partner.issuer.as_str() };
        let mut claims = json!({
            "iss": iss, "aud": if cfg.has(Fault::JwtWrongAud) { "api" } else { "snapmd" },
            "unique_name": name, "email": email, "role": role,
            "jti": uuid::Uuid::new_v4().to_string(), "iat": iat, "nbf": nbf, "exp": iat + lifetime,
        });
        let map = claims.as_object_mut().expect("claims are an object");
        if cfg.has(Fault::JwtNoJti) {
            map.remove("jti");
        }
        if cfg.has(Fault::JwtStringDates) {
            for k in ["iat", "exp"] {
                let text = map[k].to_string();
                map.insert(k.into(), json!(text));
            }
        }
        if cfg.has(Fault::JwtPasswordHash) {
            map.insert("pwd".into(), json!(password_hash));
        }
        let mut header = Header::new(if cfg.has(Fault::JwtHs256) { Algorithm::HS256 } else { Algorithm::RS256 });
        if cfg.has(Fault::JwtRemoteKey) {
            header.jku = Some("https://keys.partner.invalid/jwks.json".into());
        }
        let signed = if cfg.has(Fault::JwtHs256) {
            encode(&header, &claims, &EncodingKey::from_secret(self.partner.public_pem.as_bytes()))
        } else {
            EncodingKey::from_rsa_pem(self.partner.private_pem.as_bytes()).and_then(|k| encode(&header, &claims, &k))
        };
        signed.map_err(|e| PlatformError::Call { what: "sign JWT", message: e.to_string() })
    }

    /// `GET v2/account/token?jwt=`: the patient's platform token.
    pub async fn exchange(&self, jwt: &str) -> Result<String, PlatformError> {
        let (status, reply) = self
            .send("JWT exchange", self.request(reqwest::Method::GET, "v2/account/token").query(&[("jwt", jwt)]))
            .await?;
        Self::first_token("JWT exchange", status, &reply)
    }
}
