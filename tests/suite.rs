//! The whole suite against the in-process reference passes, and writes its
//! report folder.
mod common;

use authconform::runner::ScenarioStatus;

#[test]
fn the_whole_suite_passes_against_the_reference_and_writes_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(vec![]);
    config.report_dir = Some(dir.path().to_path_buf());
    let outcome = common::run_blocking(config);
    let failed: Vec<_> = outcome
        .scenarios
        .iter()
        .filter(|s| s.status == ScenarioStatus::Failed)
        .map(|s| format!("{}:{} {}: {}", s.file, s.line, s.scenario, s.failure.as_deref().unwrap_or("")))
        .collect();
    assert!(failed.is_empty(), "scenarios failed against the reference:\n{}", failed.join("\n"));
    assert!(outcome.scenarios.len() >= 20, "only {} scenarios ran", outcome.scenarios.len());
    assert!(outcome.not_applicable.is_empty());
    let report = outcome.report_path.expect("a report folder");
    for file in ["junit.xml", "cucumber.json", "summary.md", "summary.json"] {
        let text = std::fs::read_to_string(report.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!text.is_empty(), "{file} is empty");
    }
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty());
}
