//! `junit.xml`, written from the finished scenarios rather than by
//! cucumber-rs's writer: a scenario that could not reach the target is an
//! `<error>` (the harness could not judge), a failed check a `<failure>`,
//! and a merged run is rendered from its merged outcome, so shards never
//! splice XML or collide on ids. One `<testsuite>` per feature file.
use std::collections::BTreeMap;

use junit_report::{ReportBuilder, TestCase, TestSuiteBuilder};

use crate::model::{RunOutcome, ScenarioStatus};

pub fn junit_xml(outcome: &RunOutcome) -> std::io::Result<Vec<u8>> {
    let mut by_file: BTreeMap<&str, Vec<TestCase>> = BTreeMap::new();
    for s in &outcome.scenarios {
        let name = format!("Scenario: {}: {}:{}", s.scenario, s.file, s.line);
        let took = time::Duration::milliseconds(s.time_on_target().as_millis() as i64);
        let message = s.failure.as_deref().unwrap_or_default();
        let mut case = match (s.status, &s.expected_failure) {
            (ScenarioStatus::Passed, _) => TestCase::success(&name, took),
            // A known deviation does not block: reported, but not a failure.
            (ScenarioStatus::Failed, Some(reason)) => {
                TestCase::skipped_with_cause(&name, "EXPECTED FAIL", &format!("{reason}: {message}"))
            }
            (ScenarioStatus::Failed, None) => TestCase::failure(&name, took, "FAIL", message),
            (ScenarioStatus::Error, _) => TestCase::error(&name, took, "ERROR", message),
        };
        case.set_classname(&s.feature);
        case.set_filepath(&s.file);
        let steps: String = s
            .steps
            .iter()
            .map(|st| format!("{:?}: {} {} (line {})\n", st.status, st.keyword, st.text, st.line))
            .collect();
        case.set_system_out(&steps);
        by_file.entry(s.file.as_str()).or_default().push(case);
    }
    // A planned scenario the run never finished is skipped, with why, so a
    // CI view shows it rather than a suite that merely looks shorter.
    for (incomplete, n) in outcome.incomplete.iter().flat_map(|i| i.not_run.iter().map(move |n| (i, n))) {
        let mut case = TestCase::skipped_with_cause(
            &format!("Scenario: {}: {}:{}", n.scenario, n.file, n.line),
            "NOT RUN",
            &incomplete.reason,
        );
        case.set_filepath(&n.file);
        by_file.entry(n.file.as_str()).or_default().push(case);
    }
    let mut report = ReportBuilder::new();
    for (file, cases) in by_file {
        let mut suite = TestSuiteBuilder::new(file);
        suite.add_testcases(cases);
        if !outcome.warnings.is_empty() {
            let lines: Vec<String> = outcome.warnings.iter().map(|w| format!("WARN: {w}")).collect();
            suite.set_system_err(&lines.join("\n"));
        }
        report.add_testsuite(suite.build());
    }
    let mut out = Vec::new();
    report.build().write_xml(&mut out).map_err(std::io::Error::other)?;
    Ok(out)
}
