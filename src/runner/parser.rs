//! Reading the feature files for cucumber-rs, with Scenario Outlines
//! expanded in time linear in their rows.
//!
//! cucumber-rs's own parser expands an outline by cloning the whole scenario,
//! every Examples table included, once per row, then cutting the copy down
//! to its row: an outline of 10,000 rows made 10,000 copies of a 10,000-row
//! table (most of a run's time and gigabytes of memory). This parser reads
//! the same files in the same order and expands each row into what
//! cucumber-rs would have made of it (the same name, steps, tags, line and
//! one-row Examples), but clones the outline without its tables.
use std::iter;
use std::mem;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use cucumber::feature::ExpandExamplesError;
use cucumber::{gherkin, parser};
use futures::stream;
use regex::Regex;

use super::plan::feature_files;

/// The features under a folder (or one file), in path order.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeatureParser;

type Parsed = Result<gherkin::Feature, parser::Error>;

impl<I: AsRef<Path>> cucumber::Parser<I> for FeatureParser {
    type Cli = cucumber::cli::Empty;
    type Output = stream::Iter<std::vec::IntoIter<Parsed>>;

    fn parse(self, input: I, _: Self::Cli) -> Self::Output {
        stream::iter(parse_all(input.as_ref()))
    }
}

fn parse_all(input: &Path) -> Vec<Parsed> {
    let root = match input.canonicalize() {
        Ok(root) => root,
        Err(source) => return vec![Err(gherkin::ParseFileError::Reading { path: input.into(), source }.into())],
    };
    let files = if root.is_file() {
        vec![root]
    } else {
        match feature_files(&root) {
            Ok(files) => files,
            Err(e) => {
                let source = std::io::Error::other(e.to_string());
                return vec![Err(gherkin::ParseFileError::Reading { path: root, source }.into())];
            }
        }
    };
    files
        .into_iter()
        .map(|file| {
            let feature = gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default())?;
            expand_feature(feature).map_err(parser::Error::from)
        })
        .collect()
}

fn expand_feature(mut feature: gherkin::Feature) -> Result<gherkin::Feature, ExpandExamplesError> {
    let path = feature.path.clone();
    let expand = |scenarios: Vec<gherkin::Scenario>| -> Result<Vec<_>, _> {
        let mut out = Vec::with_capacity(scenarios.len());
        for scenario in scenarios {
            expand_scenario(scenario, path.as_ref(), &mut out)?;
        }
        Ok(out)
    };
    for rule in &mut feature.rules {
        rule.scenarios = expand(mem::take(&mut rule.scenarios))?;
    }
    feature.scenarios = expand(mem::take(&mut feature.scenarios))?;
    Ok(feature)
}

/// `<name>` in an outline's text, as cucumber-rs matches it.
static TEMPLATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([^>\s](?:[^>\s]?|[^>\t\n\r\v\f]*[^>\s]))>").expect("a valid regex"));

fn expand_scenario(
    mut outline: gherkin::Scenario,
    path: Option<&PathBuf>,
    out: &mut Vec<gherkin::Scenario>,
) -> Result<(), ExpandExamplesError> {
    if outline.examples.is_empty() {
        out.push(outline);
        return Ok(());
    }
    // The outline without its tables is what each row copies.
    let examples = mem::take(&mut outline.examples);
    for mut example in examples {
        let Some(mut table) = example.table.take() else { continue };
        let mut rows = mem::take(&mut table.rows).into_iter();
        let Some(header) = rows.next() else { continue };
        for (id, row) in rows.enumerate() {
            let fill = |text: &str, pos: gherkin::LineCol| fill_template(text, &header, &row, pos, path);
            let mut expanded = outline.clone();
            // cucumber-rs tells the rows apart by line: the row's own line.
            expanded.position = example.position;
            expanded.position.line += id + 2;
            expanded.tags.extend(example.tags.iter().cloned());
            expanded.name = fill(&expanded.name, expanded.position)?;
            for step in &mut expanded.steps {
                let pos = step.position;
                let cells = step.table.iter_mut().flat_map(|t| t.rows.iter_mut().flatten());
                for value in iter::once(&mut step.value).chain(step.docstring.iter_mut()).chain(cells) {
                    *value = fill(value, pos)?;
                }
            }
            let mut one_row = example.clone();
            one_row.table = Some(gherkin::Table { rows: vec![header.clone(), row.clone()], ..table.clone() });
            expanded.examples = vec![one_row];
            out.push(expanded);
        }
    }
    Ok(())
}

fn fill_template(
    text: &str,
    header: &[String],
    row: &[String],
    pos: gherkin::LineCol,
    path: Option<&PathBuf>,
) -> Result<String, ExpandExamplesError> {
    let mut unknown = None;
    let filled = TEMPLATE.replace_all(text, |cap: &regex::Captures<'_>| {
        let name = &cap[1];
        match header.iter().position(|h| h == name) {
            Some(i) => row.get(i).cloned().unwrap_or_default(),
            None => {
                unknown.get_or_insert_with(|| name.to_string());
                String::new()
            }
        }
    });
    match unknown {
        Some(name) => Err(ExpandExamplesError { pos, name, path: path.cloned() }),
        None => Ok(filled.into_owned()),
    }
}

/// For tests: what cucumber-rs's own parser makes of the same file.
#[cfg(test)]
fn cucumber_expansion(file: &Path) -> gherkin::Feature {
    use cucumber::feature::Ext as _;
    gherkin::Feature::parse_path(file, gherkin::GherkinEnv::default()).unwrap().expand_examples().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTLINE: &str = "@needs:otp\nFeature: Outlines\n\n  Background:\n    Given a start\n\n  \
        @req:X-01\n  Scenario Outline: <who> signs in <how>\n    Given <who> is a new patient\n    \
        When <who> signs in with:\n      | via | <how> |\n    Then it says\n      \"\"\"\n      hello <who>\n      \"\"\"\n\n    \
        @first\n    Examples: one\n      | who  | how   |\n      | Arya | email |\n      | Jon  | SMS   |\n\n    \
        Examples: two\n      | who | how |\n      | Sam | email |\n\n  Scenario: plain\n    Given nothing\n\n  \
        Rule: a rule\n    Scenario Outline: ruled <n>\n      Given <n>\n      Examples:\n        | n |\n        | 1 |\n";

    #[test]
    fn rows_expand_exactly_as_cucumber_expands_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("outline.feature");
        std::fs::write(&file, OUTLINE).unwrap();
        let ours =
            expand_feature(gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default()).unwrap()).unwrap();
        let theirs = cucumber_expansion(&file);
        assert_eq!(ours.scenarios.len(), 4);
        assert_eq!(ours, theirs);
        let names: Vec<&str> = ours.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Arya signs in email", "Jon signs in SMS", "Sam signs in email", "plain"]);
    }

    #[test]
    fn an_unknown_placeholder_is_an_error_at_its_step() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.feature");
        std::fs::write(
            &file,
            "Feature: f\n  Scenario Outline: o\n    Given <nobody>\n    Examples:\n      | who |\n      | A |\n",
        )
        .unwrap();
        let err =
            expand_feature(gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default()).unwrap()).unwrap_err();
        assert_eq!((err.name.as_str(), err.pos.line), ("nobody", 3));
    }

    #[test]
    fn files_come_in_path_order_and_a_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/z.feature"), "Feature: z\n").unwrap();
        std::fs::write(dir.path().join("a.feature"), "Feature: a\n").unwrap();
        let names: Vec<String> = parse_all(dir.path()).into_iter().map(|f| f.unwrap().name).collect();
        assert_eq!(names, ["a", "z"]);
        assert!(matches!(parse_all(&dir.path().join("none"))[..], [Err(parser::Error::Parsing(_))]));
    }
}
