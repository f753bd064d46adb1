//! The run: plan the scenarios, start the doubles (and the embedded
//! reference), drive cucumber-rs, collect each scenario's result and evidence.
mod config;
mod context;
mod dry_run;
mod evidence;
mod lint;
mod outcome;
mod plan;
mod run;
mod setup;
mod timeline;

pub use config::{RunConfig, SnapshotMode};
pub use context::{RunContext, ScenarioRecord, ScenarioStatus};
pub use outcome::{RunError, RunOutcome};
pub use plan::{feature_files, NotApplicable, Plan, PlanError, PlannedScenario, Selector};
pub use dry_run::{dry_run, render_dry_run, DryRun};
pub use lint::{lint, LintReport};
pub use run::run;
pub use evidence::{Evidence, MessageRecord};
pub use timeline::{StepRecord, StepStatus};
