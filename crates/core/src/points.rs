//! The points system (积分制): a village's rules — items with their points (positive for merit,
//! negative for deductions) and an optional cap per household per year or month — versioned by
//! the date they take effect, so an event keeps the rule it was recorded under; the checks an
//! event and a redemption must pass; balances; and the public ranking with masked names.
//!
//! Messages are "中文 / English", like the other input checks of `core` (the web layer picks
//! the reader's half).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The largest number of points one rule item (and so one event) may carry.
pub const MAX_ITEM_POINTS: i64 = 1_000;
/// The largest redemption.
pub const MAX_REDEMPTION: i64 = 100_000;
pub const MAX_ITEMS: usize = 100;
pub const MAX_NAME_CHARS: usize = 40;
pub const MAX_REASON_CHARS: usize = 500;

/// A refused input: the form field it is about and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub field: &'static str,
    pub message: String,
}

fn refuse<T>(field: &'static str, message: String) -> Result<T, InputError> {
    Err(InputError { field, message })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CapPeriod {
    Year,
    Month,
}

impl CapPeriod {
    /// The first and last day of the year or month holding `date`.
    pub fn window(self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Self::Year => (
                NaiveDate::from_ymd_opt(date.year(), 1, 1).expect("valid"),
                NaiveDate::from_ymd_opt(date.year(), 12, 31).expect("valid"),
            ),
            Self::Month => {
                let first = date.with_day(1).expect("valid");
                let next = if date.month() == 12 {
                    NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
                }
                .expect("valid");
                (first, next.pred_opt().expect("valid"))
            }
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Year => "每年",
            Self::Month => "每月",
        }
    }
}

/// At most `points` (in the item's direction) per household per year or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cap {
    pub per: CapPeriod,
    pub points: i64,
}

impl Cap {
    /// "每月 30 分" as the rules line writes it back.
    pub fn text(&self) -> String {
        format!("{}{}", self.per.label_zh(), self.points)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleItem {
    /// 环境卫生, 志愿服务, 孝老爱亲, 移风易俗…
    pub category: String,
    /// Unique within its version: events name the item by it.
    pub name: String,
    /// Positive for merit (加分), negative for deductions (扣分); never zero.
    pub points: i64,
    pub cap: Option<Cap>,
}

impl RuleItem {
    pub fn is_merit(&self) -> bool {
        self.points > 0
    }

    /// "+5", "-10".
    pub fn points_text(&self) -> String {
        signed(self.points)
    }
}

/// "+5", "-10", "0".
pub fn signed(points: i64) -> String {
    if points > 0 { format!("+{points}") } else { points.to_string() }
}

/// A version of a village's rules, in force from `effective_from` until the next version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleVersion {
    pub effective_from: NaiveDate,
    pub items: Vec<RuleItem>,
}

impl RuleVersion {
    pub fn item(&self, name: &str) -> Option<&RuleItem> {
        self.items.iter().find(|i| i.name == name)
    }

    /// The rules as the console's text box holds them, one item a line.
    pub fn to_lines(&self) -> String {
        self.items
            .iter()
            .map(|i| {
                let mut line = format!("{}，{}，{}", i.category, i.name, i.points_text());
                if let Some(cap) = i.cap {
                    line.push('，');
                    line.push_str(&cap.text());
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The version in force on `date`: the latest taking effect on or before it. `versions` in any order.
pub fn in_force(versions: &[RuleVersion], date: NaiveDate) -> Option<&RuleVersion> {
    versions.iter().filter(|v| v.effective_from <= date).max_by_key(|v| v.effective_from)
}

/// Plain text as stored: trimmed, control characters (but line breaks) dropped.
pub fn plain(typed: &str) -> String {
    crate::report::plain_text(typed)
}

/// "+5", "5", "-10", "－10", "10分" → points.
fn parse_points(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches('分').trim().replace('－', "-").replace('＋', "+");
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, t.strip_prefix('+').unwrap_or(&t).trim()),
    };
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(if negative { -n } else { n })
}

/// "每月30", "月30", "每年 60 分", "30/月", "60/年" → a cap.
fn parse_cap(text: &str) -> Option<Cap> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches('分').replace("每", "").replace("上限", "");
    let (per, number) = if let Some(n) = t.strip_prefix('月') {
        (CapPeriod::Month, n.to_owned())
    } else if let Some(n) = t.strip_prefix('年') {
        (CapPeriod::Year, n.to_owned())
    } else if let Some(n) = t.strip_suffix("/月") {
        (CapPeriod::Month, n.to_owned())
    } else if let Some(n) = t.strip_suffix("/年") {
        (CapPeriod::Year, n.to_owned())
    } else {
        return None;
    };
    let number = number.trim_end_matches('分');
    if number.is_empty() || number.len() > 7 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Cap { per, points: number.parse().ok()? })
}

/// A village's rules typed one item a line — `类别，名称，分值[，上限]`, e.g.
/// `志愿服务，参加志愿服务，+10，每月30` or `移风易俗，违规焚烧秸秆，-10` (Chinese or ASCII
/// commas) — checked whole: every problem names its line.
pub fn parse_rules(effective_from: NaiveDate, text: &str) -> Result<RuleVersion, InputError> {
    let mut items: Vec<RuleItem> = vec![];
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, plain(l))) {
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split([',', '，', '、', '\t']).map(str::trim).collect();
        if !(3..=4).contains(&parts.len()) {
            return refuse(
                "rules",
                format!(
                    "第 {n} 行应为“类别，名称，分值”或“类别，名称，分值，上限”（如“志愿服务，参加志愿服务，+10，每月30”）/ \
                     line {n}: category, name, points[, cap]"
                ),
            );
        }
        let (category, name) = (parts[0].to_owned(), parts[1].to_owned());
        for (what, value) in [("类别 / category", &category), ("名称 / name", &name)] {
            let chars = value.chars().count();
            if chars == 0 || chars > MAX_NAME_CHARS {
                return refuse("rules", format!("第 {n} 行的{what}应为 1 到 {MAX_NAME_CHARS} 个字 / line {n}"));
            }
        }
        let Some(points) = parse_points(parts[2]).filter(|p| *p != 0 && p.abs() <= MAX_ITEM_POINTS) else {
            return refuse(
                "rules",
                format!(
                    "第 {n} 行的分值“{}”应为不为零的整数，加分如 +5，扣分如 -10，绝对值不超过 {MAX_ITEM_POINTS} / \
                     line {n}: points must be a non-zero whole number",
                    parts[2]
                ),
            );
        };
        let cap = match parts.get(3).filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => match parse_cap(text) {
                Some(cap) if cap.points >= points.abs() => Some(cap),
                Some(cap) => {
                    return refuse(
                        "rules",
                        format!(
                            "第 {n} 行的上限 {} 分小于一次的分值 {}，这一项将无法登记 / line {n}: the cap is below one event's points",
                            cap.points,
                            points.abs()
                        ),
                    );
                }
                None => {
                    return refuse(
                        "rules",
                        format!(
                            "第 {n} 行的上限“{text}”应写成“每月30”或“每年60” / line {n}: write the cap as 每月30 or 每年60"
                        ),
                    );
                }
            },
        };
        if items.iter().any(|i| i.name == name) {
            return refuse("rules", format!("第 {n} 行的名称“{name}”重复了 / line {n}: the name is listed twice"));
        }
        items.push(RuleItem { category, name, points, cap });
    }
    if items.is_empty() {
        return refuse("rules", "请至少填写一项积分规则 / enter at least one rule item".into());
    }
    if items.len() > MAX_ITEMS {
        return refuse("rules", format!("最多 {MAX_ITEMS} 项 / at most {MAX_ITEMS} items"));
    }
    Ok(RuleVersion { effective_from, items })
}

/// A new version takes effect after every existing one: past events keep their rules.
pub fn check_new_version(versions: &[RuleVersion], effective_from: NaiveDate) -> Result<(), InputError> {
    match versions.iter().map(|v| v.effective_from).max() {
        Some(latest) if effective_from <= latest => refuse(
            "effective_from",
            format!(
                "新版本的生效日期须晚于现行版本的 {latest}：已登记的积分按当时的规则保留，不能改动 / \
                 a new version must take effect after {latest}"
            ),
        ),
        _ => Ok(()),
    }
}

/// The reason of an event, a correction or a redemption note: required, plain text.
pub fn check_reason(typed: &str) -> Result<String, InputError> {
    let text = plain(typed);
    let n = text.chars().count();
    if n == 0 {
        return refuse("reason", "请填写事由（做了什么、在哪里），事由必填 / a reason is required".into());
    }
    if n > MAX_REASON_CHARS {
        return refuse(
            "reason",
            format!("事由最多 {MAX_REASON_CHARS} 个字，现在有 {n} 个 / at most {MAX_REASON_CHARS} characters"),
        );
    }
    Ok(text)
}

/// The points typed for an event under `item` (blank: the item's points): the same sign as the
/// item and no more than it.
pub fn check_event_points(item: &RuleItem, typed: &str) -> Result<i64, InputError> {
    if typed.trim().is_empty() {
        return Ok(item.points);
    }
    let Some(points) = parse_points(typed) else {
        return refuse("points", format!("分值“{}”应为整数 / points must be a whole number", typed.trim()));
    };
    // A deduction may be typed without its sign.
    let points = if item.points < 0 && points > 0 { -points } else { points };
    if points == 0 || points.signum() != item.points.signum() || points.abs() > item.points.abs() {
        let range =
            if item.points > 0 { format!("+1 到 +{}", item.points) } else { format!("-1 到 {}", item.points) };
        return refuse(
            "points",
            format!(
                "“{}”一次为 {} 分，本次只能在 {range} 之间 / points must be within the rule ({})",
                item.name,
                item.points_text(),
                item.points_text()
            ),
        );
    }
    Ok(points)
}

/// What a cap refused: the cap, what the household already has in the window, and what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverCap {
    pub cap: Cap,
    pub used: i64,
    pub left: i64,
}

impl OverCap {
    pub fn message(&self, item: &str) -> String {
        let window = match self.cap.per {
            CapPeriod::Year => "本年",
            CapPeriod::Month => "本月",
        };
        format!(
            "“{item}”{}最多 {} 分，该户{window}已有 {} 分，还可登记 {} 分 / over the cap: {} a {}, {} used, {} left",
            self.cap.per.label_zh(),
            self.cap.points,
            self.used,
            self.left,
            self.cap.points,
            if self.cap.per == CapPeriod::Year { "year" } else { "month" },
            self.used,
            self.left
        )
    }
}

/// Whether `points` more under `item` fit its cap, given the net points `used` of that item the
/// household already has in the cap's window (corrections included). Both in the item's sign.
pub fn check_cap(item: &RuleItem, used: i64, points: i64) -> Result<(), OverCap> {
    let Some(cap) = item.cap else { return Ok(()) };
    let direction = item.points.signum();
    let used = (used * direction).max(0);
    let adding = points * direction;
    if used + adding > cap.points {
        return Err(OverCap { cap, used, left: (cap.points - used).max(0) });
    }
    Ok(())
}

/// A household's points: earned (merit items), deducted (deduction items, as a positive
/// number) and redeemed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub earned: i64,
    pub deducted: i64,
    pub redeemed: i64,
}

impl Balance {
    /// Earned − deducted − redeemed.
    pub fn total(&self) -> i64 {
        self.earned - self.deducted - self.redeemed
    }

    /// Earned − deducted: what the ranking counts (redeeming is not losing).
    pub fn net(&self) -> i64 {
        self.earned - self.deducted
    }
}

/// What a redemption takes: whole points, positive, no more than the balance.
pub fn check_redemption(balance: i64, typed: &str) -> Result<i64, InputError> {
    let Some(points) = parse_points(typed).filter(|p| *p > 0 && *p <= MAX_REDEMPTION) else {
        return refuse(
            "points",
            format!(
                "兑换分值应为 1 到 {MAX_REDEMPTION} 的整数 / points must be a whole number from 1 to {MAX_REDEMPTION}"
            ),
        );
    };
    check_balance(balance, points)?;
    Ok(points)
}

pub fn check_balance(balance: i64, points: i64) -> Result<(), InputError> {
    if points > balance {
        return refuse(
            "points",
            format!(
                "积分不足：该户现有 {balance} 分，本次兑换需要 {points} 分 / not enough points: {balance} available, {points} asked"
            ),
        );
    }
    Ok(())
}

/// The name a public ranking shows: the household head's, masked (张*, 王*明) — never whole.
pub fn public_name(name: &str) -> String {
    let masked = crate::trading::mask_person(name);
    if masked.is_empty() { "*".into() } else { masked }
}

/// Ranks by points, highest first; equal points share a rank (1, 1, 3). Ties keep the order
/// of `key` so the list is stable.
pub fn rank<T, K: Ord>(mut rows: Vec<T>, points: impl Fn(&T) -> i64, key: impl Fn(&T) -> K) -> Vec<(u32, T)> {
    rows.sort_by(|a, b| points(b).cmp(&points(a)).then_with(|| key(a).cmp(&key(b))));
    let mut out: Vec<(u32, T)> = Vec::with_capacity(rows.len());
    let mut last: Option<(i64, u32)> = None;
    for (i, row) in rows.into_iter().enumerate() {
        let p = points(&row);
        let r = match last {
            Some((lp, lr)) if lp == p => lr,
            _ => i as u32 + 1,
        };
        last = Some((p, r));
        out.push((r, row));
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rules() -> RuleVersion {
        parse_rules(
            day("2026-01-01"),
            "环境卫生，庭院整洁，+5\n志愿服务,参加志愿服务,10,每月30\n\n移风易俗，违规焚烧秸秆，－10，每年20分",
        )
        .unwrap()
    }

    #[test]
    fn rules_lines_parse_with_either_comma_and_caps() {
        let r = rules();
        assert_eq!(r.items.len(), 3);
        assert_eq!(r.items[0].points, 5);
        assert_eq!(r.items[0].cap, None);
        assert_eq!(r.items[1].cap, Some(Cap { per: CapPeriod::Month, points: 30 }));
        assert_eq!(r.items[2].points, -10);
        assert_eq!(r.items[2].cap, Some(Cap { per: CapPeriod::Year, points: 20 }));
        // Written back, the lines read the same.
        assert_eq!(parse_rules(r.effective_from, &r.to_lines()).unwrap(), r);
    }

    #[test]
    fn bad_rules_lines_are_refused_naming_the_line() {
        for (text, says) in [
            ("环境卫生，庭院整洁", "第 1 行"),
            ("a，b，0", "不为零"),
            ("a，b，+5\na，b，+3", "重复"),
            ("a，b，+5\nc，d，+10，每月5", "第 2 行的上限"),
            ("a，b，+5，每周3", "每月30"),
            ("", "至少"),
            ("a，b，+5000", "不超过"),
        ] {
            let e = parse_rules(day("2026-01-01"), text).unwrap_err();
            assert!(e.message.contains(says), "{text}: {}", e.message);
        }
    }

    #[test]
    fn the_version_in_force_is_the_latest_begun() {
        let mut later = rules();
        later.effective_from = day("2026-07-01");
        later.items[0].points = 8;
        let versions = vec![later.clone(), rules()];
        assert_eq!(in_force(&versions, day("2025-12-31")), None);
        assert_eq!(in_force(&versions, day("2026-06-30")).unwrap().items[0].points, 5);
        assert_eq!(in_force(&versions, day("2026-07-01")).unwrap().items[0].points, 8);
        assert!(check_new_version(&versions, day("2026-07-01")).is_err());
        assert!(check_new_version(&versions, day("2026-07-02")).is_ok());
    }

    #[test]
    fn event_points_default_from_the_rule_and_stay_within_it() {
        let r = rules();
        let volunteer = r.item("参加志愿服务").unwrap();
        assert_eq!(check_event_points(volunteer, " "), Ok(10));
        assert_eq!(check_event_points(volunteer, "6"), Ok(6));
        assert_eq!(check_event_points(volunteer, "11").unwrap_err().field, "points");
        assert!(check_event_points(volunteer, "-3").is_err());
        let burning = r.item("违规焚烧秸秆").unwrap();
        assert_eq!(check_event_points(burning, "10"), Ok(-10), "a deduction typed without its sign");
        assert_eq!(check_event_points(burning, "-4"), Ok(-4));
        assert!(check_event_points(burning, "-12").is_err());
        assert!(check_event_points(burning, "abc").is_err());
    }

    #[test]
    fn caps_say_what_is_left() {
        let r = rules();
        let volunteer = r.item("参加志愿服务").unwrap();
        assert_eq!(check_cap(volunteer, 20, 10), Ok(()));
        let over = check_cap(volunteer, 25, 10).unwrap_err();
        assert_eq!((over.used, over.left), (25, 5));
        assert!(over.message("参加志愿服务").contains("还可登记 5 分"));
        let burning = r.item("违规焚烧秸秆").unwrap();
        assert_eq!(check_cap(burning, -10, -10), Ok(()));
        assert_eq!(check_cap(burning, -20, -10).unwrap_err().left, 0);
        // No cap: anything goes.
        assert_eq!(check_cap(r.item("庭院整洁").unwrap(), 10_000, 5), Ok(()));
    }

    #[test]
    fn windows_are_calendar_months_and_years() {
        assert_eq!(CapPeriod::Month.window(day("2026-02-14")), (day("2026-02-01"), day("2026-02-28")));
        assert_eq!(CapPeriod::Month.window(day("2026-12-31")), (day("2026-12-01"), day("2026-12-31")));
        assert_eq!(CapPeriod::Year.window(day("2026-06-01")), (day("2026-01-01"), day("2026-12-31")));
    }

    #[test]
    fn reasons_are_required_and_redemptions_need_the_balance() {
        assert_eq!(check_reason("  \n ").unwrap_err().field, "reason");
        assert_eq!(check_reason(" 清扫村道 ").unwrap(), "清扫村道");
        assert_eq!(check_redemption(50, "30"), Ok(30));
        assert!(check_redemption(50, "51").unwrap_err().message.contains("现有 50 分"));
        assert!(check_redemption(50, "0").is_err());
        assert!(check_redemption(50, "-5").is_err());
        let b = Balance { earned: 100, deducted: 10, redeemed: 30 };
        assert_eq!((b.total(), b.net()), (60, 90));
    }

    #[test]
    fn ranks_share_places_on_ties() {
        let ranked = rank(vec![("b", 5), ("a", 9), ("c", 5), ("d", 1)], |r| r.1, |r| r.0);
        let places: Vec<(u32, &str)> = ranked.iter().map(|(r, row)| (*r, row.0)).collect();
        assert_eq!(places, vec![(1, "a"), (2, "b"), (2, "c"), (4, "d")]);
    }

    #[test]
    fn public_names_are_masked() {
        assert_eq!(public_name("王建明"), "王*明");
        assert_eq!(public_name("张伟"), "张*");
        assert_eq!(public_name("欧阳"), "欧*");
        assert_eq!(public_name(""), "*");
    }

    proptest! {
        #[test]
        fn a_masked_name_never_shows_the_whole_name(name in "\\p{Han}{2,6}") {
            let shown = public_name(&name);
            prop_assert!(!shown.contains(&name));
            prop_assert_eq!(shown.chars().count(), name.chars().count());
        }

        #[test]
        fn caps_are_never_exceeded(cap in 1i64..200, events in proptest::collection::vec(1i64..50, 0..40)) {
            let item = RuleItem { category: "c".into(), name: "n".into(), points: 50, cap: Some(Cap { per: CapPeriod::Year, points: cap.max(50) }) };
            let mut used = 0;
            for p in events {
                if check_cap(&item, used, p).is_ok() {
                    used += p;
                }
                prop_assert!(used <= item.cap.unwrap().points);
            }
        }

        #[test]
        fn points_text_parses_back(p in -MAX_ITEM_POINTS..=MAX_ITEM_POINTS) {
            prop_assume!(p != 0);
            prop_assert_eq!(parse_points(&signed(p)), Some(p));
        }

        #[test]
        fn ranking_is_ordered_and_ties_share(points in proptest::collection::vec(-50i64..50, 0..30)) {
            let rows: Vec<(usize, i64)> = points.iter().copied().enumerate().collect();
            let ranked = rank(rows, |r| r.1, |r| r.0);
            for w in ranked.windows(2) {
                prop_assert!(w[0].1.1 >= w[1].1.1);
                if w[0].1.1 == w[1].1.1 { prop_assert_eq!(w[0].0, w[1].0); } else { prop_assert!(w[1].0 > w[0].0); }
            }
            if let Some(first) = ranked.first() { prop_assert_eq!(first.0, 1); }
        }

        #[test]
        fn any_rules_text_is_parsed_or_refused_without_panic(text in "\\PC{0,200}") {
            let _ = parse_rules(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), &text);
        }
    }
}
