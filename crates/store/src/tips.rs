//! Sealed whistle-blowing reports. The store keeps only what the platform cannot read — each
//! report, attachment and reply sealed to the commission's key (or to the reporter's
//! receipt code) as opaque text — and what it must know to route them: a lookup derived from
//! the receipt code, the state, and coarse times. No address, no device, no account.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::tip::TipStatus;

use crate::StoreResult;

/// A report to store: everything a person wrote is already sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTip {
    /// Derived from the receipt code (not the code itself): how the reporter's check finds it.
    pub lookup: String,
    /// The public key replies to the reporter are sealed to (derived from the receipt code).
    pub reply_key: String,
    /// The report (text, identity, attachment names) sealed to the commission.
    pub sealed: String,
    /// Each attachment's bytes sealed to the commission, in order.
    pub attachments: Vec<String>,
}

/// A stored report, still sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub id: i64,
    pub reply_key: String,
    pub sealed: String,
    pub status: TipStatus,
    pub attachments: i64,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A reply of the commission, sealed twice: to the reporter and to the commission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipReply {
    pub to_reporter: String,
    pub to_commission: String,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait TipStore: Send + Sync {
    /// Stores a report with its attachments in one transaction; its id. `Conflict` when the
    /// lookup is taken (a receipt code drawn twice).
    async fn create_tip(&self, tip: &NewTip, at: DateTime<Utc>) -> StoreResult<i64>;
    /// Every report, newest first.
    async fn list_tips(&self) -> StoreResult<Vec<Tip>>;
    async fn get_tip(&self, id: i64) -> StoreResult<Tip>;
    /// The report a receipt code's lookup names, if any.
    async fn find_tip(&self, lookup: &str) -> StoreResult<Option<Tip>>;
    /// One sealed attachment (0-based); `NotFound` when there is none at that place.
    async fn tip_attachment(&self, id: i64, position: i64) -> StoreResult<String>;
    async fn set_tip_status(&self, id: i64, status: TipStatus, at: DateTime<Utc>) -> StoreResult<()>;
    async fn add_tip_reply(&self, id: i64, reply: &TipReply) -> StoreResult<()>;
    /// A report's replies, oldest first.
    async fn tip_replies(&self, id: i64) -> StoreResult<Vec<TipReply>>;
    async fn count_tips(&self, status: TipStatus) -> StoreResult<u64>;
}
