//! The default backend: one SQLite file in WAL mode. Writes go through a single-connection
//! pool (SQLite has one writer at a time, and queuing in-process beats lock retries); reads
//! use a small pool of their own.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Executor, QueryBuilder, Row, Sqlite, SqlitePool};
use yangguang_core::{
    Attachment, Disclosure, DisclosureId, DisclosureSummary, NewDisclosure, Period, Region,
    RegionCode,
};
use yangguang_store::{
    DisclosureQuery, DisclosureStore, Migration, Page, RegionStore, Store, StoreError, StoreResult,
    decode,
};

const MIGRATIONS: &[Migration] = &[(1, include_str!("../migrations/0001_init.sql"))];

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.to_string())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() || db.is_check_violation() => {
            StoreError::Invalid(db.to_string())
        }
        sqlx::Error::Io(e) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::PoolTimedOut => StoreError::Unavailable("connection pool timed out".into()),
        other => StoreError::Backend(other.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path`.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::with_options(options).await
    }

    /// A private in-memory database, for tests.
    pub async fn in_memory() -> StoreResult<Self> {
        // A shared-cache in-memory database lives while any connection is open; the name
        // keeps separate stores in one process apart.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = format!(
            "sqlite:file:yangguang-mem-{}-{n}?mode=memory&cache=shared",
            std::process::id()
        );
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(map_err)?
            .foreign_keys(true);
        Self::with_options(options).await
    }

    async fn with_options(options: SqliteConnectOptions) -> StoreResult<Self> {
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self { writer, reader })
    }
}

fn region_from_row(row: &SqliteRow) -> StoreResult<Region> {
    decode::region(
        row.get("region_code"),
        row.get("name"),
        row.get("parent_code"),
        row.get("kind"),
    )
}

#[async_trait]
impl RegionStore for SqliteStore {
    async fn upsert_regions(&self, regions: &[Region]) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        for r in regions {
            sqlx::query(
                "INSERT INTO region (region_code, name, parent_code, kind) VALUES (?, ?, ?, ?)
                 ON CONFLICT (region_code) DO UPDATE
                 SET name = excluded.name, parent_code = excluded.parent_code, kind = excluded.kind",
            )
            .bind(r.code.to_string())
            .bind(&r.name)
            .bind(r.parent.map(|p| p.to_string()))
            .bind(r.kind.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        sqlx::query("SELECT region_code, name, parent_code, kind FROM region ORDER BY region_code")
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)?
            .iter()
            .map(region_from_row)
            .collect()
    }

    async fn get_region(&self, code: RegionCode) -> StoreResult<Region> {
        let row = sqlx::query(
            "SELECT region_code, name, parent_code, kind FROM region WHERE region_code = ?",
        )
        .bind(code.to_string())
        .fetch_one(&self.reader)
        .await
        .map_err(map_err)?;
        region_from_row(&row)
    }
}

#[async_trait]
impl DisclosureStore for SqliteStore {
    async fn insert_disclosures(&self, new: &[NewDisclosure]) -> StoreResult<Vec<DisclosureId>> {
        for d in new {
            d.validate()
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
        }
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let mut ids = Vec::with_capacity(new.len());
        for d in new {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure (village_code, column_id, catalog_item_id, period, title, body_md,
                                         state, created_at, published_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING disclosure_id",
            )
            .bind(d.village.to_string())
            .bind(&d.column)
            .bind(&d.catalog_item)
            .bind(d.period.map(|p| p.to_string()))
            .bind(&d.title)
            .bind(&d.body_md)
            .bind(d.state.as_str())
            .bind(d.created_at)
            .bind(d.published_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            if !d.attachments.is_empty() {
                let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                    "INSERT INTO attachment (disclosure_id, position, file_name, media_type, byte_size, sha256) ",
                );
                q.push_values(d.attachments.iter().enumerate(), |mut b, (i, a)| {
                    b.push_bind(id)
                        .push_bind(i as i64)
                        .push_bind(&a.file_name)
                        .push_bind(&a.media_type)
                        .push_bind(a.byte_size)
                        .push_bind(&a.sha256);
                });
                q.build().execute(&mut *tx).await.map_err(map_err)?;
            }
            ids.push(DisclosureId(id));
        }
        tx.commit().await.map_err(map_err)?;
        Ok(ids)
    }

    async fn get_disclosure(&self, id: DisclosureId) -> StoreResult<Disclosure> {
        let row = sqlx::query(
            "SELECT disclosure_id, village_code, column_id, catalog_item_id, period, title, body_md,
                    state, created_at, published_at
             FROM disclosure WHERE disclosure_id = ?",
        )
        .bind(id.0)
        .fetch_one(&self.reader)
        .await
        .map_err(map_err)?;
        let attachments = sqlx::query(
            "SELECT file_name, media_type, byte_size, sha256 FROM attachment
             WHERE disclosure_id = ? ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| Attachment {
            file_name: r.get("file_name"),
            media_type: r.get("media_type"),
            byte_size: r.get("byte_size"),
            sha256: r.get("sha256"),
        })
        .collect();
        Ok(Disclosure {
            id,
            village: decode::code(row.get("village_code"))?,
            column: row.get("column_id"),
            catalog_item: row.get("catalog_item_id"),
            period: decode::period(row.get("period"))?,
            title: row.get("title"),
            body_md: row.get("body_md"),
            state: decode::state(row.get("state"))?,
            created_at: row.get::<DateTime<Utc>, _>("created_at"),
            published_at: row.get::<Option<DateTime<Utc>>, _>("published_at"),
            attachments,
        })
    }

    async fn list_disclosures(
        &self,
        query: &DisclosureQuery,
    ) -> StoreResult<Page<DisclosureSummary>> {
        fn filter<'a>(q: &mut QueryBuilder<'a, Sqlite>, query: &'a DisclosureQuery) {
            q.push(" WHERE d.state = 'published' AND d.village_code = ");
            q.push_bind(query.village.to_string());
            if !query.columns.is_empty() {
                q.push(" AND d.column_id IN (");
                let mut list = q.separated(", ");
                for c in &query.columns {
                    list.push_bind(c);
                }
                q.push(")");
            }
        }
        let mut count: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT COUNT(*) FROM disclosure d");
        filter(&mut count, query);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&self.reader)
            .await
            .map_err(map_err)?;
        let mut list: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT d.disclosure_id, d.village_code, d.column_id, d.period, d.title, d.published_at,
                    (SELECT COUNT(*) FROM attachment a WHERE a.disclosure_id = d.disclosure_id) AS attachment_count
             FROM disclosure d",
        );
        filter(&mut list, query);
        list.push(" ORDER BY d.published_at DESC, d.disclosure_id DESC LIMIT ");
        list.push_bind(i64::from(query.per_page));
        list.push(" OFFSET ");
        list.push_bind(query.offset() as i64);
        let rows = list
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(DisclosureSummary {
                    id: DisclosureId(r.get("disclosure_id")),
                    village: decode::code(r.get("village_code"))?,
                    column: r.get("column_id"),
                    period: decode::period(r.get("period"))?,
                    title: r.get("title"),
                    published_at: r.get::<Option<DateTime<Utc>>, _>("published_at"),
                    attachment_count: r.get("attachment_count"),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page {
            items,
            total: total as u64,
            page: query.page.max(1),
            per_page: query.per_page,
        })
    }

    async fn published_periods(&self, village: RegionCode) -> StoreResult<Vec<(String, Period)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT catalog_item_id, period FROM disclosure
             WHERE village_code = ? AND state = 'published'
               AND catalog_item_id IS NOT NULL AND period IS NOT NULL",
        )
        .bind(village.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let period = decode::period(Some(r.get("period")))?.expect("present");
                Ok((r.get("catalog_item_id"), period))
            })
            .collect()
    }

    async fn count_disclosures(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM disclosure")
            .fetch_one(&self.reader)
            .await
            .map_err(map_err)?;
        Ok(n as u64)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        // All pending migrations in one transaction: a failed one leaves the schema as it was.
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        (&mut *tx)
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (
                version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            )
            .await
            .map_err(map_err)?;
        let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migration")
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
        for &(version, sql) in MIGRATIONS {
            if done.contains(&version) {
                continue;
            }
            (&mut *tx).execute(sql).await.map_err(map_err)?;
            sqlx::query("INSERT INTO schema_migration (version) VALUES (?)")
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> SqliteStore {
        let store = SqliteStore::in_memory().await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    yangguang_store_tests::contract_tests!(store);
}
