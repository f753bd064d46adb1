//! The timing check (features/security/timing.feature) against the
//! embedded reference's plain accounts API: the clean reference is not
//! flagged, each timing fault is flagged by the requirement that claims
//! it and by nothing else, and report.html draws both distributions.
//! BENCHMARKS.md says how long this takes and how often it held in 20 runs
//! (scripts/timing-stability.sh).
use authconform::reference::Fault;

mod common;

fn timed(fault: Option<Fault>) -> (authconform::model::RunOutcome, tempfile::TempDir) {
    let reports = tempfile::tempdir().unwrap();
    let mut config = common::config(fault.into_iter().collect());
    config.target = Some(common::root().join("scenarios/targets/examples/password-service.yaml"));
    config.embedded = true;
    config.tags = Some("@timing".into());
    config.snapshots = authconform::snapshot::SnapshotMode::Off;
    config.report_dir = Some(reports.path().to_path_buf());
    (common::run_blocking(config), reports)
}

#[test]
fn the_timing_check_flags_its_faults_and_not_the_clean_reference() {
    let (clean, reports) = timed(None);
    assert!(
        common::failures(&clean).is_empty(),
        "the clean reference was flagged:\n{}",
        common::failures(&clean).join("\n")
    );
    assert_eq!(clean.passed(), 2);
    let timings: Vec<_> = clean.scenarios.iter().flat_map(|s| s.evidence.timings.iter()).collect();
    assert_eq!(timings.len(), 2);
    for t in &timings {
        assert_eq!((t.first_ms.len(), t.second_ms.len()), (30, 30), "{}", t.operation);
        assert!(t.comparison.is_some() && !t.flagged(), "{t:?}");
    }
    let report = clean.report_path.clone().expect("a report folder");
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timing\"").count(), 2);
    assert_eq!(html.matches("<circle").count(), 4 * 30, "every sample is drawn");
    drop(reports);

    for (fault, requirement) in [(Fault::LoginSkipsHash, "SEC-TIME-01"), (Fault::ResetMailSynchronous, "SEC-TIME-02")] {
        let (outcome, _reports) = timed(Some(fault));
        assert_eq!(outcome.failed_requirements, [requirement], "{}", common::failures(&outcome).join("\n"));
        let flagged: Vec<_> =
            outcome.scenarios.iter().flat_map(|s| s.evidence.timings.iter()).filter(|t| t.flagged()).collect();
        assert_eq!(flagged.len(), 1, "{fault:?}");
        let c = flagged[0].comparison.unwrap();
        assert!(c.low_ms > flagged[0].threshold_ms, "{fault:?}: a fault's gap is clear of the threshold: {c:?}");
    }
}
