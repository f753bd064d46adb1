//! What the runner keeps beside the steps' context: the collector of
//! finished scenarios, which only its after-hook writes and only it reads.
use std::sync::{Arc, Mutex};

use crate::model::ScenarioRecord;

/// The finished scenarios of a run, in the order they finished.
#[derive(Clone, Default)]
pub struct Records(Arc<Mutex<Vec<ScenarioRecord>>>);

impl Records {
    pub fn push(&self, record: ScenarioRecord) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(record);
    }

    /// Every record so far, leaving the collector empty.
    pub fn take(&self) -> Vec<ScenarioRecord> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
