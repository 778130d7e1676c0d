//! The party branch: organisation (published on each change), organisational life (published
//! quarterly from the meetings recorded), dues (published per half-year on saving).

use std::fmt::Write;

use chrono::{NaiveDate, Utc};
use yangguang_core::catalog::required::{PARTY_DUES, PARTY_LIFE, PARTY_ORGANISATION};
use yangguang_core::governance::party::{Branch, Dues, Meeting};
use yangguang_core::period::PeriodKind;
use yangguang_core::{Period, RegionCode};
use yangguang_store::Stored;

use super::{Drafted, Generated, Scope, check_clerk, draft_generated, refuse, village_name};
use crate::auth::audit;
use crate::i18n::Label;
use crate::markdown::escape;
use crate::publishing::Actor;
use crate::{AppError, Site};

/// The organisation as a disclosure of `party-organisation`, dated `on`.
pub fn organisation_disclosure(village: &str, b: &Branch, on: NaiveDate) -> Generated {
    let mut body = format!(
        "**组织名称**：{}\n\n**组织类型**：{}\n\n**书记**：{}\n\n**党员人数**：共 {} 名，其中正式党员 {} 名、预备党员 {} 名。\n\n## 支部委员会成员及分工\n\n",
        escape(&b.name),
        b.kind.zh(),
        escape(&b.secretary),
        b.members_total,
        b.members_full,
        b.members_probationary
    );
    let rows: Vec<Vec<String>> =
        b.committee.iter().map(|m| vec![m.name.clone(), m.post.clone(), m.duties.clone()]).collect();
    crate::finance::table(&mut body, &["姓名", "职务", "分工"], &rows);
    Generated {
        item: PARTY_ORGANISATION,
        period: Some(Period::of_day(on)),
        title: format!("{village}党组织设置及支部委员会成员（{} 更新）", on.format("%Y年%-m月%-d日")),
        body,
    }
}

/// Organisational life of one quarter as a disclosure of `party-life`.
pub fn life_disclosure(village: &str, quarter: Period, meetings: &[Stored<Meeting>]) -> Generated {
    let mut body = format!("本季度共开展组织生活 {} 次：\n\n", meetings.len());
    for kind in yangguang_core::governance::party::MeetingKind::ALL {
        let n = meetings.iter().filter(|m| m.value.kind == kind).count();
        if n > 0 {
            let _ = writeln!(body, "- {}：{n} 次", kind.zh());
        }
    }
    body.push('\n');
    let rows: Vec<Vec<String>> = meetings
        .iter()
        .map(|m| {
            let m = &m.value;
            vec![
                m.held_on.format("%Y-%m-%d").to_string(),
                m.kind.zh().to_owned(),
                m.topic.clone(),
                m.expected.to_string(),
                m.present.to_string(),
                format!("{}%", m.attendance_percent()),
            ]
        })
        .collect();
    crate::finance::table(&mut body, &["日期", "形式", "主题", "应到", "实到", "到会率"], &rows);
    Generated {
        item: PARTY_LIFE,
        period: Some(quarter),
        title: format!("{village}{}组织生活开展情况", quarter.label_zh()),
        body,
    }
}

/// One half-year's dues as a disclosure of `party-dues`.
pub fn dues_disclosure(village: &str, d: &Dues) -> Generated {
    let mut body = String::new();
    crate::finance::table(
        &mut body,
        &["上期结余（元）", "本期收缴（元）", "本期使用（元）", "结余（元）"],
        &[vec![d.brought_forward.to_string(), d.collected.to_string(), d.used.to_string(), d.carried.to_string()]],
    );
    body.push_str("## 使用明细\n\n");
    if d.uses.is_empty() {
        body.push_str("本期未使用党费。\n\n");
    } else {
        let rows: Vec<Vec<String>> = d.uses.iter().map(|u| vec![u.purpose.clone(), u.amount.to_string()]).collect();
        crate::finance::table_with_total(
            &mut body,
            &["用途", "金额（元）"],
            &rows,
            Some(&["合计".to_owned(), d.used.to_string()]),
        );
    }
    Generated {
        item: PARTY_DUES,
        period: Some(d.half),
        title: format!("{village}{}党费收缴使用情况", d.half.label_zh()),
        body,
    }
}

/// Saves the branch and drafts its publication (dated today).
pub async fn save_branch(site: &Site, actor: &Actor<'_>, village: RegionCode, b: Branch) -> Result<Drafted, AppError> {
    check_clerk(site, actor, village)?;
    refuse(b.problems())?;
    site.store.save_party_branch(village, &b, Utc::now()).await?;
    audit(site, Some(&actor.who.staff), actor.ip, "party-branch", &village.to_string(), &b.name).await;
    let g = organisation_disclosure(&village_name(site, village), &b, crate::today());
    draft_generated(site, actor, village, g, Scope::PerEvent, "支部组织信息变更").await
}

/// Records a meeting; it reaches villagers with its quarter's disclosure.
pub async fn add_meeting(site: &Site, actor: &Actor<'_>, village: RegionCode, m: Meeting) -> Result<i64, AppError> {
    check_clerk(site, actor, village)?;
    refuse(m.problems(crate::today()))?;
    let id = site.store.add_party_meeting(village, &m, Utc::now()).await?;
    let detail = format!("{} {} {}/{}", m.held_on, m.kind.as_str(), m.present, m.expected);
    audit(site, Some(&actor.who.staff), actor.ip, "party-meeting", &format!("{village}/meeting:{id}"), &detail).await;
    Ok(id)
}

/// Removes a meeting recorded by mistake (a published quarter keeps what it published until
/// its disclosure is drafted again as a correction).
pub async fn delete_meeting(site: &Site, actor: &Actor<'_>, village: RegionCode, id: i64) -> Result<(), AppError> {
    check_clerk(site, actor, village)?;
    site.store.delete_party_meeting(village, id).await?;
    audit(site, Some(&actor.who.staff), actor.ip, "party-meeting-delete", &format!("{village}/meeting:{id}"), "").await;
    Ok(())
}

/// Drafts a quarter's organisational life from the meetings recorded in it.
pub async fn draft_life(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    quarter: Period,
) -> Result<Drafted, AppError> {
    check_clerk(site, actor, village)?;
    if quarter.kind() != PeriodKind::Quarter {
        return Err(AppError::Field { field: "quarter", message: "请选择季度 / choose a quarter".into() });
    }
    let meetings = site.store.party_meetings(village, quarter.start(), quarter.end()).await?;
    if meetings.is_empty() {
        return Err(AppError::Field {
            field: "quarter",
            message: format!(
                "{}还没有登记组织生活，请先登记再生成 / nothing recorded in that quarter yet",
                quarter.label_zh()
            ),
        });
    }
    let g = life_disclosure(&village_name(site, village), quarter, &meetings);
    draft_generated(site, actor, village, g, Scope::PerPeriod, "补登或更正本季度组织生活记录").await
}

/// Saves a half-year's dues and drafts their publication.
pub async fn save_dues(site: &Site, actor: &Actor<'_>, village: RegionCode, d: Dues) -> Result<Drafted, AppError> {
    check_clerk(site, actor, village)?;
    refuse(d.problems())?;
    site.store.save_party_dues(village, &d, Utc::now()).await?;
    let detail = format!("{} +{} -{} ={}", d.half, d.collected.0, d.used.0, d.carried.0);
    audit(site, Some(&actor.who.staff), actor.ip, "party-dues", &village.to_string(), &detail).await;
    let g = dues_disclosure(&village_name(site, village), &d);
    draft_generated(site, actor, village, g, Scope::PerPeriod, "更正党费收缴使用情况").await
}

/// The quarters a clerk may draft: this one and the seven before.
pub fn recent_quarters(today: NaiveDate) -> Vec<Period> {
    let mut q = Period::containing(PeriodKind::Quarter, today);
    let mut out = vec![];
    for _ in 0..8 {
        out.push(q);
        q = Period::containing(PeriodKind::Quarter, q.start().pred_opt().expect("in range"));
    }
    out
}
