//! The facts each rule reads, gathered from the store for a set of villages, and the rules run
//! over them: bulk reads where the store has them (calendar, scans, published versions, shared
//! receipts), one read per village for its books, registers, decisions and questions.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use yangguang_core::calendar::{CellState, Window};
use yangguang_core::catalog::ReviewerRole;
use yangguang_core::warning::money::{self, Payment};
use yangguang_core::warning::publishing::{AskedQuestion, DueItem, FinanceMonth, PublishedVersion};
use yangguang_core::warning::receipts::ReceiptUse;
use yangguang_core::warning::{Finding, Thresholds, assets, publishing, receipts};
use yangguang_core::{Fen, RegionCode};
use yangguang_store::QuestionState;

use crate::i18n::Label;
use crate::{AppError, Site};

/// Months before the current one checked for spending spikes.
const SPIKE_MONTHS: u32 = 3;

fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The complete months before `today`'s, newest last.
fn recent_months(today: NaiveDate, n: u32) -> Vec<String> {
    let first = today.with_day(1).expect("valid");
    (1..=n).rev().filter_map(|k| first.checked_sub_months(Months::new(k))).map(month_key).collect()
}

/// Every finding of `villages` on `today`, with each village's thresholds from `thresholds`.
/// `peers` are the villages whose spending each village is compared with (its town's); those
/// not among `villages` have only their recent months read.
pub async fn findings(
    site: &Site,
    villages: &[RegionCode],
    today: NaiveDate,
    thresholds: &(dyn Fn(RegionCode) -> Thresholds + Sync),
) -> Result<Vec<Finding>, AppError> {
    let mut out = vec![];
    publishing_findings(site, villages, today, thresholds, &mut out).await?;

    // Bulk reads: scans per voucher, scans shared between vouchers.
    let mut scans: HashMap<RegionCode, HashMap<String, u32>> = HashMap::new();
    for (v, year, month, no, n) in site.store.voucher_scan_counts(villages).await? {
        // Keyed by the one voucher label the payments carry (`记-004`, whatever the books wrote).
        let no = yangguang_core::ledger::voucher_label(&no);
        scans.entry(v).or_default().insert(format!("{year:04}-{month:02}/{no}"), n);
    }
    let shared = if villages.len() == 1 {
        site.store.shared_receipts(Some(villages[0])).await?
    } else {
        site.store.shared_receipts(None).await?
    };
    let uses: Vec<ReceiptUse> = shared
        .into_iter()
        .map(|r| ReceiptUse {
            village: r.village,
            period: format!("{:04}-{:02}", r.year, r.month),
            number: yangguang_core::ledger::voucher_label(&r.voucher_no),
            sha256: r.sha256,
            invoice_no: None,
        })
        .collect();
    let mut uses_by_village: HashMap<RegionCode, Vec<ReceiptUse>> = HashMap::new();
    {
        let mut by_hash: HashMap<&str, Vec<&ReceiptUse>> = HashMap::new();
        for u in &uses {
            by_hash.entry(u.sha256.as_str()).or_default().push(u);
        }
        for list in by_hash.values() {
            let mut here: Vec<RegionCode> = list.iter().map(|u| u.village).collect();
            here.sort();
            here.dedup();
            for v in here {
                uses_by_village.entry(v).or_default().extend(list.iter().map(|u| (*u).clone()));
            }
        }
    }

    // Per village: books, registers, decisions.
    let spike_months = recent_months(today, SPIKE_MONTHS);
    let mut spending: HashMap<RegionCode, BTreeMap<String, Fen>> = HashMap::new();
    for v in villages {
        let t = thresholds(*v);
        // Not `NaiveDate::MIN`: PostgreSQL refuses dates before 4713 BC ("date out of range").
        let all_books = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
        let entries = site.store.ledger_entries(*v, all_books, today).await?;
        let payments = money::payments(&entries);
        out.extend(money::cash_on_hand(*v, &money::cash_by_month(&entries), &t));
        out.extend(money::cash_payments(*v, &payments, &t));
        out.extend(money::split_payments(*v, &payments, &t));
        out.extend(receipts::missing_receipts(*v, &payments, scans.get(v).unwrap_or(&HashMap::new())));
        if let Some(u) = uses_by_village.get(v) {
            out.extend(receipts::duplicate_receipts(*v, u));
        }
        out.extend(decision_findings(site, *v, &payments, &t).await?);

        let leases = crate::leases::village_leases(site, *v).await?;
        let listings = crate::trading::village_listings(site, *v).await?;
        out.extend(assets::lease_untraded(*v, &leases, &listings, &t));
        out.extend(assets::deals(*v, &listings, &leases));
        out.extend(assets::rent_after_end(*v, &leases, &entries));
        let as_of = today - chrono::Days::new(t.arrears_grace_days.max(0) as u64);
        let positions = arrears_positions(&leases, &entries, &site.charts, as_of, today);
        out.extend(assets::rent_arrears(*v, &leases, &positions, as_of));

        spending.insert(*v, money::spending_by_month(&payments));
    }

    // Spending spikes, against the village's own history and its town's other villages.
    let regions = site.regions();
    let town_of = |v: RegionCode| regions.get(v).and_then(|r| r.parent);
    let mut peers_spending: HashMap<RegionCode, BTreeMap<String, Fen>> = HashMap::new();
    let wanted: HashSet<RegionCode> = villages.iter().filter_map(|v| town_of(*v)).collect();
    if let (Some(first), Some(_)) = (spike_months.first(), spike_months.last()) {
        let from: NaiveDate = format!("{first}-01").parse().expect("a month");
        for town in &wanted {
            for peer in regions.children(*town).map(|r| r.code) {
                if let Some(s) = spending.get(&peer) {
                    peers_spending.insert(peer, s.clone());
                } else {
                    let entries = site.store.ledger_entries(peer, from, today).await?;
                    peers_spending.insert(peer, money::spending_by_month(&money::payments(&entries)));
                }
            }
        }
    }
    for v in villages {
        let Some(own) = spending.get(v) else { continue };
        let mut peers: HashMap<String, Vec<Fen>> = HashMap::new();
        if let Some(town) = town_of(*v) {
            for peer in regions.children(town).map(|r| r.code).filter(|p| p != v) {
                if let Some(s) = peers_spending.get(&peer) {
                    for m in &spike_months {
                        if let Some(f) = s.get(m) {
                            peers.entry(m.clone()).or_default().push(*f);
                        }
                    }
                }
            }
        }
        out.extend(money::spending_spikes(*v, own, &peers, &spike_months, &thresholds(*v)));
    }
    Ok(out)
}

/// Rent fallen due by `as_of` (the grace period before `today`) against rent received by
/// `today`, payments going to the oldest rent first: rent due on 20 October and paid on
/// 28 October was counted owed when the receipts were cut at the end of the grace period too.
fn arrears_positions(
    leases: &[yangguang_core::lease::Lease],
    entries: &[yangguang_core::ledger::LedgerEntry],
    charts: &yangguang_core::accounts::Charts,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Vec<Option<yangguang_core::lease::RentPosition>> {
    let before: Vec<_> = entries.iter().filter(|e| e.date <= as_of).cloned().collect();
    let due = yangguang_core::lease::rent_positions(leases, &before, charts, as_of);
    let paid = yangguang_core::lease::rent_positions(leases, entries, charts, today);
    due.into_iter()
        .zip(paid)
        .map(|(d, p)| {
            d.map(|d| yangguang_core::lease::RentPosition { received: p.map_or(d.received, |p| p.received), ..d })
        })
        .collect()
}

/// A voucher link's reference (`2026-03:记-12`, as the books wrote the number) as the key the
/// payments carry (`2026-03/记-012`, [`Payment::key`]): compared as stored, no link ever
/// matched, and every large payment was reported as having no decision.
fn payment_key(target_ref: &str) -> Option<String> {
    let (month, number) = target_ref.split_once(':')?;
    Some(format!("{month}/{}", yangguang_core::ledger::voucher_label(number)))
}

async fn decision_findings(
    site: &Site,
    village: RegionCode,
    payments: &[Payment],
    t: &Thresholds,
) -> Result<Vec<Finding>, AppError> {
    let links = site.store.village_links(village).await?;
    let linked: HashSet<String> =
        links.iter().filter(|l| l.target_kind == "voucher").filter_map(|l| payment_key(&l.target_ref)).collect();
    let mut spent: HashMap<&str, Fen> = HashMap::new();
    for l in links.iter().filter(|l| l.outgoing) {
        spent.entry(l.number.as_str()).or_default().0 += l.amount.0;
    }
    let resolved: Vec<money::Resolved> = site
        .store
        .village_decisions(village)
        .await?
        .into_iter()
        .map(|d| money::Resolved {
            spent: spent.get(d.new.number.as_str()).copied().unwrap_or_default(),
            number: d.new.number,
            subject: d.new.subject,
            amount: d.new.amount,
        })
        .collect();
    Ok(money::decisions(village, payments, &linked, &resolved, t))
}

async fn publishing_findings(
    site: &Site,
    villages: &[RegionCode],
    today: NaiveDate,
    thresholds: &(dyn Fn(RegionCode) -> Thresholds + Sync),
    out: &mut Vec<Finding>,
) -> Result<(), AppError> {
    // Overdue items and busy months from the calendar of the last twelve months.
    let cells = crate::calendar::cells(site, villages, Window::last_twelve(today), today).await?;
    let mut vouchers: HashMap<(RegionCode, String), i64> = HashMap::new();
    for m in site.store.voucher_months(villages).await? {
        vouchers.insert((m.village, format!("{:04}-{:02}", m.year, m.month)), i64::from(m.vouchers));
    }
    let mut due: HashMap<RegionCode, Vec<DueItem>> = HashMap::new();
    let mut months: HashMap<RegionCode, Vec<FinanceMonth>> = HashMap::new();
    for c in &cells {
        let (overdue, waiting) = match c.state {
            CellState::Missing { days } => (days, None),
            CellState::Waiting { overdue } if overdue > 0 => (overdue, c.evidence.map(|d| d.0)),
            _ => (0, None),
        };
        let period = c.period.to_string();
        if c.item.id == crate::finance::MONTHLY_ACCOUNTS_ITEM {
            months.entry(c.village).or_default().push(FinanceMonth {
                vouchers: vouchers.get(&(c.village, period.clone())).copied().unwrap_or(0),
                period: period.clone(),
                due: overdue > 0,
                published: matches!(c.state, CellState::OnTime | CellState::Late { .. }),
            });
        }
        if overdue > 0 {
            due.entry(c.village).or_default().push(DueItem {
                item: c.item.id.clone(),
                title: c.item.name.clone(),
                period,
                days_overdue: overdue,
                waiting,
            });
        }
    }
    // Published versions: sign-offs, corrections, withdrawals.
    let mut versions: HashMap<RegionCode, Vec<PublishedVersion>> = HashMap::new();
    for p in site.store.published_facts(villages).await? {
        let required = p
            .catalog_item
            .as_deref()
            .and_then(|i| site.catalog.item(i))
            .map(|i| {
                i.reviewers.iter().filter(|r| **r != ReviewerRole::TradingPlatform).map(|r| r.zh().to_owned()).collect()
            })
            .unwrap_or_default();
        versions.entry(p.village).or_default().push(PublishedVersion {
            id: p.id.0,
            title: p.title,
            // Withdrawals carry no content of their own to sign.
            required_roles: if p.withdrawal { vec![] } else { required },
            signed_roles: p
                .approved_roles
                .iter()
                .map(|r| ReviewerRole::parse(r).map_or_else(|| r.clone(), |r| r.zh().to_owned()))
                .collect(),
            replaces: p.replaces.map(|d| d.0),
            withdrawal: p.withdrawal,
            reason: p.reason,
        });
    }
    for v in villages {
        let t = thresholds(*v);
        out.extend(publishing::item_overdue(*v, due.get(v).map_or(&[][..], |d| d), &t));
        out.extend(publishing::finance_missing(*v, months.get(v).map_or(&[][..], |m| m), &t));
        let vs = versions.get(v).map_or(&[][..], |x| x);
        out.extend(publishing::no_signoff(*v, vs));
        out.extend(publishing::changed_after_publication(*v, vs));
        let questions: Vec<AskedQuestion> = site
            .store
            .village_questions(*v, &[QuestionState::Open, QuestionState::Held])
            .await?
            .into_iter()
            .map(|q| AskedQuestion {
                id: q.id,
                title: q.new.target_title.clone(),
                deadline: yangguang_core::time::china_date(q.new.deadline_at),
                answered: q.reply.is_some(),
            })
            .collect();
        out.extend(publishing::question_overdue(*v, &questions, today, &t));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rent due on 20 October and received on 28 October is not in arrears on 24 November
    /// (grace ends 25 October); rent never received is.
    #[test]
    fn rent_received_after_the_grace_day_is_not_arrears() {
        use yangguang_core::lease::{Lease, Schedule};
        use yangguang_core::ledger::LedgerEntry;
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let lease = Lease {
            contract_no: "HT-1".into(),
            village: "339921100201".parse().unwrap(),
            asset: "村口店面房".into(),
            asset_type: "店面房".into(),
            location: String::new(),
            lessee: "王*明".into(),
            lessee_is_person: true,
            area: "100".into(),
            area_unit: "m2".into(),
            annual_rent: Fen(3_600_000),
            start: day("2025-10-20"),
            end: day("2028-10-19"),
            schedule: Schedule::Yearly,
        };
        let line = |date: &str, account: &str, debit: i64, credit: i64| LedgerEntry {
            date: day(date),
            voucher_no: "记-001".into(),
            summary: "收村口店面房租金（合同HT-1）".into(),
            account_code: account.into(),
            account_name: String::new(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments: 1,
            row: 0,
        };
        // The books open before the contract starts, so both years' rent is theirs to show.
        let mut books = vec![
            line("2025-10-01", "301", 0, 0),
            line("2025-10-22", "102", 3_600_000, 0),
            line("2025-10-22", "501003", 0, 3_600_000),
        ];
        let charts = crate::catalog_files::default_charts();
        let charts = yangguang_core::accounts::Charts { before: charts.0, from: charts.1, switch: day("2024-01-01") };
        let (as_of, today) = (day("2026-10-25"), day("2026-11-24"));
        let owed = |books: &[LedgerEntry]| {
            arrears_positions(std::slice::from_ref(&lease), books, &charts, as_of, today)[0].unwrap().owed()
        };
        assert_eq!(owed(&books), Fen(3_600_000), "the second year's rent was never received");
        books.push(line("2026-10-28", "102", 3_600_000, 0));
        books.push(line("2026-10-28", "501003", 0, 3_600_000));
        assert_eq!(owed(&books), Fen(0), "received three days after the grace day");
    }

    #[test]
    fn a_voucher_link_names_the_payment_it_covers() {
        assert_eq!(payment_key("2026-03:记-12").as_deref(), Some("2026-03/记-012"));
        assert_eq!(payment_key("2026-03:记-012").as_deref(), Some("2026-03/记-012"));
        assert_eq!(payment_key("nonsense"), None);
    }
}
