//! The snapshot step's three outcomes in check mode: a match passes, a
//! mismatch fails with a unified diff, a missing baseline fails and says how
//! to record one. Check mode never writes, whatever the environment.
use authconform::snapshot::SnapshotMode;
use authconform::snapshot::SnapshotSettings;
use serde_json::json;

#[test]
fn check_mode_compares_diffs_and_never_writes() {
    let dir = tempfile::tempdir().unwrap();
    // No environment is set for insta: check mode must neither write nor
    // print whatever insta would otherwise do by default.
    let settings = SnapshotSettings {
        mode: SnapshotMode::Check,
        dir: dir.path().to_path_buf(),
        redactions: vec![(".session".into(), "[session]".into())],
    };
    std::fs::write(
        dir.path().join("reply.snap"),
        "---\nsource: src/snapshot.rs\n---\n{\n  \"id\": \"[id]\",\n  \"session\": \"[session]\",\n  \"status\": \"active\"\n}\n",
    )
    .unwrap();

    // Ids are redacted by the built-in selectors, `session` by the profile's.
    settings.assert("reply", &json!({"id": "u-1", "session": "x", "status": "active"})).unwrap();

    let err = settings.assert("reply", &json!({"id": "u-2", "session": "y", "status": "disabled"})).unwrap_err();
    assert!(err.contains("differs from its baseline"), "{err}");
    assert!(err.contains("-  \"status\": \"active\""), "{err}");
    assert!(err.contains("+  \"status\": \"disabled\""), "{err}");

    let err = settings.assert("absent", &json!({})).unwrap_err();
    assert!(err.contains("--snapshots update"), "{err}");
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files, vec![std::ffi::OsString::from("reply.snap")], "check mode wrote files");
}
