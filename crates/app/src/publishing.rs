//! Draft → review → publish. A clerk drafts and submits; the reviewers the catalog item
//! names sign off (each sign-off bound to the content hash, so any later edit voids it) or
//! return it with a reason; when every required sign-off is present the version is
//! published at once or at its scheduled time, and the publication log records it.
//! Corrections and withdrawals are new versions that go through the same review.

use chrono::{DateTime, Utc};
use yangguang_core::catalog::ReviewerRole;
use yangguang_core::staff::{Grants, Role};
use yangguang_core::{
    Attachment, Disclosure, DisclosureId, DisclosureKind, DisclosureState, NewDisclosure, Period, RegionCode,
};
use yangguang_store::{Decision, DraftEdit, Signoff, StoreError};

use crate::auth::{SignedIn, audit};
use crate::i18n::Label;
use crate::{AppError, Site};

/// What a clerk fills in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftInput {
    pub column: String,
    pub catalog_item: Option<String>,
    pub period: Option<Period>,
    pub title: String,
    pub body_md: String,
    pub attachments: Vec<Attachment>,
    pub reason: Option<String>,
}

/// Who acts, from where (for the audit trail).
pub struct Actor<'a> {
    pub who: &'a SignedIn,
    pub ip: &'a str,
}

impl Actor<'_> {
    fn grants(&self) -> Grants {
        self.who.grants()
    }
}

fn forbidden(what: String) -> AppError {
    AppError::Forbidden(what)
}

fn map_store(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(m) => AppError::Conflict(m),
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    }
}

/// The reviewers whose sign-off a version needs: its catalog item's, or the supervision
/// committee's for items outside the catalog.
pub fn required_reviewers(site: &Site, d: &Disclosure) -> Vec<ReviewerRole> {
    d.catalog_item
        .as_deref()
        .and_then(|id| site.catalog.item(id))
        .map(|item| item.reviewers.clone())
        .unwrap_or_else(|| vec![ReviewerRole::SupervisionCommittee])
}

/// Approvals that still count: made on exactly the current content.
pub fn valid_approvals(d: &Disclosure, signoffs: &[Signoff]) -> Vec<Signoff> {
    let hash = d.content_hash();
    signoffs.iter().filter(|s| s.decision == Decision::Approve && s.content_hash == hash).cloned().collect()
}

/// Required reviewer roles not yet signed for on the current content.
pub fn missing_reviewers(site: &Site, d: &Disclosure, signoffs: &[Signoff]) -> Vec<ReviewerRole> {
    let valid = valid_approvals(d, signoffs);
    required_reviewers(site, d).into_iter().filter(|r| !valid.iter().any(|s| s.reviewer_role == r.as_str())).collect()
}

fn check_input(site: &Site, village: RegionCode, input: &DraftInput) -> Result<(), AppError> {
    let regions = site.regions();
    if !regions.get(village).is_some_and(|r| r.kind.is_village_level()) {
        return Err(AppError::Invalid(format!("村（社区）{village} 不存在 / unknown village")));
    }
    if site.catalog.column(&input.column).is_none() {
        return Err(AppError::Invalid(format!("栏目 “{}” 不存在 / unknown column", input.column)));
    }
    if let Some(id) = &input.catalog_item {
        let item = site
            .catalog
            .item(id)
            .ok_or_else(|| AppError::Invalid(format!("公开目录事项 “{id}” 不存在 / unknown catalog item")))?;
        match (item.frequency.period_kind(), input.period) {
            (Some(kind), Some(p)) if p.kind() != kind => {
                return Err(AppError::Field {
                    field: "period",
                    message: format!(
                        "“{}”按{}公开，公开期应相符（现填 {}）/ the period does not fit the item",
                        item.name,
                        item.frequency.zh(),
                        p.label_zh()
                    ),
                });
            }
            (Some(_), None) => {
                return Err(AppError::Field {
                    field: "period",
                    message: format!("“{}”需要填写公开期 / the item needs a period", item.name),
                });
            }
            _ => {}
        }
    }
    let title = input.title.trim();
    if title.is_empty() {
        return Err(AppError::Field { field: "title", message: "标题不能为空 / the title is empty".into() });
    }
    if title.chars().count() > yangguang_core::disclosure::MAX_TITLE_CHARS {
        return Err(AppError::Field {
            field: "title",
            message: format!(
                "标题不能超过 {} 个字（现有 {} 个），请缩短 / the title is longer than {} characters",
                yangguang_core::disclosure::MAX_TITLE_CHARS,
                title.chars().count(),
                yangguang_core::disclosure::MAX_TITLE_CHARS
            ),
        });
    }
    Ok(())
}

/// Creates a draft for a village the clerk serves.
pub async fn create_draft(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    input: DraftInput,
) -> Result<DisclosureId, AppError> {
    if !actor.grants().can_draft(village) {
        return Err(forbidden(format!(
            "需要该村（{village}）的村务工作者角色才能起草 / drafting needs the village clerk role for this village"
        )));
    }
    insert_draft(site, Some(&actor.who.staff), actor.ip, village, input).await
}

/// Creates a draft without checking who asks: for the platform itself (a register that
/// changed must be published again) and for callers that checked already.
pub async fn insert_draft(
    site: &Site,
    staff: Option<&yangguang_store::Staff>,
    ip: &str,
    village: RegionCode,
    input: DraftInput,
) -> Result<DisclosureId, AppError> {
    let mut input = input;
    if let Some(item) = input.catalog_item.as_deref().and_then(|id| site.catalog.item(id)) {
        input.column = item.column.clone();
    }
    check_input(site, village, &input)?;
    let now = Utc::now();
    let new = NewDisclosure {
        village,
        column: input.column,
        catalog_item: input.catalog_item,
        period: input.period,
        title: input.title.trim().into(),
        body_md: input.body_md,
        state: DisclosureState::Draft,
        created_at: now,
        published_at: None,
        attachments: input.attachments,
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: staff.map(|s| s.id),
        signoffs: vec![],
    };
    let id = site.store.insert_disclosures(&[new]).await.map_err(map_store)?[0];
    audit(site, staff, ip, "draft", &format!("disclosure:{id}"), "").await;
    Ok(id)
}

async fn load_for_clerk(site: &Site, actor: &Actor<'_>, id: DisclosureId) -> Result<Disclosure, AppError> {
    let d = site.store.get_disclosure(id).await.map_err(map_store)?;
    if !actor.grants().can_draft(d.village) {
        return Err(forbidden(format!(
            "需要该村（{}）的村务工作者角色 / needs the village clerk role for this village",
            d.village
        )));
    }
    Ok(d)
}

/// Changes a draft. Any sign-off already given no longer matches the new content.
pub async fn edit_draft(site: &Site, actor: &Actor<'_>, id: DisclosureId, input: DraftInput) -> Result<(), AppError> {
    let d = load_for_clerk(site, actor, id).await?;
    let mut input = input;
    if d.kind != DisclosureKind::Original {
        // A correction keeps its place; a withdrawal's content is the withdrawn version's.
        input.column = d.column.clone();
        input.catalog_item = d.catalog_item.clone();
        input.period = d.period;
        if input.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(AppError::Invalid("更正必须写明原因 / a correction needs a reason".into()));
        }
    } else {
        input.reason = None;
    }
    if let Some(item) = input.catalog_item.as_deref().and_then(|i| site.catalog.item(i)) {
        input.column = item.column.clone();
    }
    check_input(site, d.village, &input)?;
    let edit = DraftEdit {
        column: input.column,
        catalog_item: input.catalog_item,
        period: input.period,
        title: input.title.trim().into(),
        body_md: input.body_md,
        attachments: input.attachments,
        reason: input.reason,
    };
    site.store.update_draft(id, &edit, Utc::now()).await.map_err(map_store)?;
    audit(site, Some(&actor.who.staff), actor.ip, "edit", &format!("disclosure:{id}"), "").await;
    Ok(())
}

/// Sends a draft (or a returned version) to its reviewers, optionally for publication at a
/// later time.
pub async fn submit(
    site: &Site,
    actor: &Actor<'_>,
    id: DisclosureId,
    publish_at: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    let d = load_for_clerk(site, actor, id).await?;
    if d.title.trim().is_empty() {
        return Err(AppError::Invalid("标题不能为空 / the title is empty".into()));
    }
    let now = Utc::now();
    let publish_at = publish_at.filter(|t| *t > now);
    site.store
        .set_state(
            id,
            &[DisclosureState::Draft, DisclosureState::Returned],
            DisclosureState::Submitted,
            publish_at,
            now,
        )
        .await
        .map_err(map_store)?;
    audit(site, Some(&actor.who.staff), actor.ip, "submit", &format!("disclosure:{id}"), "").await;
    Ok(())
}

/// The outcome of a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOutcome {
    Returned,
    /// Signed; these reviewers are still missing.
    Waiting(Vec<ReviewerRole>),
    Scheduled(DateTime<Utc>),
    Published(i64),
}

/// A reviewer signs off or returns a submitted version. The reviewer signs for the first
/// required role they hold on this village that is not yet signed on the current content.
/// `seen` is the content hash the reviewer's page displayed: a sign-off is accepted only for
/// that content, so an edit made while the page was open is never signed unseen.
pub async fn review(
    site: &Site,
    actor: &Actor<'_>,
    id: DisclosureId,
    decision: Decision,
    comment: Option<String>,
    seen: Option<&str>,
) -> Result<ReviewOutcome, AppError> {
    let d = site.store.get_disclosure(id).await.map_err(map_store)?;
    if d.state != DisclosureState::Submitted {
        return Err(AppError::Conflict(format!("此版本状态为“{}”，不在审核中 / not waiting for review", d.state.zh())));
    }
    let grants = actor.grants();
    let signoffs = site.store.list_signoffs(id).await.map_err(map_store)?;
    let required = required_reviewers(site, &d);
    let missing = missing_reviewers(site, &d, &signoffs);
    let role = missing
        .iter()
        .copied()
        .find(|r| grants.can_sign(*r, d.village))
        .or_else(|| required.iter().copied().find(|r| grants.can_sign(*r, d.village)));
    let Some(role) = role else {
        let needed: Vec<&str> = required.iter().map(|r| Role::signing_for(*r).zh()).collect();
        return Err(forbidden(format!(
            "您不是该村（{}）{}，不能审核此事项 / only members of this village's reviewing bodies may sign",
            d.village,
            needed.join("或")
        )));
    };
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if decision == Decision::Return && comment.is_none() {
        return Err(AppError::Invalid("退回必须写明原因 / returning needs a reason".into()));
    }
    if decision == Decision::Approve {
        match seen {
            Some(hash) if hash == d.content_hash() => {}
            Some(_) => {
                return Err(AppError::Conflict(
                    "您打开页面之后，此事项的内容被修改过：请刷新页面，看过修改后的内容再签署 / \
                     the content changed after your page was opened; reload it and review again"
                        .into(),
                ));
            }
            None => {
                return Err(AppError::Field {
                    field: "hash",
                    message: "签署需附上您看到的内容哈希，请从审核页面提交 / sign from the review page".into(),
                });
            }
        }
        // Accounts whose books moved since the draft cannot be signed: the signature would
        // cover figures the books no longer give.
        crate::finance::books_to_freeze(site, &d).await?;
    }
    let now = yangguang_core::publication::log_time(Utc::now());
    let signoff = Signoff {
        disclosure_id: id,
        staff_id: actor.who.staff.id,
        reviewer_name: actor.who.staff.display_name.clone(),
        reviewer_role: role.as_str().into(),
        decision,
        comment,
        content_hash: d.content_hash(),
        at: now,
    };
    site.store.add_signoff(&signoff).await.map_err(map_store)?;
    let target = format!("disclosure:{id}");
    if decision == Decision::Return {
        site.store
            .set_state(id, &[DisclosureState::Submitted], DisclosureState::Returned, None, now)
            .await
            .map_err(map_store)?;
        audit(site, Some(&actor.who.staff), actor.ip, "return", &target, signoff.comment.as_deref().unwrap_or(""))
            .await;
        return Ok(ReviewOutcome::Returned);
    }
    audit(site, Some(&actor.who.staff), actor.ip, "sign", &target, role.as_str()).await;
    let mut signoffs = signoffs;
    signoffs.push(signoff);
    let missing = missing_reviewers(site, &d, &signoffs);
    if !missing.is_empty() {
        return Ok(ReviewOutcome::Waiting(missing));
    }
    match d.scheduled_at.filter(|t| *t > now) {
        Some(at) => {
            site.store
                .set_state(id, &[DisclosureState::Submitted], DisclosureState::Scheduled, Some(at), now)
                .await
                .map_err(map_store)?;
            audit(site, Some(&actor.who.staff), actor.ip, "schedule", &target, &at.to_rfc3339()).await;
            Ok(ReviewOutcome::Scheduled(at))
        }
        None => Ok(ReviewOutcome::Published(publish(site, id, now).await?)),
    }
}

/// Publishes a fully signed version now; returns its log sequence number. Used when the
/// last sign-off arrives and by the scheduler.
pub async fn publish(site: &Site, id: DisclosureId, at: DateTime<Utc>) -> Result<i64, AppError> {
    let d = site.store.get_disclosure(id).await.map_err(map_store)?;
    let signoffs = site.store.list_signoffs(id).await.map_err(map_store)?;
    let missing = missing_reviewers(site, &d, &signoffs);
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|r| r.zh()).collect();
        return Err(AppError::Conflict(format!("尚缺{}的签署 / sign-offs missing", names.join("、"))));
    }
    let records: Vec<_> = valid_approvals(&d, &signoffs).iter().map(Signoff::record).collect();
    // The books the accounts show are frozen in the publication's own transaction, and only
    // if they are still the books that were signed.
    let books = crate::finance::books_to_freeze(site, &d).await?;
    let entry = site.store.publish_freezing(id, at, &records, books.as_ref()).await.map_err(map_store)?;
    site.published(d.village);
    site.announce().await;
    let action = entry.action.as_str();
    audit(site, None, "-", action, &format!("disclosure:{id}"), &format!("log seq {}", entry.seq)).await;
    Ok(entry.seq)
}

/// Publishes scheduled versions whose time has come; returns how many.
pub async fn publish_due(site: &Site, now: DateTime<Utc>) -> Result<usize, AppError> {
    let due = site.store.due_scheduled(now).await?;
    let mut done = 0;
    for id in due {
        match publish(site, id, now).await {
            Ok(_) => {
                tracing::info!(disclosure = %id, "scheduled version published");
                done += 1;
            }
            Err(e) => tracing::error!(error = %e, disclosure = %id, "scheduled publication failed"),
        }
    }
    Ok(done)
}

/// Starts a correction (a new draft version) or a withdrawal (submitted at once, since its
/// content is the withdrawn version's) of a published version.
pub async fn start_replacement(
    site: &Site,
    actor: &Actor<'_>,
    published: DisclosureId,
    kind: DisclosureKind,
    reason: &str,
) -> Result<DisclosureId, AppError> {
    let d = load_for_clerk(site, actor, published).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Invalid("更正或撤回必须写明原因 / a reason is required".into()));
    }
    if d.state != DisclosureState::Published {
        return Err(AppError::Conflict("只能更正或撤回当前已公开的版本 / only the current published version".into()));
    }
    let open = site.store.list_replacements(published).await.map_err(map_store)?;
    if open.iter().any(|r| !r.state.was_published()) {
        return Err(AppError::Conflict(
            "该事项已有进行中的更正或撤回 / a correction or withdrawal is already under way".into(),
        ));
    }
    let now = Utc::now();
    let new = NewDisclosure {
        village: d.village,
        column: d.column.clone(),
        catalog_item: d.catalog_item.clone(),
        period: d.period,
        title: d.title.clone(),
        body_md: d.body_md.clone(),
        state: if kind == DisclosureKind::Withdrawal { DisclosureState::Submitted } else { DisclosureState::Draft },
        created_at: now,
        published_at: None,
        attachments: d.attachments.clone(),
        kind,
        replaces: Some(published),
        reason: Some(reason.into()),
        created_by: Some(actor.who.staff.id),
        signoffs: vec![],
    };
    let id = site.store.insert_disclosures(&[new]).await.map_err(map_store)?[0];
    let action = if kind == DisclosureKind::Withdrawal { "start-withdrawal" } else { "start-correction" };
    audit(site, Some(&actor.who.staff), actor.ip, action, &format!("disclosure:{published}"), reason).await;
    Ok(id)
}
