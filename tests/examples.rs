//! Every example profile in `scenarios/targets/examples/` certifies the
//! embedded reference: each describes the same implementation through
//! another shape (another mailbox backend, other paths, encodings and field
//! places), so the profile language is shown to reach targets we did not shape.
mod common;

#[test]
fn every_example_profile_passes_against_the_reference() {
    let dir = common::root().join("scenarios/targets/examples");
    let mut profiles: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    profiles.sort();
    assert!(!profiles.is_empty(), "no example profiles in {}", dir.display());
    for profile in profiles {
        let mut config = common::config(vec![]);
        config.target = Some(profile.clone());
        config.embedded = true;
        let outcome = common::run_blocking(config);
        let failed = common::failures(&outcome);
        assert!(failed.is_empty(), "{}: scenarios failed:\n{}", profile.display(), failed.join("\n"));
        // The two written from scratch declare few families; the others reach the whole reference.
        assert!(outcome.passed() >= 8, "{}: only {} scenarios passed", profile.display(), outcome.passed());
    }
}
