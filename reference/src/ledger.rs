//! Every secret the reference hands out or is handed (codes, tokens, reset
//! tokens, the JWTs it obtains for its patients, the passwords it checks),
//! kept when a test asks for it in `ReferenceConfig::ledger`. It is the
//! ground truth of a leak scan: a test looks for each value, verbatim, in
//! everything the harness printed and wrote, independently of what the
//! harness itself thought was secret.
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub struct Ledger(Arc<Mutex<Vec<String>>>);

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Keeps `value` (empty values are no secret).
    pub fn record(&self, value: &str) {
        if !value.is_empty() {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).push(value.to_string());
        }
    }

    /// Every value kept so far, once each.
    pub fn values(&self) -> Vec<String> {
        let mut v = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        v.sort();
        v.dedup();
        v
    }
}

/// Records into the ledger a test gave, if any.
pub(super) fn record(ledger: &Option<Ledger>, value: &str) {
    if let Some(l) = ledger {
        l.record(value);
    }
}
