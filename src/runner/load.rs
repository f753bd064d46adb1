//! The load phase of `authconform load`: after the scenarios ran once alone
//! (the ordinary run, whose verdicts the report gives), N virtual users run
//! them again and again against the same target and doubles until the time
//! is up. Each virtual user is a cucumber-rs run of the selected scenarios,
//! one scenario at a time, started again when it ends; all of them share the
//! run's context (its doubles, key pool and redactor) and run on the one
//! task, as the ordinary run's scenarios do.
//!
//! What is kept is bounded whatever the duration: per operation a latency
//! histogram (HDR, microseconds) and a count of 5xx answers, per scenario
//! how many runs failed and the first failure's message. The exchanges and
//! evidence of each run are dropped once folded in, the doubles forget its
//! actors' messages, and the secrets a pass registers for redaction go
//! with the pass. (The target keeps what it is sent: the embedded
//! reference's accounts grow with the phase.)
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cucumber::event::ScenarioFinished;
use cucumber::{World as _, Writer};

use super::plan::Selector;
use super::record::verdict;
use super::suite::suite;
use crate::model::{Latencies, LoadFailure, LoadSummary, ScenarioRecord, ScenarioStatus};
use crate::requirements::requirement_tags;
use crate::world::{AuthWorld, StepContext};

/// `--users` and `--duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSettings {
    pub users: std::num::NonZeroUsize,
    pub duration: Duration,
}

/// What the virtual users saw, folded as each scenario ends.
#[derive(Default)]
struct Tally {
    operations: BTreeMap<String, (Latencies, u64)>,
    /// By (scenario, its requirements): runs, failures, first message.
    scenarios: BTreeMap<String, ScenarioTally>,
    passed: u64,
    failed: u64,
    error: u64,
}

#[derive(Default)]
struct ScenarioTally {
    requirements: Vec<String>,
    runs: u64,
    failures: u64,
    message: Option<String>,
}

/// Runs the load phase and sums it up against the ordinary run's records;
/// `stop` (a Ctrl-C) ends it early, and says why.
pub(super) async fn run_load(
    ctx: &Arc<StepContext>,
    features: PathBuf,
    selector: &Selector,
    settings: LoadSettings,
    alone: &[ScenarioRecord],
    stop: impl std::future::Future<Output = String>,
) -> (LoadSummary, Option<String>) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + settings.duration;
    let users: Vec<_> = (0..settings.users.get())
        .map(|_| virtual_user(ctx.clone(), features.clone(), selector.clone(), tally.clone(), deadline))
        .collect();
    // At the deadline the scenarios in flight are dropped: cut off, they
    // count neither way.
    let stopped = tokio::select! {
        _ = tokio::time::timeout_at(deadline, futures::future::join_all(users)) => None,
        why = stop => Some(why),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let tally = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));
    (summarise(tally, settings.users.get(), elapsed, alone), stopped)
}

async fn virtual_user(
    ctx: Arc<StepContext>,
    features: PathBuf,
    selector: Selector,
    tally: Arc<Mutex<Tally>>,
    deadline: tokio::time::Instant,
) {
    // The step patterns are compiled once for the user, not at each pass.
    let steps = AuthWorld::collection();
    while tokio::time::Instant::now() < deadline {
        let tally = tally.clone();
        let filter = selector.clone();
        let pass = suite(&ctx, steps.clone(), Quiet, 1, move |ctx, f, r, s, end, w| fold(ctx, &tally, f, r, s, end, w))
            .filter_run(features.clone(), move |f, r, s| filter.runs(f, r, s));
        // The pass's secrets are needed only while it runs: its failure
        // messages are redacted as each scenario is folded, and nothing of
        // it is written later.
        ctx.client.redactor.scope(pass).await;
    }
}

fn fold(
    ctx: &StepContext,
    tally: &Mutex<Tally>,
    feature: &cucumber::gherkin::Feature,
    rule: Option<&cucumber::gherkin::Rule>,
    scenario: &cucumber::gherkin::Scenario,
    finished: &ScenarioFinished,
    world: Option<&AuthWorld>,
) {
    let (status, failure) = verdict(finished, world);
    let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
    for ex in world.map(|w| w.exchanges.as_slice()).unwrap_or_default() {
        let (h, server_errors) = t.operations.entry(ex.operation.clone()).or_default();
        h.record(ex.elapsed);
        *server_errors += u64::from(ex.status >= 500);
    }
    match status {
        ScenarioStatus::Passed => t.passed += 1,
        ScenarioStatus::Error => t.error += 1,
        _ => t.failed += 1,
    }
    let entry = t.scenarios.entry(scenario.name.clone()).or_insert_with(|| {
        let mut tags = feature.tags.clone();
        tags.extend(rule.map(|r| r.tags.clone()).unwrap_or_default());
        tags.extend(scenario.tags.iter().cloned());
        ScenarioTally { requirements: requirement_tags(&tags), ..Default::default() }
    });
    entry.runs += 1;
    if status == ScenarioStatus::Failed {
        entry.failures += 1;
        if entry.message.is_none() {
            entry.message = failure.map(|f| ctx.client.redactor.text(&f));
        }
    }
}

/// The figures of the phase, and the requirements that passed alone (every
/// scenario of theirs passed in the ordinary run) and failed under load.
fn summarise(tally: Tally, users: usize, elapsed_s: f64, alone: &[ScenarioRecord]) -> LoadSummary {
    let passed_alone = |requirement: &str| {
        let runs: Vec<_> = alone.iter().filter(|s| s.requirements.iter().any(|r| r == requirement)).collect();
        !runs.is_empty() && runs.iter().all(|s| s.status == ScenarioStatus::Passed)
    };
    let mut failed_under_load = Vec::new();
    for (scenario, s) in &tally.scenarios {
        if s.failures == 0 {
            continue;
        }
        for requirement in s.requirements.iter().filter(|r| passed_alone(r)) {
            failed_under_load.push(LoadFailure {
                requirement: requirement.clone(),
                scenario: scenario.clone(),
                runs: s.runs,
                failures: s.failures,
                message: s.message.clone().unwrap_or_default(),
            });
        }
    }
    LoadSummary {
        users,
        duration_ms: elapsed_s * 1000.0,
        scenarios_passed: tally.passed,
        scenarios_failed: tally.failed,
        scenarios_error: tally.error,
        operations: LoadSummary::operations_from(&tally.operations, elapsed_s),
        failed_under_load,
    }
}

/// The virtual users' writer: their verdicts are folded by the after-hook,
/// and nothing of theirs is printed.
struct Quiet;

impl Writer<AuthWorld> for Quiet {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        _: cucumber::parser::Result<cucumber::Event<cucumber::event::Cucumber<AuthWorld>>>,
        _: &Self::Cli,
    ) {
    }
}

// Quiet ignores every event, so their order cannot matter to it.
impl cucumber::writer::Normalized for Quiet {}
impl cucumber::writer::NonTransforming for Quiet {}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(requirement: &str, status: ScenarioStatus) -> ScenarioRecord {
        ScenarioRecord {
            feature: "f".into(),
            file: "features/f.feature".into(),
            scenario: "s".into(),
            line: 1,
            tags: Vec::new(),
            requirements: vec![requirement.into()],
            status,
            failure: None,
            checks: Vec::new(),
            expected_failure: None,
            exchanges: Vec::new(),
            evidence: Default::default(),
            steps: Vec::new(),
            spooled: None,
        }
    }

    #[test]
    fn only_requirements_that_passed_alone_are_failures_under_load() {
        let mut tally = Tally::default();
        for (name, req) in [("race", "SEC-CODE-04"), ("already broken", "OTP-REG-01")] {
            tally.scenarios.insert(
                name.into(),
                ScenarioTally { requirements: vec![req.into()], runs: 10, failures: 2, message: Some("m".into()) },
            );
        }
        let alone = [record("SEC-CODE-04", ScenarioStatus::Passed), record("OTP-REG-01", ScenarioStatus::Failed)];
        let summary = summarise(tally, 4, 2.0, &alone);
        assert_eq!(summary.failed_under_load.len(), 1);
        let f = &summary.failed_under_load[0];
        assert_eq!((f.requirement.as_str(), f.runs, f.failures), ("SEC-CODE-04", 10, 2));
    }
}
