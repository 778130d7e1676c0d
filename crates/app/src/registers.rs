//! What every register import shares: who may import for a village, the report, and the draft
//! a changed register opens (registers are published whenever they change).

use std::fmt::Write;

use yangguang_core::{DisclosureId, Period, RegionCode};
use yangguang_import::RowError;
use yangguang_store::RecordCounts;

use crate::publishing::{Actor, DraftInput, insert_draft};
use crate::{AppError, Site};

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

/// The new register as a draft of its catalog item for the current period, for the
/// reviewers the catalog names.
#[allow(clippy::too_many_arguments)]
pub async fn draft_change(
    site: &Site,
    actor: Option<&Actor<'_>>,
    village: RegionCode,
    item_id: &str,
    counts: &RecordCounts,
    header: &[&str],
    rows: &[Vec<String>],
    link: &str,
) -> Result<DisclosureId, AppError> {
    let today = crate::today();
    let item = site.catalog.item(item_id).ok_or(AppError::NotFound)?;
    let period = item.frequency.period_kind().map(|k| Period::containing(k, today));
    let mut body = format!(
        "本村{}于 {today} 更新：新增 {} 条，变更 {} 条，移除 {} 条，现共 {} 条。\n\n",
        item.name,
        counts.inserted,
        counts.updated,
        counts.removed,
        rows.len()
    );
    crate::finance::table(&mut body, header, rows);
    let _ = writeln!(body, "[查看完整台账]({link})");
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
