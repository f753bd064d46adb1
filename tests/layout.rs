//! The dependency picture the compiler enforces: the reference is its own
//! crate and depends on no harness crate (cargo refuses the cycle an import
//! of `authconform` would need; this test also refuses any other harness
//! crate added later as its dependency). The one workspace crate it may use
//! is `authconform-tls`, TLS plumbing that depends on no workspace crate.
mod common;

/// The one workspace crate both the harness and the reference use.
const SHARED: &str = "authconform-tls";

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
    for d in deps.iter().filter(|d| **d != SHARED) {
        assert!(
            !names.contains(d),
            "the reference depends on the workspace crate {d}: it must stay a target like any other"
        );
    }
    let shared = packages.iter().find(|p| p["name"] == SHARED).expect("the shared TLS crate");
    for d in shared["dependencies"].as_array().unwrap() {
        let d = d["name"].as_str().unwrap();
        assert!(!names.contains(&d), "{SHARED} depends on the workspace crate {d}: it must depend on none");
    }
    let harness = packages.iter().find(|p| p["name"] == "authconform").unwrap();
    assert!(
        harness["dependencies"].as_array().unwrap().iter().any(|d| d["name"] == "authconform-reference"),
        "the harness embeds the reference"
    );
}

/// The modules of the harness crate a module names (`crate::x`) outside
/// comments and its own test module.
fn module_uses(root: &std::path::Path, module: &str) -> std::collections::BTreeSet<String> {
    let dir = root.join("src").join(module);
    let files: Vec<std::path::PathBuf> = if dir.is_dir() {
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect()
    } else {
        vec![root.join("src").join(format!("{module}.rs"))]
    };
    let name = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut uses = std::collections::BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for c in name.captures_iter(line) {
                if c[1] != *module {
                    uses.insert(c[1].to_string());
                }
            }
        }
    }
    uses
}

/// The layers of the README's Layout picture, lowest first; a module may
/// use only modules of its own layer's lower neighbours, so the picture
/// reads one way: cli -> runner -> (steps -> client -> operation ->
/// profile), doubles, report -> model.
const LAYERS: &[(&str, &[&str])] = &[
    ("redact", &[]),
    ("exit", &[]),
    ("diagnostic", &["redact"]),
    ("expectations", &["diagnostic"]),
    ("requirements", &["diagnostic"]),
    ("assertion", &[]),
    ("crypto", &[]),
    // A CA the profile gives is checked when it loads (`doubles_tls`).
    ("profile", &["crypto", "diagnostic", "redact"]),
    ("operation", &["profile", "redact"]),
    ("doubles", &["crypto", "operation", "profile", "redact"]),
    ("snapshot", &["redact"]),
    ("model", &["crypto", "doubles", "exit", "expectations", "operation", "requirements"]),
    ("timing", &["model"]),
    ("report", &["exit", "model", "requirements", "timing"]),
    ("client", &["assertion", "crypto", "doubles", "operation", "profile", "redact"]),
    ("world", &["assertion", "client", "crypto", "doubles", "model", "operation", "profile", "snapshot"]),
    (
        "steps",
        &[
            "assertion",
            "client",
            "crypto",
            "doubles",
            "model",
            "operation",
            "profile",
            "redact",
            "snapshot",
            "timing",
            "world",
        ],
    ),
    ("step_docs", &["world"]),
];

#[test]
fn modules_depend_one_way() {
    let root = common::root();
    let known: Vec<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    for (module, allowed) in LAYERS {
        let used = module_uses(&root, module);
        let extra: Vec<&String> = used.iter().filter(|u| !allowed.contains(&u.as_str())).collect();
        assert!(extra.is_empty(), "module {module} uses {extra:?}, outside its layer's allowed {allowed:?}");
        // Each allowed module stands lower in the table: no cycle can hide in it.
        let here = known.iter().position(|m| m == module).unwrap();
        for a in *allowed {
            let there = known.iter().position(|m| m == a).unwrap_or_else(|| panic!("{a} is no layer"));
            assert!(there < here, "{module} may use {a}, which stands above it");
        }
    }
    // Only the runner (and the binary) sit above everything.
    for (module, _) in LAYERS {
        assert!(!module_uses(&root, module).contains("runner"), "{module} reaches up into the runner");
    }
}
