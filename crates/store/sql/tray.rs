//! The receipt tray: scans waiting for their voucher, and the moves between tray and voucher,
//! each in one transaction.

use super::prelude::*;
use yangguang_store::{NewTrayScan, ReceiptTrayStore, TrayScan};

const TRAY_COLUMNS: &str = "tray_id, year, month, sha256, media_type, file_name, byte_size, added_at";

fn tray_scan(r: &DbRow) -> TrayScan {
    TrayScan {
        id: r.get("tray_id"),
        year: r.get::<i64, _>("year") as i32,
        month: r.get::<i64, _>("month") as u32,
        sha256: r.get("sha256"),
        media_type: r.get("media_type"),
        file_name: r.get("file_name"),
        byte_size: r.get("byte_size"),
        added_at: r.get("added_at"),
    }
}

async fn take_from_tray(conn: &mut DbConn, village: RegionCode, id: i64) -> StoreResult<TrayScan> {
    let row = sqlx::query(&format!("SELECT {TRAY_COLUMNS} FROM receipt_tray WHERE village_code = $1 AND tray_id = $2"))
        .bind(village.to_string())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    let scan = tray_scan(&row);
    sqlx::query("DELETE FROM receipt_tray WHERE tray_id = $1").bind(id).execute(&mut *conn).await.map_err(map_err)?;
    Ok(scan)
}

#[async_trait]
impl ReceiptTrayStore for Backend {
    async fn add_to_tray(&self, village: RegionCode, scans: &[NewTrayScan], now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let code = village.to_string();
        let mut added = 0;
        for chunk in scans.chunks(500) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "INSERT INTO receipt_tray (village_code, year, month, sha256, media_type, file_name, byte_size, added_at) ",
            );
            q.push_values(chunk, |mut b, s| {
                b.push_bind(&code)
                    .push_bind(i64::from(s.year))
                    .push_bind(i64::from(s.month))
                    .push_bind(&s.sha256)
                    .push_bind(&s.media_type)
                    .push_bind(&s.file_name)
                    .push_bind(s.byte_size)
                    .push_bind(now);
            });
            q.push(" ON CONFLICT DO NOTHING");
            added += q.build().execute(&mut *tx).await.map_err(map_err)?.rows_affected();
        }
        tx.commit().await.map_err(map_err)?;
        Ok(added)
    }

    async fn tray(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<TrayScan>> {
        let rows = sqlx::query(&format!(
            "SELECT {TRAY_COLUMNS} FROM receipt_tray WHERE village_code = $1 AND year = $2 AND month = $3 ORDER BY tray_id"
        ))
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows.iter().map(tray_scan).collect())
    }

    async fn assign_from_tray(&self, village: RegionCode, id: i64, voucher_no: &str) -> StoreResult<Receipt> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let scan = take_from_tray(&mut tx, village, id).await?;
        let voucher: Option<i64> = sqlx::query_scalar(
            "SELECT voucher_id FROM voucher WHERE village_code = $1 AND year = $2 AND month = $3 AND voucher_no = $4",
        )
        .bind(village.to_string())
        .bind(i64::from(scan.year))
        .bind(i64::from(scan.month))
        .bind(voucher_no)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        if voucher.is_none() {
            return Err(StoreError::Invalid(format!("no voucher {voucher_no} in {}-{:02}", scan.year, scan.month)));
        }
        sqlx::query(
            "INSERT INTO receipt (village_code, year, month, voucher_no, sha256, media_type, file_name, byte_size)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(village.to_string())
        .bind(i64::from(scan.year))
        .bind(i64::from(scan.month))
        .bind(voucher_no)
        .bind(&scan.sha256)
        .bind(&scan.media_type)
        .bind(&scan.file_name)
        .bind(scan.byte_size)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Receipt {
            year: scan.year,
            month: scan.month,
            voucher_no: voucher_no.to_owned(),
            sha256: scan.sha256,
            media_type: scan.media_type,
            file_name: scan.file_name,
            byte_size: scan.byte_size,
            needs_recheck: false,
        })
    }

    async fn remove_from_tray(&self, village: RegionCode, id: i64) -> StoreResult<TrayScan> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let scan = take_from_tray(&mut tx, village, id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(scan)
    }

    async fn detach_receipt(
        &self,
        village: RegionCode,
        (year, month, voucher_no): (i32, u32, &str),
        sha256: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<TrayScan> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let row = sqlx::query(
            "DELETE FROM receipt WHERE village_code = $1 AND year = $2 AND month = $3 AND voucher_no = $4
             AND sha256 = $5 RETURNING media_type, file_name, byte_size",
        )
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(voucher_no)
        .bind(sha256)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        let scan = NewTrayScan {
            year,
            month,
            sha256: sha256.to_owned(),
            media_type: row.get("media_type"),
            file_name: row.get("file_name"),
            byte_size: row.get("byte_size"),
        };
        sqlx::query(
            "INSERT INTO receipt_tray (village_code, year, month, sha256, media_type, file_name, byte_size, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(&scan.sha256)
        .bind(&scan.media_type)
        .bind(&scan.file_name)
        .bind(scan.byte_size)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let row = sqlx::query(&format!(
            "SELECT {TRAY_COLUMNS} FROM receipt_tray WHERE village_code = $1 AND year = $2 AND month = $3 AND sha256 = $4"
        ))
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(sha256)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(tray_scan(&row))
    }
}
