//! The steps of a finished scenario as they ran, and where each exchange
//! and message belongs among them.
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::scenario::MessageRecord;
use crate::operation::Exchange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Running,
    Passed,
    Failed,
    Skipped,
}

/// One step of a scenario as it ran, with the indexes (into the scenario's
/// exchanges) of the HTTP exchanges it made.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StepRecord {
    pub keyword: String,
    pub text: String,
    pub line: usize,
    pub status: StepStatus,
    pub started: DateTime<Utc>,
    pub exchanges: Vec<usize>,
    /// Indexes into the scenario's mails and SMS received during the step.
    pub messages: Vec<usize>,
}

/// Places each exchange under the last step that started before it was
/// sent, and each message under the last step that started before it arrived.
pub fn assign(steps: &mut [StepRecord], exchanges: &[Exchange], messages: &[MessageRecord]) {
    for (i, ex) in exchanges.iter().enumerate() {
        if let Some(step) = steps.iter_mut().rev().find(|s| s.started <= ex.started) {
            step.exchanges.push(i);
        }
    }
    for (i, m) in messages.iter().enumerate() {
        if let Some(step) = steps.iter_mut().rev().find(|s| s.started <= m.received) {
            step.messages.push(i);
        }
    }
}
