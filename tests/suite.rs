//! The whole suite against the in-process reference passes, and writes its
//! report folder.
mod common;


#[test]
fn the_whole_suite_passes_against_the_reference_and_writes_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(vec![]);
    config.report_dir = Some(dir.path().to_path_buf());
    let outcome = common::run_blocking(config);
    let failed = common::failures(&outcome);
    assert!(failed.is_empty(), "scenarios failed against the reference:\n{}", failed.join("\n"));
    assert!(outcome.scenarios.len() >= 20, "only {} scenarios ran", outcome.scenarios.len());
    assert!(outcome.not_applicable.is_empty());
    let report = outcome.report_path.expect("a report folder");
    // Secrets never reach the reports: tokens (43 base64url characters from the
    // reference), Basic credentials, codes in validation URLs.
    let leaks = [
        regex::Regex::new(r#"["\s>][A-Za-z0-9_-]{43}["\s<]"#).unwrap(),
        regex::Regex::new(r"Basic [A-Za-z0-9+/=]{8,}").unwrap(),
        regex::Regex::new(r"validate/[0-9a-f-]{36}-\d{4,}").unwrap(),
        // JWTs (the partner's, the deep links') and mailed reset tokens.
        regex::Regex::new(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ").unwrap(),
        regex::Regex::new(r"token=[A-Za-z0-9_-]{16,}").unwrap(),
        // Codes in mails no step read (a control's start, an enumeration probe).
        regex::Regex::new(r"\b\d{4,12} is your validation code").unwrap(),
    ];
    for file in ["junit.xml", "cucumber.json", "summary.md", "summary.json", "report.html", "evidence.jsonl", "manifest.json"] {
        let text = std::fs::read_to_string(report.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!text.is_empty(), "{file} is empty");
        for re in &leaks {
            assert!(!re.is_match(&text), "{file} leaks a secret: {:?}", re.find(&text).map(|m| m.as_str()));
        }
    }
    let verification = authconform::report::verify(&report, None).unwrap();
    assert!(verification.problems.is_empty(), "a fresh bundle verifies: {:?}", verification.problems);
    assert_eq!(verification.files, 6, "junit, cucumber, summary.md/json, report.html, evidence.jsonl");
    let summary = std::fs::read_to_string(report.join("summary.json")).unwrap();
    assert!(summary.contains("[REDACTED:code]") && summary.contains("[REDACTED:token]"), "redaction markers expected in the evidence");
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty());
}
