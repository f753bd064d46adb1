//! Shared by the integration tests: run the suite in-process against the
//! embedded reference, with no console output and no report folder.
#![allow(dead_code)]
use std::path::PathBuf;

use authconform::model::RunOutcome;
use authconform::reference::Fault;
use authconform::runner::{run, RunConfig};
use authconform::snapshot::SnapshotMode;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn config(faults: Vec<Fault>) -> RunConfig {
    let mut c = RunConfig::new(root());
    c.progress = false;
    c.report_dir = None;
    c.snapshots = SnapshotMode::Check;
    c.faults = faults;
    c
}

pub fn run_blocking(config: RunConfig) -> RunOutcome {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(run(&config)).unwrap_or_else(|e| panic!("the run could not happen: {}", e.render()))
}

/// One line per scenario that did not pass (failed or ERROR), for assertion messages.
pub fn failures(outcome: &RunOutcome) -> Vec<String> {
    outcome
        .scenarios
        .iter()
        .filter(|s| s.status != authconform::model::ScenarioStatus::Passed)
        .map(|s| format!("{}:{} {:?} {}: {}", s.file, s.line, s.status, s.scenario, s.failure.as_deref().unwrap_or("")))
        .collect()
}

/// Secrets by shape: tokens (43 base64url characters from the reference),
/// Basic credentials, codes in validation URLs, JWTs, mailed reset tokens,
/// codes in mails no step read.
pub fn leak_shapes() -> Vec<regex::Regex> {
    [
        r#"["\s>][A-Za-z0-9_-]{43}["\s<]"#,
        r"Basic [A-Za-z0-9+/=]{8,}",
        r"validate/[0-9a-f-]{36}-\d{4,}",
        r"eyJ[A-Za-z0-9_-]{10,}\.eyJ",
        r"token=[A-Za-z0-9_-]{16,}",
        r"\b\d{4,12} is your validation code",
    ]
    .iter()
    .map(|r| regex::Regex::new(r).unwrap())
    .collect()
}

/// Every file of a report folder, as text.
pub fn report_texts(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Fails when `text` holds a secret by shape, or any of `secrets` (the
/// values the reference issued or received, its ledger) verbatim. A code of
/// digits only counts where it stands alone: not inside a longer number, a
/// hex id or a JSON number, where six digits occur by chance.
pub fn assert_no_leaks(what: &str, text: &str, secrets: &[String]) {
    for re in leak_shapes() {
        assert!(!re.is_match(text), "{what} leaks a secret: {:?}", re.find(text).map(|m| m.as_str()));
    }
    for s in secrets {
        if s.chars().all(|c| c.is_ascii_digit()) {
            let re = regex::Regex::new(&format!(r"(^|[^0-9a-fA-F.])({s})($|[^0-9a-fA-F.])")).unwrap();
            for m in re.captures_iter(text) {
                let start = m.get(2).unwrap().start();
                let number = text[..start].ends_with(": ") || text[..start].ends_with(':');
                assert!(
                    number,
                    "{what} leaks the code {s}: …{}…",
                    &text[start.saturating_sub(80)..(start + 20).min(text.len())]
                );
            }
        } else {
            let at = text.find(s.as_str());
            assert!(
                at.is_none(),
                "{what} leaks a secret the reference issued or received ({} characters): …{}…",
                s.len(),
                at.map(|i| &text[i.saturating_sub(80)..i]).unwrap_or_default()
            );
        }
    }
}

/// Makes sure a tool the test needs is on this machine: when `present`
/// says it is missing, runs `scripts/setup.sh` (which installs Chromium,
/// python3-venv, Node.js and npm from Debian when missing), so the
/// README's `cargo test --release` works on a fresh machine by itself.
pub fn ensure_tool(present: impl Fn() -> bool, what: &str) {
    if present() {
        return;
    }
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/setup.sh"))
        .output()
        .unwrap_or_else(|e| panic!("{what} is missing and scripts/setup.sh could not run: {e}"));
    assert!(
        out.status.success() && present(),
        "{what} is missing and scripts/setup.sh did not install it:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `program` runs (`program --version` exits 0).
pub fn runs(program: &str) -> bool {
    std::process::Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
}
