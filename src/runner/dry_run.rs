//! `run --dry-run`: everything a run checks before it starts (the profile,
//! the catalogue, every feature parsed, every step matched to exactly one
//! definition, the plan with what is not applicable), and nothing called:
//! no double started, no target reached.
use serde::Serialize;

use super::config::RunConfig;
use super::plan::PlannedScenario;
use super::run::{prepare, Prepared};
use crate::model::NotApplicable;

#[derive(Debug, Serialize)]
pub struct DryRun {
    pub target: String,
    pub plan: Option<String>,
    pub selected: Vec<PlannedScenario>,
    pub not_applicable: Vec<NotApplicable>,
    pub notes: Vec<String>,
}

pub fn dry_run(config: &RunConfig) -> Result<DryRun, crate::Error> {
    let Prepared { profile, plan, notes, .. } = prepare(config)?;
    Ok(DryRun {
        target: profile.name,
        plan: config.plan.clone(),
        selected: plan.selected,
        not_applicable: plan.not_applicable,
        notes,
    })
}

/// What `--dry-run` prints.
pub fn render_dry_run(d: &DryRun) -> String {
    let mut out = format!(
        "dry run against `{}`{}: every step matches one definition; nothing was called\n",
        d.target,
        d.plan.as_ref().map(|p| format!(" (plan {p})")).unwrap_or_default()
    );
    for n in &d.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    for s in &d.selected {
        let reqs: Vec<&str> = s.tags.iter().filter_map(|t| t.strip_prefix("req:")).collect();
        out.push_str(&format!("  would run  {}:{}  {}  [{}]\n", s.file, s.line, s.name, reqs.join(", ")));
    }
    for n in &d.not_applicable {
        out.push_str(&format!(
            "  n/a        {}:{}  {}  (needs {})\n",
            n.file,
            n.line,
            n.scenario,
            n.missing.join(", ")
        ));
    }
    out.push_str(&format!("{} scenario(s) would run, {} not applicable\n", d.selected.len(), d.not_applicable.len()));
    out
}
