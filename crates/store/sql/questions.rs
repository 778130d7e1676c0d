//! Villagers' questions and satisfaction votes. State changes are single guarded updates
//! (`WHERE state IN …`), so two staff members or app servers acting at once cannot both win.

use super::prelude::*;
use yangguang_store::{
    NewQuestion, Question, QuestionCounts, QuestionReply, QuestionState, QuestionStore, Satisfaction,
};

const QUESTION_COLUMNS: &str = "question_id, village_code, target_kind, target_ref, target_title, body, household, \
     public_ok, receipt_hash, state, asked_at, deadline_at, escalated_at, reply, replied_at, replied_by, \
     correction_id, hidden_reason, moderated_by, moderated_at, notify_phone";

fn question(r: &DbRow) -> StoreResult<Question> {
    let state: String = r.get("state");
    Ok(Question {
        id: r.get("question_id"),
        new: NewQuestion {
            village: decode::code(r.get("village_code"))?,
            target_kind: r.get("target_kind"),
            target_ref: r.get("target_ref"),
            target_title: r.get("target_title"),
            body: r.get("body"),
            household: r.get("household"),
            public_ok: r.get("public_ok"),
            receipt_hash: r.get("receipt_hash"),
            state: QuestionState::parse(&state)
                .ok_or_else(|| StoreError::Invalid(format!("question state {state}")))?,
            asked_at: r.get("asked_at"),
            deadline_at: r.get("deadline_at"),
            notify_phone: r.get("notify_phone"),
        },
        escalated_at: r.get("escalated_at"),
        reply: r.get("reply"),
        replied_at: r.get("replied_at"),
        replied_by: r.get("replied_by"),
        correction: r.get("correction_id"),
        hidden_reason: r.get("hidden_reason"),
        moderated_by: r.get("moderated_by"),
        moderated_at: r.get("moderated_at"),
    })
}

fn questions(rows: &[DbRow]) -> StoreResult<Vec<Question>> {
    rows.iter().map(question).collect()
}

/// `Conflict` when a guarded update changed nothing because the question exists in another
/// state; `NotFound` when there is no such question.
async fn guarded(backend: &Backend, id: i64, changed: u64, what: &str) -> StoreResult<()> {
    if changed == 1 {
        return Ok(());
    }
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM question WHERE question_id = $1")
        .bind(id)
        .fetch_optional(backend.reader())
        .await
        .map_err(map_err)?;
    match state {
        None => Err(StoreError::NotFound),
        Some(state) => Err(StoreError::Conflict(format!("{what} (question {id} is {state})"))),
    }
}

#[async_trait]
impl QuestionStore for Backend {
    async fn insert_question(&self, q: &NewQuestion) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO question (village_code, target_kind, target_ref, target_title, body, household, public_ok, \
             receipt_hash, state, asked_at, deadline_at, notify_phone) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING question_id",
        )
        .bind(q.village.to_string())
        .bind(&q.target_kind)
        .bind(&q.target_ref)
        .bind(&q.target_title)
        .bind(&q.body)
        .bind(&q.household)
        .bind(q.public_ok)
        .bind(&q.receipt_hash)
        .bind(q.state.as_str())
        .bind(q.asked_at)
        .bind(q.deadline_at)
        .bind(&q.notify_phone)
        .fetch_one(self.writer())
        .await
        .map_err(map_err)
    }

    async fn get_question(&self, id: i64) -> StoreResult<Question> {
        let row = sqlx::query(&format!("SELECT {QUESTION_COLUMNS} FROM question WHERE question_id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        question(&row)
    }

    async fn question_by_receipt(&self, receipt_hash: &str) -> StoreResult<Option<Question>> {
        let row = sqlx::query(&format!("SELECT {QUESTION_COLUMNS} FROM question WHERE receipt_hash = $1"))
            .bind(receipt_hash)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?;
        row.as_ref().map(question).transpose()
    }

    async fn village_questions(&self, village: RegionCode, states: &[QuestionState]) -> StoreResult<Vec<Question>> {
        let mut q: QueryBuilder<Db> =
            QueryBuilder::new(format!("SELECT {QUESTION_COLUMNS} FROM question WHERE village_code = "));
        q.push_bind(village.to_string());
        if !states.is_empty() {
            q.push(" AND state IN (");
            let mut list = q.separated(", ");
            for s in states {
                list.push_bind(s.as_str());
            }
            q.push(")");
        }
        q.push(" ORDER BY question_id DESC");
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        questions(&rows)
    }

    async fn item_questions(&self, village: RegionCode, kind: &str, target_ref: &str) -> StoreResult<Vec<Question>> {
        let rows = sqlx::query(&format!(
            "SELECT {QUESTION_COLUMNS} FROM question WHERE village_code = $1 AND target_kind = $2 AND target_ref = $3 \
             ORDER BY question_id"
        ))
        .bind(village.to_string())
        .bind(kind)
        .bind(target_ref)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        questions(&rows)
    }

    async fn household_questions(&self, household: &str) -> StoreResult<Vec<Question>> {
        let rows = sqlx::query(&format!(
            "SELECT {QUESTION_COLUMNS} FROM question WHERE household = $1 ORDER BY question_id DESC"
        ))
        .bind(household)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        questions(&rows)
    }

    async fn moderate_question(
        &self,
        id: i64,
        to: QuestionState,
        reason: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        if !matches!(to, QuestionState::Open | QuestionState::Hidden) {
            return Err(StoreError::Invalid(format!("a question cannot be moderated to {}", to.as_str())));
        }
        let changed = sqlx::query(
            "UPDATE question SET state = $1, hidden_reason = $2, moderated_by = $3, moderated_at = $4 \
             WHERE question_id = $5 AND state IN ('held', 'open')",
        )
        .bind(to.as_str())
        .bind(reason)
        .bind(by)
        .bind(at)
        .bind(id)
        .execute(self.writer())
        .await
        .map_err(map_err)?
        .rows_affected();
        guarded(self, id, changed, "only a held or open question can be approved or hidden").await
    }

    async fn answer_question(&self, id: i64, reply: &QuestionReply) -> StoreResult<()> {
        let changed = sqlx::query(
            "UPDATE question SET state = 'answered', reply = $1, correction_id = $2, replied_by = $3, replied_at = $4 \
             WHERE question_id = $5 AND state = 'open'",
        )
        .bind(&reply.reply)
        .bind(reply.correction)
        .bind(&reply.by)
        .bind(reply.at)
        .bind(id)
        .execute(self.writer())
        .await
        .map_err(map_err)?
        .rows_affected();
        guarded(self, id, changed, "only an open question can be answered").await
    }

    async fn questions_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<Question>> {
        let rows = sqlx::query(&format!(
            "SELECT {QUESTION_COLUMNS} FROM question WHERE escalated_at IS NULL AND state IN ('held', 'open') \
             AND deadline_at <= $1 ORDER BY question_id"
        ))
        .bind(now)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        questions(&rows)
    }

    async fn mark_escalated(&self, id: i64, at: DateTime<Utc>) -> StoreResult<bool> {
        let changed =
            sqlx::query("UPDATE question SET escalated_at = $1 WHERE question_id = $2 AND escalated_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(self.writer())
                .await
                .map_err(map_err)?
                .rows_affected();
        Ok(changed == 1)
    }

    async fn take_notify_phone(&self, id: i64) -> StoreResult<Option<String>> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let phone: Option<Option<String>> =
            sqlx::query_scalar("SELECT notify_phone FROM question WHERE question_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
        let phone = phone.ok_or(StoreError::NotFound)?;
        if phone.is_some() {
            let changed = sqlx::query(
                "UPDATE question SET notify_phone = NULL WHERE question_id = $1 AND notify_phone IS NOT NULL",
            )
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
            tx.commit().await.map_err(map_err)?;
            // Another process took it between the read and the update: it sends, not this one.
            return Ok(phone.filter(|_| changed == 1));
        }
        Ok(None)
    }

    async fn question_counts(&self, village: RegionCode, now: DateTime<Utc>) -> StoreResult<QuestionCounts> {
        let row = sqlx::query(
            "SELECT \
               COALESCE(SUM(CASE WHEN state = 'answered' THEN 1 ELSE 0 END), 0) AS answered, \
               COALESCE(SUM(CASE WHEN state IN ('held', 'open') AND (deadline_at <= $2 OR escalated_at IS NOT NULL) \
                 THEN 1 ELSE 0 END), 0) AS overdue, \
               COALESCE(SUM(CASE WHEN state IN ('held', 'open') AND deadline_at > $2 AND escalated_at IS NULL \
                 THEN 1 ELSE 0 END), 0) AS waiting \
             FROM question WHERE village_code = $1",
        )
        .bind(village.to_string())
        .bind(now)
        .fetch_one(self.reader())
        .await
        .map_err(map_err)?;
        Ok(QuestionCounts {
            answered: row.get::<i64, _>("answered") as u64,
            overdue: row.get::<i64, _>("overdue") as u64,
            waiting: row.get::<i64, _>("waiting") as u64,
        })
    }

    async fn vote(
        &self,
        village: RegionCode,
        target_ref: &str,
        voter: &str,
        rating: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO satisfaction (village_code, target_ref, voter, rating, voted_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (target_ref, voter) DO UPDATE SET rating = excluded.rating, voted_at = excluded.voted_at",
        )
        .bind(village.to_string())
        .bind(target_ref)
        .bind(voter)
        .bind(rating)
        .bind(at)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn vote_of(&self, target_ref: &str, voter: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT rating FROM satisfaction WHERE target_ref = $1 AND voter = $2")
            .bind(target_ref)
            .bind(voter)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)
    }

    async fn item_satisfaction(&self, target_ref: &str) -> StoreResult<Satisfaction> {
        let rows = sqlx::query("SELECT rating, COUNT(*) AS n FROM satisfaction WHERE target_ref = $1 GROUP BY rating")
            .bind(target_ref)
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?;
        Ok(tally(&rows))
    }

    async fn village_satisfaction(&self, village: RegionCode) -> StoreResult<Satisfaction> {
        let rows =
            sqlx::query("SELECT rating, COUNT(*) AS n FROM satisfaction WHERE village_code = $1 GROUP BY rating")
                .bind(village.to_string())
                .fetch_all(self.reader())
                .await
                .map_err(map_err)?;
        Ok(tally(&rows))
    }
}

fn tally(rows: &[DbRow]) -> Satisfaction {
    let mut s = Satisfaction::default();
    for r in rows {
        let n = r.get::<i64, _>("n") as u64;
        match r.get::<String, _>("rating").as_str() {
            "satisfied" => s.satisfied = n,
            "fair" => s.fair = n,
            _ => s.unsatisfied = n,
        }
    }
    s
}
