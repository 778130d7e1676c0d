//! Villagers' questions on public items (我要质询) with the deadline the village must answer
//! by, and satisfaction votes (满意度) on disclosures. Nothing here is ever deleted: a hidden
//! question keeps its text and gains a state and a reason.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::RegionCode;

use crate::StoreResult;

/// Where a question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionState {
    /// Anonymous, waiting for a staff member's look before it reaches the item's page.
    Held,
    /// Waiting for the village's answer.
    Open,
    Answered,
    /// Hidden by a staff member, with a reason category; the text is kept.
    Hidden,
}

impl QuestionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Hidden => "hidden",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Held, Self::Open, Self::Answered, Self::Hidden].into_iter().find(|v| v.as_str() == s)
    }
}

/// A question as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub village: RegionCode,
    /// What it is about: `disclosure`, `finance`, `voucher`, `lease`, `listing`.
    pub target_kind: String,
    /// The item's key within its kind (a disclosure id, `2026-11`, `2026-11/记-3`, …).
    pub target_ref: String,
    pub target_title: String,
    pub body: String,
    /// The asker's household when logged in; none when anonymous.
    pub household: Option<String>,
    /// The asker allowed question and reply to be shown under the item.
    pub public_ok: bool,
    /// The keyed hash of the receipt code.
    pub receipt_hash: String,
    pub state: QuestionState,
    pub asked_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    /// A number to text when answered (a logged-in villager's own), erased once used.
    pub notify_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: i64,
    pub new: NewQuestion,
    pub escalated_at: Option<DateTime<Utc>>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub replied_by: Option<String>,
    /// The correction (a disclosure of kind correction) the reply says the error led to.
    pub correction: Option<i64>,
    pub hidden_reason: Option<String>,
    pub moderated_by: Option<String>,
    pub moderated_at: Option<DateTime<Utc>>,
}

/// A staff member's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionReply {
    pub reply: String,
    pub correction: Option<i64>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A village's public counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuestionCounts {
    pub answered: u64,
    /// Not answered (nor hidden) and past the deadline.
    pub overdue: u64,
    /// Not answered (nor hidden) and within the deadline.
    pub waiting: u64,
}

/// Votes by rating: satisfied, fair, unsatisfied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Satisfaction {
    pub satisfied: u64,
    pub fair: u64,
    pub unsatisfied: u64,
}

impl Satisfaction {
    pub fn total(&self) -> u64 {
        self.satisfied + self.fair + self.unsatisfied
    }
}

#[async_trait]
pub trait QuestionStore: Send + Sync {
    /// `Conflict` when the receipt hash is taken.
    async fn insert_question(&self, q: &NewQuestion) -> StoreResult<i64>;
    async fn get_question(&self, id: i64) -> StoreResult<Question>;
    async fn question_by_receipt(&self, receipt_hash: &str) -> StoreResult<Option<Question>>;
    /// A village's questions in the given states (all when empty), newest first.
    async fn village_questions(&self, village: RegionCode, states: &[QuestionState]) -> StoreResult<Vec<Question>>;
    /// The questions on one item, oldest first.
    async fn item_questions(&self, village: RegionCode, kind: &str, target_ref: &str) -> StoreResult<Vec<Question>>;
    /// A household's questions, newest first.
    async fn household_questions(&self, household: &str) -> StoreResult<Vec<Question>>;
    /// Sets the state (held or open → open or hidden) with who did it and why; `Conflict`
    /// when the question is not held or open any more (answered, or already hidden).
    async fn moderate_question(
        &self,
        id: i64,
        to: QuestionState,
        reason: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Answers an open question; `Conflict` when it is not open.
    async fn answer_question(&self, id: i64, reply: &QuestionReply) -> StoreResult<()>;
    /// Unanswered questions (held or open) whose deadline is at or before `now` and that were
    /// not escalated yet.
    async fn questions_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<Question>>;
    /// Marks a question escalated, once: `false` when another process already did.
    async fn mark_escalated(&self, id: i64, at: DateTime<Utc>) -> StoreResult<bool>;
    /// Takes the number to text out of the question (it is used once): the number, if any.
    async fn take_notify_phone(&self, id: i64) -> StoreResult<Option<String>>;
    async fn question_counts(&self, village: RegionCode, now: DateTime<Utc>) -> StoreResult<QuestionCounts>;
    /// Records or changes a voter's rating of a disclosure.
    async fn vote(
        &self,
        village: RegionCode,
        target_ref: &str,
        voter: &str,
        rating: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// A voter's current rating of a disclosure.
    async fn vote_of(&self, target_ref: &str, voter: &str) -> StoreResult<Option<String>>;
    async fn item_satisfaction(&self, target_ref: &str) -> StoreResult<Satisfaction>;
    async fn village_satisfaction(&self, village: RegionCode) -> StoreResult<Satisfaction>;
}
