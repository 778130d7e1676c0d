//! The `/api/v1` answers as types: what is serialised is exactly what the OpenAPI document
//! describes (`utoipa` derives both from these). They live here, not in `core`, so that the
//! domain types stay free of the API's wire format. Money is integer fen (`*_fen`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A node of the region tree (city → county → town → village/community).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRegion {
    /// The 12-digit statistical code (区划代码).
    #[schema(example = "339921100201")]
    pub code: String,
    #[schema(example = "李田村")]
    pub name: String,
    /// `city`, `county`, `town`, `village` or `community`.
    #[schema(example = "village")]
    pub kind: String,
    pub parent: Option<String>,
    /// The public page.
    pub html: String,
    #[schema(no_recursion)]
    pub children: Vec<ApiRegion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionTree {
    pub regions: Vec<ApiRegion>,
}

/// A column (栏目) of the three-level tree shared by every village.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiColumn {
    #[schema(example = "finance-monthly")]
    pub id: String,
    pub parent: Option<String>,
    pub name: String,
    pub name_en: String,
    pub summary: String,
    pub summary_en: String,
    /// 1 to 3.
    pub depth: u8,
    /// Content only the household concerned reads after login (never in this API).
    pub login_required: bool,
    #[schema(no_recursion)]
    pub children: Vec<ApiColumn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnTree {
    pub columns: Vec<ApiColumn>,
}

/// An item of the disclosure catalog: what every village must publish, how often, by when.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiCatalogItem {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub column: String,
    /// `monthly`, `quarterly`, `half-yearly`, `yearly`, `on-event` or `continuous`.
    pub frequency: String,
    /// As the catalog file writes it: `period-end+10d`, `event+5wd`, `before-event`, `always`.
    #[schema(example = "period-end+10d")]
    pub deadline: String,
    /// Who signs it off: `branch`, `supervision-committee`, `finance-group`, `township`, …
    pub reviewers: Vec<String>,
    /// `public` or `household`.
    pub audience: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogList {
    pub items: Vec<ApiCatalogItem>,
}

/// A public version of a disclosure, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureItem {
    pub id: i64,
    pub village: String,
    pub column: String,
    /// `2026-03`, `2026-Q1`, `2026-H1`, `2026`, or none for an event.
    pub period: Option<String>,
    pub title: String,
    /// `published` (current), `superseded` (corrected by a later version) or `withdrawn`.
    pub state: String,
    /// `original` or `correction`.
    pub kind: String,
    /// 1 for an original, one more for each correction in its chain.
    pub version: i32,
    pub published_at: Option<DateTime<Utc>>,
    pub attachment_count: i64,
    /// This version in full.
    pub api: String,
    pub html: String,
}

/// One page of a list. `next_cursor` is absent on the last page; `next` is the address of
/// the following page with the same filters.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosurePage {
    pub items: Vec<DisclosureItem>,
    pub next_cursor: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiAttachment {
    pub file_name: String,
    pub media_type: String,
    pub byte_size: i64,
    pub sha256: String,
    pub url: String,
}

/// A sign-off recorded in the publication log (the reviewer's name as published).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiSignoff {
    pub reviewer: String,
    pub role: String,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
}

/// Another version in the same chain of corrections.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionLink {
    pub id: i64,
    pub version: i32,
    pub kind: String,
    pub state: String,
    pub published_at: Option<DateTime<Utc>>,
    pub api: String,
}

/// An entry of the publication log about this version.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogRef {
    pub seq: i64,
    /// `publish`, `correct` or `withdraw`.
    pub action: String,
    pub at: DateTime<Utc>,
    pub entry_hash: String,
}

/// One public version with its content, its place in the chain of corrections, and where to
/// check it: the canonical JSON its content hash is computed over, and its inclusion proof
/// in the transparency log.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureDetail {
    pub id: i64,
    pub village: String,
    pub column: String,
    pub catalog_item: Option<String>,
    pub period: Option<String>,
    pub title: String,
    /// The body as written (Markdown).
    pub body_md: String,
    pub state: String,
    pub kind: String,
    pub version: i32,
    /// The version this one corrects.
    pub replaces: Option<i64>,
    /// Why it was corrected or withdrawn.
    pub reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// SHA-256 of the canonical content (hex).
    pub content_hash: String,
    pub content_url: String,
    pub proof_url: String,
    pub html: String,
    pub attachments: Vec<ApiAttachment>,
    pub signoffs: Vec<ApiSignoff>,
    /// Every public version of this item, oldest first (this one included).
    pub versions: Vec<VersionLink>,
    pub log: Vec<LogRef>,
}

/// A month whose accounts the village has published.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinanceMonth {
    #[schema(example = "2026-03")]
    pub period: String,
    pub api: String,
    pub html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinanceMonths {
    pub months: Vec<FinanceMonth>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryAmount {
    pub category: String,
    pub amount_fen: i64,
    /// Numbers of the vouchers behind the line (`记-3`).
    pub vouchers: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LargeItem {
    pub voucher: String,
    pub date: NaiveDate,
    pub summary: String,
    pub category: String,
    pub amount_fen: i64,
}

/// A published month's income and expenditure statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinanceStatement {
    pub period: String,
    pub total_income_fen: i64,
    pub total_expenditure_fen: i64,
    pub opening_cash_fen: i64,
    pub closing_cash_fen: i64,
    pub opening_bank_fen: i64,
    pub closing_bank_fen: i64,
    pub income: Vec<CategoryAmount>,
    pub expenditure: Vec<CategoryAmount>,
    pub large_items: Vec<LargeItem>,
    pub vouchers: String,
    pub csv: String,
    pub xlsx: String,
    pub html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryLine {
    pub summary: String,
    pub account_code: String,
    pub account_name: String,
    pub debit_fen: i64,
    pub credit_fen: i64,
}

/// A receipt scan of a voucher, with its public addresses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiReceipt {
    pub file_name: String,
    pub media_type: String,
    pub byte_size: i64,
    pub sha256: String,
    /// The scan itself.
    pub url: String,
    /// The viewer page.
    pub html: String,
    /// The voucher changed after the scan was attached: not yet confirmed to still belong.
    pub needs_recheck: bool,
}

/// A voucher (凭证) of a published month: its entry lines and receipt scans.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiVoucher {
    #[schema(example = "记-3")]
    pub number: String,
    pub date: NaiveDate,
    pub lines: Vec<EntryLine>,
    pub receipts: Vec<ApiReceipt>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoucherPage {
    pub items: Vec<ApiVoucher>,
    pub next_cursor: Option<String>,
    pub next: Option<String>,
}

/// A lease contract of the village's collective property (lessee masked when a person).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiLease {
    pub contract_no: String,
    pub asset: String,
    pub asset_type: String,
    pub location: String,
    #[schema(example = "张*明")]
    pub lessee: String,
    /// Decimal text in `area_unit` (`m2` or `mu`).
    pub area: String,
    pub area_unit: String,
    pub annual_rent_fen: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeasePage {
    pub items: Vec<ApiLease>,
    pub next_cursor: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiDeal {
    pub date: NaiveDate,
    pub price_fen: i64,
    pub winner: String,
}

/// A listing on the public resource trading platform, at its current stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiListing {
    pub project_no: String,
    pub title: String,
    pub subject_type: String,
    pub location: String,
    pub area: String,
    pub area_unit: String,
    pub reserve_price_fen: i64,
    /// What the reserve price is per (as the platform's feed names it).
    pub price_unit: String,
    pub method: String,
    pub stage: String,
    pub announcement_start: NaiveDate,
    pub announcement_end: NaiveDate,
    pub registration_end: Option<NaiveDate>,
    pub bidding_date: Option<NaiveDate>,
    pub deal: Option<ApiDeal>,
    pub updated_at: DateTime<Utc>,
    pub html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingPage {
    pub items: Vec<ApiListing>,
    pub next_cursor: Option<String>,
    pub next: Option<String>,
}

/// One of a decision's two publications (the resolution, the implementation result).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiPublication {
    pub disclosure: i64,
    pub state: String,
    pub published_on: Option<NaiveDate>,
}

/// A decision record (四议两公开) with its steps recorded so far and what looks wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiDecision {
    pub number: String,
    pub subject: String,
    pub kind: String,
    pub amount_fen: Option<i64>,
    /// The steps recorded, in procedure order.
    pub steps: Vec<String>,
    pub resolution: Option<ApiPublication>,
    pub result: Option<ApiPublication>,
    /// Problems found in the record, in Chinese.
    pub flags: Vec<String>,
    pub html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionPage {
    pub items: Vec<ApiDecision>,
    pub next_cursor: Option<String>,
    pub next: Option<String>,
}

/// A villager's question whose asker allowed it to be shown, with the village's answer.
/// A hidden question keeps only its reason category; nothing names the asker.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiQuestion {
    pub id: i64,
    /// `disclosure`, `finance`, `voucher`, `lease` or `listing`.
    pub target_kind: String,
    pub target_ref: String,
    pub target_title: String,
    pub target_html: String,
    /// Empty when hidden.
    pub body: String,
    /// `open`, `answered` or `hidden`.
    pub state: String,
    pub asked_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    /// The correction the answer led to.
    pub correction: Option<i64>,
    pub hidden_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionPage {
    pub items: Vec<ApiQuestion>,
    pub next_cursor: Option<String>,
    pub next: Option<String>,
}

/// An entry of the hash-chained publication log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiLogEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub village: String,
    pub disclosure_id: i64,
    pub version: i32,
    pub action: String,
    pub content_hash: String,
    pub signoffs: Vec<ApiSignoff>,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub entry_hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<ApiLogEntry>,
    pub next_cursor: Option<String>,
    pub next: Option<String>,
}

/// Every error: a stable machine `code`, a message for people (Chinese first), and the
/// parameter or field at fault when there is one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// `not_found`, `bad_parameter`, `invalid`, `unavailable`, `internal`, …
    #[schema(example = "bad_parameter")]
    pub code: String,
    pub message: String,
    #[schema(example = "limit")]
    pub field: Option<String>,
}
