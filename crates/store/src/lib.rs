//! The storage contract: small traits that every backend implements, the query and page
//! types they share, and `StoreError`. Backends map "no row" to `NotFound` and unique
//! violations to `Conflict`; everything else is `Backend`, whose text is for logs, not people.

use async_trait::async_trait;
use yangguang_core::{
    Disclosure, DisclosureId, DisclosureSummary, NewDisclosure, Period, Region, RegionCode,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid data: {0}")]
    Invalid(String),
    #[error("database unreachable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One page of a list, with the total so pagers can say "page 2 of 7".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.per_page.max(1)))).max(1) as u32
    }
}

/// Published disclosures of one village, newest first, optionally limited to columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureQuery {
    pub village: RegionCode,
    /// Empty means every column.
    pub columns: Vec<String>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl DisclosureQuery {
    /// The offset of the first row, with the page clamped to at least 1.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.max(1) - 1) * u64::from(self.per_page)
    }
}

#[async_trait]
pub trait RegionStore: Send + Sync {
    /// Inserts regions or updates their name, parent and kind.
    async fn upsert_regions(&self, regions: &[Region]) -> StoreResult<()>;
    /// Every region, ordered by code.
    async fn list_regions(&self) -> StoreResult<Vec<Region>>;
    async fn get_region(&self, code: RegionCode) -> StoreResult<Region>;
}

#[async_trait]
pub trait DisclosureStore: Send + Sync {
    /// Stores disclosures with their attachments in one transaction: all or none.
    async fn insert_disclosures(&self, new: &[NewDisclosure]) -> StoreResult<Vec<DisclosureId>>;
    async fn get_disclosure(&self, id: DisclosureId) -> StoreResult<Disclosure>;
    /// Published disclosures, newest first.
    async fn list_disclosures(
        &self,
        query: &DisclosureQuery,
    ) -> StoreResult<Page<DisclosureSummary>>;
    /// The (catalog item, period) pairs a village has published, for deadline tracking.
    async fn published_periods(&self, village: RegionCode) -> StoreResult<Vec<(String, Period)>>;
    async fn count_disclosures(&self) -> StoreResult<u64>;
}

/// A whole backend.
#[async_trait]
pub trait Store: RegionStore + DisclosureStore {
    /// Applies pending migrations; safe to run at every start.
    async fn migrate(&self) -> StoreResult<()>;
    /// A cheap round trip, for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;
    /// The backend's name for logs: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// Migrations as (version, SQL) pairs; each backend keeps its own list in its dialect.
pub type Migration = (i64, &'static str);

/// Conversions from database text to domain values, shared by the backends so that a
/// corrupt row reads as `Invalid` the same way everywhere.
pub mod decode {
    use super::StoreError;
    use yangguang_core::{Period, Region, RegionCode, RegionKind};

    pub fn code(s: &str) -> Result<RegionCode, StoreError> {
        RegionCode::parse(s).map_err(|e| StoreError::Invalid(e.to_string()))
    }

    pub fn period(s: Option<&str>) -> Result<Option<Period>, StoreError> {
        s.map(str::parse::<Period>)
            .transpose()
            .map_err(|e| StoreError::Invalid(e.to_string()))
    }

    pub fn region(
        code_text: &str,
        name: String,
        parent: Option<&str>,
        kind: &str,
    ) -> Result<Region, StoreError> {
        Ok(Region {
            code: code(code_text)?,
            name,
            parent: parent.map(code).transpose()?,
            kind: RegionKind::parse(kind)
                .ok_or_else(|| StoreError::Invalid(format!("region kind {kind}")))?,
        })
    }

    pub fn state(s: &str) -> Result<yangguang_core::DisclosureState, StoreError> {
        yangguang_core::DisclosureState::parse(s)
            .ok_or_else(|| StoreError::Invalid(format!("disclosure state {s}")))
    }
}
