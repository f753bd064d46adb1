//! Snapshot steps on insta: explicit names (feature, scenario, name), an
//! absolute baseline folder per target, built-in and profile redactions,
//! `check` that never writes and `update` that records.
//!
//! insta is built for `cargo test`; three things adapt it to a runner:
//! its process-wide behaviour comes from the environment, which the binary
//! sets from the run's mode before any thread starts and the library only
//! checks (`check_environment`), its settings are bound synchronously around the one
//! assertion (they are thread-local and the step's task may move between
//! threads at an await), and a comparator records the diff so that the
//! failing step carries it instead of insta's terminal output.
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What snapshot steps do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    /// Compare with the baselines, never write (CI).
    Check,
    /// Record new baselines.
    Update,
    /// Snapshot steps pass without comparing.
    Off,
}

/// Selectors redacted in every snapshot: identifiers, revisions, times,
/// secrets and key material differ on every run by design.
pub const BUILT_IN_REDACTIONS: &[(&str, &str)] = &[
    (".**.id", "[id]"),
    (".**.requestId", "[id]"),
    (".**.userId", "[id]"),
    (".**.dataOwnerId", "[id]"),
    (".**.patientId", "[id]"),
    (".**.healthcarePartyId", "[id]"),
    (".**.owner", "[id]"),
    (".**.delegations[]", "[id]"),
    (".**.rev", "[rev]"),
    (".**.created", "[timestamp]"),
    (".**.modified", "[timestamp]"),
    (".**.login", "[login]"),
    (".**.firstName", "[name]"),
    (".**.lastName", "[name]"),
    (".**.publicKeys[]", "[public-key]"),
    (".**.encryptedSelf", "[ciphertext]"),
    (".**.encryptionKeys", "[wrapped-keys]"),
    (".**.token", "[token]"),
    (".**.shareWith[]", "[id]"),
    (".**.dataOwnerConcernedId", "[id]"),
    (".**.dataOwnerConcernedPubKey", "[public-key]"),
    (".**.transferKeys", "[transfer-keys]"),
];

#[derive(Debug, Clone)]
pub struct SnapshotSettings {
    pub mode: SnapshotMode,
    /// `scenarios/snapshots/<target>/`, absolute.
    pub dir: PathBuf,
    /// Profile redactions on top of the built-in ones.
    pub redactions: Vec<(String, String)>,
}

/// What the binary puts in its environment, before it starts any thread,
/// for a run in `mode`: insta takes its update mode, its output and its
/// workspace from the process environment only. The library never sets it
/// (a process's environment is its owner's, and setting it while threads
/// run is unsound); in `check` mode it needs none of it (see
/// [`DiffRecorder`]), and [`check_environment`] refuses what would make
/// insta write anyway.
pub fn insta_environment(mode: SnapshotMode, workspace: &Path) -> Vec<(&'static str, OsString)> {
    let update = match mode {
        SnapshotMode::Update => "always",
        SnapshotMode::Check | SnapshotMode::Off => "no",
    };
    let root = workspace.canonicalize().unwrap_or_else(|_| workspace.to_path_buf());
    vec![
        ("INSTA_UPDATE", update.into()),
        ("INSTA_FORCE_PASS", "0".into()),
        ("INSTA_OUTPUT", "none".into()),
        ("INSTA_WORKSPACE_ROOT", root.into_os_string()),
    ]
}

/// Why the process environment does not fit the run's snapshot mode.
#[derive(Debug, thiserror::Error)]
#[error("--snapshots {mode} needs INSTA_UPDATE={wanted} in the environment, but {found}; the binary sets it before it starts (library users: `snapshot::insta_environment`)")]
pub struct EnvironmentError {
    mode: &'static str,
    wanted: &'static str,
    found: String,
}

/// Checks, without changing anything, that insta will do what `mode` says:
/// `update` records (insta writes only when told by its environment);
/// `check` never writes, whatever the environment, except under
/// `INSTA_UPDATE=force`, which rewrites even a matching baseline.
pub fn check_environment(mode: SnapshotMode) -> Result<(), EnvironmentError> {
    environment_fits(mode, std::env::var("INSTA_UPDATE").ok().as_deref())
}

fn environment_fits(mode: SnapshotMode, found: Option<&str>) -> Result<(), EnvironmentError> {
    let shown = || found.map_or("it is unset".to_string(), |v| format!("it is `{v}`"));
    match mode {
        SnapshotMode::Off => Ok(()),
        SnapshotMode::Check if found == Some("force") => {
            Err(EnvironmentError { mode: "check", wanted: "no", found: shown() })
        }
        SnapshotMode::Check => Ok(()),
        SnapshotMode::Update if found == Some("always") => Ok(()),
        SnapshotMode::Update => Err(EnvironmentError { mode: "update", wanted: "always", found: shown() }),
    }
}

/// Records the diff when insta's comparison fails. In `check` mode it then
/// tells insta the snapshots match: the step fails on the recorded diff,
/// and insta, seeing no mismatch, writes nothing and prints nothing,
/// whatever its environment says. In `update` mode insta hears the truth
/// and records the new baseline.
#[derive(Clone)]
struct DiffRecorder {
    diff: Arc<Mutex<Option<String>>>,
    mode: SnapshotMode,
}

impl insta::Comparator for DiffRecorder {
    fn matches(&self, reference: &insta::Snapshot, test: &insta::Snapshot) -> bool {
        let same = insta::DefaultComparator.matches(reference, test);
        if !same {
            let old = text(reference);
            let new = text(test);
            *self.diff.lock().unwrap_or_else(|e| e.into_inner()) = Some(bounded_diff(&old, &new));
        }
        same || self.mode == SnapshotMode::Check
    }

    fn dyn_clone(&self) -> Box<dyn insta::Comparator> {
        Box::new(self.clone())
    }
}

/// At most this many lines of a diff, each at most `MAX_DIFF_LINE` characters:
/// a failure message (and every report that carries it) stays readable and
/// small however large the replies compared were.
const MAX_DIFF_LINES: usize = 80;
const MAX_DIFF_LINE: usize = 240;

/// A unified diff of two snapshots, computed within a time budget (a diff
/// of two multi-megabyte bodies would otherwise take minutes) and cut to
/// `MAX_DIFF_LINES` lines, saying how much was left out.
fn bounded_diff(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::configure().timeout(std::time::Duration::from_millis(500)).diff_lines(old, new);
    let full = diff.unified_diff().context_radius(3).header("baseline", "actual").to_string();
    let total = full.lines().count();
    let mut out: String =
        full.lines().take(MAX_DIFF_LINES).map(|l| crate::redact::cut(l, MAX_DIFF_LINE) + "\n").collect();
    if total > MAX_DIFF_LINES {
        out.push_str(&format!(
            "… {} more line(s) of diff left out (baseline {} bytes, actual {} bytes)\n",
            total - MAX_DIFF_LINES,
            old.len(),
            new.len()
        ));
    }
    out
}

fn text(s: &insta::Snapshot) -> String {
    match s.contents() {
        insta::internals::SnapshotContents::Text(t) => t.to_string(),
        _ => String::from("<binary>"),
    }
}

/// `feature name` + `scenario name` + `name` -> a file-name-safe snapshot name.
pub fn snapshot_name(feature: &str, scenario: &str, name: &str) -> String {
    [feature, scenario, name].iter().map(|s| slug(s)).collect::<Vec<_>>().join("__")
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

impl SnapshotSettings {
    /// Compares (or records) `value`, already redacted of run secrets.
    pub fn assert(&self, name: &str, value: &serde_json::Value) -> Result<(), String> {
        if self.mode == SnapshotMode::Off {
            return Ok(());
        }
        let file = self.dir.join(format!("{name}.snap"));
        if self.mode == SnapshotMode::Check && !file.exists() {
            return Err(format!(
                "no baseline for snapshot `{name}` at {}; record it with `--snapshots update` and review it",
                file.display()
            ));
        }
        let recorder = DiffRecorder { diff: Arc::default(), mode: self.mode };
        let mut settings = insta::Settings::new();
        settings.set_snapshot_path(&self.dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_sort_maps(true);
        settings.set_comparator(Box::new(recorder.clone()));
        for (selector, replacement) in BUILT_IN_REDACTIONS {
            settings.add_redaction(selector, *replacement);
        }
        for (selector, replacement) in &self.redactions {
            settings.add_redaction(selector, replacement.as_str());
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_json_snapshot!(name, value));
        }));
        let diff = recorder.diff.lock().unwrap_or_else(|e| e.into_inner()).take();
        let failed = outcome.is_err() || (self.mode == SnapshotMode::Check && diff.is_some());
        if !failed {
            return Ok(());
        }
        Err(format!(
            "snapshot `{name}` differs from its baseline {}:\n{}",
            file.display(),
            diff.unwrap_or_else(|| "(insta gave no diff)".into())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_are_bounded_in_lines_and_width() {
        let old: String = (0..5000).map(|i| format!("\"field{i}\": {i},\n")).collect();
        let new: String = (0..5000).map(|i| format!("\"field{i}\": {},{}\n", i + 1, "x".repeat(i % 7 * 100))).collect();
        let diff = bounded_diff(&old, &new);
        assert_eq!(diff.lines().count(), MAX_DIFF_LINES + 1, "{diff}");
        assert!(diff.lines().all(|l| l.chars().count() <= MAX_DIFF_LINE + 1));
        assert!(diff.ends_with("bytes)\n") && diff.contains("more line(s) of diff left out"), "{diff}");
        let small = bounded_diff("a\nb\n", "a\nc\n");
        assert!(small.contains("-b") && small.contains("+c") && !small.contains("left out"), "{small}");
    }

    #[test]
    fn the_environment_is_checked_not_set() {
        for found in [None, Some("no"), Some("auto"), Some("always")] {
            assert!(environment_fits(SnapshotMode::Check, found).is_ok(), "{found:?}");
        }
        let forced = environment_fits(SnapshotMode::Check, Some("force")).unwrap_err().to_string();
        assert!(forced.contains("INSTA_UPDATE=no") && forced.contains("it is `force`"), "{forced}");
        assert!(environment_fits(SnapshotMode::Update, Some("always")).is_ok());
        let unset = environment_fits(SnapshotMode::Update, None).unwrap_err().to_string();
        assert!(unset.contains("INSTA_UPDATE=always") && unset.contains("unset"), "{unset}");
        let env = insta_environment(SnapshotMode::Update, Path::new("."));
        assert!(env.iter().any(|(k, v)| *k == "INSTA_UPDATE" && v == "always"));
    }

    #[test]
    fn names_are_stable_slugs() {
        assert_eq!(
            snapshot_name("Sign-up by one-time code", "A patient registers by e-mail!", "data owner"),
            "sign-up-by-one-time-code__a-patient-registers-by-e-mail__data-owner"
        );
    }
}
