//! The scale backend: PostgreSQL, chosen by a `postgres://` URL. Same contract and schema as
//! the PostgreSQL backend, in PostgreSQL's dialect. A store may live in its own schema, so that
//! test runs and tenants never collide.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Executor, PgConnection, PgPool, Postgres, QueryBuilder, Row};
use yangguang_core::Fen;
use yangguang_core::ledger::{LedgerEntry, Voucher};
use yangguang_core::publication::{Checkpoint, GENESIS, LogAction, LogEntry, PendingEntry, SignoffRecord};
use yangguang_core::{
    Attachment, Disclosure, DisclosureId, DisclosureState, DisclosureSummary, NewDisclosure, Period, Region, RegionCode,
};
use yangguang_store::{
    AuditEntry, DisclosureQuery, DisclosureStore, DraftEdit, IntegrationToken, LedgerStore, LogStore, Migration,
    NewRecord, NewStaff, Page, Receipt, Record, RecordCounts, RecordStore, RegionStore, Repeated, Session, Signoff,
    Staff, StaffStore, Store, StoreError, StoreResult, Upserted, VoucherImport, VoucherImportSession, WorkQuery,
    decode, rules,
};

const MIGRATIONS: &[Migration] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_ledger.sql")),
    (3, include_str!("../migrations/0003_receipt.sql")),
    (4, include_str!("../migrations/0004_integration_token.sql")),
    (5, include_str!("../migrations/0005_ledger_columns.sql")),
    (6, include_str!("../migrations/0006_record.sql")),
];

pub struct PostgresStore {
    pool: PgPool,
    /// The schema this store created for itself, if any.
    schema: Option<String>,
}

fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(db.to_string()),
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
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`), using the database's default schema.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Self::with_options(options).await
    }

    /// Connects with every table in `schema`, creating the schema if needed.
    pub async fn connect_in_schema(url: &str, schema: &str) -> StoreResult<Self> {
        if !valid_schema(schema) {
            return Err(StoreError::Invalid(format!("schema name {schema:?}")));
        }
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
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
    decode::region(row.get("region_code"), row.get("name"), row.get("parent_code"), row.get("kind"))
}

const SUMMARY_COLUMNS: &str =
    "d.disclosure_id, d.village_code, d.column_id, d.period, d.title, d.published_at, d.state, d.kind,
     (SELECT COUNT(*) FROM attachment a WHERE a.disclosure_id = d.disclosure_id) AS attachment_count";

fn summary_from_row(r: &PgRow) -> StoreResult<DisclosureSummary> {
    Ok(DisclosureSummary {
        id: DisclosureId(r.get("disclosure_id")),
        village: decode::code(r.get("village_code"))?,
        column: r.get("column_id"),
        period: decode::period(r.get("period"))?,
        title: r.get("title"),
        published_at: r.get::<Option<DateTime<Utc>>, _>("published_at"),
        attachment_count: r.get("attachment_count"),
        state: decode::state(r.get("state"))?,
        kind: decode::kind(r.get("kind"))?,
    })
}

fn log_from_row(r: &PgRow) -> StoreResult<LogEntry> {
    Ok(LogEntry {
        seq: r.get("seq"),
        at: r.get("at"),
        village: decode::code(r.get("village_code"))?,
        disclosure_id: r.get("disclosure_id"),
        version: r.get::<i64, _>("version") as i32,
        action: decode::action(r.get("action"))?,
        content_hash: r.get("content_hash"),
        signoffs: decode::signoffs(r.get("signoffs_json"))?,
        reason: r.get("reason"),
        prev_hash: r.get("prev_hash"),
        entry_hash: r.get("entry_hash"),
    })
}

fn staff_from_row(r: &PgRow, grants: Vec<yangguang_core::staff::Grant>) -> Staff {
    Staff {
        id: r.get("staff_id"),
        username: r.get("username"),
        display_name: r.get("display_name"),
        password_hash: r.get("password_hash"),
        must_change_password: r.get("must_change_password"),
        totp_secret: r.get("totp_secret"),
        disabled: r.get("disabled"),
        grants,
        created_at: r.get("created_at"),
    }
}

async fn load_disclosure(conn: &mut PgConnection, id: DisclosureId) -> StoreResult<Disclosure> {
    let row = sqlx::query("SELECT * FROM disclosure WHERE disclosure_id = $1")
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
    let attachments = sqlx::query(
        "SELECT file_name, media_type, byte_size, sha256 FROM attachment WHERE disclosure_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
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
        created_at: row.get("created_at"),
        published_at: row.get("published_at"),
        attachments,
        kind: decode::kind(row.get("kind"))?,
        replaces: row.get::<Option<i64>, _>("replaces_id").map(DisclosureId),
        reason: row.get("reason"),
        created_by: row.get("created_by"),
        version: row.get::<i64, _>("version") as i32,
        scheduled_at: row.get("scheduled_at"),
        submitted_at: row.get("submitted_at"),
        updated_at: row.get("updated_at"),
    })
}

async fn insert_attachments(conn: &mut PgConnection, id: i64, attachments: &[Attachment]) -> StoreResult<()> {
    if attachments.is_empty() {
        return Ok(());
    }
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
        "INSERT INTO attachment (disclosure_id, position, file_name, media_type, byte_size, sha256) ",
    );
    q.push_values(attachments.iter().enumerate(), |mut b, (i, a)| {
        b.push_bind(id)
            .push_bind(i as i64)
            .push_bind(&a.file_name)
            .push_bind(&a.media_type)
            .push_bind(a.byte_size)
            .push_bind(&a.sha256);
    });
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    Ok(())
}

/// The last entry's (seq, hash), or (0, genesis). Under the writer (SQLite) or the
/// advisory lock (PostgreSQL), nobody else appends until the transaction ends.
async fn log_head_in(conn: &mut PgConnection) -> StoreResult<(i64, String)> {
    // One publisher at a time appends to the chain, across every app server.
    sqlx::query("SELECT pg_advisory_xact_lock(7130522)").execute(&mut *conn).await.map_err(map_err)?;
    let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, entry_hash FROM log_entry ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(head.unwrap_or((0, GENESIS.to_owned())))
}

/// Supersedes or withdraws the version a correction or withdrawal replaces.
async fn apply_replacement(conn: &mut PgConnection, d: &Disclosure, at: DateTime<Utc>) -> StoreResult<()> {
    if let (Some(target), Some(new_state)) = (d.replaces, rules::replaced_state(d.kind)) {
        let current: String = sqlx::query_scalar("SELECT state FROM disclosure WHERE disclosure_id = $1")
            .bind(target.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        rules::check_replaced(decode::state(&current)?)?;
        sqlx::query("UPDATE disclosure SET state = $1, updated_at = $2 WHERE disclosure_id = $3")
            .bind(new_state.as_str())
            .bind(at)
            .bind(target.0)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

async fn append_log(conn: &mut PgConnection, pending: PendingEntry, head: &mut (i64, String)) -> StoreResult<LogEntry> {
    let entry = pending.seal(head.0 + 1, &head.1);
    sqlx::query(
        "INSERT INTO log_entry (seq, at, village_code, disclosure_id, version, action, content_hash,
                                signoffs_json, reason, prev_hash, entry_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(entry.seq)
    .bind(entry.at)
    .bind(entry.village.to_string())
    .bind(entry.disclosure_id)
    .bind(i64::from(entry.version))
    .bind(entry.action.as_str())
    .bind(&entry.content_hash)
    .bind(serde_json::to_string(&entry.signoffs).expect("sign-offs serialise"))
    .bind(&entry.reason)
    .bind(&entry.prev_hash)
    .bind(&entry.entry_hash)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    *head = (entry.seq, entry.entry_hash.clone());
    Ok(entry)
}

fn pending_entry(d: &Disclosure, at: DateTime<Utc>, signoffs: &[SignoffRecord]) -> PendingEntry {
    PendingEntry {
        at,
        village: d.village,
        disclosure_id: d.id.0,
        version: d.version,
        action: LogAction::for_kind(d.kind),
        content_hash: d.content_hash(),
        signoffs: signoffs.to_vec(),
        reason: d.reason.clone(),
    }
}

/// Publishes `id` inside the caller's transaction: state changes and the log entry.
async fn publish_in(
    conn: &mut PgConnection,
    id: DisclosureId,
    at: DateTime<Utc>,
    signoffs: &[SignoffRecord],
) -> StoreResult<LogEntry> {
    let mut head = log_head_in(conn).await?;
    let d = load_disclosure(conn, id).await?;
    if !matches!(d.state, DisclosureState::Submitted | DisclosureState::Scheduled) {
        return Err(StoreError::Conflict(format!(
            "此版本状态为“{}”，不能公开 / only a submitted or scheduled version can be published",
            d.state.label_zh()
        )));
    }
    apply_replacement(conn, &d, at).await?;
    sqlx::query(
        "UPDATE disclosure SET state = 'published', published_at = $1, updated_at = $2 WHERE disclosure_id = $3",
    )
    .bind(at)
    .bind(at)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    append_log(conn, pending_entry(&d, at, signoffs), &mut head).await
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
        let row = sqlx::query("SELECT region_code, name, parent_code, kind FROM region WHERE region_code = $1")
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
            d.validate().map_err(|e| StoreError::Invalid(e.to_string()))?;
        }
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let mut ids = Vec::with_capacity(new.len());
        let mut head = if new.iter().any(|d| d.state == DisclosureState::Published) {
            Some(log_head_in(&mut tx).await?)
        } else {
            None
        };
        for d in new {
            let version: i64 = match d.replaces {
                Some(r) => {
                    let v: i64 = sqlx::query_scalar("SELECT version FROM disclosure WHERE disclosure_id = $1")
                        .bind(r.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    v + 1
                }
                None => 1,
            };
            let submitted = matches!(d.state, DisclosureState::Submitted | DisclosureState::Published);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO disclosure (village_code, column_id, catalog_item_id, period, title, body_md, state,
                                         kind, replaces_id, reason, created_by, version, created_at, updated_at,
                                         submitted_at, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING disclosure_id",
            )
            .bind(d.village.to_string())
            .bind(&d.column)
            .bind(&d.catalog_item)
            .bind(d.period.map(|p| p.to_string()))
            .bind(&d.title)
            .bind(&d.body_md)
            .bind(d.state.as_str())
            .bind(d.kind.as_str())
            .bind(d.replaces.map(|r| r.0))
            .bind(&d.reason)
            .bind(d.created_by)
            .bind(version)
            .bind(d.created_at)
            .bind(d.published_at.unwrap_or(d.created_at))
            .bind(submitted.then_some(d.created_at))
            .bind(d.published_at.filter(|_| d.state == DisclosureState::Published))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            insert_attachments(&mut tx, id, &d.attachments).await?;
            if let (DisclosureState::Published, Some(head)) = (d.state, head.as_mut()) {
                // Published on insert (imports, the demo): chained like any other publication.
                let at = d.published_at.expect("validated: published has a time");
                let stored = Disclosure {
                    id: DisclosureId(id),
                    village: d.village,
                    column: d.column.clone(),
                    catalog_item: d.catalog_item.clone(),
                    period: d.period,
                    title: d.title.clone(),
                    body_md: d.body_md.clone(),
                    state: d.state,
                    created_at: d.created_at,
                    published_at: d.published_at,
                    attachments: d.attachments.clone(),
                    kind: d.kind,
                    replaces: d.replaces,
                    reason: d.reason.clone(),
                    created_by: d.created_by,
                    version: version as i32,
                    scheduled_at: None,
                    submitted_at: Some(d.created_at),
                    updated_at: at,
                };
                apply_replacement(&mut tx, &stored, at).await?;
                append_log(&mut tx, pending_entry(&stored, at, &d.signoffs), head).await?;
            }
            ids.push(DisclosureId(id));
        }
        tx.commit().await.map_err(map_err)?;
        Ok(ids)
    }

    async fn get_disclosure(&self, id: DisclosureId) -> StoreResult<Disclosure> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        load_disclosure(&mut conn, id).await
    }

    async fn list_disclosures(&self, query: &DisclosureQuery) -> StoreResult<Page<DisclosureSummary>> {
        fn filter<'a>(q: &mut QueryBuilder<'a, Postgres>, query: &'a DisclosureQuery) {
            q.push(" WHERE d.state IN ('published', 'withdrawn') AND d.kind <> 'withdrawal' AND d.village_code = ");
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
        let mut count: QueryBuilder<Postgres> = QueryBuilder::new("SELECT COUNT(*) FROM disclosure d");
        filter(&mut count, query);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.map_err(map_err)?;
        let mut list: QueryBuilder<Postgres> = QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM disclosure d"));
        filter(&mut list, query);
        list.push(" ORDER BY d.published_at DESC, d.disclosure_id DESC LIMIT ");
        list.push_bind(i64::from(query.per_page));
        list.push(" OFFSET ");
        list.push_bind(query.offset() as i64);
        let rows = list.build().fetch_all(&self.pool).await.map_err(map_err)?;
        let items = rows.iter().map(summary_from_row).collect::<StoreResult<Vec<_>>>()?;
        Ok(Page { items, total: total as u64, page: query.page.max(1), per_page: query.per_page })
    }

    async fn list_work(&self, query: &WorkQuery) -> StoreResult<Vec<DisclosureSummary>> {
        if query.region_prefixes.is_empty() || query.states.is_empty() {
            return Ok(vec![]);
        }
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM disclosure d WHERE d.state IN ("));
        let mut states = q.separated(", ");
        for s in &query.states {
            states.push_bind(s.as_str());
        }
        q.push(") AND (");
        let mut regions = q.separated(" OR ");
        for p in &query.region_prefixes {
            regions.push("d.village_code LIKE ");
            regions.push_bind_unseparated(format!("{p}%"));
        }
        q.push(") ORDER BY d.updated_at DESC, d.disclosure_id DESC LIMIT ");
        q.push_bind(i64::from(query.limit));
        let rows = q.build().fetch_all(&self.pool).await.map_err(map_err)?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn list_replacements(&self, id: DisclosureId) -> StoreResult<Vec<DisclosureSummary>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM disclosure d WHERE d.replaces_id = $1 ORDER BY d.disclosure_id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn published_periods(&self, village: RegionCode) -> StoreResult<Vec<(String, Period)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT catalog_item_id, period FROM disclosure
             WHERE village_code = $1 AND state IN ('published', 'superseded') AND kind <> 'withdrawal'
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
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM disclosure").fetch_one(&self.pool).await.map_err(map_err)?;
        Ok(n as u64)
    }

    async fn update_draft(&self, id: DisclosureId, edit: &DraftEdit, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let changed = sqlx::query(
            "UPDATE disclosure SET column_id = $1, catalog_item_id = $2, period = $3, title = $4, body_md = $5,
                                   reason = $6, updated_at = $7
             WHERE disclosure_id = $8 AND state IN ('draft', 'submitted', 'returned')",
        )
        .bind(&edit.column)
        .bind(&edit.catalog_item)
        .bind(edit.period.map(|p| p.to_string()))
        .bind(&edit.title)
        .bind(&edit.body_md)
        .bind(&edit.reason)
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict("此版本已不能修改 / this version can no longer be edited".into()));
        }
        sqlx::query("DELETE FROM attachment WHERE disclosure_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        insert_attachments(&mut tx, id.0, &edit.attachments).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn set_state(
        &self,
        id: DisclosureId,
        from: &[DisclosureState],
        to: DisclosureState,
        scheduled_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new("UPDATE disclosure SET state = ");
        q.push_bind(to.as_str());
        q.push(", updated_at = ");
        q.push_bind(now);
        q.push(", scheduled_at = ");
        q.push_bind(scheduled_at);
        if to == DisclosureState::Submitted {
            q.push(", submitted_at = ");
            q.push_bind(now);
        }
        q.push(" WHERE disclosure_id = ");
        q.push_bind(id.0);
        q.push(" AND state IN (");
        let mut list = q.separated(", ");
        for s in from {
            list.push_bind(s.as_str());
        }
        q.push(")");
        let changed = q.build().execute(&self.pool).await.map_err(map_err)?.rows_affected();
        if changed == 0 {
            let exists: Option<String> = sqlx::query_scalar("SELECT state FROM disclosure WHERE disclosure_id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
            return match exists {
                None => Err(StoreError::NotFound),
                Some(state) => Err(StoreError::Conflict(format!(
                    "此版本当前状态为“{}”，不能进行此操作 / not allowed in state {state}",
                    decode::state(&state)?.label_zh()
                ))),
            };
        }
        Ok(())
    }

    async fn add_signoff(&self, s: &Signoff) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO signoff (disclosure_id, staff_id, reviewer_name, reviewer_role, decision, comment,
                                  content_hash, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.disclosure_id.0)
        .bind(s.staff_id)
        .bind(&s.reviewer_name)
        .bind(&s.reviewer_role)
        .bind(s.decision.as_str())
        .bind(&s.comment)
        .bind(&s.content_hash)
        .bind(s.at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn list_signoffs(&self, id: DisclosureId) -> StoreResult<Vec<Signoff>> {
        let rows = sqlx::query("SELECT * FROM signoff WHERE disclosure_id = $1 ORDER BY signoff_id")
            .bind(id.0)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(Signoff {
                    disclosure_id: id,
                    staff_id: r.get("staff_id"),
                    reviewer_name: r.get("reviewer_name"),
                    reviewer_role: r.get("reviewer_role"),
                    decision: decode::decision(r.get("decision"))?,
                    comment: r.get("comment"),
                    content_hash: r.get("content_hash"),
                    at: r.get("at"),
                })
            })
            .collect()
    }

    async fn publish(&self, id: DisclosureId, at: DateTime<Utc>, signoffs: &[SignoffRecord]) -> StoreResult<LogEntry> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let entry = publish_in(&mut tx, id, at, signoffs).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(entry)
    }

    async fn due_scheduled(&self, now: DateTime<Utc>) -> StoreResult<Vec<DisclosureId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT disclosure_id FROM disclosure WHERE state = 'scheduled' AND scheduled_at <= $1 ORDER BY scheduled_at",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(ids.into_iter().map(DisclosureId).collect())
    }

    async fn published_ids(&self, after: DisclosureId, limit: u32) -> StoreResult<Vec<DisclosureId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT disclosure_id FROM disclosure WHERE state IN ('published', 'superseded', 'withdrawn')
             AND disclosure_id > $1 ORDER BY disclosure_id LIMIT $2",
        )
        .bind(after.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(ids.into_iter().map(DisclosureId).collect())
    }
}

#[async_trait]
impl LogStore for PostgresStore {
    async fn log_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<LogEntry>> {
        sqlx::query("SELECT * FROM log_entry WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(log_from_row)
            .collect()
    }

    async fn log_head(&self) -> StoreResult<Option<LogEntry>> {
        sqlx::query("SELECT * FROM log_entry ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .as_ref()
            .map(log_from_row)
            .transpose()
    }

    async fn log_entries_for(&self, id: DisclosureId) -> StoreResult<Vec<LogEntry>> {
        sqlx::query("SELECT * FROM log_entry WHERE disclosure_id = $1 ORDER BY seq")
            .bind(id.0)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(log_from_row)
            .collect()
    }

    async fn add_checkpoint(&self, c: &Checkpoint) -> StoreResult<()> {
        sqlx::query("INSERT INTO checkpoint (seq, head_hash, at, public_key, signature) VALUES ($1, $2, $3, $4, $5)")
            .bind(c.seq)
            .bind(&c.head_hash)
            .bind(c.at)
            .bind(&c.public_key)
            .bind(&c.signature)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn list_checkpoints(&self, limit: u32) -> StoreResult<Vec<Checkpoint>> {
        let rows = sqlx::query("SELECT * FROM checkpoint ORDER BY at DESC, seq DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Checkpoint {
                seq: r.get("seq"),
                head_hash: r.get("head_hash"),
                at: r.get("at"),
                public_key: r.get("public_key"),
                signature: r.get("signature"),
            })
            .collect())
    }
}

impl PostgresStore {
    async fn grants_of(&self, staff_id: i64) -> StoreResult<Vec<yangguang_core::staff::Grant>> {
        sqlx::query("SELECT role, region_code FROM staff_grant WHERE staff_id = $1 ORDER BY role, region_code")
            .bind(staff_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| decode::grant(r.get("role"), r.get("region_code")))
            .collect()
    }
}

#[async_trait]
impl StaffStore for PostgresStore {
    async fn create_staff(&self, new: &NewStaff) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO staff (username, display_name, password_hash, must_change_password, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING staff_id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(new.must_change_password)
        .bind(new.created_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        for g in &new.grants {
            sqlx::query("INSERT INTO staff_grant (staff_id, role, region_code) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(g.role.as_str())
                .bind(g.region.to_string())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn get_staff(&self, id: i64) -> StoreResult<Staff> {
        let row = sqlx::query("SELECT * FROM staff WHERE staff_id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(staff_from_row(&row, self.grants_of(id).await?))
    }

    async fn find_staff(&self, username: &str) -> StoreResult<Option<Staff>> {
        let row = sqlx::query("SELECT * FROM staff WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        match row {
            None => Ok(None),
            Some(row) => {
                let grants = self.grants_of(row.get("staff_id")).await?;
                Ok(Some(staff_from_row(&row, grants)))
            }
        }
    }

    async fn list_staff(&self) -> StoreResult<Vec<Staff>> {
        let rows = sqlx::query("SELECT * FROM staff ORDER BY username").fetch_all(&self.pool).await.map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(staff_from_row(row, self.grants_of(row.get("staff_id")).await?));
        }
        Ok(out)
    }

    async fn update_staff(&self, s: &Staff) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let changed = sqlx::query(
            "UPDATE staff SET display_name = $1, password_hash = $2, must_change_password = $3, totp_secret = $4,
                              disabled = $5
             WHERE staff_id = $6",
        )
        .bind(&s.display_name)
        .bind(&s.password_hash)
        .bind(s.must_change_password)
        .bind(&s.totp_secret)
        .bind(s.disabled)
        .bind(s.id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM staff_grant WHERE staff_id = $1")
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for g in &s.grants {
            sqlx::query("INSERT INTO staff_grant (staff_id, role, region_code) VALUES ($1, $2, $3)")
                .bind(s.id)
                .bind(g.role.as_str())
                .bind(g.region.to_string())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn create_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO session (token_hash, staff_id, csrf_token, created_at, expires_at, revoked, ip)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.token_hash)
        .bind(s.staff_id)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(s.revoked)
        .bind(&s.ip)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn get_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query("SELECT * FROM session WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(row.map(|r| Session {
            token_hash: r.get("token_hash"),
            staff_id: r.get("staff_id"),
            csrf_token: r.get("csrf_token"),
            created_at: r.get("created_at"),
            expires_at: r.get("expires_at"),
            revoked: r.get("revoked"),
            ip: r.get("ip"),
        }))
    }

    async fn revoke_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE session SET revoked = TRUE WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn revoke_sessions(&self, staff_id: i64) -> StoreResult<u64> {
        Ok(sqlx::query("UPDATE session SET revoked = TRUE WHERE staff_id = $1 AND NOT revoked")
            .bind(staff_id)
            .execute(&self.pool)
            .await
            .map_err(map_err)?
            .rows_affected())
    }

    async fn record_login_failure(&self, username: &str, ip: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failure (username, ip, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(ip)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn count_login_failures(
        &self,
        username: Option<&str>,
        ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failure WHERE at >= $1 AND (username = $2 OR ip = $3)")
                .bind(since)
                .bind(username)
                .bind(ip)
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(n as u64)
    }

    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit (at, staff_id, staff_name, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.at)
        .bind(e.staff_id)
        .bind(&e.staff_name)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.detail)
        .bind(&e.ip)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn create_token(&self, t: &IntegrationToken) -> StoreResult<()> {
        let regions: Vec<String> = t.regions.iter().map(|r| r.to_string()).collect();
        sqlx::query("INSERT INTO integration_token (token_hash, name, regions, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&t.token_hash)
            .bind(&t.name)
            .bind(regions.join(" "))
            .bind(t.created_at)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<IntegrationToken>> {
        let row = sqlx::query("SELECT * FROM integration_token WHERE token_hash = $1 AND NOT revoked")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| {
            let regions: String = r.get("regions");
            Ok(IntegrationToken {
                token_hash: r.get("token_hash"),
                name: r.get("name"),
                regions: regions.split_whitespace().map(decode::code).collect::<StoreResult<_>>()?,
                created_at: r.get("created_at"),
            })
        })
        .transpose()
    }

    async fn list_audit(&self, page: u32, per_page: u32) -> StoreResult<Page<AuditEntry>> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit").fetch_one(&self.pool).await.map_err(map_err)?;
        let rows = sqlx::query("SELECT * FROM audit ORDER BY audit_id DESC LIMIT $1 OFFSET $2")
            .bind(i64::from(per_page))
            .bind(i64::from(page.max(1) - 1) * i64::from(per_page))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let items = rows
            .iter()
            .map(|r| AuditEntry {
                at: r.get("at"),
                staff_id: r.get("staff_id"),
                staff_name: r.get("staff_name"),
                action: r.get("action"),
                target: r.get("target"),
                detail: r.get("detail"),
                ip: r.get("ip"),
            })
            .collect();
        Ok(Page { items, total: total as u64, page: page.max(1), per_page })
    }
}

#[async_trait]
impl LedgerStore for PostgresStore {
    async fn begin_import(
        &self,
        village: RegionCode,
        now: DateTime<Utc>,
    ) -> StoreResult<Box<dyn VoucherImportSession>> {
        Ok(Box::new(ImportSession::begin(&self.pool, village, now).await?))
    }

    async fn ledger_entries(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT e.* FROM ledger_entry e JOIN voucher v ON v.voucher_id = e.voucher_id
             WHERE v.village_code = $1 AND e.entry_date >= $2 AND e.entry_date <= $3
             ORDER BY e.entry_date, v.voucher_no, e.line",
        )
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| LedgerEntry {
                date: r.get("entry_date"),
                voucher_no: r.get("voucher_label"),
                summary: r.get("summary"),
                account_code: r.get("account_code"),
                account_name: r.get("account_name"),
                debit: Fen(r.get("debit")),
                credit: Fen(r.get("credit")),
                attachments: r.get::<i64, _>("attachments") as u32,
                row: r.get::<i64, _>("line") as u64,
            })
            .collect())
    }

    async fn add_receipts(&self, village: RegionCode, receipts: &[Receipt]) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let mut added = 0;
        let code = village.to_string();
        for chunk in receipts.chunks(500) {
            let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO receipt (village_code, year, month, voucher_no, sha256, media_type, file_name, byte_size) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(&code)
                    .push_bind(i64::from(r.year))
                    .push_bind(i64::from(r.month))
                    .push_bind(&r.voucher_no)
                    .push_bind(&r.sha256)
                    .push_bind(&r.media_type)
                    .push_bind(&r.file_name)
                    .push_bind(r.byte_size);
            });
            q.push(" ON CONFLICT DO NOTHING");
            added += q.build().execute(&mut *tx).await.map_err(map_err)?.rows_affected();
        }
        tx.commit().await.map_err(map_err)?;
        Ok(added)
    }

    async fn receipts(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<Receipt>> {
        let rows = sqlx::query(
            "SELECT * FROM receipt WHERE village_code = $1 AND year = $2 AND month = $3 ORDER BY voucher_no, receipt_id",
        )
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Receipt {
                year,
                month,
                voucher_no: r.get("voucher_no"),
                sha256: r.get("sha256"),
                media_type: r.get("media_type"),
                file_name: r.get("file_name"),
                byte_size: r.get("byte_size"),
            })
            .collect())
    }

    async fn receipt_month(&self, village: RegionCode, sha256: &str) -> StoreResult<Option<(i32, u32)>> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT year, month FROM receipt WHERE village_code = $1 AND sha256 = $2 LIMIT 1")
                .bind(village.to_string())
                .bind(sha256)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(row.map(|(y, m)| (y as i32, m as u32)))
    }

    async fn voucher_numbers(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<String>> {
        sqlx::query_scalar(
            "SELECT voucher_no FROM voucher WHERE village_code = $1 AND year = $2 AND month = $3 ORDER BY voucher_no",
        )
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)
    }

    async fn ledger_columns(&self, village: RegionCode) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT names_json FROM ledger_columns WHERE village_code = $1")
            .bind(village.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn save_ledger_columns(&self, village: RegionCode, names_json: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO ledger_columns (village_code, names_json) VALUES ($1, $2)
             ON CONFLICT (village_code) DO UPDATE SET names_json = excluded.names_json",
        )
        .bind(village.to_string())
        .bind(names_json)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn lock_vouchers(&self, village: RegionCode, from: NaiveDate, to: NaiveDate) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE voucher SET locked = TRUE WHERE village_code = $1 AND voucher_date >= $2 AND voucher_date <= $3",
        )
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .execute(&self.pool)
        .await
        .map_err(map_err)?
        .rows_affected())
    }
}

fn record_from(r: &PgRow) -> StoreResult<Record> {
    Ok(Record {
        village: decode::code(r.get("village_code"))?,
        key: r.get("record_key"),
        body: r.get("body"),
        updated_at: r.get("updated_at"),
    })
}

/// Records per statement: five parameters each stays far below either database's limit.
const RECORD_CHUNK: usize = 200;

/// `{prefix} kind = … AND record_key IN (…)` for one chunk of keys.
fn by_keys<'a>(prefix: &str, kind: &'a str, keys: &[&'a str]) -> QueryBuilder<'a, Postgres> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(prefix);
    q.push(" kind = ").push_bind(kind).push(" AND record_key IN (");
    let mut list = q.separated(", ");
    for key in keys {
        list.push_bind(*key);
    }
    q.push(")");
    q
}

/// The stored records of a kind among `keys`, a few hundred keys a query.
async fn records_by_key(conn: &mut PgConnection, kind: &str, keys: &[&str]) -> StoreResult<Vec<Record>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(RECORD_CHUNK) {
        for row in
            by_keys("SELECT * FROM record WHERE", kind, chunk).build().fetch_all(&mut *conn).await.map_err(map_err)?
        {
            out.push(record_from(&row)?);
        }
    }
    Ok(out)
}

/// Upserts a batch: the stored versions read in a few queries, then only new and changed
/// records written, many to a statement. A key given twice: the last one stands.
async fn upsert_batch(
    conn: &mut PgConnection,
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
        let mut q: QueryBuilder<Postgres> =
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
impl RecordStore for PostgresStore {
    async fn upsert_records(
        &self,
        kind: &str,
        records: &[NewRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Upserted>> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
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
        let mut tx = self.pool.begin().await.map_err(map_err)?;
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
                let mut q: QueryBuilder<Postgres> = QueryBuilder::new("SELECT record_key FROM record WHERE kind = ");
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
        let row = sqlx::query("SELECT * FROM record WHERE kind = $1 AND record_key = $2")
            .bind(kind)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(record_from).transpose()
    }

    async fn get_records(&self, kind: &str, keys: &[&str]) -> StoreResult<Vec<Record>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        records_by_key(&mut conn, kind, keys).await
    }

    async fn village_records(&self, kind: &str, village: RegionCode) -> StoreResult<Vec<Record>> {
        let rows = sqlx::query("SELECT * FROM record WHERE kind = $1 AND village_code = $2 ORDER BY record_key")
            .bind(kind)
            .bind(village.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(record_from).collect()
    }

    async fn records_after(&self, kind: &str, after: &str, limit: u32) -> StoreResult<Vec<Record>> {
        let rows = sqlx::query("SELECT * FROM record WHERE kind = $1 AND record_key > $2 ORDER BY record_key LIMIT $3")
            .bind(kind)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(record_from).collect()
    }

    async fn count_records(&self, kind: &str, region_prefix: &str) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM record WHERE kind = $1 AND village_code LIKE $2 || '%'")
            .bind(kind)
            .bind(region_prefix)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(n as u64)
    }

    async fn get_state(&self, name: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM platform_state WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
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
        .execute(&self.pool)
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
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn prune_state(&self, prefix: &str, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM platform_state WHERE name LIKE $1 || '%' AND updated_at < $2")
            .bind(prefix)
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn migrate(&self) -> StoreResult<()> {
        // All pending migrations in one transaction (PostgreSQL's DDL is transactional). The
        // advisory lock lets one of several app servers starting together migrate while the
        // others wait.
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock(7130521)").execute(&mut *tx).await.map_err(map_err)?;
        (&mut *tx)
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (
                version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )
            .await
            .map_err(map_err)?;
        let done: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM schema_migration").fetch_all(&mut *tx).await.map_err(map_err)?;
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
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

/// An import into one village's books: one write transaction, fed batch by batch.
pub struct ImportSession {
    tx: sqlx::Transaction<'static, Postgres>,
    code: String,
    now: DateTime<Utc>,
    outcome: VoucherImport,
}

type Key<'a> = (i64, i64, &'a str);

fn key_of(v: &Voucher) -> Key<'_> {
    (i64::from(v.key.year), i64::from(v.key.month), v.key.number.as_str())
}

/// ` (year, month, voucher_no) IN (VALUES (…), …)`.
fn push_keys<'a>(q: &mut QueryBuilder<'a, Postgres>, keys: impl IntoIterator<Item = Key<'a>>) {
    q.push(" (year, month, voucher_no) IN (");
    q.push_values(keys, |mut b, (y, m, n)| {
        b.push_bind(y).push_bind(m).push_bind(n);
    });
    q.push(")");
}

impl ImportSession {
    async fn begin(pool: &sqlx::Pool<Postgres>, village: RegionCode, now: DateTime<Utc>) -> StoreResult<Self> {
        let mut tx = pool.begin().await.map_err(map_err)?;
        // The voucher numbers met so far in this import, kept in the database, not in memory.
        sqlx::query("CREATE TEMP TABLE IF NOT EXISTS import_seen (year BIGINT NOT NULL, month BIGINT NOT NULL, voucher_no TEXT NOT NULL, file TEXT NOT NULL, first_row BIGINT NOT NULL, content_hash TEXT NOT NULL, PRIMARY KEY (year, month, voucher_no))").execute(&mut *tx).await.map_err(map_err)?;
        sqlx::query("DELETE FROM import_seen").execute(&mut *tx).await.map_err(map_err)?;
        Ok(ImportSession { tx, code: village.to_string(), now, outcome: VoucherImport::default() })
    }

    async fn add_chunk(&mut self, file: &str, offset: usize, chunk: &[Voucher]) -> StoreResult<Vec<Repeated>> {
        let mut q =
            QueryBuilder::new("SELECT year, month, voucher_no, file, first_row, content_hash FROM import_seen WHERE");
        push_keys(&mut q, chunk.iter().map(key_of));
        let seen: Vec<(i64, i64, String, String, i64, String)> =
            q.build_query_as().fetch_all(&mut *self.tx).await.map_err(map_err)?;
        let mut seen: HashMap<(i64, i64, String), (String, i64, String)> =
            seen.into_iter().map(|(y, m, n, f, r, h)| ((y, m, n), (f, r, h))).collect();
        let mut repeats = vec![];
        let mut first = vec![];
        for (i, v) in chunk.iter().enumerate() {
            let (y, m, n) = key_of(v);
            let row = v.lines.first().map_or(0, |l| l.row) as i64;
            match seen.get(&(y, m, n.to_owned())) {
                Some((f, r, h)) => repeats.push(Repeated {
                    index: offset + i,
                    file: f.clone(),
                    first_row: *r as u64,
                    same_content: *h == v.content_hash,
                }),
                None => {
                    seen.insert((y, m, n.to_owned()), (file.to_owned(), row, v.content_hash.clone()));
                    first.push((v, row));
                }
            }
        }
        if first.is_empty() {
            return Ok(repeats);
        }
        for part in first.chunks(500) {
            let mut q =
                QueryBuilder::new("INSERT INTO import_seen (year, month, voucher_no, file, first_row, content_hash) ");
            q.push_values(part, |mut b, (v, row)| {
                let (y, m, n) = key_of(v);
                b.push_bind(y).push_bind(m).push_bind(n).push_bind(file).push_bind(*row).push_bind(&v.content_hash);
            });
            q.build().execute(&mut *self.tx).await.map_err(map_err)?;
        }
        let mut q = QueryBuilder::new(
            "SELECT year, month, voucher_no, voucher_id, content_hash, locked FROM voucher WHERE village_code = ",
        );
        q.push_bind(&self.code).push(" AND");
        push_keys(&mut q, first.iter().map(|(v, _)| key_of(v)));
        let existing: Vec<(i64, i64, String, i64, String, bool)> =
            q.build_query_as().fetch_all(&mut *self.tx).await.map_err(map_err)?;
        let existing: HashMap<(i64, i64, String), (i64, String, bool)> =
            existing.into_iter().map(|(y, m, n, id, h, l)| ((y, m, n), (id, h, l))).collect();
        let (mut fresh, mut replaced) = (vec![], vec![]);
        for (v, _) in first {
            let (y, m, n) = key_of(v);
            match existing.get(&(y, m, n.to_owned())) {
                Some((_, hash, _)) if *hash == v.content_hash => self.outcome.unchanged += 1,
                Some((_, _, true)) => {
                    self.outcome.conflicts.push(format!("{}年{}月 {}", v.key.year, v.key.month, v.key.number))
                }
                Some((id, _, false)) => replaced.push((*id, v)),
                None => fresh.push(v),
            }
        }
        for (id, v) in &replaced {
            sqlx::query("DELETE FROM ledger_entry WHERE voucher_id = $1")
                .bind(id)
                .execute(&mut *self.tx)
                .await
                .map_err(map_err)?;
            sqlx::query(
                "UPDATE voucher SET content_hash = $1, voucher_date = $2, imported_at = $3 WHERE voucher_id = $4",
            )
            .bind(&v.content_hash)
            .bind(v.date)
            .bind(self.now)
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        }
        for part in fresh.chunks(200) {
            let mut q = QueryBuilder::new(
                "INSERT INTO voucher (village_code, year, month, voucher_no, voucher_date, content_hash, imported_at) ",
            );
            q.push_values(part, |mut b, v| {
                let (y, m, n) = key_of(v);
                b.push_bind(&self.code)
                    .push_bind(y)
                    .push_bind(m)
                    .push_bind(n)
                    .push_bind(v.date)
                    .push_bind(&v.content_hash)
                    .push_bind(self.now);
            });
            q.build().execute(&mut *self.tx).await.map_err(map_err)?;
        }
        let mut ids: HashMap<(i64, i64, String), i64> = HashMap::new();
        if !fresh.is_empty() {
            let mut q =
                QueryBuilder::new("SELECT year, month, voucher_no, voucher_id FROM voucher WHERE village_code = ");
            q.push_bind(&self.code).push(" AND");
            push_keys(&mut q, fresh.iter().map(|v| key_of(v)));
            let rows: Vec<(i64, i64, String, i64)> =
                q.build_query_as().fetch_all(&mut *self.tx).await.map_err(map_err)?;
            ids = rows.into_iter().map(|(y, m, n, id)| ((y, m, n), id)).collect();
        }
        let lines: Vec<(i64, i64, &LedgerEntry)> = fresh
            .iter()
            .map(|v| {
                let (y, m, n) = key_of(v);
                (ids[&(y, m, n.to_owned())], *v)
            })
            .chain(replaced.iter().map(|(id, v)| (*id, *v)))
            .flat_map(|(id, v)| v.lines.iter().enumerate().map(move |(i, l)| (id, i as i64 + 1, l)))
            .collect();
        for part in lines.chunks(300) {
            let mut q = QueryBuilder::new(
                "INSERT INTO ledger_entry (voucher_id, line, entry_date, voucher_label, summary, account_code, account_name,
                                           debit, credit, attachments) ",
            );
            q.push_values(part, |mut b, (id, line, l)| {
                b.push_bind(*id)
                    .push_bind(*line)
                    .push_bind(l.date)
                    .push_bind(&l.voucher_no)
                    .push_bind(&l.summary)
                    .push_bind(&l.account_code)
                    .push_bind(&l.account_name)
                    .push_bind(l.debit.0)
                    .push_bind(l.credit.0)
                    .push_bind(i64::from(l.attachments));
            });
            q.build().execute(&mut *self.tx).await.map_err(map_err)?;
        }
        self.outcome.inserted += fresh.len() as u64;
        self.outcome.updated += replaced.len() as u64;
        Ok(repeats)
    }
}

#[async_trait]
impl VoucherImportSession for ImportSession {
    async fn add(&mut self, file: &str, vouchers: &[Voucher]) -> StoreResult<Vec<Repeated>> {
        let mut repeats = vec![];
        // Chunks keep every statement under the databases' limits on bound values.
        for (i, chunk) in vouchers.chunks(500).enumerate() {
            repeats.extend(self.add_chunk(file, i * 500, chunk).await?);
        }
        Ok(repeats)
    }

    fn outcome(&self) -> &VoucherImport {
        &self.outcome
    }

    async fn finish(self: Box<Self>, keep: bool) -> StoreResult<VoucherImport> {
        if keep {
            self.tx.commit().await.map_err(map_err)?;
            Ok(self.outcome)
        } else {
            self.tx.rollback().await.map_err(map_err)?;
            Ok(VoucherImport { inserted: 0, updated: 0, ..self.outcome })
        }
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
                eprintln!("skipping PostgreSQL contract test: set {URL_VAR}=postgres://127.0.0.1:5432/test to run it");
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
