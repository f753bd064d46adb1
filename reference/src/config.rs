//! How the reference is started: where it listens, where it sends mail and
//! SMS, and which faults it carries.
use std::collections::BTreeSet;

use super::faults::Fault;

#[derive(Debug, Clone)]
pub struct ReferenceConfig {
    /// HTTP listen address (`127.0.0.1:0` for an ephemeral port).
    pub listen: String,
    /// SMTP server the gateway sends codes to (`host:port`); `None` keeps mail
    /// only behind the test mail API (`lastEmail`), for harnesses that read it there.
    pub smtp: Option<String>,
    /// URL the SMS provider integration posts `{to, message}` to.
    pub sms_webhook: Option<String>,
    /// Message-gateway spec id (path segment).
    pub spec_id: String,
    /// The captcha token the gateway accepts (stands in for reCAPTCHA verification).
    pub captcha: String,
    /// Id of the master HCP patients register under.
    pub master_hcp_id: String,
    /// Group (database) new users are created in.
    pub group_id: String,
    /// Sender address of code mails.
    pub mail_from: String,
    /// Test hooks (`/_test/age`, `lastEmail`) for lifetime checks.
    pub test_hooks: bool,
    pub faults: BTreeSet<Fault>,
    /// The partner SSO backend, when the reference plays a partner too.
    pub partner: Option<PartnerConfig>,
    /// The address mailed links point at (password reset); defaults to
    /// `http://<bound address>`. Never taken from a request's Host header.
    pub public_url: Option<String>,
    /// Where every secret issued or received is also kept, for a test's
    /// leak scan (`Ledger`); `None` keeps nothing.
    pub ledger: Option<super::Ledger>,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<super::tls::TlsIdentity>,
    /// A CA (PEM) trusted besides the platform's store wherever the
    /// reference calls out over TLS: the platform, the SMS webhook, and
    /// STARTTLS to its SMTP server (which it uses whenever offered).
    pub trust_ca: Option<String>,
    /// Past the bound of code requests for one login, answer a start as
    /// usual and send nothing, as services that do not tell a flooder they
    /// noticed do; otherwise a 429 with Retry-After.
    pub quiet_throttle: bool,
}

/// What a partner backend is configured with to reach the platform
/// (docs/snapmd-sso.md: base URL, hospital id, developer id, API key).
#[derive(Debug, Clone)]
pub struct PartnerConfig {
    /// Platform base URL, ending in `/api/`.
    pub platform_url: String,
    pub developer_id: String,
    pub api_key: String,
    pub admin_email: String,
    pub admin_password: String,
    pub hospital_id: i64,
    /// The issuer registered with the platform.
    pub issuer: String,
    /// The partner's RS256 signing key (PKCS#8 PEM).
    pub private_pem: String,
    /// The matching public key (PEM), used only by the HS256 fault.
    pub public_pem: String,
}

impl Default for ReferenceConfig {
    fn default() -> Self {
        ReferenceConfig {
            listen: "127.0.0.1:8080".into(),
            smtp: Some("127.0.0.1:2525".into()),
            sms_webhook: None,
            spec_id: "ic".into(),
            captcha: "conformance-captcha".into(),
            master_hcp_id: "5a1c0d3e-0000-4000-8000-00000000a11c".into(),
            group_id: "ref-group".into(),
            mail_from: "no-reply@reference.authconform.test".into(),
            test_hooks: true,
            faults: BTreeSet::new(),
            partner: None,
            public_url: None,
            ledger: None,
            tls: None,
            trust_ca: None,
            quiet_throttle: false,
        }
    }
}

impl PartnerConfig {
    /// The SPKI PEM public half of a PKCS#8 PEM private key.
    pub fn public_pem_of(private_pem: &str) -> Result<String, String> {
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem)
            .map_err(|e| format!("not a PKCS#8 PEM RSA private key ({e})"))?;
        rsa::RsaPublicKey::from(&private).to_public_key_pem(LineEnding::LF).map_err(|e| e.to_string())
    }
}

impl ReferenceConfig {
    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }
}
