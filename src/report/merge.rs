//! `authconform report merge DIR...`: joins the report folders of a sharded
//! run into one, as if the run had not been split: scenarios and evidence
//! side by side, verdicts recomputed against the catalogue, junit.xml
//! rendered from the merged outcome, cucumber.json concatenated, and a new manifest (signed with a key) over
//! the result. Every shard must verify first: a tampered shard is refused.
use std::path::{Path, PathBuf};

use super::manifest::{verify, SigningKey};
use crate::model::RunOutcome;
use crate::requirements::Catalogue;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{dir}: {message}")]
    Shard { dir: PathBuf, message: String },
    #[error("the shards are of different runs: {0}")]
    Mismatch(String),
    #[error("cannot write the merged report in {dir}: {source}")]
    Write { dir: PathBuf, source: std::io::Error },
}

fn read(dir: &Path, name: &str) -> Result<String, MergeError> {
    std::fs::read_to_string(dir.join(name))
        .map_err(|e| MergeError::Shard { dir: dir.into(), message: format!("{name}: {e}") })
}

/// The outcome a shard's `summary.json` holds.
fn shard_outcome(dir: &Path) -> Result<RunOutcome, MergeError> {
    let v = verify(dir, None).map_err(|e| MergeError::Shard { dir: dir.into(), message: e.to_string() })?;
    if !v.problems.is_empty() {
        return Err(MergeError::Shard {
            dir: dir.into(),
            message: format!("does not verify: {}", v.problems.join("; ")),
        });
    }
    let summary: serde_json::Value = serde_json::from_str(&read(dir, "summary.json")?)
        .map_err(|e| MergeError::Shard { dir: dir.into(), message: format!("summary.json: {e}") })?;
    serde_json::from_value(summary["outcome"].clone())
        .map_err(|e| MergeError::Shard { dir: dir.into(), message: format!("summary.json: not a run outcome ({e})") })
}

/// The shards' outcomes joined into one.
pub fn merge_outcomes(mut shards: Vec<RunOutcome>, catalogue: Catalogue) -> Result<RunOutcome, MergeError> {
    let first = shards.first().ok_or_else(|| MergeError::Mismatch("no report folder given".into()))?;
    let (target, plan) = (first.target.clone(), first.plan.clone());
    if let Some(other) = shards.iter().find(|s| s.target != target || s.plan != plan) {
        return Err(MergeError::Mismatch(format!(
            "target {} plan {:?} beside target {} plan {:?}",
            target, plan, other.target, other.plan
        )));
    }
    let mut merged = RunOutcome {
        run_id: format!(
            "{}-merged-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
            &uuid::Uuid::new_v4().simple().to_string()[..6]
        ),
        target,
        plan,
        unexpected_passes: Vec::new(),
        faults: Vec::new(),
        scenarios: Vec::new(),
        not_applicable: Vec::new(),
        failed_requirements: Vec::new(),
        // Shards run side by side: the merged run took as long as the slowest.
        wall_ms: shards.iter().map(|s| s.wall_ms).fold(0.0, f64::max),
        keys_generated: shards.iter().map(|s| s.keys_generated).sum(),
        keygen_ms: shards.iter().map(|s| s.keygen_ms).sum(),
        key_wait_ms: shards.iter().map(|s| s.key_wait_ms).sum(),
        keys_from_stock: shards.iter().map(|s| s.keys_from_stock).sum(),
        keys_put_back: shards.iter().map(|s| s.keys_put_back).sum(),
        snapshots: first.snapshots.clone(),
        report_path: None,
        catalogue,
        // Any shard that stopped early leaves the merged run incomplete.
        incomplete: None,
        notes: Vec::new(),
        warnings: Vec::new(),
        load: None,
    };
    let mut candidates = Vec::new();
    for s in &mut shards {
        candidates.append(&mut s.unexpected_passes);
        merged.faults.append(&mut s.faults);
        merged.scenarios.append(&mut s.scenarios);
        merged.not_applicable.append(&mut s.not_applicable);
        merged.failed_requirements.append(&mut s.failed_requirements);
        // Load shards: histograms added, so the merged percentiles are
        // those of every sample.
        if let Some(load) = s.load.take() {
            match &mut merged.load {
                Some(m) => {
                    m.merge(&load).map_err(|e| MergeError::Mismatch(format!("shard {}: load.json: {e}", s.run_id)))?
                }
                None => merged.load = Some(load),
            }
        }
        if let Some(mut i) = s.incomplete.take() {
            let merged_i = merged
                .incomplete
                .get_or_insert_with(|| crate::model::Incomplete { reason: String::new(), not_run: Vec::new() });
            let why = format!("shard {}: {}", s.run_id, i.reason);
            merged_i.reason = if merged_i.reason.is_empty() { why } else { format!("{}; {why}", merged_i.reason) };
            merged_i.not_run.append(&mut i.not_run);
        }
    }
    merged.faults.sort();
    merged.faults.dedup();
    merged.failed_requirements.sort();
    merged.failed_requirements.dedup();
    merged.scenarios.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    merged.not_applicable.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    // An entry that passed in one shard may have failed in another: keep
    // only those that no merged scenario failed.
    for e in candidates {
        let failed_somewhere = merged.scenarios.iter().any(|s| {
            s.status == crate::model::ScenarioStatus::Failed && e.covers(&merged.target, &s.scenario, &s.requirements)
        });
        let seen = merged.unexpected_passes.iter().any(|u| u.scenario == e.scenario && u.requirement == e.requirement);
        if !failed_somewhere && !seen {
            merged.unexpected_passes.push(e);
        }
    }
    Ok(merged)
}

/// Merges `dirs` into a new folder under `into`; returns the merged outcome
/// with `report_path` set.
pub fn merge_reports(
    dirs: &[PathBuf],
    into: &Path,
    catalogue: Catalogue,
    key: Option<&SigningKey>,
) -> Result<RunOutcome, MergeError> {
    let shards = dirs.iter().map(|d| shard_outcome(d)).collect::<Result<Vec<_>, _>>()?;
    let mut cucumber = Vec::new();
    for d in dirs {
        let features: Vec<serde_json::Value> = serde_json::from_str(&read(d, "cucumber.json")?)
            .map_err(|e| MergeError::Shard { dir: d.clone(), message: format!("cucumber.json: {e}") })?;
        cucumber.extend(features);
    }
    let mut merged = merge_outcomes(shards, catalogue)?;
    let write = |source: std::io::Error| MergeError::Write { dir: into.into(), source };
    std::fs::create_dir_all(into).map_err(write)?;
    // Staged under a hidden name and renamed, like a run's folder.
    let staging = tempfile::Builder::new().prefix(".staging-").tempdir_in(into).map_err(write)?;
    std::fs::write(staging.path().join("cucumber.json"), serde_json::to_vec(&cucumber).map_err(|e| write(e.into()))?)
        .map_err(write)?;
    super::write_bundle(staging.path(), &merged, key).map_err(write)?;
    let target = into.join(&merged.run_id);
    std::fs::rename(staging.keep(), &target).map_err(write)?;
    merged.report_path = Some(target);
    Ok(merged)
}
