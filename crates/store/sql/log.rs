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

/// Supersedes or withdraws the version a correction or withdrawal replaces.
pub(super) async fn apply_replacement(conn: &mut DbConn, d: &Disclosure, at: DateTime<Utc>) -> StoreResult<()> {
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

pub(super) async fn append_log(
    conn: &mut DbConn,
    pending: PendingEntry,
    head: &mut (i64, String),
) -> StoreResult<LogEntry> {
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

pub(super) fn pending_entry(d: &Disclosure, at: DateTime<Utc>, signoffs: &[SignoffRecord]) -> PendingEntry {
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
}
