//! Database rows into domain values, and database errors into `StoreError`.

use super::prelude::*;

/// Database errors as the contract names them: no row is `NotFound`, a unique violation a
/// `Conflict`, a broken foreign key or check an `Invalid`, a lost connection `Unavailable`.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(db.to_string()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() || db.is_check_violation() => {
            StoreError::Invalid(db.to_string())
        }
        sqlx::Error::Io(e) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::PoolTimedOut => StoreError::Unavailable("connection pool timed out".into()),
        other => StoreError::Backend(other.to_string()),
    }
}

pub(super) fn region_from_row(row: &DbRow) -> StoreResult<Region> {
    decode::region(row.get("region_code"), row.get("name"), row.get("parent_code"), row.get("kind"))
}

pub(super) const SUMMARY_COLUMNS: &str =
    "d.disclosure_id, d.village_code, d.column_id, d.period, d.title, d.published_at, d.state, d.kind, d.version,
     (SELECT COUNT(*) FROM attachment a WHERE a.disclosure_id = d.disclosure_id) AS attachment_count";

pub(super) fn summary_from_row(r: &DbRow) -> StoreResult<DisclosureSummary> {
    Ok(DisclosureSummary {
        id: DisclosureId(r.get("disclosure_id")),
        village: decode::code(r.get("village_code"))?,
        column: r.get("column_id"),
        period: decode::period(r.get("period"))?,
        title: r.get("title"),
        published_at: r.get::<Option<DateTime<Utc>>, _>("published_at"),
        attachment_count: r.get("attachment_count"),
        state: decode::state(r.get("state"))?,
        kind: decode::kind(r.get("kind"))?,
        version: r.get::<i64, _>("version") as i32,
    })
}

pub(super) fn log_from_row(r: &DbRow) -> StoreResult<LogEntry> {
    Ok(LogEntry {
        seq: r.get("seq"),
        at: r.get("at"),
        village: decode::code(r.get("village_code"))?,
        disclosure_id: r.get("disclosure_id"),
        version: r.get::<i64, _>("version") as i32,
        action: decode::action(r.get("action"))?,
        content_hash: r.get("content_hash"),
        signoffs: decode::signoffs(r.get("signoffs_json"))?,
        reason: r.get("reason"),
        prev_hash: r.get("prev_hash"),
        entry_hash: r.get("entry_hash"),
    })
}

pub(super) fn staff_from_row(r: &DbRow, grants: Vec<yangguang_core::staff::Grant>) -> Staff {
    Staff {
        id: r.get("staff_id"),
        username: r.get("username"),
        display_name: r.get("display_name"),
        password_hash: r.get("password_hash"),
        must_change_password: r.get("must_change_password"),
        totp_secret: r.get("totp_secret"),
        disabled: r.get("disabled"),
        phone: r.get("phone"),
        grants,
        created_at: r.get("created_at"),
    }
}

pub(super) fn record_from(r: &DbRow) -> StoreResult<Record> {
    Ok(Record {
        village: decode::code(r.get("village_code"))?,
        key: r.get("record_key"),
        body: r.get("body"),
        updated_at: r.get("updated_at"),
    })
}
