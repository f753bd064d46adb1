//! The reference over TLS, as every real deployment is: it serves HTTPS
//! when given a certificate (`--tls-cert`, `--tls-key`), and it calls out
//! (the platform, an SMS webhook, STARTTLS to its SMTP server) checking
//! certificates against the platform's trust store plus the CA it was told
//! to trust (`--trust-ca`: the one the harness's doubles serve under).
use rustls::pki_types::CertificateDer;

pub use authconform_tls::ServerIdentity as TlsIdentity;

/// The CA certificates of `trust_ca` (PEM), or an error naming why not.
pub fn trusted(trust_ca: Option<&str>) -> Result<Vec<CertificateDer<'static>>, String> {
    trust_ca.map(authconform_tls::certificates).transpose().map(Option::unwrap_or_default)
}

/// The client the reference calls others with (the platform, an SMS
/// webhook): HTTPS checked against the platform's store and `extra` roots.
pub fn http_client(extra: Vec<CertificateDer<'static>>) -> reqwest::Client {
    let config = authconform_tls::client_config(extra).unwrap_or_else(|e| {
        // Without a trust store HTTPS cannot be checked: plain HTTP still works.
        tracing::warn!("no TLS for outgoing calls: {e}");
        authconform_tls::trusting_nothing()
    });
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .expect("an HTTP client with a preconfigured TLS backend builds")
}
