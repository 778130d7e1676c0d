//! What the points system shows: the public page (rules, the year's ranking with masked names
//! and without the households that opted out, a redemption summary), a household's own view,
//! the console's balances, and the quarter's disclosure draft, which goes through the normal
//! review so the transparency log covers it.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use yangguang_core::household::Household;
use yangguang_core::points::{Balance, public_name, rank, signed};
use yangguang_core::{DisclosureId, Period, RegionCode};
use yangguang_store::{PointEvent, Redemption, Staff, StoredRules};

use crate::households::HOUSEHOLD;
use crate::publishing::{DraftInput, insert_draft};
use crate::registers::village_rows;
use crate::{AppError, Site};

/// The catalog item the points are disclosed under (积分制积分及排名, quarterly).
pub const CATALOG_ITEM: &str = "points-ranking";

pub fn year_window(year: i32) -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(year, 1, 1).expect("valid"), NaiveDate::from_ymd_opt(year, 12, 31).expect("valid"))
}

/// One line of the public ranking: never a full name, never a household number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankRow {
    pub rank: u32,
    /// The household head's name, masked (王*明).
    pub name: String,
    pub points: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedemptionSummary {
    pub count: usize,
    pub households: usize,
    pub points: i64,
    /// What was redeemed most: (item, times, points), the most often first.
    pub items: Vec<(String, usize, i64)>,
}

#[derive(Debug, Clone)]
pub struct PublicView {
    /// The version in force today, if any, and the earlier ones (newest first).
    pub current: Option<StoredRules>,
    pub past: Vec<StoredRules>,
    /// A version saved to take effect later.
    pub upcoming: Vec<StoredRules>,
    pub year: i32,
    pub ranking: Vec<RankRow>,
    pub redemptions: RedemptionSummary,
}

fn head_names(households: &[Household]) -> HashMap<String, String> {
    households.iter().map(|h| (h.key(), h.head().map(|m| m.name.clone()).unwrap_or_default())).collect()
}

/// The rules split around `today`: in force, earlier (newest first), and later.
fn split_rules(
    mut versions: Vec<StoredRules>,
    today: NaiveDate,
) -> (Option<StoredRules>, Vec<StoredRules>, Vec<StoredRules>) {
    versions.sort_by_key(|v| v.version.effective_from);
    let upcoming: Vec<StoredRules> = versions.iter().filter(|v| v.version.effective_from > today).cloned().collect();
    let mut begun: Vec<StoredRules> = versions.into_iter().filter(|v| v.version.effective_from <= today).collect();
    let current = begun.pop();
    begun.reverse();
    (current, begun, upcoming)
}

/// The year's ranking: households that did not opt out, by points earned less deducted this
/// year (redeeming does not lower a rank), names masked.
async fn ranking(site: &Site, village: RegionCode, year: i32) -> Result<Vec<RankRow>, AppError> {
    let households: Vec<Household> = village_rows(site, HOUSEHOLD, village).await?;
    let names = head_names(&households);
    let balances = site.store.point_balances(village, Some(year_window(year))).await?;
    let rows: Vec<(String, i64)> = balances
        .into_iter()
        .filter(|h| h.ranked && (h.balance.earned != 0 || h.balance.deducted != 0))
        .map(|h| (h.household, h.balance.net()))
        .collect();
    Ok(rank(rows, |r| r.1, |r| r.0.clone())
        .into_iter()
        .map(|(rank, (key, points))| RankRow {
            rank,
            name: public_name(names.get(&key).map_or("", String::as_str)),
            points,
        })
        .collect())
}

/// What was redeemed, corrected redemptions left out (their points went back).
fn summarise(redemptions: &[Redemption]) -> RedemptionSummary {
    let redemptions: Vec<&Redemption> = redemptions.iter().filter(|r| r.corrected.is_none()).collect();
    let mut items: HashMap<&str, (usize, i64)> = HashMap::new();
    let mut households = std::collections::HashSet::new();
    for r in &redemptions {
        let e = items.entry(r.redemption.item.as_str()).or_default();
        e.0 += 1;
        e.1 += r.redemption.points;
        households.insert(r.redemption.household.as_str());
    }
    let mut items: Vec<(String, usize, i64)> = items.into_iter().map(|(k, (n, p))| (k.to_owned(), n, p)).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    items.truncate(10);
    RedemptionSummary {
        count: redemptions.len(),
        households: households.len(),
        points: redemptions.iter().map(|r| r.redemption.points).sum(),
        items,
    }
}

pub async fn public_view(site: &Site, village: RegionCode, today: NaiveDate) -> Result<PublicView, AppError> {
    let (current, past, upcoming) = split_rules(site.store.point_rules(village).await?, today);
    let year = today.year();
    let (from, to) = year_window(year);
    let redemptions = site.store.village_redemptions(village, from, to).await?;
    Ok(PublicView {
        current,
        past,
        upcoming,
        year,
        ranking: ranking(site, village, year).await?,
        redemptions: summarise(&redemptions),
    })
}

/// What a household sees of its own points.
#[derive(Debug, Clone)]
pub struct HouseholdView {
    /// All time: earned, deducted, redeemed.
    pub balance: Balance,
    pub year: i32,
    /// Earned less deducted this year (what the ranking counts), and the household's place.
    pub year_points: i64,
    pub rank: Option<u32>,
    pub events: Vec<PointEvent>,
    pub redemptions: Vec<Redemption>,
    pub ranked: bool,
    pub rules: Option<StoredRules>,
}

pub async fn household_view(site: &Site, household: &str, today: NaiveDate) -> Result<HouseholdView, AppError> {
    let village = household.split('/').next().and_then(|c| RegionCode::parse(c).ok()).ok_or(AppError::NotFound)?;
    let events = site.store.household_point_events(household).await?;
    let redemptions = site.store.household_redemptions(household).await?;
    let mut balance = Balance::default();
    for e in &events {
        if e.event.rule_points > 0 {
            balance.earned += e.event.points;
        } else {
            balance.deducted -= e.event.points;
        }
    }
    // A corrected redemption gave its points back.
    balance.redeemed = redemptions.iter().filter(|r| r.corrected.is_none()).map(|r| r.redemption.points).sum();
    let year = today.year();
    let year_points = events.iter().filter(|e| e.event.date.year() == year).map(|e| e.event.points).sum();
    let ranked = site.store.points_ranked(household).await?;
    let rank = if ranked {
        let balances = site.store.point_balances(village, Some(year_window(year))).await?;
        let rows: Vec<(String, i64)> = balances
            .into_iter()
            .filter(|h| h.ranked && (h.balance.earned != 0 || h.balance.deducted != 0))
            .map(|h| (h.household, h.balance.net()))
            .collect();
        rank(rows, |r| r.1, |r| r.0.clone()).into_iter().find(|(_, (k, _))| k == household).map(|(r, _)| r)
    } else {
        None
    };
    let (rules, _, _) = split_rules(site.store.point_rules(village).await?, today);
    Ok(HouseholdView { balance, year, year_points, rank, events, redemptions, ranked, rules })
}

/// The console's balances: every household with points, its number, head and balance of all time.
pub async fn console_balances(site: &Site, village: RegionCode) -> Result<Vec<(String, String, Balance)>, AppError> {
    let households: Vec<Household> = village_rows(site, HOUSEHOLD, village).await?;
    let names = head_names(&households);
    let mut rows: Vec<(String, String, Balance)> = site
        .store
        .point_balances(village, None)
        .await?
        .into_iter()
        .map(|h| {
            let number = h.household.split_once('/').map_or(h.household.as_str(), |(_, n)| n).to_owned();
            (number, names.get(&h.household).cloned().unwrap_or_default(), h.balance)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows)
}

/// The points disclosure for the current quarter (积分制积分及排名) as a draft for review: the
/// rules in force, the year's ranking (masked, opted-out households left out) and the
/// redemptions. Generated from the data, so what is published is what the console holds.
pub async fn draft_disclosure(
    site: &Site,
    staff: &Staff,
    ip: &str,
    village: RegionCode,
    today: NaiveDate,
) -> Result<DisclosureId, AppError> {
    if !yangguang_core::staff::Grants(staff.grants.clone()).can_draft(village) {
        return Err(AppError::Forbidden("需要该村的村务工作者角色 / needs the village clerk role".into()));
    }
    let item = site.catalog.item(CATALOG_ITEM).ok_or(AppError::NotFound)?;
    let period = item.frequency.period_kind().map(|k| Period::containing(k, today));
    let view = public_view(site, village, today).await?;
    let mut body = String::new();
    let _ = writeln!(body, "## 积分规则\n");
    match &view.current {
        Some(rules) => {
            let _ = writeln!(body, "自 {} 起执行。\n", rules.version.effective_from);
            let rows: Vec<Vec<String>> = rules
                .version
                .items
                .iter()
                .map(|i| {
                    vec![
                        i.category.clone(),
                        i.name.clone(),
                        i.points_text(),
                        i.cap.map(|c| format!("{}最多 {} 分", c.per.label_zh(), c.points)).unwrap_or_default(),
                    ]
                })
                .collect();
            crate::finance::table(&mut body, &["类别", "项目", "分值", "上限"], &rows);
        }
        None => body.push_str("本村尚未制定积分规则。\n\n"),
    }
    let _ = writeln!(body, "## {} 年积分排名（截至 {today}）\n", view.year);
    body.push_str("姓名已隐去部分文字；选择不参加公开排名的农户不列出。\n\n");
    let rows: Vec<Vec<String>> =
        view.ranking.iter().map(|r| vec![r.rank.to_string(), r.name.clone(), signed(r.points)]).collect();
    crate::finance::table(&mut body, &["名次", "户主", "积分"], &rows);
    let r = &view.redemptions;
    let _ = writeln!(body, "## {} 年积分兑换\n", view.year);
    let _ = writeln!(body, "共 {} 户兑换 {} 次，合计 {} 分。\n", r.households, r.count, r.points);
    if !r.items.is_empty() {
        let rows: Vec<Vec<String>> =
            r.items.iter().map(|(item, n, p)| vec![item.clone(), n.to_string(), p.to_string()]).collect();
        crate::finance::table(&mut body, &["兑换物品", "次数", "积分"], &rows);
    }
    let _ = writeln!(body, "[查看积分制公开页](/v/{village}/points)");
    let input = DraftInput {
        column: item.column.clone(),
        catalog_item: Some(item.id.clone()),
        period,
        title: format!("{}（截至 {today}）", item.name),
        body_md: body,
        attachments: vec![],
        reason: None,
    };
    insert_draft(site, Some(staff), ip, village, input).await
}
