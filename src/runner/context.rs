//! What every scenario of a run shares: the target, the doubles, the key
//! pool, the redactor, and the collector of finished scenarios.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::crypto::KeyPool;
use crate::doubles::{Inbox, Mailbox, PlatformDouble, Sms};
use crate::operation::{Exchange, Target};
use crate::profile::{CodeExtraction, LinkExtraction};
use crate::redact::Redactor;
use crate::snapshot::SnapshotSettings;

pub struct SmsDouble {
    pub inbox: Arc<Inbox<Sms>>,
    pub timeout: Duration,
    pub code: CodeExtraction,
}

pub struct MailDouble {
    pub mailbox: Mailbox,
    pub timeout: Duration,
    pub code: CodeExtraction,
    pub link: LinkExtraction,
    /// How long to wait before concluding that no mail is coming.
    pub silence: Duration,
}

pub struct RunContext {
    pub target: Target,
    pub mail: Option<MailDouble>,
    pub sms: Option<SmsDouble>,
    pub platform: Option<PlatformDouble>,
    pub keys: Arc<KeyPool>,
    pub redactor: Redactor,
    pub snapshots: SnapshotSettings,
    pub records: Mutex<Vec<ScenarioRecord>>,
}

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
    pub evidence: super::evidence::Evidence,
    /// The steps as they ran, each with the exchanges it made.
    pub steps: Vec<super::timeline::StepRecord>,
}
