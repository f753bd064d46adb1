//! Golden outputs of the reports a user reads: the console summary and
//! summary.md, from a fixed outcome (so run ids and timings are stable).
mod common;

use authconform::report::{console_summary, markdown_summary, requirement_verdicts};

use authconform::model::{NotApplicable, RunOutcome, ScenarioRecord, ScenarioStatus};
use authconform::requirements::Catalogue;

fn scenario(line: usize, name: &str, reqs: &[&str], failure: Option<&str>) -> ScenarioRecord {
    ScenarioRecord {
        feature: "Sign-up by one-time code".into(),
        file: "features/otp/register.feature".into(),
        scenario: name.into(),
        line,
        tags: reqs.iter().map(|r| format!("req:{r}")).collect(),
        requirements: reqs.iter().map(|r| r.to_string()).collect(),
        status: if failure.is_some() { ScenarioStatus::Failed } else { ScenarioStatus::Passed },
        failure: failure.map(str::to_string),
        checks: vec![],
        expected_failure: None,
        exchanges: vec![],
        evidence: Default::default(),
        steps: vec![],
        spooled: None,
    }
}

fn outcome() -> RunOutcome {
    RunOutcome {
        run_id: "20261122T000000Z-golden".into(),
        target: "reference".into(),
        plan: None,
        unexpected_passes: vec![],
        faults: vec!["otp-reusable".into()],
        scenarios: vec![
            scenario(8, "A patient registers by e-mail", &["OTP-REG-01", "OTP-REG-06"], None),
            scenario(95, "A code works once", &["OTP-CODE-03"], Some("expected a 4xx refusal: otp.validate GET http://127.0.0.1:1/msggw/ic/process/validate/id-[REDACTED:code] -> 200: {}")),
        ],
        not_applicable: vec![NotApplicable {
            file: "features/otp/register.feature".into(),
            scenario: "A patient registers by SMS".into(),
            line: 24,
            requirements: vec!["OTP-REG-02".into()],
            missing: vec!["sms".into()],
        }],
        failed_requirements: vec!["OTP-CODE-03".into()],
        wall_ms: 1234.0,
        keys_generated: 1,
        keygen_ms: 250.0,
        key_wait_ms: 10.0,
        keys_from_stock: 0,
        keys_put_back: 0,
        snapshots: "check".into(),
        report_path: None,
        // A fixed catalogue (a copy of the OTP one), so the golden output does not
        // change whenever requirements are added.
        catalogue: Catalogue::load(&common::root().join("tests/fixtures/broken/scenarios/requirements.yaml")).unwrap(),
        incomplete: None,
        notes: vec![],
        warnings: vec![],
        load: None,
    }
}

#[test]
fn console_summary_is_stable() {
    insta::assert_snapshot!("console_summary", console_summary(&outcome()));
}

#[test]
fn markdown_summary_is_stable() {
    insta::assert_snapshot!("summary_md", markdown_summary(&outcome()));
}

#[test]
fn html_verdict_table_is_stable() {
    let html = authconform::report::html_report(&outcome()).unwrap();
    let start = html.find(r#"<table id="verdicts">"#).expect("a verdict table");
    let end = start + html[start..].find("</table>").unwrap() + "</table>".len();
    insta::assert_snapshot!("html_verdicts", &html[start..end]);
}

#[test]
fn should_failures_warn_and_must_failures_fail_the_run() {
    let mut o = outcome();
    assert_eq!(o.exit_code(), 1, "OTP-CODE-03 is a MUST");
    o.catalogue.requirements.get_mut("OTP-CODE-03").unwrap().level = authconform::requirements::Level::Should;
    assert_eq!(o.exit_code(), 0, "a SHOULD failure is a warning");
    let v = requirement_verdicts(&o);
    assert_eq!(v.iter().find(|r| r.id == "OTP-CODE-03").unwrap().verdict.label(), "WARN");
}

#[test]
fn verdicts_follow_levels_and_applicability() {
    let v = requirement_verdicts(&outcome());
    let of = |id: &str| v.iter().find(|r| r.id == id).unwrap().verdict.label();
    assert_eq!(of("OTP-REG-01"), "PASS");
    assert_eq!(of("OTP-CODE-03"), "FAIL");
    assert_eq!(of("OTP-REG-02"), "NOT APPLICABLE");
    assert_eq!(of("OTP-TOKEN-01"), "NOT RUN");
}

#[test]
fn a_large_run_shows_the_evidence_of_what_did_not_pass_and_lists_the_rest() {
    let mut o = outcome();
    let passed = o.scenarios[0].clone();
    let limit = authconform::report::FULL_EVIDENCE_UP_TO;
    o.scenarios.extend((0..limit).map(|i| ScenarioRecord { line: 1000 + i, ..passed.clone() }));
    let html = authconform::report::html_report(&o).unwrap();
    assert_eq!(html.matches(r#"<section class="scenario""#).count(), 1, "only the failed scenario in full");
    assert!(html.contains("A code works once") && html.contains(r#"id="compact-note""#));
    assert_eq!(html.matches(r#"<tr><td class="passed">"#).count(), limit + 1, "every passed scenario listed");

    // At the limit, every scenario keeps its evidence.
    o.scenarios.truncate(limit);
    let html = authconform::report::html_report(&o).unwrap();
    assert_eq!(html.matches(r#"<section class="scenario""#).count(), limit);
    assert!(!html.contains(r#"id="passed-scenarios""#));
}
