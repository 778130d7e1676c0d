//! The storage contract: small traits that every backend implements, the query and page
//! types they share, and `StoreError`. Backends map "no row" to `NotFound` and unique
//! violations to `Conflict`; everything else is `Backend`, whose text is for logs, not people.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use yangguang_core::publication::{Checkpoint, LogEntry, SignoffRecord};
use yangguang_core::staff::Grant;
use yangguang_core::{
    Attachment, Disclosure, DisclosureId, DisclosureState, DisclosureSummary, NewDisclosure, Period, Region, RegionCode,
};

mod preview;
pub use preview::{ImportPreview, PreviewStore, StoredVoucher};

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
    /// The database's schema does not match this program's migrations.
    #[error("{0}")]
    Schema(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

mod tray;
pub use tray::{NewTrayScan, ReceiptTrayStore, TrayScan};
mod calendar;
pub use calendar::{CalendarStore, CalendarVersion, VoucherMonth};
mod tips;
pub use tips::{NewTip, Tip, TipReply, TipStore};
mod reports;
pub use reports::{NewReport, Report, ReportEvent, ReportPhoto, ReportQuery, ReportStore, StatusChange};
mod decisions;
pub use decisions::{DecisionFile, DecisionLink, DecisionRecord, DecisionStore, NewDecision, StoredStep};
mod points;
pub use points::{
    Evidence, HouseholdPoints, NewPointEvent, NewRedemption, PointCorrection, PointEvent, PointsRefusal, PointsStore,
    Redemption, RedemptionCorrected, StoredRules,
};
mod governance;
pub use governance::{GovernanceStore, ItemVersion, Stored, StoredRuleVersion};
mod cluster;
pub use cluster::{ChangeListener, ClusterStore, Lease, PageChange};
mod visits;
pub use visits::{VisitCount, VisitGroup, VisitQuery, VisitStore, VisitTotal};
mod questions;
pub use questions::{NewQuestion, Question, QuestionCounts, QuestionReply, QuestionState, QuestionStore, Satisfaction};
mod search;
pub use search::{SearchChange, SearchFeedStore};
mod warnings;
pub use warnings::{
    FindingChanges, PublishedFacts, ReceiptOnVoucher, StoredOverride, StoredWarning, ThresholdChange, WarningEvent,
    WarningQuery, WarningState, WarningStore, evidence_from_json, evidence_json,
};
mod public_api;
pub use public_api::{PublicApiStore, PublicDisclosureQuery};

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

/// The console's list of published items (`/console/published`): every version ever public
/// in the reader's regions, but withdrawal requests themselves, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublishedQuery {
    /// Code prefixes of the regions the reader may see; none means nothing is listed.
    pub region_prefixes: Vec<String>,
    pub village: Option<RegionCode>,
    /// Empty means every column.
    pub columns: Vec<String>,
    pub period: Option<Period>,
    /// Among published (current), superseded (corrected) and withdrawn; empty means all three.
    pub states: Vec<DisclosureState>,
    /// Words the title contains (case-insensitive), or a version's number or the number of the
    /// version it corrects.
    pub text: String,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl PublishedQuery {
    pub fn offset(&self) -> u64 {
        u64::from(self.page.max(1) - 1) * u64::from(self.per_page)
    }
}

/// What a clerk may change in a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftEdit {
    pub column: String,
    pub catalog_item: Option<String>,
    pub period: Option<Period>,
    pub title: String,
    pub body_md: String,
    pub attachments: Vec<Attachment>,
    pub reason: Option<String>,
}

/// Versions being worked on, for the staff console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkQuery {
    /// Code prefixes of the regions the reader may see (a village's 12 digits, a town's 9, a
    /// county's 6, or "" for everything).
    pub region_prefixes: Vec<String>,
    pub states: Vec<DisclosureState>,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Return,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "return" => Some(Self::Return),
            _ => None,
        }
    }
}

/// A reviewer's decision on a version, bound to the content hash it was made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signoff {
    pub disclosure_id: DisclosureId,
    pub staff_id: i64,
    pub reviewer_name: String,
    /// The catalog reviewer role signed for.
    pub reviewer_role: String,
    pub decision: Decision,
    pub comment: Option<String>,
    pub content_hash: String,
    pub at: DateTime<Utc>,
}

impl Signoff {
    pub fn record(&self) -> SignoffRecord {
        SignoffRecord {
            staff_id: self.staff_id,
            reviewer: self.reviewer_name.clone(),
            role: self.reviewer_role.clone(),
            at: self.at,
            content_hash: self.content_hash.clone(),
            comment: self.comment.clone(),
        }
    }
}

#[async_trait]
pub trait DisclosureStore: Send + Sync {
    /// Stores disclosures with their attachments in one transaction: all or none. Those
    /// stored as published are published on the spot: appended to the log, and a correction
    /// or withdrawal supersedes or withdraws the version it replaces.
    async fn insert_disclosures(&self, new: &[NewDisclosure]) -> StoreResult<Vec<DisclosureId>>;
    async fn get_disclosure(&self, id: DisclosureId) -> StoreResult<Disclosure>;
    /// Several disclosures in a few queries, in the order of `ids`; unknown ids are skipped.
    async fn get_disclosures(&self, ids: &[DisclosureId]) -> StoreResult<Vec<Disclosure>>;
    /// Public lists: published and withdrawn items (not superseded versions, not the
    /// withdrawal records themselves), newest first.
    async fn list_disclosures(&self, query: &DisclosureQuery) -> StoreResult<Page<DisclosureSummary>>;
    /// Versions in the given states within the regions, most recently changed first.
    async fn list_work(&self, query: &WorkQuery) -> StoreResult<Vec<DisclosureSummary>>;
    /// Published, corrected and withdrawn items in the reader's regions, searched and filtered.
    async fn list_published(&self, query: &PublishedQuery) -> StoreResult<Page<DisclosureSummary>>;
    /// Corrections and withdrawals that name `id` as the version they replace.
    async fn list_replacements(&self, id: DisclosureId) -> StoreResult<Vec<DisclosureSummary>>;
    /// The (catalog item, period) pairs a village has published, for deadline tracking.
    async fn published_periods(&self, village: RegionCode) -> StoreResult<Vec<(String, Period)>>;
    /// [`Self::published_periods`] of several villages in a few queries.
    async fn published_periods_of(&self, villages: &[RegionCode]) -> StoreResult<Vec<(RegionCode, String, Period)>>;
    /// Every submitted version in these regions (code prefixes), the longest waiting first:
    /// no limit, so that nothing awaiting review is ever hidden behind newer items.
    async fn list_submitted(&self, region_prefixes: &[String]) -> StoreResult<Vec<DisclosureSummary>>;
    async fn count_disclosures(&self) -> StoreResult<u64>;
    /// Changes an editable version; `Conflict` if it is no longer editable.
    async fn update_draft(&self, id: DisclosureId, edit: &DraftEdit, now: DateTime<Utc>) -> StoreResult<()>;
    /// Moves a version from one of `from` to `to`; `Conflict` if it is in another state.
    async fn set_state(
        &self,
        id: DisclosureId,
        from: &[DisclosureState],
        to: DisclosureState,
        scheduled_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn add_signoff(&self, signoff: &Signoff) -> StoreResult<()>;
    async fn list_signoffs(&self, id: DisclosureId) -> StoreResult<Vec<Signoff>>;
    /// The sign-offs of several disclosures in a few queries.
    async fn signoffs_of(&self, ids: &[DisclosureId]) -> StoreResult<Vec<Signoff>>;
    /// Publishes a submitted or scheduled version in one transaction: its state, its
    /// effect on the version it replaces, and its log entry (returned).
    async fn publish(&self, id: DisclosureId, at: DateTime<Utc>, signoffs: &[SignoffRecord]) -> StoreResult<LogEntry> {
        self.publish_freezing(id, at, signoffs, None).await
    }
    /// [`Self::publish`], freezing books in the same transaction: the months of `books` are
    /// locked, provided their vouchers still have the fingerprint the reviewers signed
    /// (`Conflict` naming the month otherwise, and nothing is published).
    async fn publish_freezing(
        &self,
        id: DisclosureId,
        at: DateTime<Utc>,
        signoffs: &[SignoffRecord],
        books: Option<&BookFreeze>,
    ) -> StoreResult<LogEntry>;
    /// Scheduled versions whose time has come.
    async fn due_scheduled(&self, now: DateTime<Utc>) -> StoreResult<Vec<DisclosureId>>;
    /// Ids of every version that was ever published, in id order, after `after`.
    async fn published_ids(&self, after: DisclosureId, limit: u32) -> StoreResult<Vec<DisclosureId>>;
}

#[async_trait]
pub trait LogStore: Send + Sync {
    /// Entries with `seq > after`, in order.
    async fn log_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<LogEntry>>;
    async fn log_head(&self) -> StoreResult<Option<LogEntry>>;
    async fn log_entries_for(&self, id: DisclosureId) -> StoreResult<Vec<LogEntry>>;
    async fn add_checkpoint(&self, checkpoint: &Checkpoint) -> StoreResult<()>;
    /// Newest first.
    async fn list_checkpoints(&self, limit: u32) -> StoreResult<Vec<Checkpoint>>;

    /// Gives up to `limit` entries logged before the tree existed their canonical bytes and
    /// leaf hash, oldest first; how many it filled (0 when none is left).
    async fn fill_leaves(&self, limit: u32) -> StoreResult<u64>;
    /// `(seq, leaf hash in hex)` of entries with `seq > after`, in order, as far as filled.
    async fn leaf_hashes(&self, after: i64, limit: u32) -> StoreResult<Vec<(i64, String)>>;
    /// `(seq, canonical bytes)` of entries with `seq > after`, in order.
    async fn leaf_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<(i64, String)>>;
    /// Keeps a signed checkpoint of the tree; one of a size already kept is left as it was.
    async fn add_tree_checkpoint(&self, checkpoint: &TreeCheckpoint) -> StoreResult<()>;
    /// Replaces a kept checkpoint's note (with more cosignatures); the signed part must not change.
    async fn set_tree_checkpoint_note(&self, tree_size: i64, note: &str) -> StoreResult<()>;
    /// Largest first.
    async fn list_tree_checkpoints(&self, limit: u32) -> StoreResult<Vec<TreeCheckpoint>>;
    async fn tree_checkpoint(&self, tree_size: i64) -> StoreResult<Option<TreeCheckpoint>>;
}

/// A signed checkpoint of the Merkle tree, as the C2SP signed note served at `/log/checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeCheckpoint {
    pub tree_size: i64,
    /// Lower-case hex root hash.
    pub root_hash: String,
    /// The note: checkpoint body, blank line, the log's signature and witnesses' cosignatures.
    pub note: String,
    pub signed_at: DateTime<Utc>,
}

/// A scanned receipt of a voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub year: i32,
    pub month: u32,
    /// Normalised (`记-1`).
    pub voucher_no: String,
    pub sha256: String,
    pub media_type: String,
    pub file_name: String,
    pub byte_size: i64,
    /// Its voucher changed on an import after the scan was attached: not to be shown as the
    /// voucher's verified original until a clerk confirms it still belongs.
    pub needs_recheck: bool,
}

/// The outcome of importing vouchers into a village's books.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoucherImport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Receipt scans of replaced vouchers, flagged for re-checking.
    pub flagged: u64,
    /// Vouchers that differ from a locked (published) version: when any, nothing was stored.
    pub conflicts: Vec<String>,
}

/// A voucher number met earlier in the same import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    /// Its place in the batch given to [`VoucherImportSession::add`].
    pub index: usize,
    /// Where it was first met.
    pub file: String,
    pub first_row: u64,
    pub same_content: bool,
}

/// Vouchers given to [`VoucherImportSession::add`] at a time by callers that hold them all.
pub const IMPORT_BATCH: usize = 2_000;

/// One import into a village's books, in one transaction, fed batch by batch so that
/// nothing but the batch is held in memory. Nobody else sees it until `finish(true)`.
#[async_trait]
pub trait VoucherImportSession: Send {
    /// Adds vouchers read from `file`: new ones are stored, changed unlocked ones replaced,
    /// identical ones left alone, changed locked ones counted as conflicts and not stored.
    /// A voucher number already met in this import is not stored again: it comes back.
    async fn add(&mut self, file: &str, vouchers: &[yangguang_core::ledger::Voucher]) -> StoreResult<Vec<Repeated>>;
    /// What the import has done so far.
    fn outcome(&self) -> &VoucherImport;
    /// The vouchers among `keys` as this import sees them (for a preview, before `add`).
    async fn stored(&mut self, keys: &[(i32, u32, String)]) -> StoreResult<Vec<StoredVoucher>>;
    /// Commits (`keep`) or rolls everything back; what was stored (nothing when rolled back).
    async fn finish(self: Box<Self>, keep: bool) -> StoreResult<VoucherImport>;
}

#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Starts an import into a village's books.
    async fn begin_import(&self, village: RegionCode, now: DateTime<Utc>)
    -> StoreResult<Box<dyn VoucherImportSession>>;
    /// All or nothing: new vouchers are added, changed unlocked ones replaced, identical ones
    /// left alone; if any changed voucher is locked, nothing is stored and the conflicts are
    /// returned.
    async fn import_vouchers(
        &self,
        village: RegionCode,
        vouchers: &[yangguang_core::ledger::Voucher],
        now: DateTime<Utc>,
    ) -> StoreResult<VoucherImport> {
        let mut session = self.begin_import(village, now).await?;
        for batch in vouchers.chunks(IMPORT_BATCH) {
            session.add("", batch).await?;
        }
        let keep = session.outcome().conflicts.is_empty();
        session.finish(keep).await
    }
    /// Entry lines dated within `[from, to]`, by date, voucher and line.
    async fn ledger_entries(
        &self,
        village: RegionCode,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> StoreResult<Vec<yangguang_core::ledger::LedgerEntry>>;
    /// Attaches receipt scans to vouchers; a scan already on its voucher is not added twice.
    /// Returns how many were added.
    async fn add_receipts(&self, village: RegionCode, receipts: &[Receipt]) -> StoreResult<u64>;
    /// The receipts of a month's vouchers, by voucher and order of arrival.
    async fn receipts(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<Receipt>>;
    /// Which month of the village's books holds the scan with this hash, if any.
    async fn receipt_month(&self, village: RegionCode, sha256: &str) -> StoreResult<Option<(i32, u32)>>;
    /// The (normalised) voucher numbers of a month.
    async fn voucher_numbers(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<String>>;
    /// The column names a village's exports use, as saved by its clerk (JSON), if any.
    async fn ledger_columns(&self, village: RegionCode) -> StoreResult<Option<String>>;
    async fn save_ledger_columns(&self, village: RegionCode, names_json: &str) -> StoreResult<()>;
    /// Freezes a village's books for the months `from..=to` as they are now, on behalf of the
    /// published version `by` (the demo's history, which is inserted as published; live
    /// publications freeze through [`DisclosureStore::publish_freezing`]); returns how many
    /// vouchers the months hold.
    async fn freeze_books(
        &self,
        village: RegionCode,
        from: (i32, u32),
        to: (i32, u32),
        by: DisclosureId,
    ) -> StoreResult<u64>;
    /// The fingerprint of a village's vouchers in the months `from..=to` (year, month): a
    /// hash of each voucher's number and content hash, in number order.
    async fn books_fingerprint(&self, village: RegionCode, from: (i32, u32), to: (i32, u32)) -> StoreResult<String>;
    /// The months of a village whose books are frozen, with the published version that froze them.
    async fn frozen_months(&self, village: RegionCode) -> StoreResult<Vec<FrozenMonth>>;
    /// The vouchers of a village in the months `from..=to` as stored: (year, month, number,
    /// content hash recorded at import), in number order.
    async fn voucher_hashes(
        &self,
        village: RegionCode,
        from: (i32, u32),
        to: (i32, u32),
    ) -> StoreResult<Vec<(i32, u32, String, String)>>;
}

/// Books to freeze with a publication: a village's months `from..=to` (year, month), whose
/// vouchers must still have `fingerprint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookFreeze {
    pub village: RegionCode,
    pub from: (i32, u32),
    pub to: (i32, u32),
    pub fingerprint: String,
}

/// A month whose books are frozen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenMonth {
    pub year: i32,
    pub month: u32,
    /// The fingerprint signed ("" for months frozen before fingerprints were kept).
    pub fingerprint: String,
    pub disclosure_id: DisclosureId,
}

/// A register row (a lease, a trading listing, a household…) kept as a JSON document under
/// a key unique within its kind. Registers differ in shape from county to county and are read
/// a village at a time, so one document table serves them all; the domain types in `core`
/// give the JSON its meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub village: RegionCode,
    pub key: String,
    /// JSON, compared as text: serialise deterministically so that equal content is equal text.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub village: RegionCode,
    pub key: String,
    pub body: String,
    pub updated_at: DateTime<Utc>,
}

/// What an upsert did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated,
    /// Same body as stored: nothing was written.
    Unchanged,
}

/// What replacing a village's register did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RecordCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub removed: u64,
}

impl RecordCounts {
    pub fn changed(&self) -> bool {
        self.inserted + self.updated + self.removed > 0
    }
}

#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Inserts or updates records of one kind by key, all in one transaction; a record whose
    /// body equals the stored one is not written (its `updated_at` stays).
    async fn upsert_records(&self, kind: &str, records: &[NewRecord], now: DateTime<Utc>)
    -> StoreResult<Vec<Upserted>>;
    /// Makes a village's records of one kind exactly `records` (upserting them and removing
    /// the others), in one transaction.
    async fn replace_village_records(
        &self,
        kind: &str,
        village: RegionCode,
        records: &[NewRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<RecordCounts> {
        Ok(self.replace_village_registers(village, &[(kind, records)], now).await?[0])
    }
    /// The same for several kinds at once (a register and its lookup records), all in one
    /// transaction: every kind replaced, or none.
    async fn replace_village_registers(
        &self,
        village: RegionCode,
        registers: &[(&str, &[NewRecord])],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<RecordCounts>>;
    async fn get_record(&self, kind: &str, key: &str) -> StoreResult<Option<Record>>;
    /// The stored records among `keys` (any order; missing keys are left out).
    async fn get_records(&self, kind: &str, keys: &[&str]) -> StoreResult<Vec<Record>>;
    /// A village's records of one kind, by key.
    async fn village_records(&self, kind: &str, village: RegionCode) -> StoreResult<Vec<Record>>;
    /// Records of one kind with keys after `after`, by key: for exports that page through all.
    async fn records_after(&self, kind: &str, after: &str, limit: u32) -> StoreResult<Vec<Record>>;
    /// How many records of one kind belong to villages whose code starts with `region_prefix`.
    async fn count_records(&self, kind: &str, region_prefix: &str) -> StoreResult<u64>;
    /// A named value of the platform's own (a feed's cursor), if set.
    async fn get_state(&self, name: &str) -> StoreResult<Option<String>>;
    async fn put_state(&self, name: &str, value: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Sets a name only if it is not set yet; whether it was this call that set it. Refusing
    /// replayed pushes rests on this being atomic.
    async fn claim_state(&self, name: &str, value: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Forgets names starting with `prefix` last set before `before`; how many.
    async fn prune_state(&self, prefix: &str, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// PHC string (argon2id); `!` for accounts that cannot log in.
    pub password_hash: String,
    pub must_change_password: bool,
    /// Base32 TOTP secret, once the second factor is set up.
    pub totp_secret: Option<String>,
    pub disabled: bool,
    /// Mobile number (11 digits) for the SMS digest of work waiting; none, no messages.
    pub phone: Option<String>,
    pub grants: Vec<Grant>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub phone: Option<String>,
    pub grants: Vec<Grant>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie token: a stolen database holds no usable session.
    pub token_hash: String,
    pub staff_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub staff_name: String,
    /// A stable code: `login`, `login-failed`, `draft`, `sign`, `publish`, …
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

/// A machine's credentials to push data for some regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationToken {
    /// SHA-256 of the secret; the secret itself is shown once and never stored.
    pub token_hash: String,
    pub name: String,
    pub regions: Vec<RegionCode>,
    pub created_at: DateTime<Utc>,
}

/// How many failed logins, within the window, an account and an address may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    pub per_account: u64,
    pub per_address: u64,
}

#[async_trait]
pub trait StaffStore: Send + Sync {
    /// `Conflict` when the username is taken.
    async fn create_staff(&self, new: &NewStaff) -> StoreResult<i64>;
    async fn get_staff(&self, id: i64) -> StoreResult<Staff>;
    async fn find_staff(&self, username: &str) -> StoreResult<Option<Staff>>;
    async fn list_staff(&self) -> StoreResult<Vec<Staff>>;
    /// Saves name, password, second factor, disabled flag and grants (replacing them).
    async fn update_staff(&self, staff: &Staff) -> StoreResult<()>;
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    async fn get_session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    async fn revoke_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Revokes every session of a staff member; returns how many were live.
    async fn revoke_sessions(&self, staff_id: i64) -> StoreResult<u64>;
    async fn record_login_failure(&self, username: &str, ip: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Claims the right to check one login attempt, atomically across every app server: when
    /// fewer than `limits.per_account` failures of the username and `limits.per_address` of the
    /// address are recorded since `since`, records the attempt as a failure at `at` and returns
    /// its id (forget it with `forget_login_attempt` if the attempt succeeds); otherwise `None`.
    async fn claim_login_attempt(
        &self,
        username: &str,
        ip: &str,
        since: DateTime<Utc>,
        limits: LoginLimits,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<i64>>;
    /// Removes a claimed attempt that turned out well.
    async fn forget_login_attempt(&self, id: i64) -> StoreResult<()>;
    /// Records `step` as the staff member's last accepted TOTP time step, if it is later than
    /// the one recorded (atomically): `false` when a code of this step or a later one was
    /// already accepted, so a code works once.
    async fn claim_totp_step(&self, staff_id: i64, step: i64) -> StoreResult<bool>;
    /// Failures since `since` for the username, or for the address.
    async fn count_login_failures(
        &self,
        username: Option<&str>,
        ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<u64>;
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    async fn create_token(&self, token: &IntegrationToken) -> StoreResult<()>;
    /// A live (not revoked) token by the hash of its secret.
    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<IntegrationToken>>;
    /// Newest first.
    async fn list_audit(&self, page: u32, per_page: u32) -> StoreResult<Page<AuditEntry>>;
}

/// A whole backend.
#[async_trait]
pub trait Store:
    RegionStore
    + DisclosureStore
    + LogStore
    + StaffStore
    + LedgerStore
    + RecordStore
    + ReceiptTrayStore
    + PreviewStore
    + TipStore
    + ReportStore
    + QuestionStore
    + DecisionStore
    + PointsStore
    + GovernanceStore
    + ClusterStore
    + SearchFeedStore
    + VisitStore
    + CalendarStore
    + WarningStore
    + PublicApiStore
{
    /// Applies pending migrations; safe to run at every start.
    async fn migrate(&self) -> StoreResult<()>;
    /// The database's own consistency check (SQLite's `integrity_check`; invalid indexes on
    /// PostgreSQL): the problems found, none when all is well.
    async fn integrity_check(&self) -> StoreResult<Vec<String>>;
    /// A consistent copy of the whole database, taken while it serves: SQLite's `VACUUM INTO`
    /// a new file at `dest`. PostgreSQL is backed up with `pg_dump` instead (`Invalid`, saying so).
    async fn backup_into(&self, dest: &std::path::Path) -> StoreResult<()>;
    /// After a bulk load (the demo, a whole county's books): the query planner's statistics
    /// brought up to date, so that the next queries use the indexes instead of plans made for
    /// nearly empty tables (PostgreSQL's `ANALYZE`; SQLite keeps none and assumes indexes help).
    async fn refresh_statistics(&self) -> StoreResult<()>;
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
        s.map(str::parse::<Period>).transpose().map_err(|e| StoreError::Invalid(e.to_string()))
    }

    pub fn region(code_text: &str, name: String, parent: Option<&str>, kind: &str) -> Result<Region, StoreError> {
        Ok(Region {
            code: code(code_text)?,
            name,
            parent: parent.map(code).transpose()?,
            kind: RegionKind::parse(kind).ok_or_else(|| StoreError::Invalid(format!("region kind {kind}")))?,
        })
    }

    pub fn state(s: &str) -> Result<yangguang_core::DisclosureState, StoreError> {
        yangguang_core::DisclosureState::parse(s).ok_or_else(|| StoreError::Invalid(format!("disclosure state {s}")))
    }

    pub fn kind(s: &str) -> Result<yangguang_core::DisclosureKind, StoreError> {
        yangguang_core::DisclosureKind::parse(s).ok_or_else(|| StoreError::Invalid(format!("disclosure kind {s}")))
    }

    pub fn grant(role: &str, region: &str) -> Result<yangguang_core::staff::Grant, StoreError> {
        let role =
            yangguang_core::staff::Role::parse(role).ok_or_else(|| StoreError::Invalid(format!("role {role}")))?;
        Ok(yangguang_core::staff::Grant { role, region: code(region)? })
    }

    pub fn decision(s: &str) -> Result<super::Decision, StoreError> {
        super::Decision::parse(s).ok_or_else(|| StoreError::Invalid(format!("decision {s}")))
    }

    pub fn signoffs(json: &str) -> Result<Vec<yangguang_core::publication::SignoffRecord>, StoreError> {
        serde_json::from_str(json).map_err(|e| StoreError::Invalid(format!("sign-offs: {e}")))
    }

    pub fn action(s: &str) -> Result<yangguang_core::publication::LogAction, StoreError> {
        yangguang_core::publication::LogAction::parse(s).ok_or_else(|| StoreError::Invalid(format!("log action {s}")))
    }
}

/// The effect of publishing a version on the one it replaces, and the checks before it:
/// shared by the backends so both enforce the same rules.
pub mod rules {
    use super::StoreError;
    use yangguang_core::{DisclosureKind, DisclosureState};

    /// What the replaced version becomes; `None` for originals.
    pub fn replaced_state(kind: DisclosureKind) -> Option<DisclosureState> {
        match kind {
            DisclosureKind::Original => None,
            DisclosureKind::Correction => Some(DisclosureState::Superseded),
            DisclosureKind::Withdrawal => Some(DisclosureState::Withdrawn),
        }
    }

    /// Only a currently published version can be corrected or withdrawn.
    pub fn check_replaced(state: DisclosureState) -> Result<(), StoreError> {
        if state == DisclosureState::Published {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "只能更正或撤回当前已公开的版本（此版本状态：{}）/ only a published version can be corrected or withdrawn",
                state.as_str()
            )))
        }
    }
}
