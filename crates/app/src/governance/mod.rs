//! Governance records (issue 14, part 2) as services shared by the console and the demo:
//! the party branch ([`party`]), the micro-power list and seal log ([`powers`]), and the
//! charter and village rules ([`rules`]). A clerk enters structured records; each is checked
//! (every problem named by its field), kept, audited, and turned into a disclosure draft of
//! its catalog item whose body is generated from the records, so what villagers read goes
//! through the normal review and the transparency log. Public pages show only what was
//! published.

pub mod party;
pub mod powers;
pub mod rules;

use yangguang_core::governance::Problem;
use yangguang_core::{Disclosure, DisclosureId, DisclosureKind, DisclosureState, Period, RegionCode};

use crate::publishing::{self, Actor, DraftInput};
use crate::{AppError, Site};

/// The first of a record's problems as the app's error (the form shows them all; a caller
/// that skipped the form still gets a field to point at).
pub fn refuse(problems: Vec<Problem>) -> Result<(), AppError> {
    match problems.into_iter().next() {
        None => Ok(()),
        Some(p) => Err(AppError::Field { field: p.field, message: p.message }),
    }
}

/// Only a clerk of the village keeps its governance records.
pub fn check_clerk(site: &Site, actor: &Actor<'_>, village: RegionCode) -> Result<(), AppError> {
    crate::registers::check_importer(site, Some(actor), village)
}

/// What became of a generated disclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafted {
    /// A new draft.
    New(DisclosureId),
    /// The draft (or returned version) already open was brought up to date.
    Updated(DisclosureId),
    /// The period was published already: a correction was drafted (it goes through review).
    Correction(DisclosureId),
}

impl Drafted {
    pub fn id(self) -> DisclosureId {
        match self {
            Self::New(id) | Self::Updated(id) | Self::Correction(id) => id,
        }
    }

    /// The console's one-time message.
    pub fn message(self) -> String {
        match self {
            Self::New(id) => format!(
                "已生成公开草稿（编号 {id}），请核对后提交审核。 / Draft {id} made: check it and submit it for review."
            ),
            Self::Updated(id) => format!(
                "已按最新记录更新公开草稿（编号 {id}），请核对后提交审核。 / Draft {id} brought up to date: check it and submit it."
            ),
            Self::Correction(id) => format!(
                "该期已公开，已生成更正草稿（编号 {id}），审核通过后替换原公开内容。 / That period was published: correction {id} drafted for review."
            ),
        }
    }
}

/// A disclosure generated from records.
pub struct Generated {
    pub item: &'static str,
    pub period: Option<Period>,
    pub title: String,
    pub body: String,
}

/// How a generated disclosure relates to earlier versions of its item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One disclosure per period (monthly log, quarterly life, half-yearly dues): a period
    /// published already gets a correction.
    PerPeriod,
    /// Each change is an event of its own (the organisation, the list): an open draft is
    /// brought up to date, otherwise a new one is made.
    PerEvent,
}

/// Puts generated content where it belongs: into the open draft of the item, into a
/// correction of the published period, or into a new draft. A version already waiting for
/// review is not changed behind its reviewers' backs: that is a conflict to resolve first.
pub async fn draft_generated(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    g: Generated,
    scope: Scope,
    correction_reason: &str,
) -> Result<Drafted, AppError> {
    check_clerk(site, actor, village)?;
    let lookup = match scope {
        Scope::PerPeriod => g.period,
        Scope::PerEvent => None,
    };
    let versions = site.store.item_versions(village, g.item, lookup).await?;
    let item_name = site.catalog.item(g.item).map_or(g.item, |i| i.name.as_str()).to_owned();
    if versions.iter().any(|v| matches!(v.state, DisclosureState::Submitted | DisclosureState::Scheduled)) {
        return Err(AppError::Conflict(format!(
            "“{item_name}”已有一版正在审核或等待定时公开：请等审核完成（或请审核人退回）后再生成 / \
             a version is waiting for review; wait for it or have it returned first"
        )));
    }
    let input = |reason: Option<String>| DraftInput {
        column: String::new(),
        catalog_item: Some(g.item.to_owned()),
        period: g.period,
        title: g.title.clone(),
        body_md: g.body.clone(),
        attachments: vec![],
        reason,
    };
    if let Some(open) = versions.iter().find(|v| matches!(v.state, DisclosureState::Draft | DisclosureState::Returned))
    {
        let reason = if open.kind == DisclosureKind::Original {
            None
        } else {
            site.store.get_disclosure(open.id).await?.reason.or_else(|| Some(correction_reason.to_owned()))
        };
        publishing::edit_draft(site, actor, open.id, input(reason)).await?;
        return Ok(Drafted::Updated(open.id));
    }
    if scope == Scope::PerPeriod
        && let Some(published) = versions.iter().rev().find(|v| v.state == DisclosureState::Published)
    {
        let id =
            publishing::start_replacement(site, actor, published.id, DisclosureKind::Correction, correction_reason)
                .await?;
        publishing::edit_draft(site, actor, id, input(Some(correction_reason.to_owned()))).await?;
        return Ok(Drafted::Correction(id));
    }
    Ok(Drafted::New(publishing::create_draft(site, actor, village, input(None)).await?))
}

/// The published versions of a catalog item in a village (corrections in place of what they
/// corrected, nothing withdrawn), newest publication first.
pub async fn published_of(site: &Site, village: RegionCode, item: &str) -> Result<Vec<Disclosure>, AppError> {
    let ids: Vec<DisclosureId> = site
        .store
        .item_versions(village, item, None)
        .await?
        .into_iter()
        .filter(|v| v.state == DisclosureState::Published)
        .map(|v| v.id)
        .collect();
    let mut found = site.store.get_disclosures(&ids).await?;
    found.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.0.cmp(&a.id.0)));
    Ok(found)
}

/// A village's name for titles.
pub(crate) fn village_name(site: &Site, village: RegionCode) -> String {
    site.regions().get(village).map(|r| r.name.clone()).unwrap_or_else(|| village.to_string())
}
