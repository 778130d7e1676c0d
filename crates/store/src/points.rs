//! The points system (积分制): each village's rules in versions, households' point events and
//! their corrections, redemptions, and each household's choice to be left out of the public
//! ranking. Events and redemptions are never edited or deleted (the databases refuse it too):
//! a mistake is corrected by a counter-event naming the event it corrects.
//!
//! Writes for one household are serialised (its row in `points_household` is touched first in
//! the transaction), so a cap or a balance checked inside the transaction stays true when the
//! row is written, on every app server.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_core::points::{Balance, OverCap, RuleItem, RuleVersion};

use crate::StoreResult;

/// A version of a village's rules, with who saved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRules {
    pub version: RuleVersion,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// An event's evidence (a photo or a file) in the file store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub sha256: String,
    pub media_type: String,
    pub file_name: String,
}

/// A point event as recorded. The rule's category, item name and points are copied onto it:
/// the event keeps the rule it was recorded under whatever later versions say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPointEvent {
    pub village: RegionCode,
    /// The household's key (`village/number`).
    pub household: String,
    /// The rules version it was recorded under (its effective date).
    pub rule_from: NaiveDate,
    pub category: String,
    pub item: String,
    /// The item's points in that version (its sign says merit or deduction).
    pub rule_points: i64,
    pub date: NaiveDate,
    pub points: i64,
    pub reason: String,
    pub evidence: Option<Evidence>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointEvent {
    pub id: i64,
    pub event: NewPointEvent,
    /// Set on a correction: the event it reverses.
    pub corrects: Option<i64>,
    /// Set on an event a correction reversed: that correction.
    pub corrected_by: Option<i64>,
}

/// A correction: the event it reverses, why, and who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointCorrection {
    pub corrects: i64,
    pub household: String,
    pub date: NaiveDate,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRedemption {
    pub village: RegionCode,
    pub household: String,
    pub date: NaiveDate,
    /// What was redeemed (a bag of rice at the 积分超市…).
    pub item: String,
    pub points: i64,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub id: i64,
    pub redemption: NewRedemption,
    /// The counter-entry that gave its points back, when it was recorded by mistake.
    pub corrected: Option<RedemptionCorrected>,
}

/// A redemption's counter-entry: its points went back to the household on `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionCorrected {
    pub id: i64,
    pub date: NaiveDate,
    pub points: i64,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A household's points over a window, and whether it shows in the public ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdPoints {
    pub household: String,
    pub balance: Balance,
    pub ranked: bool,
}

/// What a refused write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointsRefusal {
    /// The item's cap would be exceeded.
    OverCap(OverCap),
    /// The household's balance (given) is less than the redemption.
    Short(i64),
}

#[async_trait]
pub trait PointsStore: Send + Sync {
    /// A village's rule versions, oldest first.
    async fn point_rules(&self, village: RegionCode) -> StoreResult<Vec<StoredRules>>;
    /// Adds a version; `Conflict` unless it takes effect after every existing one.
    async fn add_point_rules(&self, village: RegionCode, rules: &StoredRules) -> StoreResult<()>;
    /// Records an event under `item` (its rule), refused when the item's cap for the event's
    /// year or month would be exceeded by the household's events of that item (corrections
    /// included); its id.
    async fn record_point_event(
        &self,
        event: &NewPointEvent,
        item: &RuleItem,
    ) -> StoreResult<Result<i64, PointsRefusal>>;
    /// Records the counter-event of `c.corrects` (the same item, the opposite points);
    /// `NotFound` when no such event is the household's, `Conflict` when it is a correction
    /// itself or was corrected already.
    async fn correct_point_event(&self, c: &PointCorrection) -> StoreResult<i64>;
    async fn get_point_event(&self, id: i64) -> StoreResult<PointEvent>;
    /// A household's events, the latest date first.
    async fn household_point_events(&self, household: &str) -> StoreResult<Vec<PointEvent>>;
    /// A village's events (or one household's), the latest recorded first, at most `limit`.
    async fn village_point_events(
        &self,
        village: RegionCode,
        household: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<PointEvent>>;
    /// Records a redemption, refused when the household's balance is less.
    async fn redeem_points(&self, r: &NewRedemption) -> StoreResult<Result<i64, PointsRefusal>>;
    /// Records the counter-entry of redemption `c.corrects` (its points go back; the redemption
    /// itself never changes); its id. `NotFound` when no such redemption is the household's,
    /// `Conflict` when it was corrected already.
    async fn correct_redemption(&self, c: &PointCorrection) -> StoreResult<i64>;
    async fn get_redemption(&self, id: i64) -> StoreResult<Redemption>;
    /// A household's redemptions (with their corrections), the latest first.
    async fn household_redemptions(&self, household: &str) -> StoreResult<Vec<Redemption>>;
    /// A village's redemptions dated within `from..=to`, the latest first.
    async fn village_redemptions(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<Redemption>>;
    /// Every household of the village with events or redemptions dated within `from..=to`
    /// (all time when `None`), by key.
    async fn point_balances(
        &self,
        village: RegionCode,
        window: Option<(NaiveDate, NaiveDate)>,
    ) -> StoreResult<Vec<HouseholdPoints>>;
    /// Shows or leaves out a household in the public ranking.
    async fn set_points_ranked(
        &self,
        village: RegionCode,
        household: &str,
        ranked: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whether a household shows in the public ranking (yes unless it opted out).
    async fn points_ranked(&self, household: &str) -> StoreResult<bool>;
}
