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
    Invalid { at: Position, key: String, message: String },
    #[error(
        "{at}: at `{key}`: environment variable `{var}` is not set and has no default (write ${{{var}:-default}})"
    )]
    UnsetVariable { at: Position, key: String, var: String },
    #[error("{at}: `inherits` forms a cycle through {path}")]
    InheritCycle { at: Position, path: PathBuf },
}

/// At most this many characters of the offending line are shown: a
/// profile of one 14 MB line must not give a 14 MB error.
const SHOWN: usize = 120;

/// The part of `line` around column `col` (0-based, in characters), with
/// `…` where it was cut, and where the caret goes in it.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= SHOWN {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(SHOWN / 2).min(chars.len().saturating_sub(SHOWN));
    let end = (start + SHOWN).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col - start + usize::from(start > 0))
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
                    let (shown, caret) = window(line, at.col.saturating_sub(1));
                    let gutter = at.line.to_string().len();
                    out.push_str(&format!("{:gutter$} |\n", ""));
                    out.push_str(&format!("{} | {}\n", at.line, shown));
                    out.push_str(&format!("{:gutter$} | {}^\n", "", " ".repeat(caret)));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn long_lines_are_shown_around_the_caret() {
        assert_eq!(window("short: x", 7), ("short: x".to_string(), 7));
        let line = format!("{}X{}", "a".repeat(1000), "b".repeat(1000));
        let (shown, caret) = window(&line, 1000);
        assert!(shown.chars().count() <= super::SHOWN + 2, "{}", shown.len());
        assert_eq!(shown.chars().nth(caret), Some('X'));
    }
}
