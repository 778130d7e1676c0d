//! The micro-power list (published on adoption or amendment) and the seal and certificate
//! log (published monthly; an entry added to a published month goes into a correction).

use std::fmt::Write;

use chrono::Utc;
use yangguang_core::catalog::required::{MICRO_POWER_LIST, SEAL_LOG};
use yangguang_core::governance::powers::{Power, SealEntry};
use yangguang_core::period::PeriodKind;
use yangguang_core::{DisclosureState, Period, RegionCode};
use yangguang_store::Stored;

use super::{Drafted, Generated, Scope, check_clerk, draft_generated, refuse, village_name};
use crate::auth::audit;
use crate::i18n::Label;
use crate::markdown::escape;
use crate::publishing::Actor;
use crate::{AppError, Site};

/// The whole list as a disclosure of `micro-power-list`: a summary table, then each power with
/// its flow as numbered steps (the flow chart a villager can follow).
pub fn list_disclosure(village: &str, powers: &[Stored<Power>], on: chrono::NaiveDate) -> Generated {
    let mut body = format!("本村小微权力清单共 {} 项。\n\n", powers.len());
    let rows: Vec<Vec<String>> = powers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![(i + 1).to_string(), p.value.category.clone(), p.value.name.clone(), p.value.responsible_post.clone()]
        })
        .collect();
    crate::finance::table(&mut body, &["序号", "类别", "权力事项", "责任岗位"], &rows);
    for (i, p) in powers.iter().enumerate() {
        let p = &p.value;
        let _ = writeln!(body, "## {}. {}\n", i + 1, escape(&p.name));
        let _ = writeln!(body, "**类别**：{}\n", escape(&p.category));
        if !p.legal_basis.trim().is_empty() {
            let _ = writeln!(body, "**依据**：{}\n", escape(&p.legal_basis));
        }
        let _ = writeln!(body, "**责任岗位**：{}\n", escape(&p.responsible_post));
        body.push_str("**运行流程**：\n\n");
        for (n, step) in p.steps.iter().enumerate() {
            let _ = writeln!(body, "{}. {}", n + 1, escape(step));
        }
        body.push('\n');
        if !p.disclosure.trim().is_empty() {
            let _ = writeln!(body, "**公开要求**：{}\n", escape(&p.disclosure));
        }
    }
    Generated {
        item: MICRO_POWER_LIST,
        period: Some(Period::of_day(on)),
        title: format!("{village}小微权力清单（{} 修订）", on.format("%Y年%-m月%-d日")),
        body,
    }
}

/// One month of the log as a disclosure of `micro-power-log`.
pub fn log_disclosure(village: &str, month: Period, entries: &[Stored<SealEntry>]) -> Generated {
    let seals = entries.iter().filter(|e| e.value.kind == yangguang_core::governance::powers::SealKind::Seal).count();
    let mut body =
        format!("本月用印 {seals} 次，出具证明 {} 次。申请人为个人的，姓名已作脱敏处理。\n\n", entries.len() - seals);
    if entries.is_empty() {
        body.push_str("本月无用印及证明出具事项。\n");
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let e = &e.value;
                vec![
                    e.on.format("%Y-%m-%d").to_string(),
                    e.kind.zh().to_owned(),
                    e.matter.clone(),
                    e.applicant.clone(),
                    e.approver_post.clone(),
                    e.purpose.clone(),
                ]
            })
            .collect();
        crate::finance::table(&mut body, &["日期", "类别", "事项", "申请人", "审批人", "用途"], &rows);
    }
    Generated {
        item: SEAL_LOG,
        period: Some(month),
        title: format!("{village}{}用印及证明出具登记", month.label_zh()),
        body,
    }
}

pub async fn save_power(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    id: Option<i64>,
    p: Power,
) -> Result<i64, AppError> {
    check_clerk(site, actor, village)?;
    refuse(p.problems())?;
    let id = site.store.save_power(village, id, &p, Utc::now()).await?;
    audit(site, Some(&actor.who.staff), actor.ip, "micro-power", &format!("{village}/power:{id}"), &p.name).await;
    Ok(id)
}

pub async fn delete_power(site: &Site, actor: &Actor<'_>, village: RegionCode, id: i64) -> Result<(), AppError> {
    check_clerk(site, actor, village)?;
    site.store.delete_power(village, id).await?;
    audit(site, Some(&actor.who.staff), actor.ip, "micro-power-delete", &format!("{village}/power:{id}"), "").await;
    Ok(())
}

/// Drafts the list as adopted or amended today.
pub async fn draft_list(site: &Site, actor: &Actor<'_>, village: RegionCode) -> Result<Drafted, AppError> {
    check_clerk(site, actor, village)?;
    let powers = site.store.village_powers(village).await?;
    if powers.is_empty() {
        return Err(AppError::Field {
            field: "powers",
            message: "清单还是空的，请先添加权力事项 / add the powers first".into(),
        });
    }
    let g = list_disclosure(&village_name(site, village), &powers, crate::today());
    draft_generated(site, actor, village, g, Scope::PerEvent, "清单修订").await
}

/// What adding a log entry did to its month's disclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogAdded {
    /// The month has no disclosure yet: the clerk drafts it at month's end.
    Kept,
    /// The month's draft (or a correction of the published month) now includes the entry.
    Drafted(Drafted),
    /// The month's version is with its reviewers: draft again once they are done.
    InReview,
}

/// Records a log entry. If its month was drafted or published already, the month is drafted
/// again at once (a published month as a correction), so the entry is never left out.
pub async fn add_log_entry(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    e: SealEntry,
) -> Result<LogAdded, AppError> {
    check_clerk(site, actor, village)?;
    refuse(e.problems(crate::today()))?;
    let id = site.store.add_seal_entry(village, &e, Utc::now()).await?;
    let detail = format!("{} {} {}", e.on, e.kind.as_str(), e.matter);
    audit(site, Some(&actor.who.staff), actor.ip, "seal-log", &format!("{village}/seal:{id}"), &detail).await;
    let month = Period::containing(PeriodKind::Month, e.on);
    let versions = site.store.item_versions(village, SEAL_LOG, Some(month)).await?;
    if versions.is_empty() {
        return Ok(LogAdded::Kept);
    }
    if versions.iter().any(|v| matches!(v.state, DisclosureState::Submitted | DisclosureState::Scheduled)) {
        return Ok(LogAdded::InReview);
    }
    if !versions
        .iter()
        .any(|v| matches!(v.state, DisclosureState::Draft | DisclosureState::Returned | DisclosureState::Published))
    {
        return Ok(LogAdded::Kept);
    }
    Ok(LogAdded::Drafted(draft_log(site, actor, village, month).await?))
}

/// Drafts a month of the log (an empty month is published as "none this month").
pub async fn draft_log(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    month: Period,
) -> Result<Drafted, AppError> {
    check_clerk(site, actor, village)?;
    if month.kind() != PeriodKind::Month {
        return Err(AppError::Field { field: "month", message: "请选择月份 / choose a month".into() });
    }
    let entries = site.store.seal_entries(village, month.start(), month.end()).await?;
    let g = log_disclosure(&village_name(site, village), month, &entries);
    draft_generated(site, actor, village, g, Scope::PerPeriod, "补登本月用印及证明出具事项").await
}
