//! Snapshot steps on insta: explicit names (feature, scenario, name), an
//! absolute baseline folder per target, built-in and profile redactions,
//! `check` that never writes and `update` that records.
//!
//! insta is built for `cargo test`; three things adapt it to a runner:
//! its process-wide behaviour is set once from the run's mode (env, before
//! the first assertion), its settings are bound synchronously around the one
//! assertion (they are thread-local and the step's task may move between
//! threads at an await), and a comparator records the diff so that the
//! failing step carries it instead of insta's terminal output.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};

use crate::runner::SnapshotMode;

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

static CONFIGURE: Once = Once::new();

/// Sets insta's process-wide behaviour. The first call wins (insta caches its
/// configuration per process), so a process runs in one snapshot mode.
pub fn configure_process(mode: SnapshotMode, workspace: &Path) {
    CONFIGURE.call_once(|| {
        let update = match mode {
            SnapshotMode::Update => "always",
            SnapshotMode::Check | SnapshotMode::Off => "no",
        };
        std::env::set_var("INSTA_UPDATE", update);
        std::env::set_var("INSTA_FORCE_PASS", "0");
        std::env::set_var("INSTA_OUTPUT", "none");
        let root = workspace.canonicalize().unwrap_or_else(|_| workspace.to_path_buf());
        std::env::set_var("INSTA_WORKSPACE_ROOT", root);
    });
}

/// Records the diff when insta's comparison fails.
#[derive(Clone, Default)]
struct DiffRecorder(Arc<Mutex<Option<String>>>);

impl insta::Comparator for DiffRecorder {
    fn matches(&self, reference: &insta::Snapshot, test: &insta::Snapshot) -> bool {
        let same = insta::DefaultComparator.matches(reference, test);
        if !same {
            let old = text(reference);
            let new = text(test);
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bounded_diff(&old, &new));
        }
        same
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
        let recorder = DiffRecorder::default();
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
        match outcome {
            Ok(()) => Ok(()),
            Err(_) => {
                let diff = recorder.0.lock().unwrap_or_else(|e| e.into_inner()).take();
                Err(format!(
                    "snapshot `{name}` differs from its baseline {}:\n{}",
                    file.display(),
                    diff.unwrap_or_else(|| "(insta gave no diff)".into())
                ))
            }
        }
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
    fn names_are_stable_slugs() {
        assert_eq!(
            snapshot_name("Sign-up by one-time code", "A patient registers by e-mail!", "data owner"),
            "sign-up-by-one-time-code__a-patient-registers-by-e-mail__data-owner"
        );
    }
}
