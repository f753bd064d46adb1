//! What the runner keeps beside the steps' context: the collector of
//! finished scenarios, which only its after-hook writes and only it reads.
//! With a spool, each record's exchanges and evidence go to disk as the
//! scenario finishes; only its verdict, steps and timings stay in memory.
use std::sync::{Arc, Mutex};

use crate::model::{ScenarioRecord, Spool};

/// The finished scenarios of a run, in the order they finished.
#[derive(Clone, Default)]
pub struct Records {
    kept: Arc<Mutex<Vec<ScenarioRecord>>>,
    spool: Option<Spool>,
}

impl Records {
    pub fn spooled(spool: Spool) -> Records {
        Records { kept: Arc::default(), spool: Some(spool) }
    }

    pub fn push(&self, mut record: ScenarioRecord) {
        if let Some(spool) = &self.spool {
            // A spool that cannot be written (a full disk) leaves the
            // record whole in memory: nothing is lost, only the bound.
            if let Err(e) = spool.stow(&mut record) {
                tracing::warn!("the scenario spool: {e}; keeping the record in memory");
            }
        }
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).push(record);
    }

    /// Every record so far, leaving the collector empty.
    pub fn take(&self) -> Vec<ScenarioRecord> {
        std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
