//! The points system's queries. Every write for a household first touches its row in
//! `points_household` inside the transaction: on PostgreSQL that row lock serialises writers of
//! the household across app servers; SQLite has one writer anyway. So a cap or a balance read
//! in the transaction still holds when the row is inserted.

use yangguang_core::points::{Balance, RuleItem, RuleVersion, check_cap};
use yangguang_store::{
    Evidence, HouseholdPoints, NewPointEvent, NewRedemption, PointCorrection, PointEvent, PointsRefusal, PointsStore,
    Redemption, RedemptionCorrected, StoredRules,
};

use super::prelude::*;

const EVENT_COLUMNS: &str = "e.event_id, e.village_code, e.household_key, e.rule_from, e.category, e.item_name, \
     e.rule_points, e.event_date, e.points, e.reason, e.evidence_sha256, e.evidence_type, e.evidence_name, \
     e.corrects_id, e.recorded_by, e.recorded_at, \
     (SELECT c.event_id FROM points_event c WHERE c.corrects_id = e.event_id) AS corrected_by";
/// A redemption and its correction, if any: `FROM {REDEMPTIONS}`.
const REDEMPTION_COLUMNS: &str = "r.redemption_id, r.village_code, r.household_key, r.redeemed_on, r.item, r.points, \
     r.recorded_by, r.recorded_at, c.correction_id, c.corrected_on, c.points AS corrected_points, \
     c.reason AS correction_reason, c.recorded_by AS correction_by, c.recorded_at AS correction_at";
const REDEMPTIONS: &str =
    "points_redemption r LEFT JOIN points_redemption_correction c ON c.redemption_id = r.redemption_id";

fn event(r: &DbRow) -> StoreResult<PointEvent> {
    let sha256: Option<String> = r.get("evidence_sha256");
    Ok(PointEvent {
        id: r.get("event_id"),
        event: NewPointEvent {
            village: decode::code(r.get("village_code"))?,
            household: r.get("household_key"),
            rule_from: r.get("rule_from"),
            category: r.get("category"),
            item: r.get("item_name"),
            rule_points: r.get("rule_points"),
            date: r.get("event_date"),
            points: r.get("points"),
            reason: r.get("reason"),
            evidence: sha256.map(|sha256| Evidence {
                sha256,
                media_type: r.get::<Option<String>, _>("evidence_type").unwrap_or_default(),
                file_name: r.get::<Option<String>, _>("evidence_name").unwrap_or_default(),
            }),
            recorded_by: r.get("recorded_by"),
            recorded_at: r.get("recorded_at"),
        },
        corrects: r.get("corrects_id"),
        corrected_by: r.get("corrected_by"),
    })
}

fn redemption(r: &DbRow) -> StoreResult<Redemption> {
    Ok(Redemption {
        id: r.get("redemption_id"),
        redemption: NewRedemption {
            village: decode::code(r.get("village_code"))?,
            household: r.get("household_key"),
            date: r.get("redeemed_on"),
            item: r.get("item"),
            points: r.get("points"),
            recorded_by: r.get("recorded_by"),
            recorded_at: r.get("recorded_at"),
        },
        corrected: r.get::<Option<i64>, _>("correction_id").map(|id| RedemptionCorrected {
            id,
            date: r.get("corrected_on"),
            points: r.get("corrected_points"),
            reason: r.get("correction_reason"),
            recorded_by: r.get("correction_by"),
            recorded_at: r.get("correction_at"),
        }),
    })
}

/// Takes the household's row for the rest of the transaction (creating it the first time).
async fn touch_household(
    conn: &mut DbConn,
    village: RegionCode,
    household: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO points_household (household_key, village_code, ranked, touched_at) VALUES ($1, $2, TRUE, $3) \
         ON CONFLICT (household_key) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(household)
    .bind(village.to_string())
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_event(conn: &mut DbConn, e: &NewPointEvent, corrects: Option<i64>) -> StoreResult<i64> {
    let evidence = e.evidence.as_ref();
    sqlx::query_scalar(
        "INSERT INTO points_event (village_code, household_key, rule_from, category, item_name, rule_points, \
         event_date, points, reason, evidence_sha256, evidence_type, evidence_name, corrects_id, recorded_by, \
         recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING event_id",
    )
    .bind(e.village.to_string())
    .bind(&e.household)
    .bind(e.rule_from)
    .bind(&e.category)
    .bind(&e.item)
    .bind(e.rule_points)
    .bind(e.date)
    .bind(e.points)
    .bind(&e.reason)
    .bind(evidence.map(|v| v.sha256.clone()))
    .bind(evidence.map(|v| v.media_type.clone()))
    .bind(evidence.map(|v| v.file_name.clone()))
    .bind(corrects)
    .bind(&e.recorded_by)
    .bind(e.recorded_at)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)
}

/// A household's balance of all time, inside the transaction.
async fn balance_of(conn: &mut DbConn, household: &str) -> StoreResult<i64> {
    let events: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS total FROM points_event WHERE household_key = $1",
    )
    .bind(household)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    let redeemed: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS total FROM points_redemption WHERE household_key = $1",
    )
    .bind(household)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    let given_back: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS total FROM points_redemption_correction \
         WHERE household_key = $1",
    )
    .bind(household)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(events - redeemed + given_back)
}

#[async_trait]
impl PointsStore for Backend {
    async fn point_rules(&self, village: RegionCode) -> StoreResult<Vec<StoredRules>> {
        let rows = sqlx::query(
            "SELECT effective_from, items_json, created_by, created_at FROM points_rules WHERE village_code = $1 \
             ORDER BY effective_from",
        )
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let items: Vec<RuleItem> = serde_json::from_str(r.get("items_json"))
                    .map_err(|e| StoreError::Invalid(format!("points rules: {e}")))?;
                Ok(StoredRules {
                    version: RuleVersion { effective_from: r.get("effective_from"), items },
                    created_by: r.get("created_by"),
                    created_at: r.get("created_at"),
                })
            })
            .collect()
    }

    async fn add_point_rules(&self, village: RegionCode, rules: &StoredRules) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let latest: Option<NaiveDate> =
            sqlx::query_scalar("SELECT MAX(effective_from) AS latest FROM points_rules WHERE village_code = $1")
                .bind(village.to_string())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        if let Some(latest) = latest.filter(|l| *l >= rules.version.effective_from) {
            return Err(StoreError::Conflict(format!("a version taking effect on {latest} exists")));
        }
        sqlx::query(
            "INSERT INTO points_rules (village_code, effective_from, items_json, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(village.to_string())
        .bind(rules.version.effective_from)
        .bind(serde_json::to_string(&rules.version.items).expect("rules serialise"))
        .bind(&rules.created_by)
        .bind(rules.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn record_point_event(&self, e: &NewPointEvent, item: &RuleItem) -> StoreResult<Result<i64, PointsRefusal>> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        touch_household(&mut tx, e.village, &e.household, e.recorded_at).await?;
        if let Some(cap) = item.cap {
            let (from, to) = cap.per.window(e.date);
            let used: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS used FROM points_event \
                 WHERE household_key = $1 AND item_name = $2 AND event_date >= $3 AND event_date <= $4",
            )
            .bind(&e.household)
            .bind(&item.name)
            .bind(from)
            .bind(to)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            if let Err(over) = check_cap(item, used, e.points) {
                return Ok(Err(PointsRefusal::OverCap(over)));
            }
        }
        let id = insert_event(&mut tx, e, None).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(Ok(id))
    }

    async fn correct_point_event(&self, c: &PointCorrection) -> StoreResult<i64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM points_event e WHERE e.event_id = $1"))
            .bind(c.corrects)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let original = event(&row)?;
        if original.event.household != c.household {
            return Err(StoreError::NotFound);
        }
        if original.corrects.is_some() {
            return Err(StoreError::Conflict(format!("event {} is a correction itself", c.corrects)));
        }
        if let Some(by) = original.corrected_by {
            return Err(StoreError::Conflict(format!("event {} was corrected by {by}", c.corrects)));
        }
        touch_household(&mut tx, original.event.village, &c.household, c.recorded_at).await?;
        let counter = NewPointEvent {
            date: c.date,
            points: -original.event.points,
            reason: c.reason.clone(),
            evidence: None,
            recorded_by: c.recorded_by.clone(),
            recorded_at: c.recorded_at,
            ..original.event
        };
        // The unique index on `corrects_id` refuses a second correction made at the same time.
        let id = insert_event(&mut tx, &counter, Some(c.corrects)).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn get_point_event(&self, id: i64) -> StoreResult<PointEvent> {
        let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM points_event e WHERE e.event_id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        event(&row)
    }

    async fn household_point_events(&self, household: &str) -> StoreResult<Vec<PointEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM points_event e WHERE e.household_key = $1 \
             ORDER BY e.event_date DESC, e.event_id DESC"
        ))
        .bind(household)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(event).collect()
    }

    async fn village_point_events(
        &self,
        village: RegionCode,
        household: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<PointEvent>> {
        let mut q: QueryBuilder<Db> =
            QueryBuilder::new(format!("SELECT {EVENT_COLUMNS} FROM points_event e WHERE e.village_code = "));
        q.push_bind(village.to_string());
        if let Some(h) = household {
            q.push(" AND e.household_key = ").push_bind(h.to_owned());
        }
        q.push(" ORDER BY e.event_id DESC LIMIT ").push_bind(i64::from(limit));
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter().map(event).collect()
    }

    async fn redeem_points(&self, r: &NewRedemption) -> StoreResult<Result<i64, PointsRefusal>> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        touch_household(&mut tx, r.village, &r.household, r.recorded_at).await?;
        let balance = balance_of(&mut tx, &r.household).await?;
        if r.points > balance {
            return Ok(Err(PointsRefusal::Short(balance)));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO points_redemption (village_code, household_key, redeemed_on, item, points, recorded_by, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING redemption_id",
        )
        .bind(r.village.to_string())
        .bind(&r.household)
        .bind(r.date)
        .bind(&r.item)
        .bind(r.points)
        .bind(&r.recorded_by)
        .bind(r.recorded_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Ok(id))
    }

    async fn correct_redemption(&self, c: &PointCorrection) -> StoreResult<i64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let row = sqlx::query(&format!("SELECT {REDEMPTION_COLUMNS} FROM {REDEMPTIONS} WHERE r.redemption_id = $1"))
            .bind(c.corrects)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let original = redemption(&row)?;
        if original.redemption.household != c.household {
            return Err(StoreError::NotFound);
        }
        if let Some(by) = original.corrected {
            return Err(StoreError::Conflict(format!("redemption {} was corrected by {}", c.corrects, by.id)));
        }
        touch_household(&mut tx, original.redemption.village, &c.household, c.recorded_at).await?;
        // The unique index on `redemption_id` refuses a second correction made at the same time.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO points_redemption_correction (redemption_id, village_code, household_key, corrected_on, \
             points, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING correction_id",
        )
        .bind(c.corrects)
        .bind(original.redemption.village.to_string())
        .bind(&c.household)
        .bind(c.date)
        .bind(original.redemption.points)
        .bind(&c.reason)
        .bind(&c.recorded_by)
        .bind(c.recorded_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn get_redemption(&self, id: i64) -> StoreResult<Redemption> {
        let row = sqlx::query(&format!("SELECT {REDEMPTION_COLUMNS} FROM {REDEMPTIONS} WHERE r.redemption_id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        redemption(&row)
    }

    async fn household_redemptions(&self, household: &str) -> StoreResult<Vec<Redemption>> {
        let rows = sqlx::query(&format!(
            "SELECT {REDEMPTION_COLUMNS} FROM {REDEMPTIONS} WHERE r.household_key = $1 \
             ORDER BY r.redeemed_on DESC, r.redemption_id DESC"
        ))
        .bind(household)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(redemption).collect()
    }

    async fn village_redemptions(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<Redemption>> {
        let rows = sqlx::query(&format!(
            "SELECT {REDEMPTION_COLUMNS} FROM {REDEMPTIONS} WHERE r.village_code = $1 AND r.redeemed_on >= $2 \
             AND r.redeemed_on <= $3 ORDER BY r.redeemed_on DESC, r.redemption_id DESC"
        ))
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(redemption).collect()
    }

    async fn point_balances(
        &self,
        village: RegionCode,
        window: Option<(NaiveDate, NaiveDate)>,
    ) -> StoreResult<Vec<HouseholdPoints>> {
        // No window: from the first possible day to the last.
        let (from, to) = window.unwrap_or((NaiveDate::MIN, NaiveDate::MAX));
        let (from, to) = (from.max(NaiveDate::from_ymd_opt(1, 1, 1).expect("valid")), to.min(far_future()));
        let events = sqlx::query(
            "SELECT household_key, \
               CAST(COALESCE(SUM(CASE WHEN rule_points > 0 THEN points ELSE 0 END), 0) AS BIGINT) AS earned, \
               CAST(COALESCE(SUM(CASE WHEN rule_points < 0 THEN -points ELSE 0 END), 0) AS BIGINT) AS deducted \
             FROM points_event WHERE village_code = $1 AND event_date >= $2 AND event_date <= $3 \
             GROUP BY household_key",
        )
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        let redeemed = sqlx::query(
            "SELECT household_key, CAST(COALESCE(SUM(points), 0) AS BIGINT) AS redeemed FROM points_redemption \
             WHERE village_code = $1 AND redeemed_on >= $2 AND redeemed_on <= $3 GROUP BY household_key",
        )
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        // Redemptions corrected in the window give their points back.
        let given_back = sqlx::query(
            "SELECT household_key, CAST(COALESCE(SUM(points), 0) AS BIGINT) AS given_back \
             FROM points_redemption_correction \
             WHERE village_code = $1 AND corrected_on >= $2 AND corrected_on <= $3 GROUP BY household_key",
        )
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        let opted_out: Vec<String> =
            sqlx::query_scalar("SELECT household_key FROM points_household WHERE village_code = $1 AND ranked = FALSE")
                .bind(village.to_string())
                .fetch_all(self.reader())
                .await
                .map_err(map_err)?;
        let mut by_key: std::collections::BTreeMap<String, Balance> = Default::default();
        for r in &events {
            let b = by_key.entry(r.get("household_key")).or_default();
            b.earned = r.get("earned");
            b.deducted = r.get("deducted");
        }
        for r in &redeemed {
            by_key.entry(r.get("household_key")).or_default().redeemed = r.get("redeemed");
        }
        for r in &given_back {
            by_key.entry(r.get("household_key")).or_default().redeemed -= r.get::<i64, _>("given_back");
        }
        Ok(by_key
            .into_iter()
            .map(|(household, balance)| HouseholdPoints { ranked: !opted_out.contains(&household), household, balance })
            .collect())
    }

    async fn set_points_ranked(
        &self,
        village: RegionCode,
        household: &str,
        ranked: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO points_household (household_key, village_code, ranked, touched_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (household_key) DO UPDATE SET ranked = excluded.ranked, touched_at = excluded.touched_at",
        )
        .bind(household)
        .bind(village.to_string())
        .bind(ranked)
        .bind(at)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn points_ranked(&self, household: &str) -> StoreResult<bool> {
        let ranked: Option<bool> = sqlx::query_scalar("SELECT ranked FROM points_household WHERE household_key = $1")
            .bind(household)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?;
        Ok(ranked.unwrap_or(true))
    }
}

/// A far date both databases store and compare as dates.
fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid")
}

#[cfg(test)]
pub(crate) mod tests {
    use yangguang_core::points::{Cap, CapPeriod};

    use super::*;

    /// Run by each backend: the database itself refuses to edit or delete an event or a
    /// redemption, whatever the program does.
    pub(crate) async fn events_cannot_be_edited_or_deleted(store: &Backend) {
        let village = RegionCode::parse("339921100201").unwrap();
        let region =
            Region { code: village, name: "前山村".into(), parent: None, kind: yangguang_core::RegionKind::Village };
        store.upsert_regions(&[region]).await.unwrap();
        let item = RuleItem {
            category: "志愿服务".into(),
            name: "参加志愿服务".into(),
            points: 10,
            cap: Some(Cap { per: CapPeriod::Month, points: 30 }),
        };
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let event = NewPointEvent {
            village,
            household: "339921100201/001".into(),
            rule_from: date,
            category: item.category.clone(),
            item: item.name.clone(),
            rule_points: 10,
            date,
            points: 10,
            reason: "送餐".into(),
            evidence: None,
            recorded_by: "clerk".into(),
            recorded_at: Utc::now(),
        };
        let id = store.record_point_event(&event, &item).await.unwrap().unwrap();
        let redemption = NewRedemption {
            village,
            household: event.household.clone(),
            date,
            item: "大米".into(),
            points: 5,
            recorded_by: "clerk".into(),
            recorded_at: Utc::now(),
        };
        store.redeem_points(&redemption).await.unwrap().unwrap();
        for statement in [
            "UPDATE points_event SET points = 100",
            "DELETE FROM points_event",
            "UPDATE points_redemption SET points = 1",
            "DELETE FROM points_redemption",
        ] {
            let refused = sqlx::query(statement).execute(store.writer()).await;
            assert!(refused.is_err(), "{statement} was allowed");
        }
        assert_eq!(store.get_point_event(id).await.unwrap().event.points, 10);
        assert_eq!(store.household_redemptions(&event.household).await.unwrap().len(), 1);
    }
}
