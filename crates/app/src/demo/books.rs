//! The demo villages' books: 24 months of vouchers shaped like a village collective's —
//! rent and subsidies in, cadres' pay, office costs, utilities, repairs and public works
//! out, seasonal, with busier villages moving more money. The monthly finance disclosures
//! are built from these books, so their totals equal the vouchers.

use chrono::{Datelike, Days, Months, NaiveDate};
use yangguang_core::Fen;
use yangguang_core::lease::Lease;
use yangguang_core::ledger::LedgerEntry;

use super::Rng;

/// One entry line: `account` is (code, name), `amounts` (debit, credit) in fen.
fn entry(
    date: NaiveDate,
    no: u32,
    summary: &str,
    account: (&str, &str),
    amounts: (i64, i64),
    attachments: u32,
) -> LedgerEntry {
    LedgerEntry {
        date,
        voucher_no: format!("记-{no:03}"),
        summary: summary.into(),
        account_code: account.0.into(),
        account_name: account.1.into(),
        debit: Fen(amounts.0),
        credit: Fen(amounts.1),
        attachments,
        row: 0,
    }
}

fn yuan(rng: &mut Rng, low: i64, high: i64, scale: f64) -> i64 {
    let y = low + rng.below((high - low).max(1) as u64) as i64;
    ((y as f64 * scale) as i64).max(1) * 100 + rng.below(100) as i64
}

/// Income account and counter-account codes by the chart in force on a date.
fn codes(date: NaiveDate) -> Codes {
    if date.year() >= 2024 {
        Codes {
            subsidy: "521",
            other_income: "522",
            pay: "531001",
            office: "531002",
            utilities: "531003",
            welfare: "541",
        }
    } else {
        Codes {
            subsidy: "522",
            other_income: "531",
            pay: "541001",
            office: "541003",
            utilities: "541005",
            welfare: "551001",
        }
    }
}

struct Codes {
    subsidy: &'static str,
    other_income: &'static str,
    pay: &'static str,
    office: &'static str,
    utilities: &'static str,
    welfare: &'static str,
}

/// Every voucher of one village from `start` (an opening balance) through the month of `until`.
/// `busy` multiplies the small purchases (1 by default; `--scale full` uses [`FULL_BUSY`]).
/// Rent comes from `leases`: each instalment received a few days after it falls due, naming
/// its contract; with `arrears`, about one in [`UNPAID_ONE_IN`] is never paid (the arrears the
/// lease pages flag), and `unpaid` contracts are not paid from a day on.
///
/// The books are those of a well-run village, so that the warnings find the planted cases
/// and little else: small purchases in cash under the cash-payment threshold (larger ones by
/// bank), the till topped up from the bank before it runs dry and never above the cash limit,
/// public works under the large-payment threshold (larger ones are the planted decisions'),
/// and cadres' pay, the one routine payment above it, covered by the year's budget resolution
/// (see [`budget_payments`]).
pub fn village_books(
    rng: &mut Rng,
    (start, until): (NaiveDate, NaiveDate),
    activity: f64,
    busy: u64,
    leases: &[Lease],
    arrears: bool,
    unpaid: &[(String, NaiveDate)],
) -> Vec<LedgerEntry> {
    let mut out = vec![];
    let opening = yuan(rng, 100_000, 900_000, activity);
    out.push(entry(start, 1, "上年结转银行存款", ("102", "银行存款"), (opening, 0), 0));
    out.push(entry(start, 1, "上年结转银行存款", ("301", "资本"), (0, opening), 0));
    out.push(entry(start, 2, "上年结转库存现金", ("101", "现金"), (200_000, 0), 0));
    out.push(entry(start, 2, "上年结转库存现金", ("301", "资本"), (0, 200_000), 0));
    let mut till: i64 = 200_000;
    // The default county's vouchers carry one document each (one scan a payment keeps the
    // demo quick); `--scale full` books carry all of theirs, every one scanned.
    let documents = |n: u32| if busy == 1 { 1 } else { n };
    let mut month = start.with_day(1).expect("valid");
    while month <= until {
        let mut no = if month == start.with_day(1).expect("valid") { 3 } else { 1 };
        let days = (month.checked_add_months(Months::new(1)).expect("valid") - month).num_days() as u64;
        let day = |rng: &mut Rng| month + Days::new(rng.below(days));
        let c = codes(month);
        // Rent as the contracts fall due.
        let month_end = month.checked_add_months(Months::new(1)).expect("valid") - Days::new(1);
        for lease in leases {
            for (due, amount) in lease.instalments() {
                let withheld = unpaid.iter().any(|(no, from)| *no == lease.contract_no && due >= *from);
                if due < month || due > month_end || (arrears && rng.below(UNPAID_ONE_IN) == 0) || withheld {
                    continue;
                }
                let d = (due + Days::new(rng.below(8))).min(month_end);
                let summary = format!("收{}租金（合同{}）", lease.asset, lease.contract_no);
                out.push(entry(d, no, &summary, ("102", "银行存款"), (amount.0, 0), 1));
                out.push(entry(d, no, &summary, ("501003", "租赁收入"), (0, amount.0), 0));
                no += 1;
            }
        }
        let mut voucher = |rng: &mut Rng,
                           d: Option<NaiveDate>,
                           summary: &str,
                           debit: (&str, &str),
                           credit: (&str, &str),
                           amount: i64,
                           attachments| {
            let d = d.unwrap_or_else(|| day(rng));
            out.push(entry(d, no, summary, debit, (amount, 0), attachments));
            out.push(entry(d, no, summary, credit, (0, amount), 0));
            no += 1;
        };
        let bank = ("102", "银行存款");
        let cash = ("101", "现金");
        // Subsidies each quarter; the odd other income.
        if month.month() % 3 == 1 {
            let amount = yuan(rng, 20_000, 120_000, 1.0);
            voucher(rng, None, "收到镇财政拨付村级运转补助", bank, (c.subsidy, "补助收入"), amount, 1);
        }
        if rng.below(4) == 0 {
            let amount = yuan(rng, 100, 3_000, 1.0);
            voucher(rng, None, "收到利息及其他收入", bank, (c.other_income, "其他收入"), amount, 1);
        }
        // Spending: pay each month, office costs, utilities, repairs, public works.
        // Pay on the same days each month (so that two months' pay never look like one
        // payment split in two), works mid-month for the same reason.
        let pay = yuan(rng, 9_000, 20_000, 1.0);
        let payday = month + Days::new(9 + rng.below(4));
        voucher(rng, Some(payday), PAY_SUMMARY, (c.pay, "干部报酬"), bank, pay, 1);
        // Small purchases: in cash up to the cash-payment threshold, by bank transfer above it.
        let purchases: Vec<(&str, i64, u32, NaiveDate)> = (0..(1 + rng.below(3)) * busy)
            .map(|_| {
                let what = *rng.pick(&["购买办公用品", "打印复印费", "购买茶叶招待用品", "报销差旅费"]);
                (what, yuan(rng, 80, 1_500, 1.0), documents(1 + rng.below(3) as u32), day(rng))
            })
            .collect();
        // What the till pays this month (the books end on `until`).
        let in_cash: i64 = purchases.iter().filter(|p| p.1 <= CASH_MAX && p.3 <= until).map(|p| p.1).sum();
        // The till is topped up on the month's first day when it would not cover the month,
        // to about 3,000 yuan above what the month needs, within the 5,000 yuan limit.
        if till - in_cash < 50_000 {
            let target = (in_cash + 300_000).min(480_000).max(in_cash);
            let amount = ((target - till).max(0) / 10_000 + 1) * 10_000;
            voucher(rng, Some(month), "从银行提取备用金", cash, bank, amount, 0);
            till += amount;
        }
        for (what, amount, receipts, on) in purchases {
            let from = if amount <= CASH_MAX { cash } else { bank };
            voucher(rng, Some(on), what, (c.office, "办公费"), from, amount, receipts);
        }
        till -= in_cash;
        let utilities = yuan(rng, 300, 2_500, activity);
        voucher(rng, None, "支付村委会水电费", (c.utilities, "水电费"), bank, utilities, 1);
        if rng.below(3) == 0 {
            let what = *rng.pick(&["村道修补", "路灯维修", "公厕保洁", "垃圾清运", "文化礼堂维护"]);
            // Routine works stay under the large-payment threshold: a bigger project is a
            // decision of the villagers' representatives (四议两公开).
            let amount = yuan(rng, 2_000, 9_000, activity.min(1.0));
            let receipts = documents(1 + rng.below(4) as u32);
            let on = month + Days::new(7 + rng.below(14));
            voucher(rng, Some(on), what, (c.welfare, "公益支出"), bank, amount, receipts);
        }
        month = month.checked_add_months(Months::new(1)).expect("valid");
    }
    out.retain(|e| e.date <= until);
    out
}

/// Instalments of rent a village with arrears leaves unpaid: one in this many.
pub const UNPAID_ONE_IN: u64 = 400;
/// Office purchases up to this (fen) are paid in cash: the cash-payment threshold.
const CASH_MAX: i64 = 100_000;
/// The summary of the monthly pay voucher, the routine payment the year's budget covers.
pub const PAY_SUMMARY: &str = "发放村干部报酬";

/// The payments the year's budget resolution covers, by year: every pay voucher, as (date,
/// voucher number, amount).
pub fn budget_payments(books: &[LedgerEntry]) -> std::collections::BTreeMap<i32, Vec<(NaiveDate, String, Fen)>> {
    let mut out: std::collections::BTreeMap<i32, Vec<(NaiveDate, String, Fen)>> = Default::default();
    for e in books.iter().filter(|e| e.summary == PAY_SUMMARY && e.credit.0 > 0) {
        out.entry(e.date.year()).or_default().push((e.date, e.voucher_no.clone(), e.credit));
    }
    out
}

/// How much busier `--scale full` books are: about 190,000 receipt scans a year for a county,
/// as the real one published in its first year.
pub const FULL_BUSY: u64 = 17;

#[cfg(test)]
mod tests {
    use super::*;
    use yangguang_core::ledger::unbalanced;

    #[test]
    fn the_books_balance_and_follow_the_chart_in_force() {
        let start = NaiveDate::from_ymd_opt(2024, 11, 1).unwrap();
        let until = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let books = village_books(&mut Rng::new(3), (start, until), 1.0, 1, &[], true, &[]);
        assert!(unbalanced(&books).is_empty());
        assert!(books.len() > 24 * 10);
        let (c2004, c2023) = crate::catalog_files::default_charts();
        for e in &books {
            let chart = if e.date.year() >= 2024 { &c2023 } else { &c2004 };
            assert!(chart.resolve(&e.account_code).is_some(), "{} on {}", e.account_code, e.date);
        }
        assert!(books.iter().all(|e| e.date <= until));
    }
}

#[cfg(test)]
mod clean_tests {
    use super::*;
    use yangguang_core::warning::{Thresholds, money};

    /// A village's books trip none of the money rules: the till stays between zero and its
    /// limit at every month's end, cash payments stay under the threshold, nothing looks
    /// split, and the only payments above the large-payment threshold are the pay the
    /// year's budget covers.
    #[test]
    fn routine_books_trip_no_money_rule() {
        let t = Thresholds::default();
        let village: yangguang_core::RegionCode = "339921100201".parse().unwrap();
        let start = NaiveDate::from_ymd_opt(2024, 11, 1).unwrap();
        let until = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        for seed in 0..30 {
            for (activity, busy) in [(0.4, 1), (2.0, 1), (1.0, FULL_BUSY)] {
                let books = village_books(&mut Rng::new(seed), (start, until), activity, busy, &[], true, &[]);
                let cash = money::cash_by_month(&books);
                for (month, balance) in &cash {
                    assert!(
                        balance.0 >= 0 && *balance <= Thresholds::fen(t.cash_limit_yuan),
                        "{seed} {month} {balance}"
                    );
                }
                let payments = money::payments(&books);
                assert!(money::cash_payments(village, &payments, &t).is_empty(), "seed {seed}");
                assert!(money::split_payments(village, &payments, &t).is_empty(), "seed {seed}");
                let large = Thresholds::fen(t.large_payment_yuan);
                assert!(payments.iter().filter(|p| p.amount > large).all(|p| p.summary == PAY_SUMMARY), "seed {seed}");
                let covered: usize = budget_payments(&books).values().map(Vec::len).sum();
                assert_eq!(covered, payments.iter().filter(|p| p.summary == PAY_SUMMARY).count());
            }
        }
    }
}

#[cfg(test)]
mod scale_tests {
    use super::*;

    /// Receipts a village's year produces when each payment carries its attached documents.
    fn receipts_in_a_year(busy: u64, seed: u64) -> u64 {
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let until = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let books = village_books(&mut Rng::new(seed), (start, until), 1.0, busy, &[], true, &[]);
        books
            .iter()
            .filter(|l| l.debit.0 > 0 && !l.account_code.starts_with("10") && l.account_code != "301")
            .map(|l| u64::from(l.attachments.max(1)))
            .sum()
    }

    #[test]
    fn full_scale_produces_the_real_countys_receipts() {
        let sample: u64 = (0..20).map(|s| receipts_in_a_year(FULL_BUSY, s)).sum();
        let county = sample * 229 / 20;
        assert!((150_000..250_000).contains(&county), "{county} receipts a year at full scale");
        let default: u64 = (0..20).map(|s| receipts_in_a_year(1, s)).sum::<u64>() * 229 / 20;
        assert!(default < 40_000, "{default}");
    }
}
