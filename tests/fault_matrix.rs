//! The fault matrix: under each profile of the table in
//! `tests/fault_matrix.yaml` (the embedded default, and example profiles
//! that reach other APIs of the reference), the suite runs against each
//! fault listed there, and the requirements that fail must be exactly those
//! the table expects. A requirement, or a scenario, that no
//! fault can break is a check that proves nothing, and fails this test.
//!
//! One level down, the assertion coverage: every distinct check a step
//! makes (`authconform::assertion::Assertion`) must fire under some fault.
//! The table of each check and the first fault that reaches it is printed
//! and written to `target/assertion-coverage.md`.
mod common;

use std::collections::{BTreeMap, BTreeSet};

use authconform::assertion::Assertion;
use authconform::reference::Fault;
use authconform::requirements::Catalogue;

/// The table: profile (`reference` for the embedded default, else a path
/// under `scenarios/targets/`) -> fault -> the requirements it must fail.
type Table = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[test]
fn every_fault_is_caught_by_the_requirements_that_claim_it() {
    let table: Table =
        serde_yaml::from_str(&std::fs::read_to_string(common::root().join("tests/fault_matrix.yaml")).unwrap())
            .unwrap();
    let mut problems = Vec::new();
    let mut caught = BTreeSet::new();
    let mut all_scenarios = BTreeSet::new();
    let mut failed_scenarios = BTreeSet::new();
    let mut reached: BTreeMap<String, Fault> = BTreeMap::new();
    // The runs share key pairs: the matrix tests what each fault breaks, not
    // the keys' freshness, and RSA generation would otherwise be 90 % of it.
    let bank = authconform::crypto::KeyBank::default();
    for (profile, faults) in &table {
        for (name, expected) in faults {
            let Ok(fault) = name.parse::<Fault>() else {
                problems.push(format!("{profile}: the table names an unknown fault `{name}`"));
                continue;
            };
            let mut config = common::config(vec![fault]);
            config.keys = authconform::crypto::KeySupply::Shared(bank.clone());
            if profile != "reference" {
                config.target = Some(common::root().join("scenarios/targets").join(profile));
                config.embedded = true;
            }
            let outcome = common::run_blocking(config);
            let failed: BTreeSet<String> = outcome.failed_requirements.iter().cloned().collect();
            caught.extend(failed.iter().cloned());
            for s in &outcome.scenarios {
                let key = format!("{}:{} {}", s.file, s.line, s.scenario);
                if s.status == authconform::model::ScenarioStatus::Failed {
                    failed_scenarios.insert(key.clone());
                }
                for id in &s.checks {
                    reached.entry(id.clone()).or_insert(fault);
                }
                all_scenarios.insert(key);
            }
            if *expected != failed {
                problems.push(format!("{profile}: {fault}: expected {expected:?} to fail, got {failed:?}"));
            }
            if failed.is_empty() {
                problems.push(format!("{profile}: {fault}: no scenario caught it"));
            }
        }
    }
    for fault in Fault::ALL.iter().filter(|f| !LOAD_ONLY.iter().any(|(l, _)| l == *f)) {
        if !table.values().any(|faults| faults.contains_key(fault.name())) {
            problems.push(format!("{fault}: under no profile of the table"));
        }
    }
    let catalogue = Catalogue::load(&common::root().join("scenarios/requirements.yaml")).unwrap();
    for id in catalogue.requirements.keys() {
        if !caught.contains(id) {
            problems.push(format!("requirement {id} is broken by no fault: its scenarios prove nothing yet"));
        }
    }
    // Per scenario too (each outline row is its own scenario): one that no
    // fault makes fail asserts nothing a defect could break.
    for key in all_scenarios.difference(&failed_scenarios) {
        problems.push(format!("scenario {key} fails under no fault"));
    }
    problems.extend(assertion_coverage(&reached));
    assert!(problems.is_empty(), "fault matrix mismatches:\n{}", problems.join("\n"));
}

/// Faults that one run of the suite cannot show, by design, with the test
/// that shows them caught.
const LOAD_ONLY: &[(Fault, &str)] = &[(
    Fault::ProcessTableFills,
    "tests/load.rs: the requirement passes alone and fails under load, which fails the run",
)];

/// Checks whose failure no fault of the reference can cause, with the test
/// that proves them able to fail instead.
const PROVEN_ELSEWHERE: &[(Assertion, &str)] = &[(
    Assertion::Control,
    "a rule on the scenario, not on the target: tests/verdict_rules.rs binds a start to a missing route",
)];

/// Writes the table of every check and the fault that reaches it; returns
/// one problem per check that nothing reaches.
fn assertion_coverage(reached: &BTreeMap<String, Fault>) -> Vec<String> {
    let mut table = String::from("# Assertion coverage\n\nEach check the steps make, and the first fault of the reference that makes it fire.\n\n| check | reached by | requires |\n|---|---|---|\n");
    let mut problems = Vec::new();
    for a in Assertion::ALL {
        let by = match (reached.get(a.id()), PROVEN_ELSEWHERE.iter().find(|(x, _)| x == a)) {
            (Some(f), _) => format!("`{f}`"),
            (None, Some((_, why))) => format!("(no fault) {why}"),
            (None, None) => {
                problems.push(format!("check {a} ({}) is reached by no fault", a.describe()));
                "**nothing**".into()
            }
        };
        table.push_str(&format!("| `{a}` | {by} | {} |\n", a.describe()));
    }
    println!("{table}");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| common::root().join("target"));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("assertion-coverage.md"), &table);
    problems
}
