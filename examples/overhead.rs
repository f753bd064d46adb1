//! Harness overhead per HTTP operation: the same GET through a profile
//! operation (template rendering, evidence, extraction) and through a plain
//! reqwest loop, against the in-process reference. See BENCHMARKS.md.
//!
//! cargo run --release --example overhead
use std::sync::Arc;
use std::time::{Duration, Instant};

use authconform::operation::{Target, Vars};
use authconform::profile::load_profile;
use authconform::redact::Redactor;
use authconform::reference::{self, ReferenceConfig};

const N: usize = 5000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p90(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() * 9 / 10]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server =
        reference::start(ReferenceConfig { listen: "127.0.0.1:0".into(), ..Default::default() }).await.unwrap();
    let mut profile = load_profile(std::path::Path::new("scenarios/targets/reference.yaml")).unwrap();
    profile.base_url = server.base_url();
    let target = Target::new(Arc::new(profile), Redactor::new()).expect("the TLS client builds");
    let mut vars = Vars::new();
    vars.insert("request_id".into(), uuid::Uuid::new_v4().to_string().into());
    vars.insert("code".into(), "000000".into());
    let url =
        format!("{}/msggw/ic/process/validate/{}-000000", server.base_url(), vars["request_id"].as_str().unwrap());
    let plain = reqwest::Client::builder().tcp_nodelay(true).build().unwrap();

    for _ in 0..500 {
        target.call("otp.validate", &vars, None).await.unwrap();
        plain.get(&url).send().await.unwrap().text().await.unwrap();
    }
    // Interleave the two loops in rounds so drift in machine load hits both alike.
    let (mut h, mut p) = (Vec::with_capacity(N), Vec::with_capacity(N));
    for _ in 0..N {
        let t = Instant::now();
        let ex = target.call("otp.validate", &vars, None).await.unwrap();
        h.push(t.elapsed());
        assert_eq!(ex.status, 400);
        let t = Instant::now();
        let r = plain.get(&url).send().await.unwrap();
        let _ = r.text().await.unwrap();
        p.push(t.elapsed());
    }
    let (hm, pm) = (median(h.clone()), median(p.clone()));
    println!("requests per loop: {N}");
    println!("plain reqwest:    median {:>7.1} µs  p90 {:>7.1} µs", pm.as_secs_f64() * 1e6, p90(p).as_secs_f64() * 1e6);
    println!(
        "profile operation: median {:>7.1} µs  p90 {:>7.1} µs",
        hm.as_secs_f64() * 1e6,
        p90(h).as_secs_f64() * 1e6
    );
    println!("overhead (median difference): {:.1} µs", (hm.as_secs_f64() - pm.as_secs_f64()) * 1e6);
}
