//! The receipt tray: scans uploaded in the console for a month's books that wait to be
//! assigned to a voucher, and the moves between the tray and the vouchers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::RegionCode;

use crate::{Receipt, StoreResult};

/// A scan in a month's tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayScan {
    pub id: i64,
    pub year: i32,
    pub month: u32,
    pub sha256: String,
    pub media_type: String,
    pub file_name: String,
    pub byte_size: i64,
    pub added_at: DateTime<Utc>,
}

/// A scan to put in a month's tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTrayScan {
    pub year: i32,
    pub month: u32,
    pub sha256: String,
    pub media_type: String,
    pub file_name: String,
    pub byte_size: i64,
}

#[async_trait]
pub trait ReceiptTrayStore: Send + Sync {
    /// Puts scans in their month's tray; a scan already in that tray is not added twice.
    /// Returns how many were added.
    async fn add_to_tray(&self, village: RegionCode, scans: &[NewTrayScan], now: DateTime<Utc>) -> StoreResult<u64>;
    /// A month's tray, oldest first.
    async fn tray(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<TrayScan>>;
    /// Moves a scan from the tray onto a voucher of its month, in one transaction; the receipt
    /// attached. `NotFound` when the scan is not in the village's tray; `Invalid` when the
    /// month has no such voucher. A scan already on that voucher just leaves the tray.
    async fn assign_from_tray(&self, village: RegionCode, id: i64, voucher_no: &str) -> StoreResult<Receipt>;
    /// Takes a scan out of the tray (it stays in the file store); what was taken.
    async fn remove_from_tray(&self, village: RegionCode, id: i64) -> StoreResult<TrayScan>;
    /// Takes a scan off its voucher and puts it back in its month's tray, in one transaction;
    /// `NotFound` when the voucher has no such scan.
    async fn detach_receipt(
        &self,
        village: RegionCode,
        receipt: (i32, u32, &str),
        sha256: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<TrayScan>;
}
