//! Profile errors: every one names the file, the line and column, and the key path,
//! so a user can jump straight to what they wrote.
use std::fmt;
use std::path::PathBuf;

/// Where in a profile file something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

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
    Invalid {
        at: Position,
        key: String,
        message: String,
    },
    #[error("{at}: at `{key}`: environment variable `{var}` is not set and has no default (write ${{{var}:-default}})")]
    UnsetVariable {
        at: Position,
        key: String,
        var: String,
    },
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

    /// rustc-style rendering: the message, then the offending line with a caret.
    pub fn render(&self) -> String {
        let mut out = format!("error: {self}\n");
        if let Some(at) = self.position() {
            if let Ok(text) = std::fs::read_to_string(&at.file) {
                if let Some(line) = text.lines().nth(at.line.saturating_sub(1)) {
                    let gutter = at.line.to_string().len();
                    out.push_str(&format!("{:gutter$} |\n", ""));
                    out.push_str(&format!("{} | {}\n", at.line, line));
                    out.push_str(&format!(
                        "{:gutter$} | {}^\n",
                        "",
                        " ".repeat(at.col.saturating_sub(1))
                    ));
                }
            }
        }
        out
    }
}
