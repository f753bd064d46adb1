//! The standard suite the binary carries (features, requirement catalogue,
//! profiles, snapshot baselines; embedded by build.rs), and which suite a
//! run uses. Precedence, documented in the README:
//! 1. `--root DIR`: the user's own folder;
//! 2. the current folder, when it has a `features/` folder;
//! 3. the embedded standard suite, written to a private temporary folder
//!    for the run (cucumber reads feature files from disk).
//!
//! So `cargo install --path .` gives a tool that certifies from any folder,
//! and a clone of this repository still runs what is in its working tree.
use std::io;
use std::path::{Path, PathBuf};

mod files {
    include!(concat!(env!("OUT_DIR"), "/standard_files.rs"));
}

/// Where the suite of a run lives. Keep it alive for the run: the embedded
/// copy is removed when it drops.
#[derive(Debug)]
pub enum SuiteRoot {
    /// `--root DIR`.
    Given(PathBuf),
    /// The current folder, which has `features/`.
    Current(PathBuf),
    /// The embedded standard suite, written out.
    Embedded(tempfile::TempDir),
}

impl SuiteRoot {
    pub fn path(&self) -> &Path {
        match self {
            SuiteRoot::Given(p) | SuiteRoot::Current(p) => p,
            SuiteRoot::Embedded(dir) => dir.path(),
        }
    }

    /// One line for a run's notes, when it is not the obvious one.
    pub fn describe(&self) -> Option<String> {
        match self {
            SuiteRoot::Embedded(_) => Some(format!(
                "no features/ here and no --root: running the standard suite built into authconform {} ({} files)",
                env!("CARGO_PKG_VERSION"),
                files::FILES.len()
            )),
            _ => None,
        }
    }
}

/// The suite a run uses: `explicit` (`--root`), else `cwd` when it has
/// `features/`, else the embedded copy written to a temporary folder.
pub fn resolve(explicit: Option<PathBuf>, cwd: &Path) -> io::Result<SuiteRoot> {
    if let Some(dir) = explicit {
        return Ok(SuiteRoot::Given(dir));
    }
    if cwd.join("features").is_dir() {
        return Ok(SuiteRoot::Current(cwd.to_path_buf()));
    }
    let dir = tempfile::Builder::new().prefix("authconform-suite-").tempdir()?;
    write_out(dir.path())?;
    Ok(SuiteRoot::Embedded(dir))
}

/// Writes every embedded file under `dir`.
pub fn write_out(dir: &Path) -> io::Result<()> {
    for (rel, bytes) in files::FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

/// The embedded files' paths, for listings and tests.
pub fn embedded_paths() -> impl Iterator<Item = &'static str> {
    files::FILES.iter().map(|(p, _)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_suite_is_this_tree_and_the_precedence_holds() {
        let paths: Vec<&str> = embedded_paths().collect();
        for needed in
            ["features/otp/register.feature", "scenarios/requirements.yaml", "scenarios/targets/reference.yaml"]
        {
            assert!(paths.contains(&needed), "{needed} is not embedded");
        }
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(matches!(resolve(None, here).unwrap(), SuiteRoot::Current(_)));
        assert!(matches!(resolve(Some("x".into()), here).unwrap(), SuiteRoot::Given(_)));
        let empty = tempfile::tempdir().unwrap();
        let root = resolve(None, empty.path()).unwrap();
        let written = std::fs::read(root.path().join("features/otp/register.feature")).unwrap();
        assert_eq!(written, std::fs::read(here.join("features/otp/register.feature")).unwrap());
        assert!(root.describe().unwrap().contains("standard suite"));
    }
}
