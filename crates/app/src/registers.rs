//! What every register shares: rows kept as JSON records, who may import for a village, the
//! report, and the draft a changed register opens (registers are published whenever they
//! change).

use std::fmt::Write;

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;
use yangguang_core::{DisclosureId, Period, RegionCode};
use yangguang_import::RowError;
use yangguang_store::{NewRecord, Record, RecordCounts};

use crate::publishing::{Actor, DraftInput, insert_draft};
use crate::{AppError, Site};

/// A register row as a record: its JSON under `key`.
pub fn record<T: Serialize>(village: RegionCode, key: String, row: &T) -> NewRecord {
    NewRecord { village, key, body: serde_json::to_string(row).expect("register rows serialise") }
}

/// A stored row read back.
pub fn decode<T: DeserializeOwned>(record: &Record) -> Result<T, AppError> {
    serde_json::from_str(&record.body)
        .map_err(|e| AppError::Invalid(format!("stored record {} cannot be read: {e}", record.key)))
}

/// A village's rows of one kind, by key.
pub async fn village_rows<T: DeserializeOwned>(
    site: &Site,
    kind: &str,
    village: RegionCode,
) -> Result<Vec<T>, AppError> {
    site.store.village_records(kind, village).await?.iter().map(decode).collect()
}

/// What importing a register did.
#[derive(Debug, Default)]
pub struct RegisterImport {
    /// Which register ("lease", "asset", "resource").
    pub register: &'static str,
    /// Every problem in the file; when there are any, nothing was stored.
    pub errors: Vec<RowError>,
    pub counts: RecordCounts,
    /// The draft opened because the register changed.
    pub draft: Option<DisclosureId>,
}

/// The village must be one of ours, and a clerk must serve it (`None` is the operator's
/// command line).
pub fn check_importer(site: &Site, actor: Option<&Actor<'_>>, village: RegionCode) -> Result<(), AppError> {
    if site.regions().get(village).is_none_or(|r| !r.kind.is_village_level()) {
        return Err(AppError::Invalid(format!("{village} 不是本平台的村（社区）/ unknown village")));
    }
    if let Some(actor) = actor
        && !actor.who.grants().can_draft(village)
    {
        return Err(AppError::Forbidden(format!(
            "需要该村（{village}）的村务工作者角色 / needs the village clerk role"
        )));
    }
    Ok(())
}

/// The audit trail's who and where for an import.
pub fn importer<'a>(actor: Option<&'a Actor<'a>>) -> (Option<&'a yangguang_store::Staff>, &'a str) {
    actor.map_or((None, "-"), |a| (Some(&a.who.staff), a.ip))
}

/// How a changed register is published: its catalog item, and the register as a table.
pub struct Published {
    pub item: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
    /// The public page of the whole register.
    pub link: String,
}

/// Replaces a village's register of one kind with `records`; if that changed anything, the
/// village's pages are stale and `published` (built only then) becomes a draft for review.
/// Audited as `action`.
pub async fn replace(
    site: &Site,
    actor: Option<&Actor<'_>>,
    village: RegionCode,
    kind: &'static str,
    records: &[NewRecord],
    published: impl FnOnce() -> Published,
    action: &str,
) -> Result<RegisterImport, AppError> {
    let counts = site.store.replace_village_records(kind, village, records, Utc::now()).await?;
    let mut done = RegisterImport { register: kind, counts, ..Default::default() };
    if counts.changed() {
        site.published(village);
        site.announce().await;
        done.draft = Some(draft_change(site, actor, village, &counts, &published()).await?);
    }
    let (staff, ip) = importer(actor);
    let detail = format!("{kind} +{} ~{} -{} ={}", counts.inserted, counts.updated, counts.removed, counts.unchanged);
    crate::auth::audit(site, staff, ip, action, &village.to_string(), &detail).await;
    Ok(done)
}

/// The new register as a draft of its catalog item for the current period, for the
/// reviewers the catalog names.
async fn draft_change(
    site: &Site,
    actor: Option<&Actor<'_>>,
    village: RegionCode,
    counts: &RecordCounts,
    p: &Published,
) -> Result<DisclosureId, AppError> {
    let today = crate::today();
    let item = site.catalog.item(p.item).ok_or(AppError::NotFound)?;
    let period = item.frequency.period_kind().map(|k| Period::containing(k, today));
    let mut body = format!(
        "本村{}于 {today} 更新：新增 {} 条，变更 {} 条，移除 {} 条，现共 {} 条。\n\n",
        item.name,
        counts.inserted,
        counts.updated,
        counts.removed,
        p.rows.len()
    );
    crate::finance::table(&mut body, p.header, &p.rows);
    let _ = writeln!(body, "[查看完整台账]({})", p.link);
    let input = DraftInput {
        column: item.column.clone(),
        catalog_item: Some(item.id.clone()),
        period,
        title: format!("{}（{today} 更新）", item.name),
        body_md: body,
        attachments: vec![],
        reason: None,
    };
    let (staff, ip) = importer(actor);
    insert_draft(site, staff, ip, village, input).await
}
