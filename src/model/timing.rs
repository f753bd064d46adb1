//! A timing comparison as reports show it: the two groups' samples, what
//! the rank test found, and whether it told the groups apart.
use serde::{Deserialize, Serialize};

/// What the comparison of two samples found (`crate::timing::rank`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Two-sided p-value of the rank test.
    pub p_value: f64,
    /// How much longer the first group takes than the second (ms): the
    /// median of all pairwise differences (Hodges-Lehmann).
    pub shift_ms: f64,
    /// The confidence interval of `shift_ms` (ms), at `level`.
    pub low_ms: f64,
    pub high_ms: f64,
    /// The interval's level (0.99: 99 %).
    pub level: f64,
}

/// One timed comparison of a scenario: an operation answered for one kind
/// of input (`first`: known accounts) against another (`second`: unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingRecord {
    pub operation: String,
    pub first: String,
    pub second: String,
    /// Answer times in milliseconds, in the order they were taken.
    pub first_ms: Vec<f64>,
    pub second_ms: Vec<f64>,
    /// `None` when the samples could not be compared (too few, all equal).
    pub comparison: Option<Comparison>,
    /// A shift smaller than this is not flagged, however significant.
    pub threshold_ms: f64,
    /// The p-value under which the shift counts as significant.
    pub alpha: f64,
}

impl TimingRecord {
    /// Whether the timings tell the two groups apart: significant, and
    /// larger than the threshold.
    pub fn flagged(&self) -> bool {
        self.comparison.is_some_and(|c| c.p_value < self.alpha && c.shift_ms.abs() > self.threshold_ms)
    }

    /// The median of each group (ms).
    pub fn medians(&self) -> (f64, f64) {
        (median(&self.first_ms), median(&self.second_ms))
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
