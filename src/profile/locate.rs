//! Finds where a key path sits in YAML source text.
//!
//! serde_yaml reports positions for syntax errors only; after `inherits:`
//! merging, a semantic error is known by its key path (`operations.otp.start.url`),
//! so we walk the text by indentation to point the user at the line again.

/// Returns the 1-based (line, column) of the last segment of `path` found in
/// `text`, or of the deepest prefix that could be found.
pub fn locate(text: &str, path: &[String]) -> Option<(usize, usize)> {
    locate_depth(text, path).map(|(line, col, _)| (line, col))
}

/// Like [`locate`], also telling how many segments of `path` were found.
pub fn locate_depth(text: &str, path: &[String]) -> Option<(usize, usize, usize)> {
    let mut best = None;
    let mut seg = 0;
    let mut parent_indent: isize = -1;
    for (idx, line) in text.lines().enumerate() {
        if seg >= path.len() {
            break;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = (line.len() - trimmed.len()) as isize;
        if indent <= parent_indent && seg > 0 {
            // We left the mapping that should have held the next segment.
            break;
        }
        let body = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let key = &path[seg];
        let matches = [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':")]
            .iter()
            .any(|p| body.starts_with(p.as_str()));
        if matches {
            best = Some((idx + 1, indent as usize + 1 + (trimmed.len() - body.len()), seg + 1));
            parent_indent = indent;
            seg += 1;
        }
    }
    best
}

/// Position of the first occurrence of `needle` (for `${VAR}` errors).
pub fn find_text(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name: x\noperations:\n  otp.start:\n    method: POST\n    url: /a\n  otp.validate:\n    method: GET\n    bogus: 1\n";

    fn p(s: &str) -> Vec<String> {
        s.split('/').map(str::to_string).collect()
    }

    #[test]
    fn finds_nested_keys() {
        assert_eq!(locate(DOC, &p("operations/otp.validate/bogus")), Some((8, 5)));
        assert_eq!(locate(DOC, &p("operations/otp.start/url")), Some((5, 5)));
        assert_eq!(locate(DOC, &p("name")), Some((1, 1)));
    }

    #[test]
    fn falls_back_to_deepest_prefix() {
        assert_eq!(locate(DOC, &p("operations/otp.start/missing")), Some((3, 3)));
    }
}
