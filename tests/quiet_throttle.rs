//! A target that turns a flood of code requests away without a word: past
//! its bound it answers every start as usual and sends nothing (the
//! reference's `quiet_throttle`, as many services do it). SEC-GUESS-02 must
//! count that as throttling, from the mails that did not come, not fail it
//! for the missing 429; the same series against a target that sends every
//! code still fails (the `starts-unthrottled` fault, in the fault matrix).
mod common;

use authconform::reference::{start, ReferenceConfig};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn a_flood_turned_away_quietly_counts_as_throttled() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let smtp = format!("127.0.0.1:{}", free_port());
    let reference = rt.block_on(start(ReferenceConfig {
        listen: "127.0.0.1:0".into(),
        smtp: Some(smtp.clone()),
        quiet_throttle: true,
        ..ReferenceConfig::default()
    }));
    let reference = reference.unwrap();
    // scenarios/targets/reference.yaml reads its addresses from these; this
    // test is the only one of its binary, so the environment is its own.
    std::env::set_var("AUTHCONFORM_BASE_URL", reference.base_url());
    std::env::set_var("AUTHCONFORM_SMTP", &smtp);
    std::env::set_var("AUTHCONFORM_SMS", format!("127.0.0.1:{}", free_port()));
    std::env::set_var("AUTHCONFORM_PLATFORM", format!("127.0.0.1:{}", free_port()));
    let mut config = common::config(vec![]);
    config.target = Some(common::root().join("scenarios/targets/reference.yaml"));
    config.snapshots = authconform::snapshot::SnapshotMode::Off;
    config.name = Some(regex::Regex::new("Codes asked for one login").unwrap());
    let outcome = rt.block_on(authconform::runner::run(&config)).unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(outcome.scenarios.len(), 1, "{:?}", outcome.scenarios.iter().map(|s| &s.scenario).collect::<Vec<_>>());
    assert!(outcome.failed_requirements.is_empty(), "{}", common::failures(&outcome).join("\n"));
    // Every start was answered (no 429): the throttle was seen in the mails.
    let starts: Vec<u16> = outcome.scenarios[0]
        .hydrated()
        .unwrap()
        .exchanges
        .iter()
        .filter(|e| e.operation == "otp.start")
        .map(|e| e.status)
        .collect();
    assert!(starts.len() > 10 && starts.iter().all(|s| *s == 200), "{starts:?}");
    drop(reference);
}
