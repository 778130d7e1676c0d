//! Daily visit counters (访问统计): how often each village's public pages were viewed, per
//! column, item and day, and by how many distinct visitors that day. Nothing about a visitor
//! is stored — no address, user agent or cookie — only these sums.

use async_trait::async_trait;
use chrono::NaiveDate;
use yangguang_core::RegionCode;

use crate::StoreResult;

/// Counts to add to one day's counter of one page group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitCount {
    pub day: NaiveDate,
    pub village: RegionCode,
    /// The column the page belongs to; empty for the village's home.
    pub column: String,
    /// The disclosure viewed; 0 when the page is not one item.
    pub item: i64,
    pub views: i64,
    /// Distinct visitors that day (each server counts its own; see `app::visits`).
    pub visitors: i64,
}

/// What to sum the counters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitGroup {
    /// One total.
    All,
    Day,
    Village,
    Column,
}

/// Which counters to sum: villages under any of the region prefixes (as in
/// `PublishedQuery::region_prefixes`), days `from..=to`, optionally one column or one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitQuery {
    pub region_prefixes: Vec<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only these columns (empty: all).
    pub columns: Vec<String>,
    pub item: Option<i64>,
    pub group: VisitGroup,
}

/// A sum of counters; only the key of the query's group is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitTotal {
    pub day: Option<NaiveDate>,
    pub village: Option<RegionCode>,
    pub column: Option<String>,
    pub views: i64,
    pub visitors: i64,
}

#[async_trait]
pub trait VisitStore: Send + Sync {
    /// Adds counts to the daily counters, creating a day's counter at its first count; all in
    /// one transaction (a failed batch adds nothing).
    async fn add_visits(&self, counts: &[VisitCount]) -> StoreResult<()>;
    /// Sums of counters, ordered by the group's key; no rows when nothing matches (`All`
    /// gives one row, of zeros when nothing matches).
    async fn visit_totals(&self, query: &VisitQuery) -> StoreResult<Vec<VisitTotal>>;
}
