//! Warnings: the findings as stored with their states and trails, the thresholds' overrides,
//! and the rules' bulk reads (shared receipt scans, scans per voucher, published versions).

use super::prelude::*;
use yangguang_core::warning::{Finding, Override, Rule, Severity};
use yangguang_store::{
    FindingChanges, PublishedFacts, ReceiptOnVoucher, StoredOverride, StoredWarning, ThresholdChange, WarningEvent,
    WarningQuery, WarningState, WarningStore, evidence_from_json, evidence_json,
};

const WARNING_COLUMNS: &str =
    "warning_id, village_code, rule, subject, severity, message, evidence, state, note, state_by, state_at, first_seen";

/// Villages per query (bind limits).
const CHUNK: usize = 500;

fn warning(r: &DbRow) -> StoreResult<StoredWarning> {
    let rule: String = r.get("rule");
    let severity: String = r.get("severity");
    let state: String = r.get("state");
    Ok(StoredWarning {
        id: r.get("warning_id"),
        finding: Finding {
            village: decode::code(r.get("village_code"))?,
            rule: Rule::parse(&rule).ok_or_else(|| StoreError::Invalid(format!("unknown warning rule {rule}")))?,
            subject: r.get("subject"),
            severity: Severity::parse(&severity)
                .ok_or_else(|| StoreError::Invalid(format!("unknown severity {severity}")))?,
            message: r.get("message"),
            evidence: evidence_from_json(r.get("evidence")),
        },
        state: WarningState::parse(&state).ok_or_else(|| StoreError::Invalid(format!("unknown state {state}")))?,
        note: r.get("note"),
        state_by: r.get("state_by"),
        state_at: r.get("state_at"),
        first_seen: r.get("first_seen"),
    })
}

/// A prefix as the range of village codes under it (an index range, not `LIKE`).
fn code_range(prefix: &str) -> (String, String) {
    (format!("{prefix:0<12}"), format!("{prefix:9<12}"))
}

fn push_filter(q: &mut QueryBuilder<'_, Db>, query: &WarningQuery) {
    q.push(" WHERE (");
    if query.region_prefixes.is_empty() {
        q.push("FALSE");
    }
    let mut regions = q.separated(" OR ");
    for p in &query.region_prefixes {
        let (low, high) = code_range(p);
        regions.push("(village_code >= ");
        regions.push_bind_unseparated(low);
        regions.push_unseparated(" AND village_code <= ");
        regions.push_bind_unseparated(high);
        regions.push_unseparated(")");
    }
    q.push(")");
    if let Some(v) = query.village {
        q.push(" AND village_code = ").push_bind(v.to_string());
    }
    if let Some(rule) = query.rule {
        q.push(" AND rule = ").push_bind(rule.code());
    }
    if let Some(s) = query.severity {
        q.push(" AND severity = ").push_bind(s.as_str());
    }
    if !query.states.is_empty() {
        q.push(" AND state IN (");
        let mut list = q.separated(", ");
        for s in &query.states {
            list.push_bind(s.as_str());
        }
        q.push(")");
    }
}

async fn event(
    tx: &mut DbConn,
    id: i64,
    at: DateTime<Utc>,
    by: &str,
    action: &str,
    note: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO warning_event (warning_id, at, actor, action, note) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(at)
        .bind(by)
        .bind(action)
        .bind(note)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

const SYSTEM: &str = "system";

#[async_trait]
impl WarningStore for Backend {
    async fn village_warnings(&self, villages: &[RegionCode]) -> StoreResult<Vec<StoredWarning>> {
        let mut out = vec![];
        for chunk in villages.chunks(CHUNK) {
            let mut q: QueryBuilder<Db> =
                QueryBuilder::new(format!("SELECT {WARNING_COLUMNS} FROM warning WHERE village_code IN ("));
            let mut list = q.separated(", ");
            for v in chunk {
                list.push_bind(v.to_string());
            }
            q.push(") ORDER BY warning_id");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                out.push(warning(&r)?);
            }
        }
        Ok(out)
    }

    async fn apply_findings(&self, changes: &FindingChanges, at: DateTime<Utc>) -> StoreResult<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        for f in &changes.open {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO warning (village_code, rule, subject, severity, message, evidence, state, note, state_by, \
                 state_at, first_seen) VALUES ($1, $2, $3, $4, $5, $6, 'open', NULL, $7, $8, $8) RETURNING warning_id",
            )
            .bind(f.village.to_string())
            .bind(f.rule.code())
            .bind(&f.subject)
            .bind(f.severity.as_str())
            .bind(&f.message)
            .bind(evidence_json(&f.evidence))
            .bind(SYSTEM)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            event(&mut tx, id, at, SYSTEM, "opened", Some(&f.message)).await?;
        }
        for (id, f) in &changes.update {
            sqlx::query("UPDATE warning SET severity = $1, message = $2, evidence = $3 WHERE warning_id = $4")
                .bind(f.severity.as_str())
                .bind(&f.message)
                .bind(evidence_json(&f.evidence))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            event(&mut tx, *id, at, SYSTEM, "updated", Some(&f.message)).await?;
        }
        for (id, f) in &changes.reopen {
            sqlx::query(
                "UPDATE warning SET severity = $1, message = $2, evidence = $3, state = 'open', note = NULL, \
                 state_by = $4, state_at = $5 WHERE warning_id = $6",
            )
            .bind(f.severity.as_str())
            .bind(&f.message)
            .bind(evidence_json(&f.evidence))
            .bind(SYSTEM)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            event(&mut tx, *id, at, SYSTEM, "reopened", Some(&f.message)).await?;
        }
        for id in &changes.resolve {
            sqlx::query("UPDATE warning SET state = 'resolved', state_by = $1, state_at = $2 WHERE warning_id = $3")
                .bind(SYSTEM)
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            event(&mut tx, *id, at, SYSTEM, "resolved", None).await?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn list_warnings(&self, query: &WarningQuery) -> StoreResult<Page<StoredWarning>> {
        let mut count: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM warning");
        push_filter(&mut count, query);
        let total: i64 = count.build_query_scalar().fetch_one(self.reader()).await.map_err(map_err)?;
        let per_page = query.per_page.max(1);
        let page = query.page.max(1);
        let mut q: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {WARNING_COLUMNS} FROM warning"));
        push_filter(&mut q, query);
        q.push(" ORDER BY CASE severity WHEN 'red' THEN 0 ELSE 1 END, village_code, rule, warning_id LIMIT ")
            .push_bind(i64::from(per_page))
            .push(" OFFSET ")
            .push_bind(i64::from(page - 1) * i64::from(per_page));
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        Ok(Page { items: rows.iter().map(warning).collect::<StoreResult<_>>()?, total: total as u64, page, per_page })
    }

    async fn get_warning(&self, id: i64) -> StoreResult<StoredWarning> {
        let row = sqlx::query(&format!("SELECT {WARNING_COLUMNS} FROM warning WHERE warning_id = $1"))
            .bind(id)
            .fetch_one(self.reader())
            .await
            .map_err(map_err)?;
        warning(&row)
    }

    async fn warning_events(&self, id: i64) -> StoreResult<Vec<WarningEvent>> {
        let rows = sqlx::query(
            "SELECT warning_id, at, actor, action, note FROM warning_event WHERE warning_id = $1 ORDER BY event_id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| WarningEvent {
                warning: r.get("warning_id"),
                at: r.get("at"),
                by: r.get("actor"),
                action: r.get("action"),
                note: r.get("note"),
            })
            .collect())
    }

    async fn set_warning_state(
        &self,
        id: i64,
        state: WarningState,
        note: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<StoredWarning> {
        let action = match state {
            WarningState::Reviewed => "reviewed",
            WarningState::Dismissed => "dismissed",
            _ => return Err(StoreError::Invalid("a supervisor only reviews or dismisses a warning".into())),
        };
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let current: Option<String> = sqlx::query_scalar("SELECT state FROM warning WHERE warning_id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        match current.as_deref() {
            None => return Err(StoreError::NotFound),
            Some("open" | "reviewed") => {}
            Some(other) => return Err(StoreError::Conflict(format!("warning {id} is {other}"))),
        }
        sqlx::query("UPDATE warning SET state = $1, note = $2, state_by = $3, state_at = $4 WHERE warning_id = $5")
            .bind(state.as_str())
            .bind(note)
            .bind(by)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        event(&mut tx, id, at, by, action, Some(note)).await?;
        tx.commit().await.map_err(map_err)?;
        self.get_warning(id).await
    }

    async fn standing_warning_counts(&self, region_prefixes: &[String]) -> StoreResult<Vec<(RegionCode, u64, u64)>> {
        let query = WarningQuery {
            region_prefixes: region_prefixes.to_vec(),
            states: vec![WarningState::Open, WarningState::Reviewed],
            ..WarningQuery::default()
        };
        let mut q: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT village_code, CAST(SUM(CASE severity WHEN 'red' THEN 1 ELSE 0 END) AS BIGINT) AS red, \
             CAST(SUM(CASE severity WHEN 'red' THEN 0 ELSE 1 END) AS BIGINT) AS yellow FROM warning",
        );
        push_filter(&mut q, &query);
        q.push(" GROUP BY village_code ORDER BY village_code");
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok((
                    decode::code(r.get("village_code"))?,
                    r.get::<i64, _>("red") as u64,
                    r.get::<i64, _>("yellow") as u64,
                ))
            })
            .collect()
    }

    async fn shared_receipts(&self, village: Option<RegionCode>) -> StoreResult<Vec<ReceiptOnVoucher>> {
        let mut q: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT village_code, year, month, voucher_no, sha256 FROM receipt WHERE sha256 IN \
             (SELECT sha256 FROM receipt",
        );
        if let Some(v) = village {
            q.push(" WHERE sha256 IN (SELECT sha256 FROM receipt WHERE village_code = ")
                .push_bind(v.to_string())
                .push(")");
        }
        q.push(" GROUP BY sha256 HAVING COUNT(*) > 1) ORDER BY sha256, village_code, year, month, voucher_no");
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(ReceiptOnVoucher {
                    village: decode::code(r.get("village_code"))?,
                    year: r.get::<i64, _>("year") as i32,
                    month: r.get::<i64, _>("month") as u32,
                    voucher_no: r.get("voucher_no"),
                    sha256: r.get("sha256"),
                })
            })
            .collect()
    }

    async fn voucher_scan_counts(
        &self,
        villages: &[RegionCode],
    ) -> StoreResult<Vec<(RegionCode, i32, u32, String, u32)>> {
        let mut out = vec![];
        for chunk in villages.chunks(CHUNK) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT village_code, year, month, voucher_no, COUNT(*) AS scans FROM receipt WHERE village_code IN (",
            );
            let mut list = q.separated(", ");
            for v in chunk {
                list.push_bind(v.to_string());
            }
            q.push(") GROUP BY village_code, year, month, voucher_no");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                out.push((
                    decode::code(r.get("village_code"))?,
                    r.get::<i64, _>("year") as i32,
                    r.get::<i64, _>("month") as u32,
                    r.get("voucher_no"),
                    r.get::<i64, _>("scans") as u32,
                ));
            }
        }
        Ok(out)
    }

    async fn published_facts(&self, villages: &[RegionCode]) -> StoreResult<Vec<PublishedFacts>> {
        let mut out: Vec<PublishedFacts> = vec![];
        let mut index: HashMap<i64, usize> = HashMap::new();
        for chunk in villages.chunks(CHUNK) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT d.disclosure_id, d.village_code, d.title, d.catalog_item_id, d.kind, d.replaces_id, d.reason, \
                 l.signoffs_json FROM disclosure d LEFT JOIN log_entry l ON l.disclosure_id = d.disclosure_id \
                 WHERE d.state IN ('published', 'superseded', 'withdrawn') AND d.published_at IS NOT NULL \
                 AND d.village_code IN (",
            );
            let mut list = q.separated(", ");
            for v in chunk {
                list.push_bind(v.to_string());
            }
            q.push(") ORDER BY d.disclosure_id");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                let id: i64 = r.get("disclosure_id");
                let at = *index.entry(id).or_insert(out.len());
                if at == out.len() {
                    let kind: String = r.get("kind");
                    out.push(PublishedFacts {
                        village: decode::code(r.get("village_code"))?,
                        id: DisclosureId(id),
                        title: r.get("title"),
                        catalog_item: r.get("catalog_item_id"),
                        replaces: r.get::<Option<i64>, _>("replaces_id").map(DisclosureId),
                        withdrawal: kind == "withdrawal",
                        reason: r.get("reason"),
                        approved_roles: vec![],
                    });
                }
                // The log records the sign-offs a version was published with.
                if let Some(json) = r.get::<Option<String>, _>("signoffs_json") {
                    let signed: Vec<SignoffRecord> = serde_json::from_str(&json).unwrap_or_default();
                    for s in signed {
                        if !out[at].approved_roles.contains(&s.role) {
                            out[at].approved_roles.push(s.role);
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    async fn threshold_overrides(&self) -> StoreResult<Vec<StoredOverride>> {
        let rows = sqlx::query(
            "SELECT region_code, name, effective_from, value, set_by, set_at FROM warning_threshold \
             ORDER BY region_code, name, effective_from",
        )
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(StoredOverride {
                    value: Override {
                        region: decode::code(r.get("region_code"))?,
                        name: r.get("name"),
                        value: r.get("value"),
                        from: r.get::<NaiveDate, _>("effective_from"),
                    },
                    set_by: r.get("set_by"),
                    set_at: r.get("set_at"),
                })
            })
            .collect()
    }

    async fn put_threshold_override(&self, value: &Override, by: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let previous: Option<i64> = sqlx::query_scalar(
            "SELECT value FROM warning_threshold WHERE region_code = $1 AND name = $2 AND effective_from = $3",
        )
        .bind(value.region.to_string())
        .bind(&value.name)
        .bind(value.from)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO warning_threshold (region_code, name, effective_from, value, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (region_code, name, effective_from) \
             DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(value.region.to_string())
        .bind(&value.name)
        .bind(value.from)
        .bind(value.value)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        // The overwritten value survives only here: the page's history reads this table.
        sqlx::query(
            "INSERT INTO warning_threshold_change (region_code, name, effective_from, value, previous, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(value.region.to_string())
        .bind(&value.name)
        .bind(value.from)
        .bind(value.value)
        .bind(previous)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn threshold_changes(&self, regions: &[RegionCode]) -> StoreResult<Vec<ThresholdChange>> {
        let mut out = vec![];
        for chunk in regions.chunks(CHUNK) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT change_id, region_code, name, effective_from, value, previous, set_by, set_at \
                 FROM warning_threshold_change WHERE region_code IN (",
            );
            let mut list = q.separated(", ");
            for r in chunk {
                list.push_bind(r.to_string());
            }
            q.push(")");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                let id: i64 = r.get("change_id");
                let change = ThresholdChange {
                    value: Override {
                        region: decode::code(r.get("region_code"))?,
                        name: r.get("name"),
                        value: r.get("value"),
                        from: r.get::<NaiveDate, _>("effective_from"),
                    },
                    previous: r.get("previous"),
                    set_by: r.get("set_by"),
                    set_at: r.get("set_at"),
                };
                out.push((id, change));
            }
        }
        out.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
        Ok(out.into_iter().map(|(_, c)| c).collect())
    }
}
