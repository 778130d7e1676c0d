//! Money rules: cash on hand negative or over the limit, cash payments over the threshold,
//! split payments, large payments without (or beyond) a decision, spending spikes.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::{Evidence, Finding, Rule, Severity, Thresholds, links};
use crate::ledger::LedgerEntry;
use crate::{Fen, RegionCode};

/// Cash (101 现金, 1001 库存现金) and bank (102 银行存款, 1002) accounts of both charts.
fn is_cash(code: &str) -> bool {
    code.starts_with("101") || code.starts_with("1001")
}
fn is_money(code: &str) -> bool {
    is_cash(code) || code.starts_with("102") || code.starts_with("1002")
}

/// Money leaving the village on one voucher: what its cash and bank lines pay out, net of
/// what they take in (a withdrawal from the bank into the till is no payment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// `2026-03`.
    pub period: String,
    pub number: String,
    pub date: NaiveDate,
    pub summary: String,
    pub amount: Fen,
    /// The part paid in cash.
    pub cash: Fen,
    /// Attachments the voucher declares (附单据 N 张).
    pub attachments: u32,
}

impl Payment {
    /// `2026-03/记-12`: the key decision links and receipts use.
    pub fn key(&self) -> String {
        format!("{}/{}", self.period, self.number)
    }
}

/// The payments among entry lines, by date and number.
pub fn payments(entries: &[LedgerEntry]) -> Vec<Payment> {
    let mut vouchers: BTreeMap<(i32, u32, &str), Vec<&LedgerEntry>> = BTreeMap::new();
    for e in entries {
        vouchers.entry((e.date.year(), e.date.month(), e.voucher_no.as_str())).or_default().push(e);
    }
    let mut out: Vec<Payment> = vouchers
        .into_iter()
        .filter_map(|((year, month, number), lines)| {
            let out_money: i64 =
                lines.iter().filter(|l| is_money(&l.account_code)).map(|l| l.credit.0 - l.debit.0).sum();
            if out_money <= 0 {
                return None;
            }
            let cash: i64 = lines.iter().filter(|l| is_cash(&l.account_code)).map(|l| l.credit.0 - l.debit.0).sum();
            Some(Payment {
                period: format!("{year:04}-{month:02}"),
                number: number.to_owned(),
                date: lines.iter().map(|l| l.date).min().expect("a voucher has lines"),
                summary: lines[0].summary.clone(),
                amount: Fen(out_money),
                cash: Fen(cash.clamp(0, out_money)),
                attachments: lines.iter().map(|l| l.attachments).sum(),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
    out
}

fn voucher_evidence(village: RegionCode, p: &Payment) -> Evidence {
    Evidence::new(format!("凭证 {} {}", p.period, p.number), links::voucher(village, &p.period, &p.number))
}

/// Cash on hand at each month's end, from every cash line (the books from their opening).
pub fn cash_by_month(entries: &[LedgerEntry]) -> BTreeMap<String, Fen> {
    let mut moves: BTreeMap<String, i64> = BTreeMap::new();
    for e in entries.iter().filter(|e| is_cash(&e.account_code)) {
        *moves.entry(format!("{:04}-{:02}", e.date.year(), e.date.month())).or_default() += e.debit.0 - e.credit.0;
    }
    let mut balance = 0;
    moves
        .into_iter()
        .map(|(m, d)| {
            balance += d;
            (m, Fen(balance))
        })
        .collect()
}

/// Cash on hand negative (red) or over the limit (yellow) at the end of the latest month,
/// counting the months it has been so.
pub fn cash_on_hand(village: RegionCode, balances: &BTreeMap<String, Fen>, t: &Thresholds) -> Vec<Finding> {
    let Some((last, balance)) = balances.iter().next_back() else { return vec![] };
    let limit = Thresholds::fen(t.cash_limit_yuan);
    let (rule, months, severity, what) = if balance.0 < 0 {
        (Rule::CashNegative, balances.values().filter(|b| b.0 < 0).count(), Severity::Red, "为负")
    } else if *balance > limit {
        (Rule::CashOverLimit, balances.values().filter(|b| **b > limit).count(), Severity::Yellow, "超过限额")
    } else {
        return vec![];
    };
    vec![Finding {
        village,
        rule,
        subject: "cash".into(),
        severity,
        message: format!(
            "{last} 月末库存现金 {balance} 元{what}（限额 {limit} 元）；{} 个月中有 {months} 个月如此",
            balances.len()
        ),
        evidence: vec![Evidence::new(format!("{last} 账目"), links::finance(village, last))],
    }]
}

/// Payments in cash above `cash_payment_yuan`: yellow, red above the approval threshold.
pub fn cash_payments(village: RegionCode, payments: &[Payment], t: &Thresholds) -> Vec<Finding> {
    let limit = Thresholds::fen(t.cash_payment_yuan);
    payments
        .iter()
        .filter(|p| p.cash > limit)
        .map(|p| Finding {
            village,
            rule: Rule::CashPayment,
            subject: p.key(),
            severity: if p.cash >= Thresholds::fen(t.approval_yuan) { Severity::Red } else { Severity::Yellow },
            message: format!("{} {}「{}」现金支付 {} 元，超过 {limit} 元", p.date, p.number, p.summary, p.cash),
            evidence: vec![voucher_evidence(village, p)],
        })
        .collect()
}

/// Several payments to one payee (the voucher's summary names the payee or the project)
/// within `split_days`, each under the approval threshold and at least its
/// `split_min_share_percent`, together at or over it. One finding per run of such payments,
/// keyed by its first voucher.
pub fn split_payments(village: RegionCode, payments: &[Payment], t: &Thresholds) -> Vec<Finding> {
    let approval = Thresholds::fen(t.approval_yuan);
    let floor = Fen(approval.0 * t.split_min_share_percent / 100);
    let mut by_payee: HashMap<&str, Vec<&Payment>> = HashMap::new();
    for p in payments.iter().filter(|p| p.amount < approval && p.amount >= floor) {
        by_payee.entry(p.summary.trim()).or_default().push(p);
    }
    let mut out = vec![];
    for (payee, mut list) in by_payee {
        list.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
        let mut start = 0;
        while start < list.len() {
            // The longest run from `start` whose span stays within the window.
            let mut end = start;
            while end + 1 < list.len() && (list[end + 1].date - list[start].date).num_days() <= t.split_days {
                end += 1;
            }
            let run = &list[start..=end];
            let total: Fen = run.iter().map(|p| p.amount).sum();
            if run.len() >= 2 && total >= approval {
                let days = (run[run.len() - 1].date - run[0].date).num_days();
                out.push(Finding {
                    village,
                    rule: Rule::SplitPayment,
                    subject: format!("{payee}@{}", run[0].key()),
                    severity: Severity::Red,
                    message: format!(
                        "「{payee}」{days} 天内分 {} 笔支付共 {total} 元，每笔均低于审批金额 {approval} 元",
                        run.len()
                    ),
                    evidence: run.iter().map(|p| voucher_evidence(village, p)).collect(),
                });
                start = end + 1;
            } else {
                start += 1;
            }
        }
    }
    out.sort_by(|a, b| a.subject.cmp(&b.subject));
    out
}

/// A decision record with the amount it resolved and the payments linked to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub number: String,
    pub subject: String,
    pub amount: Option<Fen>,
    /// Outgoing money linked to the decision.
    pub spent: Fen,
}

/// Payments above `large_payment_yuan` that no decision record authorises (`linked` holds the
/// keys of vouchers linked to a decision); and decisions whose linked payments exceed the
/// amount resolved.
pub fn decisions(
    village: RegionCode,
    payments: &[Payment],
    linked: &std::collections::HashSet<String>,
    resolved: &[Resolved],
    t: &Thresholds,
) -> Vec<Finding> {
    let large = Thresholds::fen(t.large_payment_yuan);
    let mut out: Vec<Finding> = payments
        .iter()
        .filter(|p| p.amount > large && !linked.contains(&p.key()))
        .map(|p| Finding {
            village,
            rule: Rule::NoDecision,
            subject: p.key(),
            severity: Severity::Red,
            message: format!(
                "{} {}「{}」支出 {} 元，超过 {large} 元，无决策记录",
                p.date, p.number, p.summary, p.amount
            ),
            evidence: vec![voucher_evidence(village, p), Evidence::new("决策记录", format!("/v/{village}/decisions"))],
        })
        .collect();
    for d in resolved {
        let Some(amount) = d.amount else { continue };
        if d.spent > amount {
            out.push(Finding {
                village,
                rule: Rule::OverResolved,
                subject: d.number.clone(),
                severity: Severity::Red,
                message: format!("决策「{}」决议金额 {amount} 元，已支出 {} 元", d.subject, d.spent),
                evidence: vec![Evidence::new(format!("决策 {}", d.number), links::decision(village, &d.number))],
            });
        }
    }
    out
}

/// Total payments per month (`2026-03`).
pub fn spending_by_month(payments: &[Payment]) -> BTreeMap<String, Fen> {
    let mut out: BTreeMap<String, Fen> = BTreeMap::new();
    for p in payments {
        out.entry(p.period.clone()).or_default().0 += p.amount.0;
    }
    out
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}

/// A month's spending above `spike_percent` of both the median of the village's own previous
/// 12 months and the median of its peers' (the other villages of its town) that month, and
/// above `spike_min_yuan`. Months in `months` are checked (the last few, as the app chooses).
pub fn spending_spikes(
    village: RegionCode,
    own: &BTreeMap<String, Fen>,
    peers: &HashMap<String, Vec<Fen>>,
    months: &[String],
    t: &Thresholds,
) -> Vec<Finding> {
    let floor = Thresholds::fen(t.spike_min_yuan);
    let mut out = vec![];
    for m in months {
        let Some(spent) = own.get(m).copied() else { continue };
        if spent <= floor {
            continue;
        }
        let history: Vec<i64> = own.range(..m.clone()).rev().take(12).map(|(_, f)| f.0).collect();
        if history.len() < 3 {
            continue;
        }
        let Some(own_median) = median(history) else { continue };
        let peer_median = peers.get(m).and_then(|p| median(p.iter().map(|f| f.0).collect()));
        let above = |base: i64| spent.0 * 100 > base * t.spike_percent;
        if above(own_median) && peer_median.is_none_or(above) {
            out.push(Finding {
                village,
                rule: Rule::SpendingSpike,
                subject: m.clone(),
                severity: Severity::Yellow,
                message: format!(
                    "{m} 支出 {spent} 元，本村前 12 个月中位数 {} 元{}",
                    Fen(own_median),
                    peer_median.map(|p| format!("，同镇各村中位数 {} 元", Fen(p))).unwrap_or_default()
                ),
                evidence: vec![Evidence::new(format!("{m} 账目"), links::finance(village, m))],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
