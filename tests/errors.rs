//! Golden renderings of what users see when their input is wrong: profile
//! errors (file:line:col, key path, caret) and feature errors, and the exit
//! code the binary gives them.
mod common;

use std::path::Path;
use std::process::Command;

use authconform::profile::load_profile;

fn render(path: &str) -> String {
    load_profile(Path::new(path)).map(|_| ()).expect_err("the fixture is invalid").render()
}

#[test]
fn profile_errors_point_at_the_line_and_key() {
    insta::assert_snapshot!("unknown_key", render("tests/fixtures/profiles/unknown_key.yaml"));
    insta::assert_snapshot!("bad_status", render("tests/fixtures/profiles/bad_status.yaml"));
    insta::assert_snapshot!("unset_var", render("tests/fixtures/profiles/unset_var.yaml"));
    insta::assert_snapshot!("syntax", render("tests/fixtures/profiles/syntax.yaml"));
    insta::assert_snapshot!("extract_no_group", render("tests/fixtures/profiles/extract_no_group.yaml"));
    insta::assert_snapshot!("extra_outside_family", render("tests/fixtures/profiles/extra_outside_family.yaml"));
    insta::assert_snapshot!("missing_key_file", render("tests/fixtures/profiles/missing_key_file.yaml"));
    // A template naming a variable its operation does not get: found when
    // the profile loads, not on the first call halfway through a run.
    insta::assert_snapshot!("undefined_var", render("tests/fixtures/profiles/undefined-var.yaml"));
    // Every problem of meaning in one pass; a "one of" naming two is a shape error.
    insta::assert_snapshot!("several_problems", render("tests/fixtures/profiles/several_problems.yaml"));
    insta::assert_snapshot!("two_auth_schemes", render("tests/fixtures/profiles/two_auth_schemes.yaml"));
    // A lifetime the harness would wait out in every run.
    insta::assert_snapshot!("long_lifetime", render("tests/fixtures/profiles/long_lifetime.yaml"));
}

#[test]
fn feature_errors_name_file_line_and_step() {
    let mut config = common::config(vec![]);
    config.root = "tests/fixtures/broken".into();
    config.target = Some("scenarios/targets/reference.yaml".into());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt.block_on(authconform::runner::run(&config)).map(|_| ()).expect_err("broken features are refused");
    assert_eq!(err.exit_code(), authconform::exit::USAGE);
    insta::assert_snapshot!("broken_features", err.render());
}

#[test]
fn the_binary_exits_2_on_a_bad_profile() {
    let out = Command::new(env!("CARGO_BIN_EXE_authconform"))
        .args(["run", "--target", "tests/fixtures/profiles/unknown_key.yaml", "--report-dir"])
        .arg(std::env::temp_dir().join("authconform-errors-test"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(authconform::exit::USAGE));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown_key.yaml:7:5"), "{stderr}");
}

#[test]
fn a_dry_run_checks_everything_and_calls_nothing() {
    // The profile points at a port nobody listens on: a dry run must not care.
    let out = Command::new(env!("CARGO_BIN_EXE_authconform"))
        .args(["run", "--dry-run", "--target", "tests/fixtures/profiles/unreachable.yaml", "--tags", "@sso"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(authconform::exit::CONFORMS),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("would run  features/sso/login.feature:"), "{stdout}");
    assert!(stdout.contains("nothing was called"), "{stdout}");

    // And it still refuses broken features, like a run.
    let out = Command::new(env!("CARGO_BIN_EXE_authconform"))
        .args(["run", "--dry-run", "--root", "tests/fixtures/broken", "--target", "scenarios/targets/reference.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(authconform::exit::USAGE));
    assert!(String::from_utf8_lossy(&out.stderr).contains("undefined step: When Daenerys signs up by carrier pigeon"));
}

#[test]
fn the_step_reference_is_stable() {
    let out = Command::new(env!("CARGO_BIN_EXE_authconform")).args(["steps"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("steps_markdown", String::from_utf8_lossy(&out.stdout));
    let json = Command::new(env!("CARGO_BIN_EXE_authconform")).args(["steps", "--format", "json"]).output().unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("steps --format json is JSON");
    assert!(parsed.as_array().is_some_and(|a| a.len() >= 80));
}

#[test]
fn lint_reports_every_mistake_rustc_style() {
    let out = Command::new(env!("CARGO_BIN_EXE_authconform"))
        .args(["lint", "--root", "tests/fixtures/lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(authconform::exit::USAGE));
    insta::assert_snapshot!("lint_fixture", String::from_utf8_lossy(&out.stdout));
    // The project's own features and profiles are clean.
    let out = Command::new(env!("CARGO_BIN_EXE_authconform")).arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}
