//! The scale backend: PostgreSQL, chosen by a `postgres://` URL. Same contract and schema as
//! the PostgreSQL backend, in PostgreSQL's dialect. A store may live in its own schema, so that
//! test runs and tenants never collide.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Executor, PgPool, Postgres, QueryBuilder, Row};
use yangguang_core::{
    Attachment, Disclosure, DisclosureId, DisclosureSummary, NewDisclosure, Period, Region,
    RegionCode,
};
use yangguang_store::{
    DisclosureQuery, DisclosureStore, Migration, Page, RegionStore, Store, StoreError, StoreResult,
    decode,
};

const MIGRATIONS: &[Migration] = &[(1, include_str!("../migrations/0001_init.sql"))];

pub struct PostgresStore {
    pool: PgPool,
    /// The schema this store created for itself, if any.
    schema: Option<String>,
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

/// Schema names are interpolated into DDL, so only plain identifiers are accepted.
fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`), using the database's default schema.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Self::with_options(options).await
    }

    /// Connects with every table in `schema`, creating the schema if needed.
    pub async fn connect_in_schema(url: &str, schema: &str) -> StoreResult<Self> {
        if !valid_schema(schema) {
            return Err(StoreError::Invalid(format!("schema name {schema:?}")));
        }
        let options =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let bootstrap = Self::with_options(options.clone()).await?;
        sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .execute(&bootstrap.pool)
            .await
            .map_err(map_err)?;
        bootstrap.pool.close().await;
        let mut store = Self::with_options(options.options([("search_path", schema)])).await?;
        store.schema = Some(schema.to_owned());
        Ok(store)
    }

    /// Drops the schema made by [`Self::connect_in_schema`] and everything in it.
    pub async fn drop_own_schema(&self) -> StoreResult<()> {
        if let Some(schema) = &self.schema {
            sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }

    async fn with_options(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self { pool, schema: None })
    }
}

fn region_from_row(row: &PgRow) -> StoreResult<Region> {
    decode::region(
        row.get("region_code"),
        row.get("name"),
        row.get("parent_code"),
        row.get("kind"),
    )
}

#[async_trait]
impl RegionStore for PostgresStore {
    async fn upsert_regions(&self, regions: &[Region]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        for r in regions {
            sqlx::query(
                "INSERT INTO region (region_code, name, parent_code, kind) VALUES ($1, $2, $3, $4)
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
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(region_from_row)
            .collect()
    }

    async fn get_region(&self, code: RegionCode) -> StoreResult<Region> {
        let row = sqlx::query(
            "SELECT region_code, name, parent_code, kind FROM region WHERE region_code = $1",
        )
        .bind(code.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        region_from_row(&row)
    }
}

#[async_trait]
impl DisclosureStore for PostgresStore {
    async fn insert_disclosures(&self, new: &[NewDisclosure]) -> StoreResult<Vec<DisclosureId>> {
        for d in new {
            d.validate()
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
        }
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let mut ids = Vec::with_capacity(new.len());
        for d in new {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure (village_code, column_id, catalog_item_id, period, title, body_md,
                                         state, created_at, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING disclosure_id",
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
                let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
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
             FROM disclosure WHERE disclosure_id = $1",
        )
        .bind(id.0)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let attachments = sqlx::query(
            "SELECT file_name, media_type, byte_size, sha256 FROM attachment
             WHERE disclosure_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
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
        fn filter<'a>(q: &mut QueryBuilder<'a, Postgres>, query: &'a DisclosureQuery) {
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
        let mut count: QueryBuilder<Postgres> =
            QueryBuilder::new("SELECT COUNT(*) FROM disclosure d");
        filter(&mut count, query);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let mut list: QueryBuilder<Postgres> = QueryBuilder::new(
            "SELECT d.disclosure_id, d.village_code, d.column_id, d.period, d.title, d.published_at,
                    (SELECT COUNT(*) FROM attachment a WHERE a.disclosure_id = d.disclosure_id) AS attachment_count
             FROM disclosure d",
        );
        filter(&mut list, query);
        list.push(" ORDER BY d.published_at DESC, d.disclosure_id DESC LIMIT ");
        list.push_bind(i64::from(query.per_page));
        list.push(" OFFSET ");
        list.push_bind(query.offset() as i64);
        let rows = list.build().fetch_all(&self.pool).await.map_err(map_err)?;
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
             WHERE village_code = $1 AND state = 'published'
               AND catalog_item_id IS NOT NULL AND period IS NOT NULL",
        )
        .bind(village.to_string())
        .fetch_all(&self.pool)
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
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(n as u64)
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn migrate(&self) -> StoreResult<()> {
        // All pending migrations in one transaction (PostgreSQL's DDL is transactional). The
        // advisory lock lets one of several app servers starting together migrate while the
        // others wait.
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock(7130521)")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        (&mut *tx)
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (
                version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
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
            sqlx::query("INSERT INTO schema_migration (version) VALUES ($1)")
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The URL of the PostgreSQL server for tests; see the README.
    const URL_VAR: &str = "YANGGUANG_TEST_POSTGRES_URL";

    /// A store in a fresh schema, or `None` (with a note) when no server is configured.
    /// Under CI a missing server is a failure, never a silent skip.
    async fn store() -> Option<PostgresStore> {
        let url = match std::env::var(URL_VAR) {
            Ok(url) => url,
            Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI=true but {URL_VAR} is not set: PostgreSQL tests must run in CI")
            }
            Err(_) => {
                eprintln!(
                    "skipping PostgreSQL contract test: set {URL_VAR}=postgres://127.0.0.1:5432/test to run it"
                );
                return None;
            }
        };
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let store = PostgresStore::connect_in_schema(&url, &schema)
            .await
            .unwrap_or_else(|e| panic!("{URL_VAR}={url} is not reachable: {e}"));
        store.migrate().await.unwrap();
        Some(store)
    }

    yangguang_store_tests::contract_tests!(store, optional, |s: PostgresStore| async move {
        s.drop_own_schema().await.unwrap()
    });
}
