//! The search index's change feed, and the publication log read as a feed of villages.

use super::prelude::*;
use yangguang_store::{SearchChange, SearchFeedStore};

#[async_trait]
impl SearchFeedStore for Backend {
    async fn record_search_changes(&self, villages: &[Option<RegionCode>], at: DateTime<Utc>) -> StoreResult<Vec<i64>> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let mut seqs = Vec::with_capacity(villages.len());
        for village in villages {
            let seq: i64 =
                sqlx::query_scalar("INSERT INTO search_change (village_code, at) VALUES ($1, $2) RETURNING seq")
                    .bind(village.map(|v| v.to_string()))
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_err)?;
            seqs.push(seq);
        }
        tx.commit().await.map_err(map_err)?;
        Ok(seqs)
    }

    async fn search_changes_after(&self, after: i64, limit: u32) -> StoreResult<Vec<SearchChange>> {
        let rows = sqlx::query("SELECT seq, village_code FROM search_change WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let village: Option<String> = r.get("village_code");
                Ok(SearchChange { seq: r.get("seq"), village: village.as_deref().map(decode::code).transpose()? })
            })
            .collect()
    }

    async fn search_heads(&self) -> StoreResult<(i64, i64)> {
        let changes: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM search_change").fetch_one(self.reader()).await.map_err(map_err)?;
        let log: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM log_entry").fetch_one(self.reader()).await.map_err(map_err)?;
        Ok((changes.unwrap_or(0), log.unwrap_or(0)))
    }

    async fn log_villages_after(&self, after: i64, limit: u32) -> StoreResult<(Vec<RegionCode>, i64)> {
        let rows = sqlx::query("SELECT seq, village_code FROM log_entry WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?;
        let mut last = after;
        let mut villages = Vec::new();
        for r in &rows {
            last = r.get("seq");
            let village = decode::code(r.get("village_code"))?;
            if !villages.contains(&village) {
                villages.push(village);
            }
        }
        Ok((villages, last))
    }

    async fn prune_search_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM search_change WHERE at < $1")
            .bind(before)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}
