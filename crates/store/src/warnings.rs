//! Warnings (预警) as stored: each finding of `core::warning` keyed by (village, rule,
//! subject), with the state a supervisor gave it and a trail of every change; the thresholds'
//! overrides per county and town; and the bulk reads the rules need that no other store has.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::warning::{Evidence, Finding, Override, Rule, Severity};
use yangguang_core::{DisclosureId, RegionCode};

use crate::{Page, StoreResult};

/// Where a warning stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningState {
    /// Found and not yet looked at.
    Open,
    /// A supervisor looked at it and noted what they found; it stays listed while it holds.
    Reviewed,
    /// A supervisor judged it no problem, with a reason.
    Dismissed,
    /// The finding no longer holds (kept, and reopened if it comes back).
    Resolved,
}

impl WarningState {
    pub const ALL: [WarningState; 4] =
        [WarningState::Open, WarningState::Reviewed, WarningState::Dismissed, WarningState::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningState::Open => "open",
            WarningState::Reviewed => "reviewed",
            WarningState::Dismissed => "dismissed",
            WarningState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A warning as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWarning {
    pub id: i64,
    pub finding: Finding,
    pub state: WarningState,
    /// The reviewer's note or the dismissal's reason.
    pub note: Option<String>,
    /// Who last changed the state (a supervisor, or `system`).
    pub state_by: String,
    pub state_at: DateTime<Utc>,
    pub first_seen: DateTime<Utc>,
}

/// One entry of a warning's trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningEvent {
    pub warning: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    /// `opened`, `updated` (figures or severity changed), `reviewed`, `dismissed`,
    /// `resolved`, `reopened`.
    pub action: String,
    pub note: Option<String>,
}

/// What a recompute changes, written in one transaction by [`WarningStore::apply_findings`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingChanges {
    /// New findings, opened.
    pub open: Vec<Finding>,
    /// Findings already stored whose severity, message or evidence changed (by id).
    pub update: Vec<(i64, Finding)>,
    /// Stored warnings whose finding came back after being resolved (by id, with its figures).
    pub reopen: Vec<(i64, Finding)>,
    /// Stored warnings whose finding no longer holds.
    pub resolve: Vec<i64>,
}

impl FindingChanges {
    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.update.is_empty() && self.reopen.is_empty() && self.resolve.is_empty()
    }
}

/// The console's filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WarningQuery {
    /// Code prefixes of the regions the reader may see; none lists nothing.
    pub region_prefixes: Vec<String>,
    pub village: Option<RegionCode>,
    pub rule: Option<Rule>,
    pub severity: Option<Severity>,
    /// Empty: every state.
    pub states: Vec<WarningState>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// A receipt scan on a voucher, for the duplicate-receipt rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptOnVoucher {
    pub village: RegionCode,
    pub year: i32,
    pub month: u32,
    pub voucher_no: String,
    pub sha256: String,
}

/// A published (or superseded) version, a correction or a withdrawal, with the roles that
/// approved it: what the publishing rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFacts {
    pub village: RegionCode,
    pub id: DisclosureId,
    pub title: String,
    pub catalog_item: Option<String>,
    pub replaces: Option<DisclosureId>,
    pub withdrawal: bool,
    pub reason: Option<String>,
    pub approved_roles: Vec<String>,
}

/// A threshold override as stored, with who set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOverride {
    pub value: Override,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

/// One change of a threshold override, as kept in its history (never overwritten).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdChange {
    pub value: Override,
    /// The value this change replaced for the same region, name and date, if any.
    pub previous: Option<i64>,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

#[async_trait]
pub trait WarningStore: Send + Sync {
    /// Every stored warning of the villages, in any state.
    async fn village_warnings(&self, villages: &[RegionCode]) -> StoreResult<Vec<StoredWarning>>;
    /// Writes a recompute's changes, each with its trail entry by `system`, all or nothing.
    async fn apply_findings(&self, changes: &FindingChanges, at: DateTime<Utc>) -> StoreResult<()>;
    /// Warnings matching the filter: red first, then the newest.
    async fn list_warnings(&self, query: &WarningQuery) -> StoreResult<Page<StoredWarning>>;
    async fn get_warning(&self, id: i64) -> StoreResult<StoredWarning>;
    /// The trail of a warning, oldest first.
    async fn warning_events(&self, id: i64) -> StoreResult<Vec<WarningEvent>>;
    /// A supervisor reviews (with a note) or dismisses (with a reason) an open or reviewed
    /// warning; `Conflict` when it is resolved (or already dismissed), `NotFound` when absent.
    async fn set_warning_state(
        &self,
        id: i64,
        state: WarningState,
        note: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<StoredWarning>;
    /// Open (and reviewed: still standing) warnings per village under the prefixes:
    /// (village, red, yellow).
    async fn standing_warning_counts(&self, region_prefixes: &[String]) -> StoreResult<Vec<(RegionCode, u64, u64)>>;
    /// The receipts whose scan is on more than one voucher (of any village); when `village` is
    /// given, only scans that village holds.
    async fn shared_receipts(&self, village: Option<RegionCode>) -> StoreResult<Vec<ReceiptOnVoucher>>;
    /// Scans per voucher of the villages: (village, year, month, voucher number, count).
    async fn voucher_scan_counts(
        &self,
        villages: &[RegionCode],
    ) -> StoreResult<Vec<(RegionCode, i32, u32, String, u32)>>;
    /// The villages' versions that are or were public, corrections and withdrawals included.
    async fn published_facts(&self, villages: &[RegionCode]) -> StoreResult<Vec<PublishedFacts>>;
    async fn threshold_overrides(&self) -> StoreResult<Vec<StoredOverride>>;
    /// Sets (or replaces) the value of one threshold for a region from a date, and keeps the
    /// change (with the value it replaced) in the history, in one transaction.
    async fn put_threshold_override(&self, value: &Override, by: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// The history of the regions' overrides, newest first.
    async fn threshold_changes(&self, regions: &[RegionCode]) -> StoreResult<Vec<ThresholdChange>>;
}

/// The evidence as stored (JSON).
pub fn evidence_json(evidence: &[Evidence]) -> String {
    serde_json::to_string(evidence).expect("evidence serialises")
}

/// Reads stored evidence; a malformed value reads as none rather than failing the list.
pub fn evidence_from_json(text: &str) -> Vec<Evidence> {
    serde_json::from_str(text).unwrap_or_default()
}
