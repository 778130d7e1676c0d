//! The local-directory backend: the layout and write discipline the store has always had.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{FileError, content_key, sha256_hex};

fn not_found(e: std::io::Error) -> FileError {
    if e.kind() == std::io::ErrorKind::NotFound { FileError::NotFound } else { e.into() }
}

pub(super) fn put(root: &Path, bytes: &[u8], durable: bool) -> Result<String, FileError> {
    let hash = sha256_hex(bytes);
    let path = root.join(content_key(&hash));
    if path.exists() {
        return Ok(hash);
    }
    let dir = path.parent().expect("has a parent");
    if !dir.exists() {
        std::fs::create_dir_all(dir)?;
    }
    if !durable {
        // Generated data: written in place, a torn file is made again with the demo.
        std::fs::write(&path, bytes)?;
        return Ok(hash);
    }
    write_new(&path, bytes, true)?;
    Ok(hash)
}

/// Writes a key that may not be there yet (a restore or migration); `false` when it already was.
pub(super) fn put_new(path: &Path, bytes: &[u8]) -> Result<bool, FileError> {
    if path.exists() {
        return Ok(false);
    }
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    write_new(path, bytes, true)?;
    Ok(true)
}

pub(super) fn put_thumbnail(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    write_new(path, bytes, false)
}

/// Through a temporary file renamed into place: a reader never sees half a file.
fn write_new(path: &Path, bytes: &[u8], durable: bool) -> Result<(), FileError> {
    let (tmp, mut file) = tempfile_in(path.parent().expect("has a parent"))?;
    file.write_all(bytes)?;
    if durable {
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

pub(super) fn read(path: &Path) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(not_found)
}

pub(super) fn size(path: &Path) -> Result<u64, FileError> {
    Ok(std::fs::metadata(path).map_err(not_found)?.len())
}

/// Every file under the root as a key (`ab/cdef…`, `thumbs/…`); temporary files are skipped.
pub(super) fn keys(root: &Path) -> Result<Vec<String>, FileError> {
    let mut out = vec![];
    let top = match std::fs::read_dir(root) {
        Ok(dir) => dir,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for dir in top {
        let dir = dir?;
        if !dir.file_type()?.is_dir() {
            continue;
        }
        let dir_name = dir.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(dir.path())? {
            let file = file?;
            let name = file.file_name().to_string_lossy().into_owned();
            if file.file_type()?.is_file() && !name.starts_with(".tmp-") {
                out.push(format!("{dir_name}/{name}"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Copies a file to `to` through a temporary file, hashing as it reads; a copy whose hash
/// is not `expect` is removed and reported.
pub(super) fn copy_checked(from: &Path, to: &Path, expect: Option<&str>) -> Result<u64, FileError> {
    let mut src = std::fs::File::open(from).map_err(not_found)?;
    let mut sink = CheckedSink::create(to)?;
    let mut buf = vec![0; 256 * 1024];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        sink.write(&buf[..n])?;
    }
    sink.finish(expect)
}

/// A file being written from chunks, hashed on the way, put in place only when whole and
/// matching its hash.
pub(super) struct CheckedSink {
    to: PathBuf,
    tmp: PathBuf,
    file: std::fs::File,
    hasher: Sha256,
    bytes: u64,
}

impl CheckedSink {
    pub(super) fn create(to: &Path) -> Result<Self, FileError> {
        let dir = to.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let (tmp, file) = tempfile_in(dir)?;
        Ok(Self { to: to.to_owned(), tmp, file, hasher: Sha256::new(), bytes: 0 })
    }

    pub(super) fn write(&mut self, chunk: &[u8]) -> Result<(), FileError> {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
        if let Err(e) = self.file.write_all(chunk) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(e.into());
        }
        Ok(())
    }

    pub(super) fn finish(self, expect: Option<&str>) -> Result<u64, FileError> {
        let got = hex::encode(self.hasher.finalize());
        if let Some(hash) = expect
            && got != hash
        {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(FileError::Corrupt(hash.to_owned()));
        }
        drop(self.file);
        std::fs::rename(&self.tmp, &self.to)?;
        Ok(self.bytes)
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(".tmp-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}
