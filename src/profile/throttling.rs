//! How hard the guessing scenarios push (`throttling:` in a profile): the
//! bounds after which a target must slow a guesser down, and how long the
//! harness waits to see the real owner let back in. The defaults are the
//! checklist's (docs/security-checklist.md §9): a target with stricter
//! bounds passes them too, one with looser ones names its own.
use std::time::Duration;

use serde::Deserialize;

/// NIST SP 800-63B 5.2.2: no more than 100 consecutive failed attempts.
const NIST_CEILING: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttling {
    /// Wrong passwords on one account after which the target throttles
    /// (a 429, a Retry-After, or answers that slow down).
    #[serde(default = "default_password_failures")]
    pub password_failures: u32,
    /// Wrong one-time codes for one login, over all its processes, after
    /// which a right code no longer signs in at once.
    #[serde(default = "default_code_guesses")]
    pub code_guesses: u32,
    /// Processes started for one login after which the target throttles
    /// the starts (each sends a message and is a fresh code to guess).
    #[serde(default = "default_starts")]
    pub starts: u32,
    /// The longest wait a throttled owner is asked for (Retry-After) that
    /// still counts as "let back in"; a longer one is a lock-out.
    #[serde(default = "default_max_wait", deserialize_with = "super::model::duration")]
    pub max_wait: Duration,
}

fn default_password_failures() -> u32 {
    20
}
fn default_code_guesses() -> u32 {
    20
}
fn default_starts() -> u32 {
    10
}
fn default_max_wait() -> Duration {
    Duration::from_secs(60)
}

impl Default for Throttling {
    fn default() -> Self {
        Throttling {
            password_failures: default_password_failures(),
            code_guesses: default_code_guesses(),
            starts: default_starts(),
            max_wait: default_max_wait(),
        }
    }
}

impl Throttling {
    /// The first bound that makes no sense, as (key, why).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        for (key, n) in [
            ("password_failures", self.password_failures),
            ("code_guesses", self.code_guesses),
            ("starts", self.starts),
        ] {
            if n == 0 {
                return Some((key, "a bound of 0 throttles the owner's first try".into()));
            }
            if n > NIST_CEILING {
                return Some((
                    key,
                    format!("{n} is above the {NIST_CEILING} consecutive failures NIST SP 800-63B 5.2.2 allows"),
                ));
            }
        }
        if self.max_wait.is_zero() {
            return Some(("max_wait", "must be longer than 0".into()));
        }
        if self.max_wait > Duration::from_secs(15 * 60) {
            return Some(("max_wait", "the harness waits this out in real time: at most 15 minutes".into()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_stay_within_what_nist_allows() {
        assert_eq!(Throttling::default().problem(), None);
        let loose = Throttling { code_guesses: 500, ..Throttling::default() };
        assert_eq!(loose.problem().map(|p| p.0), Some("code_guesses"));
        let none = Throttling { starts: 0, ..Throttling::default() };
        assert_eq!(none.problem().map(|p| p.0), Some("starts"));
    }
}
