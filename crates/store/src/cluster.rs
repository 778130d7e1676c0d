//! What several app servers over one database share beyond the content itself: a feed of
//! changes to what pages show (so every server's page cache follows a publish made on
//! another), leases that let exactly one server run the background jobs, and a
//! compare-and-set on platform state for counters that must hold across servers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// One recorded change to what pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageChange {
    /// Grows with each change; a reader keeps the last one it applied.
    pub id: i64,
    /// The process that made the change (it has already applied it itself).
    pub origin: String,
    /// What changed, in the app's words (`village:CODE`, `regions`, `log`, `everywhere`).
    pub scope: String,
}

/// Who holds a lease, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub holder: String,
    pub expires_at: DateTime<Utc>,
}

/// Wakes a reader of the change feed when another process may have recorded changes.
#[async_trait]
pub trait ChangeListener: Send {
    /// Returns when a change was announced, or when the connection had to be made again (some
    /// announcements may have been missed): the caller then reads the feed from where it was.
    async fn wait(&mut self) -> StoreResult<()>;
}

#[async_trait]
pub trait ClusterStore: Send + Sync {
    /// Records changes (one row a scope) and wakes listeners when committed; the last id.
    /// Ids are handed out in commit order, so a reader that saw id `n` never later finds a
    /// smaller one appearing.
    async fn record_changes(&self, origin: &str, scopes: &[String], now: DateTime<Utc>) -> StoreResult<i64>;
    /// Changes with ids after `after`, oldest first, at most `limit`.
    async fn changes_since(&self, after: i64, limit: u32) -> StoreResult<Vec<PageChange>>;
    /// The id of the latest change (0 when none was recorded).
    async fn latest_change(&self) -> StoreResult<i64>;
    /// Forgets changes recorded before `before`; how many.
    async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// A listener woken by changes other processes record: `None` where the database cannot
    /// notify (SQLite: readers poll the feed, and one server is all there is).
    async fn listen_changes(&self) -> StoreResult<Option<Box<dyn ChangeListener>>>;

    /// Takes or renews the lease `name` for `holder` until `until`: whether `holder` has it
    /// now (it was free, had lapsed before `now`, or was already `holder`'s).
    async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives the lease up if `holder` has it, so another server may take it at once.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<bool>;
    /// The lease's holder and expiry, lapsed or not.
    async fn lease(&self, name: &str) -> StoreResult<Option<Lease>>;

    /// Sets platform state `name` to `value` only if it still holds `expected` (`None`: only if
    /// unset); whether it did. Read, compute, `replace_state`, and read again when it failed:
    /// counters kept this way are exact whichever app server counts.
    async fn replace_state(
        &self,
        name: &str,
        expected: Option<&str>,
        value: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}
