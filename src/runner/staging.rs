//! The report folder while its run writes it. A run writes into a hidden
//! `.staging-<run-id>-*` folder inside `--report-dir`, holds a lock on it as
//! long as the process lives, and renames it to `<run-id>` once every file
//! is written, so a reader never sees a half-written report.
//!
//! A process killed outright (SIGKILL, the kernel's out-of-memory killer, an
//! abort) cannot finish its folder. The next run into the same report
//! folder finds it unlocked and finishes it as an INCOMPLETE report: what
//! the dead run wrote, a marker saying why, and a manifest. Nothing stays
//! half-written under a hidden name.
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::report::{self, SigningKey};

use crate::model::RunOutcome;

const PREFIX: &str = ".staging-";
const LOCK: &str = ".lock";

/// A staging folder and the lock that says its run is alive.
pub(super) struct Staging {
    dir: PathBuf,
    // Held, never read: the lock lasts as long as the open file.
    _lock: Option<File>,
}

impl Staging {
    /// Creates `report_dir` (saying so in `notes` when it did not exist),
    /// finishes the folders dead runs left there, and creates this run's.
    pub(super) fn create(report_dir: &Path, run_id: &str, notes: &mut Vec<String>) -> io::Result<Staging> {
        if !report_dir.exists() {
            std::fs::create_dir_all(report_dir)?;
            notes.push(format!("created the report folder {}", report_dir.display()));
        }
        notes.extend(finish_abandoned(report_dir));
        let dir = tempfile::Builder::new().prefix(&format!("{PREFIX}{run_id}-")).tempdir_in(report_dir)?.keep();
        let lock = File::create(dir.join(LOCK))?;
        // A file system without locks only loses the recovery of a killed
        // run's folder; the run itself goes on.
        let lock = lock.try_lock().is_ok().then_some(lock);
        Ok(Staging { dir, _lock: lock })
    }

    pub(super) fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes the reports and renames the folder to `<report_dir>/<run-id>`.
    pub(super) fn finish(
        self,
        report_dir: &Path,
        outcome: &RunOutcome,
        key: Option<&SigningKey>,
    ) -> io::Result<PathBuf> {
        report::write_bundle(&self.dir, outcome, key)?;
        let target = report_dir.join(&outcome.run_id);
        std::fs::rename(&self.dir, &target)?;
        let _ = std::fs::remove_file(target.join(LOCK));
        Ok(target)
    }
}

/// The run id a staging folder's name carries (`.staging-<run-id>-XXXXXX`).
fn run_id_of(name: &str) -> Option<&str> {
    name.strip_prefix(PREFIX)?.rsplit_once('-').map(|(id, _)| id).filter(|id| !id.is_empty())
}

/// Finishes every staging folder of `report_dir` whose run is gone (its
/// lock is free), each as an INCOMPLETE report; returns what it did.
fn finish_abandoned(report_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(report_dir) else { return Vec::new() };
    let mut notes = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(run_id) = run_id_of(&name) else { continue };
        let dir = entry.path();
        // Without a lock file the folder is being created right now (or is
        // not ours): leave it.
        let Ok(lock) = File::options().write(true).open(dir.join(LOCK)) else { continue };
        if lock.try_lock().is_err() {
            continue;
        }
        let target = report_dir.join(run_id);
        let done = report::seal_abandoned(
            &dir,
            run_id,
            "its process was killed before it finished (a signal it could not catch, or out of memory)",
        )
        .and_then(|()| {
            if target.exists() {
                Err(io::Error::other(format!("{} exists", target.display())))
            } else {
                std::fs::rename(&dir, &target)
            }
        });
        drop(lock);
        match done {
            Ok(()) => {
                let _ = std::fs::remove_file(target.join(LOCK));
                notes.push(format!(
                    "finished {} left by a run that was killed, as an INCOMPLETE report",
                    target.display()
                ));
            }
            Err(e) => notes.push(format!("could not finish {} left by a killed run: {e}", dir.display())),
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_id_is_read_back_from_the_folder_name() {
        assert_eq!(run_id_of(".staging-20261203T195800Z-ab12cd-Xy9z01"), Some("20261203T195800Z-ab12cd"));
        assert_eq!(run_id_of(".staging-"), None);
        assert_eq!(run_id_of("20261203T195800Z-ab12cd"), None);
    }

    #[test]
    fn a_folder_left_by_a_dead_run_is_finished_and_a_live_one_is_left() {
        let reports = tempfile::tempdir().unwrap();
        let mut notes = Vec::new();
        let live = Staging::create(reports.path(), "live-run", &mut notes).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        // A dead run: its folder and lock file, the lock no longer held.
        let dead = reports.path().join(".staging-dead-run-abc123");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(LOCK), "").unwrap();
        std::fs::write(dead.join("cucumber.json"), "[{\"half\":").unwrap();

        let notes = finish_abandoned(reports.path());
        assert_eq!(notes.len(), 1, "{notes:?}");
        let finished = reports.path().join("dead-run");
        assert!(std::fs::read_to_string(finished.join(report::INCOMPLETE)).unwrap().contains("killed"));
        assert_eq!(
            std::fs::read_to_string(finished.join("cucumber.json")).unwrap(),
            "[{\"half\":",
            "what the run wrote is kept as it was"
        );
        assert!(report::verify(&finished, None).unwrap().problems.is_empty(), "the finished folder verifies");
        assert!(live.path().exists(), "a live run's folder is not touched");
    }
}
