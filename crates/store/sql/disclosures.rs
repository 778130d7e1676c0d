//! Disclosures: drafts, versions, attachments, the work list, sign-offs and state changes.

use super::prelude::*;

pub(super) async fn load_disclosure(conn: &mut DbConn, id: DisclosureId) -> StoreResult<Disclosure> {
    load_disclosures(conn, &[id]).await?.pop().ok_or(StoreError::NotFound)
}

/// Disclosures with their attachments, two queries a chunk of ids; missing ids are skipped.
pub(super) async fn load_disclosures(conn: &mut DbConn, ids: &[DisclosureId]) -> StoreResult<Vec<Disclosure>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(ID_CHUNK) {
        let mut q: QueryBuilder<Db> =
            QueryBuilder::new(concat!("SELECT ", disclosure_columns!(), " FROM disclosure WHERE disclosure_id IN ("));
        push_ids(&mut q, chunk);
        let rows = q.build().fetch_all(&mut *conn).await.map_err(map_err)?;
        let mut q: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT disclosure_id, file_name, media_type, byte_size, sha256 FROM attachment WHERE disclosure_id IN (",
        );
        push_ids(&mut q, chunk);
        q.push(" ORDER BY disclosure_id, position");
        let mut attachments: HashMap<i64, Vec<Attachment>> = HashMap::new();
        for r in q.build().fetch_all(&mut *conn).await.map_err(map_err)? {
            attachments.entry(r.get("disclosure_id")).or_default().push(Attachment {
                file_name: r.get("file_name"),
                media_type: r.get("media_type"),
                byte_size: r.get("byte_size"),
                sha256: r.get("sha256"),
            });
        }
        for row in &rows {
            let id: i64 = row.get("disclosure_id");
            found.push(disclosure_from_row(row, attachments.remove(&id).unwrap_or_default())?);
        }
    }
    // In the order asked for.
    let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (id.0, i)).collect();
    found.sort_by_key(|d| position.get(&d.id.0).copied());
    Ok(found)
}

/// Ids per `IN (…)` list: far below either database's limit on bound values.
const ID_CHUNK: usize = 500;

/// `id, id, …)` closing an `IN (` list.
fn push_ids(q: &mut QueryBuilder<'_, Db>, ids: &[DisclosureId]) {
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    q.push(")");
}

fn disclosure_from_row(row: &DbRow, attachments: Vec<Attachment>) -> StoreResult<Disclosure> {
    Ok(Disclosure {
        id: DisclosureId(row.get("disclosure_id")),
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

fn signoff_from_row(r: &DbRow) -> StoreResult<Signoff> {
    Ok(Signoff {
        disclosure_id: DisclosureId(r.get("disclosure_id")),
        staff_id: r.get("staff_id"),
        reviewer_name: r.get("reviewer_name"),
        reviewer_role: r.get("reviewer_role"),
        decision: decode::decision(r.get("decision"))?,
        comment: r.get("comment"),
        content_hash: r.get("content_hash"),
        at: r.get("at"),
    })
}

pub(super) async fn insert_attachments(conn: &mut DbConn, id: i64, attachments: &[Attachment]) -> StoreResult<()> {
    if attachments.is_empty() {
        return Ok(());
    }
    let mut q: QueryBuilder<Db> = QueryBuilder::new(
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

#[async_trait]
impl DisclosureStore for Backend {
    async fn insert_disclosures(&self, new: &[NewDisclosure]) -> StoreResult<Vec<DisclosureId>> {
        for d in new {
            d.validate().map_err(|e| StoreError::Invalid(e.to_string()))?;
        }
        let mut tx = self.writer().begin().await.map_err(map_err)?;
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
                let replaced = apply_replacement(&mut tx, &stored, at).await?;
                append_log(&mut tx, &stored, at, &d.signoffs, replaced, head).await?;
            }
            ids.push(DisclosureId(id));
        }
        tx.commit().await.map_err(map_err)?;
        Ok(ids)
    }

    async fn get_disclosure(&self, id: DisclosureId) -> StoreResult<Disclosure> {
        let mut conn = self.reader().acquire().await.map_err(map_err)?;
        load_disclosure(&mut conn, id).await
    }

    async fn get_disclosures(&self, ids: &[DisclosureId]) -> StoreResult<Vec<Disclosure>> {
        let mut conn = self.reader().acquire().await.map_err(map_err)?;
        load_disclosures(&mut conn, ids).await
    }

    async fn list_disclosures(&self, query: &DisclosureQuery) -> StoreResult<Page<DisclosureSummary>> {
        fn filter<'a>(q: &mut QueryBuilder<'a, Db>, query: &'a DisclosureQuery) {
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
        let mut count: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM disclosure d");
        filter(&mut count, query);
        let total: i64 = count.build_query_scalar().fetch_one(self.reader()).await.map_err(map_err)?;
        let mut list: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM disclosure d"));
        filter(&mut list, query);
        list.push(" ORDER BY d.published_at DESC, d.disclosure_id DESC LIMIT ");
        list.push_bind(i64::from(query.per_page));
        list.push(" OFFSET ");
        list.push_bind(query.offset() as i64);
        let rows = list.build().fetch_all(self.reader()).await.map_err(map_err)?;
        let items = rows.iter().map(summary_from_row).collect::<StoreResult<Vec<_>>>()?;
        Ok(Page { items, total: total as u64, page: query.page.max(1), per_page: query.per_page })
    }

    async fn list_work(&self, query: &WorkQuery) -> StoreResult<Vec<DisclosureSummary>> {
        if query.region_prefixes.is_empty() || query.states.is_empty() {
            return Ok(vec![]);
        }
        let mut q: QueryBuilder<Db> =
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
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn list_published(&self, query: &PublishedQuery) -> StoreResult<Page<DisclosureSummary>> {
        super::published::list_published(self, query).await
    }

    async fn list_submitted(&self, region_prefixes: &[String]) -> StoreResult<Vec<DisclosureSummary>> {
        if region_prefixes.is_empty() {
            return Ok(vec![]);
        }
        let mut q: QueryBuilder<Db> =
            QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM disclosure d WHERE d.state = 'submitted' AND ("));
        let mut regions = q.separated(" OR ");
        for p in region_prefixes {
            regions.push("d.village_code LIKE ");
            regions.push_bind_unseparated(format!("{p}%"));
        }
        q.push(") ORDER BY d.submitted_at, d.disclosure_id");
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn list_replacements(&self, id: DisclosureId) -> StoreResult<Vec<DisclosureSummary>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM disclosure d WHERE d.replaces_id = $1 ORDER BY d.disclosure_id"
        ))
        .bind(id.0)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(summary_from_row).collect()
    }

    async fn published_periods(&self, village: RegionCode) -> StoreResult<Vec<(String, Period)>> {
        Ok(self.published_periods_of(&[village]).await?.into_iter().map(|(_, item, period)| (item, period)).collect())
    }

    async fn published_periods_of(&self, villages: &[RegionCode]) -> StoreResult<Vec<(RegionCode, String, Period)>> {
        let mut found = vec![];
        for chunk in villages.chunks(ID_CHUNK) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT DISTINCT village_code, catalog_item_id, period FROM disclosure
                 WHERE state IN ('published', 'superseded') AND kind <> 'withdrawal'
                   AND catalog_item_id IS NOT NULL AND period IS NOT NULL AND village_code IN (",
            );
            let mut list = q.separated(", ");
            for v in chunk {
                list.push_bind(v.to_string());
            }
            q.push(")");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                let period = decode::period(Some(r.get("period")))?.expect("present");
                found.push((decode::code(r.get("village_code"))?, r.get("catalog_item_id"), period));
            }
        }
        Ok(found)
    }

    async fn count_disclosures(&self) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM disclosure").fetch_one(self.reader()).await.map_err(map_err)?;
        Ok(n as u64)
    }

    async fn update_draft(&self, id: DisclosureId, edit: &DraftEdit, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
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
        let mut q: QueryBuilder<Db> = QueryBuilder::new("UPDATE disclosure SET state = ");
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
        let changed = q.build().execute(self.writer()).await.map_err(map_err)?.rows_affected();
        if changed == 0 {
            let exists: Option<String> = sqlx::query_scalar("SELECT state FROM disclosure WHERE disclosure_id = $1")
                .bind(id.0)
                .fetch_optional(self.reader())
                .await
                .map_err(map_err)?;
            return match exists {
                None => Err(StoreError::NotFound),
                Some(state) => Err(StoreError::Conflict(format!(
                    "此版本的状态已变为 {state}，不能进行此操作，请刷新页面 / not allowed in state {state}"
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
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn list_signoffs(&self, id: DisclosureId) -> StoreResult<Vec<Signoff>> {
        self.signoffs_of(&[id]).await
    }

    async fn signoffs_of(&self, ids: &[DisclosureId]) -> StoreResult<Vec<Signoff>> {
        let mut found = vec![];
        for chunk in ids.chunks(ID_CHUNK) {
            let mut q: QueryBuilder<Db> =
                QueryBuilder::new(concat!("SELECT ", signoff_columns!(), " FROM signoff WHERE disclosure_id IN ("));
            push_ids(&mut q, chunk);
            q.push(" ORDER BY signoff_id");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                found.push(signoff_from_row(&r)?);
            }
        }
        Ok(found)
    }

    async fn publish_freezing(
        &self,
        id: DisclosureId,
        at: DateTime<Utc>,
        signoffs: &[SignoffRecord],
        books: Option<&BookFreeze>,
    ) -> StoreResult<LogEntry> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let entry = publish_in(&mut tx, id, at, signoffs).await?;
        if let Some(books) = books {
            freeze_books(&mut tx, books, id).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(entry)
    }

    async fn due_scheduled(&self, now: DateTime<Utc>) -> StoreResult<Vec<DisclosureId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT disclosure_id FROM disclosure WHERE state = 'scheduled' AND scheduled_at <= $1 ORDER BY scheduled_at",
        )
        .bind(now)
        .fetch_all(self.reader())
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
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(ids.into_iter().map(DisclosureId).collect())
    }
}
