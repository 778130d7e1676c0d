//! Rows written in bulk on SQLite: one prepared statement stepped once per row on the
//! connection sqlx holds, inside its open transaction.
//!
//! sqlx sends every statement to its connection's worker thread and copies each bound value
//! twice on the way; for a village's books (hundreds of thousands of values) that hand-off cost
//! several times what SQLite spends writing the rows. sqlx lends out the raw handle for exactly
//! this (`lock_handle`), and rusqlite steps a statement on it the way `sqlite3 .import` does.

use std::ptr::NonNull;

use libsqlite3_sys::sqlite3;
use yangguang_store::{StoreError, StoreResult};

use crate::sql::{Cell, map_err};

/// Appends `rows` (values in `columns`' order) to `table`; with `id`, the rowid-alias key
/// column, returns the new rows' ids in order.
pub async fn write_rows(
    conn: &mut sqlx::SqliteConnection,
    table: &str,
    id: Option<&str>,
    columns: &[&str],
    rows: &[Vec<Cell<'_>>],
) -> StoreResult<Vec<i64>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), vec!["?"; columns.len()].join(", "));
    let mut handle = conn.lock_handle().await.map_err(map_err)?;
    step_rows(handle.as_raw_handle(), &sql, id.is_some(), rows).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Conflict(msg.unwrap_or_else(|| f.to_string()))
        }
        other => StoreError::Backend(other.to_string()),
    })
}

#[allow(unsafe_code)]
fn step_rows(raw: NonNull<sqlite3>, sql: &str, want_ids: bool, rows: &[Vec<Cell<'_>>]) -> rusqlite::Result<Vec<i64>> {
    // SAFETY: the handle is sqlx's open connection, locked away from its worker thread for as
    // long as the caller holds the lock (the whole of this call), and a connection made with
    // `from_handle` leaves the handle open when it is dropped. Both crates link the one
    // libsqlite3-sys, so the pointer's type is the same library's.
    let db = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
    let mut ids = Vec::with_capacity(if want_ids { rows.len() } else { 0 });
    {
        let mut statement = db.prepare(sql)?;
        for row in rows {
            for (i, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Int(n) => statement.raw_bind_parameter(i + 1, n)?,
                    Cell::Text(s) => statement.raw_bind_parameter(i + 1, s.as_ref())?,
                }
            }
            statement.raw_execute()?;
            if want_ids {
                ids.push(db.last_insert_rowid());
            }
        }
    }
    Ok(ids)
}
