//! Certifying over HTTPS, as every real deployment is reached: the
//! reference serves TLS with a certificate from a CA generated here
//! (rcgen), and the harness calls it with a profile that trusts that CA
//! (`tls.ca_file`). The same target under another CA is unreachable, each
//! scenario ERROR with the TLS failure and the host, never a verdict (exit
//! 3); under `tls.insecure` it runs, and every report says WARN.
mod common;

use std::net::TcpListener;
use std::path::Path;

use authconform::model::{RunOutcome, ScenarioStatus};
use authconform::reference::{ReferenceConfig, TlsIdentity};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A CA's certificate (PEM) and a server identity it signed for 127.0.0.1.
fn ca_and_server(name: &str) -> (String, TlsIdentity) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, name);
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()]).unwrap();
    let cert_pem = cert.signed_by(&key, &issuer).unwrap().pem();
    (ca_pem, TlsIdentity { cert_pem, key_pem: key.serialize_pem() })
}

struct Ports {
    smtp: u16,
    sms: u16,
}

/// A profile for the HTTPS reference: the reference's own, its address and
/// doubles moved, and `tls` as given.
fn profile(dir: &Path, base_url: &str, ports: &Ports, tls: &str) -> std::path::PathBuf {
    let parent = common::root().join("scenarios/targets/reference.yaml");
    let text = format!(
        "inherits: {}\nname: reference-https\nbase_url: {base_url}\nmailbox:\n  smtp:\n    listen: 127.0.0.1:{}\nsms:\n  webhook:\n    listen: 127.0.0.1:{}\ntls:\n{tls}",
        parent.display(),
        ports.smtp,
        ports.sms
    );
    let path = dir.join(format!("https-{}.yaml", free_port()));
    std::fs::write(&path, text).unwrap();
    path
}

fn run(profile: std::path::PathBuf, reports: Option<&Path>) -> RunOutcome {
    let mut config = common::config(vec![]);
    config.target = Some(profile);
    config.tags = Some("@records".into());
    config.snapshots = authconform::snapshot::SnapshotMode::Off;
    config.report_dir = reports.map(Path::to_path_buf);
    common::run_blocking(config)
}

#[test]
fn the_reference_is_certified_over_https_and_an_untrusted_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, identity) = ca_and_server("authconform test CA");
    let (other_ca, _) = ca_and_server("someone else's CA");
    std::fs::write(dir.path().join("ca.pem"), &ca_pem).unwrap();
    std::fs::write(dir.path().join("other-ca.pem"), &other_ca).unwrap();
    let ports = Ports { smtp: free_port(), sms: free_port() };

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let server = rt
        .block_on(authconform::reference::start(ReferenceConfig {
            listen: "127.0.0.1:0".into(),
            smtp: Some(format!("127.0.0.1:{}", ports.smtp)),
            sms_webhook: Some(format!("http://127.0.0.1:{}/sms", ports.sms)),
            tls: Some(identity),
            ..ReferenceConfig::default()
        }))
        .unwrap();
    let base_url = server.base_url();
    assert!(base_url.starts_with("https://127.0.0.1:"), "{base_url}");

    // Trusted through the profile's CA: every scenario passes.
    let trusted = run(profile(dir.path(), &base_url, &ports, "  ca_file: ca.pem\n"), None);
    let failed = common::failures(&trusted);
    assert!(failed.is_empty(), "scenarios failed over HTTPS:\n{}", failed.join("\n"));
    assert!(trusted.passed() >= 3 && trusted.exit_code() == 0, "{} passed", trusted.passed());
    assert!(trusted.warnings.is_empty(), "{:?}", trusted.warnings);

    // Another CA: the handshake fails; each scenario is ERROR, naming the
    // host and the certificate problem, and the run exits 3, not 1.
    let untrusted = run(profile(dir.path(), &base_url, &ports, "  ca_file: other-ca.pem\n"), None);
    assert_eq!(untrusted.failed(), 0, "an untrusted target is not a non-conforming one");
    assert_eq!(untrusted.errors(), untrusted.scenarios.len(), "every scenario is ERROR");
    assert_eq!(untrusted.exit_code(), authconform::exit::HARNESS);
    let first = untrusted.scenarios.iter().find(|s| s.status == ScenarioStatus::Error).unwrap();
    let why = first.failure.as_deref().unwrap_or_default();
    assert!(why.contains("127.0.0.1"), "the error names the host: {why}");
    assert!(why.to_lowercase().contains("certificate"), "the error says it is the certificate: {why}");

    // Insecure: it runs, and every report says the certificates were not checked.
    let reports = dir.path().join("reports");
    let insecure = run(profile(dir.path(), &base_url, &ports, "  insecure: true\n"), Some(&reports));
    assert!(common::failures(&insecure).is_empty());
    assert_eq!(insecure.warnings.len(), 1, "{:?}", insecure.warnings);
    let folder = insecure.report_path.expect("a report folder");
    for file in ["summary.md", "summary.json", "report.html", "junit.xml"] {
        let text = std::fs::read_to_string(folder.join(file)).unwrap();
        assert!(text.contains("tls.insecure"), "{file} does not warn of the unchecked certificates");
    }
    drop(server);
}
