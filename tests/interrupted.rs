//! A run stopped before its end still leaves a report, marked INCOMPLETE:
//! a caught signal (SIGINT) finishes the folder at once with what ran and
//! lists what did not; a process killed outright leaves a staging folder
//! the next run into the same folder finishes. Nothing is left hidden.
#![cfg(unix)]
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// The whole default suite, one scenario at a time: about 7 s, long enough
/// to be stopped in the middle.
fn slow_run(reports: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_authconform"))
        .current_dir(common::root())
        .args(["run", "--concurrency", "1", "--report-dir"])
        .arg(reports)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Waits until the run has its staging folder and a scenario or two have
/// had time to finish.
fn wait_for_staging(reports: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !entries(reports).iter().any(|p| name(p).starts_with(".staging-")) {
        assert!(Instant::now() < deadline, "the run never created its staging folder");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1500));
}

fn signal(child: &Child, sig: &str) {
    assert!(Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success());
}

#[test]
fn an_interrupted_run_writes_an_incomplete_report_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let child = slow_run(&reports);
    wait_for_staging(&reports);
    signal(&child, "-INT");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(authconform::exit::HARNESS),
        "stopped with nothing failed: the harness could not finish (3)\n{stdout}"
    );
    assert!(stdout.contains("INCOMPLETE: interrupted (SIGINT)"), "{stdout}");
    // cucumber's console output goes through the redactor too.
    assert!(stdout.contains("Scenario:"), "the console shows the scenarios: {stdout}");
    common::assert_no_leaks("the console", &stdout, &[]);
    assert!(
        stdout.contains(&format!("note: created the report folder {}", reports.display())),
        "a report folder it had to create is said: {stdout}"
    );

    let folders = entries(&reports);
    assert_eq!(folders.len(), 1, "one report folder, no staging left: {folders:?}");
    let report = &folders[0];
    assert!(!name(report).starts_with('.'), "{report:?}");
    let marker = std::fs::read_to_string(report.join(authconform::report::INCOMPLETE)).unwrap();
    assert!(marker.starts_with("This run did not finish: interrupted (SIGINT)"), "{marker}");
    let v = authconform::report::verify(report, None).unwrap();
    assert!(v.problems.is_empty(), "the incomplete report is sealed: {:?}", v.problems);
    assert!(v.incomplete.is_some());

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("summary.json")).unwrap()).unwrap();
    let not_run = summary["outcome"]["incomplete"]["not_run"].as_array().unwrap();
    let ran = summary["outcome"]["scenarios"].as_array().unwrap();
    assert!(
        !not_run.is_empty() && !ran.is_empty(),
        "stopped in the middle: {} ran, {} not run",
        ran.len(),
        not_run.len()
    );
    // No requirement with an unfinished scenario reads PASS.
    for r in summary["requirements"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        let unfinished = not_run.iter().any(|n| n["requirements"].as_array().unwrap().iter().any(|x| x == id));
        if unfinished {
            assert_ne!(r["verdict"], "PASS", "{id} has a scenario that did not run");
        }
    }
    serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(report.join("cucumber.json")).unwrap())
        .expect("cucumber.json stays valid JSON");
    let junit = std::fs::read_to_string(report.join("junit.xml")).unwrap();
    assert!(junit.contains("NOT RUN"), "the scenarios that did not run are in junit.xml as skipped");
    assert!(std::fs::read_to_string(report.join("report.html")).unwrap().contains("id=\"incomplete\""));
}

#[test]
fn a_killed_run_is_finished_by_the_next_run_into_the_same_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let mut child = slow_run(&reports);
    wait_for_staging(&reports);
    signal(&child, "-KILL");
    child.wait().unwrap();
    let left = entries(&reports);
    assert!(
        left.len() == 1 && name(&left[0]).starts_with(".staging-"),
        "a killed run leaves its staging folder: {left:?}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_authconform"))
        .current_dir(common::root())
        .args(["run", "--name", "^A code works once$", "--report-dir"])
        .arg(&reports)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("left by a run that was killed, as an INCOMPLETE report"), "{stdout}");

    let folders = entries(&reports);
    assert_eq!(folders.len(), 2, "the killed run's report and this one's, nothing hidden: {folders:?}");
    let killed = reports.join(name(&left[0]).trim_start_matches(".staging-").rsplit_once('-').unwrap().0);
    assert!(folders.contains(&killed), "{folders:?}");
    let v = authconform::report::verify(&killed, None).unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert!(v.incomplete.unwrap().contains("killed"));
    let this = folders.iter().find(|f| **f != killed).unwrap();
    assert!(!this.join(authconform::report::INCOMPLETE).exists(), "a complete run is not marked");
}
