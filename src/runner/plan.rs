//! Planning a run before anything is started: parse every feature, check
//! every step has exactly one definition and every `@req:` exists, apply
//! `--tags` and `--name`, and set aside scenarios whose `@needs:` the target
//! lacks (not applicable: listed, never silently skipped).
use std::path::{Path, PathBuf};

use cucumber::gherkin::{self, GherkinEnv};
use cucumber::tag::Ext as _;
use cucumber::World as _;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Located, Severity};
use crate::model::NotApplicable;
use crate::profile::{needs_of, Declared, Need, Profile};
use crate::requirements::{requirement_tags, Catalogue};
use crate::world::AuthWorld;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PlannedScenario {
    pub file: String,
    pub feature: String,
    pub name: String,
    pub line: usize,
    pub tags: Vec<String>,
    /// The lines cucumber gives this scenario's runs: its own, or one per
    /// Examples row of an outline. A run that stops early tells by them
    /// what did not finish.
    #[serde(default, skip_serializing)]
    pub runs: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub selected: Vec<PlannedScenario>,
    pub not_applicable: Vec<NotApplicable>,
    /// Every scenario name of the features, selected or not.
    pub names: std::collections::BTreeSet<String>,
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
    /// Hints shown under the caret (`= help: ...`).
    pub help: Vec<String>,
    /// The line at `line`, as the file was read (filled in by `with_lines`).
    pub text: Option<String>,
}

impl PlanError {
    fn one(file: PathBuf, line: usize, col: usize, message: String) -> PlanError {
        PlanError { problems: vec![Problem { file, line, col, message, help: Vec::new(), text: None }] }
    }

    /// rustc-style: each problem, then its line with a caret.
    pub fn render(&self) -> String {
        self.problems.iter().map(|p| p.render(Severity::Error)).collect()
    }
}

impl Problem {
    /// As the terminal shows it, as an error or a warning.
    pub fn diagnostic(&self, severity: Severity) -> Diagnostic {
        let at = Located { file: self.file.clone(), line: self.line, col: self.col, text: self.text.clone() };
        Diagnostic { severity, message: self.message.clone(), at: Some(at), label: None, help: self.help.clone() }
    }

    /// rustc-style: the message, the place, the line with a caret, any help.
    pub fn render(&self, severity: Severity) -> String {
        self.diagnostic(severity).render()
    }
}

/// Gives the problems found in `file` the lines of its `text`, read once.
pub(super) fn with_lines(problems: &mut [Problem], file: &Path, text: &str) {
    for p in problems.iter_mut().filter(|p| p.text.is_none() && p.file == file) {
        p.text = text.lines().nth(p.line.saturating_sub(1)).map(str::to_string);
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

/// Which scenarios a run takes: `--tags`, `--name`, and the target's families and extras.
/// Shared by the planner and cucumber's filter, so both decide alike.
#[derive(Clone)]
pub struct Selector {
    tags: Option<gherkin::tagexpr::TagOperation>,
    name: Option<regex::Regex>,
    declared: Declared,
    /// This shard's scenarios (`features/…`, scenario name), when sharded.
    /// Names, not lines: cucumber gives each outline row its own line.
    only: Option<std::sync::Arc<std::collections::HashSet<(String, String)>>>,
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
        Ok(Selector { tags, name, declared: profile.declared(), only: None })
    }

    pub fn decide(&self, tags: &[String], scenario_name: &str) -> Decision {
        let chosen = self.tags.as_ref().is_none_or(|t| t.eval(tags.iter()))
            && self.name.as_ref().is_none_or(|re| re.is_match(scenario_name));
        if !chosen {
            return Decision::Excluded;
        }
        let needs = needs_of(tags);
        let missing = self.declared.missing(needs.iter().map(String::as_str));
        if missing.is_empty() {
            Decision::Run
        } else {
            Decision::NotApplicable(missing)
        }
    }

    /// cucumber's filter.
    pub fn runs(&self, feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, sc: &gherkin::Scenario) -> bool {
        let in_shard = self
            .only
            .as_ref()
            .is_none_or(|only| only.contains(&(super::timeline::feature_file(feature), sc.name.clone())));
        in_shard && matches!(self.decide(&all_tags(feature, rule, sc), &sc.name), Decision::Run)
    }
}

/// Every scenario of a feature, those under a rule with their rule.
pub(super) fn scenarios_of(
    feature: &gherkin::Feature,
) -> impl Iterator<Item = (Option<&gherkin::Rule>, &gherkin::Scenario)> {
    feature
        .scenarios
        .iter()
        .map(|s| (None, s))
        .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))))
}

pub(super) fn all_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    sc: &gherkin::Scenario,
) -> Vec<String> {
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
        let first = problems.len();
        let (feature, text) = match read_feature(&file) {
            Ok(f) => f,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let shown =
            file.strip_prefix(features_dir.parent().unwrap_or(Path::new("."))).unwrap_or(&file).display().to_string();
        check_unique_names(&feature, &file, &mut problems);
        for (rule, sc) in scenarios_of(&feature) {
            plan.names.insert(sc.name.clone());
            let all_tags = all_tags(&feature, rule, sc);
            check_scenario(&steps, &feature, sc, &all_tags, &file, catalogue, &mut problems);
            match selector.decide(&all_tags, &sc.name) {
                Decision::Excluded => {}
                Decision::Run => plan.selected.push(PlannedScenario {
                    file: shown.clone(),
                    feature: feature.name.clone(),
                    name: sc.name.clone(),
                    line: sc.position.line,
                    tags: all_tags.clone(),
                    runs: run_lines(sc),
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
        with_lines(&mut problems[first..], &file, &text);
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(PlanError { problems })
    }
}

/// Keeps shard `index` of `count` (1-based) of the plan: the planned and
/// not-applicable scenarios together, in file and line order, dealt round
/// robin, so every scenario is in exactly one shard whatever the filters.
pub fn shard(plan: &mut Plan, selector: &mut Selector, index: usize, count: usize) {
    let mut all: Vec<(String, usize, String)> = plan
        .selected
        .iter()
        .map(|s| (s.file.clone(), s.line, s.name.clone()))
        .chain(plan.not_applicable.iter().map(|n| (n.file.clone(), n.line, n.scenario.clone())))
        .collect();
    all.sort();
    let mine: std::collections::HashSet<(String, String)> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % count == index - 1)
        .map(|(_, (f, _, name))| (f, name))
        .collect();
    plan.selected.retain(|s| mine.contains(&(s.file.clone(), s.name.clone())));
    plan.not_applicable.retain(|n| mine.contains(&(n.file.clone(), n.scenario.clone())));
    selector.only = Some(std::sync::Arc::new(mine));
}

/// Reports, shards and expected failures tell scenarios apart by file and
/// name: a second scenario of the same name in one file is an error.
pub fn check_unique_names(feature: &gherkin::Feature, file: &Path, problems: &mut Vec<Problem>) {
    let mut names = std::collections::HashMap::new();
    for (_, sc) in scenarios_of(feature) {
        if let Some(first) = names.insert(sc.name.clone(), sc.position.line) {
            problems.push(Problem {
                file: file.into(),
                line: sc.position.line,
                col: sc.position.col,
                message: format!("a second scenario named `{}` in this file (the first is at line {first})", sc.name),
                help: vec!["give each scenario of a feature file its own name".into()],
                text: None,
            });
        }
    }
}

/// Everything checked on one scenario, by a run and by `lint` alike: each
/// step matches exactly one definition, each `@req:` is catalogued, each
/// `@needs:` is a known family or extra, and at least one names a family.
pub fn check_scenario(
    steps: &cucumber::step::Collection<AuthWorld>,
    feature: &gherkin::Feature,
    sc: &gherkin::Scenario,
    all_tags: &[String],
    file: &Path,
    catalogue: &Catalogue,
    problems: &mut Vec<Problem>,
) {
    let at = |message: String| Problem {
        file: file.into(),
        line: sc.position.line,
        col: sc.position.col,
        message,
        help: Vec::new(),
        text: None,
    };
    let rows =
        sc.examples.iter().filter_map(|ex| ex.table.as_ref()).map(|t| t.rows.len().saturating_sub(1)).sum::<usize>();
    if is_outline(sc) && rows == 0 {
        // cucumber would run its steps with the `<placeholders>` unexpanded
        // and call them undefined: name the real mistake instead.
        let mut p = at(format!("scenario outline `{}` has no Examples rows, so it would never run", sc.name));
        p.help.push(
            "add an `Examples:` table with a header row and at least one row, or make it a plain `Scenario:`".into(),
        );
        problems.push(p);
        return;
    }
    for step in feature.background.iter().flat_map(|b| b.steps.iter()).chain(sc.steps.iter()) {
        check_step(steps, step, sc, file, problems);
    }
    for req in requirement_tags(all_tags) {
        if catalogue.get(&req).is_none() {
            let mut p =
                at(format!("scenario `{}` cites @req:{req}, which is not in {}", sc.name, catalogue.path.display()));
            let nearest = catalogue
                .requirements
                .keys()
                .map(|id| (similar::TextDiff::from_chars(req.as_str(), id.as_str()).ratio(), id))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, id)) = nearest.filter(|(r, _)| *r > 0.8) {
                p.help.push(format!("did you mean @req:{id}?"));
            }
            problems.push(p);
        }
    }
    let needs = needs_of(all_tags);
    for c in &needs {
        if Need::parse(c).is_none() {
            let mut p = at(format!("scenario `{}` needs `{c}`, which is no family or extra", sc.name));
            p.help.push(format!("known: {}", Need::known()));
            problems.push(p);
        }
    }
    if !needs.iter().any(|n| matches!(Need::parse(n), Some(Need::Family(_)))) {
        let mut p = at(format!("scenario `{}` names no family, so it would run against every target", sc.name));
        p.help.push("tag it (or its feature) with the family it checks, e.g. `@needs:otp`".into());
        problems.push(p);
    }
}

/// The line of each run of `sc` as cucumber numbers it: an outline's row
/// `i` of an Examples block is at the block's line + i + 2 (cucumber's
/// `expand_examples`), a plain scenario at its own line.
fn run_lines(sc: &gherkin::Scenario) -> Vec<usize> {
    if sc.examples.is_empty() {
        return vec![sc.position.line];
    }
    sc.examples
        .iter()
        .flat_map(|ex| {
            (0..ex.table.as_ref().map_or(0, |t| t.rows.len().saturating_sub(1))).map(move |i| ex.position.line + i + 2)
        })
        .collect()
}

/// An outline by its keyword, in any of gherkin's spellings of it.
fn is_outline(sc: &gherkin::Scenario) -> bool {
    let k = sc.keyword.to_lowercase();
    k.contains("outline") || k.contains("template") || !sc.examples.is_empty()
}

fn check_step(
    steps: &cucumber::step::Collection<AuthWorld>,
    step: &gherkin::Step,
    sc: &gherkin::Scenario,
    file: &Path,
    problems: &mut Vec<Problem>,
) {
    // Outline steps hold `<placeholders>`: check each example row's expansion.
    let rows = sc.examples.iter().flat_map(|ex| {
        ex.table.iter().flat_map(|t| {
            let header = t.rows.first().cloned().unwrap_or_default();
            t.rows.iter().skip(1).map(move |row| header.iter().cloned().zip(row.iter().cloned()).collect::<Vec<_>>())
        })
    });
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
        let (problem, help) = match steps.find(&s) {
            Ok(Some(_)) => continue,
            Ok(None) => (format!("undefined step: {} {}", step.keyword.trim(), s.value), nearest_steps(&s)),
            Err(e) => (format!("ambiguous step: {} {} ({e})", step.keyword.trim(), s.value), Vec::new()),
        };
        problems.push(Problem {
            file: file.into(),
            line: step.position.line,
            col: step.position.col,
            message: problem,
            help,
            text: None,
        });
        return;
    }
}

/// The three documented steps nearest to an undefined one (of the same
/// keyword), by character similarity of the sentence to their examples.
fn nearest_steps(step: &gherkin::Step) -> Vec<String> {
    let keyword = match step.ty {
        gherkin::StepType::Given => "Given",
        gherkin::StepType::When => "When",
        gherkin::StepType::Then => "Then",
    };
    let Ok(docs) = crate::step_docs::step_docs() else { return Vec::new() };
    let wanted = format!("{keyword} {}", step.value);
    let mut scored: Vec<(f32, String)> = docs
        .iter()
        .filter(|d| d.keyword == keyword)
        .map(|d| {
            (
                similar::TextDiff::from_words(wanted.as_str(), d.example.as_str()).ratio(),
                format!("{} {}", d.keyword, crate::step_docs::readable(&d.pattern)),
            )
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).filter(|(r, _)| *r > 0.4).map(|(_, s)| format!("a step that exists: {s}")).collect()
}

/// A feature file's parse failure, placed where gherkin says.
/// A feature file is text a person wrote: anything larger is refused
/// before it is read.
pub const MAX_FEATURE_BYTES: u64 = 1 << 20;

/// Reads and parses one feature, refusing what is not a regular UTF-8 file
/// within `MAX_FEATURE_BYTES`, each with the file and position.
pub(super) fn read_feature(file: &Path) -> Result<(gherkin::Feature, String), Problem> {
    let at =
        |line, col, message: String| Problem { file: file.into(), line, col, message, help: Vec::new(), text: None };
    let meta = std::fs::metadata(file).map_err(|e| at(1, 1, format!("cannot read the feature: {e}")))?;
    if !meta.is_file() {
        return Err(at(1, 1, "not a regular file".into()));
    }
    if meta.len() > MAX_FEATURE_BYTES {
        return Err(at(
            1,
            1,
            format!("{} bytes, over the {MAX_FEATURE_BYTES}-byte limit for a feature file", meta.len()),
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| at(1, 1, format!("cannot read the feature: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let col = String::from_utf8_lossy(valid.rsplit(|b| *b == b'\n').next().unwrap_or_default()).chars().count() + 1;
        let byte = e.as_bytes()[valid.len()];
        let mut p = at(
            line,
            col,
            format!("not UTF-8 text (byte 0x{byte:02X}); feature files are UTF-8 (a Latin-1 or binary file?)"),
        );
        with_lines(std::slice::from_mut(&mut p), file, &String::from_utf8_lossy(e.as_bytes()));
        p
    })?;
    let mut feature = gherkin::Feature::parse(&text, GherkinEnv::default()).map_err(|source| {
        let shown = source.to_string();
        let (line, col) = parse_position(&shown);
        let tokens = expected_tokens(&shown);
        let what = if tokens.len() == 1 { tokens[0].clone() } else { format!("expected one of {}", tokens.join(", ")) };
        let mut p = at(line, col, format!("feature does not parse: {what}"));
        with_lines(std::slice::from_mut(&mut p), file, &text);
        p
    })?;
    feature.path = Some(file.to_path_buf());
    Ok((feature, text))
}

/// The tokens gherkin expected, sorted: it keeps them in a hash set, so
/// its own message lists them in a different order on every run.
fn expected_tokens(msg: &str) -> Vec<String> {
    let set =
        msg.split_once('{').map(|(_, rest)| rest.rsplit_once('}').map_or(rest, |(inner, _)| inner)).unwrap_or_default();
    let mut tokens: Vec<String> =
        set.split(", ").map(|t| t.trim_matches('"').to_string()).filter(|t| !t.is_empty()).collect();
    tokens.sort();
    tokens
}

/// gherkin's parse error reads "Error at LINE:COL: ...".
fn parse_position(msg: &str) -> (usize, usize) {
    let after = msg.split("Error at ").nth(1).unwrap_or("");
    let mut it = after.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
    let line = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let col = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    (line, col)
}
