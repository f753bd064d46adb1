//! Writing the report folder's own files next to cucumber's cucumber.json. Each file is written to a temporary name and renamed.
use std::io::Write;
use std::path::Path;

use super::evidence::evidence_lines;
use super::manifest::{manifest_files, SigningKey};
use super::summary::{markdown_summary, requirement_verdicts};
use crate::runner::RunOutcome;

fn write_atomic(dir: &Path, name: &str, contents: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// Writes the summaries, `evidence.jsonl`, and last the manifest (and its
/// signature with a key) over everything in `dir`, cucumber's file included.
pub fn write_bundle(dir: &Path, outcome: &RunOutcome, key: Option<&SigningKey>) -> std::io::Result<()> {
    write_atomic(dir, "junit.xml", &super::junit::junit_xml(outcome)?)?;
    write_atomic(dir, "summary.md", markdown_summary(outcome).as_bytes())?;
    let json = serde_json::json!({
        "outcome": outcome,
        "requirements": requirement_verdicts(outcome),
    });
    write_atomic(dir, "summary.json", serde_json::to_string_pretty(&json).map_err(std::io::Error::other)?.as_bytes())?;
    write_atomic(dir, "report.html", super::html::html_report(outcome).map_err(std::io::Error::other)?.as_bytes())?;
    write_atomic(dir, "evidence.jsonl", evidence_lines(outcome).map_err(std::io::Error::other)?.as_bytes())?;
    for (name, bytes) in manifest_files(dir, &outcome.run_id, &outcome.target, key)? {
        write_atomic(dir, name, &bytes)?;
    }
    Ok(())
}
