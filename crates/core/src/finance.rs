//! A finance statement for a period, built from the books: income and expenditure by the
//! plain-language categories villagers read, opening and closing cash and bank balances, and
//! the large items. Every line keeps the vouchers behind it, so a villager can open them.

use std::collections::BTreeMap;

use crate::accounts::{AccountKind, Charts};
use crate::ledger::{LedgerEntry, VoucherKey};
use crate::money::Fen;
use crate::period::Period;

/// Codes whose balances are the village's money: cash on hand and bank deposits.
const CASH_CODE: &str = "101";
const BANK_CODE: &str = "102";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryLine {
    pub category: String,
    pub amount: Fen,
    pub vouchers: Vec<VoucherKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargeItem {
    pub key: VoucherKey,
    pub date: chrono::NaiveDate,
    pub summary: String,
    pub category: String,
    pub amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub period: Period,
    pub income: Vec<CategoryLine>,
    pub expenditure: Vec<CategoryLine>,
    pub total_income: Fen,
    pub total_expenditure: Fen,
    pub opening_cash: Fen,
    pub closing_cash: Fen,
    pub opening_bank: Fen,
    pub closing_bank: Fen,
    pub large_items: Vec<LargeItem>,
    /// Entry lines in the period whose codes no chart knows (they cannot be categorised).
    pub uncategorised: Vec<LedgerEntry>,
}

/// Builds the statement for `period` from every entry up to its end (earlier entries give
/// the opening balances). `large_threshold`: items at or above it are highlighted.
pub fn statement(period: Period, entries: &[LedgerEntry], charts: &Charts, large_threshold: Fen) -> Statement {
    let (start, end) = (period.start(), period.end());
    let mut income: BTreeMap<String, CategoryLine> = BTreeMap::new();
    let mut expenditure: BTreeMap<String, CategoryLine> = BTreeMap::new();
    let (mut opening_cash, mut closing_cash, mut opening_bank, mut closing_bank) = (0i64, 0i64, 0i64, 0i64);
    let mut large_items = vec![];
    let mut uncategorised = vec![];
    for e in entries.iter().filter(|e| e.date <= end) {
        let net_debit = e.debit.0 - e.credit.0;
        let in_period = e.date >= start;
        if e.account_code.starts_with(CASH_CODE) {
            closing_cash += net_debit;
            if !in_period {
                opening_cash += net_debit;
            }
        } else if e.account_code.starts_with(BANK_CODE) {
            closing_bank += net_debit;
            if !in_period {
                opening_bank += net_debit;
            }
        }
        if !in_period {
            continue;
        }
        let Some(account) = charts.for_date(e.date).resolve(&e.account_code) else {
            uncategorised.push(e.clone());
            continue;
        };
        let (book, amount) = match account.kind {
            AccountKind::Income => (&mut income, -net_debit),
            AccountKind::Expense | AccountKind::Cost => (&mut expenditure, net_debit),
            _ => continue,
        };
        let line = book.entry(account.category.clone()).or_insert_with(|| CategoryLine {
            category: account.category.clone(),
            amount: Fen(0),
            vouchers: vec![],
        });
        line.amount = Fen(line.amount.0 + amount);
        let key = VoucherKey::of(e);
        if !line.vouchers.contains(&key) {
            line.vouchers.push(key.clone());
        }
        if amount.abs() >= large_threshold.0 && large_threshold.0 > 0 {
            large_items.push(LargeItem {
                key,
                date: e.date,
                summary: e.summary.clone(),
                category: account.category.clone(),
                amount: Fen(amount),
            });
        }
    }
    let sort = |book: BTreeMap<String, CategoryLine>| {
        let mut lines: Vec<CategoryLine> = book.into_values().collect();
        lines.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.category.cmp(&b.category)));
        lines
    };
    let (income, expenditure) = (sort(income), sort(expenditure));
    large_items.sort_by_key(|i| std::cmp::Reverse(i.amount));
    Statement {
        period,
        total_income: income.iter().map(|l| l.amount).sum(),
        total_expenditure: expenditure.iter().map(|l| l.amount).sum(),
        income,
        expenditure,
        opening_cash: Fen(opening_cash),
        closing_cash: Fen(closing_cash),
        opening_bank: Fen(opening_bank),
        closing_bank: Fen(closing_bank),
        large_items,
        uncategorised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Chart;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    const CHART: &str = "chart = \"2004\"\n\
        [[account]]\ncode = \"101\"\nname = \"现金\"\nkind = \"asset\"\n\
        [[account]]\ncode = \"102\"\nname = \"银行存款\"\nkind = \"asset\"\n\
        [[account]]\ncode = \"501003\"\nname = \"租赁收入\"\nkind = \"income\"\ncategory = \"租金收入\"\n\
        [[account]]\ncode = \"522\"\nname = \"补助收入\"\nkind = \"income\"\ncategory = \"上级补助\"\n\
        [[account]]\ncode = \"541001\"\nname = \"干部报酬\"\nkind = \"expense\"\ncategory = \"干部报酬\"\n\
        [[account]]\ncode = \"541003\"\nname = \"办公费\"\nkind = \"expense\"\ncategory = \"办公费用\"\n";

    fn charts() -> Charts {
        Charts::single(Chart::parse("c", CHART).unwrap())
    }

    fn e(day: (u32, u32), no: &str, code: &str, debit: i64, credit: i64) -> LedgerEntry {
        LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, day.0, day.1).unwrap(),
            voucher_no: no.into(),
            summary: format!("{no} 摘要"),
            account_code: code.into(),
            account_name: String::new(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments: 0,
            row: 0,
        }
    }

    fn books() -> Vec<LedgerEntry> {
        vec![
            // February: an opening bank balance and some cash.
            e((2, 1), "记-1", "102", 500_000, 0),
            e((2, 1), "记-1", "522", 0, 500_000),
            e((2, 3), "记-2", "101", 20_000, 0),
            e((2, 3), "记-2", "102", 0, 20_000),
            // March.
            e((3, 5), "记-1", "102", 1_200_000, 0),
            e((3, 5), "记-1", "501003", 0, 1_200_000),
            e((3, 8), "记-2", "541003", 32_050, 0),
            e((3, 8), "记-2", "101", 0, 32_050),
            e((3, 25), "记-3", "541001", 900_000, 0),
            e((3, 25), "记-3", "102", 0, 900_000),
            // April: after the period, ignored.
            e((4, 2), "记-1", "541003", 100, 0),
            e((4, 2), "记-1", "101", 0, 100),
        ]
    }

    #[test]
    fn a_month_from_its_vouchers() {
        let s = statement("2026-03".parse().unwrap(), &books(), &charts(), Fen(500_000));
        assert_eq!(s.total_income, Fen(1_200_000));
        assert_eq!(s.total_expenditure, Fen(932_050));
        assert_eq!(s.income[0].category, "租金收入");
        assert_eq!(s.expenditure.iter().map(|l| l.category.as_str()).collect::<Vec<_>>(), ["干部报酬", "办公费用"]);
        assert_eq!((s.opening_bank, s.closing_bank), (Fen(480_000), Fen(780_000)));
        assert_eq!((s.opening_cash, s.closing_cash), (Fen(20_000), Fen(-12_050)));
        assert_eq!(s.large_items.iter().map(|i| i.amount).collect::<Vec<_>>(), [Fen(1_200_000), Fen(900_000)]);
        assert_eq!(s.expenditure[1].vouchers[0].number, "记-2");
    }

    proptest! {
        /// Totals equal the vouchers: income is what income accounts were credited, spending
        /// what expense accounts were debited, whatever the amounts.
        #[test]
        fn totals_equal_the_vouchers(amounts in proptest::collection::vec(1i64..10_000_000, 1..30)) {
            let mut entries = vec![];
            for (i, a) in amounts.iter().enumerate() {
                let no = format!("记-{i}");
                if i % 2 == 0 {
                    entries.push(e((3, 1 + (i % 28) as u32), &no, "102", *a, 0));
                    entries.push(e((3, 1 + (i % 28) as u32), &no, "501003", 0, *a));
                } else {
                    entries.push(e((3, 1 + (i % 28) as u32), &no, "541003", *a, 0));
                    entries.push(e((3, 1 + (i % 28) as u32), &no, "102", 0, *a));
                }
            }
            let s = statement("2026-03".parse().unwrap(), &entries, &charts(), Fen(0));
            let income: i64 = amounts.iter().step_by(2).sum();
            let spent: i64 = amounts.iter().skip(1).step_by(2).sum();
            prop_assert_eq!(s.total_income, Fen(income));
            prop_assert_eq!(s.total_expenditure, Fen(spent));
            prop_assert_eq!(s.closing_bank, Fen(income - spent));
        }
    }
}
