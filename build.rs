//! Embeds the standard suite (features/, the requirement catalogue, the
//! profiles and the snapshot baselines under scenarios/) in the binary, so
//! an installed `authconform` runs from any folder (src/standard.rs).
//!
//! Written by hand rather than with include_dir: each file becomes an
//! `include_bytes!`, which rustc itself tracks, so an edited feature file
//! rebuilds the binary; `rerun-if-changed` on the folders catches added
//! and removed files.
use std::path::{Path, PathBuf};

const EMBEDDED: &[&str] = &["features", "scenarios/requirements.yaml", "scenarios/targets", "scenarios/snapshots"];

fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    let path = root.join(rel);
    if path.is_file() {
        out.push(rel.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(&path) else { return };
    let mut names: Vec<_> = entries.filter_map(Result::ok).map(|e| e.file_name()).collect();
    names.sort();
    for name in names {
        walk(root, &rel.join(name), out);
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for entry in EMBEDDED {
        println!("cargo:rerun-if-changed={entry}");
        walk(&root, Path::new(entry), &mut files);
    }
    let mut code = String::from("/// Every file of the standard suite: its path (`/`-separated) and bytes.\n");
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for rel in &files {
        let shown = rel.to_string_lossy().replace('\\', "/");
        code.push_str(&format!("    ({shown:?}, include_bytes!({:?})),\n", root.join(rel)));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("standard_files.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
