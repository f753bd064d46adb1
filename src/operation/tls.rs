//! The TLS side of every HTTP client the harness makes (the target's
//! operations, a mail API): rustls on ring, certificates checked against
//! the platform's trust store (rustls-platform-verifier, as browsers and
//! curl do) plus the profile's `tls.ca_file`, the profile's client
//! certificate presented where a server asks, or nothing checked at all
//! under `tls.insecure`.
use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::ClientConfig;

use crate::profile::TlsConfig;

/// A client builder with the profile's TLS settings: plain HTTP stays
/// plain; HTTPS is checked as `tls:` says.
pub fn client_builder(tls: &TlsConfig) -> Result<reqwest::ClientBuilder, rustls::Error> {
    Ok(reqwest::Client::builder().tls_backend_preconfigured(client_config(tls)?))
}

/// The rustls configuration `tls:` describes.
pub fn client_config(tls: &TlsConfig) -> Result<ClientConfig, rustls::Error> {
    // The project's one provider (ring: see the `tls/` crate for why).
    let provider = authconform_tls::provider();
    let builder = ClientConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions()?;
    let verifier: Arc<dyn ServerCertVerifier> = if tls.insecure {
        Arc::new(authconform_tls::LazyTrust::anyone(provider))
    } else {
        let extra = tls.loaded.as_ref().map(|m| m.extra_roots.clone()).unwrap_or_default();
        Arc::new(authconform_tls::LazyTrust::new(extra, provider)?)
    };
    let builder = builder.dangerous().with_custom_certificate_verifier(verifier);
    let mut config = match tls.loaded.as_ref().and_then(|m| m.identity.as_ref()) {
        Some((chain, key)) => builder.with_client_auth_cert(chain.clone(), key.clone_key())?,
        None => builder.with_no_client_auth(),
    };
    // reqwest speaks HTTP/1.1 here (no http2 feature).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// What to do about a TLS failure, appended to its message; empty for
/// failures that are not about certificates.
pub(super) fn hint(cause: &str) -> &'static str {
    if cause.contains("invalid peer certificate") || cause.contains("UnknownIssuer") {
        " (the server's certificate is not signed by a CA this machine or the profile's `tls.ca_file` trusts)"
    } else if cause.contains("CertificateRequired") || cause.contains("certificate required") {
        " (the server asks for a client certificate: set the profile's `tls.client_cert` and `tls.client_key`)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_failures_say_what_to_set_and_others_say_nothing() {
        assert!(hint("invalid peer certificate: UnknownIssuer").contains("tls.ca_file"));
        assert!(hint("received fatal alert: CertificateRequired").contains("tls.client_cert"));
        assert_eq!(hint("Connection refused (os error 111)"), "");
    }

    #[test]
    fn every_setting_builds_a_client() {
        let insecure = TlsConfig { insecure: true, ..Default::default() };
        for tls in [TlsConfig::default(), insecure] {
            let config = client_config(&tls).unwrap();
            assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
            assert!(client_builder(&tls).unwrap().build().is_ok());
        }
    }
}
