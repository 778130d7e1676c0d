use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

fn village() -> RegionCode {
    "339921100201".parse().unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(u64::from(d))
}

fn line(
    date: NaiveDate,
    no: &str,
    summary: &str,
    code: &str,
    debit: i64,
    credit: i64,
    attachments: u32,
) -> LedgerEntry {
    LedgerEntry {
        date,
        voucher_no: no.into(),
        summary: summary.into(),
        account_code: code.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments,
        row: 0,
    }
}

/// A payment of `yuan` from `from` (101 cash or 102 bank) to an expense account.
fn pay(date: NaiveDate, no: &str, summary: &str, from: &str, yuan: i64) -> Vec<LedgerEntry> {
    vec![line(date, no, summary, "541", yuan * 100, 0, 1), line(date, no, summary, from, 0, yuan * 100, 0)]
}

#[test]
fn payments_net_out_transfers_between_till_and_bank() {
    let mut entries = pay(day(0), "记-1", "村道修补", "102", 30_000);
    entries.push(line(day(1), "记-2", "从银行提取备用金", "101", 200_000, 0, 0));
    entries.push(line(day(1), "记-2", "从银行提取备用金", "102", 0, 200_000, 0));
    let p = payments(&entries);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].key(), p[0].amount, p[0].cash), ("2026-03/记-1".to_string(), Fen(3_000_000), Fen(0)));
}

#[test]
fn negative_cash_fires_red_and_a_sound_till_does_not() {
    let t = Thresholds::default();
    let mut entries = vec![line(day(0), "记-1", "结转", "101", 100_000, 0, 0)];
    assert!(cash_on_hand(village(), &cash_by_month(&entries), &t).is_empty());
    entries.extend(pay(day(2), "记-2", "购买办公用品", "101", 3_000));
    let found = cash_on_hand(village(), &cash_by_month(&entries), &t);
    assert_eq!((found[0].rule, found[0].severity), (Rule::CashNegative, Severity::Red));
    assert!(found[0].message.contains("-2,000.00"), "{}", found[0].message);
}

#[test]
fn cash_over_the_limit_fires_yellow() {
    let t = Thresholds::default();
    let entries = vec![line(day(0), "记-1", "结转", "101", 900_000, 0, 0)];
    let found = cash_on_hand(village(), &cash_by_month(&entries), &t);
    assert_eq!((found[0].rule, found[0].severity), (Rule::CashOverLimit, Severity::Yellow));
}

#[test]
fn cash_payments_over_the_threshold_fire() {
    let t = Thresholds::default();
    let mut entries = pay(day(0), "记-1", "购买水泥", "101", 3_000);
    entries.extend(pay(day(0), "记-2", "购买茶叶", "101", 300));
    entries.extend(pay(day(0), "记-3", "村道修补", "102", 30_000));
    let found = cash_payments(village(), &payments(&entries), &t);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject, "2026-03/记-1");
}

#[test]
fn split_payments_fire_on_parts_under_the_threshold_adding_over_it() {
    let t = Thresholds::default();
    let mut entries = pay(day(0), "记-1", "路灯维修", "102", 6_000);
    entries.extend(pay(day(4), "记-2", "路灯维修", "102", 5_500));
    entries.extend(pay(day(9), "记-3", "村道修补", "102", 6_000));
    let found = split_payments(village(), &payments(&entries), &t);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject, "路灯维修@2026-03/记-1");
    assert_eq!(found[0].evidence.len(), 2);
    // The same two parts a month apart, or one of them at the threshold, are clean.
    let mut apart = pay(day(0), "记-1", "路灯维修", "102", 6_000);
    apart.extend(pay(day(30), "记-9", "路灯维修", "102", 5_500));
    assert!(split_payments(village(), &payments(&apart), &t).is_empty());
    let mut approved = pay(day(0), "记-1", "路灯维修", "102", 10_000);
    approved.extend(pay(day(1), "记-2", "路灯维修", "102", 5_500));
    assert!(split_payments(village(), &payments(&approved), &t).is_empty());
}

#[test]
fn large_payments_need_a_linked_decision_within_its_amount() {
    let t = Thresholds::default();
    let entries = pay(day(0), "记-1", "村道修补", "102", 30_000);
    let p = payments(&entries);
    let found = decisions(village(), &p, &HashSet::new(), &[], &t);
    assert_eq!((found.len(), found[0].rule), (1, Rule::NoDecision));
    let linked: HashSet<String> = [p[0].key()].into();
    let within = Resolved {
        number: "2026-3".into(),
        subject: "村道修补".into(),
        amount: Some(Fen(4_000_000)),
        spent: p[0].amount,
    };
    assert!(decisions(village(), &p, &linked, std::slice::from_ref(&within), &t).is_empty());
    let over = Resolved { amount: Some(Fen(2_000_000)), ..within };
    let found = decisions(village(), &p, &linked, &[over], &t);
    assert_eq!((found.len(), found[0].rule), (1, Rule::OverResolved));
}

#[test]
fn a_spike_against_own_history_and_peers_fires() {
    let t = Thresholds::default();
    let own: BTreeMap<String, Fen> = (1..=12)
        .map(|m| (format!("2025-{m:02}"), Fen(1_000_000)))
        .chain([("2026-01".to_string(), Fen(9_000_000))])
        .collect();
    let peers: HashMap<String, Vec<Fen>> =
        [("2026-01".to_string(), vec![Fen(1_200_000), Fen(900_000), Fen(1_100_000)])].into();
    let months = vec!["2026-01".to_string()];
    assert_eq!(spending_spikes(village(), &own, &peers, &months, &t).len(), 1);
    // Every village of the town spent as much that month: no spike.
    let busy: HashMap<String, Vec<Fen>> = [("2026-01".to_string(), vec![Fen(8_000_000), Fen(9_500_000)])].into();
    assert!(spending_spikes(village(), &own, &busy, &months, &t).is_empty());
    // An ordinary month is no spike either.
    let mut calm = own.clone();
    calm.insert("2026-01".into(), Fen(1_100_000));
    assert!(spending_spikes(village(), &calm, &peers, &months, &t).is_empty());
}

proptest! {
    /// Whatever the payments, every split finding's parts are each under the threshold (and at
    /// least its minimum share), to one payee, within the window, and together at or over it.
    #[test]
    fn split_findings_hold_their_arithmetic(
        parts in proptest::collection::vec((0u32..60, 0usize..3, 100i64..20_000), 0..40),
        approval in 1_000i64..20_000,
        window in 1i64..20,
    ) {
        let t = Thresholds { approval_yuan: approval, split_days: window, ..Thresholds::default() };
        let payees = ["甲工程队", "乙商店", "丙公司"];
        let mut entries = vec![];
        for (i, (d, who, yuan)) in parts.iter().enumerate() {
            entries.extend(pay(day(*d), &format!("记-{}", i + 1), payees[*who], "102", *yuan));
        }
        let p = payments(&entries);
        let by_key: HashMap<String, &Payment> = p.iter().map(|x| (format!("凭证 {} {}", x.period, x.number), x)).collect();
        let found = split_payments(village(), &p, &t);
        for f in &found {
            let run: Vec<&Payment> = f.evidence.iter().map(|e| by_key[&e.label]).collect();
            prop_assert!(run.len() >= 2);
            let total: i64 = run.iter().map(|x| x.amount.0).sum();
            prop_assert!(total >= approval * 100);
            for x in &run {
                prop_assert!(x.amount.0 < approval * 100);
                prop_assert!(x.amount.0 * 100 >= approval * 100 * t.split_min_share_percent);
                prop_assert_eq!(&x.summary, &run[0].summary);
            }
            let span = (run.last().unwrap().date - run[0].date).num_days();
            prop_assert!(span <= window);
        }
        // And when no payee's eligible parts add up to the threshold, nothing fires.
        let mut sums: HashMap<&str, i64> = HashMap::new();
        for x in &p {
            if x.amount.0 < approval * 100 && x.amount.0 * 100 >= approval * 100 * t.split_min_share_percent {
                *sums.entry(x.summary.as_str()).or_default() += x.amount.0;
            }
        }
        if sums.values().all(|s| *s < approval * 100) {
            prop_assert!(found.is_empty());
        }
    }
}
