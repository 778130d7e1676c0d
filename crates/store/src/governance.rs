//! Governance records (issue 14, part 2): the party branch, its organisational life and dues,
//! the micro-power list, the seal and certificate log, and the versions of the charter and
//! village rules. They are what the console's forms keep; what villagers read is the
//! disclosure generated from them and published through review.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use yangguang_core::governance::party::{Branch, Dues, Meeting};
use yangguang_core::governance::powers::{Power, SealEntry};
use yangguang_core::governance::rules::{RuleDoc, RuleVersion};
use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState, Period, RegionCode};

use crate::StoreResult;

/// A stored record with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<T> {
    pub id: i64,
    pub value: T,
}

/// A stored version of the charter or the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRuleVersion {
    pub id: i64,
    /// 1 for the first version of its document in the village, one more for each amendment.
    pub version_no: i32,
    pub version: RuleVersion,
    /// The disclosure it was drafted into, once there is one.
    pub disclosure: Option<DisclosureId>,
    pub created_at: DateTime<Utc>,
}

/// One version of a catalog item in a village, for finding an open draft or a published one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemVersion {
    pub id: DisclosureId,
    pub state: DisclosureState,
    pub kind: DisclosureKind,
}

#[async_trait]
pub trait GovernanceStore: Send + Sync {
    async fn party_branch(&self, village: RegionCode) -> StoreResult<Option<Branch>>;
    /// Inserts or replaces the village's branch record.
    async fn save_party_branch(&self, village: RegionCode, branch: &Branch, now: DateTime<Utc>) -> StoreResult<()>;
    async fn add_party_meeting(&self, village: RegionCode, meeting: &Meeting, now: DateTime<Utc>) -> StoreResult<i64>;
    /// Meetings held from `from` to `to` (inclusive), by date then id.
    async fn party_meetings(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<Stored<Meeting>>>;
    /// Removes a meeting of the village; `NotFound` when the village has no such meeting.
    async fn delete_party_meeting(&self, village: RegionCode, id: i64) -> StoreResult<()>;
    /// Inserts or replaces the dues of the half-year `dues.half`.
    async fn save_party_dues(&self, village: RegionCode, dues: &Dues, now: DateTime<Utc>) -> StoreResult<()>;
    /// Every half-year's dues, newest first.
    async fn party_dues(&self, village: RegionCode) -> StoreResult<Vec<Dues>>;
    /// Adds a power (`id` none) or replaces one of the village's; its id. `NotFound` when the
    /// village has no power `id`.
    async fn save_power(
        &self,
        village: RegionCode,
        id: Option<i64>,
        power: &Power,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn delete_power(&self, village: RegionCode, id: i64) -> StoreResult<()>;
    /// The list, in the order the powers were added.
    async fn village_powers(&self, village: RegionCode) -> StoreResult<Vec<Stored<Power>>>;
    async fn add_seal_entry(&self, village: RegionCode, entry: &SealEntry, now: DateTime<Utc>) -> StoreResult<i64>;
    /// Entries dated from `from` to `to` (inclusive), by date then id.
    async fn seal_entries(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<Stored<SealEntry>>>;
    /// Stores a version as the next of its document in the village.
    async fn add_rule_version(
        &self,
        village: RegionCode,
        version: &RuleVersion,
        now: DateTime<Utc>,
    ) -> StoreResult<StoredRuleVersion>;
    /// Records the disclosure a version was drafted into.
    async fn set_rule_disclosure(&self, version_id: i64, disclosure: DisclosureId) -> StoreResult<()>;
    /// Every version of the village's documents, by document then version number.
    async fn rule_versions(&self, village: RegionCode) -> StoreResult<Vec<StoredRuleVersion>>;
    /// Every version of one document, oldest first.
    async fn rule_versions_of(&self, village: RegionCode, doc: RuleDoc) -> StoreResult<Vec<StoredRuleVersion>> {
        Ok(self.rule_versions(village).await?.into_iter().filter(|v| v.version.doc == doc).collect())
    }
    /// The disclosures (every state, corrections included) of a catalog item in a village,
    /// for one period or for all periods (`None`), oldest first.
    async fn item_versions(
        &self,
        village: RegionCode,
        catalog_item: &str,
        period: Option<Period>,
    ) -> StoreResult<Vec<ItemVersion>>;
}
