//! A known deviation, listed in an expected-failures file, does not block a
//! release but stays visible: the run exits 0, the requirement reads
//! EXPECTED FAIL with the reason, and an entry that stops failing is noted.
mod common;

use authconform::reference::Fault;
use authconform::report::{console_summary, requirement_verdicts};

fn run(fault: Option<Fault>, file: Option<&std::path::Path>) -> authconform::model::RunOutcome {
    let mut c = common::config(fault.into_iter().collect());
    c.name = Some(regex::Regex::new("reset link works once").unwrap());
    c.expected_failures = file.map(std::path::Path::to_path_buf);
    common::run_blocking(c)
}

#[test]
fn an_expected_failure_is_reported_and_does_not_block() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("expected.yaml");
    std::fs::write(
        &file,
        "expected_failures:\n  - requirement: RESET-02\n    target: reference\n    reason: PARTNER-123, reset links reusable until the January release\n  - scenario: A code works once\n    target: another-partner\n    reason: not this target\n",
    )
    .unwrap();

    let plain = run(Some(Fault::SsoResetLinkReusable), None);
    assert_eq!(plain.exit_code(), 1, "without the file the fault fails the run");

    let known = run(Some(Fault::SsoResetLinkReusable), Some(&file));
    assert_eq!(known.exit_code(), 0, "a covered failure does not block");
    let v = requirement_verdicts(&known);
    assert_eq!(v.iter().find(|r| r.id == "RESET-02").unwrap().verdict.label(), "EXPECTED FAIL");
    assert!(console_summary(&known).contains("expected failure: A reset link works once"));

    // Fixed at the target: the entry is reported as one to remove.
    let fixed = run(None, Some(&file));
    assert_eq!(fixed.exit_code(), 0);
    assert_eq!(fixed.unexpected_passes.len(), 1);
    assert!(console_summary(&fixed).contains("expected to fail but passed: RESET-02"));

    // A malformed entry is a usage error with its place.
    std::fs::write(&file, "expected_failures:\n  - target: reference\n    reason: names nothing\n").unwrap();
    let mut c = common::config(vec![]);
    c.expected_failures = Some(file.clone());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt.block_on(authconform::runner::run(&c)).map(|_| ()).unwrap_err();
    assert_eq!(err.exit_code(), authconform::exit::USAGE);
    assert!(err.render().contains("expected.yaml:2:3"), "{}", err.render());

    // An entry naming a requirement or scenario that does not exist would
    // excuse nothing, silently: a usage error at the entry.
    for (entry, says) in [
        ("requirement: SSO-RESET-99", "requirement `SSO-RESET-99` is not in the requirement catalogue"),
        ("scenario: A reset link works twice", "no feature file has a scenario named `A reset link works twice`"),
    ] {
        std::fs::write(&file, format!("expected_failures:\n  - requirement: RESET-02\n    target: reference\n    reason: PARTNER-1\n  - {entry}\n    target: reference\n    reason: a typo\n")).unwrap();
        let err = rt.block_on(authconform::runner::run(&c)).map(|_| ()).unwrap_err();
        assert_eq!(err.exit_code(), authconform::exit::USAGE);
        let shown = err.render();
        assert!(
            shown.contains("expected.yaml:5:3") && shown.contains(says),
            "the entry is named, at its line: {shown}"
        );
    }
}
