//! The dependency picture the compiler enforces: the reference is its own
//! crate and depends on no harness crate (cargo refuses the cycle an import
//! of `authconform` would need; this test also refuses any other harness
//! crate added later as its dependency).
mod common;

#[test]
fn the_reference_crate_depends_on_no_harness_crate() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let names: Vec<&str> = packages.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"authconform") && names.contains(&"authconform-reference"), "{names:?}");
    let reference = packages.iter().find(|p| p["name"] == "authconform-reference").unwrap();
    let deps: Vec<&str> =
        reference["dependencies"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert!(!deps.is_empty());
    for d in &deps {
        assert!(
            !names.contains(d),
            "the reference depends on the workspace crate {d}: it must stay a target like any other"
        );
    }
    let harness = packages.iter().find(|p| p["name"] == "authconform").unwrap();
    assert!(
        harness["dependencies"].as_array().unwrap().iter().any(|d| d["name"] == "authconform-reference"),
        "the harness embeds the reference"
    );
}
