//! report.html in a real headless browser (Debian's Chromium, installed by
//! scripts/setup.sh): it renders from disk with no network, the verdict table
//! is there with one row per requirement, and the page logs nothing to the
//! console (no script error, no blocked resource).
mod common;

use std::path::Path;
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The DOM after load, and every console line Chromium logged.
fn load(page: &Path, profile: &Path) -> (String, Vec<String>) {
    common::ensure_tool(|| Path::new(CHROMIUM).exists(), CHROMIUM);
    let out = Command::new(CHROMIUM)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        // Without these, Chromium reaches for the network at start-up.
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let console =
        String::from_utf8_lossy(&out.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

#[test]
fn the_report_renders_in_a_headless_browser_without_console_errors() {
    let tmp = tempfile::tempdir().unwrap();
    // The console check itself must be able to fail.
    let broken = tmp.path().join("broken.html");
    std::fs::write(&broken, "<html><body><script>missing();</script></body></html>").unwrap();
    let (_, console) = load(&broken, &tmp.path().join("profile-broken"));
    assert!(console.iter().any(|l| l.contains("missing is not defined")), "console errors are not seen: {console:?}");

    let mut config = common::config(vec![authconform::reference::Fault::SsoResetLinkReusable]);
    config.plan = Some("sso".into());
    config.name = Some(regex::Regex::new("reset link works once|signs in and gets").unwrap());
    config.report_dir = Some(tmp.path().join("reports"));
    let outcome = common::run_blocking(config);
    let page = outcome.report_path.unwrap().join("report.html");
    let (dom, console) = load(&page, &tmp.path().join("profile"));
    assert!(console.is_empty(), "the report logged to the console: {console:?}");
    assert!(dom.contains(r#"<table id="verdicts">"#), "no verdict table in the rendered page");
    let rows = dom.matches(r#"class="verdict-row""#).count();
    assert_eq!(
        rows, 4,
        "one row per requirement the two scenarios cite: SSO-LOGIN-01, SSO-JWT-01, SSO-PLAT-01, RESET-02"
    );
    assert!(dom.contains(r#"id="overall">FAIL<"#), "the injected fault makes the page say FAIL");
    assert!(dom.contains("RESET-02"), "the failing requirement is listed");
}
