//! Problem reports: stored as received, moved through their statuses with a history line per
//! step (each in one transaction, only from the status the caller saw), hidden but never
//! deleted, and the throttles on anonymous reporting and receipt-code lookups.

use super::prelude::*;
use yangguang_core::report::{Category, Place, Status};
use yangguang_store::{NewReport, Report, ReportEvent, ReportPhoto, ReportQuery, ReportStore, StatusChange};

const REPORT_COLUMNS: &str = "report_id, village_code, category, description, address, lat, lon, photos, status, \
     assignee_id, assignee_name, outcome, hidden_reason, household, created_at, updated_at";

/// The advisory-lock class of throttle buckets (login attempts use 0 and 1).
const THROTTLE_LOCK: i32 = 2;

fn photos_json(photos: &[ReportPhoto]) -> String {
    let list: Vec<serde_json::Value> = photos
        .iter()
        .map(|p| serde_json::json!({ "sha256": p.sha256, "media_type": p.media_type, "byte_size": p.byte_size }))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn photos_of(json: &str) -> Result<Vec<ReportPhoto>, StoreError> {
    let bad = |what: &str| StoreError::Invalid(format!("report photos: {what}"));
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    value
        .as_array()
        .ok_or_else(|| bad("not a list"))?
        .iter()
        .map(|p| {
            Ok(ReportPhoto {
                sha256: p["sha256"].as_str().ok_or_else(|| bad("sha256"))?.to_owned(),
                media_type: p["media_type"].as_str().ok_or_else(|| bad("media_type"))?.to_owned(),
                byte_size: p["byte_size"].as_i64().ok_or_else(|| bad("byte_size"))?,
            })
        })
        .collect()
}

fn report(r: &DbRow) -> Result<Report, StoreError> {
    let category: String = r.get("category");
    let status: String = r.get("status");
    Ok(Report {
        id: r.get("report_id"),
        village: decode::code(&r.get::<String, _>("village_code"))?,
        category: Category::parse(&category).ok_or_else(|| StoreError::Invalid(format!("category {category}")))?,
        description: r.get("description"),
        place: Place { address: r.get("address"), lat: r.get("lat"), long: r.get("lon") },
        photos: photos_of(&r.get::<String, _>("photos"))?,
        status: Status::parse(&status).ok_or_else(|| StoreError::Invalid(format!("report status {status}")))?,
        assignee_id: r.get("assignee_id"),
        assignee_name: r.get("assignee_name"),
        outcome: r.get("outcome"),
        hidden_reason: r.get("hidden_reason"),
        household: r.get("household"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    })
}

async fn add_event(
    conn: &mut DbConn,
    id: i64,
    at: DateTime<Utc>,
    staff: (Option<i64>, &str),
    action: &str,
    note: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_event (report_id, at, staff_id, staff_name, action, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(at)
    .bind(staff.0)
    .bind(staff.1)
    .bind(action)
    .bind(note)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

fn filter<'a>(q: &mut QueryBuilder<'a, Db>, query: &'a ReportQuery) {
    q.push(" WHERE (");
    let mut regions = q.separated(" OR ");
    for p in &query.region_prefixes {
        regions.push("village_code LIKE ");
        regions.push_bind_unseparated(format!("{p}%"));
    }
    q.push(")");
    let statuses: Vec<Status> = if query.public_only {
        q.push(" AND hidden_reason IS NULL");
        vec![Status::Resolved]
    } else {
        query.statuses.clone()
    };
    if !statuses.is_empty() {
        q.push(" AND status IN (");
        let mut list = q.separated(", ");
        for s in statuses {
            list.push_bind(s.as_str());
        }
        q.push(")");
    }
    if let Some(c) = query.category {
        q.push(" AND category = ");
        q.push_bind(c.as_str());
    }
    if let Some(t) = query.since {
        q.push(" AND created_at >= ");
        q.push_bind(t);
    }
    if let Some(t) = query.until {
        q.push(" AND created_at < ");
        q.push_bind(t);
    }
}

#[async_trait]
impl ReportStore for Backend {
    async fn create_report(&self, new: &NewReport, at: DateTime<Utc>) -> StoreResult<i64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO report (village_code, category, description, address, lat, lon, photos, status, household,
             receipt_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             RETURNING report_id",
        )
        .bind(new.village.to_string())
        .bind(new.category.as_str())
        .bind(&new.description)
        .bind(&new.place.address)
        .bind(new.place.lat)
        .bind(new.place.long)
        .bind(photos_json(&new.photos))
        .bind(Status::Received.as_str())
        .bind(&new.household)
        .bind(&new.receipt_hash)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        add_event(&mut tx, id, at, (None, ""), Status::Received.as_str(), "").await?;
        tx.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn get_report(&self, id: i64) -> StoreResult<Report> {
        let row = sqlx::query(&format!("SELECT {REPORT_COLUMNS} FROM report WHERE report_id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        report(&row)
    }

    async fn report_by_receipt(&self, receipt_hash: &str) -> StoreResult<Option<Report>> {
        let row = sqlx::query(&format!("SELECT {REPORT_COLUMNS} FROM report WHERE receipt_hash = $1"))
            .bind(receipt_hash)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?;
        row.as_ref().map(report).transpose()
    }

    async fn list_reports(&self, query: &ReportQuery) -> StoreResult<Page<Report>> {
        let page = query.page.max(1);
        if query.region_prefixes.is_empty() {
            return Ok(Page { items: vec![], total: 0, page, per_page: query.per_page });
        }
        let mut count: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM report");
        filter(&mut count, query);
        let total: i64 = count.build_query_scalar().fetch_one(self.reader()).await.map_err(map_err)?;
        let mut list: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {REPORT_COLUMNS} FROM report"));
        filter(&mut list, query);
        list.push(" ORDER BY created_at DESC, report_id DESC LIMIT ");
        list.push_bind(i64::from(query.per_page));
        list.push(" OFFSET ");
        list.push_bind(i64::from(page - 1) * i64::from(query.per_page));
        let rows = list.build().fetch_all(self.reader()).await.map_err(map_err)?;
        let items = rows.iter().map(report).collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, total: total as u64, page, per_page: query.per_page })
    }

    async fn change_report_status(&self, id: i64, change: &StatusChange) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let outcome = change.to.is_final().then_some(change.note.as_str());
        let (assignee_id, assignee_name) = match &change.assignee {
            Some((id, name)) => (Some(*id), Some(name.as_str())),
            None => (None, None),
        };
        let moved = sqlx::query(
            "UPDATE report SET status = $1, updated_at = $2, outcome = COALESCE($3, outcome),
             assignee_id = COALESCE($4, assignee_id), assignee_name = COALESCE($5, assignee_name)
             WHERE report_id = $6 AND status = $7",
        )
        .bind(change.to.as_str())
        .bind(change.at)
        .bind(outcome)
        .bind(assignee_id)
        .bind(assignee_name)
        .bind(id)
        .bind(change.from.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if moved == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT report_id FROM report WHERE report_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
            return Err(match exists {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict(format!("report {id} is no longer {}", change.from.as_str())),
            });
        }
        let note = match &change.assignee {
            Some((_, name)) if change.note.is_empty() => name.clone(),
            Some((_, name)) => format!("{name}：{}", change.note),
            None => change.note.clone(),
        };
        add_event(&mut tx, id, change.at, (Some(change.staff_id), &change.staff_name), change.to.as_str(), &note)
            .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn hide_report(&self, id: i64, reason: &str, staff: (i64, &str), at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let hidden = sqlx::query(
            "UPDATE report SET hidden_reason = $1, updated_at = $2 WHERE report_id = $3 AND hidden_reason IS NULL",
        )
        .bind(reason)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if hidden == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT report_id FROM report WHERE report_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
            return Err(match exists {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict(format!("report {id} is hidden already")),
            });
        }
        add_event(&mut tx, id, at, (Some(staff.0), staff.1), "hidden", reason).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn report_events(&self, id: i64) -> StoreResult<Vec<ReportEvent>> {
        let rows = sqlx::query(
            "SELECT at, staff_id, staff_name, action, note FROM report_event WHERE report_id = $1 ORDER BY event_id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| ReportEvent {
                at: r.get("at"),
                staff_id: r.get("staff_id"),
                staff_name: r.get("staff_name"),
                action: r.get("action"),
                note: r.get("note"),
            })
            .collect())
    }

    async fn count_reports(&self, region_prefixes: &[String], status: Status) -> StoreResult<u64> {
        if region_prefixes.is_empty() {
            return Ok(0);
        }
        let mut q: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM report WHERE status = ");
        q.push_bind(status.as_str());
        q.push(" AND (");
        let mut regions = q.separated(" OR ");
        for p in region_prefixes {
            regions.push("village_code LIKE ");
            regions.push_bind_unseparated(format!("{p}%"));
        }
        q.push(")");
        let n: i64 = q.build_query_scalar().fetch_one(self.reader()).await.map_err(map_err)?;
        Ok(n as u64)
    }

    async fn claim_throttle(
        &self,
        buckets: &[(String, u64)],
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut sorted: Vec<&(String, u64)> = buckets.iter().collect();
        // Always the same order of locks, so two claims never wait on each other.
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.dedup_by(|a, b| a.0 == b.0);
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        for (bucket, _) in &sorted {
            dialect::lock_login(&mut tx, THROTTLE_LOCK, bucket).await?;
        }
        for (bucket, limit) in &sorted {
            let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report_throttle WHERE bucket = $1 AND at >= $2")
                .bind(bucket)
                .bind(since)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
            if used as u64 >= *limit {
                tx.commit().await.map_err(map_err)?;
                return Ok(false);
            }
        }
        for (bucket, _) in &sorted {
            sqlx::query("INSERT INTO report_throttle (bucket, at) VALUES ($1, $2)")
                .bind(bucket)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn prune_throttle(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let n = sqlx::query("DELETE FROM report_throttle WHERE at < $1")
            .bind(before)
            .execute(self.writer())
            .await
            .map_err(map_err)?
            .rows_affected();
        Ok(n)
    }
}
