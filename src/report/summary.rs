//! The summary grouped by requirement: each requirement's verdict, the
//! scenarios behind it, and what was not applicable to this target.
use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{RunOutcome, ScenarioStatus};
use crate::requirements::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    #[serde(rename = "PASS")]
    Pass,
    #[serde(rename = "FAIL")]
    Fail,
    #[serde(rename = "WARN")]
    Warn,
    #[serde(rename = "NOT APPLICABLE")]
    NotApplicable,
    #[serde(rename = "NOT RUN")]
    NotRun,
    /// Failed, but every failure is a known deviation (expected-failures file).
    #[serde(rename = "EXPECTED FAIL")]
    ExpectedFail,
    /// Every scenario that ran passed, but some were not applicable: never a PASS.
    #[serde(rename = "PARTIAL")]
    Partial,
    /// The harness could not reach the target for some scenario: no judgement.
    #[serde(rename = "ERROR")]
    Error,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Warn => "WARN",
            Verdict::NotApplicable => "NOT APPLICABLE",
            Verdict::NotRun => "NOT RUN",
            Verdict::ExpectedFail => "EXPECTED FAIL",
            Verdict::Partial => "PARTIAL",
            Verdict::Error => "ERROR",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementVerdict {
    pub id: String,
    pub title: String,
    pub level: Level,
    pub source: String,
    pub verdict: Verdict,
    pub scenarios: Vec<String>,
}

/// One verdict per catalogued requirement.
pub fn requirement_verdicts(outcome: &RunOutcome) -> Vec<RequirementVerdict> {
    // A failure the expected-failures file covers counts apart.
    let mut by_req: BTreeMap<&str, Vec<(&str, ScenarioStatus, bool)>> = BTreeMap::new();
    for s in &outcome.scenarios {
        for r in &s.requirements {
            by_req.entry(r).or_default().push((&s.scenario, s.status, s.expected_failure.is_some()));
        }
    }
    outcome
        .catalogue
        .requirements
        .iter()
        .map(|(id, req)| {
            let ran = by_req.get(id.as_str());
            let na = outcome.not_applicable.iter().any(|n| n.requirements.contains(id));
            let unfinished = outcome.incomplete.as_ref().is_some_and(|i| i.touches(id));
            let verdict = match ran {
                Some(list) if list.iter().any(|(_, st, expected)| *st == ScenarioStatus::Failed && !expected) => {
                    match req.level {
                        Level::Must => Verdict::Fail,
                        Level::Should => Verdict::Warn,
                    }
                }
                Some(list) if list.iter().any(|(_, st, _)| *st == ScenarioStatus::Failed) => Verdict::ExpectedFail,
                Some(list) if list.iter().any(|(_, st, _)| *st == ScenarioStatus::Error) => Verdict::Error,
                // PASS means every scenario of the requirement ran and passed.
                Some(_) if na || unfinished => Verdict::Partial,
                Some(_) => Verdict::Pass,
                None if unfinished => Verdict::NotRun,
                None if na => Verdict::NotApplicable,
                None => Verdict::NotRun,
            };
            let state = |st: ScenarioStatus, expected: bool| match (st, expected) {
                (ScenarioStatus::Passed, _) => "passed",
                (ScenarioStatus::Error, _) => "error: the target could not be reached",
                (_, true) => "failed, expected",
                _ => "failed",
            };
            let mut scenarios: Vec<String> = ran
                .map(|l| l.iter().map(|(n, st, ex)| format!("{n} ({})", state(*st, *ex))).collect())
                .unwrap_or_default();
            scenarios.extend(
                outcome
                    .not_applicable
                    .iter()
                    .filter(|n| n.requirements.contains(id))
                    .map(|n| format!("{} (not applicable: needs {})", n.scenario, n.missing.join(", "))),
            );
            if let Some(i) = &outcome.incomplete {
                scenarios.extend(
                    i.not_run
                        .iter()
                        .filter(|n| n.requirements.contains(id))
                        .map(|n| format!("{} (not run: {})", n.scenario, i.reason)),
                );
            }
            RequirementVerdict {
                id: id.clone(),
                title: req.title.clone(),
                level: req.level,
                source: req.source.clone(),
                verdict,
                scenarios,
            }
        })
        .collect()
}

/// `summary.md`: readable in a terminal, a browser or a CI artefact viewer.
pub fn markdown_summary(outcome: &RunOutcome) -> String {
    let verdicts = requirement_verdicts(outcome);
    let mut md = String::new();
    md.push_str(&format!("# authconform run {}\n\n", outcome.run_id));
    if let Some(i) = &outcome.incomplete {
        md.push_str(&format!(
            "**INCOMPLETE**: {}; {} planned scenario(s) did not run, their requirements are not judged.\n\n",
            i.reason,
            i.not_run.len()
        ));
    }
    for w in &outcome.warnings {
        md.push_str(&format!("**WARN**: {w}\n\n"));
    }
    md.push_str(&format!("- target: `{}`\n", outcome.target));
    if !outcome.faults.is_empty() {
        md.push_str(&format!("- reference faults: {}\n", outcome.faults.join(", ")));
    }
    if outcome.snapshots != "check" {
        md.push_str(&format!("- snapshots: {} (baselines were not compared)\n", outcome.snapshots));
    }
    md.push_str(&format!(
        "- scenarios: {} passed, {} failed, {} error, {} not applicable\n- wall time: {:.0} ms\n\n",
        outcome.passed(),
        outcome.failed(),
        outcome.errors(),
        outcome.not_applicable.len(),
        outcome.wall_ms
    ));
    md.push_str("| requirement | level | verdict | title | source | scenarios |\n|---|---|---|---|---|---|\n");
    for v in &verdicts {
        md.push_str(&format!(
            "| {} | {} | **{}** | {} | {} | {} |\n",
            v.id,
            v.level.label(),
            v.verdict.label(),
            v.title.replace('|', "\\|"),
            v.source.replace('|', "\\|"),
            v.scenarios.join("<br>").replace('|', "\\|")
        ));
    }
    let failures: Vec<_> = outcome.scenarios.iter().filter(|s| s.status != ScenarioStatus::Passed).collect();
    if !failures.is_empty() {
        md.push_str("\n## Failures\n");
        for s in failures {
            md.push_str(&format!(
                "\n### {}{} ({}:{})\nrequirements: {}\n{}\n```\n{}\n```\n",
                if s.status == ScenarioStatus::Error { "ERROR: " } else { "" },
                s.scenario,
                s.file,
                s.line,
                s.requirements.join(", "),
                s.expected_failure.as_ref().map(|r| format!("expected failure: {r}\n")).unwrap_or_default(),
                s.failure.as_deref().unwrap_or("")
            ));
        }
    }
    if !outcome.not_applicable.is_empty() {
        md.push_str("\n## Not applicable to this target\n\n");
        for n in &outcome.not_applicable {
            md.push_str(&format!("- {} ({}:{}): needs {}\n", n.scenario, n.file, n.line, n.missing.join(", ")));
        }
    }
    if let Some(i) = outcome.incomplete.as_ref().filter(|i| !i.not_run.is_empty()) {
        md.push_str("\n## Not run (the run stopped first)\n\n");
        for n in &i.not_run {
            md.push_str(&format!("- {} ({}:{})\n", n.scenario, n.file, n.line));
        }
    }
    if let Some(load) = &outcome.load {
        md += &super::load_section::markdown(load);
    }
    md
}

/// The few lines printed after cucumber's own progress output.
pub fn console_summary(outcome: &RunOutcome) -> String {
    let verdicts = requirement_verdicts(outcome);
    let count = |v: Verdict| verdicts.iter().filter(|r| r.verdict == v).count();
    let mut out = String::from("\n");
    for n in &outcome.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    for w in &outcome.warnings {
        out.push_str(&format!("WARN: {w}\n"));
    }
    out += &format!(
        "requirements: {} pass, {} partial, {} fail, {} warn, {} error, {} not applicable, {} not run\n",
        count(Verdict::Pass),
        count(Verdict::Partial),
        count(Verdict::Fail),
        count(Verdict::Warn),
        count(Verdict::Error),
        count(Verdict::NotApplicable),
        count(Verdict::NotRun)
    );
    for v in verdicts.iter().filter(|v| {
        matches!(v.verdict, Verdict::Fail | Verdict::Warn | Verdict::ExpectedFail | Verdict::Error | Verdict::Partial)
    }) {
        out.push_str(&format!("  {} {}: {}\n", v.verdict.label(), v.id, v.title));
    }
    for s in outcome.scenarios.iter().filter(|s| s.expected_failure.is_some()) {
        out.push_str(&format!(
            "  expected failure: {} ({}:{}): {}\n",
            s.scenario,
            s.file,
            s.line,
            s.expected_failure.as_deref().unwrap_or("")
        ));
    }
    for e in &outcome.unexpected_passes {
        let what = e.scenario.clone().or_else(|| e.requirement.clone()).unwrap_or_default();
        out.push_str(&format!(
            "  note: expected to fail but passed: {what} ({}); remove it from the expected failures\n",
            e.reason
        ));
    }
    for n in &outcome.not_applicable {
        out.push_str(&format!(
            "  NOT APPLICABLE {} ({}:{}): needs {}\n",
            n.scenario,
            n.file,
            n.line,
            n.missing.join(", ")
        ));
    }
    let stocked = match (outcome.keys_from_stock, outcome.keys_put_back) {
        (0, 0) => String::new(),
        (taken, 0) => format!(", {taken} from the key stock"),
        (taken, back) => format!(", {taken} from the key stock, {back} put back"),
    };
    out.push_str(&format!(
        "scenarios: {} passed, {} failed, {} error, {} not applicable in {:.2} s (keys: {} generated{stocked}, {:.0} ms waited)\n",
        outcome.passed(),
        outcome.failed(),
        outcome.errors(),
        outcome.not_applicable.len(),
        outcome.wall_ms / 1000.0,
        outcome.keys_generated,
        outcome.key_wait_ms
    ));
    if let Some(load) = &outcome.load {
        out += &super::load_section::console(load);
    }
    let profile_errors = outcome.profile_errors();
    if let Some(first) = profile_errors.first() {
        out.push_str(&format!(
            "PROFILE ERROR in {} scenario(s), so no verdict of this run stands (exit 2); first: {first}\n",
            profile_errors.len()
        ));
    }
    if outcome.snapshots != "check" {
        out.push_str(&format!("snapshots: {} (baselines were not compared)\n", outcome.snapshots));
    }
    if let Some(i) = &outcome.incomplete {
        out.push_str(&format!(
            "INCOMPLETE: {}; {} planned scenario(s) did not run, so their requirements are not judged\n",
            i.reason,
            i.not_run.len()
        ));
    }
    if let Some(p) = &outcome.report_path {
        out.push_str(&format!("reports: {}\n", p.display()));
    }
    out
}
