//! Every source a requirement cites can be opened by a reader: a public
//! document by name, or a section of this project's `docs/` that exists.
//! Nothing points at files a user does not have (the research notes and
//! seed documents the project was made from).
mod common;

use regex::Regex;

/// `(file, sections)` of every `docs/<file>.md §N, §M` citation in `text`.
fn citations(text: &str) -> Vec<(String, Vec<String>)> {
    let cite = Regex::new(r"docs/([A-Za-z0-9_-]+\.md)((?:,? §\d+)*)").unwrap();
    let section = Regex::new(r"§(\d+)").unwrap();
    cite.captures_iter(text)
        .map(|c| (c[1].to_string(), section.captures_iter(&c[2]).map(|s| s[1].to_string()).collect()))
        .collect()
}

fn check(origin: &str, text: &str, problems: &mut Vec<String>) {
    for gone in ["research/", "seed 0", "seeds/"] {
        if text.contains(gone) {
            problems.push(format!("{origin}: cites `{gone}`, which a reader does not have"));
        }
    }
    let bare = Regex::new(r"(?:^|[\s(;])([A-Za-z0-9_-]+\.md)\b").unwrap();
    for c in bare.captures_iter(text) {
        problems.push(format!("{origin}: `{}` without its docs/ folder", &c[1]));
    }
    for (file, sections) in citations(text) {
        let path = common::root().join("docs").join(&file);
        let Ok(doc) = std::fs::read_to_string(&path) else {
            problems.push(format!("{origin}: docs/{file} does not exist"));
            continue;
        };
        for n in sections {
            if !doc.lines().any(|l| l.starts_with(&format!("## {n}. "))) {
                problems.push(format!("{origin}: docs/{file} has no section {n}"));
            }
        }
    }
}

#[test]
fn every_cited_document_and_section_exists() {
    let catalogue = authconform::requirements::Catalogue::load(&common::root().join("scenarios/requirements.yaml"))
        .expect("the catalogue loads");
    let mut problems = Vec::new();
    let mut cited = 0;
    for (id, r) in &catalogue.requirements {
        check(&format!("requirement {id}"), &r.source, &mut problems);
        cited += citations(&r.source).len();
    }
    assert!(cited >= 20, "only {cited} docs/ citations: the parser lost them");
    let mut features = Vec::new();
    let mut stack = vec![common::root().join("features")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                features.push(p);
            }
        }
    }
    for f in features {
        check(&f.display().to_string(), &std::fs::read_to_string(&f).unwrap(), &mut problems);
    }
    assert!(problems.is_empty(), "sources a reader cannot open:\n{}", problems.join("\n"));
    // The checker itself finds each kind of problem.
    let mut found = Vec::new();
    check("planted", "research/x.md; docs/nope.md; docs/snapmd-sso.md §9; icure-protocol.md 4", &mut found);
    assert_eq!(found.len(), 4, "{found:#?}");
}
