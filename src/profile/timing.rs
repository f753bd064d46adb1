//! How the timing scenarios sample (`timing:` in a profile): how many
//! answers per group, and what difference counts. A timing difference is
//! flagged when it is both significant (p below `alpha`) and larger than
//! `threshold`: over a network, a few milliseconds an attacker cannot
//! tell from jitter are not worth a finding.
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// Answers timed per group (known accounts, unknown e-mails).
    #[serde(default = "default_samples")]
    pub samples: u32,
    /// The smallest difference of medians worth flagging.
    #[serde(default = "default_threshold", deserialize_with = "super::model::duration")]
    pub threshold: Duration,
    /// The p-value under which a difference counts as significant.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
}

fn default_samples() -> u32 {
    30
}
fn default_threshold() -> Duration {
    Duration::from_millis(5)
}
fn default_alpha() -> f64 {
    0.01
}

impl Default for Timing {
    fn default() -> Self {
        Timing { samples: default_samples(), threshold: default_threshold(), alpha: default_alpha() }
    }
}

impl Timing {
    /// The first setting that makes no sense, as (key, why).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(10..=1000).contains(&self.samples) {
            return Some(("samples", "between 10 (the rank test's normal approximation) and 1000".into()));
        }
        if !(self.alpha > 0.0 && self.alpha < 0.5) {
            return Some(("alpha", "a p-value threshold between 0 and 0.5, e.g. 0.01".into()));
        }
        None
    }
}
