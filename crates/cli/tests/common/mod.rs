//! Helpers for whole-system tests: run the real `yangguang` binary on a random port with a
//! fresh data directory, and speak plain HTTP/1.1 to it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_yangguang");
/// A fixed "today" so the demo is the same on every run.
pub const AS_OF: &str = "2026-11-24";

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "yg-e2e-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: mpsc::Receiver<String>,
    /// What the process printed on stdout (the demo's accounts).
    pub stdout: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `yangguang <args> --listen 127.0.0.1:0` and waits for its "serving" line.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .env_remove("YANGGUANG_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the yangguang binary runs");
        let stdout_lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        let sink = stdout_lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = vec![];
        loop {
            // Generous: the demo is built in a debug binary, maybe on a busy machine.
            match rx.recv_timeout(Duration::from_secs(300)) {
                Ok(line) => {
                    if let Some(rest) = line.split("address=").nth(1) {
                        let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
                        return Server { child, addr, log: rx, stdout: stdout_lines };
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("the server did not start; it said:\n{}", seen.join("\n"));
                }
            }
        }
    }

    /// The one-time password the demo printed for `username`.
    /// The demo prints its accounts on stdout, read on another thread than the address on
    /// stderr: wait for the line rather than race the reader.
    pub fn demo_password(&self, username: &str) -> String {
        let prefix = format!("demo-account {username} ");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let found = self.stdout.lock().unwrap().iter().find(|l| l.starts_with(&prefix)).cloned();
            if let Some(line) = found {
                return line.split_whitespace().nth(2).unwrap().to_owned();
            }
            assert!(std::time::Instant::now() < deadline, "no demo account {username}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn get(&self, path: &str) -> Response {
        http_get(self.addr, path, &[])
    }

    /// Sends SIGTERM and waits for the process to end.
    pub fn terminate(mut self) -> ExitStatus {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("the server did not stop on SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub fn http_get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body_bytes = raw[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body_bytes = dechunk(&body_bytes);
    }
    let body = String::from_utf8_lossy(&body_bytes).to_string();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
    Response { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Runs the binary to completion, returning its exit status and what it printed to stderr.
pub fn run(args: &[&str]) -> (ExitStatus, String) {
    let out = Command::new(BIN).args(args).env_remove("YANGGUANG_CONFIG").output().unwrap();
    (out.status, String::from_utf8_lossy(&out.stderr).to_string())
}

/// The PostgreSQL server for tests, if configured; under CI it must be.
pub fn postgres_url() -> Option<String> {
    match std::env::var("YANGGUANG_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but YANGGUANG_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
        }
        Err(_) => {
            eprintln!(
                "skipping: set YANGGUANG_TEST_POSTGRES_URL=postgres://127.0.0.1:5432/test to run PostgreSQL tests"
            );
            None
        }
    }
}
