//! The CI example users copy (examples/ci/github-actions.yml) runs as
//! written: every `authconform` command of its `run:` steps, in job order,
//! with the workflow's own env and each matrix value, against the embedded
//! reference. The shard jobs' report folders are laid out as
//! actions/download-artifact lays them out (`shards/shard-N/<run-id>/`),
//! and the merged report verifies.
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_authconform");

fn run_step(line: &str, dir: &Path, env: &[(String, String)]) -> (i32, String) {
    // The installed binary is this build's: put it first on PATH.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", line])
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("PATH", path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn the_ci_example_shards_merges_and_verifies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/ci/github-actions.yml")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let env: Vec<(String, String)> = doc["env"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v.as_str().map(str::to_string).unwrap_or_default()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let commands = |job: &str| -> Vec<String> {
        doc["jobs"][job]["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str())
            .filter(|r| r.starts_with("authconform "))
            .map(str::to_string)
            .collect()
    };
    let shards: Vec<String> = doc["jobs"]["shard"]["strategy"]["matrix"]["shard"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap().to_string())
        .collect();
    assert_eq!(shards.len().to_string(), env.iter().find(|(k, _)| k == "SHARDS").unwrap().1);
    let shard_steps = commands("shard");
    assert_eq!(shard_steps.len(), 1, "{shard_steps:?}");
    for n in &shards {
        let line = shard_steps[0].replace("${{ matrix.shard }}", n);
        let (code, out) = run_step(&line, dir.path(), &env);
        assert_eq!(code, 0, "shard {n}: `{line}`:\n{out}");
        // download-artifact puts each artifact in a folder named after it.
        std::fs::rename(dir.path().join("shards").join(n), dir.path().join(format!("shard-{n}"))).unwrap();
    }
    std::fs::remove_dir(dir.path().join("shards")).unwrap();
    std::fs::create_dir(dir.path().join("shards")).unwrap();
    for n in &shards {
        std::fs::rename(dir.path().join(format!("shard-{n}")), dir.path().join("shards").join(format!("shard-{n}")))
            .unwrap();
    }
    let merge_steps = commands("merge");
    assert_eq!(merge_steps.len(), 2, "{merge_steps:?}");
    for line in &merge_steps {
        let (code, out) = run_step(line, dir.path(), &env);
        assert_eq!(code, 0, "`{line}`:\n{out}");
    }
    let merged: Vec<_> = std::fs::read_dir(dir.path().join("merged")).unwrap().collect();
    assert_eq!(merged.len(), 1);
}
