//! The public JSON API's reads that must page by key, not by offset: a village's public
//! disclosures in the order they were created, from just after a cursor, so that pages stay
//! stable while new versions are published.

use async_trait::async_trait;
use yangguang_core::{DisclosureId, DisclosureState, DisclosureSummary, Period, RegionCode};

use crate::StoreResult;

/// A page of a village's public versions (published, superseded by a correction, withdrawn;
/// never drafts, and never a withdrawal request itself), in ascending id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicDisclosureQuery {
    pub village: RegionCode,
    /// Empty means every column.
    pub columns: Vec<String>,
    pub period: Option<Period>,
    /// Among the three public states; empty means all three.
    pub states: Vec<DisclosureState>,
    /// Versions with an id above this one (the cursor); `None` from the first.
    pub after: Option<DisclosureId>,
    pub limit: u32,
}

#[async_trait]
pub trait PublicApiStore: Send + Sync {
    async fn public_disclosures(&self, query: &PublicDisclosureQuery) -> StoreResult<Vec<DisclosureSummary>>;
}
