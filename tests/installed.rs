//! The binary as `cargo install` leaves it: copied out of the build tree
//! and run from an empty folder (no features/, no scenarios/), it carries
//! the standard suite inside it, certifies the embedded reference, writes
//! its reports in that folder, and lints its own catalogue. `--root` and a
//! `features/` folder in the current directory take precedence
//! (src/standard.rs); tests/suite.rs covers the clone's own tree.
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_authconform");

#[test]
fn an_installed_binary_runs_the_whole_suite_from_an_empty_folder() {
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin/authconform");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(BIN, &bin).unwrap();
    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();

    let out = Command::new(&bin).args(["run", "--snapshots", "check"]).current_dir(&work).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "the built-in suite should pass against the embedded reference:\n{text}");
    assert!(text.contains("standard suite built into authconform"), "the run says which suite it used:\n{text}");
    assert!(text.contains(" 0 failed, 0 error"), "{text}");
    let reports: Vec<_> = std::fs::read_dir(work.join("reports")).unwrap().collect();
    assert_eq!(reports.len(), 1, "the reports are written in the user's folder");
    let folder = reports.into_iter().next().unwrap().unwrap().path();
    assert!(folder.join("summary.md").is_file() && folder.join("report.html").is_file());
    // Nothing else was left in the user's folder (the suite went to a temporary one).
    let left: Vec<_> = std::fs::read_dir(&work).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["reports"]);

    // The profiles the README names resolve in the built-in suite too.
    let example = Command::new(&bin)
        .args(["run", "--target", "scenarios/targets/examples/otp-service.yaml", "--embedded", "--report-dir", "r2"])
        .current_dir(&work)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&example.stdout).into_owned() + &String::from_utf8_lossy(&example.stderr);
    assert_eq!(example.status.code(), Some(0), "{text}");
    std::fs::remove_dir_all(work.join("r2")).unwrap();

    let lint = Command::new(&bin).arg("lint").current_dir(&work).output().unwrap();
    assert_eq!(lint.status.code(), Some(0), "{}", String::from_utf8_lossy(&lint.stdout));

    // A features/ folder here wins over the built-in suite: an empty one has nothing to run.
    std::fs::create_dir_all(work.join("features")).unwrap();
    let own = Command::new(&bin).arg("run").current_dir(&work).output().unwrap();
    let text = String::from_utf8_lossy(&own.stderr);
    assert_ne!(own.status.code(), Some(0), "an empty features/ folder is used, not the built-in suite");
    assert!(!text.contains("built into authconform"), "{text}");
}
