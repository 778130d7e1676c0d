//! The site in a real browser: Debian's chromium, headless, at a phone viewport, driven by
//! `tests/browser/site.mjs` (playwright-core and axe-core from npm; no browser download).
//! Without chromium or node the test says how to install them and passes; with `CI=true`
//! it fails instead.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{AS_OF, Server, temp_dir};

fn skip_or_fail(what: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but {what}");
    }
    eprintln!("skipping the browser test: {what}");
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

#[test]
fn a_villager_reads_in_normal_and_elder_mode_and_a_clerk_and_a_reviewer_publish_and_correct() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return skip_or_fail(&format!("{chromium} is missing: install it with `apt-get install chromium`"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return skip_or_fail("node is missing: install it with `apt-get install nodejs npm`");
    }
    let dir = browser_dir();
    if !dir.join("node_modules/axe-core").exists() || !dir.join("node_modules/playwright-core").exists() {
        let status = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).status();
        if !status.is_ok_and(|s| s.success()) {
            return skip_or_fail("`npm ci` in tests/browser failed: it installs axe-core and playwright-core from npm");
        }
    }
    let data = temp_dir("browser");
    let server = Server::start(&["demo", "--data-dir", data.to_str().unwrap(), "--as-of", AS_OF]);
    let out = Command::new("node")
        .arg(dir.join("site.mjs"))
        .arg(server.base())
        .env("CHROMIUM", &chromium)
        .env("YG_CLERK_PASSWORD", server.demo_password("clerk"))
        .env("YG_SUPERVISOR_PASSWORD", server.demo_password("supervisor"))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "the browser test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
