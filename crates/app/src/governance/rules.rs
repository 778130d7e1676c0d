//! The charter and village rules: each adopted version is a disclosure of `village-rules`;
//! villagers see the current version, the history and what changed between versions.

use std::collections::HashMap;

use chrono::Utc;
use yangguang_core::catalog::required::VILLAGE_RULES;
use yangguang_core::governance::rules::{RuleDoc, RuleVersion};
use yangguang_core::{Disclosure, DisclosureId, DisclosureKind, DisclosureState, RegionCode};
use yangguang_store::StoredRuleVersion;

use super::{Generated, check_clerk, refuse};
use crate::auth::audit;
use crate::body_diff::{Change, body_changes};
use crate::markdown::escape;
use crate::publishing::{self, Actor, DraftInput};
use crate::{AppError, Site};

/// A version as a disclosure: when and by which decision it was adopted (a link to the
/// decision's page), then the text.
pub fn version_disclosure(village: RegionCode, v: &RuleVersion, version_no: i32) -> Generated {
    let no = v.decision_no.trim();
    let body = format!(
        "**通过日期**：{}　**决议编号**：[{}](/v/{village}/decisions/{no})\n\n---\n\n{}",
        v.adopted_on.format("%Y年%-m月%-d日"),
        escape(no),
        v.text_md.trim()
    );
    Generated {
        item: VILLAGE_RULES,
        period: None,
        title: format!("{}（第 {version_no} 版，{} 通过）", v.title.trim(), v.adopted_on.format("%Y年%-m月%-d日")),
        body,
    }
}

/// Stores a newly adopted version and drafts its publication; the version and its draft.
pub async fn add_version(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    v: RuleVersion,
) -> Result<(StoredRuleVersion, DisclosureId), AppError> {
    check_clerk(site, actor, village)?;
    refuse(v.problems(crate::today()))?;
    let v = RuleVersion { decision_no: v.decision_no.trim().to_owned(), title: v.title.trim().to_owned(), ..v };
    let stored = site.store.add_rule_version(village, &v, Utc::now()).await?;
    let g = version_disclosure(village, &v, stored.version_no);
    let input = DraftInput {
        column: String::new(),
        catalog_item: Some(g.item.to_owned()),
        period: None,
        title: g.title,
        body_md: g.body,
        attachments: vec![],
        reason: None,
    };
    let id = publishing::create_draft(site, actor, village, input).await?;
    site.store.set_rule_disclosure(stored.id, id).await?;
    let detail = format!("{} v{} {}", v.doc.as_str(), stored.version_no, v.decision_no);
    audit(site, Some(&actor.who.staff), actor.ip, "rule-version", &format!("{village}/rule:{}", stored.id), &detail)
        .await;
    Ok((stored, id))
}

/// A published version as villagers see it.
pub struct PublicVersion {
    pub title: String,
    pub version_no: i32,
    pub adopted_on: chrono::NaiveDate,
    pub decision_no: String,
    /// The published disclosure (a correction in place of what it corrected).
    pub disclosure: Disclosure,
    /// What changed from the previous published version (empty for the first).
    pub changes: Vec<Change>,
}

/// A document with its published versions, newest first.
pub struct PublicDoc {
    pub doc: RuleDoc,
    pub title: String,
    pub versions: Vec<PublicVersion>,
}

/// The charter and rules as published: versions whose disclosure (or a correction of it) is
/// published now; drafts and withdrawn versions are not shown.
pub async fn published_docs(site: &Site, village: RegionCode) -> Result<Vec<PublicDoc>, AppError> {
    let versions = site.store.rule_versions(village).await?;
    // Every version of the item, to follow corrections from the version each row names.
    let all = site.store.item_versions(village, VILLAGE_RULES, None).await?;
    let ids: Vec<DisclosureId> = all.iter().map(|v| v.id).collect();
    let disclosures: HashMap<DisclosureId, Disclosure> =
        site.store.get_disclosures(&ids).await?.into_iter().map(|d| (d.id, d)).collect();
    let corrected_by: HashMap<DisclosureId, DisclosureId> = disclosures
        .values()
        .filter(|d| d.kind == DisclosureKind::Correction && d.state.was_published())
        .filter_map(|d| d.replaces.map(|r| (r, d.id)))
        .collect();
    let current = |mut id: DisclosureId| -> Option<&Disclosure> {
        for _ in 0..64 {
            let d = disclosures.get(&id)?;
            match d.state {
                DisclosureState::Published => return Some(d),
                DisclosureState::Superseded => id = *corrected_by.get(&id)?,
                _ => return None,
            }
        }
        None
    };
    let mut docs = vec![];
    for doc in RuleDoc::ALL {
        let mut shown: Vec<PublicVersion> = vec![];
        for v in versions.iter().filter(|v| v.version.doc == doc) {
            let Some(d) = v.disclosure.and_then(&current) else { continue };
            let changes =
                shown.last().map(|prev| body_changes(&prev.disclosure.body_md, &d.body_md)).unwrap_or_default();
            shown.push(PublicVersion {
                title: v.version.title.clone(),
                version_no: v.version_no,
                adopted_on: v.version.adopted_on,
                decision_no: v.version.decision_no.clone(),
                disclosure: d.clone(),
                changes,
            });
        }
        if !shown.is_empty() {
            let title = shown.last().map_or_else(String::new, |v| v.title.clone());
            shown.reverse();
            docs.push(PublicDoc { doc, title, versions: shown });
        }
    }
    Ok(docs)
}
