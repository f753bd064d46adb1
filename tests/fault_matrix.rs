//! The fault matrix: the suite runs against each fault of the reference and
//! the requirements that fail must be exactly those the table in
//! `tests/fault_matrix.yaml` expects. A requirement, or a scenario, that no
//! fault can break is a check that proves nothing, and fails this test.
mod common;

use std::collections::{BTreeMap, BTreeSet};

use authconform::reference::Fault;
use authconform::requirements::Catalogue;

#[test]
fn every_fault_is_caught_by_the_requirements_that_claim_it() {
    let table: BTreeMap<String, BTreeSet<String>> =
        serde_yaml::from_str(&std::fs::read_to_string(common::root().join("tests/fault_matrix.yaml")).unwrap()).unwrap();
    let mut problems = Vec::new();
    let mut caught = BTreeSet::new();
    let mut all_scenarios = BTreeSet::new();
    let mut failed_scenarios = BTreeSet::new();
    // The runs share key pairs: the matrix tests what each fault breaks, not
    // the keys' freshness, and RSA generation would otherwise be 90 % of it.
    let bank = authconform::crypto::KeyBank::default();
    for fault in Fault::ALL {
        let mut config = common::config(vec![*fault]);
        config.key_bank = Some(bank.clone());
        let outcome = common::run_blocking(config);
        let failed: BTreeSet<String> = outcome.failed_requirements.iter().cloned().collect();
        caught.extend(failed.iter().cloned());
        for s in &outcome.scenarios {
            let key = format!("{}:{} {}", s.file, s.line, s.scenario);
            if s.status == authconform::runner::ScenarioStatus::Failed {
                failed_scenarios.insert(key.clone());
            }
            all_scenarios.insert(key);
        }
        match table.get(fault.name()) {
            None => problems.push(format!("{fault}: not in the table; it fails {failed:?}")),
            Some(expected) if *expected != failed => {
                problems.push(format!("{fault}: expected {expected:?} to fail, got {failed:?}"))
            }
            Some(_) => {}
        }
        if failed.is_empty() {
            problems.push(format!("{fault}: no scenario caught it"));
        }
    }
    for name in table.keys() {
        if name.parse::<Fault>().is_err() {
            problems.push(format!("the table names an unknown fault `{name}`"));
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
    assert!(problems.is_empty(), "fault matrix mismatches:\n{}", problems.join("\n"));
}
