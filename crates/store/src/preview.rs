//! Import previews kept until their clerk confirms them, the stored vouchers a preview
//! compares a file with, and receipt scans flagged for re-checking after their voucher changed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::RegionCode;
use yangguang_core::ledger::LedgerEntry;

use crate::{Receipt, StoreResult};

/// An uploaded file waiting for confirmation, with everything needed to apply it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreview {
    /// Hex SHA-256 over the kind, village, clerk, settings and file hash.
    pub id: String,
    /// What is imported ("ledger", "lease", "asset", "household", "credit").
    pub kind: String,
    pub village: RegionCode,
    pub staff_id: i64,
    /// Hex SHA-256 of `files`.
    pub file_sha256: String,
    /// The parse settings (JSON, the caller's own shape).
    pub settings: String,
    /// The hash of the state the preview was computed against.
    pub basis: String,
    /// The uploaded bytes (several files framed as the settings say).
    pub files: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A voucher as stored, with its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVoucher {
    pub year: i32,
    pub month: u32,
    /// Normalised (`记-1`).
    pub number: String,
    pub content_hash: String,
    pub locked: bool,
    /// Receipt scans attached to it.
    pub receipts: u64,
    pub lines: Vec<LedgerEntry>,
}

#[async_trait]
pub trait PreviewStore: Send + Sync {
    /// Keeps a preview (a preview with the same id is replaced: the same file previewed again).
    async fn save_preview(&self, preview: &ImportPreview) -> StoreResult<()>;
    /// Removes and returns the preview if it is the clerk's, for that village, and unexpired
    /// at `now`: one confirm only, however often it is sent.
    async fn take_preview(
        &self,
        id: &str,
        staff_id: i64,
        village: RegionCode,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ImportPreview>>;
    /// Forgets previews expired before `now`; how many.
    async fn prune_previews(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// The stored vouchers among `keys` (year, month, normalised number), with their lines in order.
    async fn stored_vouchers(
        &self,
        village: RegionCode,
        keys: &[(i32, u32, String)],
    ) -> StoreResult<Vec<StoredVoucher>>;
    /// The village's receipt scans flagged for re-checking, by month and voucher.
    async fn flagged_receipts(&self, village: RegionCode) -> StoreResult<Vec<Receipt>>;
    /// Clears a scan's flag (a clerk confirmed it still belongs to its voucher); whether it was flagged.
    async fn confirm_receipt(
        &self,
        village: RegionCode,
        year: i32,
        month: u32,
        voucher_no: &str,
        sha256: &str,
    ) -> StoreResult<bool>;
}
