//! The demo's points system (积分制): two versions of a village's rules (last year's, and this
//! year's with volunteering worth more), a year of events for the households, recorded through
//! the store's own cap checks, a few corrections, redemptions at the 积分超市 within the
//! balance, and in the README's village one household out of the public ranking.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_core::household::Household;
use yangguang_core::points::{RuleVersion, in_force, parse_rules};
use yangguang_store::{NewPointEvent, NewRedemption, PointCorrection, StoredRules};

use super::Rng;
use crate::{AppError, Site};

const LAST_YEAR: &str = "环境卫生，庭院整洁户，+5，每月5
环境卫生，参加村庄大扫除，+3，每月9
志愿服务，参加志愿服务，+8，每月24
孝老爱亲，孝老爱亲事迹，+10，每年20
移风易俗，红白喜事简办，+10，每年10
移风易俗，违规焚烧秸秆，-10
环境卫生，乱堆乱放，-5";

const THIS_YEAR: &str = "环境卫生，庭院整洁户，+5，每月5
环境卫生，参加村庄大扫除，+3，每月9
志愿服务，参加志愿服务，+10，每月30
孝老爱亲，孝老爱亲事迹，+10，每年20
移风易俗，红白喜事简办，+10，每年10
平安建设，参与矛盾调解，+5，每月10
移风易俗，违规焚烧秸秆，-10
环境卫生，乱堆乱放，-5";

fn reasons(item: &str) -> &'static [&'static str] {
    match item {
        "庭院整洁户" => &["月度庭院卫生检查评为整洁户", "房前屋后干净整洁，检查合格"],
        "参加村庄大扫除" => &["参加村口道路垃圾清扫", "参加河道沿岸清理", "参加文化礼堂周边大扫除"],
        "参加志愿服务" => {
            &["参加疫苗接种点秩序维护志愿服务", "为独居老人送餐", "参加防汛值守", "参加交通劝导志愿服务"]
        }
        "孝老爱亲事迹" => &["长期照料卧床老人，经村民推荐核实", "赡养孤寡老人，经小组评议"],
        "红白喜事简办" => &["婚事简办，未大操大办，经红白理事会确认", "丧事简办，按村规民约办理"],
        "参与矛盾调解" => &["协助调解邻里宅基地纠纷", "协助调解家庭矛盾"],
        "违规焚烧秸秆" => &["田间焚烧秸秆，经网格员现场核实", "露天焚烧垃圾，经巡查发现"],
        _ => &["屋前乱堆柴草杂物，经提醒未整改", "占道堆放建材，经巡查发现"],
    }
}

const SHOP: &[(&str, i64)] =
    &[("大米一袋（5 公斤）", 30), ("食用油一桶", 40), ("洗衣液一瓶", 15), ("毛巾一条", 5), ("酱油一瓶", 8)];

const BY: &str = "村务工作者（演示）";

/// The points of one village; how many events were recorded.
pub async fn village_points(
    site: &Site,
    village: RegionCode,
    households: &[Household],
    rng: &mut Rng,
    as_of: NaiveDate,
    demo: bool,
) -> Result<usize, AppError> {
    let this_year = NaiveDate::from_ymd_opt(as_of.year(), 1, 1).expect("valid");
    let last_year = NaiveDate::from_ymd_opt(as_of.year() - 1, 1, 1).expect("valid");
    let versions = vec![
        parse_rules(last_year, LAST_YEAR).expect("the demo's rules parse"),
        parse_rules(this_year, THIS_YEAR).expect("the demo's rules parse"),
    ];
    for v in &versions {
        let stored = StoredRules { version: v.clone(), created_by: BY.into(), created_at: Utc::now() };
        site.store.add_point_rules(village, &stored).await?;
    }
    let now = Utc::now();
    let mut recorded = vec![];
    for (n, h) in households.iter().enumerate() {
        // Most households take part a few times a year; some a lot, some not at all.
        let events = match rng.below(10) {
            // The household that logs in for the README has a history to show.
            _ if demo && n == 0 => 8 + rng.below(4),
            0 => 0,
            1..=6 => 2 + rng.below(6),
            _ => 8 + rng.below(10),
        };
        let mut dated: Vec<NaiveDate> = (0..events).map(|_| as_of - Duration::days(rng.below(365) as i64)).collect();
        dated.sort();
        for date in dated {
            let Some(rules) = in_force(&versions, date) else { continue };
            let item = pick_item(rules, rng);
            // Sometimes less than the rule allows (a half day's volunteering).
            let points = if item.points > 5 && rng.below(5) == 0 { item.points / 2 } else { item.points };
            let event = NewPointEvent {
                village,
                household: h.key(),
                rule_from: rules.effective_from,
                category: item.category.clone(),
                item: item.name.clone(),
                rule_points: item.points,
                date,
                points,
                reason: rng.pick(reasons(&item.name)).to_string(),
                evidence: None,
                recorded_by: BY.into(),
                recorded_at: now,
            };
            if let Ok(id) = site.store.record_point_event(&event, item).await? {
                recorded.push((n, id, date));
            }
        }
    }
    // A few mistakes, corrected by counter-events.
    let corrections = if demo { 3 } else { 1 };
    for k in 0..corrections.min(recorded.len()) {
        let (n, id, date) = recorded[(k * 7 + 3) % recorded.len()];
        let correction = PointCorrection {
            corrects: id,
            household: households[n].key(),
            date: (date + Duration::days(3)).min(as_of),
            reason: ["登记错户，应为邻户", "重复登记", "经复核不符合加分条件"][k % 3].into(),
            recorded_by: BY.into(),
            recorded_at: now,
        };
        // An event picked twice is corrected once.
        let _ = site.store.correct_point_event(&correction).await;
    }
    // Redemptions at the points shop, within each balance.
    for h in households {
        if rng.below(3) != 0 {
            continue;
        }
        for _ in 0..1 + rng.below(3) {
            let (item, points) = *rng.pick(SHOP);
            let r = NewRedemption {
                village,
                household: h.key(),
                date: as_of - Duration::days(rng.below(60) as i64),
                item: item.into(),
                points,
                recorded_by: BY.into(),
                recorded_at: now,
            };
            // Refused when the balance is short, as at the counter.
            site.store.redeem_points(&r).await?.ok();
        }
    }
    if demo && let Some(h) = households.get(1) {
        site.store.set_points_ranked(village, &h.key(), false, now).await?;
    }
    Ok(recorded.len())
}

/// Mostly merit items; a deduction now and then.
fn pick_item<'a>(rules: &'a RuleVersion, rng: &mut Rng) -> &'a yangguang_core::points::RuleItem {
    let (merit, deductions): (Vec<&_>, Vec<&_>) = rules.items.iter().partition(|i| i.is_merit());
    let from = if !deductions.is_empty() && rng.below(12) == 0 { &deductions } else { &merit };
    from[rng.below(from.len() as u64) as usize]
}
