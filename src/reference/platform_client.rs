//! The partner backend's side of the platform (research/snapmd-sso.md): an
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
    #[error("platform refused {what} with status {status}")]
    Status { what: &'static str, status: u16 },
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
        let mut req = self.http.request(method, format!("{}{path}", self.partner.platform_url)).header("X-Developer-Id", &self.partner.developer_id);
        if !self.config.has(Fault::PlatformNoApiKey) {
            req = req.header("X-Api-Key", &self.partner.api_key);
        }
        req.timeout(std::time::Duration::from_secs(5))
    }

    async fn send(&self, what: &'static str, req: reqwest::RequestBuilder) -> Result<(u16, Value), PlatformError> {
        let reply = req.send().await.map_err(|e| PlatformError::Call { what, message: e.to_string() })?;
        let status = reply.status().as_u16();
        let body = reply.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    fn first_token(what: &'static str, status: u16, body: &Value) -> Result<String, PlatformError> {
        if status != 200 {
            return Err(PlatformError::Status { what, status });
        }
        body["data"][0]["access_token"].as_str().map(str::to_string).ok_or(PlatformError::NoToken { what })
    }

    /// `POST v2/account/token` as the partner's admin (userTypeId 2).
    pub async fn admin_token(&self) -> Result<String, PlatformError> {
        let p = self.partner;
        let body = json!({"email": p.admin_email, "password": p.admin_password, "hospitalId": p.hospital_id, "userTypeId": 2});
        let (status, reply) = self.send("admin token", self.request(reqwest::Method::POST, "v2/account/token").json(&body)).await?;
        Self::first_token("admin token", status, &reply)
    }

    /// Finds the patient by e-mail, creating it when absent (never twice).
    pub async fn ensure_patient(&self, admin: &str, patient: &NewPatient<'_>) -> Result<(), PlatformError> {
        if !self.config.has(Fault::SsoDuplicatePatient) {
            let req = self.request(reqwest::Method::GET, "v2/admin/patients").query(&[("email", patient.email)]).bearer_auth(admin);
            let (status, _) = self.send("find patient", req).await?;
            match status {
                200 => return Ok(()),
                404 => {}
                other => return Err(PlatformError::Status { what: "find patient", status: other }),
            }
        }
        let body = json!({
            "firstName": patient.first_name, "lastName": patient.last_name, "email": patient.email,
            "address": patient.address, "mobileNumberWithCountryCode": patient.mobile, "gender": patient.gender,
        });
        let (status, _) = self.send("add patient", self.request(reqwest::Method::POST, "v2/admin/patients").bearer_auth(admin).json(&body)).await?;
        match status {
            200 | 207 => Ok(()),
            other => Err(PlatformError::Status { what: "add patient", status: other }),
        }
    }

    /// Builds the patient's JWT: RS256, aud snapmd, 5 minutes, a fresh jti, the account's role.
    pub fn patient_jwt(&self, name: &str, email: &str, role: &str) -> Result<String, PlatformError> {
        let now = chrono::Utc::now().timestamp();
        let cfg = self.config;
        let lifetime = if cfg.has(Fault::JwtLongExp) { 3600 } else { 300 };
        let mut claims = json!({
            "iss": self.partner.issuer, "aud": if cfg.has(Fault::JwtWrongAud) { "api" } else { "snapmd" },
            "unique_name": name, "email": email, "role": role,
            "jti": uuid::Uuid::new_v4().to_string(), "iat": now, "nbf": now, "exp": now + lifetime,
        });
        if cfg.has(Fault::JwtNoJti) {
            claims.as_object_mut().expect("claims are an object").remove("jti");
        }
        let signed = if cfg.has(Fault::JwtHs256) {
            encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(self.partner.public_pem.as_bytes()))
        } else {
            EncodingKey::from_rsa_pem(self.partner.private_pem.as_bytes()).and_then(|k| encode(&Header::new(Algorithm::RS256), &claims, &k))
        };
        signed.map_err(|e| PlatformError::Call { what: "sign JWT", message: e.to_string() })
    }

    /// `GET v2/account/token?jwt=`: the patient's platform token.
    pub async fn exchange(&self, jwt: &str) -> Result<String, PlatformError> {
        let (status, reply) = self.send("JWT exchange", self.request(reqwest::Method::GET, "v2/account/token").query(&[("jwt", jwt)])).await?;
        Self::first_token("JWT exchange", status, &reply)
    }
}
