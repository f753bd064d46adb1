//! The MailDev preset against a real MailDev (npm `maildev`, pinned by
//! tests/targets/maildev/package-lock.json and installed on first use into
//! `target/maildev` with `npm ci`; Node.js and npm are needed, which
//! scripts/setup.sh installs when missing). The reference sends its mail to
//! MailDev's SMTP port, and the harness reads codes and reset tokens through
//! MailDev's HTTP API (`mailbox.catcher: {kind: maildev}`): the OTP and the
//! password-reset scenarios of the two example services all pass that way.
mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use authconform::reference::ReferenceConfig;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// MailDev's entry point, installed once per lock file.
fn maildev() -> PathBuf {
    common::ensure_tool(|| common::runs("npm") && common::runs("node"), "Node.js and npm");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| common::root().join("target"));
    let dir = target.join("maildev");
    let bin = dir.join("node_modules/maildev/dist/bin/maildev.js");
    let source = common::root().join("tests/targets/maildev");
    let lock = std::fs::read_to_string(source.join("package-lock.json")).unwrap();
    let stamp = dir.join("installed.lock");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str()) && bin.is_file() {
        return bin;
    }
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(source.join(f), dir.join(f)).unwrap();
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("npm ci: {e} (Node.js and npm are needed: bash scripts/setup.sh installs them)"));
    assert!(out.status.success(), "npm ci failed:\n{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(&stamp, lock).unwrap();
    bin
}

/// A running MailDev, stopped when the test ends.
struct MailDev(Child);

impl Drop for MailDev {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_maildev(bin: &Path, smtp: u16, web: u16, mails: &Path) -> MailDev {
    let child = Command::new("node")
        .arg(bin)
        .args(["--smtp", &smtp.to_string(), "--web", &web.to_string(), "--ip", "127.0.0.1"])
        .arg("--mail-directory")
        .arg(mails)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts MailDev");
    let guard = MailDev(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let health = format!("127.0.0.1:{web}");
    while std::net::TcpStream::connect(&health).is_err() || std::net::TcpStream::connect(("127.0.0.1", smtp)).is_err() {
        assert!(Instant::now() < deadline, "MailDev did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    guard
}

/// An example profile, moved to the reference's address and reading its
/// mail from MailDev.
fn profile(dir: &Path, example: &str, base_url: &str, web: u16) -> PathBuf {
    let parent = common::root().join("scenarios/targets/examples").join(example);
    let text = format!(
        "inherits: {}\nbase_url: {base_url}\nmailbox:\n  smtp: ~\n  catcher:\n    kind: maildev\n    url: http://127.0.0.1:{web}\n  timeout: 5s\n",
        parent.display()
    );
    let path = dir.join(example);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn codes_and_reset_tokens_are_read_from_a_real_maildev() {
    let bin = maildev();
    let dir = tempfile::tempdir().unwrap();
    let (smtp, web) = (free_port(), free_port());
    let _maildev = start_maildev(&bin, smtp, web, dir.path());

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let server = rt
        .block_on(authconform::reference::start(ReferenceConfig {
            listen: "127.0.0.1:0".into(),
            smtp: Some(format!("127.0.0.1:{smtp}")),
            ..ReferenceConfig::default()
        }))
        .unwrap();

    for (example, at_least) in [("otp-service.yaml", 8), ("password-service.yaml", 14)] {
        let mut config = common::config(vec![]);
        config.target = Some(profile(dir.path(), example, &server.base_url(), web));
        config.snapshots = authconform::snapshot::SnapshotMode::Off;
        let outcome = common::run_blocking(config);
        let failed = common::failures(&outcome);
        assert!(failed.is_empty(), "{example} through MailDev:\n{}", failed.join("\n"));
        assert!(outcome.passed() >= at_least, "{example}: only {} scenarios passed", outcome.passed());
    }
    // Each mail is deleted once read (a failed delete fails the read), so
    // the second reset mail of a scenario is read as itself, not as the first
    // again: RESET-09 (a new token each) passing shows it.
}
