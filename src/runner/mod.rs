//! The run: plan the scenarios, start the doubles (and the embedded
//! reference), drive cucumber-rs, collect each scenario's result and evidence.
mod config;
mod context;
mod cucumber_json;
mod doubles_tls;
mod dry_run;
mod evidence;
mod interrupt;
mod lint;
mod load;
mod outcome;
mod parser;
mod plan;
mod record;
mod redacting;
mod run;
mod setup;
mod staging;
mod suite;
mod timeline;

pub use config::RunConfig;
pub use dry_run::{dry_run, render_dry_run, DryRun};
pub use interrupt::signal;
pub use lint::{lint, LintReport};
pub use load::LoadSettings;
pub use outcome::RunError;
pub use plan::{feature_files, Plan, PlanError, PlannedScenario, Selector};
pub use run::{run, run_until};
