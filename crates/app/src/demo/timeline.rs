//! The demo's publication timeline: every village's planned items published in the order of
//! their times, with the few corrections and withdrawals that real villages make.

use chrono::{DateTime, Utc};
use yangguang_core::catalog::required::MONTHLY_ACCOUNTS;
use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState, NewDisclosure, Period, RegionCode};

use super::{DemoSummary, Reviewers, Rng, planted, signoffs_for};
use crate::{AppError, Site};

/// One step of the demo's timeline: an original publication (by its place in the plan), or
/// the correction or withdrawal of one, three days later.
enum Step {
    Original(usize),
    Replacement(usize, DisclosureKind),
}

/// Publishes the planned originals and a few corrections and withdrawals of them in the order
/// of their times, in batches; the monthly accounts freeze their months' books, as
/// publishing does.
pub(super) async fn publish_in_time_order(
    site: &Site,
    planned: Vec<NewDisclosure>,
    rng: &mut Rng,
    reviewers: &Reviewers,
    summary: &mut DemoSummary,
    (corrected, quiet): (Option<usize>, Option<RegionCode>),
) -> Result<(), AppError> {
    let catalog = site.catalog.clone();
    let at = |new: &NewDisclosure| new.published_at.unwrap_or(new.created_at);
    let mut steps: Vec<(DateTime<Utc>, Step)> = vec![];
    for (i, new) in planned.iter().enumerate() {
        steps.push((at(new), Step::Original(i)));
        // A few published items are later corrected or withdrawn, as happens in real life.
        // The planted correction always; none in the clean village.
        let roll = if corrected == Some(i) {
            0
        } else if quiet == Some(new.village) {
            rng.below(1000).max(5)
        } else {
            rng.below(1000)
        };
        let kind = if corrected == Some(i) || (roll < 4 && new.catalog_item.as_deref() == Some(MONTHLY_ACCOUNTS)) {
            summary.corrections += 1;
            DisclosureKind::Correction
        } else if roll == 4 {
            summary.withdrawals += 1;
            DisclosureKind::Withdrawal
        } else {
            continue;
        };
        steps.push((at(new) + REPLACED_AFTER, Step::Replacement(i, kind)));
    }
    steps.sort_by_key(|(at, _)| *at);
    let mut ids: Vec<Option<DisclosureId>> = vec![None; planned.len()];
    let mut batch: Vec<usize> = vec![];
    for (_, step) in steps {
        match step {
            Step::Original(i) => {
                batch.push(i);
                if batch.len() >= 500 {
                    publish_batch(site, &planned, &mut batch, &mut ids).await?;
                }
            }
            Step::Replacement(i, kind) => {
                // Everything before it first: its original, and the times stay in order.
                publish_batch(site, &planned, &mut batch, &mut ids).await?;
                let mut original = ids[i].expect("published before its replacement");
                if kind == DisclosureKind::Withdrawal {
                    // What is withdrawn is a duplicate published by mistake (as its reason
                    // says), not the period's only publication: that left a gap the calendar
                    // and the warnings then reported as never published.
                    let at = planned[i].published_at.expect("published") + REPLACED_AFTER;
                    let mut copy = NewDisclosure { created_at: at, published_at: Some(at), ..planned[i].clone() };
                    copy.signoffs = signoffs_for(&catalog, reviewers, &copy);
                    original = site.add_disclosures(&[copy]).await?[0];
                }
                let reason = (corrected == Some(i)).then_some(planted::LAMPS_REASON);
                let new = replacement(&planned[i], original, kind, reason, &catalog, reviewers);
                site.add_disclosures(&[new]).await?;
            }
        }
    }
    publish_batch(site, &planned, &mut batch, &mut ids).await
}

async fn publish_batch(
    site: &Site,
    planned: &[NewDisclosure],
    batch: &mut Vec<usize>,
    ids: &mut [Option<DisclosureId>],
) -> Result<(), AppError> {
    if batch.is_empty() {
        return Ok(());
    }
    let news: Vec<NewDisclosure> = batch.iter().map(|&i| planned[i].clone()).collect();
    let stored = site.add_disclosures(&news).await?;
    for ((&i, new), id) in batch.iter().zip(&news).zip(stored) {
        ids[i] = Some(id);
        if let (Some(MONTHLY_ACCOUNTS), Some(Period::Month { year, month }), DisclosureState::Published) =
            (new.catalog_item.as_deref(), new.period, new.state)
        {
            site.store.freeze_books(new.village, (year, month), (year, month), id).await?;
        }
    }
    batch.clear();
    Ok(())
}

/// How long after an original the demo's corrections and withdrawals come.
const REPLACED_AFTER: chrono::Duration = chrono::Duration::days(3);

fn replacement(
    original: &NewDisclosure,
    id: DisclosureId,
    kind: DisclosureKind,
    planted_reason: Option<&str>,
    catalog: &yangguang_core::Catalog,
    reviewers: &Reviewers,
) -> NewDisclosure {
    let at = original.published_at.expect("published") + REPLACED_AFTER;
    let (body_md, reason) = match (kind, planted_reason) {
        (_, Some(reason)) => (original.body_md.replace("38,600", "3,860"), reason),
        (DisclosureKind::Correction, None) => (
            format!(
                "{}\n\n**更正说明**：经民主理财小组复核，办公费用一项金额录入有误，已按原始票据更正。",
                original.body_md.replace("办公费用", "办公费用（已更正）")
            ),
            "办公费用金额录入错误，按原始票据更正",
        ),
        (_, None) => (original.body_md.clone(), "与同期另一条公开内容重复，撤回本条"),
    };
    let mut new = NewDisclosure {
        body_md,
        state: DisclosureState::Published,
        created_at: at,
        published_at: Some(at),
        kind,
        replaces: Some(id),
        reason: Some(reason.into()),
        signoffs: vec![],
        ..original.clone()
    };
    new.signoffs = signoffs_for(catalog, reviewers, &new);
    new
}
