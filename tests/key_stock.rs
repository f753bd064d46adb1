//! The key stock through the binary: `keys fill` makes key pairs ahead, a
//! run takes its keys from the stock first (each once, so the stock
//! shrinks by what the run took) and says so, puts back the spares it
//! made, `--fresh-keys` leaves the stock alone, and a stock that is
//! missing or open to other users stops the run before anything starts
//! (exit 2, the folder and the fix named).
mod common;

use std::path::Path;
use std::process::{Command, Output};

/// The binary with its default stock moved into `home` (never the
/// developer's own cache folder).
fn authconform(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authconform"))
        .args(args)
        .current_dir(common::root())
        .env_remove("AUTHCONFORM_KEY_STOCK")
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn count(home: &Path) -> usize {
    let out = authconform(home, &["keys", "status"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    line.split(": ").nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).expect(&line)
}

/// The summary line's "keys: N generated, M from the key stock".
fn keys_line(out: &Output) -> String {
    let all = text(out);
    all.lines()
        .find(|l| l.starts_with("scenarios:"))
        .unwrap_or_else(|| panic!("no summary line in:\n{all}"))
        .to_string()
}

#[test]
fn a_run_takes_its_keys_from_the_stock_once_and_fresh_keys_leave_it_alone() {
    let home = tempfile::tempdir().unwrap();
    let reports = home.path().join("reports");
    let reports = reports.to_str().unwrap();
    // One scenario about keys: three key pairs a run (two sign-ups, and the
    // embedded partner's signing key).
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--tags", "@req:KEY-01", "--report-dir", reports];
        args.extend_from_slice(extra);
        authconform(home.path(), &args)
    };

    let filled = authconform(home.path(), &["keys", "fill", "--count", "7"]);
    assert_eq!(filled.status.code(), Some(0), "{}", text(&filled));
    assert!(text(&filled).contains("7 key pairs (had 0, made 7"), "{}", text(&filled));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = home.path().join("cache/authconform/keys");
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    }

    let stocked = run(&[]);
    assert_eq!(stocked.status.code(), Some(0), "{}", text(&stocked));
    let line = keys_line(&stocked);
    assert!(line.contains("1 passed") && line.contains("keys: 0 generated, 3 from the key stock"), "{line}");
    assert_eq!(count(home.path()), 4, "the keys the run took are gone for good");

    let fresh = run(&["--fresh-keys"]);
    assert_eq!(fresh.status.code(), Some(0), "{}", text(&fresh));
    let line = keys_line(&fresh);
    assert!(line.contains("1 passed") && !line.contains("key stock"), "{line}");
    assert_eq!(count(home.path()), 4, "--fresh-keys neither takes from the stock nor adds to it");

    let again = run(&[]);
    let line = keys_line(&again);
    assert!(line.contains("1 passed") && line.contains("keys: 0 generated, 3 from the key stock"), "{line}");
    assert_eq!(count(home.path()), 1);

    // Past the stock the run generates, and the keys it made ahead and did
    // not use go into the stock.
    let past = run(&[]);
    let line = keys_line(&past);
    assert!(line.contains("1 passed") && line.contains(", 1 from the key stock"), "{line}");
    assert!(!line.contains("keys: 0 generated"), "{line}");
    let put_back: usize = match line.split(" put back").next().and_then(|s| s.rsplit(' ').next()) {
        Some(n) if line.contains(" put back") => n.parse().unwrap(),
        _ => 0,
    };
    assert_eq!(count(home.path()), put_back, "{line}");

    let cleared = authconform(home.path(), &["keys", "clear"]);
    assert_eq!(cleared.status.code(), Some(0), "{}", text(&cleared));
    assert_eq!(count(home.path()), 0);
}

#[test]
fn a_stock_missing_or_open_to_others_stops_the_run_before_it_starts() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("no-such-stock");
    let out = authconform(home.path(), &["run", "--key-stock", missing.to_str().unwrap(), "--report-dir", "unused"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("does not exist; make it with `authconform keys fill --dir"), "{}", text(&out));
    assert!(!home.path().join("unused").exists() && !common::root().join("unused").exists(), "no report is written");

    let out = authconform(home.path(), &["keys", "status"]);
    assert_eq!(out.status.code(), Some(2), "no stock yet: {}", text(&out));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let open = home.path().join("cache/authconform/keys");
        std::fs::create_dir_all(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        // The default stock too: a run does not quietly use, or skip, keys others could read.
        let out = authconform(home.path(), &["run", "--report-dir", "unused"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains("is open to other users (mode 755)") && text(&out).contains("chmod 700"));
        let out = authconform(
            home.path(),
            &[
                "run",
                "--fresh-keys",
                "--tags",
                "@req:OTP-CODE-03",
                "--report-dir",
                home.path().join("r").to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "--fresh-keys does not look at the stock: {}", text(&out));
    }
}
