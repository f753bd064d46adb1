//! The after-hook of a run: a finished scenario turned into its verdict
//! and a redacted record (and, for an error reply that shows internals, a
//! failed record of SEC-ERR-01 of its own).
use cucumber::event::ScenarioFinished;

use super::context::Records;
use super::evidence;
use super::timeline;
use crate::model::{ScenarioRecord, ScenarioStatus};
use crate::requirements::requirement_tags;
use crate::world::{AuthWorld, StepContext};

/// A finished scenario's status and failure message (unredacted): a step
/// that could not reach the target is ERROR, and a scenario whose refusals
/// lack their positive control fails.
pub(super) fn verdict(finished: &ScenarioFinished, world: Option<&AuthWorld>) -> (ScenarioStatus, Option<String>) {
    let (mut status, mut failure) = match finished {
        ScenarioFinished::StepPassed => (ScenarioStatus::Passed, None),
        ScenarioFinished::StepSkipped => {
            (ScenarioStatus::Failed, Some("a step was skipped (undefined step?)".to_string()))
        }
        ScenarioFinished::BeforeHookFailed(info) => {
            (ScenarioStatus::Failed, Some(format!("before hook failed: {}", panic_text(info))))
        }
        ScenarioFinished::StepFailed(_, _, err) => {
            let text = step_error_text(err);
            let status = if text.starts_with(crate::operation::UNREACHABLE) {
                ScenarioStatus::Error
            } else {
                ScenarioStatus::Failed
            };
            (status, Some(text))
        }
    };
    // Every refusal needs its positive control by the end of the scenario.
    let uncontrolled = world.map(|w| w.uncontrolled_refusals()).unwrap_or_default();
    if status == ScenarioStatus::Passed && !uncontrolled.is_empty() {
        status = ScenarioStatus::Failed;
        failure = Some(uncontrolled.join("\n"));
    }
    (status, failure)
}

/// The after-hook: turns a finished scenario into a redacted record.
pub(super) fn record(
    ctx: &StepContext,
    records: &Records,
    feature: &cucumber::gherkin::Feature,
    rule: Option<&cucumber::gherkin::Rule>,
    scenario: &cucumber::gherkin::Scenario,
    finished: &ScenarioFinished,
    world: Option<&AuthWorld>,
) {
    let mut tags = feature.tags.clone();
    tags.extend(rule.map(|r| r.tags.clone()).unwrap_or_default());
    tags.extend(scenario.tags.iter().cloned());
    let (status, failure) = verdict(finished, world);
    // Evidence first: gathering it registers the secrets found in messages
    // (codes no step read), which the exchanges' redaction then applies too.
    let evidence = world.map(|w| evidence::gather(ctx, w)).unwrap_or_default();
    let exchanges =
        world.map(|w| w.exchanges.iter().map(|e| e.redacted(&ctx.client.redactor)).collect()).unwrap_or_default();
    let file = timeline::feature_file(feature);
    let rec = ScenarioRecord {
        feature: feature.name.clone(),
        file,
        scenario: scenario.name.clone(),
        line: scenario.position.line,
        requirements: requirement_tags(&tags),
        tags,
        status,
        checks: failure
            .as_deref()
            .map(crate::assertion::Assertion::named_in)
            .unwrap_or_default()
            .iter()
            .map(|a| a.id().to_string())
            .collect(),
        failure: failure.map(|f| ctx.client.redactor.text(&f)),
        expected_failure: None,
        exchanges,
        evidence,
        steps: Vec::new(),
        spooled: None,
    };
    let finding = world.and_then(|w| hygiene_finding(ctx, &rec, w));
    let failed_late = rec.status == ScenarioStatus::Failed && matches!(finished, ScenarioFinished::StepPassed);
    let message = rec.failure.clone().unwrap_or_default();
    records.push(rec);
    if let Some(f) = finding {
        records.push(f);
    }
    if failed_late {
        // cucumber-rs reports a panicking after-hook as the scenario's
        // failure, so its console, JSON and JUnit writers agree with ours.
        std::panic::panic_any(message);
    }
}

/// The requirement every error reply of every scenario answers to.
const HYGIENE: &str = "SEC-ERR-01";

/// The run-wide error hygiene scan of one scenario: a leak in any of its
/// error replies becomes a failed record of SEC-ERR-01 of its own, beside
/// the scenario's, so the requirement the scenario checks keeps its verdict
/// and the leak is still a failure. A scenario of SEC-ERR-01 checks itself.
fn hygiene_finding(ctx: &StepContext, rec: &ScenarioRecord, world: &AuthWorld) -> Option<ScenarioRecord> {
    if rec.requirements.iter().any(|r| r == HYGIENE) {
        return None;
    }
    let leaks = crate::operation::hygiene::error_leaks(&world.exchanges);
    let (ex, leak) = leaks.first()?;
    let redactor = &ctx.client.redactor;
    let message = crate::assertion::Assertion::ErrorHygiene.fail(leak.describe(ex, redactor)).to_string();
    Some(ScenarioRecord {
        scenario: format!("Error replies show no internals (in \"{}\")", rec.scenario),
        tags: vec!["@security".into(), format!("@req:{HYGIENE}")],
        requirements: vec![HYGIENE.to_string()],
        status: ScenarioStatus::Failed,
        failure: Some(redactor.text(&message)),
        checks: vec![crate::assertion::Assertion::ErrorHygiene.id().to_string()],
        expected_failure: None,
        exchanges: leaks.iter().map(|(e, _)| e.redacted(redactor)).collect(),
        evidence: Default::default(),
        steps: Vec::new(),
        ..rec.clone()
    })
}

fn step_error_text(err: &cucumber::event::StepError) -> String {
    match err {
        cucumber::event::StepError::NotFound => "undefined step".into(),
        cucumber::event::StepError::AmbiguousMatch(e) => format!("ambiguous step: {e}"),
        cucumber::event::StepError::Panic(info) => panic_text(info),
    }
}

fn panic_text(info: &cucumber::event::Info) -> String {
    panic_payload(info.as_ref())
}

pub(super) fn panic_payload(info: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "the step panicked".into()
    }
}
