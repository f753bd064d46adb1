//! Shared by the integration tests: run the suite in-process against the
//! embedded reference, with no console output and no report folder.
#![allow(dead_code)]
use std::path::PathBuf;

use authconform::reference::Fault;
use authconform::runner::{run, RunConfig, RunOutcome, SnapshotMode};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn config(faults: Vec<Fault>) -> RunConfig {
    let mut c = RunConfig::new(root());
    c.progress = false;
    c.report_dir = None;
    c.snapshots = SnapshotMode::Check;
    c.faults = faults;
    c
}

pub fn run_blocking(config: RunConfig) -> RunOutcome {
    authconform::snapshot::configure_process(config.snapshots, &config.root);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(run(&config)).unwrap_or_else(|e| panic!("the run could not happen: {}", e.render()))
}

/// One line per failed scenario, for assertion messages.
pub fn failures(outcome: &RunOutcome) -> Vec<String> {
    outcome
        .scenarios
        .iter()
        .filter(|s| s.status == authconform::runner::ScenarioStatus::Failed)
        .map(|s| format!("{}:{} {}: {}", s.file, s.line, s.scenario, s.failure.as_deref().unwrap_or("")))
        .collect()
}
