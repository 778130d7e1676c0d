//! Decision records (四议两公开 / 五议两公开) as a service: creating a decision, recording and
//! correcting its steps (checked by `core::decision`, audited), keeping minutes and sign-in
//! sheets, creating the two publications as drafts for the normal review, and linking the
//! money a decision authorised. [`village_overview`] is the one read of a village's decisions
//! with their flags and money totals: the pages and the supervision warnings use it.

pub mod body;
mod links;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use yangguang_core::decision::{self, Assessment, Form, Kind, Procedure, Step, StepError, StepRecord};
use yangguang_core::{DisclosureId, DisclosureState, Fen, RegionCode};
use yangguang_store::{DecisionFile, DecisionLink, DecisionRecord, NewDecision, StoredStep};

pub use links::{
    LINK_KINDS, LinkInput, check_import_numbers, disposal_link, lease_link, link, link_imported, link_kind_label,
    unlink, voucher_money, voucher_ref,
};

use crate::i18n::Label;
use crate::publishing::{Actor, DraftInput, insert_draft};
use crate::{AppError, Site};

/// The catalog items the two publications are drafted under.
pub const RESOLUTION_ITEM: &str = "decision-resolution";
pub const RESULT_ITEM: &str = "decision-result";

/// A publication of a decision: its disclosure and how far it got.
#[derive(Debug, Clone)]
pub struct Publication {
    pub disclosure: DisclosureId,
    pub state: DisclosureState,
    pub published_on: Option<NaiveDate>,
    /// The supervision committee's comment on its sign-off, if it wrote one.
    pub opinion: Option<String>,
}

/// The money a decision authorised, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Payments (money going out).
    pub spent: Fen,
    /// Contracts and income (leases, disposals).
    pub other: Fen,
    /// How much the payments exceed the amount resolved, for matters that spend.
    pub over: Option<Fen>,
}

/// A decision with everything the pages and the warnings need.
#[derive(Debug, Clone)]
pub struct DecisionView {
    pub record: DecisionRecord,
    pub steps: Vec<StoredStep>,
    pub files: Vec<DecisionFile>,
    pub links: Vec<DecisionLink>,
    pub resolution: Option<Publication>,
    pub result: Option<Publication>,
    pub assessment: Assessment,
    pub totals: Totals,
}

impl DecisionView {
    pub fn step(&self, step: Step) -> Option<&StoredStep> {
        self.steps.iter().find(|s| s.record.step == step)
    }

    /// The public page of this decision.
    pub fn path(&self) -> String {
        path(self.record.new.village, &self.record.new.number)
    }
}

pub fn path(village: RegionCode, number: &str) -> String {
    format!("/v/{village}/decisions/{number}")
}

fn totals(kind: Kind, amount: Option<Fen>, links: &[&DecisionLink]) -> Totals {
    let spent: Fen = links.iter().filter(|l| l.outgoing).map(|l| l.amount).sum();
    let other: Fen = links.iter().filter(|l| !l.outgoing).map(|l| l.amount).sum();
    let over = amount.filter(|a| kind.spends() && spent > *a).map(|a| Fen(spent.0 - a.0));
    Totals { spent, other, over }
}

async fn publication(site: &Site, id: Option<DisclosureId>) -> Result<Option<Publication>, AppError> {
    let Some(id) = id else { return Ok(None) };
    let d = match site.store.get_disclosure(id).await {
        Ok(d) => d,
        Err(yangguang_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let opinion = if d.state == DisclosureState::Published {
        site.store
            .list_signoffs(id)
            .await?
            .into_iter()
            .filter(|s| s.reviewer_role == "supervision-committee")
            .filter_map(|s| s.comment)
            .rfind(|c| !c.trim().is_empty())
    } else {
        None
    };
    Ok(Some(Publication {
        disclosure: id,
        state: d.state,
        published_on: d.published_at.map(yangguang_core::time::china_date),
        opinion,
    }))
}

fn published_steps(resolution: &Option<Publication>, result: &Option<Publication>) -> Vec<(Step, NaiveDate)> {
    [(Step::ResolutionPublished, resolution), (Step::ResultPublished, result)]
        .into_iter()
        .filter_map(|(s, p)| p.as_ref().and_then(|p| p.published_on).map(|d| (s, d)))
        .collect()
}

async fn assemble(
    site: &Site,
    record: DecisionRecord,
    steps: Vec<StoredStep>,
    files: Vec<DecisionFile>,
    links: Vec<DecisionLink>,
) -> Result<DecisionView, AppError> {
    let resolution = publication(site, record.resolution_disclosure).await?;
    let result = publication(site, record.result_disclosure).await?;
    let d = &record.new;
    let totals = totals(d.kind, d.amount, &links.iter().collect::<Vec<_>>());
    let records: Vec<StepRecord> = steps.iter().map(|s| s.record.clone()).collect();
    let assessment = decision::assess(
        d.procedure,
        d.kind,
        d.amount,
        &records,
        &published_steps(&resolution, &result),
        totals.spent,
        crate::today(),
    );
    Ok(DecisionView { record, steps, files, links, resolution, result, assessment, totals })
}

/// One decision with its steps, files, publications, links, flags and totals.
pub async fn decision_view(site: &Site, village: RegionCode, number: &str) -> Result<Option<DecisionView>, AppError> {
    let Some(record) = site.store.get_decision(village, number).await? else { return Ok(None) };
    let steps = site.store.decision_steps(village, number).await?;
    let files = site.store.decision_files(village, number).await?;
    let links = site.store.decision_links(village, number).await?;
    Ok(Some(assemble(site, record, steps, files, links).await?))
}

/// Every decision of a village, newest number first, with its flags and the money it
/// authorised (files are not read). The supervision warnings ("large payment with no decision
/// record", "spending over the amount resolved") are built on this.
pub async fn village_overview(site: &Site, village: RegionCode) -> Result<Vec<DecisionView>, AppError> {
    let mut steps: HashMap<String, Vec<StoredStep>> = HashMap::new();
    for (number, s) in site.store.village_steps(village).await? {
        steps.entry(number).or_default().push(s);
    }
    let mut links: HashMap<String, Vec<DecisionLink>> = HashMap::new();
    for l in site.store.village_links(village).await? {
        links.entry(l.number.clone()).or_default().push(l);
    }
    let mut out = vec![];
    for record in site.store.village_decisions(village).await? {
        let n = record.new.number.clone();
        out.push(
            assemble(site, record, steps.remove(&n).unwrap_or_default(), vec![], links.remove(&n).unwrap_or_default())
                .await?,
        );
    }
    Ok(out)
}

/// The clerk must serve the village.
pub fn check_clerk(site: &Site, actor: &Actor<'_>, village: RegionCode) -> Result<(), AppError> {
    if site.regions().get(village).is_none_or(|r| !r.kind.is_village_level()) {
        return Err(AppError::Invalid(format!("{village} 不是本平台的村（社区）/ unknown village")));
    }
    if !actor.who.grants().can_draft(village) {
        return Err(AppError::Forbidden(format!(
            "需要该村（{village}）的村务工作者角色才能登记民主决策 / needs the village clerk role for this village"
        )));
    }
    Ok(())
}

fn field(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Field { field, message: message.into() }
}

/// What a clerk types to open a decision.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub number: String,
    pub subject: String,
    pub kind: String,
    pub procedure: String,
    /// Yuan as typed; empty for none.
    pub amount: String,
}

/// An amount typed in yuan: empty is none; refused when not an amount, or negative.
pub fn parse_amount(text: &str, name: &'static str) -> Result<Option<Fen>, AppError> {
    let text = text.trim().trim_end_matches('元').trim();
    if text.is_empty() {
        return Ok(None);
    }
    let fen = yangguang_core::ledger::parse_amount(text).map_err(|_| {
        field(name, format!("金额“{text}”无法识别，请填写数字，如 180000 或 180000.50 / not an amount"))
    })?;
    if fen.0 < 0 {
        return Err(field(name, "金额不能为负数 / the amount cannot be negative"));
    }
    Ok(Some(fen))
}

fn check_subject(subject: &str) -> Result<String, AppError> {
    let subject = subject.trim();
    if subject.is_empty() {
        return Err(field("subject", "请填写决策事项，如“村道硬化工程” / the subject is empty"));
    }
    if subject.chars().count() > 200 {
        return Err(field("subject", "决策事项不能超过 200 个字 / the subject is longer than 200 characters"));
    }
    Ok(subject.to_owned())
}

/// The number the console proposes for a new decision of this year.
pub async fn proposed_number(site: &Site, village: RegionCode) -> Result<String, AppError> {
    use chrono::Datelike;
    let numbers: Vec<String> = site.store.village_decisions(village).await?.into_iter().map(|d| d.new.number).collect();
    Ok(decision::next_number(crate::today().year(), numbers.iter().map(String::as_str)))
}

/// Opens a decision; its number must be new in the village.
pub async fn create(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    input: &DecisionInput,
) -> Result<String, AppError> {
    check_clerk(site, actor, village)?;
    let number = input.number.trim();
    if !decision::valid_number(number) {
        return Err(field(
            "number",
            format!("决议编号“{number}”不合规：只能用数字、英文字母和“-”，1 到 32 位，如 2026-003 / invalid number"),
        ));
    }
    let subject = check_subject(&input.subject)?;
    let kind = Kind::parse(&input.kind).ok_or_else(|| field("kind", "请选择事项类别 / choose a kind"))?;
    let procedure =
        Procedure::parse(&input.procedure).ok_or_else(|| field("procedure", "请选择程序 / choose a procedure"))?;
    let amount = parse_amount(&input.amount, "amount")?;
    let new = NewDecision {
        village,
        number: number.to_owned(),
        subject,
        kind,
        procedure,
        amount,
        created_by: actor.who.staff.display_name.clone(),
        created_at: Utc::now(),
    };
    match site.store.insert_decision(&new).await {
        Err(yangguang_store::StoreError::Conflict(_)) => {
            return Err(field("number", format!("本村已有决议编号 {number}，请换一个 / the number is taken")));
        }
        other => other?,
    }
    let detail = format!("{} · {} · {}", new.subject, kind.as_str(), amount.map(|a| a.to_string()).unwrap_or_default());
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, "decision-create", &target(village, number), &detail)
        .await;
    site.published(village);
    Ok(new.number)
}

/// Changes a decision's subject, kind and amount (audited with the old values).
pub async fn edit(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    number: &str,
    input: &DecisionInput,
) -> Result<(), AppError> {
    check_clerk(site, actor, village)?;
    let old = site.store.get_decision(village, number).await?.ok_or(AppError::NotFound)?;
    let subject = check_subject(&input.subject)?;
    let kind = Kind::parse(&input.kind).ok_or_else(|| field("kind", "请选择事项类别 / choose a kind"))?;
    let amount = parse_amount(&input.amount, "amount")?;
    site.store.update_decision(village, number, &subject, kind, amount).await?;
    let detail = format!(
        "{} → {} · {} → {} · {} → {}",
        old.new.subject,
        subject,
        old.new.kind.as_str(),
        kind.as_str(),
        old.new.amount.map(|a| a.to_string()).unwrap_or_default(),
        amount.map(|a| a.to_string()).unwrap_or_default()
    );
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, "decision-edit", &target(village, number), &detail)
        .await;
    site.published(village);
    Ok(())
}

fn target(village: RegionCode, number: &str) -> String {
    format!("decision:{village}/{number}")
}

/// A step as typed in the console.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub step: String,
    pub date: String,
    pub form: String,
    pub expected: String,
    pub present: String,
    pub votes_for: String,
    pub against: String,
    pub abstain: String,
    pub content: String,
}

fn count(text: &str, name: &'static str, label: &str) -> Result<Option<u32>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>()
        .map(Some)
        .map_err(|_| field(name, format!("{label}应为整数人数，现填“{text}” / not a whole number")))
}

/// The step's record from what was typed: every field checked on its own first.
fn parse_step(input: &StepInput) -> Result<StepRecord, AppError> {
    let step = Step::parse(&input.step).ok_or_else(|| field("step", "请选择步骤 / choose a step"))?;
    let date = yangguang_import::register::parse_date(input.date.trim())
        .ok_or_else(|| field("date", format!("日期“{}”无法识别，应如 2026-03-05 / not a date", input.date.trim())))?;
    let form = if step == Step::Resolution {
        Some(Form::parse(&input.form).ok_or_else(|| field("form", "请选择会议形式 / choose the meeting's form"))?)
    } else {
        None
    };
    let counts = if step.may_count() {
        let expected = count(&input.expected, "expected", "应到人数")?;
        let present = count(&input.present, "present", "实到人数")?;
        let votes_for = count(&input.votes_for, "votes_for", "赞成票")?;
        let against = count(&input.against, "against", "反对票")?;
        let abstain = count(&input.abstain, "abstain", "弃权票")?;
        match (expected, present) {
            (None, None) if votes_for.is_none() && !step.votes() => None,
            (Some(expected), Some(present)) => Some(decision::Counts {
                expected,
                present,
                votes_for: votes_for.unwrap_or(0),
                against: against.unwrap_or(0),
                abstain: abstain.unwrap_or(0),
            }),
            (None, _) => return Err(field("expected", "请填写应到人数 / the expected count is missing")),
            (_, None) => return Err(field("present", "请填写实到人数 / the present count is missing")),
        }
    } else {
        None
    };
    Ok(StepRecord { step, date, form, counts, content: input.content.trim().to_owned() })
}

/// A refused step as the clerk reads it, on the field to fix.
fn step_error(e: StepError, step: Step) -> AppError {
    match e {
        StepError::Publication => {
            field("step", "决议公开和结果公开请用“生成公开稿”，经审核后公开 / publications go through review")
        }
        StepError::NotInProcedure => {
            field("step", "本决策按“四议两公开”，没有监督委员会审议这一步 / not a step of this procedure")
        }
        StepError::FormMissing => field("form", "请选择会议形式 / choose the meeting's form"),
        StepError::CountsMissing => {
            field("expected", format!("{}须填写应到、实到人数和表决票数 / counts and votes are needed", step.zh()))
        }
        StepError::NoneExpected => field("expected", "应到人数不能为 0 / nobody expected"),
        StepError::PresentOverExpected { present, expected } => field(
            "present",
            format!("实到人数 {present} 超过应到人数 {expected}，请核对签到表 / more present than expected"),
        ),
        StepError::VotesNotPresent { votes_for, against, abstain, present } => field(
            "votes_for",
            format!(
                "赞成 {votes_for} + 反对 {against} + 弃权 {abstain} = {}，与实到人数 {present} 不符，请核对表决票 / the votes do not add up to those present",
                u64::from(votes_for) + u64::from(against) + u64::from(abstain)
            ),
        ),
        StepError::BeforePrevious { previous, previous_date, date } => field(
            "date",
            format!(
                "{}的日期 {date} 早于上一步“{}”的日期 {previous_date}，步骤须按顺序进行 / dated before the previous step",
                step.zh(),
                previous.zh()
            ),
        ),
        StepError::AfterNext { next, next_date, date } => field(
            "date",
            format!(
                "{}的日期 {date} 晚于下一步“{}”的日期 {next_date}，步骤须按顺序进行 / dated after the next step",
                step.zh(),
                next.zh()
            ),
        ),
        StepError::ContentMissing => field("content", "请填写会议内容或议题摘要 / the content is empty"),
    }
}

/// Whether the publication covering `step` is past changing: in review or published.
fn locked(view: &DecisionView, step: Step) -> Option<DisclosureState> {
    let publication = if step <= Step::Resolution { &view.resolution } else { &view.result };
    publication.as_ref().map(|p| p.state).filter(|s| !matches!(s, DisclosureState::Draft | DisclosureState::Returned))
}

/// Records a step, or corrects one already recorded (audited as a correction with the old
/// values). Refused once the publication that covers the step is in review or published.
pub async fn record_step(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    number: &str,
    input: &StepInput,
) -> Result<Step, AppError> {
    check_clerk(site, actor, village)?;
    let view = decision_view(site, village, number).await?.ok_or(AppError::NotFound)?;
    let record = parse_step(input)?;
    let step = record.step;
    if let Some(state) = locked(&view, step) {
        return Err(field(
            "step",
            format!(
                "这一步已写入公开稿（{}），不能再改；如有错误，请对公开稿发起更正 / the publication covering this step is {}",
                state.zh(),
                state.as_str()
            ),
        ));
    }
    let others: Vec<(Step, NaiveDate)> = view
        .steps
        .iter()
        .map(|s| (s.record.step, s.record.date))
        .chain(published_steps(&view.resolution, &view.result))
        .collect();
    decision::check_step(view.record.new.procedure, &record, &others).map_err(|e| step_error(e, step))?;
    let old = view.step(step).cloned();
    let stored = StoredStep { record, recorded_by: actor.who.staff.display_name.clone(), recorded_at: Utc::now() };
    site.store.put_step(village, number, &stored).await?;
    let (action, detail) = match old {
        Some(old) => (
            "decision-step-correct",
            format!("{}: {} → {}", step.as_str(), body::describe(&old.record), body::describe(&stored.record)),
        ),
        None => ("decision-step", format!("{}: {}", step.as_str(), body::describe(&stored.record))),
    };
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, action, &target(village, number), &detail).await;
    site.published(village);
    Ok(step)
}

/// Keeps a file (minutes, a sign-in sheet) for a recorded step, checked like every upload and
/// stored by its SHA-256.
pub async fn attach(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    number: &str,
    step: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<bool, AppError> {
    check_clerk(site, actor, village)?;
    let view = decision_view(site, village, number).await?.ok_or(AppError::NotFound)?;
    let step = Step::parse(step).ok_or_else(|| field("file_step", "请选择文件所属的步骤 / choose the step"))?;
    if view.step(step).is_none() {
        return Err(field(
            "file_step",
            format!("“{}”还没有登记，请先登记这一步再上传文件 / record the step first", step.zh()),
        ));
    }
    let accepted = crate::uploads::check(name, bytes, &site.upload_limits)?;
    let sha256 = site.files.put(&accepted.bytes).await?;
    if let Some(thumb) = &accepted.thumbnail {
        site.files.put_thumbnail(&sha256, thumb).await?;
    }
    let file = DecisionFile {
        step,
        sha256: sha256.clone(),
        file_name: accepted.attachment_name.clone(),
        media_type: accepted.media_type.to_owned(),
        byte_size: accepted.bytes.len() as i64,
        added_by: actor.who.staff.display_name.clone(),
        added_at: Utc::now(),
    };
    let added = site.store.add_decision_file(village, number, &file).await?;
    let detail = format!("{}: {} {sha256}", step.as_str(), file.file_name);
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, "decision-file", &target(village, number), &detail)
        .await;
    site.published(village);
    Ok(added)
}

/// Creates the draft publishing the resolution (`ResolutionPublished`) or the result
/// (`ResultPublished`), its body generated from the record, for the normal review. A
/// returned or draft version is regenerated rather than duplicated.
pub async fn draft_publication(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    number: &str,
    step: Step,
) -> Result<DisclosureId, AppError> {
    check_clerk(site, actor, village)?;
    let view = decision_view(site, village, number).await?.ok_or(AppError::NotFound)?;
    let (needed, item, existing) = match step {
        Step::ResolutionPublished => (Step::Resolution, RESOLUTION_ITEM, &view.resolution),
        Step::ResultPublished => (Step::Implementation, RESULT_ITEM, &view.result),
        _ => return Err(AppError::Invalid("只能生成决议公开或结果公开 / not a publication".into())),
    };
    if view.step(needed).is_none() {
        return Err(field(
            "publication",
            format!("请先登记“{}”，再生成“{}”的公开稿 / record the step first", needed.zh(), step.zh()),
        ));
    }
    let item = site.catalog.item(item).ok_or(AppError::NotFound)?;
    let input = DraftInput {
        column: item.column.clone(),
        catalog_item: Some(item.id.clone()),
        period: None,
        title: body::title(&view, step),
        body_md: body::body(&view, step),
        attachments: vec![],
        reason: None,
    };
    if let Some(p) = existing {
        match p.state {
            DisclosureState::Draft | DisclosureState::Returned => {
                crate::publishing::edit_draft(site, actor, p.disclosure, input).await?;
                return Ok(p.disclosure);
            }
            s => {
                return Err(field(
                    "publication",
                    format!("“{}”已有公开稿（{}），不再重复生成 / a publication exists", step.zh(), s.zh()),
                ));
            }
        }
    }
    let id = insert_draft(site, Some(&actor.who.staff), actor.ip, village, input).await?;
    site.store.set_publication(village, number, step, id).await?;
    crate::auth::audit(
        site,
        Some(&actor.who.staff),
        actor.ip,
        "decision-publication",
        &target(village, number),
        &format!("{}: disclosure {id}", step.as_str()),
    )
    .await;
    Ok(id)
}

/// The next step a clerk would record, for the console's form.
pub fn next_step(view: &DecisionView) -> Option<Step> {
    let recorded: Vec<Step> = view.steps.iter().map(|s| s.record.step).collect();
    decision::next_step(view.record.new.procedure, &recorded)
}

/// Every step a clerk may type in under the decision's procedure.
pub fn typed_steps(procedure: Procedure) -> Vec<Step> {
    procedure.steps().iter().copied().filter(|s| !s.is_publication()).collect()
}

/// The decision a thing names, with its public path: for the lease and finance pages.
pub async fn authorising(
    site: &Site,
    village: RegionCode,
    kind: &str,
    target_ref: &str,
) -> Result<Option<(String, String)>, AppError> {
    Ok(site.store.link_of(village, kind, target_ref).await?.map(|l| {
        let p = path(village, &l.number);
        (l.number, p)
    }))
}

#[cfg(test)]
mod tests;
