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
}

impl ProfileError {
    /// The position the error points at, when it has one (used by renderers
    /// that show the offending line with a caret).
    pub fn position(&self) -> Option<&Position> {
        match self {
            ProfileError::Read { .. } => None,
            ProfileError::Syntax { at, .. }
            | ProfileError::Invalid { at, .. }
            | ProfileError::UnsetVariable { at, .. }
            | ProfileError::InheritCycle { at, .. } => Some(at),
        }
    }

    /// What is wrong, without the place (the renderer shows it beneath).
    fn headline(&self) -> String {
        match self {
            ProfileError::Read { .. } => self.to_string(),
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

    /// rustc-style rendering: the message, then the offending line with a caret.
    pub fn render(&self) -> String {
        self.diagnostic().render()
    }
}
