//! Sharding for CI: the shards of a run add up to the whole run, each
//! scenario in exactly one shard, and `report merge` joins the shards'
//! report folders into one report with the whole run's verdicts.
mod common;

use std::collections::BTreeSet;

use authconform::model::RunOutcome;

fn keys(o: &RunOutcome) -> BTreeSet<String> {
    o.scenarios
        .iter()
        .map(|s| format!("{}:{} {}", s.file, s.line, s.scenario))
        .chain(o.not_applicable.iter().map(|n| format!("{}:{} {} (n/a)", n.file, n.line, n.scenario)))
        .collect()
}

#[test]
fn shards_add_up_to_the_whole_run() {
    let bank = authconform::crypto::KeyBank::default();
    let tmp = tempfile::tempdir().unwrap();
    let mut whole = common::config(vec![]);
    whole.keys = authconform::crypto::KeySupply::Shared(bank.clone());
    let whole = common::run_blocking(whole);
    let all = keys(&whole);

    let mut seen = BTreeSet::new();
    let mut dirs = Vec::new();
    for i in 1..=3 {
        let mut c = common::config(vec![]);
        c.keys = authconform::crypto::KeySupply::Shared(bank.clone());
        c.shard = Some((i, 3));
        c.report_dir = Some(tmp.path().join(format!("shard-{i}")));
        let o = common::run_blocking(c);
        assert!(common::failures(&o).is_empty(), "{:?}", common::failures(&o));
        let mine = keys(&o);
        assert!(!mine.is_empty(), "shard {i}/3 is empty");
        let twice: Vec<_> = mine.intersection(&seen).collect();
        assert!(twice.is_empty(), "in two shards: {twice:?}");
        seen.extend(mine);
        dirs.push(o.report_path.unwrap());
    }
    assert_eq!(seen, all, "the shards must add up to the whole run");

    // Merged, the shards give the whole run's scenarios and verdicts, in a bundle that verifies.
    let catalogue =
        authconform::requirements::Catalogue::load(&common::root().join("scenarios/requirements.yaml")).unwrap();
    let merged = authconform::report::merge_reports(&dirs, &tmp.path().join("merged"), catalogue, None).unwrap();
    assert_eq!(keys(&merged), all);
    let verdicts = |o: &RunOutcome| {
        authconform::report::requirement_verdicts(o).into_iter().map(|v| (v.id, v.verdict.label())).collect::<Vec<_>>()
    };
    assert_eq!(verdicts(&merged), verdicts(&whole));
    let report = merged.report_path.unwrap();
    assert!(authconform::report::verify(&report, None).unwrap().problems.is_empty());
    let cucumber: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(report.join("cucumber.json")).unwrap()).unwrap();
    let features: BTreeSet<&str> = cucumber.iter().filter_map(|f| f["uri"].as_str()).collect();
    let ran: BTreeSet<&str> = whole.scenarios.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(features.len(), ran.len(), "every feature file the whole run ran appears in the merged cucumber.json");

    // A tampered shard is refused.
    std::fs::write(dirs[1].join("summary.md"), "all green").unwrap();
    let catalogue =
        authconform::requirements::Catalogue::load(&common::root().join("scenarios/requirements.yaml")).unwrap();
    let err = authconform::report::merge_reports(&dirs, &tmp.path().join("merged2"), catalogue, None).unwrap_err();
    assert!(err.to_string().contains("summary.md"), "{err}");
}
