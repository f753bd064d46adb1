//! The verdict rules of the README ("How the suite decides") against
//! targets that used to fool them.
mod common;

use authconform::model::ScenarioStatus;

/// An operation bound to a path that does not exist answers 404 to
/// everything: its refusal checks must not pass, because no positive
/// control on the same operation ever succeeds.
#[test]
fn a_route_that_does_not_exist_earns_no_pass() {
    let mut config = common::config(vec![]);
    config.target = Some(common::root().join("tests/fixtures/profiles/missing-route.yaml"));
    config.embedded = true;
    // Refusal scenarios of otp.start: no master HCP, a bad captcha, malformed addresses.
    config.name = Some(regex::Regex::new("without a master HCP|bad captcha|malformed e-mail").unwrap());
    let outcome = common::run_blocking(config);
    assert!(outcome.scenarios.len() >= 5, "{} scenarios ran", outcome.scenarios.len());
    for s in &outcome.scenarios {
        assert_eq!(s.status, ScenarioStatus::Failed, "{} passed against a missing route", s.scenario);
    }
    let verdicts = authconform::report::requirement_verdicts(&outcome);
    for id in ["OTP-REG-03", "OTP-REG-04", "OTP-REG-05"] {
        let v = verdicts.iter().find(|v| v.id == id).unwrap();
        assert_eq!(v.verdict, authconform::report::Verdict::Fail, "{id}");
    }
    // The patient refused without a master HCP: the refusal itself was a
    // 404, and the control start (same operation, valid actor) was not accepted.
    let patient = outcome.scenarios.iter().find(|s| s.scenario.contains("patient cannot register")).unwrap();
    let why = patient.failure.as_deref().unwrap_or_default();
    assert!(why.contains("otp.start") && why.contains("404"), "{why}");
    assert_eq!(outcome.exit_code(), authconform::exit::NOT_CONFORMING);
}

fn run_with(profile: &str, names: &str) -> authconform::model::RunOutcome {
    let mut config = common::config(vec![]);
    config.target = Some(common::root().join("tests/fixtures/profiles").join(profile));
    config.embedded = true;
    config.name = Some(regex::Regex::new(names).unwrap());
    common::run_blocking(config)
}

/// Rule 4: an attack the profile's template drops was never made, so the
/// refusal that follows proves nothing; the run is a profile error.
#[test]
fn an_attack_the_profile_drops_is_a_profile_error() {
    let outcome = run_with("drops-attacks.yaml", "Clear content is refused|Role and hospital sent by the client");
    assert_eq!(outcome.scenarios.len(), 2);
    for s in &outcome.scenarios {
        let why = s.failure.as_deref().unwrap_or_default();
        assert!(why.starts_with(authconform::operation::PROFILE_ERROR), "{}: {why}", s.scenario);
    }
    let clear = outcome.scenarios.iter().find(|s| s.scenario.contains("Clear")).unwrap();
    assert!(clear.failure.as_deref().unwrap().contains("data_sample.create"));
    let role = outcome.scenarios.iter().find(|s| s.scenario.contains("Role")).unwrap();
    assert!(role.failure.as_deref().unwrap().contains("Role and HospitalId"));
    assert_eq!(outcome.exit_code(), authconform::exit::USAGE);
    assert!(authconform::report::console_summary(&outcome).contains("PROFILE ERROR in 2 scenario(s)"));
}

/// Rule 6: a template that fails only when called (a lookup the profile
/// check cannot see) is the profile's error, named with the operation, and
/// exits 2; a variable the operation does not get is refused when the
/// profile loads (tests/errors.rs).
#[test]
fn a_template_failing_while_running_is_a_profile_error() {
    let outcome = run_with("undefined-lookup.yaml", "bad captcha");
    let s = outcome.scenarios.first().expect("the scenario ran");
    let why = s.failure.as_deref().unwrap_or_default();
    assert!(why.starts_with("profile error: operation `otp.start`: url template failed: undefined value"), "{why}");
    assert_eq!(outcome.exit_code(), authconform::exit::USAGE);
}
