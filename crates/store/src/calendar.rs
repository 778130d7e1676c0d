//! What the disclosure calendar reads, in bulk for many villages at once: the versions that
//! count (published, or waiting for review) and how many vouchers each month of the books holds.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::{DisclosureId, DisclosureState, Period, RegionCode};

use crate::StoreResult;

/// A version of a catalog item for a period that the calendar counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarVersion {
    pub village: RegionCode,
    pub item: String,
    pub period: Period,
    pub id: DisclosureId,
    /// `Published` or `Superseded` (out), `Submitted` or `Scheduled` (waiting).
    pub state: DisclosureState,
    pub published_at: Option<DateTime<Utc>>,
}

/// The vouchers of one month of a village's books.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoucherMonth {
    pub village: RegionCode,
    pub year: i32,
    pub month: u32,
    pub vouchers: u32,
}

#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The villages' versions with a catalog item and a period that are published (or were,
    /// before a correction superseded them; withdrawals and withdrawn versions excluded) or
    /// wait for review (submitted or scheduled). A bounded number of queries whatever the count.
    async fn calendar_versions(&self, villages: &[RegionCode]) -> StoreResult<Vec<CalendarVersion>>;
    /// The number of vouchers in each month of the villages' books (months with none absent).
    async fn voucher_months(&self, villages: &[RegionCode]) -> StoreResult<Vec<VoucherMonth>>;
}
