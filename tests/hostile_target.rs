//! A target that answers garbage, answers too slowly, or is down: each
//! scenario fails with the operation, URL, status and a redacted excerpt;
//! the run goes on and its reports are written.
mod common;

use std::time::Duration;

use authconform::model::ScenarioStatus;
use axum::routing::any;
use axum::Router;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[test]
fn garbage_slow_and_down_targets_fail_scenarios_not_the_run() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // One process, one environment: the three targets are run one after the other.
    let garbage =
        rt.block_on(serve(Router::new().fallback(any(|| async { "<html>Internal oops: token=s3cr3t</html>" }))));
    let slow = rt.block_on(serve(Router::new().fallback(any(|| async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        "late"
    }))));
    let down = "http://127.0.0.1:9".to_string();
    // A target that answers garbage does not conform (FAIL, exit 1); one that
    // does not answer at all cannot be judged (ERROR, exit 3).
    let cases = [
        (garbage, "-> 200: <html>Internal oops", ScenarioStatus::Failed, authconform::exit::NOT_CONFORMING),
        (slow, "gave no answer within 300ms", ScenarioStatus::Error, authconform::exit::HARNESS),
        (down, "could not be sent", ScenarioStatus::Error, authconform::exit::HARNESS),
    ];
    let chosen = regex::Regex::new("bad captcha|tampered").unwrap();
    for (url, expect, status, code) in cases {
        std::env::set_var("HOSTILE_URL", &url);
        let dir = tempfile::tempdir().unwrap();
        let mut config = common::config(vec![]);
        config.target = Some(common::root().join("tests/fixtures/profiles/hostile.yaml"));
        // A refusal the target must give, and a sign-up it must complete.
        config.name = Some(chosen.clone());
        config.report_dir = Some(dir.path().to_path_buf());
        let outcome = rt.block_on(authconform::runner::run(&config)).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(outcome.scenarios.len(), 2, "{url}: both scenarios ran");
        for s in &outcome.scenarios {
            assert_eq!(s.status, status, "{url}: {}", s.scenario);
            assert!(!s.failure.as_deref().unwrap_or_default().is_empty(), "{url}: {} failed silently", s.scenario);
        }
        // The message names the operation, the URL and what went wrong.
        let any_expected = outcome.scenarios.iter().any(|s| {
            let m = s.failure.as_deref().unwrap_or_default();
            m.contains(expect) && m.contains("otp.start") && m.contains(&url)
        });
        assert!(
            any_expected,
            "{url}: no failure says {expect:?}: {:?}",
            outcome.scenarios.iter().map(|s| &s.failure).collect::<Vec<_>>()
        );
        assert_eq!(outcome.exit_code(), code, "{url}");
        let report = outcome.report_path.expect("reports written");
        assert!(report.join("summary.md").exists());
        for (file, text) in common::report_texts(&report) {
            common::assert_no_leaks(&format!("{url}: {file}"), &text, &[]);
        }
        if status == ScenarioStatus::Error {
            let junit = std::fs::read_to_string(report.join("junit.xml")).unwrap();
            assert!(
                junit.contains("<error") && !junit.contains("<failure"),
                "{url}: an unreachable target is a JUnit <error>: {junit}"
            );
        }
    }
}
