//! `authconform lint [PATHS]`: what a QA engineer runs before committing.
//! Features are parsed and checked like a run would (every step matched to
//! one definition, with the nearest existing steps when none is; `@req:`
//! ids catalogued; `@needs:` families and extras known), profiles are loaded and
//! validated, and requirements that no scenario covers are warned about.
//! Nothing is run. Every finding is rustc-style, with file:line:col.
use std::path::{Path, PathBuf};

use cucumber::World as _;

use super::plan::{all_tags, check_scenario, check_unique_names, read_feature, scenarios_of, with_lines, Problem};
use crate::diagnostic::Severity;
use crate::profile::load_profile;
use crate::requirements::{requirement_tags, Catalogue};
use crate::world::AuthWorld;

#[derive(Debug, Default)]
pub struct LintReport {
    /// Rendered errors (exit 2 when any).
    pub errors: Vec<String>,
    /// Rendered warnings (uncovered requirements).
    pub warnings: Vec<String>,
    pub features: usize,
    pub profiles: usize,
}

impl LintReport {
    pub fn render(&self) -> String {
        let mut out: String = self.errors.iter().chain(&self.warnings).cloned().collect();
        out.push_str(&format!(
            "lint: {} feature file(s), {} profile(s): {} error(s), {} warning(s)\n",
            self.features,
            self.profiles,
            self.errors.len(),
            self.warnings.len()
        ));
        out
    }
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path).map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for e in entries {
            walk(&e, out);
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// Lints `paths` (default: `root/features` and `root/scenarios/targets`)
/// against the catalogue in `root/scenarios/requirements.yaml`.
pub fn lint(root: &Path, paths: &[PathBuf]) -> LintReport {
    let mut report = LintReport::default();
    let catalogue_path = root.join("scenarios/requirements.yaml");
    let catalogue = match Catalogue::load(&catalogue_path) {
        Ok(c) => c,
        Err(e) => {
            report.errors.push(format!("error: {e}\n"));
            return report;
        }
    };
    let defaults = [root.join("features"), root.join("scenarios/targets")];
    let paths: Vec<PathBuf> = if paths.is_empty() { defaults.to_vec() } else { paths.to_vec() };
    let mut files = Vec::new();
    for p in &paths {
        if !p.exists() {
            report.errors.push(format!("error: {} does not exist\n", p.display()));
        }
        walk(p, &mut files);
    }
    let steps = AuthWorld::collection();
    let mut problems = Vec::new();
    let mut cited = std::collections::BTreeSet::new();
    for file in &files {
        match file.extension().and_then(|e| e.to_str()) {
            Some("feature") => {
                report.features += 1;
                let first = problems.len();
                let (feature, text) = match read_feature(file) {
                    Ok(f) => f,
                    Err(p) => {
                        problems.push(p);
                        continue;
                    }
                };
                check_unique_names(&feature, file, &mut problems);
                for (rule, sc) in scenarios_of(&feature) {
                    let tags = all_tags(&feature, rule, sc);
                    cited.extend(requirement_tags(&tags));
                    check_scenario(&steps, &feature, sc, &tags, file, &catalogue, &mut problems);
                }
                with_lines(&mut problems[first..], file, &text);
            }
            Some("yaml" | "yml") => {
                report.profiles += 1;
                // Each problem of a profile is one error of the lint.
                if let Err(e) = load_profile(file) {
                    report.errors.extend(e.diagnostics().iter().map(|d| d.render()));
                }
            }
            // Named on the command line yet neither: say so rather than
            // count nothing (`lint /dev/zero` must not read as clean).
            _ if paths.iter().any(|p| p == file) => {
                report.errors.push(format!(
                    "error: {} is neither a feature (.feature) nor a profile (.yaml, .yml)\n",
                    file.display()
                ));
            }
            _ => {}
        }
    }
    report.errors.extend(problems.iter().map(|p| p.render(Severity::Error)));
    // Coverage only means something when the features were all linted.
    if report.features > 0 {
        let text = std::fs::read_to_string(&catalogue_path).unwrap_or_default();
        for id in catalogue.requirements.keys().filter(|id| !cited.contains(*id)) {
            let (line, col) = text
                .lines()
                .enumerate()
                .find_map(|(i, l)| l.find(&format!("{id}:")).map(|c| (i + 1, c + 1)))
                .unwrap_or((1, 1));
            let p = Problem {
                file: catalogue_path.clone(),
                line,
                col,
                message: format!("requirement {id} is cited by no scenario"),
                help: vec![format!("tag a scenario that checks it with @req:{id}")],
                text: text.lines().nth(line - 1).map(str::to_string),
            };
            report.warnings.push(p.render(Severity::Warning));
        }
    }
    report
}
