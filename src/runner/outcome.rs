//! The result of a run, and why a run could not happen.
use std::path::PathBuf;

use serde::Serialize;

use super::context::ScenarioRecord;
use super::plan::{NotApplicable, PlanError};
use crate::exit;
use crate::profile::ProfileError;
use crate::requirements::{Catalogue, CatalogueError};

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
        self.scenarios
            .iter()
            .filter(|s| s.status == super::ScenarioStatus::Failed && s.expected_failure.is_some())
            .count()
    }

    pub fn passed(&self) -> usize {
        self.scenarios.iter().filter(|s| s.status == super::ScenarioStatus::Passed).count()
    }

    pub fn failed(&self) -> usize {
        self.scenarios.iter().filter(|s| s.status == super::ScenarioStatus::Failed).count()
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
        self.scenarios.iter().filter(|s| s.status == super::ScenarioStatus::Error).count()
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
        let blocking = self
            .scenarios
            .iter()
            .filter(|s| s.status == super::ScenarioStatus::Failed && s.expected_failure.is_none())
            .any(|s| {
                s.requirements.is_empty()
                    || s.requirements
                        .iter()
                        .any(|r| self.catalogue.get(r).is_none_or(|req| req.level == crate::requirements::Level::Must))
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

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("invalid option: {0}")]
    Usage(String),
    #[error("not certifiable for plan {plan}: target `{target}` lacks capability {missing} (the plan's `needs` in the requirement catalogue)")]
    NotCertifiable { plan: String, target: String, missing: String },
    #[error("nothing applicable to run: the {scenarios} selected scenario(s) all need capabilities the profile does not declare ({missing}); a run of nothing would say nothing")]
    NothingApplicable { scenarios: usize, missing: String },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl RunError {
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Profile(_)
            | RunError::Catalogue(_)
            | RunError::Plan(_)
            | RunError::Usage(_)
            | RunError::NotCertifiable { .. }
            | RunError::NothingApplicable { .. } => exit::USAGE,
            RunError::Io { .. } => exit::HARNESS,
        }
    }

    /// rustc-style rendering for the terminal.
    pub fn render(&self) -> String {
        match self {
            RunError::Profile(p) => p.render(),
            RunError::Plan(p) => p.render(),
            other => format!("error: {other}\n"),
        }
    }
}
