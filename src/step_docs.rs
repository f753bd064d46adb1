//! The step reference (`authconform steps`), generated from the step
//! definitions themselves: the pattern from each `#[given/when/then(regex)]`
//! attribute, the example and description from the doc comment above it
//! (first line: an example sentence; next paragraph: what the step does).
//! The tests below check that every definition is documented and that every
//! example is matched by cucumber to the very definition it documents, so
//! the reference cannot drift from the code.
use serde::Serialize;

/// The step definition files, embedded at compile time.
const SOURCES: &[(&str, &str)] = &[
    ("src/steps/actors.rs", include_str!("steps/actors.rs")),
    // Helpers the steps share (no definitions): embedded so the list stays whole.
    ("src/steps/checks.rs", include_str!("steps/checks.rs")),
    ("src/steps/data.rs", include_str!("steps/data.rs")),
    ("src/steps/deep_link.rs", include_str!("steps/deep_link.rs")),
    ("src/steps/devices.rs", include_str!("steps/devices.rs")),
    ("src/steps/field_errors.rs", include_str!("steps/field_errors.rs")),
    ("src/steps/guessing.rs", include_str!("steps/guessing.rs")),
    ("src/steps/hygiene.rs", include_str!("steps/hygiene.rs")),
    ("src/steps/jwt_forgery.rs", include_str!("steps/jwt_forgery.rs")),
    ("src/steps/keys.rs", include_str!("steps/keys.rs")),
    ("src/steps/lifetime.rs", include_str!("steps/lifetime.rs")),
    ("src/steps/object_access.rs", include_str!("steps/object_access.rs")),
    ("src/steps/otp.rs", include_str!("steps/otp.rs")),
    ("src/steps/password.rs", include_str!("steps/password.rs")),
    ("src/steps/password_attacks.rs", include_str!("steps/password_attacks.rs")),
    ("src/steps/races.rs", include_str!("steps/races.rs")),
    ("src/steps/records.rs", include_str!("steps/records.rs")),
    ("src/steps/reply.rs", include_str!("steps/reply.rs")),
    ("src/steps/reset.rs", include_str!("steps/reset.rs")),
    ("src/steps/session.rs", include_str!("steps/session.rs")),
    ("src/steps/snapshot.rs", include_str!("steps/snapshot.rs")),
    ("src/steps/sso.rs", include_str!("steps/sso.rs")),
    ("src/steps/timing.rs", include_str!("steps/timing.rs")),
    ("src/steps/token_cap.rs", include_str!("steps/token_cap.rs")),
];

#[derive(Debug, Clone, Serialize)]
pub struct StepDoc {
    /// `Given`, `When` or `Then`.
    pub keyword: &'static str,
    /// The regex cucumber matches the step text with.
    pub pattern: String,
    /// One line per capture group, in order.
    pub parameters: Vec<String>,
    pub description: String,
    /// A step sentence this definition matches, keyword included.
    pub example: String,
    /// `file:line` of the attribute.
    pub source: String,
}

/// A definition whose doc comment does not follow the convention.
#[derive(Debug, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct DocError {
    pub at: String,
    pub problem: String,
}

fn attribute(line: &str) -> Option<(&'static str, String)> {
    static ATTRIBUTE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = ATTRIBUTE.get_or_init(|| {
        regex::Regex::new(r##"^#\[(given|when|then)\(regex = r(#?)"(.*)"#?\)\]$"##).expect("a fixed regex")
    });
    let c = re.captures(line.trim())?;
    let keyword = match &c[1] {
        "given" => "Given",
        "when" => "When",
        _ => "Then",
    };
    Some((keyword, c[3].to_string()))
}

/// The attribute starting at line `i`, joined when rustfmt wrapped it
/// over several lines (`#[when(` / `regex = r"..."` / `)]`).
fn joined_attribute(lines: &[&str], i: usize) -> String {
    let first = lines[i].trim();
    let opens = ["#[given(", "#[when(", "#[then("].contains(&first);
    if !opens {
        return first.to_string();
    }
    let mut out = first.to_string();
    for l in &lines[i + 1..] {
        out.push_str(l.trim());
        if l.trim() == ")]" {
            break;
        }
    }
    out
}

/// Every documented step, in file order.
pub fn step_docs() -> Result<Vec<StepDoc>, DocError> {
    let mut docs = Vec::new();
    for (file, text) in SOURCES {
        let lines: Vec<&str> = text.lines().collect();
        for i in 0..lines.len() {
            let Some((keyword, pattern)) = attribute(&joined_attribute(&lines, i)) else { continue };
            let source = format!("{file}:{}", i + 1);
            // The doc comment sits above the attribute group.
            let mut j = i;
            while j > 0 && lines[j - 1].trim().starts_with("#[") {
                j -= 1;
            }
            let mut doc = Vec::new();
            while j > 0 && lines[j - 1].trim().starts_with("///") {
                j -= 1;
                doc.insert(0, lines[j].trim().trim_start_matches("///").trim().to_string());
            }
            // The first paragraph holds one example per stacked attribute
            // (`#[given] #[when]` over one function), found by keyword.
            let examples: Vec<&String> = doc.iter().take_while(|l| !l.is_empty()).collect();
            let example = examples
                .iter()
                .find(|e| e.starts_with(keyword))
                .or(examples.first())
                .map(|e| e.to_string())
                .unwrap_or_default();
            let description = doc
                .iter()
                .skip(examples.len())
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            if example.is_empty() || description.is_empty() {
                return Err(DocError {
                    at: source,
                    problem: "a step needs a doc comment: an example line, a blank line, a description".into(),
                });
            }
            let parameters = groups(&pattern).iter().map(|g| describe(g)).collect();
            docs.push(StepDoc { keyword, pattern, parameters, description, example, source });
        }
    }
    Ok(docs)
}

/// The source text of each capturing group, in the order they open
/// (outermost first), read from regex-syntax's parse of the pattern, so
/// escapes and classes are what the regex engine says they are.
fn groups(pattern: &str) -> Vec<String> {
    use regex_syntax::ast::{Ast, GroupKind};
    fn walk<'a>(ast: &'a Ast, out: &mut Vec<&'a regex_syntax::ast::Group>) {
        match ast {
            Ast::Group(g) => {
                if !matches!(g.kind, GroupKind::NonCapturing(_)) {
                    out.push(g);
                }
                walk(&g.ast, out);
            }
            Ast::Concat(c) => c.asts.iter().for_each(|a| walk(a, out)),
            Ast::Alternation(a) => a.asts.iter().for_each(|a| walk(a, out)),
            Ast::Repetition(r) => walk(&r.ast, out),
            _ => {}
        }
    }
    // Step patterns compile (cucumber compiled them); one that does not
    // parse documents no parameters rather than failing the listing.
    let Ok(ast) = regex_syntax::ast::parse::Parser::new().parse(pattern) else { return Vec::new() };
    let mut found = Vec::new();
    walk(&ast, &mut found);
    found.sort_by_key(|g| g.span.start.offset);
    found.iter().map(|g| pattern[g.span.start.offset..g.span.end.offset].to_string()).collect()
}

/// How every step pattern spells a name (Daenerys, tablet, Zoë, Jean-Luc).
/// Not `\w+`: that Unicode class made compiling the step patterns, which
/// cucumber-rs does at every start, 20 times slower (80 ms against 4 ms).
const NAME: &str = r"[^\s']+";

/// A reader's description of one capture group.
fn describe(group: &str) -> String {
    let inner = &group[1..group.len() - 1];
    match inner {
        NAME => "a name (an actor, a device, a field): no spaces, no apostrophe".into(),
        r"\d+" => "a number".into(),
        "[^\"]*" | "[^\"]+" => "a text, in double quotes in the step".into(),
        _ if inner.starts_with(' ') || inner.starts_with("?:") => format!("optional words: `{}`", inner.trim()),
        _ if inner.contains('|') && inner.chars().all(|c| c.is_alphanumeric() || c == '|' || c == ' ') => {
            format!("one of: {}", inner.split('|').collect::<Vec<_>>().join(", "))
        }
        _ => format!("matches `{inner}`"),
    }
}

/// The pattern as a reader writes the step: `<name> signs in[ with a wrong password]`.
pub fn readable(pattern: &str) -> String {
    let mut out = pattern.trim_start_matches('^').trim_end_matches('$').to_string();
    for g in groups(pattern) {
        let inner = &g[1..g.len() - 1];
        let shown = match inner {
            NAME => "<name>".to_string(),
            r"\d+" => "<number>".to_string(),
            "[^\"]*" | "[^\"]+" => "<text>".to_string(),
            _ if inner.starts_with(' ') => format!("[{inner}]"),
            _ => format!("<{inner}>"),
        };
        let optional = format!("{g}?");
        out = if out.contains(&optional) { out.replacen(&optional, &shown, 1) } else { out.replacen(&g, &shown, 1) };
    }
    out.replace("(?:", "(").replace(r"\.", ".")
}

/// `authconform steps` as markdown. Files, not lines: the reference should
/// change when a step does, not when code moves.
pub fn render_markdown(docs: &[StepDoc]) -> String {
    let mut out = String::from("# Steps\n\nEvery step the features may use, generated from the step definitions.\n");
    for d in docs {
        out.push_str(&format!(
            "\n## {} {}\n\n{}\n\n- pattern: `{}`\n",
            d.keyword,
            readable(&d.pattern),
            d.description,
            d.pattern
        ));
        for (i, p) in d.parameters.iter().enumerate() {
            out.push_str(&format!("- parameter {}: {p}\n", i + 1));
        }
        let file = d.source.rsplit_once(':').map_or(d.source.as_str(), |(f, _)| f);
        out.push_str(&format!("- example: `{}`\n- defined in `{file}`\n", d.example));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::World as _;

    #[test]
    fn every_step_attribute_is_documented() {
        let attributes: usize = SOURCES
            .iter()
            .map(|(_, text)| {
                text.lines()
                    .filter(|l| ["#[given(", "#[when(", "#[then("].iter().any(|k| l.trim().starts_with(k)))
                    .count()
            })
            .sum();
        assert_eq!(step_docs().unwrap().len(), attributes, "a step attribute the docs did not read");
    }

    #[test]
    fn every_step_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/steps");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| format!("src/steps/{}", e.unwrap().file_name().to_string_lossy()))
            .filter(|f| !f.ends_with("mod.rs"))
            .collect();
        files.sort();
        let embedded: Vec<String> = SOURCES.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(files, embedded, "add new step files to SOURCES");
    }

    #[test]
    fn every_example_runs_the_step_it_documents() {
        let docs = step_docs().unwrap_or_else(|e| panic!("{e}"));
        assert!(docs.len() >= 80, "only {} steps documented", docs.len());
        let feature = format!(
            "Feature: examples\n  Scenario: all\n{}",
            docs.iter().map(|d| format!("    {}\n", d.example)).collect::<String>()
        );
        let parsed = cucumber::gherkin::Feature::parse(&feature, cucumber::gherkin::GherkinEnv::default()).unwrap();
        let steps = crate::world::AuthWorld::collection();
        for (doc, step) in docs.iter().zip(&parsed.scenarios[0].steps) {
            assert!(
                doc.example.starts_with(doc.keyword),
                "{}: the example should start with {}",
                doc.source,
                doc.keyword
            );
            let found = steps.find(step).unwrap_or_else(|e| panic!("{}: the example is ambiguous: {e}", doc.source));
            let (_, _, location, _) =
                found.unwrap_or_else(|| panic!("{}: the example `{}` matches no step", doc.source, doc.example));
            let location = location.expect("macros fill the location");
            let (file, line) = doc.source.rsplit_once(':').unwrap();
            let line: u32 = line.parse().unwrap();
            assert!(
                location.path.ends_with(file) && (line..=line + 3).contains(&location.line),
                "{}: the example runs the step at {}:{} instead",
                doc.source,
                location.path,
                location.line
            );
        }
    }

    #[test]
    fn names_use_the_cheap_class_and_take_any_letters() {
        for doc in step_docs().unwrap() {
            assert!(!doc.pattern.contains(r"\w"), "{}: spell a name {NAME}, not \\w+ (see NAME)", doc.source);
        }
        let parsed = cucumber::gherkin::Feature::parse(
            "Feature: f\n  Scenario: s\n    Given Zoë is a new patient\n    Given Jean-Luc is a new patient\n    Given O'Neil is a new patient\n",
            cucumber::gherkin::GherkinEnv::default(),
        )
        .unwrap();
        let steps = crate::world::AuthWorld::collection();
        let found: Vec<bool> = parsed.scenarios[0].steps.iter().map(|s| steps.find(s).unwrap().is_some()).collect();
        assert_eq!(found, [true, true, false]);
    }

    #[test]
    fn groups_and_their_descriptions() {
        let g = groups(r#"^([^\s']+) starts signing up by (email|SMS)( again)? with "([^"]*)" (?:x|y) (\d+)$"#);
        assert_eq!(g, vec![r"([^\s']+)", "(email|SMS)", "( again)", r#"([^"]*)"#, r"(\d+)"]);
        assert_eq!(describe("(email|SMS)"), "one of: email, SMS");
        assert_eq!(describe("( again)"), "optional words: `again`");
        assert_eq!(readable(r"^([^\s']+) signs in by (email|SMS)( again)?$"), "<name> signs in by <email|SMS>[ again]");
    }
}
