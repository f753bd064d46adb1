//! Planning a run before anything is started: parse every feature, check
//! every step has exactly one definition and every `@req:` exists, apply
//! `--tags` and `--name`, and set aside scenarios whose `@needs:` the target
//! lacks (not applicable: listed, never silently skipped).
use std::path::{Path, PathBuf};

use cucumber::gherkin::{self, GherkinEnv};
use cucumber::tag::Ext as _;
use cucumber::World as _;
use serde::Serialize;

use crate::profile::{Capability, Profile};
use crate::requirements::{needed_capabilities, requirement_tags, Catalogue};
use crate::world::AuthWorld;

#[derive(Debug, Clone, Serialize)]
pub struct PlannedScenario {
    pub file: String,
    pub feature: String,
    pub name: String,
    pub line: usize,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotApplicable {
    pub file: String,
    pub scenario: String,
    pub line: usize,
    pub requirements: Vec<String>,
    pub missing: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub selected: Vec<PlannedScenario>,
    pub not_applicable: Vec<NotApplicable>,
}

/// A problem in what a user wrote, with its place.
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct PlanError {
    pub problems: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl PlanError {
    fn one(file: PathBuf, line: usize, col: usize, message: String) -> PlanError {
        PlanError { problems: vec![Problem { file, line, col, message }] }
    }

    /// rustc-style: each problem, then its line with a caret.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&format!("error: {}\n  --> {}:{}:{}\n", p.message, p.file.display(), p.line, p.col));
            if let Some(text) = std::fs::read_to_string(&p.file).ok().and_then(|t| t.lines().nth(p.line.saturating_sub(1)).map(str::to_string)) {
                let g = p.line.to_string().len();
                out.push_str(&format!("{:g$} |\n{} | {}\n{:g$} | {}^\n", "", p.line, text, "", " ".repeat(p.col.saturating_sub(1))));
            }
        }
        out
    }
}

/// Every `*.feature` under `dir`, sorted for a stable order.
pub fn feature_files(dir: &Path) -> Result<Vec<PathBuf>, PlanError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "feature") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, &mut out).map_err(|e| PlanError::one(dir.into(), 1, 1, format!("cannot read features: {e}")))?;
    out.sort();
    Ok(out)
}

/// Which scenarios a run takes: `--tags`, `--name`, and the target's capabilities.
/// Shared by the planner and cucumber's filter, so both decide alike.
#[derive(Clone)]
pub struct Selector {
    tags: Option<gherkin::tagexpr::TagOperation>,
    name: Option<regex::Regex>,
    capabilities: std::collections::BTreeSet<Capability>,
}

pub enum Decision {
    Run,
    NotApplicable(Vec<String>),
    Excluded,
}

impl Selector {
    pub fn new(tags: Option<&str>, name: Option<regex::Regex>, profile: &Profile) -> Result<Selector, PlanError> {
        let tags = match tags {
            Some(t) => Some(t.parse::<gherkin::tagexpr::TagOperation>().map_err(|e| {
                PlanError::one(PathBuf::from("--tags"), 1, 1, format!("invalid tag expression `{t}`: {e}"))
            })?),
            None => None,
        };
        Ok(Selector { tags, name, capabilities: profile.capabilities.clone() })
    }

    pub fn decide(&self, tags: &[String], scenario_name: &str) -> Decision {
        let chosen = self.tags.as_ref().is_none_or(|t| t.eval(tags.iter()))
            && self.name.as_ref().is_none_or(|re| re.is_match(scenario_name));
        if !chosen {
            return Decision::Excluded;
        }
        let missing: Vec<String> = needed_capabilities(tags)
            .into_iter()
            .filter(|c| Capability::parse(c).is_none_or(|cap| !self.capabilities.contains(&cap)))
            .collect();
        if missing.is_empty() {
            Decision::Run
        } else {
            Decision::NotApplicable(missing)
        }
    }

    /// cucumber's filter.
    pub fn runs(&self, feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, sc: &gherkin::Scenario) -> bool {
        matches!(self.decide(&all_tags(feature, rule, sc), &sc.name), Decision::Run)
    }
}

fn all_tags(feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, sc: &gherkin::Scenario) -> Vec<String> {
    let mut tags = feature.tags.clone();
    tags.extend(rule.map(|r| r.tags.clone()).unwrap_or_default());
    tags.extend(sc.tags.iter().cloned());
    tags
}

pub fn plan(features_dir: &Path, catalogue: &Catalogue, selector: &Selector) -> Result<Plan, PlanError> {
    let steps = AuthWorld::collection();
    let mut plan = Plan::default();
    let mut problems = Vec::new();
    for file in feature_files(features_dir)? {
        let feature = match gherkin::Feature::parse_path(&file, GherkinEnv::default()) {
            Ok(f) => f,
            Err(gherkin::ParseFileError::Parsing { source, .. }) => {
                let (line, col) = parse_position(&source.to_string());
                problems.push(Problem { file: file.clone(), line, col, message: format!("feature does not parse: {source}") });
                continue;
            }
            Err(e) => {
                problems.push(Problem { file: file.clone(), line: 1, col: 1, message: e.to_string() });
                continue;
            }
        };
        let shown = file.strip_prefix(features_dir.parent().unwrap_or(Path::new("."))).unwrap_or(&file).display().to_string();
        let scenarios = feature
            .scenarios
            .iter()
            .map(|s| (None, s))
            .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))));
        for (rule, sc) in scenarios {
            let all_tags = all_tags(&feature, rule, sc);
            for step in feature.background.iter().flat_map(|b| b.steps.iter()).chain(sc.steps.iter()) {
                check_step(&steps, step, sc, &file, &mut problems);
            }
            for req in requirement_tags(&all_tags) {
                if catalogue.get(&req).is_none() {
                    problems.push(Problem {
                        file: file.clone(),
                        line: sc.position.line,
                        col: sc.position.col,
                        message: format!("scenario `{}` cites @req:{req}, which is not in {}", sc.name, catalogue.path.display()),
                    });
                }
            }
            for c in needed_capabilities(&all_tags) {
                if Capability::parse(&c).is_none() {
                    problems.push(Problem {
                        file: file.clone(),
                        line: sc.position.line,
                        col: sc.position.col,
                        message: format!("scenario `{}` needs unknown capability `{c}`", sc.name),
                    });
                }
            }
            match selector.decide(&all_tags, &sc.name) {
                Decision::Excluded => {}
                Decision::Run => plan.selected.push(PlannedScenario {
                    file: shown.clone(),
                    feature: feature.name.clone(),
                    name: sc.name.clone(),
                    line: sc.position.line,
                    tags: all_tags.clone(),
                }),
                Decision::NotApplicable(missing) => plan.not_applicable.push(NotApplicable {
                    file: shown.clone(),
                    scenario: sc.name.clone(),
                    line: sc.position.line,
                    requirements: requirement_tags(&all_tags),
                    missing,
                }),
            }
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(PlanError { problems })
    }
}

fn check_step(
    steps: &cucumber::step::Collection<AuthWorld>,
    step: &gherkin::Step,
    sc: &gherkin::Scenario,
    file: &Path,
    problems: &mut Vec<Problem>,
) {
    // Outline steps hold `<placeholders>`: check each example row's expansion.
    let rows = sc.examples.iter().flat_map(|ex| ex.table.iter().flat_map(|t| {
        let header = t.rows.first().cloned().unwrap_or_default();
        t.rows.iter().skip(1).map(move |row| header.iter().cloned().zip(row.iter().cloned()).collect::<Vec<_>>())
    }));
    let mut variants: Vec<gherkin::Step> = rows
        .map(|pairs| {
            let mut s = step.clone();
            for (k, v) in pairs {
                s.value = s.value.replace(&format!("<{k}>"), &v);
            }
            s
        })
        .collect();
    if variants.is_empty() {
        variants.push(step.clone());
    }
    for s in variants {
        let problem = match steps.find(&s) {
            Ok(Some(_)) => continue,
            Ok(None) => format!("undefined step: {} {}", step.keyword.trim(), s.value),
            Err(e) => format!("ambiguous step: {} {} ({e})", step.keyword.trim(), s.value),
        };
        problems.push(Problem { file: file.into(), line: step.position.line, col: step.position.col, message: problem });
        return;
    }
}

/// gherkin's parse error reads "Error at LINE:COL: ...".
fn parse_position(msg: &str) -> (usize, usize) {
    let after = msg.split("Error at ").nth(1).unwrap_or("");
    let mut it = after.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
    let line = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let col = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    (line, col)
}
