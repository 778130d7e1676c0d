//! 我要质询 and 满意度: villagers question any public item, logged in or anonymously, and
//! follow the answer with a receipt code; the village's clerk and supervision committee answer
//! within the county's deadline (10 days by default) or the question escalates to the
//! township's reviewers; villagers rate disclosures, one vote per household or device.
//!
//! Anonymous questions are held for a staff member's look (approve, or hide with a reason
//! category) and rate-limited per address and device; nothing is deleted, every staff action
//! is audited. Villagers' text is plain text, shown escaped.

pub mod guard;
pub mod target;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use yangguang_core::household::normalise_phone;
use yangguang_core::region::CodeLevel;
use yangguang_core::staff::{Grants, Role};
use yangguang_core::{DisclosureId, DisclosureKind, RegionCode};
use yangguang_store::{NewQuestion, Question, QuestionReply, QuestionState, Satisfaction, Staff};

use crate::{AppError, Site};
pub use guard::FormError;
pub use target::Target;

/// The county's rules for questions, and the limits that keep floods out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionSettings {
    /// Days the village has to answer (the law's 10 by default; some rules say 7).
    pub days: i64,
    /// Other deadlines for some counties, by county code (`339921000000`).
    pub county_days: BTreeMap<String, i64>,
    pub max_chars: usize,
    pub anonymous_per_address_per_hour: usize,
    pub anonymous_per_device_per_hour: usize,
    pub per_household_per_day: usize,
    /// Receipt-code lookups per address per hour (guessing is hopeless; this makes it slow too).
    pub lookups_per_address_per_hour: usize,
    pub votes_per_address_per_hour: usize,
}

impl Default for QuestionSettings {
    fn default() -> Self {
        Self {
            days: 10,
            county_days: BTreeMap::new(),
            max_chars: 1000,
            anonymous_per_address_per_hour: 5,
            anonymous_per_device_per_hour: 3,
            per_household_per_day: 10,
            lookups_per_address_per_hour: 30,
            votes_per_address_per_hour: 60,
        }
    }
}

impl QuestionSettings {
    /// Days to answer a question in `village`.
    pub fn days_for(&self, village: RegionCode) -> i64 {
        let county = village.ancestor_at(CodeLevel::County).to_string();
        self.county_days.get(&county).copied().unwrap_or(self.days)
    }
}

/// Hide reasons, as categories (the public sees the category, never the text hidden).
pub const HIDE_REASONS: [&str; 5] = ["abuse", "privacy", "spam", "unrelated", "other"];

pub fn hide_reason_label(reason: &str) -> &'static str {
    match reason {
        "abuse" => "辱骂、攻击他人",
        "privacy" => "含他人隐私信息",
        "spam" => "广告或重复灌水",
        "unrelated" => "与本村事务无关",
        _ => "其他不宜公开的内容",
    }
}

/// Ratings in the order shown.
pub const RATINGS: [(&str, &str); 3] = [("satisfied", "满意"), ("fair", "基本满意"), ("unsatisfied", "不满意")];

/// Who asks.
#[derive(Debug, Clone)]
pub enum Asker {
    /// A logged-in villager's household, and optionally their number to text the answer to.
    Household { household: String, notify_phone: Option<String> },
    /// Anonymous, known only by address and device (a cookie).
    Anonymous { device: String },
}

#[derive(Debug, Clone)]
pub struct Ask {
    pub village: RegionCode,
    pub target: Target,
    pub body: String,
    pub public_ok: bool,
    pub asker: Asker,
    pub form_token: String,
    pub ip: String,
}

/// A question taken: the receipt code is shown once and never stored in clear.
#[derive(Debug, Clone)]
pub struct Asked {
    pub id: i64,
    pub code: String,
    pub deadline: DateTime<Utc>,
    pub held: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    #[error("{0}")]
    Form(#[from] FormError),
    #[error("{0}")]
    TooMany(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<yangguang_store::StoreError> for AskError {
    fn from(e: yangguang_store::StoreError) -> Self {
        Self::App(e.into())
    }
}

/// Takes a question: checks the item is public, the text, the form token (once), the rate
/// limits; stores it with its deadline and a keyed hash of a new receipt code.
pub async fn ask(site: &Site, ask: Ask, now: DateTime<Utc>) -> Result<Asked, AskError> {
    let settings = &site.questions;
    let title = target::resolve(site, ask.village, &ask.target).await?;
    let body = guard::plain_text("body", &ask.body, settings.max_chars)?;
    let notify_phone = match &ask.asker {
        Asker::Household { household, notify_phone: Some(typed) } if !typed.trim().is_empty() => {
            let phone = normalise_phone(typed).ok_or_else(|| AppError::Field {
                field: "phone",
                message: format!("“{typed}”不是手机号码：请填写 11 位手机号码，或留空 / not a mobile number"),
            })?;
            // Only a number registered for this household: nobody is texted who did not ask.
            if crate::households::household_for_phone(site, &phone).await?.as_deref() != Some(household.as_str()) {
                return Err(AppError::Field {
                    field: "phone",
                    message: "只能填写本户登记的手机号码 / only a number registered for your household".into(),
                }
                .into());
            }
            Some(phone)
        }
        _ => None,
    };
    guard::claim_form(site, &ask.form_token, now).await??;
    let hour = Duration::hours(1);
    let (household, held) = match &ask.asker {
        Asker::Household { household, .. } => {
            let name = format!("qrate:h:{household}");
            if !guard::take(site, &name, settings.per_household_per_day, Duration::days(1), now).await? {
                return Err(AskError::TooMany(format!(
                    "本户今天已提交 {} 条质询，请明天再提交 / your household has asked {} questions today",
                    settings.per_household_per_day, settings.per_household_per_day
                )));
            }
            (Some(household.clone()), false)
        }
        Asker::Anonymous { device } => {
            let address = format!("qrate:ip:{}", ask.ip);
            let device = format!("qrate:d:{}", guard::device_hash(site, device));
            if !guard::take(site, &address, settings.anonymous_per_address_per_hour, hour, now).await?
                || !guard::take(site, &device, settings.anonymous_per_device_per_hour, hour, now).await?
            {
                return Err(AskError::TooMany(
                    "匿名质询提交过于频繁，请一小时后再试；登录后提交不受此限制 / too many anonymous questions: try again in an hour"
                        .into(),
                ));
            }
            (None, true)
        }
    };
    let code = guard::new_receipt_code();
    let deadline = now + Duration::days(settings.days_for(ask.village));
    let new = NewQuestion {
        village: ask.village,
        target_kind: ask.target.kind().into(),
        target_ref: ask.target.key(),
        target_title: title,
        body,
        household,
        public_ok: ask.public_ok,
        receipt_hash: guard::receipt_hash(site, &guard::normalise_code(&code).expect("a new code reads back")),
        state: if held { QuestionState::Held } else { QuestionState::Open },
        asked_at: now,
        deadline_at: deadline,
        notify_phone,
    };
    let id = site.store.insert_question(&new).await?;
    Ok(Asked { id, code, deadline, held })
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("查询码格式不对：应为 20 位字母和数字（如 ZX4K-9PQM-…）/ a receipt code has 20 letters and digits")]
    Malformed,
    #[error("没有找到这个查询码对应的质询，请核对后再试 / no question has this code")]
    Unknown,
    #[error("查询次数过多，请一小时后再试 / too many lookups: try again in an hour")]
    TooMany,
    #[error(transparent)]
    App(#[from] AppError),
}

/// The question a receipt code belongs to. Every attempt counts against the address, so codes
/// cannot be guessed quickly (and at 100 bits, not at all).
pub async fn lookup(site: &Site, typed: &str, ip: &str, now: DateTime<Utc>) -> Result<Question, LookupError> {
    let name = format!("qrate:look:{ip}");
    if !guard::take(site, &name, site.questions.lookups_per_address_per_hour, Duration::hours(1), now).await? {
        return Err(LookupError::TooMany);
    }
    let code = guard::normalise_code(typed).ok_or(LookupError::Malformed)?;
    site.store
        .question_by_receipt(&guard::receipt_hash(site, &code))
        .await
        .map_err(AppError::from)?
        .ok_or(LookupError::Unknown)
}

/// Whether a question is past its deadline unanswered (escalated or not yet).
pub fn overdue(q: &Question, now: DateTime<Utc>) -> bool {
    matches!(q.new.state, QuestionState::Held | QuestionState::Open)
        && (q.escalated_at.is_some() || now >= q.new.deadline_at)
}

/// Whole days left to answer (0 on the last day), or `None` when past.
pub fn days_left(q: &Question, now: DateTime<Utc>) -> Option<i64> {
    (now < q.new.deadline_at).then(|| (q.new.deadline_at - now).num_days())
}

/// The questions shown under a public item: those whose askers allowed it, once a staff member
/// let them through (hidden ones as a note with the reason category).
pub async fn public_on_item(site: &Site, village: RegionCode, target: &Target) -> Result<Vec<Question>, AppError> {
    let all = site.store.item_questions(village, target.kind(), &target.key()).await?;
    Ok(all.into_iter().filter(|q| q.new.public_ok && q.new.state != QuestionState::Held).collect())
}

/// Who may answer and moderate a village's questions: its clerk and supervision committee.
pub fn can_answer(grants: &Grants, village: RegionCode) -> bool {
    grants.has(Role::VillageClerk, village) || grants.has(Role::SupervisionMember, village)
}

/// The villages whose questions a staff member answers, or (township reviewers, read only)
/// oversees.
pub fn villages_of(site: &Site, grants: &Grants) -> Vec<(RegionCode, bool)> {
    let regions = site.regions();
    let mut out: Vec<(RegionCode, bool)> = vec![];
    for g in &grants.0 {
        let answers = matches!(g.role, Role::VillageClerk | Role::SupervisionMember);
        if !answers && g.role != Role::TownshipReviewer {
            continue;
        }
        for v in regions.villages().filter(|r| g.covers(r.code)).map(|r| r.code) {
            match out.iter_mut().find(|(c, _)| *c == v) {
                Some(entry) => entry.1 |= answers,
                None => out.push((v, answers)),
            }
        }
    }
    out.sort();
    out
}

/// Questions waiting for a staff member (held for a look, or open), in the villages they answer.
pub async fn waiting_count(site: &Site, grants: &Grants) -> Result<usize, AppError> {
    let mut n = 0;
    for (village, answers) in villages_of(site, grants) {
        if answers {
            n += site.store.village_questions(village, &[QuestionState::Held, QuestionState::Open]).await?.len();
        }
    }
    Ok(n)
}

fn staff_name(staff: &Staff) -> String {
    staff.display_name.clone()
}

async fn staff_question(site: &Site, grants: &Grants, id: i64) -> Result<Question, AppError> {
    let q = site.store.get_question(id).await.map_err(|_| AppError::NotFound)?;
    if !grants.sees(q.new.village) {
        return Err(AppError::NotFound);
    }
    if !can_answer(grants, q.new.village) {
        return Err(AppError::Forbidden("只有本村的村务工作人员和村务监督委员会成员可以处理质询".into()));
    }
    Ok(q)
}

/// Lets a held question through, or hides one (held or open) with a reason category.
pub async fn moderate(
    site: &Site,
    staff: &Staff,
    grants: &Grants,
    id: i64,
    hide: Option<&str>,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let q = staff_question(site, grants, id).await?;
    let (to, reason) = match hide {
        None => (QuestionState::Open, None),
        Some(r) if HIDE_REASONS.contains(&r) => (QuestionState::Hidden, Some(r)),
        Some(_) => {
            return Err(AppError::Field {
                field: "reason",
                message: "请选择隐藏原因 / choose why it is hidden".into(),
            });
        }
    };
    site.store.moderate_question(id, to, reason, &staff_name(staff), now).await.map_err(conflict)?;
    let detail = reason.map_or("approved".to_owned(), |r| format!("hidden: {r}"));
    crate::auth::audit(site, Some(staff), ip, "question.moderate", &format!("question/{id}"), &detail).await;
    changed(site, q.new.village).await;
    Ok(())
}

fn conflict(e: yangguang_store::StoreError) -> AppError {
    match e {
        yangguang_store::StoreError::Conflict(_) => {
            AppError::Conflict("该质询已被处理（可能是其他人刚刚处理过），请刷新后查看 / already handled".into())
        }
        other => other.into(),
    }
}

/// Answers a question (a held one is let through first: answering is the look). A reply that
/// admits an error names the correction it caused (a published correction of this village).
pub async fn answer(
    site: &Site,
    staff: &Staff,
    grants: &Grants,
    id: i64,
    (reply, correction): (&str, &str),
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let q = staff_question(site, grants, id).await?;
    let reply = guard::plain_text("reply", reply, 4000)?;
    let correction = match correction.trim().trim_start_matches('#') {
        "" => None,
        typed => Some(check_correction(site, q.new.village, typed).await?),
    };
    if q.new.state == QuestionState::Held {
        site.store.moderate_question(id, QuestionState::Open, None, &staff_name(staff), now).await.map_err(conflict)?;
        crate::auth::audit(site, Some(staff), ip, "question.moderate", &format!("question/{id}"), "approved").await;
    }
    let answer = QuestionReply { reply, correction, by: staff_name(staff), at: now };
    site.store.answer_question(id, &answer).await.map_err(conflict)?;
    let detail = correction.map_or(String::new(), |c| format!("correction {c}"));
    crate::auth::audit(site, Some(staff), ip, "question.answer", &format!("question/{id}"), &detail).await;
    changed(site, q.new.village).await;
    // The asker asked to be texted: once, and the number is erased.
    if let Some(phone) = site.store.take_notify_phone(id).await? {
        let text = format!("【阳光村务】您对“{}”的质询已有答复，请凭查询码查看。", short(&q.new.target_title));
        let sms = site.sms.clone();
        tokio::spawn(async move {
            if let Err(e) = sms.send(&phone, &text).await {
                tracing::warn!(error = e, "texting a villager the answer failed");
            }
        });
    }
    Ok(())
}

fn short(title: &str) -> String {
    let mut t: String = title.chars().take(20).collect();
    if title.chars().count() > 20 {
        t.push('…');
    }
    t
}

async fn check_correction(site: &Site, village: RegionCode, typed: &str) -> Result<i64, AppError> {
    let bad = || AppError::Field {
        field: "correction",
        message: format!(
            "“{typed}”不是本村已公开的更正：请填写更正公告的编号（更正页面上的“第 N 号”），或留空 / not a published correction of this village"
        ),
    };
    let id: i64 = typed.parse().map_err(|_| bad())?;
    let d = site.store.get_disclosure(DisclosureId(id)).await.map_err(|_| bad())?;
    if d.village != village || d.kind != DisclosureKind::Correction || !d.state.was_published() {
        return Err(bad());
    }
    Ok(id)
}

/// Public pages show questions and satisfaction: the village's are stale.
async fn changed(site: &Site, village: RegionCode) {
    site.published(village);
    site.announce().await;
}

/// Escalates every unanswered question past its deadline to the township reviewers of its
/// town (texted where a number is on file), once each, even with several servers; how many.
pub async fn escalate_due(site: &Site, now: DateTime<Utc>) -> Result<usize, AppError> {
    let due = site.store.questions_due(now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let staff = site.store.list_staff().await?;
    let mut n = 0;
    for q in due {
        if !site.store.mark_escalated(q.id, now).await? {
            continue;
        }
        n += 1;
        let village = q.new.village;
        let name = site.regions().get(village).map(|r| r.name.clone()).unwrap_or_else(|| village.to_string());
        let reviewers: Vec<&Staff> = staff
            .iter()
            .filter(|s| !s.disabled && s.grants.iter().any(|g| g.role == Role::TownshipReviewer && g.covers(village)))
            .collect();
        let text = format!(
            "【阳光村务】{name}有 1 条村民质询（“{}”）超过答复期限未答复，已转交乡镇督办。请登录村务公开控制台查看。",
            short(&q.new.target_title)
        );
        for r in &reviewers {
            if let Some(phone) = &r.phone
                && let Err(e) = site.sms.send(phone, &text).await
            {
                tracing::warn!(staff = r.username, error = e, "texting an escalation failed");
            }
        }
        let to: Vec<&str> = reviewers.iter().map(|s| s.username.as_str()).collect();
        crate::auth::audit(site, None, "-", "question.escalate", &format!("question/{}", q.id), &to.join(",")).await;
        changed(site, village).await;
    }
    Ok(n)
}

/// A vote on a disclosure; `voter` is `h:<household>` or `d:<device hash>`.
pub async fn vote(
    site: &Site,
    village: RegionCode,
    id: DisclosureId,
    voter: &str,
    rating: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(), AskError> {
    if !RATINGS.iter().any(|(r, _)| *r == rating) {
        return Err(AppError::Field {
            field: "rating",
            message: "请选择满意、基本满意或不满意 / choose a rating".into(),
        }
        .into());
    }
    target::resolve(site, village, &Target::Disclosure(id)).await?;
    let name = format!("qrate:vote:{ip}");
    if !guard::take(site, &name, site.questions.votes_per_address_per_hour, Duration::hours(1), now).await? {
        return Err(AskError::TooMany("评价过于频繁，请稍后再试 / too many votes: try later".into()));
    }
    site.store.vote(village, &id.0.to_string(), voter, rating, now).await?;
    changed(site, village).await;
    Ok(())
}

/// The voter's key: a household when logged in, else the device.
pub fn voter(site: &Site, household: Option<&str>, device: &str) -> String {
    match household {
        Some(h) => format!("h:{h}"),
        None => format!("d:{}", guard::device_hash(site, device)),
    }
}

/// Shares of a tally in whole percent, in the order of [`RATINGS`].
pub fn percentages(s: &Satisfaction) -> [u64; 3] {
    let total = s.total().max(1);
    [s.satisfied * 100 / total, s.fair * 100 / total, s.unsatisfied * 100 / total]
}

#[cfg(test)]
mod tests;
