//! `authconform init` as a new user meets it: a starter profile for a
//! password service, with paths guessed from its OpenAPI document; `lint`
//! names each TODO left at its line (exit 2), and once they are decided the
//! profile lints clean.
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_authconform");

#[test]
fn a_starter_profile_lints_clean_once_its_todos_are_decided() {
    let dir = tempfile::tempdir().unwrap();
    let openapi = "openapi: 3.0.0\npaths:\n  /api/accounts: {post: {}}\n  /api/auth/token: {post: {}}\n  /api/auth/logout: {post: {}}\n  /api/users/me: {get: {}}\n  /api/auth/change-password: {post: {}}\n  /api/auth/forgot-password: {post: {}}\n  /api/auth/reset-password: {post: {}}\n";
    std::fs::write(dir.path().join("openapi.yaml"), openapi).unwrap();
    let init = Command::new(BIN)
        .args(["init", "--target-url", "https://api.example.test", "--families", "password,password_reset,sessions"])
        .args(["--openapi", "openapi.yaml", "--name", "svc"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(0), "{}", String::from_utf8_lossy(&init.stderr));
    let path = dir.path().join("target.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("url: \"{{ base_url }}/api/auth/reset-password\""), "{text}");

    // It does not overwrite.
    let again = Command::new(BIN)
        .args(["init", "--target-url", "https://x.test", "--families", "password"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));

    let lint =
        |dir: &std::path::Path| Command::new(BIN).args(["lint", "target.yaml"]).current_dir(dir).output().unwrap();
    let out = lint(dir.path());
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert_eq!(report.matches("still a TODO").count(), 3, "{report}");
    assert!(report.contains("target.yaml:") && report.contains("token: { json: /TODO }"), "{report}");

    let decided = text
        .replace("'TODO (https?://\\S+)'", "'(https?://\\S+)'")
        .replace("user_id: { json: /TODO }", "user_id: { json: /id }")
        .replace("token: { json: /TODO }", "token: { json: /access_token }");
    std::fs::write(&path, decided).unwrap();
    let out = lint(dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}
