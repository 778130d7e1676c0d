//! The one SQL implementation of the storage contract, shared by both backends.
//!
//! These files are not a crate of their own: `store-sqlite` and `store-postgres` each compile
//! them as their module `sql` (`#[path = "../../store/sql/mod.rs"]`), after defining
//! `crate::dialect` — the sqlx types of their database and the few points where the two truly
//! differ (the log and migration locks, the migrations table) — and `crate::Backend`, their
//! store with `reader()` and `writer()` pools. So every query and transaction is written once,
//! with `$N` placeholders (SQLite accepts them too), and a fix reaches both databases.
//!
//! What does not belong here: connection set-up and pool policy, migrations' DDL (each backend
//! keeps its own `migrations/`), anything that is not SQL.

// The columns each table is read with: named, never `SELECT *`, so that a column added by a
// migration cannot change what a query returns. Macros, so that `concat!` builds each query
// at compile time.
macro_rules! disclosure_columns {
    () => {
        "disclosure_id, village_code, column_id, catalog_item_id, period, title, body_md, state, kind, \
         replaces_id, reason, created_by, version, created_at, updated_at, submitted_at, scheduled_at, published_at"
    };
}
macro_rules! signoff_columns {
    () => {
        "signoff_id, disclosure_id, staff_id, reviewer_name, reviewer_role, decision, comment, content_hash, at"
    };
}
macro_rules! receipt_columns {
    () => {
        "receipt_id, village_code, year, month, voucher_no, sha256, media_type, file_name, byte_size, needs_recheck"
    };
}
macro_rules! log_columns {
    () => {
        "seq, at, village_code, disclosure_id, version, action, content_hash, signoffs_json, reason, prev_hash, \
         entry_hash"
    };
}
macro_rules! checkpoint_columns {
    () => {
        "seq, head_hash, at, public_key, signature"
    };
}
macro_rules! tree_checkpoint_columns {
    () => {
        "tree_size, root_hash, note, signed_at"
    };
}
macro_rules! record_columns {
    () => {
        "kind, record_key, village_code, body, updated_at"
    };
}
macro_rules! staff_columns {
    () => {
        "staff_id, username, display_name, password_hash, must_change_password, totp_secret, disabled, created_at, phone"
    };
}
macro_rules! session_columns {
    () => {
        "token_hash, staff_id, csrf_token, created_at, expires_at, revoked, ip"
    };
}
macro_rules! token_columns {
    () => {
        "token_hash, name, regions, created_at, revoked"
    };
}
macro_rules! audit_columns {
    () => {
        "audit_id, at, staff_id, staff_name, action, target, detail, ip"
    };
}
mod calendar;
mod cluster;
mod decisions;
mod disclosures;
mod governance;
mod ledger;
mod log;
mod migrate;
mod points;
mod previews;
mod public_api;
mod published;
mod questions;
mod records;
mod regions;
mod reports;
mod rows;
mod search;
mod staff;
mod tips;
mod tray;
mod visits;
mod warnings;

pub use ledger::ImportSession;

/// The migrations, each read from the compiling backend's own `migrations/` folder: the two
/// folders hold the same versions in each database's DDL.
const MIGRATIONS: &[yangguang_store::Migration] = &[
    (1, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0001_init.sql"))),
    (2, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0002_ledger.sql"))),
    (3, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0003_receipt.sql"))),
    (4, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0004_integration_token.sql"))),
    (5, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0005_ledger_columns.sql"))),
    (6, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0006_record.sql"))),
    (7, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0007_totp_step.sql"))),
    (9, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0009_book_lock.sql"))),
    (10, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0010_tree.sql"))),
    (11, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0011_import_preview.sql"))),
    (12, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0012_receipt_tray.sql"))),
    (13, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0013_staff_phone.sql"))),
    (16, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0016_questions.sql"))),
    (17, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0017_report.sql"))),
    (18, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0018_tip.sql"))),
    (19, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0019_decision.sql"))),
    (20, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0020_governance.sql"))),
    (21, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0021_points.sql"))),
    (23, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0023_cluster.sql"))),
    (25, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0025_search_change.sql"))),
    (29, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0029_visits.sql"))),
    (30, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0030_warnings.sql"))),
    (34, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0034_redemption_correction.sql"))),
    (35, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0035_threshold_change.sql"))),
];
#[cfg(test)]
pub(crate) use migrate::tests as migrate_tests;
#[cfg(test)]
pub(crate) use points::tests as points_tests;
pub(crate) use rows::map_err;

/// One value of a row written in bulk ([`crate::dialect::write_rows`]): the two kinds the bulk
/// paths bind, with dates and times already in the text form both databases read.
pub(crate) enum Cell<'a> {
    Int(i64),
    Text(std::borrow::Cow<'a, str>),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(std::borrow::Cow::Borrowed(s))
    }
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<DateText> for Cell<'_> {
    fn from(d: DateText) -> Self {
        Cell::Text(std::borrow::Cow::Owned(d.0))
    }
}

/// A date or time as sqlx's SQLite encoding writes it (`%F`; RFC 3339 with automatic
/// fractions), which PostgreSQL's `COPY` also reads: bulk rows and bound rows stay alike.
pub(crate) struct DateText(String);

impl DateText {
    /// `2026-03-05`, without chrono's formatter: an import writes one for every entry line,
    /// and chrono parses its pattern each time.
    pub(crate) fn date(d: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        let (y, m, day) = (d.year(), d.month(), d.day());
        if !(0..=9999).contains(&y) {
            return DateText(d.format("%F").to_string());
        }
        DateText(format!("{y:04}-{m:02}-{day:02}"))
    }

    pub(crate) fn time(t: chrono::DateTime<chrono::Utc>) -> Self {
        DateText(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// The names every query module uses: the contract, the domain types, sqlx, and the dialect.
mod prelude {
    pub(super) use std::collections::HashMap;

    pub(super) use async_trait::async_trait;
    pub(super) use chrono::{DateTime, NaiveDate, Utc};
    pub(super) use sqlx::{Executor, QueryBuilder, Row};
    pub(super) use yangguang_core::Fen;
    pub(super) use yangguang_core::ledger::{LedgerEntry, Voucher};
    pub(super) use yangguang_core::log_leaf::{LeafContext, leaf_bytes};
    pub(super) use yangguang_core::publication::{
        Checkpoint, GENESIS, LogAction, LogEntry, PendingEntry, SignoffRecord,
    };
    pub(super) use yangguang_core::{
        Attachment, Disclosure, DisclosureId, DisclosureState, DisclosureSummary, NewDisclosure, Period, Region,
        RegionCode,
    };
    pub(super) use yangguang_store::PublishedQuery;
    pub(super) use yangguang_store::{
        AuditEntry, BookFreeze, DisclosureQuery, DisclosureStore, DraftEdit, FrozenMonth, IntegrationToken,
        LedgerStore, LogStore, NewRecord, NewStaff, Page, Receipt, Record, RecordCounts, RecordStore, RegionStore,
        Repeated, Session, Signoff, Staff, StaffStore, Store, StoreError, StoreResult, TreeCheckpoint, Upserted,
        VoucherImport, VoucherImportSession, WorkQuery, decode, rules,
    };

    pub(super) use super::disclosures::*;
    pub(super) use super::ledger::freeze_books;
    pub(super) use super::log::*;
    pub(super) use super::rows::*;
    pub(super) use super::{Cell, DateText};
    pub(super) use crate::Backend;
    pub(super) use crate::dialect::{self, Db, DbConn, DbRow};
}

#[cfg(test)]
mod tests {
    use super::DateText;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for (y, m, d) in [(2026, 3, 5), (1, 1, 1), (9999, 12, 31), (-44, 3, 15), (12345, 6, 7), (2000, 10, 10)] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(DateText::date(date).as_str(), date.format("%F").to_string());
        }
    }

    /// No query in the shared implementation reads `*`: every column is named.
    #[test]
    fn no_query_selects_star() {
        let sources = [
            include_str!("decisions.rs"),
            include_str!("cluster.rs"),
            include_str!("calendar.rs"),
            include_str!("disclosures.rs"),
            include_str!("governance.rs"),
            include_str!("published.rs"),
            include_str!("questions.rs"),
            include_str!("ledger.rs"),
            include_str!("log.rs"),
            include_str!("migrate.rs"),
            include_str!("points.rs"),
            include_str!("previews.rs"),
            include_str!("records.rs"),
            include_str!("regions.rs"),
            include_str!("reports.rs"),
            include_str!("rows.rs"),
            include_str!("search.rs"),
            include_str!("staff.rs"),
            include_str!("tray.rs"),
            include_str!("tips.rs"),
            include_str!("visits.rs"),
            include_str!("warnings.rs"),
        ];
        for source in sources {
            assert!(!source.to_uppercase().contains(concat!("SELECT ", "*")), "a query selects *");
        }
    }
}
