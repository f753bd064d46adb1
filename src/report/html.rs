//! `report.html`: one self-contained page (inline style and script, no
//! network, opens from disk) with every requirement's verdict, the
//! scenarios behind it and, per step, the redacted HTTP exchanges and mails.
//! Rendered with minijinja, which escapes every value (the template's name
//! ends in `.html`).
use minijinja::{context, Environment};

use super::summary::{requirement_verdicts, Verdict};
use crate::model::{RunOutcome, ScenarioRecord, ScenarioStatus};

const TEMPLATE: &str = include_str!("report.html.j2");

/// Up to this many scenarios, report.html shows every scenario's evidence.
pub const FULL_EVIDENCE_UP_TO: usize = 500;

pub fn html_report(outcome: &RunOutcome) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    // The timing plot is numbers and fixed labels only (timing/plot.rs),
    // so it goes in unescaped; anything that does not parse draws nothing.
    env.add_function("timing_svg", |t: minijinja::Value| {
        let svg = serde_json::to_value(&t)
            .ok()
            .and_then(|v| serde_json::from_value::<crate::model::TimingRecord>(v).ok())
            .map(|t| crate::timing::plot::svg(&t))
            .unwrap_or_default();
        minijinja::Value::from_safe_string(svg)
    });
    let verdicts = requirement_verdicts(outcome);
    let failed = verdicts.iter().any(|v| v.verdict == Verdict::Fail);
    let partial = verdicts.iter().any(|v| matches!(v.verdict, Verdict::Partial | Verdict::NotApplicable));
    let verdict = match outcome.exit_code() {
        _ if failed => "FAIL",
        crate::exit::NOT_CONFORMING => "FAIL",
        _ if outcome.incomplete.is_some() => "INCOMPLETE",
        crate::exit::HARNESS => "ERROR",
        _ if partial => "PARTIAL",
        _ => "PASS",
    };
    let run = context! {
        run_id => outcome.run_id,
        target => outcome.target,
        plan => outcome.plan,
        faults => outcome.faults,
        verdict,
        passed => outcome.passed(),
        failed => outcome.failed(),
        errors => outcome.errors(),
        not_applicable => outcome.not_applicable.len(),
        wall_s => format!("{:.2}", outcome.wall_ms / 1000.0),
    };
    // A large run's page shows the evidence of the scenarios that did not
    // pass, and lists the passed ones in one table: 10,000 scenarios with
    // every exchange made a 17 MB page a browser opened slowly. Every
    // exchange is in evidence.jsonl either way.
    let compact = outcome.scenarios.len() > FULL_EVIDENCE_UP_TO;
    let (detailed, listed): (Vec<&ScenarioRecord>, Vec<&ScenarioRecord>) = outcome
        .scenarios
        .iter()
        .partition(|s| !compact || s.status != ScenarioStatus::Passed || s.expected_failure.is_some());
    // The table needs names only: a listed record serialised whole would
    // read its spooled evidence back for nothing.
    let listed: Vec<minijinja::Value> = listed
        .iter()
        .map(|s| context! { scenario => s.scenario, file => s.file, line => s.line, requirements => s.requirements })
        .collect();
    // Requirements the plan did not touch are left out of a plan's page.
    let shown: Vec<_> =
        verdicts.into_iter().filter(|v| outcome.plan.is_none() || v.verdict != Verdict::NotRun).collect();
    env.get_template("report.html")?.render(context! {
        run,
        verdicts => shown,
        scenarios => detailed,
        passed_listed => listed,
        not_applicable => outcome.not_applicable,
        unexpected_passes => outcome.unexpected_passes,
        incomplete => outcome.incomplete,
        warnings => outcome.warnings,
        load => outcome.load,
        load_svg => minijinja::Value::from_safe_string(outcome.load.as_ref().map(super::load_section::svg).unwrap_or_default()),
    })
}
