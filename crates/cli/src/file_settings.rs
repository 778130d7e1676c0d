//! `[files]`: where attachments and receipt scans are stored — the data directory's `files/`
//! (the default) or an S3-compatible bucket shared by several app servers. Credentials are
//! never settings: they come from the environment only, so `print-config`, logs and config
//! files never hold them.

use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use yangguang_app::files::{FileStore, S3Config};

/// Environment variables with the bucket's credentials, in order of preference.
pub const ACCESS_KEY_VARS: [&str; 2] = ["YANGGUANG_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"];
pub const SECRET_KEY_VARS: [&str; 2] = ["YANGGUANG_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesSettings {
    /// `local` or `s3`.
    pub backend: String,
    pub bucket: String,
    /// `https://oss-cn-hangzhou.aliyuncs.com`, `http://minio.internal:9000`…; empty for AWS.
    pub endpoint: String,
    pub region: String,
    /// Keys under this prefix, so that several deployments can share a bucket.
    pub prefix: String,
    /// `true` for `bucket.endpoint` addressing; `false` (path style) suits most servers.
    pub virtual_hosted: String,
}

impl Default for FilesSettings {
    fn default() -> Self {
        Self {
            backend: "local".into(),
            bucket: String::new(),
            endpoint: String::new(),
            region: String::new(),
            prefix: String::new(),
            virtual_hosted: "false".into(),
        }
    }
}

fn first_env(names: &[&str], env: &dyn Fn(&str) -> Option<String>) -> String {
    names.iter().find_map(|n| env(n).filter(|v| !v.is_empty())).unwrap_or_default()
}

impl FilesSettings {
    /// Checks the settings without reaching the bucket.
    pub fn validate(&self) -> anyhow::Result<()> {
        match self.backend.trim() {
            "local" => Ok(()),
            "s3" => self.s3_config(&|_| None).map(|_| ()),
            other => bail!("files.backend must be \"local\" or \"s3\", not {other:?}"),
        }
    }

    /// The S3 connection, with credentials looked up through `env`.
    pub fn s3_config(&self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<S3Config> {
        if self.bucket.trim().is_empty() {
            bail!(
                "files.bucket 未设置：files.backend = \"s3\" 需要存储桶名 / files.bucket is required for the s3 backend"
            );
        }
        let endpoint = self.endpoint.trim();
        if !endpoint.is_empty() && !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
            bail!("files.endpoint must start with http:// or https://, not {endpoint:?}");
        }
        let virtual_hosted = match self.virtual_hosted.trim() {
            "true" => true,
            "false" | "" => false,
            other => bail!("files.virtual_hosted must be \"true\" or \"false\", not {other:?}"),
        };
        Ok(S3Config {
            bucket: self.bucket.trim().into(),
            endpoint: endpoint.into(),
            region: self.region.trim().into(),
            prefix: self.prefix.trim().into(),
            access_key_id: first_env(&ACCESS_KEY_VARS, env),
            secret_access_key: first_env(&SECRET_KEY_VARS, env),
            virtual_hosted,
        })
    }

    /// Applies `--files`: `local`, or `s3://bucket/prefix` (the endpoint, region and
    /// addressing still come from `[files]`; credentials from the environment).
    pub fn apply_url(&mut self, url: &str) -> anyhow::Result<()> {
        let url = url.trim();
        if url == "local" {
            self.backend = "local".into();
            return Ok(());
        }
        let Some(rest) = url.strip_prefix("s3://") else {
            bail!(
                "--files 应为 local 或 s3://存储桶/前缀 / --files must be `local` or `s3://bucket/prefix`, not {url:?}"
            );
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("--files {url:?} 缺少存储桶名 / names no bucket (s3://bucket/prefix)");
        }
        self.backend = "s3".into();
        self.bucket = bucket.into();
        self.prefix = prefix.trim_matches('/').into();
        Ok(())
    }

    /// The configured store; for S3 checked to answer (listing the bucket), so that a wrong
    /// bucket, endpoint or key stops the start with a message instead of failing uploads later.
    pub async fn open(&self, data_dir: &Path) -> anyhow::Result<FileStore> {
        let files = match self.backend.trim() {
            "s3" => {
                let config = self.s3_config(&|name| std::env::var(name).ok())?;
                FileStore::s3(&config).context("[files]")?
            }
            _ => FileStore::new(data_dir.join("files")),
        };
        files.check().await.with_context(|| {
            format!(
                "文件存储无法使用，请检查 [files] 设置、网络和 {} / {} 环境变量 / the file store {} does not answer",
                ACCESS_KEY_VARS[0],
                SECRET_KEY_VARS[0],
                files.describe()
            )
        })?;
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_and_its_settings_are_checked() {
        let mut s = FilesSettings::default();
        s.validate().unwrap();
        s.backend = "ftp".into();
        assert!(s.validate().unwrap_err().to_string().contains("files.backend"));
        s.backend = "s3".into();
        assert!(s.validate().unwrap_err().to_string().contains("files.bucket"));
        s.bucket = "receipts".into();
        s.endpoint = "minio:9000".into();
        assert!(s.validate().unwrap_err().to_string().contains("files.endpoint"));
        s.endpoint = "http://127.0.0.1:9000".into();
        s.validate().unwrap();
    }

    #[test]
    fn the_files_flag_names_the_bucket_and_prefix() {
        let mut s = FilesSettings { endpoint: "http://127.0.0.1:9000".into(), ..Default::default() };
        s.apply_url("s3://receipts/county-339921/").unwrap();
        assert_eq!((s.backend.as_str(), s.bucket.as_str(), s.prefix.as_str()), ("s3", "receipts", "county-339921"));
        assert_eq!(s.endpoint, "http://127.0.0.1:9000", "the endpoint stays the settings'");
        s.apply_url("s3://only-bucket").unwrap();
        assert_eq!((s.bucket.as_str(), s.prefix.as_str()), ("only-bucket", ""));
        s.apply_url("local").unwrap();
        assert_eq!(s.backend, "local");
        for bad in ["s3:///prefix", "ftp://x", "/tmp/files"] {
            assert!(s.apply_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn credentials_come_from_the_environment_only() {
        let s = FilesSettings { backend: "s3".into(), bucket: "b".into(), ..Default::default() };
        let env = |name: &str| match name {
            "AWS_ACCESS_KEY_ID" => Some("fallback".to_owned()),
            "YANGGUANG_S3_ACCESS_KEY_ID" => Some("preferred".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("secret".to_owned()),
            _ => None,
        };
        let c = s.s3_config(&env).unwrap();
        assert_eq!((c.access_key_id.as_str(), c.secret_access_key.as_str()), ("preferred", "secret"));
    }
}
