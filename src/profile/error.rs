//! Profile errors: every one names the file, the line and column, and the key path,
//! so a user can jump straight to what they wrote.
use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// Where in a profile file something is, with the line as it was read.
pub type Position = crate::diagnostic::Located;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: invalid YAML: {message}")]
    Syntax { at: Position, message: String },
    #[error("{at}: at `{key}`: {message}")]
    Invalid { at: Position, key: String, message: String },
    #[error(
        "{at}: at `{key}`: environment variable `{var}` is not set and has no default (write ${{{var}:-default}})"
    )]
    UnsetVariable { at: Position, key: String, var: String },
    #[error("{at}: `inherits` forms a cycle through {path}")]
    InheritCycle { at: Position, path: PathBuf },
    /// Every problem of meaning a profile has, found in one pass (two or
    /// more: a single one is reported as itself).
    #[error("the profile has {} problems; the first: {}", .0.len(), .0[0])]
    Several(Vec<ProfileError>),
}

impl ProfileError {
    /// The position the error points at, when it has one (used by renderers
    /// that show the offending line with a caret).
    pub fn position(&self) -> Option<&Position> {
        match self {
            ProfileError::Read { .. } => None,
            ProfileError::Several(all) => all.first().and_then(ProfileError::position),
            ProfileError::Syntax { at, .. }
            | ProfileError::Invalid { at, .. }
            | ProfileError::UnsetVariable { at, .. }
            | ProfileError::InheritCycle { at, .. } => Some(at),
        }
    }

    /// What is wrong, without the place (the renderer shows it beneath).
    fn headline(&self) -> String {
        match self {
            ProfileError::Read { .. } | ProfileError::Several(_) => self.to_string(),
            ProfileError::Syntax { message, .. } => format!("invalid YAML: {message}"),
            ProfileError::Invalid { key, message, .. } => format!("at `{key}`: {message}"),
            ProfileError::UnsetVariable { key, var, .. } => format!(
                "at `{key}`: environment variable `{var}` is not set and has no default (write ${{{var}:-default}})"
            ),
            ProfileError::InheritCycle { path, .. } => format!("`inherits` forms a cycle through {}", path.display()),
        }
    }

    /// As the terminal shows it: rustc-style, with the offending line.
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.headline(), self.position().cloned())
    }

    /// Each problem as the terminal shows it (one for all but `Several`).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ProfileError::Several(all) => all.iter().flat_map(ProfileError::diagnostics).collect(),
            one => vec![one.diagnostic()],
        }
    }

    /// rustc-style rendering: each message, then its offending line with a
    /// caret; several end with how many, as rustc's "aborting due to" does.
    pub fn render(&self) -> String {
        let mut out = crate::diagnostic::render_all(&self.diagnostics());
        if let ProfileError::Several(all) = self {
            out.push_str(&format!("error: the profile was not loaded: {} problems\n", all.len()));
        }
        out
    }
}
