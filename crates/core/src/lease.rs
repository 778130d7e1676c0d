//! Leases of collective assets (产权出租): the contract register, when rent falls due, which
//! contracts run out soon (they must be re-tendered, not quietly renewed), and each contract's
//! rent position against the books (due, received, in arrears).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::accounts::Charts;
use crate::ledger::LedgerEntry;
use crate::{Fen, RegionCode};

/// How often rent is paid, in advance at the start of each period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
    /// The whole term's rent at the start.
    Once,
}

impl Schedule {
    /// As registers write it: 月付, 季付, 半年付, 年付, 一次性.
    pub fn parse(text: &str) -> Option<Self> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        match t.as_str() {
            "月付" | "按月" | "每月" | "monthly" => Some(Self::Monthly),
            "季付" | "按季" | "每季" | "quarterly" => Some(Self::Quarterly),
            "半年付" | "按半年" | "每半年" | "half_yearly" => Some(Self::HalfYearly),
            "年付" | "按年" | "每年" | "yearly" | "" => Some(Self::Yearly),
            "一次性" | "一次付清" | "一次性付清" | "once" => Some(Self::Once),
            _ => None,
        }
    }

    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Self::Monthly, false) => "月付",
            (Self::Quarterly, false) => "季付",
            (Self::HalfYearly, false) => "半年付",
            (Self::Yearly, false) => "年付",
            (Self::Once, false) => "一次性",
            (Self::Monthly, true) => "Monthly",
            (Self::Quarterly, true) => "Quarterly",
            (Self::HalfYearly, true) => "Half-yearly",
            (Self::Yearly, true) => "Yearly",
            (Self::Once, true) => "Once",
        }
    }

    fn months(self) -> Option<u32> {
        match self {
            Self::Monthly => Some(1),
            Self::Quarterly => Some(3),
            Self::HalfYearly => Some(6),
            Self::Yearly => Some(12),
            Self::Once => None,
        }
    }
}

/// One lease contract of a village's register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub contract_no: String,
    pub village: RegionCode,
    pub asset: String,
    pub asset_type: String,
    pub location: String,
    /// As published: a person masked (张*明), an organisation in full.
    pub lessee: String,
    pub lessee_is_person: bool,
    /// Decimal text, with its unit ("m2" or "mu").
    pub area: String,
    pub area_unit: String,
    pub annual_rent: Fen,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub schedule: Schedule,
}

/// Where a contract stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    NotStarted,
    Running,
    /// Ends within the warning window.
    ExpiringSoon,
    Expired,
}

/// Contracts ending within this many days are flagged.
pub const EXPIRY_WARNING_DAYS: u64 = 90;

impl Lease {
    pub fn standing(&self, today: NaiveDate) -> Standing {
        if today < self.start {
            Standing::NotStarted
        } else if today > self.end {
            Standing::Expired
        } else if self.end <= today + chrono::Days::new(EXPIRY_WARNING_DAYS) {
            Standing::ExpiringSoon
        } else {
            Standing::Running
        }
    }

    /// Whole months of the term (a term from 1 Jan to 31 Dec is 12).
    pub fn term_months(&self) -> u32 {
        let next = self.end.succ_opt().unwrap_or(self.end);
        let months = (next.year() - self.start.year()) * 12 + next.month() as i32 - self.start.month() as i32;
        months.max(1) as u32
    }

    /// Rent for `months` months at the annual rate, rounded to the fen.
    fn rent_for(&self, months: u32) -> Fen {
        Fen((i128::from(self.annual_rent.0) * i128::from(months) / 12) as i64)
    }

    /// The instalments of the term: due date and amount.
    pub fn instalments(&self) -> Vec<(NaiveDate, Fen)> {
        let total = self.term_months();
        let Some(step) = self.schedule.months() else { return vec![(self.start, self.rent_for(total))] };
        let mut out = vec![];
        let mut done = 0;
        while done < total {
            let months = step.min(total - done);
            let due = self.start.checked_add_months(Months::new(done)).unwrap_or(self.end);
            out.push((due, self.rent_for(months)));
            done += months;
        }
        out
    }

    /// Rent fallen due on or before `day`.
    pub fn due_by(&self, day: NaiveDate) -> Fen {
        self.due_between(NaiveDate::MIN, day)
    }

    /// Rent falling due within `[from, to]`: what books covering those days should show.
    pub fn due_between(&self, from: NaiveDate, to: NaiveDate) -> Fen {
        self.instalments().into_iter().filter(|(due, _)| from <= *due && *due <= to).map(|(_, amount)| amount).sum()
    }
}

/// Rent against the books up to a day, over the days the books cover: from the later of the
/// contract's start and the first entry imported. What fell due is set against what the
/// ledger shows received: the credit amounts of lines booked to a rent income account
/// ([`Account::is_rent_income`](crate::accounts::Account::is_rent_income)) whose summary (摘要)
/// names the contract number as a whole token ([`names_contract`]). The cash or bank side of
/// the voucher, a refund paid out, a deposit and any other account never count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RentPosition {
    pub from: NaiveDate,
    pub due: Fen,
    pub received: Fen,
}

impl RentPosition {
    /// Rent in arrears: what fell due and was not received, never below zero.
    pub fn owed(&self) -> Fen {
        Fen((self.due.0 - self.received.0).max(0))
    }
}

/// Characters that continue a contract number: "HT-1" is not named by "HT-12", "HT-1-2" or
/// "XHT-1", but is by "收HT-1租金" and "（合同HT-1）".
fn continues_number(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '－' | '—') || c.is_numeric()
}

/// Whether `summary` names `contract_no` as a whole token: an occurrence not preceded nor
/// followed by a character that could continue a contract number (letters, digits, `-`, `_`, `/`).
pub fn names_contract(summary: &str, contract_no: &str) -> bool {
    if contract_no.is_empty() {
        return false;
    }
    summary.match_indices(contract_no).any(|(at, _)| {
        let before = summary[..at].chars().next_back();
        let after = summary[at + contract_no.len()..].chars().next();
        !before.is_some_and(continues_number) && !after.is_some_and(continues_number)
    })
}

/// Whether a book line is rent received for `lease`: booked to a rent income account of the
/// chart in force on its date, naming the contract as a whole token, on the credit side.
pub fn is_rent_line(lease: &Lease, entry: &LedgerEntry, charts: &Charts) -> bool {
    entry.credit.0 != 0
        && charts.is_rent_income(&entry.account_code, entry.date)
        && names_contract(&entry.summary, &lease.contract_no)
}

/// Rent the books show received for `lease` within `[from, to]`: the credit amounts of its
/// rent lines ([`is_rent_line`]).
pub fn received_between(
    lease: &Lease,
    entries: &[LedgerEntry],
    charts: &Charts,
    from: NaiveDate,
    to: NaiveDate,
) -> Fen {
    entries.iter().filter(|e| e.date >= from && e.date <= to && is_rent_line(lease, e, charts)).map(|e| e.credit).sum()
}

/// The rent position on `day` of each lease, from one read of the village's books (`entries`,
/// those up to `day`) and the charts they are booked in. No books at all: `None` for every lease.
pub fn rent_positions<'a>(
    leases: impl IntoIterator<Item = &'a Lease>,
    entries: &[LedgerEntry],
    charts: &Charts,
    day: NaiveDate,
) -> Vec<Option<RentPosition>> {
    let books_from = entries.iter().map(|e| e.date).min();
    leases
        .into_iter()
        .map(|l| {
            let from = l.start.max(books_from?);
            Some(RentPosition {
                from,
                due: l.due_between(from, day),
                received: received_between(l, entries, charts, from, day),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn lease(start: &str, end: &str, schedule: Schedule) -> Lease {
        Lease {
            contract_no: "HT-2024-001".into(),
            village: RegionCode::parse("339921100201").unwrap(),
            asset: "村口店面房".into(),
            asset_type: "房屋".into(),
            location: "村口 12 号".into(),
            lessee: "王*明".into(),
            lessee_is_person: true,
            area: "120".into(),
            area_unit: "m2".into(),
            annual_rent: Fen(3_600_000),
            start: date(start),
            end: date(end),
            schedule,
        }
    }

    #[test]
    fn contracts_ending_within_ninety_days_are_flagged() {
        let l = lease("2024-01-01", "2026-12-31", Schedule::Yearly);
        assert_eq!(l.standing(date("2023-12-31")), Standing::NotStarted);
        assert_eq!(l.standing(date("2026-10-01")), Standing::Running);
        assert_eq!(l.standing(date("2026-10-02")), Standing::ExpiringSoon);
        assert_eq!(l.standing(date("2026-12-31")), Standing::ExpiringSoon);
        assert_eq!(l.standing(date("2027-01-01")), Standing::Expired);
    }

    #[test]
    fn rent_falls_due_at_the_start_of_each_period() {
        let l = lease("2024-01-01", "2026-12-31", Schedule::HalfYearly);
        assert_eq!(l.term_months(), 36);
        assert_eq!(l.instalments().len(), 6);
        assert_eq!(l.due_by(date("2023-12-31")), Fen(0));
        assert_eq!(l.due_by(date("2024-01-01")), Fen(1_800_000));
        assert_eq!(l.due_by(date("2025-07-01")), Fen(7_200_000));
        assert_eq!(l.due_between(date("2024-06-01"), date("2025-07-01")), Fen(5_400_000));
        let once = lease("2024-01-01", "2026-12-31", Schedule::Once);
        assert_eq!(once.due_by(date("2024-01-01")), Fen(10_800_000));
    }

    #[test]
    fn schedules_read_as_registers_write_them() {
        assert_eq!(Schedule::parse("半年付"), Some(Schedule::HalfYearly));
        assert_eq!(Schedule::parse(" 一次性付清 "), Some(Schedule::Once));
        assert_eq!(Schedule::parse(""), Some(Schedule::Yearly));
        assert_eq!(Schedule::parse("看情况"), None);
    }

    /// The shipped charts: 2004 before 2024, 2023 from it.
    fn charts() -> Charts {
        let parse = |name, text| crate::accounts::Chart::parse(name, text).unwrap();
        Charts {
            before: parse("2004", include_str!("../../../catalog/accounts-2004.toml")),
            from: parse("2023", include_str!("../../../catalog/accounts-2023.toml")),
            switch: date("2024-01-01"),
        }
    }

    /// A credit line of 501003 租赁收入.
    fn line(date: NaiveDate, summary: &str, credit: i64) -> LedgerEntry {
        booked(date, summary, "501003", 0, credit)
    }

    fn booked(date: NaiveDate, summary: &str, account: &str, debit: i64, credit: i64) -> LedgerEntry {
        LedgerEntry {
            date,
            voucher_no: "记-001".into(),
            summary: summary.into(),
            account_code: account.into(),
            account_name: String::new(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments: 1,
            row: 0,
        }
    }

    #[test]
    fn rent_is_set_against_the_lines_naming_the_contract() {
        let l = lease("2024-01-01", "2026-12-31", Schedule::HalfYearly);
        let books = [
            line(date("2024-03-01"), "期初余额", 99_999),
            line(date("2024-07-02"), "收HT-2024-001上半年租金", 1_000_000),
            line(date("2024-07-03"), "收HT-2024-002租金", 1_800_000),
            line(date("2025-02-01"), "收HT-2024-001租金", 800_000),
        ];
        let day = date("2025-01-31");
        let p = rent_positions([&l], &books, &charts(), day)[0].unwrap();
        // The books start in March: January's instalment is before them.
        assert_eq!(p, RentPosition { from: date("2024-03-01"), due: Fen(3_600_000), received: Fen(1_000_000) });
        assert_eq!(p.owed(), Fen(2_600_000));
        assert_eq!(rent_positions([&l, &l], &[], &charts(), day), vec![None, None], "no books, no position");
    }

    #[test]
    fn a_contract_number_is_named_only_as_a_whole_token() {
        for named in ["收HT-1租金", "HT-1", "（合同HT-1）", "合同 HT-1 上半年", "HT-12，HT-1", "收HT-1。"]
        {
            assert!(names_contract(named, "HT-1"), "{named}");
        }
        for other in ["收HT-12租金", "HT-10", "HT-1-2", "XHT-1", "HT-1a", "ht-1", "HT-1/2", "HT-１", ""] {
            assert!(!names_contract(other, "HT-1"), "{other}");
        }
        assert!(!names_contract("收租金", ""), "an empty contract number names nothing");
        assert!(names_contract("收租字第3号租金", "租字第3号"));
        assert!(!names_contract("收租字第13号租金", "3号"));
    }

    #[test]
    fn rent_is_taken_from_rent_credit_lines_naming_the_contract_only() {
        let mut l = lease("2024-01-01", "2024-12-31", Schedule::Yearly);
        l.contract_no = "HT-1".into();
        let day = date("2024-12-31");
        let on = date("2024-02-01");
        let books = [
            // Rent of HT-12 is not rent of HT-1.
            line(on, "收HT-12租金", 500_000),
            // The bank side of HT-1's rent voucher (a debit), and its rent line.
            booked(on, "收HT-1租金", "102", 300_000, 0),
            line(on, "收HT-1租金", 300_000),
            // A deposit received (a payable) and refunded (the bank's credit side) are not rent.
            booked(on, "收HT-1押金", "202", 0, 100_000),
            booked(on, "退HT-1押金", "102", 0, 100_000),
            // A rent refund: the debit of the rent account, never rent received.
            booked(on, "退HT-1多收租金", "501003", 20_000, 0),
            // Rent booked to another income account does not count either.
            booked(on, "HT-1 其他收入", "522", 0, 7_000),
        ];
        let p = rent_positions([&l], &books, &charts(), day)[0].unwrap();
        assert_eq!(p.received, Fen(300_000));
        // 发包收入 under the 2004 chart is rent; 511 under the 2023 chart (投资收益) is not.
        let old = [
            booked(date("2023-12-01"), "收HT-1承包金", "511001", 0, 40_000),
            booked(date("2024-03-01"), "收HT-1投资分红", "511", 0, 9_000),
        ];
        let mut l = lease("2023-01-01", "2024-12-31", Schedule::Yearly);
        l.contract_no = "HT-1".into();
        assert_eq!(received_between(&l, &old, &charts(), date("2023-01-01"), day), Fen(40_000));
    }

    /// A lease starting on one of the first 730 days of 2024, for 1 to 60 months.
    fn any_lease() -> impl Strategy<Value = Lease> {
        (0u64..730, 1u32..=60, 0i64..10_000_000, 0usize..5).prop_map(|(start, months, rent, s)| {
            let schedule =
                [Schedule::Monthly, Schedule::Quarterly, Schedule::HalfYearly, Schedule::Yearly, Schedule::Once][s];
            let mut l = lease("2024-01-01", "2024-01-01", schedule);
            l.start = l.start + chrono::Days::new(start);
            l.end = l.start.checked_add_months(Months::new(months)).unwrap().pred_opt().unwrap();
            l.annual_rent = Fen(rent);
            l
        })
    }

    /// Whose a generated line is: the lease's own contract (HT-2024-001), another contract of
    /// the village whose number contains or extends it, or none.
    const SUMMARIES: [&str; 10] = [
        "收HT-2024-001租金",
        "收HT-2024-002租金",
        "收HT-2024-0011租金",
        "收HT-2024-001-2租金",
        "收XHT-2024-001租金",
        "HT-2024-0010 租金",
        "收HT-2024-001A租金",
        "收HT-2024-00租金",
        "收HT-2024-001/3租金",
        "收村集体补助",
    ];
    /// Accounts a generated line is booked to: only the first two (租赁收入, 2004 承包金) can be
    /// rent, the second before 2024 only.
    const ACCOUNTS: [&str; 6] = ["501003", "511001", "102", "202", "522", "501001"];

    /// Book lines from mid-2023 to 2029, with what they are: (line, own contract, rent account).
    fn any_lines() -> impl Strategy<Value = Vec<(LedgerEntry, bool, bool)>> {
        let line =
            (0u64..2_200, 0usize..SUMMARIES.len(), 0usize..ACCOUNTS.len(), -100_000i64..2_000_000, any::<bool>());
        prop::collection::vec(line, 0..40).prop_map(|lines| {
            lines
                .into_iter()
                .map(|(day, whose, account, amount, credit)| {
                    let on = date("2023-06-01") + chrono::Days::new(day);
                    let (debit, credit) = if credit { (0, amount) } else { (amount, 0) };
                    let rent_account = account == 0 || (account == 1 && on < date("2024-01-01"));
                    (booked(on, SUMMARIES[whose], ACCOUNTS[account], debit, credit), whose == 0, rent_account)
                })
                .collect()
        })
    }

    fn any_books() -> impl Strategy<Value = Vec<LedgerEntry>> {
        any_lines().prop_map(|lines| lines.into_iter().map(|(l, _, _)| l).collect())
    }

    proptest! {
        /// What is received is exactly the credit of the lines of the contract's own number
        /// booked to a rent account within the window: other contracts (even ones whose number
        /// contains or extends it), other accounts and debit lines never count; without them
        /// (the books still starting on the same day) every position is the same.
        #[test]
        fn received_counts_only_the_contracts_own_rent_credits(l in any_lease(), lines in any_lines(), day in 0u64..2_500) {
            let day = date("2023-06-01") + chrono::Days::new(day);
            let books: Vec<LedgerEntry> = lines.iter().map(|(e, _, _)| e.clone()).collect();
            let position = rent_positions([&l], &books, &charts(), day)[0];
            let mut alone: Vec<LedgerEntry> =
                lines.iter().filter(|(_, own, rent)| *own && *rent).map(|(e, _, _)| e.clone()).collect();
            if let Some(first) = books.iter().map(|e| e.date).min() {
                alone.push(booked(first, "期初余额", "102", 12_345, 0));
            }
            prop_assert_eq!(position, rent_positions([&l], &alone, &charts(), day)[0]);
            if let Some(p) = position {
                let own: i64 = lines
                    .iter()
                    .filter(|(e, own, rent)| *own && *rent && p.from <= e.date && e.date <= day)
                    .map(|(e, _, _)| e.credit.0)
                    .sum();
                prop_assert_eq!(p.received, Fen(own));
            }
        }

        /// Arrears are what fell due less what came in, never below zero.
        #[test]
        fn arrears_are_due_less_received_at_least_zero(l in any_lease(), books in any_books(), day in 0u64..2_500) {
            let day = date("2023-06-01") + chrono::Days::new(day);
            if let Some(p) = rent_positions([&l], &books, &charts(), day)[0] {
                prop_assert_eq!(p.owed(), Fen((p.due.0 - p.received.0).max(0)));
                prop_assert!(p.owed().0 >= 0);
                if p.received.0 >= 0 {
                    prop_assert!(p.owed() <= p.due);
                }
            }
        }

        /// Over the same books, a later day never has less rent due.
        #[test]
        fn due_grows_with_the_day(l in any_lease(), books in any_books(), a in 0u64..2_500, b in 0u64..2_500) {
            let (early, late) = (a.min(b), a.max(b));
            let day = |d: u64| date("2023-06-01") + chrono::Days::new(d);
            let on = |d: u64| rent_positions([&l], &books, &charts(), day(d))[0];
            match (on(early), on(late)) {
                (Some(p), Some(q)) => {
                    prop_assert_eq!(p.from, q.from);
                    prop_assert!(p.due <= q.due, "{:?} then {:?}", p, q);
                }
                (p, q) => prop_assert!(p.is_none() && q.is_none() && books.is_empty()),
            }
            prop_assert!(l.due_by(day(early)) <= l.due_by(day(late)));
        }

        /// The instalments add up to the term's rent, each rounded down by under a fen, and
        /// what falls due over two consecutive spans is what falls due over both.
        #[test]
        fn instalments_add_up_to_the_terms_rent(l in any_lease(), split in 0u64..2_000) {
            let instalments = l.instalments();
            let total: i64 = instalments.iter().map(|(_, a)| a.0).sum();
            let exact = i128::from(l.annual_rent.0) * i128::from(l.term_months()) / 12;
            prop_assert!(i128::from(total) <= exact && exact < i128::from(total) + instalments.len() as i128);
            prop_assert_eq!(l.due_between(l.start, l.end), Fen(total));
            let mid = l.start + chrono::Days::new(split);
            let parts = l.due_between(l.start, mid).0 + l.due_between(mid.succ_opt().unwrap(), l.end).0;
            prop_assert_eq!(parts, total);
        }

        /// Whatever the schedule, the instalments add up to the term's rent.
        #[test]
        fn instalments_sum_to_the_terms_rent(years in 1u32..20, extra in 0u32..12, rent in 0i64..100_000_000, s in 0usize..5) {
            let schedule = [Schedule::Monthly, Schedule::Quarterly, Schedule::HalfYearly, Schedule::Yearly, Schedule::Once][s];
            let mut l = lease("2024-03-01", "2024-03-01", schedule);
            l.annual_rent = Fen(rent);
            l.end = l.start.checked_add_months(Months::new(12 * years + extra)).unwrap().pred_opt().unwrap();
            let months = l.term_months();
            prop_assert_eq!(months, 12 * years + extra);
            let total: i64 = l.instalments().iter().map(|(_, a)| a.0).sum();
            let exact = i128::from(rent) * i128::from(months) / 12;
            // Each instalment rounds down by under a fen.
            prop_assert!((exact - i128::from(total)) >= 0 && (exact - i128::from(total)) < i128::from(months));
            prop_assert_eq!(l.due_by(l.end), Fen(total));
        }
    }
}
