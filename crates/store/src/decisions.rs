//! Decision records (四议两公开): the decision, its steps as recorded, the files kept for each
//! step, the two publications' disclosures, and the money the decision authorised. The rules
//! (order, counts, quorum) are `core::decision`'s; this is only their storage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::decision::{Kind, Procedure, Step, StepRecord};
use yangguang_core::{DisclosureId, Fen, RegionCode};

use crate::StoreResult;

/// A decision as created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    pub village: RegionCode,
    pub number: String,
    pub subject: String,
    pub kind: Kind,
    pub procedure: Procedure,
    /// The amount to be resolved, if the matter has one.
    pub amount: Option<Fen>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub new: NewDecision,
    /// The disclosure publishing the resolution (a draft until it passes review).
    pub resolution_disclosure: Option<DisclosureId>,
    /// The disclosure publishing the implementation result.
    pub result_disclosure: Option<DisclosureId>,
}

/// A step as stored: the record and who recorded (or last corrected) it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStep {
    pub record: StepRecord,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A file kept for a step (minutes, a sign-in sheet), its bytes in the file store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionFile {
    pub step: Step,
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    pub byte_size: i64,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// Something a decision authorised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLink {
    pub village: RegionCode,
    /// `voucher`, `lease`, `works` or `disposal`.
    pub target_kind: String,
    /// The thing's key within its kind: `2026-03/记-12`, a contract number.
    pub target_ref: String,
    pub number: String,
    /// What people read: a voucher's summary, a contract's asset and party.
    pub label: String,
    pub amount: Fen,
    /// Money going out of the village (a payment), counted against the amount resolved.
    pub outgoing: bool,
    /// `console` or `import`.
    pub source: String,
    pub linked_by: String,
    pub linked_at: DateTime<Utc>,
}

#[async_trait]
pub trait DecisionStore: Send + Sync {
    /// `Conflict` when the village already has a decision with that number.
    async fn insert_decision(&self, d: &NewDecision) -> StoreResult<()>;
    async fn get_decision(&self, village: RegionCode, number: &str) -> StoreResult<Option<DecisionRecord>>;
    /// A village's decisions, newest number first.
    async fn village_decisions(&self, village: RegionCode) -> StoreResult<Vec<DecisionRecord>>;
    /// Changes subject, kind and amount; `NotFound` when there is no such decision.
    async fn update_decision(
        &self,
        village: RegionCode,
        number: &str,
        subject: &str,
        kind: Kind,
        amount: Option<Fen>,
    ) -> StoreResult<()>;
    /// Records a step, replacing the step's earlier record if any.
    async fn put_step(&self, village: RegionCode, number: &str, step: &StoredStep) -> StoreResult<()>;
    /// A decision's steps in procedure order.
    async fn decision_steps(&self, village: RegionCode, number: &str) -> StoreResult<Vec<StoredStep>>;
    /// Every step of a village's decisions, as (number, step).
    async fn village_steps(&self, village: RegionCode) -> StoreResult<Vec<(String, StoredStep)>>;
    /// Keeps a file for a step; the same file twice for one step is kept once (`false`).
    async fn add_decision_file(&self, village: RegionCode, number: &str, file: &DecisionFile) -> StoreResult<bool>;
    async fn decision_files(&self, village: RegionCode, number: &str) -> StoreResult<Vec<DecisionFile>>;
    /// Names the disclosure that publishes the resolution or the result (`step` is one of
    /// the two publications).
    async fn set_publication(
        &self,
        village: RegionCode,
        number: &str,
        step: Step,
        disclosure: DisclosureId,
    ) -> StoreResult<()>;
    /// Links things to decisions, replacing a thing's earlier link, all in one transaction.
    async fn put_links(&self, links: &[DecisionLink]) -> StoreResult<()>;
    /// Unlinks a thing; whether it was linked.
    async fn remove_link(&self, village: RegionCode, target_kind: &str, target_ref: &str) -> StoreResult<bool>;
    /// What one decision authorised, by kind and key.
    async fn decision_links(&self, village: RegionCode, number: &str) -> StoreResult<Vec<DecisionLink>>;
    /// Every link of a village, by decision number, kind and key.
    async fn village_links(&self, village: RegionCode) -> StoreResult<Vec<DecisionLink>>;
    /// The decision a thing names, if any.
    async fn link_of(
        &self,
        village: RegionCode,
        target_kind: &str,
        target_ref: &str,
    ) -> StoreResult<Option<DecisionLink>>;
}
