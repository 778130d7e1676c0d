//! The points system (积分制) as the console and the villager's side use it: a village's clerks
//! save rules in versions, record point events for the village's households (with a required
//! reason and optional evidence, within the rule and its cap), correct an event by a
//! counter-event, and record redemptions within the balance. Every staff action is audited and
//! scoped to the clerk's villages; a household may leave the public ranking. The public views
//! (rules, masked ranking, redemption summary) and the quarter's disclosure draft are in `view`.

mod view;

use chrono::{DateTime, NaiveDate, Utc};
pub use view::{
    HouseholdView, PublicView, RankRow, RedemptionSummary, console_balances, draft_disclosure, household_view,
    public_view, year_window,
};
use yangguang_core::RegionCode;
use yangguang_core::household::household_key;
use yangguang_core::points::{self, InputError, RuleVersion};
use yangguang_core::staff::{Grants, Role};
use yangguang_store::{
    Evidence, NewPointEvent, NewRedemption, PointCorrection, PointEvent, PointsRefusal, Staff, StoreError, StoredRules,
};

use crate::{AppError, Site, uploads};

impl From<InputError> for AppError {
    fn from(e: InputError) -> Self {
        Self::Field { field: e.field, message: e.message }
    }
}

fn field(field: &'static str, message: String) -> AppError {
    AppError::Field { field, message }
}

/// The villages whose points a staff member keeps: where they are a village clerk.
pub fn villages_of(grants: &Grants) -> Vec<RegionCode> {
    grants.0.iter().filter(|g| g.role == Role::VillageClerk).map(|g| g.region).collect()
}

/// The village must be a village of ours and the staff member its clerk.
fn check_scope(site: &Site, grants: &Grants, village: RegionCode) -> Result<(), AppError> {
    if site.regions().get(village).is_none_or(|r| !r.kind.is_village_level()) {
        return Err(field("village", format!("{village} 不是本平台的村（社区）/ unknown village")));
    }
    if !grants.can_draft(village) {
        return Err(AppError::Forbidden(format!(
            "只有该村（{village}）的村务工作者可以登记积分 / only the village's clerks keep its points"
        )));
    }
    Ok(())
}

fn who(staff: &Staff) -> String {
    format!("{}（{}）", staff.display_name, staff.username)
}

/// `2026-03-05` (or `2026/3/5`), not after `today`.
pub fn parse_date(field_name: &'static str, typed: &str, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let t = typed.trim().replace('/', "-");
    let date = NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .map_err(|_| field(field_name, format!("日期“{}”应写成 2026-03-05 / a date like 2026-03-05", typed.trim())))?;
    if date > today {
        return Err(field(field_name, format!("日期 {date} 还没到，不能提前登记 / the date is in the future")));
    }
    Ok(date)
}

/// Saves a new version of a village's rules, taking effect on `effective_from`.
pub async fn save_rules(
    site: &Site,
    staff: &Staff,
    grants: &Grants,
    ip: &str,
    village: RegionCode,
    effective_from: &str,
    text: &str,
) -> Result<(), AppError> {
    check_scope(site, grants, village)?;
    let from = NaiveDate::parse_from_str(effective_from.trim(), "%Y-%m-%d")
        .map_err(|_| field("effective_from", "生效日期应写成 2026-01-01 / a date like 2026-01-01".into()))?;
    let existing: Vec<RuleVersion> = site.store.point_rules(village).await?.into_iter().map(|s| s.version).collect();
    points::check_new_version(&existing, from)?;
    let version = points::parse_rules(from, text)?;
    let stored = StoredRules { version, created_by: who(staff), created_at: Utc::now() };
    site.store.add_point_rules(village, &stored).await.map_err(|e| match e {
        StoreError::Conflict(_) => field("effective_from", "已有同日或更晚生效的版本 / a later version exists".into()),
        other => other.into(),
    })?;
    site.published(village);
    let detail = format!("from {from}: {} items", stored.version.items.len());
    crate::auth::audit(site, Some(staff), ip, "points-rules", &village.to_string(), &detail).await;
    Ok(())
}

/// A point event as the console's form sends it.
#[derive(Debug, Default, Clone)]
pub struct EventForm {
    pub household: String,
    pub item: String,
    pub date: String,
    pub points: String,
    pub reason: String,
    /// An evidence file: (file name, bytes).
    pub evidence: Option<(String, Vec<u8>)>,
}

/// The household's key, when the village has a household of that number.
async fn household_of(site: &Site, village: RegionCode, number: &str) -> Result<String, AppError> {
    let number = number.trim();
    if number.is_empty() {
        return Err(field("household", "请填写户号 / enter the household number".into()));
    }
    let key = household_key(village, number);
    if site.store.get_record(crate::households::HOUSEHOLD, &key).await?.is_none() {
        let name = site.regions().get(village).map(|r| r.name.clone()).unwrap_or_default();
        return Err(field(
            "household",
            format!("{name}没有户号为“{number}”的农户：请核对户号（见农户名册）/ no such household in this village"),
        ));
    }
    Ok(key)
}

/// An evidence file checked (photos re-encoded: EXIF and GPS gone) but not yet stored.
struct CheckedEvidence {
    evidence: Evidence,
    bytes: Vec<u8>,
    thumbnail: Option<Vec<u8>>,
}

/// Checks an evidence file and names it by its SHA-256, storing nothing: a refused event
/// must leave no file behind.
async fn check_evidence(site: &Site, file: (String, Vec<u8>)) -> Result<CheckedEvidence, AppError> {
    let limits = site.upload_limits;
    let accepted = tokio::task::spawn_blocking(move || uploads::check(&file.0, file.1, &limits))
        .await
        .map_err(|e| AppError::Invalid(e.to_string()))?
        .map_err(|e| field("evidence", e.to_string()))?;
    let evidence = Evidence {
        sha256: crate::files::sha256_hex(&accepted.bytes),
        media_type: accepted.media_type.into(),
        file_name: accepted.attachment_name,
    };
    Ok(CheckedEvidence { evidence, bytes: accepted.bytes, thumbnail: accepted.thumbnail })
}

/// Stores a checked evidence file once its event is recorded (by SHA-256, so the name the
/// event holds is the file's).
async fn store_evidence(site: &Site, checked: &CheckedEvidence) -> Result<(), AppError> {
    let sha256 = site.files.put(&checked.bytes).await?;
    debug_assert_eq!(sha256, checked.evidence.sha256);
    if let Some(thumb) = &checked.thumbnail {
        site.files.put_thumbnail(&sha256, thumb).await?;
    }
    Ok(())
}

/// Records a point event; its id. Every refusal names its field.
pub async fn record_event(
    site: &Site,
    staff: &Staff,
    grants: &Grants,
    ip: &str,
    village: RegionCode,
    form: EventForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    check_scope(site, grants, village)?;
    let household = household_of(site, village, &form.household).await?;
    let date = parse_date("date", &form.date, yangguang_core::time::china_date(now))?;
    let versions: Vec<RuleVersion> = site.store.point_rules(village).await?.into_iter().map(|s| s.version).collect();
    let rules = points::in_force(&versions, date).ok_or_else(|| {
        field("date", format!("{date} 时本村还没有生效的积分规则：请先在下方保存规则 / no rules in force on that date"))
    })?;
    let item = rules.item(form.item.trim()).ok_or_else(|| {
        field(
            "item",
            format!(
                "{date} 生效的规则（{} 起）里没有“{}”这一项：请从列表中选择 / not an item of the rules in force",
                rules.effective_from,
                form.item.trim()
            ),
        )
    })?;
    let amount = points::check_event_points(item, &form.points)?;
    let reason = points::check_reason(&form.reason)?;
    // The file is checked now and stored only once the store has accepted the event (its
    // cap is checked there, atomically): a refused event leaves no orphan file.
    let checked = match form.evidence {
        Some(file) => Some(check_evidence(site, file).await?),
        None => None,
    };
    let event = NewPointEvent {
        village,
        household: household.clone(),
        rule_from: rules.effective_from,
        category: item.category.clone(),
        item: item.name.clone(),
        rule_points: item.points,
        date,
        points: amount,
        reason,
        evidence: checked.as_ref().map(|c| c.evidence.clone()),
        recorded_by: who(staff),
        recorded_at: now,
    };
    let id = match site.store.record_point_event(&event, item).await? {
        Ok(id) => id,
        Err(PointsRefusal::OverCap(over)) => return Err(field("points", over.message(&item.name))),
        Err(PointsRefusal::Short(_)) => unreachable!("events are not refused for the balance"),
    };
    if let Some(checked) = &checked {
        store_evidence(site, checked).await?;
    }
    site.published(village);
    let detail = format!("#{id} {} {} {}：{}", date, item.name, points::signed(amount), event.reason);
    crate::auth::audit(site, Some(staff), ip, "points-event", &household, &detail).await;
    Ok(id)
}

/// Corrects an event by its counter-event (the event itself is never changed); its id.
pub async fn correct_event(
    site: &Site,
    staff: &Staff,
    grants: &Grants,
    ip: &str,
    event_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let original: PointEvent = site.store.get_point_event(event_id).await.map_err(|e| match e {
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    })?;
    let village = original.event.village;
    check_scope(site, grants, village)?;
    let reason = points::check_reason(reason)?;
    let correction = PointCorrection {
        corrects: event_id,
        household: original.event.household.clone(),
        date: yangguang_core::time::china_date(now),
        reason,
        recorded_by: who(staff),
        recorded_at: now,
    };
    let id = site.store.correct_point_event(&correction).await.map_err(|e| match e {
        StoreError::Conflict(_) => field(
            "reason",
            format!(
                "第 {event_id} 条已被更正过，或本身就是更正，不能再更正 / already corrected, or a correction itself"
            ),
        ),
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    })?;
    site.published(village);
    let detail = format!("#{id} corrects #{event_id}：{}", correction.reason);
    crate::auth::audit(site, Some(staff), ip, "points-correction", &original.event.household, &detail).await;
    Ok(id)
}

/// Corrects a redemption recorded by mistake by its counter-entry (the points go back; the
/// redemption itself is never changed); the counter-entry's id. Audited.
pub async fn correct_redemption(
    site: &Site,
    staff: &Staff,
    grants: &Grants,
    ip: &str,
    redemption_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let original = site.store.get_redemption(redemption_id).await.map_err(|e| match e {
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    })?;
    let village = original.redemption.village;
    check_scope(site, grants, village)?;
    let reason = points::check_reason(reason)?;
    let correction = PointCorrection {
        corrects: redemption_id,
        household: original.redemption.household.clone(),
        date: yangguang_core::time::china_date(now),
        reason,
        recorded_by: who(staff),
        recorded_at: now,
    };
    let id = site.store.correct_redemption(&correction).await.map_err(|e| match e {
        StoreError::Conflict(_) => field(
            "reason",
            format!("第 {redemption_id} 条兑换已被更正过，不能再更正 / this redemption was corrected already"),
        ),
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    })?;
    site.published(village);
    let detail =
        format!("#{id} corrects redemption #{redemption_id} (+{})：{}", original.redemption.points, correction.reason);
    crate::auth::audit(site, Some(staff), ip, "points-redemption-correction", &original.redemption.household, &detail)
        .await;
    Ok(id)
}

/// A redemption as the console's form sends it.
#[derive(Debug, Default, Clone)]
pub struct RedemptionForm {
    pub household: String,
    pub date: String,
    pub item: String,
    pub points: String,
}

/// Records a redemption within the household's balance; its id.
pub async fn redeem(
    site: &Site,
    staff: &Staff,
    grants: &Grants,
    ip: &str,
    village: RegionCode,
    form: &RedemptionForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    check_scope(site, grants, village)?;
    let household = household_of(site, village, &form.household).await?;
    let date = parse_date("date", &form.date, yangguang_core::time::china_date(now))?;
    let item = points::plain(&form.item);
    if item.is_empty() || item.chars().count() > points::MAX_NAME_CHARS {
        return Err(field(
            "item",
            format!("请填写兑换的物品或服务（1 到 {} 个字）/ what was redeemed", points::MAX_NAME_CHARS),
        ));
    }
    // The balance is checked again, atomically, when the redemption is stored.
    let amount = points::check_redemption(i64::MAX, &form.points)?;
    let r = NewRedemption {
        village,
        household: household.clone(),
        date,
        item,
        points: amount,
        recorded_by: who(staff),
        recorded_at: now,
    };
    let id = match site.store.redeem_points(&r).await? {
        Ok(id) => id,
        Err(PointsRefusal::Short(balance)) => {
            return Err(points::check_balance(balance, amount).expect_err("the store found it short").into());
        }
        Err(PointsRefusal::OverCap(_)) => unreachable!("redemptions have no cap"),
    };
    site.published(village);
    let detail = format!("#{id} {date} {} -{amount}", r.item);
    crate::auth::audit(site, Some(staff), ip, "points-redemption", &household, &detail).await;
    Ok(id)
}

/// The household shows in (or leaves) the public ranking; its own choice, at `/my/points`.
pub async fn set_ranked(site: &Site, household: &str, ranked: bool, ip: &str) -> Result<(), AppError> {
    let village = household.split('/').next().and_then(|c| RegionCode::parse(c).ok()).ok_or(AppError::NotFound)?;
    site.store.set_points_ranked(village, household, ranked, Utc::now()).await?;
    site.published(village);
    let action = if ranked { "points-ranking-in" } else { "points-ranking-out" };
    crate::auth::audit(site, None, ip, action, household, "villager").await;
    Ok(())
}

/// An event whose evidence a staff member may open: a clerk of its village.
pub async fn staff_event(site: &Site, grants: &Grants, id: i64) -> Result<PointEvent, AppError> {
    let event = site.store.get_point_event(id).await.map_err(|_| AppError::NotFound)?;
    if !grants.can_draft(event.event.village) {
        return Err(AppError::NotFound);
    }
    Ok(event)
}
