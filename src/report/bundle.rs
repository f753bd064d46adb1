//! Writing the report folder's own files next to cucumber's cucumber.json. Each file is written to a temporary name and renamed.
use std::io::Write;
use std::path::Path;

use super::evidence::write_evidence;
use super::manifest::{manifest_files, SigningKey};
use super::summary::{markdown_summary, requirement_verdicts};
use crate::model::RunOutcome;

fn write_atomic(dir: &Path, name: &str, contents: &[u8]) -> std::io::Result<()> {
    write_atomic_with(dir, name, |w| w.write_all(contents))
}

/// Writes what `fill` writes to a temporary file, then renames it to `name`.
fn write_atomic_with(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut out = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut out)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// Writes the summaries, `evidence.jsonl`, and last the manifest (and its
/// signature with a key) over everything in `dir`, cucumber's file included.
pub fn write_bundle(dir: &Path, outcome: &RunOutcome, key: Option<&SigningKey>) -> std::io::Result<()> {
    // The files are independent, and each reads every record (most of them
    // back from the spool): written side by side, the reports of a large
    // run cost the time of the largest one, not of all of them.
    let writers: [&(dyn Fn() -> std::io::Result<()> + Sync); 4] = [
        &|| write_atomic(dir, "junit.xml", &super::junit::junit_xml(outcome)?),
        &|| {
            // Serialised straight to the file: a 10,000-scenario outcome copied
            // into a `serde_json::Value` first took more memory than the run.
            #[derive(serde::Serialize)]
            struct Summary<'a> {
                outcome: &'a RunOutcome,
                requirements: Vec<super::summary::RequirementVerdict>,
            }
            let summary = Summary { outcome, requirements: requirement_verdicts(outcome) };
            write_atomic_with(dir, "summary.json", |w| {
                serde_json::to_writer_pretty(w, &summary).map_err(std::io::Error::other)
            })?;
            write_atomic(dir, "summary.md", markdown_summary(outcome).as_bytes())
        },
        &|| {
            write_atomic(
                dir,
                "report.html",
                super::html::html_report(outcome).map_err(std::io::Error::other)?.as_bytes(),
            )
        },
        &|| write_atomic_with(dir, "evidence.jsonl", |w| write_evidence(outcome, w)),
    ];
    std::thread::scope(|s| {
        let running: Vec<_> = writers.iter().map(|write| s.spawn(write)).collect();
        // Every writer finishes before the first error is returned.
        let results: Vec<_> =
            running.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect();
        results.into_iter().collect::<std::io::Result<()>>()
    })?;
    if let Some(load) = &outcome.load {
        write_atomic(dir, "load.json", serde_json::to_string_pretty(load).map_err(std::io::Error::other)?.as_bytes())?;
    }
    if let Some(i) = &outcome.incomplete {
        let mut text = format!(
            "This run did not finish: {}.\nThe reports hold the {} scenario(s) that finished; these {} did not run:\n",
            i.reason,
            outcome.scenarios.len(),
            i.not_run.len()
        );
        text.extend(i.not_run.iter().map(|n| format!("  {}:{} {}\n", n.file, n.line, n.scenario)));
        write_atomic(dir, INCOMPLETE, text.as_bytes())?;
    }
    seal(dir, &outcome.run_id, &outcome.target, key)
}

/// The marker file of a report whose run stopped before its end; `verify`
/// names it, and every summary says INCOMPLETE.
pub const INCOMPLETE: &str = "INCOMPLETE";

/// Finishes the folder a killed run left (`.staging-*`): whatever it wrote
/// stays as it is, marked INCOMPLETE with `reason`, under a manifest.
pub fn seal_abandoned(dir: &Path, run_id: &str, reason: &str) -> std::io::Result<()> {
    let text = format!("This run did not finish: {reason}.\nIts process stopped before it wrote its summaries; the files here are what it left, as it left them.\n");
    write_atomic(dir, INCOMPLETE, text.as_bytes())?;
    seal(dir, run_id, "unknown (the run stopped before its summary)", None)
}

/// Writes the manifest (and its signature with a key) over every file of `dir`.
fn seal(dir: &Path, run_id: &str, target: &str, key: Option<&SigningKey>) -> std::io::Result<()> {
    for (name, bytes) in manifest_files(dir, run_id, target, key)? {
        write_atomic(dir, name, &bytes)?;
    }
    Ok(())
}
