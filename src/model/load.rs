//! What a load run measured (`authconform load`): per operation, the
//! latency distribution as an HDR histogram, its throughput and errors; and
//! the requirements whose scenarios passed alone but failed under load.
//!
//! The histograms travel in `load.json` in HdrHistogram's V2 compressed
//! form (base64), so the shards of a load run on several machines merge
//! exactly ([`LoadSummary::merge`]): the merged percentiles are those of all
//! the samples, not an average of percentiles.
use std::collections::BTreeMap;

use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer as _, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Latencies are recorded in microseconds, from 1 µs to 10 minutes, to 3
/// significant digits (0.1 % resolution at every scale).
const LOWEST_US: u64 = 1;
const HIGHEST_US: u64 = 600_000_000;
const SIGNIFICANT: u8 = 3;

/// A latency histogram; starts empty.
#[derive(Clone, Debug)]
pub struct Latencies(Histogram<u64>);

impl Default for Latencies {
    fn default() -> Self {
        Latencies(Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGNIFICANT).expect("valid histogram bounds"))
    }
}

impl Latencies {
    /// Records one answer time; longer than the range counts as its top.
    pub fn record(&mut self, elapsed: std::time::Duration) {
        let us = (elapsed.as_micros() as u64).clamp(LOWEST_US, HIGHEST_US);
        self.0.saturating_record(us);
    }

    pub fn count(&self) -> u64 {
        self.0.len()
    }

    /// The latency at `quantile` (0.5 for the median), in milliseconds.
    pub fn ms_at(&self, quantile: f64) -> f64 {
        self.0.value_at_quantile(quantile) as f64 / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.0.max() as f64 / 1000.0
    }

    pub fn add(&mut self, other: &Latencies) {
        // Both have the same bounds, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    /// V2 compressed, base64: HdrHistogram's interchange form.
    pub fn encode(&self) -> String {
        let mut bytes = Vec::new();
        V2DeflateSerializer::new().serialize(&self.0, &mut bytes).expect("serialising to memory cannot fail");
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    pub fn decode(text: &str) -> Result<Latencies, String> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| format!("not base64: {e}"))?;
        let h: Histogram<u64> =
            Deserializer::new().deserialize(&mut &bytes[..]).map_err(|e| format!("not an HdrHistogram: {e:?}"))?;
        let mut out = Latencies::default();
        out.0.add(&h).map_err(|e| format!("histogram out of range: {e:?}"))?;
        Ok(out)
    }
}

/// One operation under load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OperationLoad {
    pub operation: String,
    pub count: u64,
    /// Answers of 5xx, where the target broke.
    pub server_errors: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Answers per second over the load phase.
    pub per_second: f64,
    /// The whole distribution ([`Latencies::encode`]).
    pub histogram: String,
}

impl OperationLoad {
    /// The figures of one operation's histogram.
    fn of(operation: String, h: &Latencies, server_errors: u64, per_second: f64) -> OperationLoad {
        OperationLoad {
            operation,
            count: h.count(),
            server_errors,
            p50_ms: h.ms_at(0.50),
            p95_ms: h.ms_at(0.95),
            p99_ms: h.ms_at(0.99),
            max_ms: h.max_ms(),
            per_second,
            histogram: h.encode(),
        }
    }
}

/// A requirement whose scenario passed alone and failed under load.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoadFailure {
    pub requirement: String,
    pub scenario: String,
    /// Runs of the scenario under load, and how many failed.
    pub runs: u64,
    pub failures: u64,
    /// The first failure's message (redacted).
    pub message: String,
}

/// `load.json`.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct LoadSummary {
    pub users: usize,
    /// How long the load phase ran (of each shard, summed when merged).
    pub duration_ms: f64,
    /// Scenarios run under load, passed and failed (a scenario cut off by
    /// the end of the phase is in neither).
    pub scenarios_passed: u64,
    pub scenarios_failed: u64,
    /// Scenarios that could not reach the target.
    pub scenarios_error: u64,
    pub operations: Vec<OperationLoad>,
    pub failed_under_load: Vec<LoadFailure>,
}

impl LoadSummary {
    /// Builds the per-operation figures from the histograms of a phase of
    /// `duration` seconds.
    pub fn operations_from(histograms: &BTreeMap<String, (Latencies, u64)>, duration_s: f64) -> Vec<OperationLoad> {
        histograms
            .iter()
            .map(|(operation, (h, server_errors))| {
                let per_second = if duration_s > 0.0 { h.count() as f64 / duration_s } else { 0.0 };
                OperationLoad::of(operation.clone(), h, *server_errors, per_second)
            })
            .collect()
    }

    /// Joins the summary of another shard of the same load run: histograms
    /// added, counts summed, throughput the sum of the shards' (they ran at
    /// the same time on different machines).
    pub fn merge(&mut self, other: &LoadSummary) -> Result<(), String> {
        let mut ops: BTreeMap<String, (Latencies, u64, f64)> = BTreeMap::new();
        for op in self.operations.iter().chain(&other.operations) {
            let h = Latencies::decode(&op.histogram).map_err(|e| format!("operation {}: {e}", op.operation))?;
            let entry = ops.entry(op.operation.clone()).or_default();
            entry.0.add(&h);
            entry.1 += op.server_errors;
            entry.2 += op.per_second;
        }
        self.operations = ops
            .into_iter()
            .map(|(operation, (h, server_errors, per_second))| {
                OperationLoad::of(operation, &h, server_errors, per_second)
            })
            .collect();
        self.users += other.users;
        self.duration_ms = self.duration_ms.max(other.duration_ms);
        self.scenarios_passed += other.scenarios_passed;
        self.scenarios_failed += other.scenarios_failed;
        self.scenarios_error += other.scenarios_error;
        for f in &other.failed_under_load {
            match self.failed_under_load.iter_mut().find(|g| g.requirement == f.requirement && g.scenario == f.scenario)
            {
                Some(g) => {
                    g.runs += f.runs;
                    g.failures += f.failures;
                }
                None => self.failed_under_load.push(f.clone()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_and_the_encoded_form_round_trip() {
        let mut h = Latencies::default();
        for n in 1..=100 {
            h.record(ms(n));
        }
        assert_eq!(h.count(), 100);
        assert!((h.ms_at(0.5) - 50.0).abs() < 0.1, "{}", h.ms_at(0.5));
        assert!((h.ms_at(0.99) - 99.0).abs() < 0.1, "{}", h.ms_at(0.99));
        let back = Latencies::decode(&h.encode()).unwrap();
        assert_eq!((back.count(), back.ms_at(0.95)), (100, h.ms_at(0.95)));
        assert!(Latencies::decode("not base64!").is_err());
    }

    #[test]
    fn shards_merge_into_the_percentiles_of_all_their_samples() {
        // One shard saw 1..=50 ms, the other 51..=100 ms: the merged median
        // is 50 ms, which no average of the shards' medians (25, 75) gives.
        let mut a = BTreeMap::new();
        let mut b = BTreeMap::new();
        let (mut ha, mut hb) = (Latencies::default(), Latencies::default());
        (1..=50).for_each(|n| ha.record(ms(n)));
        (51..=100).for_each(|n| hb.record(ms(n)));
        a.insert("otp.start".to_string(), (ha, 1));
        b.insert("otp.start".to_string(), (hb, 0));
        let mut left =
            LoadSummary { users: 4, operations: LoadSummary::operations_from(&a, 10.0), ..Default::default() };
        let right = LoadSummary { users: 4, operations: LoadSummary::operations_from(&b, 10.0), ..Default::default() };
        left.merge(&right).unwrap();
        let op = &left.operations[0];
        assert_eq!((op.count, op.server_errors, left.users), (100, 1, 8));
        assert!((op.p50_ms - 50.0).abs() < 0.1, "{}", op.p50_ms);
        assert!((op.per_second - 10.0).abs() < 1e-9);
    }

    #[test]
    fn the_same_requirement_failing_in_two_shards_is_one_line() {
        let f =
            LoadFailure { requirement: "R".into(), scenario: "s".into(), runs: 5, failures: 1, message: "m".into() };
        let mut a = LoadSummary { failed_under_load: vec![f.clone()], ..Default::default() };
        a.merge(&LoadSummary { failed_under_load: vec![f], ..Default::default() }).unwrap();
        assert_eq!(a.failed_under_load.len(), 1);
        assert_eq!((a.failed_under_load[0].runs, a.failed_under_load[0].failures), (10, 2));
    }
}
