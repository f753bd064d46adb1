//! `authconform load` against the embedded reference: the ordinary run's
//! verdicts, then virtual users; per-operation histograms in load.json that
//! merge exactly across shards; and a defect only load finds
//! (`process-table-fills`: starts answer 503 once 200 processes were made,
//! which one run of the scenario never reaches) reported as a requirement
//! that passed alone and failed under load, failing the run.
mod common;

use std::num::NonZeroUsize;
use std::time::Duration;

use authconform::model::{Latencies, RunOutcome};
use authconform::reference::Fault;
use authconform::runner::LoadSettings;

/// A load run, and every secret the reference issued or received in it.
fn load(faults: Vec<Fault>, reports: &std::path::Path) -> (RunOutcome, Vec<String>) {
    let mut c = common::config(faults);
    let ledger = authconform::reference::Ledger::new();
    c.reference_ledger = Some(ledger.clone());
    // One scenario, one start and two submits a run, no key pair: fast
    // enough for the virtual users to make hundreds of starts.
    c.tags = Some("@req:OTP-CODE-03".into());
    c.report_dir = Some(reports.to_path_buf());
    c.load = Some(LoadSettings { users: NonZeroUsize::new(8).unwrap(), duration: Duration::from_secs(3) });
    let outcome = common::run_blocking(c);
    (outcome, ledger.values())
}

/// The load phase redacts with secrets it forgets after each pass: what it
/// wrote (the failures under load above all) must hold none of them.
fn assert_reports_hold_no_secret(o: &RunOutcome, secrets: &[String]) {
    for (name, text) in common::report_texts(o.report_path.as_ref().unwrap()) {
        common::assert_no_leaks(&name, &text, secrets);
    }
}

#[test]
fn virtual_users_measure_each_operation_and_shards_merge_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let runs: Vec<RunOutcome> = (0..2)
        .map(|i| {
            let (o, secrets) = load(vec![], &tmp.path().join(format!("shard-{i}")));
            assert!(secrets.len() > 100, "the virtual users made hundreds of codes: {}", secrets.len());
            assert_reports_hold_no_secret(&o, &secrets);
            o
        })
        .collect();
    for o in &runs {
        assert!(common::failures(o).is_empty(), "{:?}", common::failures(o));
        assert_eq!(o.exit_code(), 0);
        let l = o.load.as_ref().expect("a load summary");
        assert_eq!(l.users, 8);
        assert!(l.failed_under_load.is_empty(), "{:?}", l.failed_under_load);
        assert!(l.scenarios_passed > 8, "every user ran the scenario more than once: {}", l.scenarios_passed);
        assert_eq!(l.scenarios_failed + l.scenarios_error, 0);
        let ops: Vec<&str> = l.operations.iter().map(|o| o.operation.as_str()).collect();
        assert_eq!(ops, ["otp.start", "otp.validate"]);
        for op in &l.operations {
            let h = Latencies::decode(&op.histogram).unwrap();
            assert_eq!(h.count(), op.count, "{}: the histogram holds every answer", op.operation);
            assert!(op.p50_ms <= op.p95_ms && op.p95_ms <= op.p99_ms && op.p99_ms <= op.max_ms, "{op:?}");
        }
        let dir = o.report_path.as_ref().unwrap();
        assert!(authconform::report::verify(dir, None).unwrap().problems.is_empty());
        let written: authconform::model::LoadSummary =
            serde_json::from_str(&std::fs::read_to_string(dir.join("load.json")).unwrap()).unwrap();
        assert_eq!(written.operations.len(), 2);
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(html.contains("id=\"load-operations\"") && html.contains("class=\"load-plot\""));
    }

    // Merged, the histograms add: counts sum, and the merged median lies
    // between the shards' own.
    let dirs: Vec<_> = runs.iter().map(|o| o.report_path.clone().unwrap()).collect();
    let catalogue =
        authconform::requirements::Catalogue::load(&common::root().join("scenarios/requirements.yaml")).unwrap();
    let merged = authconform::report::merge_reports(&dirs, &tmp.path().join("merged"), catalogue, None).unwrap();
    let m = merged.load.as_ref().unwrap();
    assert_eq!(m.users, 16);
    for op in &m.operations {
        let shards: Vec<_> = runs
            .iter()
            .map(|o| o.load.as_ref().unwrap().operations.iter().find(|x| x.operation == op.operation).unwrap())
            .collect();
        assert_eq!(op.count, shards.iter().map(|s| s.count).sum::<u64>(), "{}", op.operation);
        let (lo, hi) = (shards[0].p50_ms.min(shards[1].p50_ms), shards[0].p50_ms.max(shards[1].p50_ms));
        assert!(lo <= op.p50_ms && op.p50_ms <= hi, "{}: merged median {} outside {lo}..{hi}", op.operation, op.p50_ms);
    }
    assert!(merged.report_path.unwrap().join("load.json").is_file());
}

#[test]
fn a_defect_only_load_finds_fails_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, secrets) = load(vec![Fault::ProcessTableFills], tmp.path());
    assert_reports_hold_no_secret(&o, &secrets);
    assert!(common::failures(&o).is_empty(), "alone, the scenario passes: {:?}", common::failures(&o));
    let l = o.load.as_ref().unwrap();
    let f = l.failed_under_load.iter().find(|f| f.requirement == "OTP-CODE-03").unwrap_or_else(|| panic!("{l:?}"));
    assert!(f.failures > 0 && f.failures <= f.runs, "{f:?}");
    assert!(f.message.contains("503"), "the failure names the target's answer: {}", f.message);
    assert!(l.operations.iter().any(|op| op.operation == "otp.start" && op.server_errors > 0));
    assert_eq!(o.exit_code(), 1, "a MUST requirement that breaks under load does not conform");
    let summary = authconform::report::console_summary(&o);
    assert!(summary.contains("FAIL UNDER LOAD OTP-CODE-03"), "{summary}");
}

#[test]
fn a_stop_during_the_load_phase_ends_it_with_its_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = common::config(vec![]);
    c.tags = Some("@req:OTP-CODE-03".into());
    c.report_dir = Some(tmp.path().to_path_buf());
    // Far longer than the test: only the stop can end the phase.
    c.load = Some(LoadSettings { users: NonZeroUsize::new(2).unwrap(), duration: Duration::from_secs(3600) });
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let stop = async {
        // The ordinary run of one scenario takes well under a second.
        tokio::time::sleep(Duration::from_secs(3)).await;
        "interrupted (SIGINT)".to_string()
    };
    let o = rt.block_on(authconform::runner::run_until(&c, stop)).unwrap_or_else(|e| panic!("{}", e.render()));
    assert!(o.incomplete.is_none(), "the ordinary run had finished");
    assert!(o.notes.iter().any(|n| n.contains("load phase ended early (interrupted (SIGINT))")), "{:?}", o.notes);
    let l = o.load.as_ref().expect("the figures of the time it ran");
    assert!(l.scenarios_passed > 0 && !l.operations.is_empty(), "{l:?}");
    assert!(o.report_path.as_ref().unwrap().join("load.json").is_file());
}

#[test]
fn bad_load_options_exit_2_naming_the_option_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, option, says) in [
        (["--users", "0"], "--users", "at least 1"),
        (["--duration", "0s"], "--duration", "longer than 0s"),
        (["--duration", "soon"], "--duration", "soon"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_authconform"))
            .arg("load")
            .args(args)
            .arg("--report-dir")
            .arg(tmp.path())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(authconform::exit::USAGE), "{args:?}: {err}");
        assert!(err.contains(option) && err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing ran, no report was written");
}
