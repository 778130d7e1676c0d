//! The search index's change feed: which villages changed, in a durable sequence every app
//! server reads, so that each server's own index (derived from the store) catches up with
//! changes made by any process — another server, the command line.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::RegionCode;

use crate::StoreResult;

/// One change: a village whose searchable content changed, or `None` for "rebuild everything"
/// (what `yangguang reindex` asks of running servers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchChange {
    pub seq: i64,
    pub village: Option<RegionCode>,
}

#[async_trait]
pub trait SearchFeedStore: Send + Sync {
    /// Appends one change per village (`None`: everything); their sequence numbers.
    async fn record_search_changes(&self, villages: &[Option<RegionCode>], at: DateTime<Utc>) -> StoreResult<Vec<i64>>;
    /// Changes with a sequence number above `after`, in order, at most `limit`.
    async fn search_changes_after(&self, after: i64, limit: u32) -> StoreResult<Vec<SearchChange>>;
    /// The highest sequence number of the change feed and of the publication log (0 when empty).
    async fn search_heads(&self) -> StoreResult<(i64, i64)>;
    /// Villages of the publication log's entries with a sequence number above `after`, with
    /// the last sequence number read, at most `limit` entries.
    async fn log_villages_after(&self, after: i64, limit: u32) -> StoreResult<(Vec<RegionCode>, i64)>;
    /// Forgets changes recorded before `before`; how many.
    async fn prune_search_changes(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
