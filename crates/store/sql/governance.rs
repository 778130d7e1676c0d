//! Governance records: the party branch, meetings and dues, the micro-power list, the seal
//! log and the versions of the charter and rules. Lists inside a record are JSON text, read
//! and written whole with the record.

use super::prelude::*;
use yangguang_core::governance::party::{Branch, BranchKind, Dues, Meeting, MeetingKind};
use yangguang_core::governance::powers::{Power, SealEntry, SealKind};
use yangguang_core::governance::rules::{RuleDoc, RuleVersion};
use yangguang_store::{GovernanceStore, ItemVersion, Stored, StoredRuleVersion};

const MEETING_COLUMNS: &str = "meeting_id, held_on, kind, topic, expected, present";
const DUES_COLUMNS: &str = "half, brought_forward, collected, used, carried, uses_json";
const POWER_COLUMNS: &str = "power_id, category, name, legal_basis, responsible_post, steps_json, disclosure";
const SEAL_COLUMNS: &str = "entry_id, entered_on, kind, matter, applicant, approver_post, purpose";
const RULE_COLUMNS: &str =
    "version_id, doc, version_no, title, text_md, adopted_on, decision_no, disclosure_id, created_at";

// Macros, not generic functions: the backends do not depend on serde itself.
macro_rules! json {
    ($text:expr, $what:expr) => {
        serde_json::from_str::<Vec<_>>($text).map_err(|e| StoreError::Invalid(format!("{}: {e}", $what)))
    };
}
macro_rules! to_json {
    ($value:expr) => {
        serde_json::to_string($value).expect("governance lists serialise")
    };
}

fn count(r: &DbRow, column: &str) -> StoreResult<u32> {
    u32::try_from(r.get::<i64, _>(column)).map_err(|_| StoreError::Invalid(format!("{column} out of range")))
}

fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Invalid(format!("{what} {value}"))
}

fn meeting(r: &DbRow) -> StoreResult<Stored<Meeting>> {
    let kind: String = r.get("kind");
    Ok(Stored {
        id: r.get("meeting_id"),
        value: Meeting {
            held_on: r.get("held_on"),
            kind: MeetingKind::parse(&kind).ok_or_else(|| invalid("meeting kind", &kind))?,
            topic: r.get("topic"),
            expected: count(r, "expected")?,
            present: count(r, "present")?,
        },
    })
}

fn dues(r: &DbRow) -> StoreResult<Dues> {
    let half: String = r.get("half");
    Ok(Dues {
        half: half.parse().map_err(|_| invalid("dues half-year", &half))?,
        brought_forward: Fen(r.get("brought_forward")),
        collected: Fen(r.get("collected")),
        used: Fen(r.get("used")),
        carried: Fen(r.get("carried")),
        uses: json!(r.get("uses_json"), "dues uses")?,
    })
}

fn power(r: &DbRow) -> StoreResult<Stored<Power>> {
    Ok(Stored {
        id: r.get("power_id"),
        value: Power {
            category: r.get("category"),
            name: r.get("name"),
            legal_basis: r.get("legal_basis"),
            responsible_post: r.get("responsible_post"),
            steps: json!(r.get("steps_json"), "power steps")?,
            disclosure: r.get("disclosure"),
        },
    })
}

fn seal(r: &DbRow) -> StoreResult<Stored<SealEntry>> {
    let kind: String = r.get("kind");
    Ok(Stored {
        id: r.get("entry_id"),
        value: SealEntry {
            on: r.get("entered_on"),
            kind: SealKind::parse(&kind).ok_or_else(|| invalid("seal log kind", &kind))?,
            matter: r.get("matter"),
            applicant: r.get("applicant"),
            approver_post: r.get("approver_post"),
            purpose: r.get("purpose"),
        },
    })
}

fn rule(r: &DbRow) -> StoreResult<StoredRuleVersion> {
    let doc: String = r.get("doc");
    Ok(StoredRuleVersion {
        id: r.get("version_id"),
        version_no: i32::try_from(r.get::<i64, _>("version_no")).map_err(|_| invalid("version number", "too large"))?,
        version: RuleVersion {
            doc: RuleDoc::parse(&doc).ok_or_else(|| invalid("rule document", &doc))?,
            title: r.get("title"),
            text_md: r.get("text_md"),
            adopted_on: r.get("adopted_on"),
            decision_no: r.get("decision_no"),
        },
        disclosure: r.get::<Option<i64>, _>("disclosure_id").map(DisclosureId),
        created_at: r.get("created_at"),
    })
}

/// `NotFound` unless exactly one row of the village changed.
fn one_changed(changed: u64) -> StoreResult<()> {
    if changed == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

#[async_trait]
impl GovernanceStore for Backend {
    async fn party_branch(&self, village: RegionCode) -> StoreResult<Option<Branch>> {
        let row = sqlx::query(
            "SELECT name, kind, secretary, members_total, members_full, members_probationary, committee_json \
             FROM party_branch WHERE village_code = $1",
        )
        .bind(village.to_string())
        .fetch_optional(self.reader())
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let kind: String = r.get("kind");
        Ok(Some(Branch {
            name: r.get("name"),
            kind: BranchKind::parse(&kind).ok_or_else(|| invalid("branch kind", &kind))?,
            secretary: r.get("secretary"),
            members_total: count(&r, "members_total")?,
            members_full: count(&r, "members_full")?,
            members_probationary: count(&r, "members_probationary")?,
            committee: json!(r.get("committee_json"), "branch committee")?,
        }))
    }

    async fn save_party_branch(&self, village: RegionCode, b: &Branch, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO party_branch (village_code, name, kind, secretary, members_total, members_full, \
             members_probationary, committee_json, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (village_code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             secretary = excluded.secretary, members_total = excluded.members_total, \
             members_full = excluded.members_full, members_probationary = excluded.members_probationary, \
             committee_json = excluded.committee_json, updated_at = excluded.updated_at",
        )
        .bind(village.to_string())
        .bind(&b.name)
        .bind(b.kind.as_str())
        .bind(&b.secretary)
        .bind(i64::from(b.members_total))
        .bind(i64::from(b.members_full))
        .bind(i64::from(b.members_probationary))
        .bind(to_json!(&b.committee))
        .bind(now)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn add_party_meeting(&self, village: RegionCode, m: &Meeting, now: DateTime<Utc>) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO party_meeting (village_code, held_on, kind, topic, expected, present, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING meeting_id",
        )
        .bind(village.to_string())
        .bind(m.held_on)
        .bind(m.kind.as_str())
        .bind(&m.topic)
        .bind(i64::from(m.expected))
        .bind(i64::from(m.present))
        .bind(now)
        .fetch_one(self.writer())
        .await
        .map_err(map_err)
    }

    async fn party_meetings(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<Stored<Meeting>>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEETING_COLUMNS} FROM party_meeting WHERE village_code = $1 AND held_on >= $2 AND held_on <= $3 \
             ORDER BY held_on, meeting_id"
        ))
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(meeting).collect()
    }

    async fn delete_party_meeting(&self, village: RegionCode, id: i64) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM party_meeting WHERE meeting_id = $1 AND village_code = $2")
            .bind(id)
            .bind(village.to_string())
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        one_changed(done.rows_affected())
    }

    async fn save_party_dues(&self, village: RegionCode, d: &Dues, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO party_dues (village_code, half, brought_forward, collected, used, carried, uses_json, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (village_code, half) DO UPDATE SET brought_forward = excluded.brought_forward, \
             collected = excluded.collected, used = excluded.used, carried = excluded.carried, \
             uses_json = excluded.uses_json, updated_at = excluded.updated_at",
        )
        .bind(village.to_string())
        .bind(d.half.to_string())
        .bind(d.brought_forward.0)
        .bind(d.collected.0)
        .bind(d.used.0)
        .bind(d.carried.0)
        .bind(to_json!(&d.uses))
        .bind(now)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn party_dues(&self, village: RegionCode) -> StoreResult<Vec<Dues>> {
        let rows =
            sqlx::query(&format!("SELECT {DUES_COLUMNS} FROM party_dues WHERE village_code = $1 ORDER BY half DESC"))
                .bind(village.to_string())
                .fetch_all(self.reader())
                .await
                .map_err(map_err)?;
        rows.iter().map(dues).collect()
    }

    async fn save_power(
        &self,
        village: RegionCode,
        id: Option<i64>,
        p: &Power,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let steps = to_json!(&p.steps);
        match id {
            None => sqlx::query_scalar(
                "INSERT INTO micro_power (village_code, category, name, legal_basis, responsible_post, steps_json, \
                 disclosure, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING power_id",
            )
            .bind(village.to_string())
            .bind(&p.category)
            .bind(&p.name)
            .bind(&p.legal_basis)
            .bind(&p.responsible_post)
            .bind(steps)
            .bind(&p.disclosure)
            .bind(now)
            .fetch_one(self.writer())
            .await
            .map_err(map_err),
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE micro_power SET category = $1, name = $2, legal_basis = $3, responsible_post = $4, \
                     steps_json = $5, disclosure = $6, updated_at = $7 WHERE power_id = $8 AND village_code = $9",
                )
                .bind(&p.category)
                .bind(&p.name)
                .bind(&p.legal_basis)
                .bind(&p.responsible_post)
                .bind(steps)
                .bind(&p.disclosure)
                .bind(now)
                .bind(id)
                .bind(village.to_string())
                .execute(self.writer())
                .await
                .map_err(map_err)?;
                one_changed(done.rows_affected()).map(|()| id)
            }
        }
    }

    async fn delete_power(&self, village: RegionCode, id: i64) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM micro_power WHERE power_id = $1 AND village_code = $2")
            .bind(id)
            .bind(village.to_string())
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        one_changed(done.rows_affected())
    }

    async fn village_powers(&self, village: RegionCode) -> StoreResult<Vec<Stored<Power>>> {
        let rows =
            sqlx::query(&format!("SELECT {POWER_COLUMNS} FROM micro_power WHERE village_code = $1 ORDER BY power_id"))
                .bind(village.to_string())
                .fetch_all(self.reader())
                .await
                .map_err(map_err)?;
        rows.iter().map(power).collect()
    }

    async fn add_seal_entry(&self, village: RegionCode, e: &SealEntry, now: DateTime<Utc>) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO seal_entry (village_code, entered_on, kind, matter, applicant, approver_post, purpose, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING entry_id",
        )
        .bind(village.to_string())
        .bind(e.on)
        .bind(e.kind.as_str())
        .bind(&e.matter)
        .bind(&e.applicant)
        .bind(&e.approver_post)
        .bind(&e.purpose)
        .bind(now)
        .fetch_one(self.writer())
        .await
        .map_err(map_err)
    }

    async fn seal_entries(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<Stored<SealEntry>>> {
        let rows = sqlx::query(&format!(
            "SELECT {SEAL_COLUMNS} FROM seal_entry WHERE village_code = $1 AND entered_on >= $2 AND entered_on <= $3 \
             ORDER BY entered_on, entry_id"
        ))
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(seal).collect()
    }

    async fn add_rule_version(
        &self,
        village: RegionCode,
        v: &RuleVersion,
        now: DateTime<Utc>,
    ) -> StoreResult<StoredRuleVersion> {
        // The next number is taken in the insert itself; two clerks adding at once collide on
        // the unique key (a conflict to retry), never share a number.
        let row = sqlx::query(&format!(
            "INSERT INTO rule_version (village_code, doc, version_no, title, text_md, adopted_on, decision_no, \
             created_at) SELECT $1, $2, COALESCE(MAX(version_no), 0) + 1, $3, $4, $5, $6, $7 FROM rule_version \
             WHERE village_code = $1 AND doc = $2 RETURNING {RULE_COLUMNS}"
        ))
        .bind(village.to_string())
        .bind(v.doc.as_str())
        .bind(&v.title)
        .bind(&v.text_md)
        .bind(v.adopted_on)
        .bind(&v.decision_no)
        .bind(now)
        .fetch_one(self.writer())
        .await
        .map_err(map_err)?;
        rule(&row)
    }

    async fn set_rule_disclosure(&self, version_id: i64, disclosure: DisclosureId) -> StoreResult<()> {
        let done = sqlx::query("UPDATE rule_version SET disclosure_id = $1 WHERE version_id = $2")
            .bind(disclosure.0)
            .bind(version_id)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        one_changed(done.rows_affected())
    }

    async fn rule_versions(&self, village: RegionCode) -> StoreResult<Vec<StoredRuleVersion>> {
        let rows = sqlx::query(&format!(
            "SELECT {RULE_COLUMNS} FROM rule_version WHERE village_code = $1 ORDER BY doc, version_no"
        ))
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        rows.iter().map(rule).collect()
    }

    async fn item_versions(
        &self,
        village: RegionCode,
        catalog_item: &str,
        period: Option<Period>,
    ) -> StoreResult<Vec<ItemVersion>> {
        let mut q: QueryBuilder<Db> =
            QueryBuilder::new("SELECT disclosure_id, state, kind FROM disclosure WHERE village_code = ");
        q.push_bind(village.to_string());
        q.push(" AND catalog_item_id = ");
        q.push_bind(catalog_item.to_owned());
        if let Some(p) = period {
            q.push(" AND period = ");
            q.push_bind(p.to_string());
        }
        q.push(" ORDER BY disclosure_id");
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(ItemVersion {
                    id: DisclosureId(r.get("disclosure_id")),
                    state: decode::state(r.get("state"))?,
                    kind: decode::kind(r.get("kind"))?,
                })
            })
            .collect()
    }
}
