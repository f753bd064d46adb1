//! A real implementation nobody here wrote: a small Django app around
//! django-allauth's headless API (pinned in tests/targets/allauth/), started
//! twice, once per set-up of its settings, sending its mail to the harness's
//! SMTP sink (a third time with allauth's JWT token strategy, for the JWT
//! forgeries). The harness certifies it with a profile alone, and every
//! requirement's verdict must be the one `expected.yaml` gives, with its
//! reason from the library's documentation: where the library deviates the
//! suite says so, where it conforms the suite does not fail it.
//!
//! The app's Python environment is installed on first use from the package
//! registry into `target/allauth-venv` (python3 with venv and pip needed).
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(serde::Deserialize)]
struct Expected {
    verdict: String,
    reason: String,
}

fn app_dir() -> PathBuf {
    common::root().join("tests/targets/allauth")
}

/// The virtual environment with the pinned requirements, made once.
fn venv() -> PathBuf {
    let venv_works =
        || Command::new("python3").args(["-c", "import venv, ensurepip"]).output().is_ok_and(|o| o.status.success());
    common::ensure_tool(venv_works, "python3 with venv");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| common::root().join("target"));
    let venv = target.join("allauth-venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("installed.txt");
    let wanted = std::fs::read_to_string(app_dir().join("requirements.txt")).unwrap();
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e} (python3 with venv and pip is needed)"));
        assert!(out.status.success(), "{what} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv");
    run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r"])
            .arg(app_dir().join("requirements.txt")),
        "pip install of tests/targets/allauth/requirements.txt",
    );
    std::fs::write(&stamp, wanted).unwrap();
    python
}

/// allauth's session tokens (32 lower-case letters and digits, quoted) and
/// the passwords the harness makes (`pw-<name>-<12 hex>`).
fn secret_shapes() -> Vec<regex::Regex> {
    [r#""[a-z0-9]{32}""#, r"pw-[a-z]+-[0-9a-f]{12}"].iter().map(|r| regex::Regex::new(r).unwrap()).collect()
}

/// The scenarios a set-up runs, where not all: the JWT set-up shares the
/// password set-up's accounts, so only what its tokens change runs again
/// (the password, session and JWT scenarios; not the timing and guessing
/// series, which take half a minute and judge the same backend).
fn tags(mode: &str) -> Option<String> {
    (mode == "jwt").then(|| "@jwt or @password".to_string())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The app, killed when dropped.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lifetimes the app is started with, in seconds: code, session, reset.
const LIFETIMES: (&str, &str, &str) = ("6", "10", "6");

fn start_app(python: &Path, mode: &str, db: &Path, http: u16, smtp: u16, lifetimes: (&str, &str, &str)) -> App {
    let child = Command::new(python)
        .arg(app_dir().join("serve.py"))
        .arg(format!("127.0.0.1:{http}"))
        .env("ALLAUTH_MODE", mode)
        // Nothing written beside the sources.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("ALLAUTH_DB", db)
        .env("ALLAUTH_SMTP_HOST", "127.0.0.1")
        .env("ALLAUTH_SMTP_PORT", smtp.to_string())
        .env("ALLAUTH_CODE_SECONDS", lifetimes.0)
        .env("ALLAUTH_SESSION_SECONDS", lifetimes.1)
        .env("ALLAUTH_RESET_SECONDS", lifetimes.2)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let app = App(child);
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{http}/_allauth/app/v1/config");
    while std::net::TcpStream::connect(("127.0.0.1", http)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the allauth app did not start within 20 s ({url})");
        std::thread::sleep(Duration::from_millis(100));
    }
    app
}

#[test]
fn django_allauth_gets_the_verdicts_its_documentation_predicts() {
    let python = venv();
    let expected: BTreeMap<String, BTreeMap<String, Expected>> =
        serde_yaml::from_str(&std::fs::read_to_string(app_dir().join("expected.yaml")).unwrap()).unwrap();
    let mut problems = Vec::new();
    for (mode, table) in &expected {
        let dir = tempfile::tempdir().unwrap();
        let (http, smtp) = (free_port(), free_port());
        // What common.yaml's `lifetimes:` declares.
        let _app = start_app(&python, mode, &dir.path().join("db.sqlite3"), http, smtp, LIFETIMES);
        // The profile's ${ALLAUTH_URL} and ${ALLAUTH_SMTP}: this test is the
        // only one of its binary, so the process environment is its own.
        std::env::set_var("ALLAUTH_URL", format!("http://127.0.0.1:{http}"));
        std::env::set_var("ALLAUTH_SMTP", format!("127.0.0.1:{smtp}"));
        let mut config = common::config(vec![]);
        config.target = Some(app_dir().join(format!("{mode}.yaml")));
        config.snapshots = authconform::snapshot::SnapshotMode::Off;
        config.report_dir = Some(dir.path().join("reports"));
        config.tags = tags(mode);
        let started = Instant::now();
        let outcome = common::run_blocking(config);
        println!("{mode}: {} scenarios in {:.1} s", outcome.scenarios.len(), started.elapsed().as_secs_f64());
        // Secrets the harness never chose: allauth's session tokens (flow
        // tokens too, extracted under their own names) and the passwords it was given.
        let report = outcome.report_path.clone().expect("a report folder");
        for (file, text) in common::report_texts(&report) {
            if let Some(m) = secret_shapes().iter().find_map(|re| re.find(&text)) {
                problems.push(format!("{mode}: {file} holds a secret unredacted: {}", m.as_str()));
            }
        }
        let verdicts: BTreeMap<String, String> = authconform::report::requirement_verdicts(&outcome)
            .into_iter()
            .map(|v| (v.id, v.verdict.label().to_string()))
            .collect();
        for (id, got) in &verdicts {
            match table.get(id) {
                // `A|B`: the library's documented behaviour depends on timing.
                Some(e) if e.verdict.split('|').any(|v| v == got) => {}
                Some(e) => problems.push(format!(
                    "{mode}: {id} is {got}, expected {} ({})\n{}",
                    e.verdict,
                    e.reason,
                    common::failures(&outcome).join("\n")
                )),
                None if got == "NOT APPLICABLE" => {}
                None if got == "NOT RUN" && tags(mode).is_some() => {}
                None => problems.push(format!("{mode}: {id} is {got}, which expected.yaml does not predict")),
            }
        }
        for id in table.keys().filter(|id| !verdicts.contains_key(*id)) {
            problems.push(format!("{mode}: {id} has no verdict"));
        }
    }
    assert!(problems.is_empty(), "django-allauth verdicts differ:\n{}", problems.join("\n"));

    // The real-time expiry check can say no: the same app started with
    // Django's 3-day reset lifetime, while the profile declares 6 s.
    let dir = tempfile::tempdir().unwrap();
    let (http, smtp) = (free_port(), free_port());
    let _app = start_app(&python, "password", &dir.path().join("db.sqlite3"), http, smtp, ("6", "10", "259200"));
    std::env::set_var("ALLAUTH_URL", format!("http://127.0.0.1:{http}"));
    std::env::set_var("ALLAUTH_SMTP", format!("127.0.0.1:{smtp}"));
    let mut config = common::config(vec![]);
    config.target = Some(app_dir().join("password.yaml"));
    config.snapshots = authconform::snapshot::SnapshotMode::Off;
    config.name = Some(regex::Regex::new("reset link expires").unwrap());
    let outcome = common::run_blocking(config);
    assert_eq!(outcome.failed_requirements, ["RESET-03"], "{}", common::failures(&outcome).join("\n"));
}
