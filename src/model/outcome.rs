//! The result of a run: its scenarios, what was not applicable or did not
//! finish, and the exit code its verdicts give.
use std::path::PathBuf;

use serde::Serialize;

use super::scenario::{ScenarioRecord, ScenarioStatus};
use crate::exit;
use crate::requirements::Catalogue;

#[derive(Debug, Serialize, serde::Deserialize)]
pub struct RunOutcome {
    pub run_id: String,
    pub target: String,
    /// The certification plan run (`certify --plan`), if any.
    pub plan: Option<String>,
    /// Expected failures of this target that did not happen.
    #[serde(default)]
    pub unexpected_passes: Vec<crate::expectations::ExpectedFailure>,
    pub faults: Vec<String>,
    pub scenarios: Vec<ScenarioRecord>,
    pub not_applicable: Vec<NotApplicable>,
    pub failed_requirements: Vec<String>,
    pub wall_ms: f64,
    pub keys_generated: u64,
    pub keygen_ms: f64,
    pub key_wait_ms: f64,
    /// Keys taken from a stock made ahead (`authconform keys fill`), not generated.
    #[serde(default)]
    pub keys_from_stock: u64,
    /// Keys generated ahead and not used, put into the stock for later runs.
    #[serde(default)]
    pub keys_put_back: u64,
    /// How snapshot steps ran (`check`, `update`, `off`).
    pub snapshots: String,
    #[serde(skip)]
    pub report_path: Option<PathBuf>,
    /// The requirement catalogue the verdicts are given against.
    #[serde(skip)]
    pub catalogue: Catalogue,
    /// Set when the run stopped before every planned scenario finished (a
    /// signal, a panic of the harness): its report is marked INCOMPLETE.
    #[serde(default)]
    pub incomplete: Option<Incomplete>,
    /// What the run did that a user should know of (a report folder it
    /// created, a report of an earlier run it finished).
    #[serde(default)]
    pub notes: Vec<String>,
    /// What weakens every verdict of the run (`tls.insecure`: certificates
    /// were not checked): a WARN line in every report.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// `authconform load`: what the virtual users measured after the
    /// ordinary run (whose verdicts the rest of the outcome gives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<super::LoadSummary>,
}

/// Why a run stopped early, and the planned scenarios that did not finish:
/// their requirements can be neither PASS nor FAIL on this run's account.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Incomplete {
    pub reason: String,
    pub not_run: Vec<NotRun>,
}

/// A planned scenario that had not finished when the run stopped.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NotRun {
    pub file: String,
    pub scenario: String,
    pub line: usize,
    pub requirements: Vec<String>,
}

impl Incomplete {
    /// Whether a not-run scenario cites `requirement`.
    pub fn touches(&self, requirement: &str) -> bool {
        self.not_run.iter().any(|n| n.requirements.iter().any(|r| r == requirement))
    }
}

impl RunOutcome {
    /// Failed scenarios the expected-failures file covers.
    pub fn expected_failures(&self) -> usize {
        self.scenarios.iter().filter(|s| s.status == ScenarioStatus::Failed && s.expected_failure.is_some()).count()
    }

    pub fn passed(&self) -> usize {
        self.scenarios.iter().filter(|s| s.status == ScenarioStatus::Passed).count()
    }

    pub fn failed(&self) -> usize {
        self.scenarios.iter().filter(|s| s.status == ScenarioStatus::Failed).count()
    }

    /// Failures that are the profile's, not the target's (`operation::PROFILE_ERROR`).
    pub fn profile_errors(&self) -> Vec<&str> {
        self.scenarios
            .iter()
            .filter_map(|s| s.failure.as_deref())
            .filter(|f| f.starts_with(crate::operation::PROFILE_ERROR))
            .collect()
    }

    /// Scenarios the harness could not drive: the target was unreachable.
    pub fn errors(&self) -> usize {
        self.scenarios.iter().filter(|s| s.status == ScenarioStatus::Error).count()
    }

    /// 1 when a failed scenario cites a MUST requirement (or none at all);
    /// failures behind SHOULD requirements only are warnings, exit 0. With
    /// no such failure, a scenario that could not reach the target, or a run
    /// that stopped before its end, makes it 3: nothing can be said of what
    /// did not answer or did not run.
    pub fn exit_code(&self) -> i32 {
        if !self.profile_errors().is_empty() {
            return exit::USAGE;
        }
        // A MUST requirement that passed alone and failed under load does
        // not conform either: a race in a single-use code is a defect.
        let broke_under_load = self.load.as_ref().is_some_and(|l| {
            l.failed_under_load.iter().any(|f| {
                self.catalogue.get(&f.requirement).is_none_or(|req| req.level == crate::requirements::Level::Must)
            })
        });
        let blocking = broke_under_load
            || self
                .scenarios
                .iter()
                .filter(|s| s.status == ScenarioStatus::Failed && s.expected_failure.is_none())
                .any(|s| {
                    s.requirements.is_empty()
                        || s.requirements.iter().any(|r| {
                            self.catalogue.get(r).is_none_or(|req| req.level == crate::requirements::Level::Must)
                        })
                });
        if blocking {
            exit::NOT_CONFORMING
        } else if self.errors() > 0 || self.incomplete.is_some() {
            exit::HARNESS
        } else {
            exit::CONFORMS
        }
    }
}

/// A selected scenario the profile's families and extras rule out.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NotApplicable {
    pub file: String,
    pub scenario: String,
    pub line: usize,
    pub requirements: Vec<String>,
    pub missing: Vec<String>,
}
