//! Decision records: decisions, their steps (a correction replaces a step's row), the files
//! kept for steps, and the links from money to the decision that authorised it.

use super::prelude::*;
use yangguang_core::decision::{Counts, Form, Kind, Procedure, Step, StepRecord};
use yangguang_store::{DecisionFile, DecisionLink, DecisionRecord, DecisionStore, NewDecision, StoredStep};

const DECISION_COLUMNS: &str = "village_code, number, subject, kind, procedure, amount_fen, resolution_disclosure_id, \
     result_disclosure_id, created_by, created_at";
const STEP_COLUMNS: &str = "number, step, held_on, form, expected, present, votes_for, votes_against, abstain, content, \
     recorded_by, recorded_at";
const FILE_COLUMNS: &str = "step, sha256, file_name, media_type, byte_size, added_by, added_at";
const LINK_COLUMNS: &str =
    "village_code, target_kind, target_ref, number, label, amount_fen, outgoing, source, linked_by, linked_at";

fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Invalid(format!("decision {what} {value}"))
}

fn decision(r: &DbRow) -> StoreResult<DecisionRecord> {
    let kind: String = r.get("kind");
    let procedure: String = r.get("procedure");
    Ok(DecisionRecord {
        new: NewDecision {
            village: decode::code(r.get("village_code"))?,
            number: r.get("number"),
            subject: r.get("subject"),
            kind: Kind::parse(&kind).ok_or_else(|| invalid("kind", &kind))?,
            procedure: Procedure::parse(&procedure).ok_or_else(|| invalid("procedure", &procedure))?,
            amount: r.get::<Option<i64>, _>("amount_fen").map(Fen),
            created_by: r.get("created_by"),
            created_at: r.get("created_at"),
        },
        resolution_disclosure: r.get::<Option<i64>, _>("resolution_disclosure_id").map(DisclosureId),
        result_disclosure: r.get::<Option<i64>, _>("result_disclosure_id").map(DisclosureId),
    })
}

fn step_from(r: &DbRow) -> StoreResult<(String, StoredStep)> {
    let step: String = r.get("step");
    let form: Option<String> = r.get("form");
    let count = |c: &str| r.get::<Option<i64>, _>(c).map(|v| v as u32);
    let counts = match (count("expected"), count("present")) {
        (Some(expected), Some(present)) => Some(Counts {
            expected,
            present,
            votes_for: count("votes_for").unwrap_or(0),
            against: count("votes_against").unwrap_or(0),
            abstain: count("abstain").unwrap_or(0),
        }),
        _ => None,
    };
    Ok((
        r.get("number"),
        StoredStep {
            record: StepRecord {
                step: Step::parse(&step).ok_or_else(|| invalid("step", &step))?,
                date: r.get("held_on"),
                form: form.map(|f| Form::parse(&f).ok_or_else(|| invalid("form", &f))).transpose()?,
                counts,
                content: r.get("content"),
            },
            recorded_by: r.get("recorded_by"),
            recorded_at: r.get("recorded_at"),
        },
    ))
}

impl Backend {
    /// The steps of one decision, or of every decision of the village: (number, step), by
    /// number then in the procedure's order. The one step query.
    async fn steps(&self, village: RegionCode, number: Option<&str>) -> StoreResult<Vec<(String, StoredStep)>> {
        let one = if number.is_some() { " AND number = $2" } else { "" };
        let sql = format!("SELECT {STEP_COLUMNS} FROM decision_step WHERE village_code = $1{one}");
        let mut query = sqlx::query::<Db>(&sql).bind(village.to_string());
        if let Some(n) = number {
            query = query.bind(n);
        }
        let rows = query.fetch_all(self.reader()).await.map_err(map_err)?;
        let mut steps = rows.iter().map(step_from).collect::<StoreResult<Vec<_>>>()?;
        steps.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.record.step.cmp(&b.1.record.step)));
        Ok(steps)
    }
}

fn link(r: &DbRow) -> StoreResult<DecisionLink> {
    Ok(DecisionLink {
        village: decode::code(r.get("village_code"))?,
        target_kind: r.get("target_kind"),
        target_ref: r.get("target_ref"),
        number: r.get("number"),
        label: r.get("label"),
        amount: Fen(r.get("amount_fen")),
        outgoing: r.get("outgoing"),
        source: r.get("source"),
        linked_by: r.get("linked_by"),
        linked_at: r.get("linked_at"),
    })
}

#[async_trait]
impl DecisionStore for Backend {
    async fn insert_decision(&self, d: &NewDecision) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO decision (village_code, number, subject, kind, procedure, amount_fen, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(d.village.to_string())
        .bind(&d.number)
        .bind(&d.subject)
        .bind(d.kind.as_str())
        .bind(d.procedure.as_str())
        .bind(d.amount.map(|a| a.0))
        .bind(&d.created_by)
        .bind(d.created_at)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn get_decision(&self, village: RegionCode, number: &str) -> StoreResult<Option<DecisionRecord>> {
        let row =
            sqlx::query(&format!("SELECT {DECISION_COLUMNS} FROM decision WHERE village_code = $1 AND number = $2"))
                .bind(village.to_string())
                .bind(number)
                .fetch_optional(self.reader())
                .await
                .map_err(map_err)?;
        row.as_ref().map(decision).transpose()
    }

    async fn village_decisions(&self, village: RegionCode) -> StoreResult<Vec<DecisionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {DECISION_COLUMNS} FROM decision WHERE village_code = $1 ORDER BY number DESC"
        ))
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(decision).collect()
    }

    async fn update_decision(
        &self,
        village: RegionCode,
        number: &str,
        subject: &str,
        kind: Kind,
        amount: Option<Fen>,
    ) -> StoreResult<()> {
        let changed = sqlx::query(
            "UPDATE decision SET subject = $1, kind = $2, amount_fen = $3 WHERE village_code = $4 AND number = $5",
        )
        .bind(subject)
        .bind(kind.as_str())
        .bind(amount.map(|a| a.0))
        .bind(village.to_string())
        .bind(number)
        .execute(self.writer())
        .await
        .map_err(map_err)?
        .rows_affected();
        if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn put_step(&self, village: RegionCode, number: &str, s: &StoredStep) -> StoreResult<()> {
        let r = &s.record;
        let c = r.counts;
        let count = |f: fn(&Counts) -> u32| c.as_ref().map(|c| i64::from(f(c)));
        sqlx::query(
            "INSERT INTO decision_step (village_code, number, step, held_on, form, expected, present, votes_for, \
             votes_against, abstain, content, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (village_code, number, step) DO UPDATE SET held_on = excluded.held_on, \
             form = excluded.form, expected = excluded.expected, present = excluded.present, \
             votes_for = excluded.votes_for, votes_against = excluded.votes_against, abstain = excluded.abstain, \
             content = excluded.content, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(village.to_string())
        .bind(number)
        .bind(r.step.as_str())
        .bind(r.date)
        .bind(r.form.map(Form::as_str))
        .bind(count(|c| c.expected))
        .bind(count(|c| c.present))
        .bind(count(|c| c.votes_for))
        .bind(count(|c| c.against))
        .bind(count(|c| c.abstain))
        .bind(&r.content)
        .bind(&s.recorded_by)
        .bind(s.recorded_at)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn decision_steps(&self, village: RegionCode, number: &str) -> StoreResult<Vec<StoredStep>> {
        Ok(self.steps(village, Some(number)).await?.into_iter().map(|(_, s)| s).collect())
    }

    async fn village_steps(&self, village: RegionCode) -> StoreResult<Vec<(String, StoredStep)>> {
        self.steps(village, None).await
    }

    async fn add_decision_file(&self, village: RegionCode, number: &str, f: &DecisionFile) -> StoreResult<bool> {
        let added = sqlx::query(
            "INSERT INTO decision_file (village_code, number, step, sha256, file_name, media_type, byte_size, \
             added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        )
        .bind(village.to_string())
        .bind(number)
        .bind(f.step.as_str())
        .bind(&f.sha256)
        .bind(&f.file_name)
        .bind(&f.media_type)
        .bind(f.byte_size)
        .bind(&f.added_by)
        .bind(f.added_at)
        .execute(self.writer())
        .await
        .map_err(map_err)?
        .rows_affected();
        Ok(added == 1)
    }

    async fn decision_files(&self, village: RegionCode, number: &str) -> StoreResult<Vec<DecisionFile>> {
        let rows = sqlx::query(&format!(
            "SELECT {FILE_COLUMNS} FROM decision_file WHERE village_code = $1 AND number = $2 ORDER BY file_id"
        ))
        .bind(village.to_string())
        .bind(number)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let step: String = r.get("step");
                Ok(DecisionFile {
                    step: Step::parse(&step).ok_or_else(|| invalid("step", &step))?,
                    sha256: r.get("sha256"),
                    file_name: r.get("file_name"),
                    media_type: r.get("media_type"),
                    byte_size: r.get("byte_size"),
                    added_by: r.get("added_by"),
                    added_at: r.get("added_at"),
                })
            })
            .collect()
    }

    async fn set_publication(
        &self,
        village: RegionCode,
        number: &str,
        step: Step,
        disclosure: DisclosureId,
    ) -> StoreResult<()> {
        let sql = match step {
            Step::ResolutionPublished => {
                "UPDATE decision SET resolution_disclosure_id = $1 WHERE village_code = $2 AND number = $3"
            }
            Step::ResultPublished => {
                "UPDATE decision SET result_disclosure_id = $1 WHERE village_code = $2 AND number = $3"
            }
            other => return Err(StoreError::Invalid(format!("{} is not a publication", other.as_str()))),
        };
        let changed = sqlx::query(sql)
            .bind(disclosure.0)
            .bind(village.to_string())
            .bind(number)
            .execute(self.writer())
            .await
            .map_err(map_err)?
            .rows_affected();
        if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn put_links(&self, links: &[DecisionLink]) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        for l in links {
            sqlx::query(
                "INSERT INTO decision_link (village_code, target_kind, target_ref, number, label, amount_fen, outgoing, \
                 source, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (village_code, target_kind, target_ref) DO UPDATE SET number = excluded.number, \
                 label = excluded.label, amount_fen = excluded.amount_fen, outgoing = excluded.outgoing, \
                 source = excluded.source, linked_by = excluded.linked_by, linked_at = excluded.linked_at",
            )
            .bind(l.village.to_string())
            .bind(&l.target_kind)
            .bind(&l.target_ref)
            .bind(&l.number)
            .bind(&l.label)
            .bind(l.amount.0)
            .bind(l.outgoing)
            .bind(&l.source)
            .bind(&l.linked_by)
            .bind(l.linked_at)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn remove_link(&self, village: RegionCode, target_kind: &str, target_ref: &str) -> StoreResult<bool> {
        let removed =
            sqlx::query("DELETE FROM decision_link WHERE village_code = $1 AND target_kind = $2 AND target_ref = $3")
                .bind(village.to_string())
                .bind(target_kind)
                .bind(target_ref)
                .execute(self.writer())
                .await
                .map_err(map_err)?
                .rows_affected();
        Ok(removed > 0)
    }

    async fn decision_links(&self, village: RegionCode, number: &str) -> StoreResult<Vec<DecisionLink>> {
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM decision_link WHERE village_code = $1 AND number = $2 \
             ORDER BY target_kind, target_ref"
        ))
        .bind(village.to_string())
        .bind(number)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(link).collect()
    }

    async fn village_links(&self, village: RegionCode) -> StoreResult<Vec<DecisionLink>> {
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM decision_link WHERE village_code = $1 ORDER BY number, target_kind, target_ref"
        ))
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(link).collect()
    }

    async fn link_of(
        &self,
        village: RegionCode,
        target_kind: &str,
        target_ref: &str,
    ) -> StoreResult<Option<DecisionLink>> {
        let row = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM decision_link WHERE village_code = $1 AND target_kind = $2 AND target_ref = $3"
        ))
        .bind(village.to_string())
        .bind(target_kind)
        .bind(target_ref)
        .fetch_optional(self.reader())
        .await
        .map_err(map_err)?;
        row.as_ref().map(link).transpose()
    }
}
