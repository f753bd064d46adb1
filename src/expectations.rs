//! Expected failures (`--expected-failures FILE`): known deviations of a
//! target, each naming a scenario or a requirement, the target (profile
//! name) it applies to, and why. A matching failure does not fail the run,
//! but stays in every report as EXPECTED FAIL with its reason; an expected
//! failure that did not happen is reported too, so the file does not rot.
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Located};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// A scenario name, exactly as in the feature file.
    pub scenario: Option<String>,
    /// A requirement id: every failing scenario citing it is expected.
    pub requirement: Option<String>,
    /// The profile name (`name:`) this deviation is known for.
    pub target: String,
    /// Why, for the report: a ticket, a date, a decision.
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    expected_failures: Vec<ExpectedFailure>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExpectationError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{at}: {message}")]
    Invalid { at: Located, message: String },
}

impl ExpectationError {
    /// rustc-style, with the offending line.
    pub fn render(&self) -> String {
        match self {
            ExpectationError::Invalid { at, message } => Diagnostic::error(message.as_str(), Some(at.clone())).render(),
            other => format!("error: {other}\n"),
        }
    }
}

impl ExpectedFailure {
    /// Whether this entry covers a failed scenario of `target`.
    pub fn covers(&self, target: &str, scenario: &str, requirements: &[String]) -> bool {
        self.target == target
            && (self.scenario.as_deref() == Some(scenario)
                || self.requirement.as_ref().is_some_and(|r| requirements.contains(r)))
    }
}

/// The line of the `index`-th entry (its "- " item) in the file's text.
fn entry_line(text: &str, index: usize) -> usize {
    text.lines().enumerate().filter(|(_, l)| l.trim_start().starts_with("- ")).nth(index).map_or(1, |(n, _)| n + 1)
}

/// Loads the file; every entry must name a requirement of the catalogue
/// (`is_requirement`) or a scenario of the features (`is_scenario`): an
/// entry naming nothing would silently excuse nothing and rot.
pub fn load(
    path: &Path,
    is_requirement: impl Fn(&str) -> bool,
    is_scenario: impl Fn(&str) -> bool,
) -> Result<Vec<ExpectedFailure>, ExpectationError> {
    let text = std::fs::read_to_string(path).map_err(|source| ExpectationError::Read { path: path.into(), source })?;
    let raw: Raw = serde_yaml::from_str(&text).map_err(|e| {
        let (at, message) = crate::diagnostic::yaml_error(path, &text, &e);
        ExpectationError::Invalid { at, message }
    })?;
    for (i, e) in raw.expected_failures.iter().enumerate() {
        let message = match (&e.scenario, &e.requirement) {
            (Some(_), Some(_)) | (None, None) => {
                "an expected failure names exactly one of `scenario` or `requirement`".to_string()
            }
            (None, Some(r)) if !is_requirement(r) => format!("requirement `{r}` is not in the requirement catalogue"),
            (Some(name), None) if !is_scenario(name) => format!("no feature file has a scenario named `{name}`"),
            _ => continue,
        };
        let line = entry_line(&text, i);
        // The caret under the entry's "- ", not the line's indentation.
        let col = text.lines().nth(line - 1).map_or(1, |l| l.len() - l.trim_start().len() + 1);
        return Err(ExpectationError::Invalid { at: Located::in_text(path, &text, line, col), message });
    }
    Ok(raw.expected_failures)
}
