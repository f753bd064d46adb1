//! The requirement catalogue (`scenarios/requirements.yaml`): numbered,
//! citable rules with a level and a source. Scenarios cite them with `@req:ID`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Located};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// A failure fails the run.
    #[serde(rename = "MUST")]
    Must,
    /// A failure is reported as a warning.
    #[serde(rename = "SHOULD")]
    Should,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub title: String,
    pub level: Level,
    pub source: String,
}

/// A named certification plan (`authconform certify --plan sso`): the
/// scenarios a tag expression selects.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificationPlan {
    pub title: String,
    /// Tag expression; absent: every scenario.
    pub tags: Option<String>,
    /// Families and extras a target must declare to be certified for this plan;
    /// without one of them the plan's core cannot run, so `certify` refuses
    /// ("not certifiable") instead of reporting a PASS over what is left.
    #[serde(default)]
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub path: PathBuf,
    pub requirements: BTreeMap<String, Requirement>,
    pub plans: BTreeMap<String, CertificationPlan>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    requirements: BTreeMap<String, Requirement>,
    #[serde(default)]
    plans: BTreeMap<String, CertificationPlan>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read requirement catalogue {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: {message}")]
    Invalid { at: Located, message: String },
}

impl CatalogueError {
    /// rustc-style, with the offending line.
    pub fn render(&self) -> String {
        match self {
            CatalogueError::Invalid { at, message } => Diagnostic::error(message.as_str(), Some(at.clone())).render(),
            other => format!("error: {other}\n"),
        }
    }
}

impl Catalogue {
    pub fn load(path: &Path) -> Result<Catalogue, CatalogueError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| CatalogueError::Read { path: path.into(), source })?;
        let raw: Raw = serde_yaml::from_str(&text).map_err(|e| {
            let (at, message) = crate::diagnostic::yaml_error(path, &text, &e);
            CatalogueError::Invalid { at, message }
        })?;
        for id in raw.requirements.keys() {
            if !id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
                let (line, col) = text
                    .lines()
                    .enumerate()
                    .find_map(|(i, l)| l.find(&format!("{id}:")).map(|c| (i + 1, c + 1)))
                    .unwrap_or((1, 1));
                return Err(CatalogueError::Invalid {
                    at: Located::in_text(path, &text, line, col),
                    message: format!("requirement id `{id}` must be upper-case letters, digits and dashes"),
                });
            }
        }
        Ok(Catalogue { path: path.into(), requirements: raw.requirements, plans: raw.plans })
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.get(id)
    }
}

/// The `@req:` ids among a scenario's tags (cucumber strips the `@`).
pub fn requirement_tags<'a>(tags: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    tags.into_iter().filter_map(|t| t.strip_prefix("req:")).map(str::to_string).collect()
}
