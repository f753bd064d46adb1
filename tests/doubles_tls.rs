//! The doubles over TLS, for targets that insist on it: the platform API
//! and the SMS webhook serve HTTPS and the SMTP sink requires STARTTLS,
//! under a CA generated per run (written beside the reports) or given by
//! the profile. The embedded reference, told to trust that CA as a partner
//! backend would be, passes the whole suite so; a reference that mails in
//! plain text delivers nothing; a standalone target that trusts another CA
//! fails its handshakes, and the run says which CA file to trust.
mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use authconform::crypto::CertificateAuthority;
use authconform::model::RunOutcome;
use authconform::reference::{Fault, ReferenceConfig};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

const EVERY_DOUBLE_OVER_TLS: &str =
    "platform:\n  tls: true\nsms:\n  webhook:\n    tls: true\nmailbox:\n  smtp:\n    starttls: required\n";

/// The reference's profile with `extra` on top.
fn profile(dir: &Path, extra: &str) -> PathBuf {
    let parent = common::root().join("scenarios/targets/reference.yaml");
    let path = dir.join(format!("tls-{}.yaml", free_port()));
    std::fs::write(&path, format!("inherits: {}\nname: reference-tls\n{extra}", parent.display())).unwrap();
    path
}

/// A run of `profile`, against the embedded reference when `embedded`.
fn run(profile: PathBuf, embedded: bool, faults: Vec<Fault>, tags: Option<&str>, reports: &Path) -> RunOutcome {
    let mut config = common::config(faults);
    config.target = Some(profile);
    config.embedded = embedded;
    config.tags = tags.map(str::to_string);
    config.snapshots = authconform::snapshot::SnapshotMode::Off;
    config.report_dir = Some(reports.to_path_buf());
    common::run_blocking(config)
}

#[test]
fn the_whole_suite_passes_with_every_double_over_tls_and_plain_text_mail_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let tls = profile(dir.path(), EVERY_DOUBLE_OVER_TLS);

    let outcome = run(tls.clone(), true, vec![], None, &reports);
    let failed = common::failures(&outcome);
    assert!(failed.is_empty(), "scenarios failed with the doubles over TLS:\n{}", failed.join("\n"));
    let errors: Vec<_> = outcome
        .scenarios
        .iter()
        .filter(|s| s.status == authconform::model::ScenarioStatus::Error)
        .map(|s| format!("{}: {:?}", s.scenario, s.failure))
        .collect();
    assert!(
        outcome.passed() >= 60 && outcome.exit_code() == 0,
        "{} passed, exit {}, errors {errors:?}",
        outcome.passed(),
        outcome.exit_code()
    );
    assert!(outcome.warnings.is_empty(), "no handshake failed: {:?}", outcome.warnings);
    let ca = std::fs::read_to_string(reports.join("doubles-ca.pem")).expect("the CA is written beside the reports");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    let note = outcome.notes.iter().find(|n| n.contains("doubles served TLS")).expect("a note names the CA");
    assert!(note.contains("platform.tls, sms.webhook.tls, mailbox.smtp.starttls") && note.contains("doubles-ca.pem"));

    // A target that mails in plain text where STARTTLS is required: the
    // sink refuses, no code arrives, and the run says why.
    let plaintext = run(tls, true, vec![Fault::SmtpPlaintext], Some("@needs:email"), &reports);
    assert!(plaintext.failed() > 0, "plain-text mail was accepted");
    let said = plaintext.warnings.join("\n");
    assert!(said.contains("SMTP sink:") && said.contains("a mail begun in plain text was refused"), "{said}");
    assert!(said.contains("the target must send its mail over STARTTLS"), "{said}");
}

/// A standalone reference on fixed ports, trusting `trust_ca` (PEM).
fn standalone(
    rt: &tokio::runtime::Runtime,
    smtp: u16,
    sms: u16,
    trust_ca: Option<String>,
) -> authconform::reference::ReferenceServer {
    rt.block_on(authconform::reference::start(ReferenceConfig {
        listen: "127.0.0.1:0".into(),
        smtp: Some(format!("127.0.0.1:{smtp}")),
        sms_webhook: Some(format!("https://localhost:{sms}/sms")),
        trust_ca,
        ..ReferenceConfig::default()
    }))
    .unwrap()
}

#[test]
fn a_standalone_target_trusts_the_profiles_ca_and_one_that_does_not_is_told_which_file_to_trust() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let ca = CertificateAuthority::generate().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
    std::fs::write(dir.path().join("ca.key"), ca.key_pem()).unwrap();
    let (smtp, sms) = (free_port(), free_port());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let server = standalone(&rt, smtp, sms, Some(ca.cert_pem().to_string()));
    let doubles = format!(
        "base_url: {}\nmailbox:\n  smtp:\n    listen: 127.0.0.1:{smtp}\n    starttls: required\nsms:\n  webhook:\n    listen: 127.0.0.1:{sms}\n    tls: true\n",
        server.base_url()
    );

    // The profile gives the CA the target was told to trust: SMS and mail pass.
    let given = profile(dir.path(), &format!("{doubles}doubles_tls:\n  ca_cert: ca.pem\n  ca_key: ca.key\n"));
    let trusted = run(given, false, vec![], Some("@needs:sms or @needs:email"), &reports);
    let failed = common::failures(&trusted);
    assert!(failed.is_empty(), "with the CA the target trusts:\n{}", failed.join("\n"));
    assert!(trusted.passed() >= 3, "{} passed", trusted.passed());
    assert_eq!(std::fs::read_to_string(reports.join("doubles-ca.pem")).unwrap(), ca.cert_pem());

    // A CA per run, which this target never heard of: its SMS never
    // arrive, and the warnings name the double, the failure and the file.
    let per_run = profile(dir.path(), &doubles);
    let untrusted = run(per_run, false, vec![], Some("@needs:sms"), &reports);
    assert!(untrusted.failed() > 0, "a target that does not trust the CA delivered its SMS");
    let said = untrusted.warnings.join("\n");
    assert!(said.contains("SMS webhook:") && said.contains("a TLS handshake failed"), "{said}");
    assert!(said.contains("from 127.0.0.1:"), "the warning names the peer: {said}");
    assert!(said.contains("does the target trust") && said.contains("doubles-ca.pem"), "{said}");
    drop(server);
}
