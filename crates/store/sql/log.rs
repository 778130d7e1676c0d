//! The publication log: appending under the log lock, publishing inside a transaction,
//! reading entries and checkpoints.

use super::prelude::*;

/// The last entry's (seq, hash), or (0, genesis). Under the writer (SQLite) or the
/// advisory lock (PostgreSQL), nobody else appends until the transaction ends.
pub(super) async fn log_head_in(conn: &mut DbConn) -> StoreResult<(i64, String)> {
    // One publisher at a time appends to the chain, across every app server.
    dialect::lock_log(conn).await?;
    let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, entry_hash FROM log_entry ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(head.unwrap_or((0, GENESIS.to_owned())))
}

/// Supersedes or withdraws the version a correction or withdrawal replaces, and names it:
/// its id and version number, which the entry's canonical bytes carry.
pub(super) async fn apply_replacement(
    conn: &mut DbConn,
    d: &Disclosure,
    at: DateTime<Utc>,
) -> StoreResult<Option<(i64, i32)>> {
    let Some(target) = d.replaces else { return Ok(None) };
    let (current, version): (String, i64) =
        sqlx::query_as("SELECT state, version FROM disclosure WHERE disclosure_id = $1")
            .bind(target.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
    if let Some(new_state) = rules::replaced_state(d.kind) {
        rules::check_replaced(decode::state(&current)?)?;
        sqlx::query("UPDATE disclosure SET state = $1, updated_at = $2 WHERE disclosure_id = $3")
            .bind(new_state.as_str())
            .bind(at)
            .bind(target.0)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(Some((target.0, version as i32)))
}

/// Appends the entry that publishes `d` to the chain and to the tree, in the caller's
/// transaction, under the log lock ([`log_head_in`]).
pub(super) async fn append_log(
    conn: &mut DbConn,
    d: &Disclosure,
    at: DateTime<Utc>,
    signoffs: &[SignoffRecord],
    replaced: Option<(i64, i32)>,
    head: &mut (i64, String),
) -> StoreResult<LogEntry> {
    let entry = pending_entry(d, at, signoffs).seal(head.0 + 1, &head.1);
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
    let ctx = LeafContext { replaces: replaced, catalog_item: d.catalog_item.clone(), period: d.period };
    insert_leaf(conn, &entry, &ctx).await?;
    *head = (entry.seq, entry.entry_hash.clone());
    Ok(entry)
}

async fn insert_leaf(conn: &mut DbConn, entry: &LogEntry, ctx: &LeafContext) -> StoreResult<()> {
    let bytes = leaf_bytes(entry, ctx);
    let hash = hex::encode(yangguang_core::tlog::leaf_hash(&bytes));
    sqlx::query("INSERT INTO log_leaf (seq, entry, leaf_hash) VALUES ($1, $2, $3)")
        .bind(entry.seq)
        .bind(String::from_utf8(bytes).expect("entries are JSON text"))
        .bind(hash)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
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
pub(super) async fn publish_in(
    conn: &mut DbConn,
    id: DisclosureId,
    at: DateTime<Utc>,
    signoffs: &[SignoffRecord],
) -> StoreResult<LogEntry> {
    let mut head = log_head_in(conn).await?;
    let d = load_disclosure(conn, id).await?;
    if !matches!(d.state, DisclosureState::Submitted | DisclosureState::Scheduled) {
        return Err(StoreError::Conflict(format!(
            "此版本的状态已变为 {}，不能公开 / only a submitted or scheduled version can be published",
            d.state.as_str()
        )));
    }
    let replaced = apply_replacement(conn, &d, at).await?;
    sqlx::query(
        "UPDATE disclosure SET state = 'published', published_at = $1, updated_at = $2 WHERE disclosure_id = $3",
    )
    .bind(at)
    .bind(at)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    append_log(conn, &d, at, signoffs, replaced, &mut head).await
}

#[async_trait]
impl LogStore for Backend {
    async fn log_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<LogEntry>> {
        sqlx::query(concat!("SELECT ", log_columns!(), " FROM log_entry WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?
            .iter()
            .map(log_from_row)
            .collect()
    }

    async fn log_head(&self) -> StoreResult<Option<LogEntry>> {
        sqlx::query(concat!("SELECT ", log_columns!(), " FROM log_entry ORDER BY seq DESC LIMIT 1"))
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?
            .as_ref()
            .map(log_from_row)
            .transpose()
    }

    async fn log_entries_for(&self, id: DisclosureId) -> StoreResult<Vec<LogEntry>> {
        sqlx::query(concat!("SELECT ", log_columns!(), " FROM log_entry WHERE disclosure_id = $1 ORDER BY seq"))
            .bind(id.0)
            .fetch_all(self.reader())
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
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn list_checkpoints(&self, limit: u32) -> StoreResult<Vec<Checkpoint>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            checkpoint_columns!(),
            " FROM checkpoint ORDER BY at DESC, seq DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
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

    async fn fill_leaves(&self, limit: u32) -> StoreResult<u64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let rows = sqlx::query(
            "SELECT l.seq, l.at, l.village_code, l.disclosure_id, l.version, l.action, l.content_hash,
                    l.signoffs_json, l.reason, l.prev_hash, l.entry_hash,
                    d.catalog_item_id, d.period, d.replaces_id, r.version AS replaced_version
             FROM log_entry l
             LEFT JOIN log_leaf f ON f.seq = l.seq
             LEFT JOIN disclosure d ON d.disclosure_id = l.disclosure_id
             LEFT JOIN disclosure r ON r.disclosure_id = d.replaces_id
             WHERE f.seq IS NULL ORDER BY l.seq LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        for row in &rows {
            let entry = log_from_row(row)?;
            let replaces_id: Option<i64> = row.get("replaces_id");
            let replaced_version: Option<i64> = row.get("replaced_version");
            let period: Option<String> = row.get("period");
            let ctx = LeafContext {
                replaces: replaces_id.zip(replaced_version).map(|(id, v)| (id, v as i32)),
                catalog_item: row.get("catalog_item_id"),
                period: period
                    .map(|p| p.parse())
                    .transpose()
                    .map_err(|e: yangguang_core::period::PeriodError| StoreError::Invalid(e.to_string()))?,
            };
            insert_leaf(&mut tx, &entry, &ctx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(rows.len() as u64)
    }

    async fn leaf_hashes(&self, after: i64, limit: u32) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT seq, leaf_hash FROM log_leaf WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .map_err(map_err)
    }

    async fn leaf_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT seq, entry FROM log_leaf WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .map_err(map_err)
    }

    async fn add_tree_checkpoint(&self, c: &TreeCheckpoint) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tree_checkpoint (tree_size, root_hash, note, signed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tree_size) DO NOTHING",
        )
        .bind(c.tree_size)
        .bind(&c.root_hash)
        .bind(&c.note)
        .bind(c.signed_at)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn set_tree_checkpoint_note(&self, tree_size: i64, note: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE tree_checkpoint SET note = $1 WHERE tree_size = $2")
            .bind(note)
            .bind(tree_size)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn list_tree_checkpoints(&self, limit: u32) -> StoreResult<Vec<TreeCheckpoint>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            tree_checkpoint_columns!(),
            " FROM tree_checkpoint ORDER BY tree_size DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows.iter().map(tree_checkpoint_from_row).collect())
    }

    async fn tree_checkpoint(&self, tree_size: i64) -> StoreResult<Option<TreeCheckpoint>> {
        let row =
            sqlx::query(concat!("SELECT ", tree_checkpoint_columns!(), " FROM tree_checkpoint WHERE tree_size = $1"))
                .bind(tree_size)
                .fetch_optional(self.reader())
                .await
                .map_err(map_err)?;
        Ok(row.as_ref().map(tree_checkpoint_from_row))
    }
}

fn tree_checkpoint_from_row(r: &DbRow) -> TreeCheckpoint {
    TreeCheckpoint {
        tree_size: r.get("tree_size"),
        root_hash: r.get("root_hash"),
        note: r.get("note"),
        signed_at: r.get("signed_at"),
    }
}
