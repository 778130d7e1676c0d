//! Problem reports (随手拍): the reports, each status change with its note, and the counters
//! that throttle anonymous reporting and receipt-code guessing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::RegionCode;
use yangguang_core::report::{Category, Place, Status};

use crate::{Page, StoreResult};

/// A photo of a report, in the file store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPhoto {
    pub sha256: String,
    pub media_type: String,
    pub byte_size: i64,
}

/// A report as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub village: RegionCode,
    pub category: Category,
    pub description: String,
    pub place: Place,
    pub photos: Vec<ReportPhoto>,
    /// SHA-256 of the receipt code the reporter keeps; the code itself is never stored.
    pub receipt_hash: String,
    /// The logged-in villager's household, if the report was not anonymous; never shown publicly.
    pub household: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub village: RegionCode,
    pub category: Category,
    pub description: String,
    pub place: Place,
    pub photos: Vec<ReportPhoto>,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// Why it was closed, or how it was resolved (the last note of a finished report).
    pub outcome: Option<String>,
    /// Set when staff hid it as abusive: the reason, shown as "已隐藏" instead of the content.
    pub hidden_reason: Option<String>,
    pub household: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Report {
    /// Shown on public pages and in Open311: resolved and not hidden.
    pub fn is_public(&self) -> bool {
        self.status == Status::Resolved && self.hidden_reason.is_none()
    }
}

/// One step in a report's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEvent {
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub staff_name: String,
    /// `received`, a status code, or `hidden`.
    pub action: String,
    pub note: String,
}

/// A status change, applied only if the report is still in `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from: Status,
    pub to: Status,
    /// Set on assigning: (staff id, name).
    pub assignee: Option<(i64, String)>,
    pub note: String,
    pub staff_id: i64,
    pub staff_name: String,
    pub at: DateTime<Utc>,
}

/// Reports in some regions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportQuery {
    /// Code prefixes of the regions to list; `[""]` for all, none for nothing.
    pub region_prefixes: Vec<String>,
    /// Empty means every status.
    pub statuses: Vec<Status>,
    pub category: Option<Category>,
    /// Only those shown publicly (resolved, not hidden).
    pub public_only: bool,
    /// Sent at or after / before.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Stores a report as received, with its first history line; its id. `Conflict` when the
    /// receipt hash exists.
    async fn create_report(&self, new: &NewReport, at: DateTime<Utc>) -> StoreResult<i64>;
    async fn get_report(&self, id: i64) -> StoreResult<Report>;
    async fn report_by_receipt(&self, receipt_hash: &str) -> StoreResult<Option<Report>>;
    async fn list_reports(&self, query: &ReportQuery) -> StoreResult<Page<Report>>;
    /// Moves a report from `change.from` to `change.to` and records the step, in one
    /// transaction; `Conflict` when it is no longer in `from`.
    async fn change_report_status(&self, id: i64, change: &StatusChange) -> StoreResult<()>;
    /// Hides a report's content (it is never deleted) and records why; `Conflict` if hidden already.
    async fn hide_report(&self, id: i64, reason: &str, staff: (i64, &str), at: DateTime<Utc>) -> StoreResult<()>;
    /// The report's history, oldest first.
    async fn report_events(&self, id: i64) -> StoreResult<Vec<ReportEvent>>;
    /// How many reports in these regions (code prefixes) are in `status`.
    async fn count_reports(&self, region_prefixes: &[String], status: Status) -> StoreResult<u64>;
    /// Claims one use of every bucket (a `(name, limit)` pair) at once, atomically across app
    /// servers: when each bucket has fewer than its limit of uses since `since`, records one use
    /// of each at `at` and returns `true`; otherwise records nothing and returns `false`.
    async fn claim_throttle(
        &self,
        buckets: &[(String, u64)],
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Forgets uses recorded before `before`; how many.
    async fn prune_throttle(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
