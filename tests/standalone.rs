//! A partner certifying over the network, as the README describes it: the
//! reference runs as its own process (`authconform reference` with a
//! platform URL and a signing key from disk), the harness is another process
//! (`authconform run --target scenarios/targets/reference.yaml`), and the
//! partner's public key reaches the platform double through
//! `platform.partner_public_key_file`.
mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

const BIN: &str = env!("CARGO_BIN_EXE_authconform");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Kills the standalone reference when the test ends, pass or fail.
struct Reference(Child);

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Ports {
    http: u16,
    smtp: u16,
    sms: u16,
    platform: u16,
}

fn start_reference(dir: &std::path::Path, p: &Ports, faults: &[&str]) -> Reference {
    let mut cmd = Command::new(BIN);
    cmd.args(["reference", "--listen", &format!("127.0.0.1:{}", p.http), "--smtp", &format!("127.0.0.1:{}", p.smtp)])
        .args(["--sms-webhook", &format!("http://127.0.0.1:{}/sms", p.sms)])
        .args(["--platform-url", &format!("http://127.0.0.1:{}/api/", p.platform)])
        .arg("--partner-key")
        .arg(dir.join("partner.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for f in faults {
        cmd.args(["--fault", f]);
    }
    let child = Reference(cmd.spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", p.http)).is_err() {
        assert!(Instant::now() < deadline, "the standalone reference did not start listening");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn run_sso(dir: &std::path::Path, p: &Ports) -> (i32, String) {
    let out = Command::new(BIN)
        .args([
            "run",
            "--target",
            "scenarios/targets/reference.yaml",
            "--tags",
            "(@sso or @reset) and not @needs:password",
            "--snapshots",
            "off",
            "--report-dir",
        ])
        .arg(dir.join("reports"))
        .current_dir(common::root())
        .env("AUTHCONFORM_BASE_URL", format!("http://127.0.0.1:{}", p.http))
        .env("AUTHCONFORM_SMTP", format!("127.0.0.1:{}", p.smtp))
        .env("AUTHCONFORM_SMS", format!("127.0.0.1:{}", p.sms))
        .env("AUTHCONFORM_PLATFORM", format!("127.0.0.1:{}", p.platform))
        .env("AUTHCONFORM_PARTNER_PUBLIC_KEY_FILE", dir.join("partner.pub.pem"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn a_standalone_partner_certifies_with_its_key_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    std::fs::write(dir.path().join("partner.pem"), private.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let public = rsa::RsaPublicKey::from(&private).to_public_key_pem(LineEnding::LF).unwrap();
    std::fs::write(dir.path().join("partner.pub.pem"), public).unwrap();

    let ports = Ports { http: free_port(), smtp: free_port(), sms: free_port(), platform: free_port() };
    let reference = start_reference(dir.path(), &ports, &[]);
    let (code, out) = run_sso(dir.path(), &ports);
    drop(reference);
    assert_eq!(code, 0, "the SSO plan should pass against the standalone reference:\n{out}");
    assert!(out.contains(" 0 not applicable"), "every SSO scenario should have run:\n{out}");

    // The same partner with a defect: the plan says no, and names why.
    let ports = Ports { http: free_port(), smtp: free_port(), sms: free_port(), platform: free_port() };
    let _reference = start_reference(dir.path(), &ports, &["sso-reset-link-reusable"]);
    let (code, out) = run_sso(dir.path(), &ports);
    assert_eq!(code, 1, "a defective partner must fail the plan:\n{out}");
    assert!(out.contains("FAIL RESET-02"), "the failure should name the requirement:\n{out}");
}
