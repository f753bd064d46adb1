//! One renderer for everything a user wrote: profiles, feature files, the
//! requirement catalogue and expected-failure files. Each error or warning
//! about such a file becomes a [`Diagnostic`] — a message, the place, the
//! offending line as it was read, a label and hints — rendered the way
//! rustc renders its own, by annotate-snippets (the crate rustc uses).
//!
//! The line is captured when the file is read, so rendering never reads a
//! file again (it may have changed, or be 14 MB of one line).
use std::fmt;
use std::path::PathBuf;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file a user wrote, with the line's text when it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    /// The whole line, as read (`None` when the file could not be read).
    pub text: Option<String>,
}

impl Located {
    /// The place `line:col` of `source`, keeping that line's text.
    pub fn in_text(file: impl Into<PathBuf>, source: &str, line: usize, col: usize) -> Located {
        let text = source.lines().nth(line.saturating_sub(1)).map(str::to_string);
        Located { file: file.into(), line, col, text }
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// An error or warning about what a user wrote.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub at: Option<Located>,
    /// Shown under the caret.
    pub label: Option<String>,
    /// `= help: ...` lines.
    pub help: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, at: Option<Located>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, message: message.into(), at, label: None, help: Vec::new() }
    }

    pub fn warning(message: impl Into<String>, at: Option<Located>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message, at) }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    /// rustc-style, plain text, ending in a newline.
    pub fn render(&self) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(self.message.as_str()));
        if let Some(at) = &self.at {
            let path = at.file.display().to_string();
            match at.text.as_deref() {
                // annotate-snippets names the place from the span and cuts
                // a long line around it (to its terminal width).
                Some(line) => {
                    let start: usize = line.chars().take(at.col.saturating_sub(1)).map(char::len_utf8).sum();
                    let end = start + line[start..].chars().next().map_or(0, char::len_utf8);
                    let mut annotation = AnnotationKind::Primary.span(start..end);
                    if let Some(label) = &self.label {
                        annotation = annotation.label(label.as_str());
                    }
                    group = group.element(Snippet::source(line).line_start(at.line).path(path).annotation(annotation));
                }
                None => group = group.element(Origin::path(path).line(at.line).char_column(at.col)),
            }
        }
        for h in &self.help {
            group = group.element(Level::HELP.message(h.as_str()));
        }
        let report: &[Group] = &[group];
        let mut out = Renderer::plain().render(report);
        out.push('\n');
        out
    }
}

/// Where serde_yaml says `text` (read from `file`) went wrong, and what,
/// without the " at line L column C" it appends (the place is shown once,
/// by the renderer). serde_yaml may quote the offending text: a bounded
/// excerpt of it.
pub fn yaml_error(file: impl Into<PathBuf>, text: &str, e: &serde_yaml::Error) -> (Located, String) {
    let (line, col) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
    let message = crate::redact::cut(e.to_string().split(" at line ").next().unwrap_or_default(), 300);
    (Located::in_text(file, text, line, col), message)
}

/// Every diagnostic, in order, as the terminal shows them.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(Diagnostic::render).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_place_line_caret_label_and_help() {
        let source = "name: x\nauth:\n  bearr: \"{{ secret }}\"\n";
        let d = Diagnostic::error("unknown field `bearr`", Some(Located::in_text("p.yaml", source, 3, 3)))
            .with_label("here")
            .with_help("expected one of `basic`, `bearer`, `header`");
        let out = d.render();
        assert!(out.starts_with("error: unknown field `bearr`\n"), "{out}");
        assert!(out.contains("p.yaml:3:3"), "{out}");
        assert!(out.contains("3 |   bearr: \"{{ secret }}\""), "{out}");
        assert!(out.contains("^ here"), "{out}");
        assert!(out.contains("help: expected one of"), "{out}");
    }

    #[test]
    fn long_lines_are_shown_around_the_caret() {
        let line = format!("{}X{}", "a".repeat(1_000_000), "b".repeat(1_000_000));
        let at = Located { file: "big.yaml".into(), line: 1, col: 1_000_001, text: Some(line) };
        let out = Diagnostic::error("bad", Some(at)).render();
        assert!(out.len() < 1000, "{} bytes", out.len());
        assert!(out.contains("big.yaml:1:1000001") && out.contains("aX") && out.contains("..."), "{out}");
    }

    #[test]
    fn a_place_without_text_is_still_named() {
        let at = Located { file: "gone.feature".into(), line: 4, col: 2, text: None };
        let out = Diagnostic::warning("cannot read", Some(at)).render();
        assert!(out.starts_with("warning: cannot read\n") && out.contains("gone.feature:4:2"), "{out}");
    }
}
