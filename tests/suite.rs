//! The whole suite against the in-process reference passes, and writes its
//! report folder.
mod common;

#[test]
fn the_whole_suite_passes_against_the_reference_and_writes_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(vec![]);
    config.report_dir = Some(dir.path().to_path_buf());
    let ledger = authconform::reference::Ledger::new();
    config.reference_ledger = Some(ledger.clone());
    let outcome = common::run_blocking(config);
    let failed = common::failures(&outcome);
    assert!(failed.is_empty(), "scenarios failed against the reference:\n{}", failed.join("\n"));
    assert!(outcome.scenarios.len() >= 20, "only {} scenarios ran", outcome.scenarios.len());
    // The reference's profile declares every family but `password`: its
    // plain accounts API is certified through examples/password-service.yaml
    // (and its session JWTs with it: the iCure tokens are not JWTs, so this
    // profile leaves out `jwt` and `jwks` too).
    let password_side = |m: &String| ["password", "jwt", "jwks"].contains(&m.as_str());
    let left_out: Vec<_> = outcome
        .not_applicable
        .iter()
        .filter(|n| !(n.missing.iter().any(|m| m == "password") && n.missing.iter().all(password_side)))
        .map(|n| &n.scenario)
        .collect();
    assert!(left_out.is_empty(), "not applicable for another reason than the password family: {left_out:?}");
    let report = outcome.report_path.expect("a report folder");
    // Every secret the reference issued or received (codes, tokens, reset
    // tokens, JWTs, passwords) is looked for verbatim in every file of the
    // report, besides the shapes of secrets.
    let issued = ledger.values();
    assert!(issued.len() > 50, "the ledger kept {} secrets", issued.len());
    // The scan itself catches a planted code and token.
    let code =
        issued.iter().find(|s| s.len() == 6 && s.chars().all(|c| c.is_ascii_digit())).expect("a code was issued");
    let token = issued.iter().find(|s| s.len() == 43).expect("a token was issued");
    for planted in [format!("<td>your code {code}</td>"), format!("{{\"tok\": \"x{token}x\"}}")] {
        assert!(
            std::panic::catch_unwind(|| common::assert_no_leaks("planted", &planted, &issued)).is_err(),
            "the scan missed {planted}"
        );
    }
    let files = common::report_texts(&report);
    assert!(files.len() >= 7, "{:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
    for (file, text) in &files {
        assert!(!text.is_empty(), "{file} is empty");
        common::assert_no_leaks(file, text, &issued);
    }
    let verification = authconform::report::verify(&report, None).unwrap();
    assert!(verification.problems.is_empty(), "a fresh bundle verifies: {:?}", verification.problems);
    assert_eq!(verification.files, 6, "junit, cucumber, summary.md/json, report.html, evidence.jsonl");
    let summary = std::fs::read_to_string(report.join("summary.json")).unwrap();
    assert!(
        summary.contains("[REDACTED:code]") && summary.contains("[REDACTED:token]"),
        "redaction markers expected in the evidence"
    );
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}
