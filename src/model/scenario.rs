//! One finished scenario as reports consume it: its verdict, its exchanges,
//! the messages and platform calls it caused, and its steps as they ran.
//! The runner produces these records, redacted; nothing here runs anything.
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::timeline::StepRecord;
use crate::crypto::Verdict;
use crate::doubles::PlatformCall;
use crate::operation::Exchange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioStatus {
    Passed,
    /// A check failed: the target does not do what the scenario requires.
    Failed,
    /// The harness could not reach the target (connection refused, TLS,
    /// DNS, no answer within the budget): no judgement on the target.
    Error,
}

/// One finished scenario, redacted, as reports consume it. In a run with
/// a report folder its exchanges and evidence (all but the timings) wait in
/// the run's spool (`super::spool`): [`ScenarioRecord::hydrated`] reads
/// them back, and serialising the record writes them as if they had
/// stayed, so summary.json and report.html are the same either way.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(remote = "Self")]
pub struct ScenarioRecord {
    pub feature: String,
    pub file: String,
    pub scenario: String,
    pub line: usize,
    pub tags: Vec<String>,
    pub requirements: Vec<String>,
    pub status: ScenarioStatus,
    pub failure: Option<String>,
    /// The ids of the checks that failed (`crate::assertion`), as the
    /// failure message names them.
    #[serde(default)]
    pub checks: Vec<String>,
    /// When the failure is a known deviation: the expected-failures entry's reason.
    #[serde(default)]
    pub expected_failure: Option<String>,
    pub exchanges: Vec<Exchange>,
    /// Mails, SMS, platform calls and JWT verdicts.
    #[serde(flatten)]
    pub evidence: Evidence,
    /// The steps as they ran, each with the exchanges it made.
    pub steps: Vec<StepRecord>,
    /// Where the exchanges and evidence are while they are spooled.
    #[serde(skip)]
    pub spooled: Option<super::spool::SpoolRef>,
}

impl Serialize for ScenarioRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let whole = self.hydrated().map_err(|e| serde::ser::Error::custom(format!("the scenario spool: {e}")))?;
        ScenarioRecord::serialize(&whole, serializer)
    }
}

impl<'de> serde::Deserialize<'de> for ScenarioRecord {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ScenarioRecord::deserialize(deserializer)
    }
}

/// A mail or SMS an actor received, redacted.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct MessageRecord {
    /// `mail` or `sms`.
    pub kind: String,
    pub to: String,
    pub subject: Option<String>,
    pub text: String,
    pub received: DateTime<Utc>,
}

/// Everything but the exchanges (which the World already holds).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Evidence {
    pub messages: Vec<MessageRecord>,
    pub platform_calls: Vec<PlatformCall>,
    pub jwt_verdicts: Vec<Verdict>,
    /// Timing comparisons (features/security/timing.feature).
    #[serde(default)]
    pub timings: Vec<super::TimingRecord>,
}
