//! Import previews waiting for confirmation, stored vouchers for comparison, flagged scans.

use super::ledger::{key_of_parts, push_keys};
use super::prelude::*;
use yangguang_store::{ImportPreview, PreviewStore, StoredVoucher};

#[async_trait]
impl PreviewStore for Backend {
    async fn save_preview(&self, p: &ImportPreview) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO import_preview (preview_id, kind, village_code, staff_id, file_sha256, settings, basis, files,
                                         created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (preview_id) DO UPDATE SET basis = excluded.basis, created_at = excluded.created_at,
                                                    expires_at = excluded.expires_at",
        )
        .bind(&p.id)
        .bind(&p.kind)
        .bind(p.village.to_string())
        .bind(p.staff_id)
        .bind(&p.file_sha256)
        .bind(&p.settings)
        .bind(&p.basis)
        .bind(&p.files)
        .bind(p.created_at)
        .bind(p.expires_at)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn take_preview(
        &self,
        id: &str,
        staff_id: i64,
        village: RegionCode,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ImportPreview>> {
        // DELETE … RETURNING: of two confirms sent together, one gets the preview.
        let row = sqlx::query(
            "DELETE FROM import_preview WHERE preview_id = $1 AND staff_id = $2 AND village_code = $3 AND expires_at > $4
             RETURNING preview_id, kind, village_code, staff_id, file_sha256, settings, basis, files, created_at, expires_at",
        )
        .bind(id)
        .bind(staff_id)
        .bind(village.to_string())
        .bind(now)
        .fetch_optional(self.writer())
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(ImportPreview {
                id: r.get("preview_id"),
                kind: r.get("kind"),
                village: decode::code(r.get::<&str, _>("village_code"))?,
                staff_id: r.get("staff_id"),
                file_sha256: r.get("file_sha256"),
                settings: r.get("settings"),
                basis: r.get("basis"),
                files: r.get("files"),
                created_at: r.get("created_at"),
                expires_at: r.get("expires_at"),
            })
        })
        .transpose()
    }

    async fn prune_previews(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM import_preview WHERE expires_at <= $1")
            .bind(now)
            .execute(self.writer())
            .await
            .map_err(map_err)?
            .rows_affected())
    }

    async fn stored_vouchers(
        &self,
        village: RegionCode,
        keys: &[(i32, u32, String)],
    ) -> StoreResult<Vec<StoredVoucher>> {
        let mut conn = self.reader().acquire().await.map_err(map_err)?;
        stored_in(&mut conn, village, keys).await
    }

    async fn flagged_receipts(&self, village: RegionCode) -> StoreResult<Vec<Receipt>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            receipt_columns!(),
            " FROM receipt WHERE village_code = $1 AND needs_recheck = TRUE ORDER BY year, month, voucher_no, receipt_id"
        ))
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Receipt {
                year: r.get::<i64, _>("year") as i32,
                month: r.get::<i64, _>("month") as u32,
                voucher_no: r.get("voucher_no"),
                sha256: r.get("sha256"),
                media_type: r.get("media_type"),
                file_name: r.get("file_name"),
                byte_size: r.get("byte_size"),
                needs_recheck: true,
            })
            .collect())
    }

    async fn confirm_receipt(
        &self,
        village: RegionCode,
        year: i32,
        month: u32,
        voucher_no: &str,
        sha256: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE receipt SET needs_recheck = FALSE
             WHERE village_code = $1 AND year = $2 AND month = $3 AND voucher_no = $4 AND sha256 = $5
               AND needs_recheck = TRUE",
        )
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(voucher_no)
        .bind(sha256)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }
}

/// See [`PreviewStore::stored_vouchers`]; also read inside an import's own transaction, so
/// that a preview sees the books as its import does.
pub(super) async fn stored_in(
    conn: &mut DbConn,
    village: RegionCode,
    keys: &[(i32, u32, String)],
) -> StoreResult<Vec<StoredVoucher>> {
    let mut found: Vec<StoredVoucher> = vec![];
    let code = village.to_string();
    for chunk in keys.chunks(500) {
        let mut q = QueryBuilder::new(
            "SELECT v.year, v.month, v.voucher_no, v.content_hash, v.locked, e.line, e.entry_date, e.voucher_label,
                    e.summary, e.account_code, e.account_name, e.debit, e.credit, e.attachments,
                    (SELECT COUNT(*) FROM receipt r WHERE r.village_code = v.village_code AND r.year = v.year
                       AND r.month = v.month AND r.voucher_no = v.voucher_no) AS receipts
             FROM voucher v JOIN ledger_entry e ON e.voucher_id = v.voucher_id WHERE v.village_code = ",
        );
        q.push_bind(&code).push(" AND");
        push_keys(&mut q, chunk.iter().map(key_of_parts));
        q.push(" ORDER BY v.year, v.month, v.voucher_no, e.line");
        let rows = q.build().fetch_all(&mut *conn).await.map_err(map_err)?;
        for r in rows {
            let (year, month, number): (i64, i64, String) = (r.get("year"), r.get("month"), r.get("voucher_no"));
            let line = LedgerEntry {
                date: r.get("entry_date"),
                voucher_no: r.get("voucher_label"),
                summary: r.get("summary"),
                account_code: r.get("account_code"),
                account_name: r.get("account_name"),
                debit: Fen(r.get("debit")),
                credit: Fen(r.get("credit")),
                attachments: r.get::<i64, _>("attachments") as u32,
                row: r.get::<i64, _>("line") as u64,
            };
            match found.last_mut() {
                Some(StoredVoucher { year: y, month: m, number: n, lines, .. })
                    if i64::from(*y) == year && i64::from(*m) == month && *n == number =>
                {
                    lines.push(line)
                }
                _ => found.push(StoredVoucher {
                    year: year as i32,
                    month: month as u32,
                    number,
                    content_hash: r.get("content_hash"),
                    locked: r.get("locked"),
                    receipts: r.get::<i64, _>("receipts") as u64,
                    lines: vec![line],
                }),
            }
        }
    }
    Ok(found)
}
