//! A real S3-compatible server for the object-storage tests: `s3s-fs` (installed with
//! `cargo install s3s-fs --features binary`; `.ci/run` does it), started on a free port over
//! a temporary directory, with one bucket and a key pair. Without the binary a test is skipped
//! with a message — and fails under `CI=true`. Shared by the web and CLI tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BUCKET: &str = "yangguang";
pub const ACCESS_KEY: &str = "yg-test-access";
pub const SECRET_KEY: &str = "yg-test-secret-never-printed";

pub struct S3Server {
    child: Child,
    pub endpoint: String,
    root: PathBuf,
}

fn binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("s3s-fs"))
        .find(|p| p.is_file());
    let in_cargo = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/s3s-fs")).filter(|p| p.is_file());
    on_path.or(in_cargo)
}

impl S3Server {
    /// The server, ready to answer; `None` (skip) when `s3s-fs` is not installed.
    pub fn start(name: &str) -> Option<Self> {
        let Some(bin) = binary() else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI=true but s3s-fs is not installed (cargo install s3s-fs --features binary)"
            );
            eprintln!("skipping the object-storage test: install s3s-fs (cargo install s3s-fs --features binary)");
            return None;
        };
        let root = std::env::temp_dir().join(format!(
            "yg-s3-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        // A free port: bound, read, released, then given to the server.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "s3s-fs did not answer on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Self { child, endpoint: format!("http://127.0.0.1:{port}"), root })
    }

    pub fn config(&self, prefix: &str) -> yangguang_app::files::S3Config {
        yangguang_app::files::S3Config {
            bucket: BUCKET.into(),
            endpoint: self.endpoint.clone(),
            region: "us-east-1".into(),
            prefix: prefix.into(),
            access_key_id: ACCESS_KEY.into(),
            secret_access_key: SECRET_KEY.into(),
            virtual_hosted: false,
        }
    }

    /// Where the server keeps an object on its disk (to remove or alter one behind its back).
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.root.join(BUCKET).join(key)
    }

    /// Every object in the bucket, as keys.
    pub fn objects(&self) -> Vec<String> {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, base, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    let key = rel.to_string_lossy().replace('\\', "/");
                    // s3s-fs keeps its own metadata and uploads in progress beside the objects.
                    if !key.starts_with('.') && !key.contains("/.") {
                        out.push(key);
                    }
                }
            }
        }
        let mut out = vec![];
        walk(&self.root.join(BUCKET), &self.root.join(BUCKET), &mut out);
        out.sort();
        out
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
