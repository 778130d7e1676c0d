//! Register documents (`record`) and small platform state, with batched idempotent upserts.

use super::prelude::*;

/// Records per statement: five parameters each stays far below either database's limit.
pub(super) const RECORD_CHUNK: usize = 200;

/// `{prefix} kind = … AND record_key IN (…)` for one chunk of keys.
pub(super) fn by_keys<'a>(prefix: &str, kind: &'a str, keys: &[&'a str]) -> QueryBuilder<'a, Db> {
    let mut q: QueryBuilder<Db> = QueryBuilder::new(prefix);
    q.push(" kind = ").push_bind(kind).push(" AND record_key IN (");
    let mut list = q.separated(", ");
    for key in keys {
        list.push_bind(*key);
    }
    q.push(")");
    q
}

/// The stored records of a kind among `keys`, a few hundred keys a query.
pub(super) async fn records_by_key(conn: &mut DbConn, kind: &str, keys: &[&str]) -> StoreResult<Vec<Record>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(RECORD_CHUNK) {
        for row in by_keys(concat!("SELECT ", record_columns!(), " FROM record WHERE"), kind, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
        {
            out.push(record_from(&row)?);
        }
    }
    Ok(out)
}

/// Upserts a batch: the stored versions read in a few queries, then only new and changed
/// records written, many to a statement. A key given twice: the last one stands.
pub(super) async fn upsert_batch(
    conn: &mut DbConn,
    kind: &str,
    records: &[NewRecord],
    now: DateTime<Utc>,
) -> StoreResult<Vec<Upserted>> {
    let keys: Vec<&str> = records.iter().map(|r| r.key.as_str()).collect();
    let mut stored: HashMap<String, (RegionCode, String)> =
        records_by_key(conn, kind, &keys).await?.into_iter().map(|r| (r.key, (r.village, r.body))).collect();
    let mut outcomes = Vec::with_capacity(records.len());
    let mut write: Vec<&NewRecord> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for record in records {
        let outcome = match stored.get(&record.key) {
            Some((v, body)) if *v == record.village && *body == record.body => Upserted::Unchanged,
            Some(_) => Upserted::Updated,
            None => Upserted::Inserted,
        };
        if outcome != Upserted::Unchanged {
            match position.get(record.key.as_str()) {
                Some(&i) => write[i] = record,
                None => {
                    position.insert(record.key.as_str(), write.len());
                    write.push(record);
                }
            }
            stored.insert(record.key.clone(), (record.village, record.body.clone()));
        }
        outcomes.push(outcome);
    }
    for chunk in write.chunks(RECORD_CHUNK) {
        let mut q: QueryBuilder<Db> =
            QueryBuilder::new("INSERT INTO record (kind, record_key, village_code, body, updated_at) ");
        q.push_values(chunk, |mut b, r| {
            b.push_bind(kind).push_bind(&r.key).push_bind(r.village.to_string()).push_bind(&r.body).push_bind(now);
        });
        q.push(
            " ON CONFLICT (kind, record_key) DO UPDATE SET village_code = excluded.village_code, \
             body = excluded.body, updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(outcomes)
}

#[async_trait]
impl RecordStore for Backend {
    async fn upsert_records(
        &self,
        kind: &str,
        records: &[NewRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Upserted>> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let done = upsert_batch(&mut tx, kind, records, now).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(done)
    }

    async fn replace_village_registers(
        &self,
        village: RegionCode,
        registers: &[(&str, &[NewRecord])],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<RecordCounts>> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let mut all = Vec::with_capacity(registers.len());
        for &(kind, records) in registers {
            if let Some(stray) = records.iter().find(|r| r.village != village) {
                return Err(StoreError::Invalid(format!("record {} belongs to another village", stray.key)));
            }
            let mut counts = RecordCounts::default();
            for outcome in upsert_batch(&mut tx, kind, records, now).await? {
                match outcome {
                    Upserted::Inserted => counts.inserted += 1,
                    Upserted::Updated => counts.updated += 1,
                    Upserted::Unchanged => counts.unchanged += 1,
                }
            }
            let keep: std::collections::HashSet<&str> = records.iter().map(|r| r.key.as_str()).collect();
            let stored: Vec<String> = {
                let mut q: QueryBuilder<Db> = QueryBuilder::new("SELECT record_key FROM record WHERE kind = ");
                q.push_bind(kind).push(" AND village_code = ").push_bind(village.to_string());
                q.build_query_scalar().fetch_all(&mut *tx).await.map_err(map_err)?
            };
            let gone: Vec<&str> = stored.iter().map(String::as_str).filter(|k| !keep.contains(k)).collect();
            for chunk in gone.chunks(RECORD_CHUNK) {
                by_keys("DELETE FROM record WHERE", kind, chunk).build().execute(&mut *tx).await.map_err(map_err)?;
            }
            counts.removed = gone.len() as u64;
            all.push(counts);
        }
        tx.commit().await.map_err(map_err)?;
        Ok(all)
    }

    async fn get_record(&self, kind: &str, key: &str) -> StoreResult<Option<Record>> {
        let row =
            sqlx::query(concat!("SELECT ", record_columns!(), " FROM record WHERE kind = $1 AND record_key = $2"))
                .bind(kind)
                .bind(key)
                .fetch_optional(self.reader())
                .await
                .map_err(map_err)?;
        row.as_ref().map(record_from).transpose()
    }

    async fn get_records(&self, kind: &str, keys: &[&str]) -> StoreResult<Vec<Record>> {
        let mut conn = self.reader().acquire().await.map_err(map_err)?;
        records_by_key(&mut conn, kind, keys).await
    }

    async fn village_records(&self, kind: &str, village: RegionCode) -> StoreResult<Vec<Record>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM record WHERE kind = $1 AND village_code = $2 ORDER BY record_key"
        ))
        .bind(kind)
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(record_from).collect()
    }

    async fn records_after(&self, kind: &str, after: &str, limit: u32) -> StoreResult<Vec<Record>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM record WHERE kind = $1 AND record_key > $2 ORDER BY record_key LIMIT $3"
        ))
        .bind(kind)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(record_from).collect()
    }

    async fn count_records(&self, kind: &str, region_prefix: &str) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM record WHERE kind = $1 AND village_code LIKE $2 || '%'")
            .bind(kind)
            .bind(region_prefix)
            .fetch_one(self.reader())
            .await
            .map_err(map_err)?;
        Ok(n as u64)
    }

    async fn get_state(&self, name: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM platform_state WHERE name = $1")
            .bind(name)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)
    }

    async fn put_state(&self, name: &str, value: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO platform_state (name, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn claim_state(&self, name: &str, value: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO platform_state (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn prune_state(&self, prefix: &str, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM platform_state WHERE name LIKE $1 || '%' AND updated_at < $2")
            .bind(prefix)
            .bind(before)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}
