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

/// One finished scenario, redacted, as reports consume it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
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
