//! The change feed, job leases and compare-and-set state that several app servers share.

use super::prelude::*;
use yangguang_store::{ChangeListener, ClusterStore, Lease, PageChange};

#[async_trait]
impl ClusterStore for Backend {
    async fn record_changes(&self, origin: &str, scopes: &[String], now: DateTime<Utc>) -> StoreResult<i64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        // Writers take turns (nothing to do on SQLite's single writer), so ids commit in
        // order and a reader past id n cannot miss a smaller one committed later.
        dialect::lock_changes(&mut tx).await?;
        let mut last = 0;
        for scope in scopes {
            last = sqlx::query_scalar(
                "INSERT INTO page_change (origin, scope, at) VALUES ($1, $2, $3) RETURNING change_id",
            )
            .bind(origin)
            .bind(scope)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        dialect::notify_changes(&mut tx).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(last)
    }

    async fn changes_since(&self, after: i64, limit: u32) -> StoreResult<Vec<PageChange>> {
        let rows = sqlx::query(
            "SELECT change_id, origin, scope FROM page_change WHERE change_id > $1 ORDER BY change_id LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| PageChange { id: r.get("change_id"), origin: r.get("origin"), scope: r.get("scope") })
            .collect())
    }

    async fn latest_change(&self) -> StoreResult<i64> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(change_id) FROM page_change")
            .fetch_one(self.reader())
            .await
            .map_err(map_err)?;
        Ok(id.unwrap_or(0))
    }

    async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        // The latest row stays whatever its age: it is what a starting server reads its
        // position from, and ids must never go back.
        let done = sqlx::query(
            "DELETE FROM page_change WHERE at < $1 AND change_id < (SELECT MAX(change_id) FROM page_change)",
        )
        .bind(before)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn listen_changes(&self) -> StoreResult<Option<Box<dyn ChangeListener>>> {
        dialect::listen_changes(self.writer()).await
    }

    async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // Milliseconds since the epoch: compared as numbers on both databases.
        let done = sqlx::query(
            "INSERT INTO job_lease (name, holder, expires_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms
             WHERE job_lease.holder = excluded.holder OR job_lease.expires_ms < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(until.timestamp_millis())
        .bind(now.timestamp_millis())
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM job_lease WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn lease(&self, name: &str) -> StoreResult<Option<Lease>> {
        let row = sqlx::query("SELECT holder, expires_ms FROM job_lease WHERE name = $1")
            .bind(name)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?;
        row.map(|r| {
            let ms: i64 = r.get("expires_ms");
            let expires_at =
                DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Invalid(format!("lease expiry {ms}")))?;
            Ok(Lease { holder: r.get("holder"), expires_at })
        })
        .transpose()
    }

    async fn replace_state(
        &self,
        name: &str,
        expected: Option<&str>,
        value: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // An UPDATE that names the old value: a concurrent writer's change (on PostgreSQL the
        // row lock makes the second writer re-read it) leaves this one without a row.
        let done = match expected {
            None => sqlx::query(
                "INSERT INTO platform_state (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(value)
            .bind(now)
            .execute(self.writer())
            .await
            .map_err(map_err)?,
            Some(old) => sqlx::query(
                "UPDATE platform_state SET value = $2, updated_at = $3 WHERE name = $1 AND value = $4",
            )
            .bind(name)
            .bind(value)
            .bind(now)
            .bind(old)
            .execute(self.writer())
            .await
            .map_err(map_err)?,
        };
        Ok(done.rows_affected() == 1)
    }
}
