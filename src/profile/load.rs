//! Reading a profile: YAML, `inherits:`, `${VAR}` interpolation, then the typed model.
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::error::ProfileError;
use super::interpolate::{interpolate, Unresolved};
use super::locate::{find_text, locate, locate_depth};
use super::model::Profile;
use super::validate::validate;
use crate::diagnostic::Located;

/// One file of an inheritance chain, kept to point errors at the right text.
struct Source {
    path: PathBuf,
    text: String,
}

/// Loads a profile from disk, resolving `inherits:` relative to each file.
pub fn load_profile(path: &Path) -> Result<Profile, ProfileError> {
    load_profile_with_env(path, &|name| std::env::var(name).ok())
}

/// Loads a profile from disk with an injected environment (tests, `--var`).
pub fn load_profile_with_env(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Profile, ProfileError> {
    let mut sources = Vec::new();
    let merged = read_chain(path, &mut sources)?;
    finish(merged, &sources, env)
}

/// Loads a profile held in memory (no `inherits:`), e.g. in tests.
pub fn load_profile_str(name: &str, text: &str) -> Result<Profile, ProfileError> {
    let path = PathBuf::from(name);
    let value = parse(&path, text)?;
    let sources = vec![Source { path, text: text.to_string() }];
    finish(value, &sources, &|n| std::env::var(n).ok())
}

fn finish(
    mut merged: Value,
    sources: &[Source],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Profile, ProfileError> {
    let mut key = Vec::new();
    interpolate_all(&mut merged, &mut key, sources, env)?;
    let mut todos = Vec::new();
    find_todos(&merged, &mut Vec::new(), &mut todos);
    let mut todos: Vec<ProfileError> = todos
        .into_iter()
        .map(|path| {
            invalid(sources, &path, "still a TODO of `authconform init`: decide it, or remove the key".to_string())
        })
        .collect();
    match todos.len() {
        0 => {}
        1 => return Err(todos.remove(0)),
        _ => return Err(ProfileError::Several(todos)),
    }
    let mut profile: Profile = serde_path_to_error::deserialize(merged).map_err(|e| {
        let path = split_path(&e.path().to_string());
        invalid(sources, &path, e.inner().to_string())
    })?;
    let mut problems: Vec<ProfileError> =
        validate(&profile).into_iter().map(|(path, message)| invalid(sources, &path, message)).collect();
    match problems.len() {
        0 => {}
        1 => return Err(problems.remove(0)),
        _ => return Err(ProfileError::Several(problems)),
    }
    read_key_file(&mut profile, sources)?;
    let base = sources.first().and_then(|s| s.path.parent()).unwrap_or(Path::new("."));
    if let Err((key, why)) = profile.tls.load(base) {
        return Err(invalid(sources, &["tls".to_string(), key.to_string()], why));
    }
    if let Err((key, why)) = profile.doubles_tls.load(base) {
        return Err(invalid(sources, &["doubles_tls".to_string(), key.to_string()], why));
    }
    Ok(profile)
}

/// Moves `platform.partner_public_key_file` (relative to the profile named
/// on the command line) into `partner_public_key`.
fn read_key_file(profile: &mut Profile, sources: &[Source]) -> Result<(), ProfileError> {
    let Some(platform) = profile.platform.as_mut() else { return Ok(()) };
    // An empty path is unset: `${AUTHCONFORM_PARTNER_PUBLIC_KEY_FILE:-}` in a profile.
    let Some(rel) = platform.partner_public_key_file.take().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let base = sources.first().and_then(|s| s.path.parent()).unwrap_or(Path::new("."));
    let file = base.join(&rel);
    let key_path = ["platform".to_string(), "partner_public_key_file".to_string()];
    let pem = std::fs::read_to_string(&file)
        .map_err(|e| invalid(sources, &key_path, format!("cannot read {}: {e}", file.display())))?;
    if !pem.contains("-----BEGIN PUBLIC KEY-----") && !pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
        return Err(invalid(sources, &key_path, format!("{} holds no PEM public key", file.display())));
    }
    platform.partner_public_key = Some(pem);
    Ok(())
}

/// A profile is a page of YAML: anything larger (or not a file at all,
/// `inherits: /dev/zero`) is refused before it is read.
pub const MAX_PROFILE_BYTES: u64 = 1 << 20;

fn read_chain(path: &Path, sources: &mut Vec<Source>) -> Result<Value, ProfileError> {
    let read = |source| ProfileError::Read { path: path.to_path_buf(), source };
    let meta = std::fs::metadata(path).map_err(read)?;
    if !meta.is_file() {
        return Err(read(std::io::Error::other("not a regular file")));
    }
    if meta.len() > MAX_PROFILE_BYTES {
        return Err(read(std::io::Error::other(format!(
            "{} bytes, over the {MAX_PROFILE_BYTES}-byte limit for a profile",
            meta.len()
        ))));
    }
    let text = std::fs::read_to_string(path).map_err(read)?;
    let mut value = parse(path, &text)?;
    let parent = match &mut value {
        Value::Mapping(m) => m.remove("inherits"),
        _ => None,
    };
    let index = sources.len();
    sources.push(Source { path: path.to_path_buf(), text });
    let Some(parent) = parent else { return Ok(value) };
    let at = position(&sources[index], &["inherits".to_string()]);
    let Value::String(rel) = parent else {
        return Err(ProfileError::Invalid {
            at,
            key: "inherits".into(),
            message: "must be a path to another profile".into(),
        });
    };
    let parent_path = path.parent().unwrap_or(Path::new(".")).join(rel);
    if sources.iter().any(|s| same_file(&s.path, &parent_path)) {
        return Err(ProfileError::InheritCycle { at, path: parent_path });
    }
    let base = read_chain(&parent_path, sources)?;
    Ok(merge(base, value))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Deeper flow nesting than any profile needs; the YAML parser spends
/// seconds on 100,000 `[` before its own recursion limit stops it.
const MAX_NESTING: usize = 64;

/// The first place where `[`/`{` nesting passes `MAX_NESTING`, outside
/// quotes and comments (a fast pass before the real parser).
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let mut quote = None;
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some((i + 1, col + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

fn parse(path: &Path, text: &str) -> Result<Value, ProfileError> {
    if let Some((line, col)) = too_deep(text) {
        return Err(ProfileError::Syntax {
            at: Located::in_text(path, text, line, col),
            message: format!("nested deeper than {MAX_NESTING} levels"),
        });
    }
    serde_yaml::from_str(text).map_err(|e| {
        let (at, message) = crate::diagnostic::yaml_error(path, text, &e);
        ProfileError::Syntax { at, message }
    })
}

/// Child values win; mappings merge key by key, so a profile can override
/// one operation without restating the others. Two places replace whole:
/// an operation (it is one HTTP binding: half of the parent's body or
/// extraction rules mixed with the child's would be neither) and `auth`
/// (one scheme).
fn merge(base: Value, child: Value) -> Value {
    merge_at(base, child, &[])
}

fn merge_at(base: Value, child: Value, path: &[&str]) -> Value {
    let whole = matches!(path, ["operations", _] | ["auth"]);
    match (base, child) {
        (Value::Mapping(mut b), Value::Mapping(c)) if !whole => {
            for (k, v) in c {
                let key = k.as_str().unwrap_or_default().to_string();
                let mut sub: Vec<&str> = path.to_vec();
                sub.push(&key);
                let merged = match b.remove(&k) {
                    Some(old) => merge_at(old, v, &sub),
                    None => v,
                };
                b.insert(k, merged);
            }
            Value::Mapping(b)
        }
        (_, child) => child,
    }
}

/// The key paths of the strings that still say `TODO` (written by `init`).
fn find_todos(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::String(s) if s.contains("TODO") => out.push(path.clone()),
        Value::Mapping(m) => {
            for (k, v) in m {
                path.push(k.as_str().unwrap_or_default().to_string());
                find_todos(v, path, out);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                find_todos(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn interpolate_all(
    value: &mut Value,
    key: &mut Vec<String>,
    sources: &[Source],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ProfileError> {
    match value {
        Value::String(s) if s.contains("${") => {
            *s = interpolate(s, env).map_err(|why| match why {
                Unresolved::Unset(var) => {
                    let needle = format!("${{{var}");
                    let at = sources
                        .iter()
                        .find_map(|src| {
                            find_text(&src.text, &needle)
                                .map(|(line, col)| Located::in_text(&src.path, &src.text, line, col))
                        })
                        .unwrap_or_else(|| position(&sources[0], key));
                    ProfileError::UnsetVariable { at, key: key.join("."), var }
                }
                Unresolved::Unclosed => {
                    invalid(sources, key, "unclosed `${` (write ${VAR} or ${VAR:-default})".to_string())
                }
            })?;
        }
        Value::Mapping(m) => {
            for (k, v) in m.iter_mut() {
                key.push(k.as_str().unwrap_or("?").to_string());
                interpolate_all(v, key, sources, env)?;
                key.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                key.push(i.to_string());
                interpolate_all(v, key, sources, env)?;
                key.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// serde_path_to_error paths look like `operations.otp.start.url`, but
/// operation names contain dots too; we split on dots and let `locate`
/// re-join segments that only exist joined.
fn split_path(path: &str) -> Vec<String> {
    if path == "." || path.is_empty() {
        return Vec::new();
    }
    path.split('.').map(|s| s.split('[').next().unwrap_or(s).trim_end_matches('?').to_string()).collect()
}

fn invalid(sources: &[Source], path: &[String], message: String) -> ProfileError {
    // The most derived file that mentions the key is the one the user must edit.
    let path = rejoin(sources, path);
    // Deepest match wins; on a tie the child (first) file does.
    let at = sources
        .iter()
        .map(|s| (s, locate_depth(&s.text, &path).map_or(0, |(_, _, d)| d)))
        .rev()
        .max_by_key(|(_, depth)| *depth)
        .map(|(s, _)| position(s, &path))
        .unwrap_or_else(|| Located { file: PathBuf::from("<profile>"), line: 1, col: 1, text: None });
    ProfileError::Invalid { at, key: path.join("."), message }
}

/// Joins dotted segments back when the YAML key itself contains dots
/// (`otp.start`), by preferring the longest key present in some source.
fn rejoin(sources: &[Source], path: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < path.len() {
        let mut taken = 1;
        for len in (2..=path.len() - i).rev() {
            let candidate = path[i..i + len].join(".");
            let needle = format!("{candidate}:");
            if sources.iter().any(|s| s.text.contains(&needle)) {
                taken = len;
                break;
            }
        }
        out.push(path[i..i + taken].join("."));
        i += taken;
    }
    out
}

fn position(source: &Source, path: &[String]) -> Located {
    let (line, col) = locate(&source.text, path).unwrap_or((1, 1));
    Located::in_text(&source.path, &source.text, line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        serde_yaml::from_str(s).unwrap()
    }

    /// A profile of the `sessions` family, with a few operations of others.
    const CORE: &str = "families: [sessions]\noperations:\n  otp.start: {method: POST, url: /s}\n  otp.validate: {method: POST, url: /v}\n  user.current: {method: GET, url: /u}\n  token.create: {method: POST, url: /t}\n  data_owner.get: {method: GET, url: /d}\n  data_owner.add_key: {method: POST, url: /k}\n";

    #[test]
    fn one_of_choices_load_as_enums_or_not_at_all() {
        let base = format!("name: t\nbase_url: http://127.0.0.1:1\n{CORE}");
        let p = load_profile_str("p.yaml", &format!("{base}auth: {{ bearer: t }}\n")).unwrap();
        assert!(matches!(p.auth, super::super::AuthScheme::Bearer(ref t) if t == "t"));
        for auth in ["{}", "{ bearer: t, header: { name: X, value: v } }"] {
            let e = load_profile_str("p.yaml", &format!("{base}auth: {auth}\n")).unwrap_err().to_string();
            assert_eq!(e, "p.yaml:11:1: at `auth`: set exactly one of `basic`, `bearer` or `header`");
        }
        let op = format!(
            "auth: {{ bearer: t }}\n{}  user.current:\n    method: GET\n    url: /u\n",
            CORE.replace("  user.current: {method: GET, url: /u}\n", "")
        );
        let e = load_profile_str("p.yaml", &format!("name: t\nbase_url: http://x\n{op}    json: {{}}\n    raw: x\n"))
            .unwrap_err();
        assert!(e.to_string().ends_with("at `operations.user.current`: set at most one body: `json`, `form` or `raw`"));
        let e = load_profile_str(
            "p.yaml",
            &format!("name: t\nbase_url: http://x\n{op}    extract: {{ id: {{ each: /id }} }}\n"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("`each` maps the elements of a `json` array"), "{e}");
    }

    #[test]
    fn every_problem_of_meaning_is_reported_at_once() {
        let text = format!("name: t\nbase_url: http://127.0.0.1:1\npublic_url: ftp://x\ndefaults:\n  timeout: 0s\nauth: {{ bearer: t }}\n{CORE}");
        let e = load_profile_str("p.yaml", &text).unwrap_err();
        let ProfileError::Several(all) = &e else { panic!("{e}") };
        assert_eq!(all.len(), 2, "{e}");
        let shown = e.render();
        assert!(shown.contains("p.yaml:3:1") && shown.contains("not `ftp`"), "{shown}");
        assert!(shown.contains("p.yaml:5:3") && shown.contains("longer than 0"), "{shown}");
        assert!(shown.ends_with("error: the profile was not loaded: 2 problems\n"), "{shown}");
    }

    #[test]
    fn a_token_cap_needs_a_validity_to_ask_for() {
        let text = format!(
            "name: t\nbase_url: http://127.0.0.1:1\nlifetimes: {{ token_cap: 60s }}\nauth: {{ bearer: t }}\n{CORE}"
        );
        let e = load_profile_str("p.yaml", &text).unwrap_err().to_string();
        assert!(e.starts_with("p.yaml:3:1: at `lifetimes.token_cap`: a cap needs a `token.create` that sends"), "{e}");
        let asks = text.replace(
            "token.create: {method: POST, url: /t}",
            "token.create: {method: POST, url: '/t?v={{ token_validity }}'}",
        );
        let p = load_profile_str("p.yaml", &asks).unwrap();
        assert!(p.declared().lifetimes.contains(&super::super::Lifetime::TokenCap));
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("name: x\nbase_url: {}", "[".repeat(100_000));
        assert_eq!(too_deep(&deep), Some((2, 10 + MAX_NESTING + 1)));
        assert_eq!(
            too_deep("a: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\nb: [1, [2]]"),
            None
        );
    }

    #[test]
    fn merges_key_by_key_but_replaces_operations_and_auth_whole() {
        let base = y("name: a
variables: {x: 1, y: 2}
auth: {basic: {username: u, password: p}}
operations:
  a: {method: GET, url: /a, json: {k: v}}
  b: {method: GET, url: /b}
");
        let child = y("name: b
variables: {y: 3}
auth: {bearer: t}
operations:
  a: {method: POST, url: /a2, form: {k: v}}
");
        let merged = merge(base, child);
        assert_eq!(
            merged,
            y("name: b
variables: {x: 1, y: 3}
auth: {bearer: t}
operations:
  a: {method: POST, url: /a2, form: {k: v}}
  b: {method: GET, url: /b}
")
        );
    }
}
