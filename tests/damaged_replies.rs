//! The reference behind a proxy that damages its replies, one way per run:
//! a 50 MB body, a body that breaks off, invalid UTF-8, a wrong content
//! type, an unexpected status on token creation with the token in the body,
//! the Authorization header echoed back, a body that trickles in. For each,
//! the verdicts expected, the failure naming what happened, the reports
//! complete, no secret in any of them, and the harness's memory bounded.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use authconform::model::ScenarioStatus;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use futures::StreamExt;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Huge,
    BrokenOff,
    InvalidUtf8,
    WrongContentType,
    TokenStatus,
    EchoAuthorization,
    Trickle,
}

struct Proxy {
    upstream: String,
    mode: Mutex<Mode>,
    client: reqwest::Client,
}

async fn forward(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let mode = *p.mode.lock().unwrap();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let url = format!("{}{}", p.upstream, parts.uri.path_and_query().map(|q| q.as_str()).unwrap_or("/"));
    let mut up = p.client.request(parts.method.clone(), &url).body(body);
    let auth = parts.headers.get("authorization").map(|v| v.to_str().unwrap().to_string());
    for (k, v) in &parts.headers {
        if k != "host" && k != "content-length" {
            up = up.header(k, v);
        }
    }
    let reply = up.send().await.unwrap();
    let mut status = reply.status();
    let headers = reply.headers().clone();
    let mut bytes = reply.bytes().await.unwrap().to_vec();
    let mut out = Response::builder();
    for (k, v) in &headers {
        if k != "content-length" && k != "transfer-encoding" && !(mode == Mode::WrongContentType && k == "content-type")
        {
            out = out.header(k, v);
        }
    }
    let body = match mode {
        Mode::Huge => {
            // Valid JSON still (trailing blanks), and streamed: the proxy
            // itself holds 64 KiB at a time.
            let blanks = Bytes::from(vec![b' '; 64 * 1024]);
            let head = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
            Body::from_stream(head.chain(futures::stream::repeat(blanks).take(800).map(Ok)))
        }
        Mode::BrokenOff => {
            // Half the body, then the connection cut once the status and
            // headers have surely gone out.
            let half = Bytes::from(bytes[..bytes.len() / 2].to_vec());
            let cut = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err::<Bytes, _>(std::io::Error::other("proxy cut the reply"))
            });
            Body::from_stream(futures::stream::iter([Ok(half)]).chain(cut))
        }
        Mode::InvalidUtf8 => {
            bytes.iter_mut().filter(|b| **b == b'-').for_each(|b| *b = 0xff);
            Body::from(bytes)
        }
        Mode::WrongContentType => {
            out = out.header("content-type", "text/html");
            Body::from(bytes)
        }
        Mode::TokenStatus => {
            if parts.uri.path().contains("/user/token/") {
                status = reqwest::StatusCode::ACCEPTED;
            }
            Body::from(bytes)
        }
        Mode::EchoAuthorization => {
            if let Some(a) = &auth {
                out = out.header("x-echo-authorization", a);
                if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(&bytes) {
                    map.insert("echo".into(), a.clone().into());
                    bytes = serde_json::to_vec(&map).unwrap();
                }
            }
            Body::from(bytes)
        }
        Mode::Trickle => {
            let bytes: Vec<u8> = if bytes.is_empty() { b"{}".to_vec() } else { bytes };
            let stream = futures::stream::iter(bytes).then(|b| async move {
                tokio::time::sleep(Duration::from_millis(40)).await;
                Ok::<_, std::io::Error>(Bytes::from(vec![b]))
            });
            Body::from_stream(stream)
        }
    };
    out.status(status.as_u16()).body(body).unwrap()
}

fn free_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// The harness's own peak memory so far (the whole test process: harness,
/// reference and proxy).
fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

#[test]
fn damaged_replies_fail_what_they_damage_and_nothing_leaks() {
    let (smtp, sms) = (free_port(), free_port());
    std::env::set_var("DAMAGED_SMTP", &smtp);
    std::env::set_var("DAMAGED_SMS", &sms);
    std::env::set_var("DAMAGED_URL", "http://127.0.0.1:1");
    let profile_path = common::root().join("tests/fixtures/profiles/damaged.yaml");
    let profile = authconform::profile::load_profile(&profile_path).unwrap_or_else(|e| panic!("{}", e.render()));
    let var = |k: &str| profile.variables[k].as_str().unwrap().to_string();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let ledger = authconform::reference::Ledger::new();
    let rc = authconform::reference::ReferenceConfig {
        listen: "127.0.0.1:0".into(),
        smtp: Some(smtp.clone()),
        sms_webhook: Some(format!("http://{sms}{}", profile.sms.as_ref().unwrap().webhook.path)),
        spec_id: var("spec_id"),
        captcha: var("captcha"),
        master_hcp_id: var("master_hcp_id"),
        ledger: Some(ledger.clone()),
        ..Default::default()
    };
    let reference = rt.block_on(authconform::reference::start(rc)).unwrap();
    let proxy = Arc::new(Proxy {
        upstream: reference.base_url(),
        mode: Mutex::new(Mode::Huge),
        client: authconform::operation::client_builder(&Default::default()).unwrap().build().unwrap(),
    });
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(forward).with_state(proxy.clone());
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    std::env::set_var("DAMAGED_URL", &proxy_url);

    use ScenarioStatus::{Failed, Passed};
    // (mode, the sign-up's verdict and what its failure says, the refused start's verdict)
    let cases = [
        (Mode::Huge, Failed, "with a reply larger than 256.0 KiB", Failed),
        (Mode::BrokenOff, Failed, "but the reply broke off after", Failed),
        (Mode::InvalidUtf8, Failed, "is not valid UTF-8", Passed),
        (Mode::WrongContentType, Passed, "", Passed),
        (Mode::TokenStatus, Failed, "token.create", Passed),
        // The echo changes the data owner's reply: its snapshot differs, and
        // the diff shows the echoed credentials redacted.
        (Mode::EchoAuthorization, Failed, "differs from its baseline", Passed),
        (Mode::Trickle, Failed, "but the rest of its body did not arrive within 1s", Failed),
    ];
    let chosen = regex::Regex::new("registers by e-mail and keeps|bad captcha").unwrap();
    for (mode, signup, says, refused) in cases {
        *proxy.mode.lock().unwrap() = mode;
        let dir = tempfile::tempdir().unwrap();
        let mut config = common::config(vec![]);
        config.target = Some(profile_path.clone());
        config.name = Some(chosen.clone());
        config.report_dir = Some(dir.path().to_path_buf());
        let outcome =
            rt.block_on(authconform::runner::run(&config)).unwrap_or_else(|e| panic!("{mode:?}: {}", e.render()));
        assert_eq!(outcome.scenarios.len(), 2, "{mode:?}");
        let find = |part: &str| outcome.scenarios.iter().find(|s| s.scenario.contains(part)).unwrap();
        let (up, bad) = (find("registers by e-mail"), find("bad captcha"));
        let why = up.failure.as_deref().unwrap_or_default();
        assert_eq!(up.status, signup, "{mode:?}: sign-up: {why}");
        assert!(why.contains(says), "{mode:?}: the sign-up's failure should say {says:?}: {why}");
        assert_eq!(bad.status, refused, "{mode:?}: bad captcha: {:?}", bad.failure);
        let report = outcome.report_path.clone().expect("reports written");
        let mut total = 0;
        // Every file, scanned for secret shapes and for every value the
        // reference issued or received so far, verbatim.
        let issued = ledger.values();
        let files = common::report_texts(&report);
        assert!(files.len() >= 7, "{mode:?}: {:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
        for (file, text) in &files {
            total += text.len();
            common::assert_no_leaks(&format!("{mode:?}: {file}"), text, &issued);
            for s in [&up, &bad] {
                common::assert_no_leaks(
                    &format!("{mode:?}: the failure of {}", s.scenario),
                    s.failure.as_deref().unwrap_or_default(),
                    &issued,
                );
            }
        }
        // The evidence is bounded whatever the replies were (16 KiB per body).
        assert!(total < 4 << 20, "{mode:?}: {total} bytes of reports");
        let evidence = std::fs::read_to_string(report.join("evidence.jsonl")).unwrap();
        match mode {
            Mode::WrongContentType => assert!(
                evidence.contains("the body is JSON but the content type is `text/html`"),
                "{mode:?}: the note is kept"
            ),
            Mode::TokenStatus => assert!(why.contains("202") && why.contains("[REDACTED"), "{why}"),
            Mode::EchoAuthorization => {
                assert!(evidence.contains("x-echo-authorization") && !evidence.contains("Basic dXN"), "{mode:?}");
                assert!(why.contains(r#""echo": "[REDACTED"#), "{why}");
            }
            _ => {}
        }
    }
    let peak = peak_rss_mb();
    eprintln!("peak memory of the test process: {peak} MB");
    assert!(peak < 300, "peak memory {peak} MB with 50 MB replies");
    drop(reference);
}
