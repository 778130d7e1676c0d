//! Rows written in bulk on PostgreSQL: `COPY … FROM STDIN` in CSV, inside the open transaction.
//!
//! One multi-row `INSERT` binds every value separately (and stops at 65,535 of them); `COPY`
//! streams the rows as text, which the server parses and writes at its bulk-load speed.

use yangguang_store::{StoreError, StoreResult};

use crate::sql::{Cell, map_err};

/// Appends `rows` (values in `columns`' order) to `table`; with `id`, the key column filled
/// from its sequence, returns the new rows' ids in order.
pub async fn write_rows(
    conn: &mut sqlx::PgConnection,
    table: &str,
    id: Option<&str>,
    columns: &[&str],
    rows: &[Vec<Cell<'_>>],
) -> StoreResult<Vec<i64>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    // Ids are drawn from the column's own sequence first, so that each row's id is known
    // without relying on the order `RETURNING` gives rows back in.
    let ids: Vec<i64> = match id {
        Some(column) => sqlx::query_scalar(&format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', '{column}')) FROM generate_series(1, $1)"
        ))
        .bind(rows.len() as i64)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?,
        None => vec![],
    };
    let csv_error = |e: csv::Error| StoreError::Backend(format!("writing rows for COPY: {e}"));
    // Every field quoted: in COPY's CSV an unquoted empty field is NULL, a quoted one is ''.
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::with_capacity(rows.len() * 96));
    for (i, row) in rows.iter().enumerate() {
        if let Some(id) = ids.get(i) {
            out.write_field(id.to_string()).map_err(csv_error)?;
        }
        for cell in row {
            match cell {
                Cell::Int(n) => out.write_field(n.to_string()),
                Cell::Text(s) => out.write_field(s.as_bytes()),
            }
            .map_err(csv_error)?;
        }
        out.write_record(None::<&[u8]>).map_err(csv_error)?;
    }
    let data = out.into_inner().map_err(|e| StoreError::Backend(format!("writing rows for COPY: {e}")))?;
    let names: Vec<&str> = id.into_iter().chain(columns.iter().copied()).collect();
    let mut copy = conn
        .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN (FORMAT csv)", names.join(", ")))
        .await
        .map_err(map_err)?;
    copy.send(data).await.map_err(map_err)?;
    copy.finish().await.map_err(map_err)?;
    Ok(ids)
}
