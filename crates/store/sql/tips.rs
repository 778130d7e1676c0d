//! Sealed whistle-blowing reports: stored and read as opaque text, never opened here.

use super::prelude::*;
use yangguang_core::tip::TipStatus;
use yangguang_store::{NewTip, Tip, TipReply, TipStore};

const TIP_COLUMNS: &str = "tip_id, reply_key, sealed, status, attachments, received_at, updated_at";

fn tip(r: &DbRow) -> StoreResult<Tip> {
    let status: String = r.get("status");
    Ok(Tip {
        id: r.get("tip_id"),
        reply_key: r.get("reply_key"),
        sealed: r.get("sealed"),
        status: TipStatus::parse(&status).ok_or_else(|| StoreError::Invalid(format!("tip status {status}")))?,
        attachments: r.get("attachments"),
        received_at: r.get("received_at"),
        updated_at: r.get("updated_at"),
    })
}

#[async_trait]
impl TipStore for Backend {
    async fn create_tip(&self, new: &NewTip, at: DateTime<Utc>) -> StoreResult<i64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tip (lookup, reply_key, sealed, status, attachments, received_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING tip_id",
        )
        .bind(&new.lookup)
        .bind(&new.reply_key)
        .bind(&new.sealed)
        .bind(TipStatus::New.as_str())
        .bind(new.attachments.len() as i64)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        for (position, sealed) in new.attachments.iter().enumerate() {
            sqlx::query("INSERT INTO tip_attachment (tip_id, position, sealed) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(position as i64)
                .bind(sealed)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn list_tips(&self) -> StoreResult<Vec<Tip>> {
        let rows = sqlx::query(&format!("SELECT {TIP_COLUMNS} FROM tip ORDER BY tip_id DESC"))
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?;
        rows.iter().map(tip).collect()
    }

    async fn get_tip(&self, id: i64) -> StoreResult<Tip> {
        let row = sqlx::query(&format!("SELECT {TIP_COLUMNS} FROM tip WHERE tip_id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        tip(&row)
    }

    async fn find_tip(&self, lookup: &str) -> StoreResult<Option<Tip>> {
        let row = sqlx::query(&format!("SELECT {TIP_COLUMNS} FROM tip WHERE lookup = $1"))
            .bind(lookup)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?;
        row.as_ref().map(tip).transpose()
    }

    async fn tip_attachment(&self, id: i64, position: i64) -> StoreResult<String> {
        sqlx::query_scalar("SELECT sealed FROM tip_attachment WHERE tip_id = $1 AND position = $2")
            .bind(id)
            .bind(position)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)
    }

    async fn set_tip_status(&self, id: i64, status: TipStatus, at: DateTime<Utc>) -> StoreResult<()> {
        let done = sqlx::query("UPDATE tip SET status = $1, updated_at = $2 WHERE tip_id = $3")
            .bind(status.as_str())
            .bind(at)
            .bind(id)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn add_tip_reply(&self, id: i64, reply: &TipReply) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let done = sqlx::query("UPDATE tip SET updated_at = $1 WHERE tip_id = $2")
            .bind(reply.at)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("INSERT INTO tip_reply (tip_id, to_reporter, to_commission, at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&reply.to_reporter)
            .bind(&reply.to_commission)
            .bind(reply.at)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn tip_replies(&self, id: i64) -> StoreResult<Vec<TipReply>> {
        let rows =
            sqlx::query("SELECT to_reporter, to_commission, at FROM tip_reply WHERE tip_id = $1 ORDER BY reply_id")
                .bind(id)
                .fetch_all(self.reader())
                .await
                .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| TipReply {
                to_reporter: r.get("to_reporter"),
                to_commission: r.get("to_commission"),
                at: r.get("at"),
            })
            .collect())
    }

    async fn count_tips(&self, status: TipStatus) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tip WHERE status = $1")
            .bind(status.as_str())
            .fetch_one(self.reader())
            .await
            .map_err(map_err)?;
        Ok(n as u64)
    }
}
