//! The default backend: one SQLite file in WAL mode. Writes go through a single-connection
//! pool (SQLite has one writer at a time, and queuing in-process beats lock retries), which
//! also serialises appends to the publication log; reads use a small pool of their own.
//!
//! Only what is SQLite's own lives here: opening the file, the pools, the migrations and the
//! dialect. Every query is in the shared implementation (`crates/store/sql`).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use yangguang_store::{StoreError, StoreResult};

mod bulk;
#[path = "../../store/sql/mod.rs"]
mod sql;
pub use sql::ImportSession;

/// What the shared SQL needs to know of SQLite.
mod dialect {
    use yangguang_store::StoreResult;

    pub use super::bulk::write_rows;

    /// ` (year, month, voucher_no) IN (VALUES (…), …)`: SQLite looks each row up by the index.
    pub fn push_voucher_keys<'a>(
        q: &mut sqlx::QueryBuilder<'a, Db>,
        keys: impl IntoIterator<Item = (i64, i64, &'a str)>,
    ) {
        q.push(" (year, month, voucher_no) IN (");
        q.push_values(keys, |mut b, (y, m, n)| {
            b.push_bind(y).push_bind(m).push_bind(n);
        });
        q.push(")");
    }

    pub type Db = sqlx::Sqlite;
    pub type DbRow = sqlx::sqlite::SqliteRow;
    pub type DbConn = sqlx::SqliteConnection;

    pub const NAME: &str = "sqlite";

    /// None: without statistics SQLite assumes an index narrows a search, which suits every
    /// query here, and statistics taken once would go stale as villages import.
    pub const REFRESH_STATISTICS: Option<&str> = None;

    /// Appended to a `CREATE TABLE` whose rows are found by their primary key only: a table keyed by its primary key alone stores each row once, in its key's B-tree.
    pub const KEYED_TABLE: &str = " WITHOUT ROWID";

    pub const MIGRATION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
        version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum TEXT)";

    /// Databases made before checksums were kept lack the column (SQLite has no
    /// `ADD COLUMN IF NOT EXISTS`).
    pub async fn ensure_checksum_column(conn: &mut DbConn) -> StoreResult<()> {
        let has: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info('schema_migration') WHERE name = 'checksum'")
                .fetch_one(&mut *conn)
                .await
                .map_err(super::sql::map_err)?;
        if has == 0 {
            sqlx::query("ALTER TABLE schema_migration ADD COLUMN checksum TEXT")
                .execute(&mut *conn)
                .await
                .map_err(super::sql::map_err)?;
        }
        Ok(())
    }

    /// `VACUUM INTO`: a consistent, compacted copy read from one snapshot, while writers go on
    /// (WAL). A plain copy of a live database file can miss the WAL or tear mid-write.
    pub async fn backup_into(conn: &mut DbConn, dest: &std::path::Path) -> StoreResult<()> {
        let dest =
            dest.to_str().ok_or_else(|| yangguang_store::StoreError::Invalid("backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(dest).execute(&mut *conn).await.map_err(super::sql::map_err)?;
        Ok(())
    }

    /// `PRAGMA integrity_check`: every table and index read through, "ok" or the problems.
    pub async fn integrity_check(conn: &mut DbConn) -> StoreResult<Vec<String>> {
        let rows: Vec<String> =
            sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut *conn).await.map_err(super::sql::map_err)?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// The single writer connection already serialises log appends.
    pub async fn lock_log(_conn: &mut DbConn) -> StoreResult<()> {
        Ok(())
    }

    /// Likewise migrations: one process owns the file's writer.
    pub async fn lock_migrations(_conn: &mut DbConn) -> StoreResult<()> {
        Ok(())
    }

    /// Likewise the claim of a login attempt for an account (`class` 0) or an address (1).
    pub async fn lock_login(_conn: &mut DbConn, _class: i32, _key: &str) -> StoreResult<()> {
        Ok(())
    }

    /// Likewise the change feed's ids: one writer commits them in order.
    pub async fn lock_changes(_conn: &mut DbConn) -> StoreResult<()> {
        Ok(())
    }

    /// Nobody to wake: SQLite cannot notify, and readers poll the feed.
    pub async fn notify_changes(_conn: &mut DbConn) -> StoreResult<()> {
        Ok(())
    }

    /// No listener: a running server polls the feed (it also catches command-line imports).
    pub async fn listen_changes(
        _pool: &sqlx::Pool<Db>,
    ) -> StoreResult<Option<Box<dyn yangguang_store::ChangeListener>>> {
        Ok(None)
    }
}

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

type Backend = SqliteStore;

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
        let url = format!("sqlite:file:yangguang-mem-{}-{n}?mode=memory&cache=shared", std::process::id());
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(sql::map_err)?
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
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

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

#[cfg(test)]
mod tests {
    use yangguang_store::Store;

    use super::*;

    /// A database file in WAL mode, as deployed: readers beside an open write transaction
    /// behave as they do in production (a shared-cache in-memory database would block them).
    async fn store() -> SqliteStore {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("yangguang-contract-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = SqliteStore::open(&dir.join("test.db")).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    yangguang_store_tests::contract_tests!(store);

    #[tokio::test]
    async fn an_edited_migration_is_refused_at_start() {
        sql::migrate_tests::edited_migration_is_refused(&store().await).await;
    }

    #[tokio::test]
    async fn points_events_cannot_be_edited_or_deleted() {
        sql::points_tests::events_cannot_be_edited_or_deleted(&store().await).await;
    }
}
