//! The certificate authority the doubles serve TLS under: generated per
//! run (a throwaway CA, valid a week, written beside the reports for the
//! target to trust) or given by the profile (`doubles_tls.ca_cert`,
//! `ca_key`), and the server certificates it signs for the doubles.
use std::sync::Arc;

use authconform_tls::{rustls, ServerIdentity};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// What went wrong with a CA or a certificate it was to sign.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("the CA key: {0}")]
    Key(String),
    #[error("the CA certificate: {0}")]
    Certificate(String),
    #[error(
        "the CA key does not sign certificates the CA certificate vouches for ({0}): is it that certificate's key?"
    )]
    Mismatch(String),
    #[error("a certificate for {hosts}: {why}")]
    Issue { hosts: String, why: String },
}

/// A CA that signs the doubles' server certificates.
pub struct CertificateAuthority {
    cert_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of every debug print.
        f.debug_struct("CertificateAuthority").field("cert_pem", &self.cert_pem).finish_non_exhaustive()
    }
}

/// A week: long enough for any run, short enough that a leaked per-run CA
/// is soon worthless.
const VALIDITY: time::Duration = time::Duration::days(7);

impl CertificateAuthority {
    /// A fresh CA, named for authconform so a user who finds it in a trust
    /// store knows where it came from.
    pub fn generate() -> Result<CertificateAuthority, CaError> {
        let key = KeyPair::generate().map_err(|e| CaError::Key(e.to_string()))?;
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| CaError::Certificate(e.to_string()))?;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.distinguished_name.push(DnType::CommonName, "authconform doubles CA (per run)");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::hours(1);
        params.not_after = now + VALIDITY;
        let cert = params.self_signed(&key).map_err(|e| CaError::Certificate(e.to_string()))?;
        Ok(CertificateAuthority { cert_pem: cert.pem(), issuer: Issuer::new(params, key) })
    }

    /// The CA the profile gives, checked: a certificate it signs with the
    /// key must verify under the certificate, or every handshake with the
    /// doubles would fail later, far from the cause.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<CertificateAuthority, CaError> {
        let key = KeyPair::from_pem(key_pem).map_err(|e| CaError::Key(e.to_string()))?;
        let issuer = Issuer::from_ca_cert_pem(cert_pem, key).map_err(|e| CaError::Certificate(e.to_string()))?;
        let ca = CertificateAuthority { cert_pem: cert_pem.to_string(), issuer };
        let probe = ca.issue(&["localhost".to_string()])?;
        ca.verify(&probe, "localhost").map_err(CaError::Mismatch)?;
        Ok(ca)
    }

    /// The CA's certificate, PEM: what a target must trust.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA's private key, PEM: for saving a CA to give in a profile.
    pub fn key_pem(&self) -> String {
        self.issuer.key().serialize_pem()
    }

    /// A server certificate for `hosts` (names or IP addresses), with a
    /// fresh key.
    pub fn issue(&self, hosts: &[String]) -> Result<ServerIdentity, CaError> {
        let failed = |why: String| CaError::Issue { hosts: hosts.join(", "), why };
        let key = KeyPair::generate().map_err(|e| failed(e.to_string()))?;
        let mut params = CertificateParams::new(hosts.to_vec()).map_err(|e| failed(e.to_string()))?;
        params.distinguished_name.push(DnType::CommonName, "authconform double");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::hours(1);
        params.not_after = now + VALIDITY;
        let cert = params.signed_by(&key, &self.issuer).map_err(|e| failed(e.to_string()))?;
        // The chain a server sends: its certificate, then the CA's.
        Ok(ServerIdentity { cert_pem: format!("{}{}", cert.pem(), self.cert_pem), key_pem: key.serialize_pem() })
    }

    /// Checks `identity` as a client trusting only this CA would, for `host`.
    fn verify(&self, identity: &ServerIdentity, host: &str) -> Result<(), String> {
        let roots = authconform_tls::certificates(&self.cert_pem)?;
        let mut store = rustls::RootCertStore::empty();
        for root in roots {
            store.add(root).map_err(|e| e.to_string())?;
        }
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), authconform_tls::provider())
                .build()
                .map_err(|e| e.to_string())?;
        let chain: Vec<CertificateDer<'static>> = authconform_tls::certificates(&identity.cert_pem)?;
        let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
        use rustls::client::danger::ServerCertVerifier;
        verifier
            .verify_server_cert(&chain[0], &chain[1..], &name, &[], UnixTime::now())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_ca_signs_certificates_that_verify_for_their_hosts_only() {
        let ca = CertificateAuthority::generate().unwrap();
        let id = ca.issue(&["127.0.0.1".into(), "localhost".into(), "harness.ci".into()]).unwrap();
        for host in ["127.0.0.1", "localhost", "harness.ci"] {
            ca.verify(&id, host).unwrap();
        }
        assert!(ca.verify(&id, "elsewhere.test").unwrap_err().contains("not valid for name"));
        assert!(!format!("{ca:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn a_given_ca_is_read_back_and_a_key_that_is_not_its_own_is_refused() {
        let ca = CertificateAuthority::generate().unwrap();
        let key = ca.issuer.key().serialize_pem();
        let again = CertificateAuthority::from_pem(ca.cert_pem(), &key).unwrap();
        ca.verify(&again.issue(&["localhost".into()]).unwrap(), "localhost").unwrap();

        let other = CertificateAuthority::generate().unwrap();
        let err = CertificateAuthority::from_pem(ca.cert_pem(), &other.issuer.key().serialize_pem()).unwrap_err();
        assert!(matches!(err, CaError::Mismatch(_)), "{err}");
        assert!(matches!(CertificateAuthority::from_pem("nope", &key).unwrap_err(), CaError::Certificate(_)));
        assert!(matches!(CertificateAuthority::from_pem(ca.cert_pem(), "nope").unwrap_err(), CaError::Key(_)));
    }
}
