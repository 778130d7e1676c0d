//! The S3-compatible backend, through the `object_store` crate (Apache Arrow's): one client for
//! AWS S3, MinIO, Ceph RGW, Alibaba OSS, Tencent COS and the like, with retries, streaming
//! reads and request signing already written and tested by others.

use std::path::Path;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{ClientOptions, ObjectStore, PutPayload, RetryConfig};

use super::local::CheckedSink;
use super::{FileError, content_key, sha256_hex};

/// Where the bucket is and how to sign requests. The secret is never printed: `Debug` shows
/// only whether it is set.
#[derive(Clone, Default)]
pub struct S3Config {
    pub bucket: String,
    /// `https://…` or `http://…`; empty for AWS itself (from the region).
    pub endpoint: String,
    pub region: String,
    /// Keys are put under this prefix (`county-339921/`), empty for the bucket's root.
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `bucket.endpoint/key` instead of `endpoint/bucket/key` (AWS and most clouds accept
    /// both; MinIO and small servers often only the path style, the default here).
    pub virtual_hosted: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("access_key_id", &if self.access_key_id.is_empty() { "" } else { "(set)" })
            .field("secret_access_key", &if self.secret_access_key.is_empty() { "" } else { "(set)" })
            .field("virtual_hosted", &self.virtual_hosted)
            .finish()
    }
}

pub(super) struct Objects {
    store: AmazonS3,
    prefix: String,
    describe: String,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

fn remote(e: object_store::Error) -> FileError {
    match e {
        object_store::Error::NotFound { .. } => FileError::NotFound,
        other => FileError::Remote(other.to_string()),
    }
}

impl Objects {
    pub(super) fn new(c: &S3Config) -> Result<Self, FileError> {
        if c.bucket.trim().is_empty() {
            return Err(FileError::Remote("未设置存储桶 [files] bucket / no bucket configured".into()));
        }
        let region = if c.region.trim().is_empty() { "us-east-1" } else { c.region.trim() };
        // A clerk waits on uploads: a dead server must fail in seconds, not after the
        // library's default of ten retries over three minutes.
        let retry = RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(20), ..Default::default() };
        let options = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(5))
            .with_timeout(Duration::from_secs(120))
            .with_allow_http(c.endpoint.starts_with("http://"));
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(c.bucket.trim())
            .with_region(region)
            .with_retry(retry)
            .with_client_options(options)
            .with_virtual_hosted_style_request(c.virtual_hosted);
        if !c.endpoint.trim().is_empty() {
            builder = builder.with_endpoint(c.endpoint.trim());
        }
        if !c.access_key_id.is_empty() {
            builder = builder.with_access_key_id(&c.access_key_id).with_secret_access_key(&c.secret_access_key);
        }
        let store = builder.build().map_err(|e| FileError::Remote(e.to_string()))?;
        let prefix = c.prefix.trim().trim_matches('/').to_owned();
        let endpoint = if c.endpoint.trim().is_empty() { format!("AWS {region}") } else { c.endpoint.trim().into() };
        let describe = format!("s3://{}/{prefix} ({endpoint})", c.bucket.trim());
        Ok(Self { store, prefix, describe })
    }

    pub(super) fn describe(&self) -> String {
        self.describe.clone()
    }

    fn key(&self, relative: &str) -> Key {
        if self.prefix.is_empty() { Key::from(relative) } else { Key::from(format!("{}/{relative}", self.prefix)) }
    }

    pub(super) async fn check(&self) -> Result<(), FileError> {
        let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
        self.store
            .list_with_delimiter(prefix.as_ref())
            .await
            .map(|_| ())
            .map_err(|e| FileError::Remote(format!("无法访问存储桶 {} / bucket unreachable: {e}", self.describe)))
    }

    /// Content addressing makes a present key final: HEAD first, upload only what is missing.
    pub(super) async fn put(&self, bytes: &[u8]) -> Result<String, FileError> {
        let hash = sha256_hex(bytes);
        self.put_new(&content_key(&hash), bytes).await?;
        Ok(hash)
    }

    pub(super) async fn put_new(&self, relative: &str, bytes: &[u8]) -> Result<bool, FileError> {
        let key = self.key(relative);
        match self.store.head(&key).await {
            Ok(_) => return Ok(false),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(remote(e)),
        }
        self.store.put(&key, PutPayload::from(bytes.to_vec())).await.map_err(remote)?;
        Ok(true)
    }

    pub(super) async fn get(&self, relative: &str) -> Result<Vec<u8>, FileError> {
        let got = self.store.get(&self.key(relative)).await.map_err(remote)?;
        Ok(got.bytes().await.map_err(remote)?.to_vec())
    }

    pub(super) async fn size(&self, relative: &str) -> Result<u64, FileError> {
        Ok(self.store.head(&self.key(relative)).await.map_err(remote)?.size)
    }

    pub(super) async fn keys(&self) -> Result<Vec<String>, FileError> {
        let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
        let strip = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
        let mut listing = self.store.list(prefix.as_ref());
        let mut out = vec![];
        while let Some(meta) = listing.next().await {
            let location = meta.map_err(remote)?.location.to_string();
            if let Some(relative) = location.strip_prefix(&strip) {
                out.push(relative.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// Streams an object into a local file, chunk by chunk: large files are never held whole.
    pub(super) async fn copy_out(&self, relative: &str, to: &Path, expect: Option<&str>) -> Result<u64, FileError> {
        let got = self.store.get(&self.key(relative)).await.map_err(remote)?;
        let mut stream = got.into_stream();
        let mut sink = CheckedSink::create(to)?;
        while let Some(chunk) = stream.next().await {
            sink.write(&chunk.map_err(remote)?)?;
        }
        sink.finish(expect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_never_printed() {
        let c = S3Config {
            bucket: "b".into(),
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI".into(),
            ..Default::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("wJalrXUtnFEMI") && !shown.contains("AKIDEXAMPLE"), "{shown}");
        let store = super::super::FileStore::s3(&c).unwrap();
        assert!(!format!("{store:?} {}", store.describe()).contains("wJalrXUtnFEMI"));
    }

    #[test]
    fn a_bucket_is_required() {
        assert!(super::super::FileStore::s3(&S3Config::default()).is_err());
    }
}
