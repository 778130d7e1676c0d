//! Attachment and scan files on local disk, stored once by the SHA-256 of their content under
//! `<data dir>/files/ab/cdef…`. Writes go to a temporary file first and are renamed into
//! place, so a crash never leaves a half-written file under a valid name.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("文件不存在 / file not found")]
    NotFound,
    #[error("文件内容与记录的哈希不符 / file content does not match its hash: {0}")]
    Corrupt(String),
    #[error("文件存储出错 / file storage error: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn valid_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a hash lives; `None` for anything that is not a lower-case hex SHA-256, so a
    /// crafted hash can never name a path outside the store.
    pub fn path_of(&self, hash: &str) -> Option<PathBuf> {
        valid_hash(hash).then(|| self.root.join(&hash[..2]).join(&hash[2..]))
    }

    /// Stores `bytes` and returns their hash; storing the same content twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<String, FileError> {
        self.write(bytes, true)
    }

    /// Like [`Self::put`] without waiting for the disk: only for generated data (the demo)
    /// that can be made again after a crash.
    pub fn put_unsynced(&self, bytes: &[u8]) -> Result<String, FileError> {
        self.write(bytes, false)
    }

    fn write(&self, bytes: &[u8], durable: bool) -> Result<String, FileError> {
        let hash = sha256_hex(bytes);
        let path = self.path_of(&hash).expect("own hash is valid");
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
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, &path)?;
        Ok(hash)
    }

    /// Thumbnails are derived from their image and can be made again: they live apart,
    /// under `thumbs/`, named after the image's hash.
    pub fn thumbnail_path(&self, image_hash: &str) -> Option<PathBuf> {
        valid_hash(image_hash).then(|| self.root.join("thumbs").join(format!("{image_hash}.jpg")))
    }

    pub fn put_thumbnail(&self, image_hash: &str, bytes: &[u8]) -> Result<(), FileError> {
        let path = self.thumbnail_path(image_hash).ok_or(FileError::NotFound)?;
        let dir = path.parent().expect("has a parent");
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(bytes)?;
        std::fs::rename(&tmp.0, &path)?;
        Ok(())
    }

    pub fn get_thumbnail(&self, image_hash: &str) -> Result<Vec<u8>, FileError> {
        let path = self.thumbnail_path(image_hash).ok_or(FileError::NotFound)?;
        std::fs::read(path)
            .map_err(|e| if e.kind() == std::io::ErrorKind::NotFound { FileError::NotFound } else { e.into() })
    }

    /// Reads a file and checks it still has the hash it is stored under.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, FileError> {
        let path = self.path_of(hash).ok_or(FileError::NotFound)?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FileError::NotFound),
            Err(e) => return Err(e.into()),
        };
        if sha256_hex(&bytes) != hash {
            return Err(FileError::Corrupt(hash.to_owned()));
        }
        Ok(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> FileStore {
        let dir =
            std::env::temp_dir().join(format!("yg-files-{}-{:?}", std::process::id(), std::thread::current().id()));
        FileStore::new(dir)
    }

    #[test]
    fn content_round_trips_once_by_hash() {
        let files = store();
        let a = files.put(b"hello").unwrap();
        assert_eq!(files.put(b"hello").unwrap(), a);
        assert_eq!(files.get(&a).unwrap(), b"hello");
    }

    #[test]
    fn crafted_hashes_name_no_path() {
        let files = store();
        for bad in ["../../etc/passwd", "", &"A".repeat(64), &"g".repeat(64)] {
            assert!(files.path_of(bad).is_none(), "{bad}");
            assert!(matches!(files.get(bad), Err(FileError::NotFound)));
        }
    }

    #[test]
    fn altered_file_is_detected() {
        let files = store();
        let hash = files.put(b"original").unwrap();
        std::fs::write(files.path_of(&hash).unwrap(), b"altered").unwrap();
        assert!(matches!(files.get(&hash), Err(FileError::Corrupt(_))));
    }
}
