//! The demo's planted cases: one deliberate case for every warning rule, in named villages,
//! so that a supervisor opening the demo finds each rule at work on a story they can follow,
//! while the rest of the county's books are clean (see `books.rs`). [`PLANTED`] lists them as
//! data: the whole-system test and `docs/planted.md` refer to it.
//!
//! Dates are reckoned back from the demo's date (`--as-of`), so the cases stay in the windows
//! the rules look at (the spike rule's last three months, the arrears' grace period) on any day.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde_json::Value;
use yangguang_core::catalog::ReviewerRole;
use yangguang_core::lease::{Lease, Schedule};
use yangguang_core::ledger::LedgerEntry;
use yangguang_core::warning::Rule;
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure, Period, Region, RegionCode, RegionKind};

use super::assets::{Closed, closed_listing};
use super::{GAP_MONTHS_BACK, planted_month};
use crate::{AppError, Site};

/// Where a case is planted: the demo village (the README's, 李田村 by default) and the next
/// villages of its town by code; [`Place::Clean`] is kept free of any warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Demo,
    Second,
    Third,
    Clean,
}

/// How a planted finding is recognised among its village's findings of its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The subject ends with the month this many months before the demo's month (`2026-05`).
    MonthBack(u32),
    /// The subject is exactly this (a contract, a project number, `cash`).
    Subject(&'static str),
    /// The subject starts with this (the duplicate scan's `sha256:` and its hash).
    SubjectPrefix(&'static str),
    /// The subject or the message names this (a voucher's summary, a title).
    Mentions(&'static str),
}

/// One planted case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planted {
    pub rule: Rule,
    pub place: Place,
    pub key: Key,
    /// What was planted, for the README and the test's messages.
    pub what: &'static str,
}

impl Planted {
    /// Whether a finding of this case's rule and village is this case.
    pub fn matches(&self, subject: &str, message: &str, as_of: NaiveDate) -> bool {
        match self.key {
            Key::MonthBack(n) => subject.ends_with(&month_key(planted_month(as_of, n))),
            Key::Subject(s) => subject == s,
            Key::SubjectPrefix(p) => subject.starts_with(p),
            Key::Mentions(m) => subject.contains(m) || message.contains(m),
        }
    }
}

fn month_key(p: Period) -> String {
    let d = p.start();
    format!("{:04}-{:02}", d.year(), d.month())
}

// The planted texts, shared by the generator and the table.
const CASH_PAID: &str = "现金支付文化礼堂音响设备款";
const SPLIT: &str = "支付村道边沟清淤费";
const NO_SCAN: &str = "支付村委会办公桌椅购置款";
const NO_DECISION: &str = "支付村部外墙粉刷工程款";
const TRAVEL: &str = "报销赴县培训差旅费";
pub(super) const ROOF: &str = "村委会办公楼屋面维修";
pub(super) const ROOF_PAID: &str = "支付村委会办公楼屋面维修款";
pub(super) const ROAD: &str = "村道硬化工程（二期）";
pub(super) const ROAD_PAID: &str = "支付村道硬化工程（二期）进度款";
pub(super) const ROAD_PROGRESS: &str = "村道硬化工程（二期）施工进度公开";
pub(super) const LAMPS: &str = "村道路灯维修费用明细";
pub(super) const LAMPS_REASON: &str = "路灯维修费 3,860 元误录为 38,600 元，按原始票据更正";
const UNTRADED: &str = "ZL-901";
const AFTER_END: &str = "ZL-902";
const ARREARS: &str = "ZL-904";
const PREVIOUS: &str = "ZL-905";
const BELOW_RESERVE: &str = "QX-CQ-YJ-0001";
const BELOW_PREVIOUS: &str = "QX-CQ-YJ-0002";

/// Every rule's planted case (at least one each).
pub const PLANTED: &[Planted] = &[
    Planted {
        rule: Rule::ItemOverdue,
        place: Place::Demo,
        key: Key::MonthBack(GAP_MONTHS_BACK),
        what: "月度财务收支公开：7 个月前那个月的从未公开",
    },
    Planted {
        rule: Rule::FinanceMissing,
        place: Place::Demo,
        key: Key::MonthBack(GAP_MONTHS_BACK),
        what: "同一个月有十几张凭证（下面几笔支出都在这个月），账目未公开",
    },
    Planted {
        rule: Rule::NoSignoff,
        place: Place::Demo,
        key: Key::Mentions(ROAD_PROGRESS),
        what: "「村道硬化工程（二期）施工进度公开」只有村务监督委员会签字，缺民主理财小组审核",
    },
    Planted {
        rule: Rule::ChangedAfterPublication,
        place: Place::Demo,
        key: Key::Mentions(LAMPS),
        what: "「村道路灯维修费用明细」公开 3 天后更正（金额多录一位）",
    },
    Planted {
        rule: Rule::QuestionOverdue,
        place: Place::Demo,
        key: Key::Mentions(ROAD_PROGRESS),
        what: "村民对施工进度公开的质询，25 天前提出，至今未答复",
    },
    Planted {
        rule: Rule::CashNegative,
        place: Place::Second,
        key: Key::Subject("cash"),
        what: "本月用现金买了 6 笔重阳节慰问品（每笔 950 元），没有提取备用金，库存现金为负",
    },
    Planted {
        rule: Rule::CashOverLimit,
        place: Place::Third,
        key: Key::Subject("cash"),
        what: "本月收取自来水费 8,200 元现金未存入银行，库存现金超过 5,000 元限额",
    },
    Planted {
        rule: Rule::CashPayment,
        place: Place::Demo,
        key: Key::Mentions(CASH_PAID),
        what: "文化礼堂音响设备款 3,680 元用现金支付",
    },
    Planted {
        rule: Rule::SplitPayment,
        place: Place::Demo,
        key: Key::Mentions(SPLIT),
        what: "村道边沟清淤费 8 天内分 3 笔支付共 14,030 元，每笔低于 10,000 元审批金额",
    },
    Planted {
        rule: Rule::MissingReceipt,
        place: Place::Demo,
        key: Key::Mentions(NO_SCAN),
        what: "办公桌椅购置款 2,380 元没有票据扫描件",
    },
    Planted {
        rule: Rule::DuplicateReceipt,
        place: Place::Demo,
        key: Key::SubjectPrefix("sha256:"),
        what: "同一张差旅费票据的扫描件在本村和第二个村各报销一次",
    },
    Planted {
        rule: Rule::NoDecision,
        place: Place::Demo,
        key: Key::Mentions(NO_DECISION),
        what: "村部外墙粉刷工程款 28,600 元，没有决策记录",
    },
    Planted {
        rule: Rule::OverResolved,
        place: Place::Demo,
        key: Key::Mentions(ROOF),
        what: "办公楼屋面维修决议 20,000 元，两笔付款共 22,400 元",
    },
    Planted {
        rule: Rule::LeaseUntraded,
        place: Place::Second,
        key: Key::Subject(UNTRADED),
        what: "砖瓦厂旧厂房年租金 120,000 元，私下出租，未进场交易",
    },
    Planted {
        rule: Rule::DealBelowReserve,
        place: Place::Third,
        key: Key::Subject(BELOW_RESERVE),
        what: "北坞水库鱼塘出租成交价 26,500 元，低于底价 30,000 元",
    },
    Planted {
        rule: Rule::DealBelowPrevious,
        place: Place::Demo,
        key: Key::Subject(BELOW_PREVIOUS),
        what: "溪东老粮站仓库重新出租，成交年租金 55,000 元，低于原合同 ZL-905 的 68,000 元",
    },
    Planted {
        rule: Rule::RentAfterEnd,
        place: Place::Third,
        key: Key::Subject(AFTER_END),
        what: "后山茶园合同 ZL-902 已到期，之后仍收取租金 24,000 元（无续签合同）",
    },
    Planted {
        rule: Rule::RentArrears,
        place: Place::Demo,
        key: Key::Subject(ARREARS),
        what: "农贸市场摊位合同 ZL-904 第二年租金 36,000 元两个月前到期未收",
    },
    Planted {
        rule: Rule::SpendingSpike,
        place: Place::Demo,
        key: Key::MonthBack(1),
        what: "上个月支付村道硬化工程（二期）进度款 92,000 元，当月支出远超本村和同镇各村",
    },
];

/// The villages cases are planted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Places {
    pub demo: RegionCode,
    pub second: RegionCode,
    pub third: RegionCode,
    pub clean: RegionCode,
}

impl Places {
    /// The demo village and the next three villages (not communities) of its town, by code.
    pub fn of(regions: &[Region]) -> Option<Places> {
        let demo = super::demo_village(regions)?;
        let mut town: Vec<RegionCode> = regions
            .iter()
            .filter(|r| r.kind == RegionKind::Village && r.parent == demo.parent && r.code > demo.code)
            .map(|r| r.code)
            .collect();
        town.sort();
        Some(Places { demo: demo.code, second: *town.first()?, third: *town.get(1)?, clean: *town.get(2)? })
    }

    pub fn code(&self, place: Place) -> RegionCode {
        match place {
            Place::Demo => self.demo,
            Place::Second => self.second,
            Place::Third => self.third,
            Place::Clean => self.clean,
        }
    }

    pub fn place(&self, village: RegionCode) -> Option<Place> {
        [Place::Demo, Place::Second, Place::Third, Place::Clean].into_iter().find(|p| self.code(*p) == village)
    }
}

/// A day of the month `back` months before the demo's, never after the demo's date.
fn on(as_of: NaiveDate, back: u32, day: u32) -> NaiveDate {
    let first = planted_month(as_of, back).start();
    (first + Days::new(u64::from(day.saturating_sub(1)))).min(as_of)
}

fn lease(
    village: RegionCode,
    contract_no: &str,
    asset: &str,
    kind: &str,
    lessee: (&str, bool),
    yuan: i64,
    (start, years): (NaiveDate, u32),
) -> Lease {
    Lease {
        contract_no: contract_no.into(),
        village,
        asset: asset.into(),
        asset_type: kind.into(),
        location: asset.into(),
        lessee: lessee.0.into(),
        lessee_is_person: lessee.1,
        area: "1".into(),
        area_unit: if kind.contains("房") || kind.contains("仓库") || kind.contains("摊位") { "m2" } else { "mu" }
            .into(),
        annual_rent: Fen::from_yuan(yuan),
        start,
        end: start + Months::new(12 * years) - Days::new(1),
        schedule: Schedule::Yearly,
    }
}

/// The planted leases of `place`, added to its register (and their rent to its books).
pub fn leases(place: Option<Place>, village: RegionCode, as_of: NaiveDate) -> Vec<Lease> {
    match place {
        Some(Place::Demo) => vec![
            lease(
                village,
                ARREARS,
                "村口农贸市场摊位",
                "摊位",
                ("周*华", true),
                36_000,
                (as_of - Days::new(60) - Months::new(12), 3),
            ),
            lease(
                village,
                PREVIOUS,
                "溪东老粮站仓库",
                "仓库",
                ("青山粮油贸易有限公司", false),
                68_000,
                (as_of - Days::new(60) - Months::new(36) + Days::new(1), 3),
            ),
        ],
        Some(Place::Second) => vec![lease(
            village,
            UNTRADED,
            "砖瓦厂旧厂房",
            "厂房",
            ("青山建材有限公司", false),
            120_000,
            (as_of - Months::new(8), 5),
        )],
        Some(Place::Third) => vec![lease(
            village,
            AFTER_END,
            "后山茶园",
            "茶园",
            ("吴*平", true),
            24_000,
            (as_of - Days::new(100) - Months::new(36) + Days::new(1), 3),
        )],
        _ => vec![],
    }
}

/// Instalments the books leave unpaid: the arrears lease's from its second year.
pub fn unpaid(place: Option<Place>, as_of: NaiveDate) -> Vec<(String, NaiveDate)> {
    match place {
        Some(Place::Demo) => vec![(ARREARS.into(), as_of - Days::new(90))],
        _ => vec![],
    }
}

/// Whether a lease is one the planted cases keep off the trading platform (or trade
/// themselves).
pub fn trades_itself(contract_no: &str) -> bool {
    [UNTRADED, PREVIOUS, ARREARS, AFTER_END].contains(&contract_no)
}

/// Appends the planted vouchers to a village's books, numbered after each month's last.
pub fn books(place: Option<Place>, books: &mut Vec<LedgerEntry>, as_of: NaiveDate) {
    let mut add = Vouchers { books, added: vec![] };
    let gap = GAP_MONTHS_BACK;
    let (bank, cash) = (("102", "银行存款"), ("101", "现金"));
    let works = ("541", "公益支出");
    let office = ("531002", "办公费");
    match place {
        Some(Place::Demo) => {
            // The unpublished month: busy, with a cash payment, a split, a missing scan and a
            // large payment nobody resolved.
            add.pay(on(as_of, gap, 9), "从银行提取备用金", cash, bank, 370_000, 0);
            add.pay(on(as_of, gap, 9), CASH_PAID, works, cash, 368_000, 2);
            add.pay(on(as_of, gap, 12), SPLIT, works, bank, 486_000, 1);
            add.pay(on(as_of, gap, 15), SPLIT, works, bank, 475_000, 1);
            add.pay(on(as_of, gap, 19), SPLIT, works, bank, 442_000, 1);
            add.pay(on(as_of, gap, 21), NO_SCAN, office, bank, 238_000, 1);
            add.pay(on(as_of, gap, 25), NO_DECISION, works, bank, 2_860_000, 2);
            add.pay(on(as_of, gap - 1, 6), TRAVEL, office, bank, 86_000, 1);
            // The works decisions' payments (linked in `decisions.rs`): the road within its
            // amount, the roof beyond it; the road's second payment is last month's spike.
            add.pay(on(as_of, 5, 8), ROOF_PAID, works, bank, 1_280_000, 2);
            add.pay(on(as_of, 5, 28), ROOF_PAID, works, bank, 960_000, 1);
            add.pay(on(as_of, 5, 16), ROAD_PAID, works, bank, 8_000_000, 3);
            add.pay(on(as_of, 1, 10), ROAD_PAID, works, bank, 9_200_000, 3);
        }
        Some(Place::Second) => {
            add.pay(on(as_of, gap - 1, 6), TRAVEL, office, bank, 86_000, 1);
            // This month: six cash purchases nobody drew the cash for.
            let first = as_of.with_day(1).expect("valid");
            for _ in 0..6 {
                add.pay(first, "购买重阳节慰问品", office, cash, 95_000, 1);
            }
        }
        Some(Place::Third) => {
            let first = as_of.with_day(1).expect("valid");
            add.pay(first, "收取村民自来水费", cash, ("522", "其他收入"), 820_000, 1);
            let summary = format!("收后山茶园租金（合同{AFTER_END}）");
            add.pay(as_of - Days::new(40), &summary, bank, ("501003", "租赁收入"), 2_400_000, 1);
        }
        _ => {}
    }
    let added = add.added;
    books.extend(added);
}

struct Vouchers<'a> {
    books: &'a [LedgerEntry],
    added: Vec<LedgerEntry>,
}

impl Vouchers<'_> {
    /// A two-line voucher on `date`: `debit` takes `fen` from `credit`.
    fn pay(&mut self, date: NaiveDate, summary: &str, debit: (&str, &str), credit: (&str, &str), fen: i64, att: u32) {
        let same_month = |e: &&LedgerEntry| e.date.year() == date.year() && e.date.month() == date.month();
        let last = self
            .books
            .iter()
            .chain(&self.added)
            .filter(same_month)
            .filter_map(|e| e.voucher_no.strip_prefix("记-").and_then(|n| n.parse::<u32>().ok()))
            .max()
            .unwrap_or(0);
        let no = format!("记-{:03}", last + 1);
        let line = |account: (&str, &str), debit: i64, credit: i64, attachments| LedgerEntry {
            date,
            voucher_no: no.clone(),
            summary: summary.into(),
            account_code: account.0.into(),
            account_name: account.1.into(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments,
            row: 0,
        };
        self.added.push(line(debit, fen, 0, att));
        self.added.push(line(credit, 0, fen, 0));
    }
}

/// How the receipt scans of a planted voucher differ from the rule (one scan per document).
pub enum Scan {
    /// Never scanned.
    Missing,
    /// This seed's image, shared with another village's voucher.
    Shared(u64),
}

/// The planted scans, by voucher summary.
pub fn scan(summary: &str) -> Option<Scan> {
    match summary {
        NO_SCAN => Some(Scan::Missing),
        TRAVEL => Some(Scan::Shared(0x007E_A7E1)),
        _ => None,
    }
}

/// The planted listings: a deal below its reserve, and a re-let below the previous rent.
pub fn listings(places: &Places, regions: &[Region], as_of: NaiveDate) -> Vec<Value> {
    let find = |code: RegionCode| regions.iter().find(|r| r.code == code);
    let mut out = vec![];
    if let Some(third) = find(places.third) {
        let start = as_of - Days::new(70);
        out.push(closed_listing(&Closed {
            project_no: BELOW_RESERVE.into(),
            village: third,
            title: format!("{}北坞水库鱼塘出租", third.name),
            subject_type: "鱼塘",
            area: ("35", "mu"),
            reserve: Fen::from_yuan(30_000),
            price: Fen::from_yuan(26_500),
            price_unit: "year",
            winner: ("郑*强".into(), true),
            start,
            term: (start + Days::new(40), start + Days::new(40) + Months::new(60) - Days::new(1)),
        }));
    }
    if let Some(demo) = find(places.demo) {
        // Announced after the old contract ended; dealt about seven weeks later.
        let start = as_of - Days::new(55);
        out.push(closed_listing(&Closed {
            project_no: BELOW_PREVIOUS.into(),
            village: demo,
            title: format!("{}溪东老粮站仓库出租", demo.name),
            subject_type: "仓库",
            area: ("1", "m2"),
            reserve: Fen::from_yuan(52_000),
            price: Fen::from_yuan(55_000),
            price_unit: "year",
            winner: ("青山物流有限公司".into(), false),
            start,
            term: (start + Days::new(40), start + Days::new(40) + Months::new(36) - Days::new(1)),
        }));
    }
    out
}

/// The demo village's two planted publications: the road's progress, signed by the
/// supervision committee alone (the item needs the finance group too), and the street lamps'
/// costs, corrected three days after (the correction's reason is [`LAMPS_REASON`]).
pub(super) fn disclosures(village: &Region, catalog: &yangguang_core::Catalog, as_of: NaiveDate) -> Vec<NewDisclosure> {
    let Some(item) = catalog.item("works-progress") else { return vec![] };
    let one = |title: &str, body: &str, day: NaiveDate| {
        let at = super::office_time(day, &mut super::Rng::new(u64::from(day.ordinal())));
        NewDisclosure {
            village: village.code,
            column: item.column.clone(),
            catalog_item: Some(item.id.clone()),
            period: Some(Period::of_day(day)),
            title: title.into(),
            body_md: body.into(),
            state: DisclosureState::Published,
            created_at: at - chrono::Duration::days(1),
            published_at: Some(at),
            attachments: vec![],
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
            created_by: None,
            signoffs: vec![],
        }
    };
    vec![
        one(
            ROAD_PROGRESS,
            "村道硬化工程（二期）路基已完成，正在浇筑路面，完成总工程量约 **70%**。\n\n本月支付进度款 92,000 元。",
            on(as_of, 1, 20),
        ),
        one(LAMPS, "本季度共维修路灯 **24** 盏，更换灯头 9 个，维修费 38,600 元。", on(as_of, 3, 5)),
    ]
}

/// Whether a sign-off is the one the planted publication lacks.
pub(super) fn drops_signoff(title: &str, role: ReviewerRole) -> bool {
    title == ROAD_PROGRESS && role == ReviewerRole::FinanceGroup
}

/// A villager's question on the road's progress, asked 25 days before the demo's date and
/// never answered (its deadline is ten days after it was asked).
pub(super) async fn question(site: &Site, village: RegionCode, as_of: NaiveDate) -> Result<(), AppError> {
    let Some(item) = site.catalog.item("works-progress") else { return Ok(()) };
    let query =
        yangguang_store::DisclosureQuery { village, columns: vec![item.column.clone()], page: 1, per_page: 200 };
    let list = site.store.list_disclosures(&query).await?;
    let Some(d) = list.items.iter().find(|d| d.title == ROAD_PROGRESS) else { return Ok(()) };
    let asked = super::office_time(as_of - Days::new(25), &mut super::Rng::new(25));
    let receipt = format!("demo-question-{village}");
    site.store
        .insert_question(&yangguang_store::NewQuestion {
            village,
            target_kind: "disclosure".into(),
            target_ref: d.id.0.to_string(),
            target_title: d.title.clone(),
            body: "进度公开说路面完成约七成，可村东段至今没有动工，92,000 元进度款是按什么付的？请公开验收单。".into(),
            household: None,
            public_ok: true,
            receipt_hash: crate::questions::guard::receipt_hash(site, &receipt),
            state: yangguang_store::QuestionState::Open,
            asked_at: asked,
            deadline_at: asked + chrono::Duration::days(10),
            notify_phone: None,
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_planted_case() {
        for rule in Rule::ALL {
            assert!(PLANTED.iter().any(|p| p.rule == rule), "no planted case for {}", rule.code());
        }
        assert!(PLANTED.iter().all(|p| p.place != Place::Clean));
    }

    #[test]
    fn the_unpublished_month_is_busy() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut books = vec![];
        super::books(Some(Place::Demo), &mut books, as_of);
        let gap = planted_month(as_of, GAP_MONTHS_BACK);
        let vouchers: std::collections::HashSet<&str> = books
            .iter()
            .filter(|e| e.date >= gap.start() && e.date <= gap.end())
            .map(|e| e.voucher_no.as_str())
            .collect();
        // With the month's routine vouchers (at least four) it reaches the busy threshold (10).
        assert!(vouchers.len() >= 7, "{vouchers:?}");
        assert!(yangguang_core::ledger::unbalanced(&books).is_empty());
        assert!(books.iter().all(|e| e.date <= as_of));
    }

    #[test]
    fn keys_match_their_subjects() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let gap = &PLANTED[0];
        assert!(gap.matches("income-expenditure:2026-04", "", as_of));
        assert!(!gap.matches("income-expenditure:2026-05", "", as_of));
        let split = PLANTED.iter().find(|p| p.rule == Rule::SplitPayment).unwrap();
        assert!(split.matches(&format!("{SPLIT}@2026-04/记-009"), "", as_of));
    }
}
