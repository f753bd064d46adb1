//! Where a finished scenario's exchanges and messages wait for the reports:
//! one JSON line per scenario in an anonymous file beside the reports
//! (unlinked from the start, so a killed run leaves nothing behind), read
//! back one record at a time. A run then keeps in memory only each
//! scenario's verdict, steps and timings, however many scenarios it runs.
//! What is spooled was redacted before, as what is kept in memory is.
use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::scenario::{MessageRecord, ScenarioRecord};
use crate::crypto::Verdict;
use crate::doubles::PlatformCall;
use crate::operation::Exchange;

/// The spool of one run; clones share the file.
#[derive(Clone)]
pub struct Spool(Arc<Mutex<File>>);

/// Where one record's exchanges and evidence are in the spool.
#[derive(Clone)]
pub struct SpoolRef {
    spool: Spool,
    offset: u64,
    len: usize,
    /// The exchanges' summed answer time, kept in memory: junit.xml needs
    /// no more of them.
    on_target: std::time::Duration,
}

impl std::fmt::Debug for SpoolRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SpoolRef({} bytes at {})", self.len, self.offset)
    }
}

/// The part of a record that grows with what the scenario did, as read back.
#[derive(Deserialize)]
struct Detail {
    exchanges: Vec<Exchange>,
    messages: Vec<MessageRecord>,
    platform_calls: Vec<PlatformCall>,
    jwt_verdicts: Vec<Verdict>,
}

/// The same, as written: borrowed, so a failed write loses nothing.
#[derive(Serialize)]
struct DetailOf<'a> {
    exchanges: &'a [Exchange],
    messages: &'a [MessageRecord],
    platform_calls: &'a [PlatformCall],
    jwt_verdicts: &'a [Verdict],
}

impl Spool {
    /// A spool on the file system of `dir` (the report's staging folder).
    pub fn in_dir(dir: &Path) -> std::io::Result<Spool> {
        Ok(Spool(Arc::new(Mutex::new(tempfile::tempfile_in(dir)?))))
    }

    fn file(&self) -> std::sync::MutexGuard<'_, File> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the record's exchanges, messages, platform calls and JWT
    /// verdicts to the spool; the record keeps where they are. On an error
    /// the record is left as it was.
    pub fn stow(&self, record: &mut ScenarioRecord) -> std::io::Result<()> {
        let detail = DetailOf {
            exchanges: &record.exchanges,
            messages: &record.evidence.messages,
            platform_calls: &record.evidence.platform_calls,
            jwt_verdicts: &record.evidence.jwt_verdicts,
        };
        let mut bytes = serde_json::to_vec(&detail).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        let on_target = record.time_on_target();
        let offset = {
            let mut file = self.file();
            let offset = file.seek(SeekFrom::End(0))?;
            file.write_all(&bytes)?;
            offset
        };
        record.exchanges = Vec::new();
        record.evidence.messages = Vec::new();
        record.evidence.platform_calls = Vec::new();
        record.evidence.jwt_verdicts = Vec::new();
        record.spooled = Some(SpoolRef { spool: self.clone(), offset, len: bytes.len(), on_target });
        Ok(())
    }
}

impl SpoolRef {
    fn load(&self) -> std::io::Result<Detail> {
        let mut bytes = vec![0; self.len];
        {
            let mut file = self.spool.file();
            file.seek(SeekFrom::Start(self.offset))?;
            file.read_exact(&mut bytes)?;
        }
        serde_json::from_slice(&bytes).map_err(std::io::Error::other)
    }
}

impl ScenarioRecord {
    /// How long the target took to answer this scenario's exchanges, summed.
    pub fn time_on_target(&self) -> std::time::Duration {
        match &self.spooled {
            Some(at) => at.on_target,
            None => self.exchanges.iter().map(|e| e.elapsed).sum(),
        }
    }

    /// The whole record: itself, or, when its detail is spooled, a copy
    /// with the detail read back.
    pub fn hydrated(&self) -> std::io::Result<Cow<'_, ScenarioRecord>> {
        let Some(at) = &self.spooled else { return Ok(Cow::Borrowed(self)) };
        let detail = at.load()?;
        let mut full = self.clone();
        full.spooled = None;
        full.exchanges = detail.exchanges;
        full.evidence.messages = detail.messages;
        full.evidence.platform_calls = detail.platform_calls;
        full.evidence.jwt_verdicts = detail.jwt_verdicts;
        Ok(Cow::Owned(full))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, ScenarioStatus};

    fn record(name: &str, text: &str) -> ScenarioRecord {
        ScenarioRecord {
            feature: "f".into(),
            file: "features/f.feature".into(),
            scenario: name.into(),
            line: 3,
            tags: vec![],
            requirements: vec!["OTP-REG-01".into()],
            status: ScenarioStatus::Passed,
            failure: None,
            checks: vec![],
            expected_failure: None,
            exchanges: vec![],
            evidence: Evidence {
                messages: vec![MessageRecord {
                    kind: "mail".into(),
                    to: "a@x".into(),
                    subject: None,
                    text: text.into(),
                    received: chrono::Utc::now(),
                }],
                ..Evidence::default()
            },
            steps: vec![],
            spooled: None,
        }
    }

    #[test]
    fn stowed_records_keep_their_verdict_and_read_back_whole_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::in_dir(dir.path()).unwrap();
        let (mut a, mut b) = (record("a", "first mail"), record("b", "second mail"));
        let whole_a = serde_json::to_value(&a).unwrap();
        spool.stow(&mut a).unwrap();
        spool.stow(&mut b).unwrap();
        assert!(a.evidence.messages.is_empty() && a.status == ScenarioStatus::Passed, "only the detail leaves");
        assert_eq!(b.hydrated().unwrap().evidence.messages[0].text, "second mail");
        assert_eq!(a.hydrated().unwrap().evidence.messages[0].text, "first mail");
        // Serialising reads the detail back: summary.json is unchanged.
        assert_eq!(serde_json::to_value(&a).unwrap(), whole_a);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the spool has no name in the folder");
    }
}
