//! Settings for running several app servers over one database: the page cache's byte budget
//! (`[cache]`) and the background jobs' lease (`[jobs]`).

use anyhow::bail;
use serde::{Deserialize, Serialize};

/// The public page cache: at most this many megabytes of rendered pages per server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheSettings {
    pub max_megabytes: String,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self { max_megabytes: (yangguang_web::CACHE_BUDGET / 1024 / 1024).to_string() }
    }
}

impl CacheSettings {
    /// The budget in bytes, checked (1 MB to 64 GB).
    pub fn budget(&self) -> anyhow::Result<u64> {
        match self.max_megabytes.trim().parse::<u64>() {
            Ok(n) if (1..=65_536).contains(&n) => Ok(n * 1024 * 1024),
            _ => bail!("cache.max_megabytes must be a whole number from 1 to 65536, not {:?}", self.max_megabytes),
        }
    }
}

/// The background jobs run on one server at a time, the holder of a lease in the database
/// that lasts `lease_seconds` unless renewed; another server takes over when it lapses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    pub lease_seconds: String,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self { lease_seconds: yangguang_app::jobs::JobLease::default().length.as_secs().to_string() }
    }
}

impl JobSettings {
    /// The lease's length, checked (3 s to an hour; renewed every third of it).
    pub fn lease(&self) -> anyhow::Result<std::time::Duration> {
        match self.lease_seconds.trim().parse::<u64>() {
            Ok(n) if (3..=3600).contains(&n) => Ok(std::time::Duration::from_secs(n)),
            _ => bail!("jobs.lease_seconds must be a whole number from 3 to 3600, not {:?}", self.lease_seconds),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_and_leases_are_checked() {
        assert_eq!(CacheSettings::default().budget().unwrap(), 64 * 1024 * 1024);
        assert!(CacheSettings { max_megabytes: "0".into() }.budget().is_err());
        assert!(CacheSettings { max_megabytes: "lots".into() }.budget().is_err());
        assert_eq!(JobSettings::default().lease().unwrap().as_secs(), 30);
        assert_eq!(JobSettings { lease_seconds: " 3 ".into() }.lease().unwrap().as_secs(), 3);
        let e = JobSettings { lease_seconds: "1".into() }.lease().unwrap_err().to_string();
        assert!(e.contains("jobs.lease_seconds"), "{e}");
    }
}
