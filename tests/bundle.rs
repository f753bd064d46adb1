//! The evidence bundle is tamper-evident: a run signed with an operator key
//! verifies, and changing, removing or adding any file (the manifest and its
//! signature included) makes `verify` fail and name that file.
mod common;

use std::path::{Path, PathBuf};

use authconform::report::{verify, SignatureState, MANIFEST, SIGNATURE};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn signed_run(dir: &Path) -> (PathBuf, PathBuf) {
    let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let key = dir.join("operator.pem");
    std::fs::write(&key, private.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let public = dir.join("operator.pub.pem");
    std::fs::write(&public, rsa::RsaPublicKey::from(&private).to_public_key_pem(LineEnding::LF).unwrap()).unwrap();
    let mut config = common::config(vec![]);
    config.plan = Some("sso".into());
    config.name = Some(regex::Regex::new("reset link works once|signs in and gets").unwrap());
    config.report_dir = Some(dir.join("reports"));
    config.sign_key = Some(key);
    let outcome = common::run_blocking(config);
    assert!(common::failures(&outcome).is_empty(), "{:?}", common::failures(&outcome));
    (outcome.report_path.unwrap(), public)
}

#[test]
fn tampering_with_any_file_is_named_by_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, public) = signed_run(tmp.path());
    assert!(
        verify(&tmp.path().join("no-such-report"), None).is_err(),
        "a missing folder is a usage error, not a tampered bundle"
    );
    let not_a_report = tmp.path().join("holiday-photos");
    std::fs::create_dir(&not_a_report).unwrap();
    std::fs::write(not_a_report.join("beach.jpg"), "jpeg").unwrap();
    let err = verify(&not_a_report, None).unwrap_err();
    assert!(
        matches!(err, authconform::report::KeyFileError::NotAReport(_)),
        "a folder that is no report is a usage error (exit 2), not TAMPERED: {err}"
    );
    let ok = verify(&report, Some(&public)).unwrap();
    assert!(ok.problems.is_empty(), "{:?}", ok.problems);
    assert_eq!(ok.signature, SignatureState::Verified);

    let mut names: Vec<String> =
        std::fs::read_dir(&report).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.contains(&"report.html".to_string()) && names.contains(&SIGNATURE.to_string()), "{names:?}");
    for (i, name) in names.iter().enumerate() {
        let copy = tmp.path().join(format!("changed-{i}"));
        copy_dir(&report, &copy);
        let mut bytes = std::fs::read(copy.join(name)).unwrap();
        bytes.push(b' ');
        std::fs::write(copy.join(name), bytes).unwrap();
        let v = verify(&copy, Some(&public)).unwrap();
        let named = if name == SIGNATURE { SIGNATURE } else { name.as_str() };
        assert!(v.problems.iter().any(|p| p.contains(named)), "changing {name} went unnoticed: {:?}", v.problems);

        let copy = tmp.path().join(format!("removed-{i}"));
        copy_dir(&report, &copy);
        std::fs::remove_file(copy.join(name)).unwrap();
        let v = verify(&copy, Some(&public)).unwrap();
        assert!(
            v.problems.iter().any(|p| p.contains(name.as_str())),
            "removing {name} went unnoticed: {:?}",
            v.problems
        );
    }
    let copy = tmp.path().join("added");
    copy_dir(&report, &copy);
    std::fs::write(copy.join("extra.txt"), "planted").unwrap();
    let v = verify(&copy, Some(&public)).unwrap();
    assert!(v.problems.iter().any(|p| p.contains("extra.txt")), "{:?}", v.problems);

    // A manifest rewritten to match changed files still fails: it is not the one signed.
    let copy = tmp.path().join("reforged");
    copy_dir(&report, &copy);
    std::fs::write(copy.join("summary.md"), "all green").unwrap();
    let mut manifest: authconform::report::Manifest =
        serde_json::from_slice(&std::fs::read(copy.join(MANIFEST)).unwrap()).unwrap();
    let entry = manifest.files.get_mut("summary.md").unwrap();
    entry.sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"all green"));
    entry.bytes = 9;
    std::fs::write(copy.join(MANIFEST), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let v = verify(&copy, Some(&public)).unwrap();
    assert_eq!(v.signature, SignatureState::Invalid, "{:?}", v.problems);
    assert!(v.problems.iter().any(|p| p.contains("changed since it was signed")));
}
