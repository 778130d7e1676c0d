//! The site in a real browser: Debian's chromium, headless, at a phone viewport, driven by
//! `tests/browser/site.mjs` (playwright-core and axe-core from npm; no browser download).
//! Without chromium or node the test says how to install them and passes; with `CI=true`
//! it fails instead. The demo is served with a witness (`yangguang witness`, a process of its
//! own) cosigning its log, so the in-browser check (在本机核验) verifies a real cosignature.

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

/// The name of the witness cosigning the demo's log.
const WITNESS: &str = "witness.browser.example";

/// The rest of the first line `server` printed on stdout starting with `prefix` (stdout is read
/// on another thread: wait for it).
fn printed(server: &Server, prefix: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let found = server.stdout.lock().unwrap().iter().find_map(|l| l.strip_prefix(prefix).map(str::to_owned));
        if let Some(rest) = found {
            return rest.trim().to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "the process printed no line starting {prefix:?}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A form posted with `Connection: close`: the status line and the `Set-Cookie` values.
fn post_form(server: &Server, path: &str, body: &str) -> (String, Vec<String>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let head = String::from_utf8_lossy(&raw).split("\r\n\r\n").next().unwrap_or("").to_owned();
    let status = head.lines().next().unwrap_or("").to_owned();
    let cookies = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    (status, cookies)
}

/// The demo's first villager logged in (the code read from the console SMS sender's line):
/// the value of their session cookie, for the browser to measure `/my` with.
fn villager_session(server: &Server) -> String {
    const PHONE: &str = "13800138000";
    let (status, _) = post_form(server, "/my/code", &format!("phone={PHONE}"));
    assert!(status.contains(" 200 "), "asking for a code: {status}");
    let text = printed(server, &format!("sms {PHONE} "));
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    let (status, cookies) = post_form(server, "/my/verify", &format!("phone={PHONE}&code={code}"));
    assert!(status.contains(" 303 "), "logging in with the texted code: {status}");
    let cookie = cookies.iter().find_map(|c| c.strip_prefix("yg_villager=")).expect("a villager session cookie");
    cookie.split(';').next().unwrap().to_owned()
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
    let data = data.to_str().unwrap();
    let demo = Server::start(&["demo", "--data-dir", data, "--as-of", AS_OF]);
    let (clerk, supervisor) = (demo.demo_password("clerk"), demo.demo_password("supervisor"));
    let (admin, bank) = (demo.demo_password("admin"), demo.demo_password("bank"));
    // A witness told of the demo's log key (as its /verify page shows it), and the demo served
    // again with that witness configured: it cosigns the latest checkpoint at start.
    let keys: serde_json::Value = serde_json::from_str(&demo.get("/api/log/keys").body).unwrap();
    let log_key = keys["log_key"].as_str().unwrap().to_owned();
    assert!(demo.terminate().success());
    let witness_dir = temp_dir("browser-witness");
    let witness =
        Server::start(&["witness", "--data-dir", witness_dir.to_str().unwrap(), "--name", WITNESS, "--log", &log_key]);
    let witness_key = printed(&witness, "witness-key ");
    let config = witness_dir.join("platform.toml");
    let witness_url = format!("{}/", witness.base());
    // A commission key (its public half only: the form seals to it) opens 监督举报.
    let tips = "[tips]\npublic_key = \"b20506cf5373843f7b3464097648c183646299020de169c3510a66b06e205f3c\"\n";
    std::fs::write(
        &config,
        format!("{tips}[[transparency.witness]]\nurl = \"{witness_url}\"\nkey = \"{witness_key}\"\n"),
    )
    .unwrap();
    let server = Server::start(&["serve", "--data-dir", data, "--config", config.to_str().unwrap()]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !server.get("/log/checkpoint").body.contains(&format!("\n\u{2014} {WITNESS} ")) {
        assert!(std::time::Instant::now() < deadline, "the witness did not cosign the demo's checkpoint");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // Screenshots of the check's result, to look at: BROWSER_SHOTS, else under target/tmp.
    let shots =
        std::env::var("BROWSER_SHOTS").unwrap_or_else(|_| format!("{}/browser-shots", env!("CARGO_TARGET_TMPDIR")));
    let out = Command::new("node")
        .arg(dir.join("site.mjs"))
        .arg(server.base())
        .env("CHROMIUM", &chromium)
        .env("YG_CLERK_PASSWORD", clerk)
        .env("YG_SUPERVISOR_PASSWORD", supervisor)
        .env("YG_ADMIN_PASSWORD", admin)
        .env("YG_BANK_PASSWORD", bank)
        .env("YG_AS_OF", AS_OF)
        .env("YG_WITNESS", WITNESS)
        .env("YG_CHECK_SHOTS", &shots)
        .env("YG_VILLAGER_COOKIE", villager_session(&server))
        // The questions' clock: `escalate-questions --as-of` over this demo's data.
        .env("YG_BIN", common::BIN)
        .env("YG_DATA", data)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    println!("screenshots of the in-browser check (在本机核验): {shots}");
    assert!(out.status.success(), "the browser test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
