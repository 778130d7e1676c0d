//! Attachment and scan files, stored once by the SHA-256 of their content under `ab/cdef…`,
//! with thumbnails under `thumbs/<hash>.jpg`. Two backends with the same layout:
//!
//! - the local directory (`<data dir>/files`, the default): writes go to a temporary file first
//!   and are renamed into place, so a crash never leaves a half-written file under a valid name;
//! - S3-compatible object storage through the `object_store` crate ([`object`]): a put of a hash
//!   already stored is a HEAD and nothing more, and an object is only ever created whole.
//!
//! Every read is checked against the hash it is stored under, whichever the backend.

mod local;
pub mod object;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use object::S3Config;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("文件不存在 / file not found")]
    NotFound,
    #[error("文件内容与记录的哈希不符 / file content does not match its hash: {0}")]
    Corrupt(String),
    #[error("文件存储出错 / file storage error: {0}")]
    Io(#[from] std::io::Error),
    #[error("对象存储出错，请检查 [files] 设置与网络 / object storage error: {0}")]
    Remote(String),
}

#[derive(Debug, Clone)]
pub struct FileStore {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Local(PathBuf),
    Object(Arc<object::Objects>),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn valid_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The key of a content file relative to the store's root: `ab/cdef…`.
pub(crate) fn content_key(hash: &str) -> String {
    format!("{}/{}", &hash[..2], &hash[2..])
}

/// The key of a thumbnail relative to the store's root.
pub(crate) fn thumbnail_key(hash: &str) -> String {
    format!("thumbs/{hash}.jpg")
}

impl FileStore {
    /// Files in a local directory.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { backend: Backend::Local(root.into()) }
    }

    /// Files in an S3-compatible bucket. Nothing is asked of the server yet: see [`Self::check`].
    pub fn s3(config: &S3Config) -> Result<Self, FileError> {
        Ok(Self { backend: Backend::Object(Arc::new(object::Objects::new(config)?)) })
    }

    /// The directory of a local store; `None` for object storage.
    pub fn local_root(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local(root) => Some(root),
            Backend::Object(_) => None,
        }
    }

    /// Where the files are, for messages and logs (never with credentials).
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local(root) => root.display().to_string(),
            Backend::Object(o) => o.describe(),
        }
    }

    /// Where a hash lives in a local store; `None` for object storage and for anything that is
    /// not a lower-case hex SHA-256, so a crafted hash can never name a path outside the store.
    pub fn path_of(&self, hash: &str) -> Option<PathBuf> {
        let root = self.local_root()?;
        valid_hash(hash).then(|| root.join(&hash[..2]).join(&hash[2..]))
    }

    /// Checks that the store answers: the directory can be created, or the bucket listed with
    /// the configured credentials. Run at start and by `yangguang check`.
    pub async fn check(&self) -> Result<(), FileError> {
        match &self.backend {
            Backend::Local(root) => Ok(std::fs::create_dir_all(root)?),
            Backend::Object(o) => o.check().await,
        }
    }

    /// Stores `bytes` and returns their hash; storing the same content twice is a no-op.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, FileError> {
        match &self.backend {
            Backend::Local(root) => local::put(root, bytes, true),
            Backend::Object(o) => o.put(bytes).await,
        }
    }

    /// Like [`Self::put`] without waiting for the disk: only for generated data (the demo)
    /// that can be made again after a crash. Object storage has no such shortcut.
    pub async fn put_unsynced(&self, bytes: &[u8]) -> Result<String, FileError> {
        match &self.backend {
            Backend::Local(root) => local::put(root, bytes, false),
            Backend::Object(o) => o.put(bytes).await,
        }
    }

    /// Reads a file and checks it still has the hash it is stored under.
    pub async fn get(&self, hash: &str) -> Result<Vec<u8>, FileError> {
        if !valid_hash(hash) {
            return Err(FileError::NotFound);
        }
        let bytes = match &self.backend {
            Backend::Local(root) => local::read(&root.join(content_key(hash)))?,
            Backend::Object(o) => o.get(&content_key(hash)).await?,
        };
        if sha256_hex(&bytes) != hash {
            return Err(FileError::Corrupt(hash.to_owned()));
        }
        Ok(bytes)
    }

    /// The size of a stored file, without reading it.
    pub async fn size(&self, hash: &str) -> Result<u64, FileError> {
        if !valid_hash(hash) {
            return Err(FileError::NotFound);
        }
        match &self.backend {
            Backend::Local(root) => local::size(&root.join(content_key(hash))),
            Backend::Object(o) => o.size(&content_key(hash)).await,
        }
    }

    /// Thumbnails are derived from their image and can be made again: they live apart,
    /// under `thumbs/`, named after the image's hash.
    pub async fn put_thumbnail(&self, image_hash: &str, bytes: &[u8]) -> Result<(), FileError> {
        if !valid_hash(image_hash) {
            return Err(FileError::NotFound);
        }
        match &self.backend {
            Backend::Local(root) => local::put_thumbnail(&root.join(thumbnail_key(image_hash)), bytes),
            Backend::Object(o) => o.put_new(&thumbnail_key(image_hash), bytes).await.map(|_| ()),
        }
    }

    pub async fn get_thumbnail(&self, image_hash: &str) -> Result<Vec<u8>, FileError> {
        if !valid_hash(image_hash) {
            return Err(FileError::NotFound);
        }
        match &self.backend {
            Backend::Local(root) => local::read(&root.join(thumbnail_key(image_hash))),
            Backend::Object(o) => o.get(&thumbnail_key(image_hash)).await,
        }
    }

    /// Every stored key (`ab/cdef…` and `thumbs/…`), for backups and migrations.
    pub async fn keys(&self) -> Result<Vec<String>, FileError> {
        match &self.backend {
            Backend::Local(root) => local::keys(root),
            Backend::Object(o) => o.keys().await,
        }
    }

    /// Copies one stored key into a local file, streamed, checking a content file's hash as it
    /// goes (a thumbnail has no hash of its own). Returns the bytes copied.
    pub async fn copy_out(&self, key: &str, to: &Path) -> Result<u64, FileError> {
        let expect = hash_of_key(key);
        match &self.backend {
            Backend::Local(root) => local::copy_checked(&root.join(key), to, expect.as_deref()),
            Backend::Object(o) => o.copy_out(key, to, expect.as_deref()).await,
        }
    }

    /// Stores a local file under a key (a restore or a migration): a content file must hash to
    /// its name, and a key already present is left as it is. Returns whether it was written.
    pub async fn copy_in(&self, key: &str, from: &Path) -> Result<bool, FileError> {
        let bytes = local::read(from)?;
        match hash_of_key(key) {
            Some(hash) if sha256_hex(&bytes) != hash => Err(FileError::Corrupt(hash)),
            Some(_) => match &self.backend {
                Backend::Local(root) => local::put_new(&root.join(key), &bytes),
                Backend::Object(o) => o.put_new(key, &bytes).await,
            },
            None if key.starts_with("thumbs/") && valid_hash(key[7..].trim_end_matches(".jpg")) => {
                match &self.backend {
                    Backend::Local(root) => local::put_new(&root.join(key), &bytes),
                    Backend::Object(o) => o.put_new(key, &bytes).await,
                }
            }
            None => Err(FileError::Remote(format!("“{key}” 不是文件库中的名字 / not a store key"))),
        }
    }

    /// [`Self::put`] for code on a blocking thread (image decoding, zip expansion): a local
    /// store is written directly, object storage through the runtime this thread came from.
    pub fn put_blocking(&self, bytes: &[u8]) -> Result<String, FileError> {
        match &self.backend {
            Backend::Local(root) => local::put(root, bytes, true),
            Backend::Object(_) => blocking(self.put(bytes)),
        }
    }

    /// [`Self::put_thumbnail`] for code on a blocking thread.
    pub fn put_thumbnail_blocking(&self, image_hash: &str, bytes: &[u8]) -> Result<(), FileError> {
        match &self.backend {
            Backend::Local(root) if valid_hash(image_hash) => {
                local::put_thumbnail(&root.join(thumbnail_key(image_hash)), bytes)
            }
            Backend::Local(_) => Err(FileError::NotFound),
            Backend::Object(_) => blocking(self.put_thumbnail(image_hash, bytes)),
        }
    }
}

/// The hash a content key names (`ab/cdef…`), or `None` for any other key.
fn hash_of_key(key: &str) -> Option<String> {
    let (dir, rest) = key.split_once('/')?;
    let hash = format!("{dir}{rest}");
    (dir.len() == 2 && valid_hash(&hash)).then_some(hash)
}

/// Runs an object-storage call from a blocking thread (one made by `spawn_blocking`, which
/// carries its runtime's handle).
fn blocking<T>(f: impl std::future::Future<Output = Result<T, FileError>>) -> Result<T, FileError> {
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|_| FileError::Remote("object storage used outside the runtime".into()))?;
    handle.block_on(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> FileStore {
        let dir =
            std::env::temp_dir().join(format!("yg-files-{}-{:?}", std::process::id(), std::thread::current().id()));
        FileStore::new(dir)
    }

    #[tokio::test]
    async fn content_round_trips_once_by_hash() {
        let files = store();
        let a = files.put(b"hello").await.unwrap();
        assert_eq!(files.put(b"hello").await.unwrap(), a);
        assert_eq!(files.get(&a).await.unwrap(), b"hello");
        assert_eq!(files.size(&a).await.unwrap(), 5);
        assert!(files.keys().await.unwrap().contains(&content_key(&a)));
    }

    #[tokio::test]
    async fn crafted_hashes_name_no_path() {
        let files = store();
        for bad in ["../../etc/passwd", "", &"A".repeat(64), &"g".repeat(64)] {
            assert!(files.path_of(bad).is_none(), "{bad}");
            assert!(matches!(files.get(bad).await, Err(FileError::NotFound)));
            assert!(matches!(files.get_thumbnail(bad).await, Err(FileError::NotFound)));
        }
        assert!(files.copy_in("../x", Path::new("/etc/hostname")).await.is_err());
    }

    #[tokio::test]
    async fn altered_file_is_detected() {
        let files = store();
        let hash = files.put(b"original").await.unwrap();
        std::fs::write(files.path_of(&hash).unwrap(), b"altered").unwrap();
        assert!(matches!(files.get(&hash).await, Err(FileError::Corrupt(_))));
        let out = std::env::temp_dir().join(format!("yg-files-out-{}", std::process::id()));
        assert!(matches!(files.copy_out(&content_key(&hash), &out).await, Err(FileError::Corrupt(_))));
        assert!(!out.exists(), "a corrupt copy is not left behind");
    }

    #[test]
    fn content_keys_name_their_hash_only() {
        let h = sha256_hex(b"x");
        assert_eq!(hash_of_key(&content_key(&h)), Some(h.clone()));
        assert_eq!(hash_of_key(&thumbnail_key(&h)), None);
        assert_eq!(hash_of_key("ab/../../etc"), None);
    }
}
