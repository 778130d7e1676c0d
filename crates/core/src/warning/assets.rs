//! Power over assets: leases above the must-trade threshold that never went through the
//! trading platform, deals below the reserve or the previous rent, rent received after a
//! contract ended, rent in arrears.

use chrono::NaiveDate;

use super::{Evidence, Finding, Rule, Severity, Thresholds, links};
use crate::lease::{Lease, RentPosition, names_contract};
use crate::ledger::LedgerEntry;
use crate::trading::{Listing, PriceUnit};
use crate::{Fen, RegionCode};

/// Whether a listing is the trading of a lease's asset: the listing's title names the asset
/// (or the reverse), or the deal went to the lessee.
pub fn listing_matches(lease: &Lease, listing: &Listing) -> bool {
    let asset = lease.asset.trim();
    (!asset.is_empty() && (listing.title.contains(asset) || asset.contains(listing.title.trim())))
        || listing.deal.as_ref().is_some_and(|d| !d.winner.is_empty() && d.winner == lease.lessee)
}

/// Leases whose annual rent reaches `must_trade_rent_yuan` with no matching trading listing.
pub fn lease_untraded(village: RegionCode, leases: &[Lease], listings: &[Listing], t: &Thresholds) -> Vec<Finding> {
    let limit = Thresholds::fen(t.must_trade_rent_yuan);
    leases
        .iter()
        .filter(|l| l.annual_rent >= limit && !listings.iter().any(|x| listing_matches(l, x)))
        .map(|l| Finding {
            village,
            rule: Rule::LeaseUntraded,
            subject: l.contract_no.clone(),
            severity: Severity::Red,
            message: format!(
                "合同 {}「{}」年租金 {} 元，达到进场交易标准 {limit} 元，无产权交易记录",
                l.contract_no, l.asset, l.annual_rent
            ),
            evidence: vec![
                Evidence::new(format!("合同 {}", l.contract_no), links::lease(village, &l.contract_no)),
                Evidence::new("产权交易", format!("/v/{village}/trading")),
            ],
        })
        .collect()
}

/// Deals below their reserve price (red); and yearly-priced deals below the annual rent of the
/// lease of the same asset that ended before the deal (yellow).
pub fn deals(village: RegionCode, listings: &[Listing], leases: &[Lease]) -> Vec<Finding> {
    let mut out = vec![];
    for x in listings {
        let Some(deal) = &x.deal else { continue };
        let evidence = vec![Evidence::new(format!("交易 {}", x.project_no), links::listing(village, &x.project_no))];
        if deal.price < x.reserve_price {
            out.push(Finding {
                village,
                rule: Rule::DealBelowReserve,
                subject: x.project_no.clone(),
                severity: Severity::Red,
                message: format!(
                    "项目 {}「{}」成交价 {} 元低于底价 {} 元",
                    x.project_no, x.title, deal.price, x.reserve_price
                ),
                evidence: evidence.clone(),
            });
        }
        if x.price_unit != PriceUnit::Year {
            continue;
        }
        let previous = leases
            .iter()
            .filter(|l| l.end <= deal.date && listing_matches(l, x) && l.annual_rent > deal.price)
            .max_by_key(|l| l.end);
        if let Some(l) = previous {
            let mut evidence = evidence;
            evidence.push(Evidence::new(format!("原合同 {}", l.contract_no), links::lease(village, &l.contract_no)));
            out.push(Finding {
                village,
                rule: Rule::DealBelowPrevious,
                subject: x.project_no.clone(),
                severity: Severity::Yellow,
                message: format!(
                    "项目 {}「{}」成交年租金 {} 元低于原合同 {} 的 {} 元",
                    x.project_no, x.title, deal.price, l.contract_no, l.annual_rent
                ),
                evidence,
            });
        }
    }
    out
}

/// Rent booked (a credit line naming the contract) after the contract's end, while no later
/// lease of the village carries the same contract number.
pub fn rent_after_end(village: RegionCode, leases: &[Lease], entries: &[LedgerEntry]) -> Vec<Finding> {
    leases
        .iter()
        .filter_map(|l| {
            let late: Vec<&LedgerEntry> = entries
                .iter()
                .filter(|e| e.date > l.end && e.credit.0 > 0 && names_contract(&e.summary, &l.contract_no))
                .collect();
            let first = late.first()?;
            let total: Fen = late.iter().map(|e| e.credit).sum();
            let period = format!("{}", first.date.format("%Y-%m"));
            Some(Finding {
                village,
                rule: Rule::RentAfterEnd,
                subject: l.contract_no.clone(),
                severity: Severity::Red,
                message: format!(
                    "合同 {}「{}」{} 到期，之后仍收取租金 {} 笔共 {total} 元",
                    l.contract_no,
                    l.asset,
                    l.end,
                    late.len()
                ),
                evidence: vec![
                    Evidence::new(format!("合同 {}", l.contract_no), links::lease(village, &l.contract_no)),
                    Evidence::new(
                        format!("凭证 {period} {}", first.voucher_no),
                        links::voucher(village, &period, &first.voucher_no),
                    ),
                ],
            })
        })
        .collect()
}

/// Rent fallen due more than `arrears_grace_days` ago and not received, from each lease's rent
/// position on that day (`positions`, in the order of `leases`): yellow, red when a year's
/// rent or more is owed.
pub fn rent_arrears(
    village: RegionCode,
    leases: &[Lease],
    positions: &[Option<RentPosition>],
    as_of: NaiveDate,
) -> Vec<Finding> {
    leases
        .iter()
        .zip(positions)
        .filter_map(|(l, p)| {
            let owed = p.as_ref()?.owed();
            (owed.0 > 0).then(|| Finding {
                village,
                rule: Rule::RentArrears,
                subject: l.contract_no.clone(),
                severity: if owed >= l.annual_rent { Severity::Red } else { Severity::Yellow },
                message: format!("合同 {}「{}」截至 {as_of} 欠租 {owed} 元", l.contract_no, l.asset),
                evidence: vec![Evidence::new(format!("合同 {}", l.contract_no), links::lease(village, &l.contract_no))],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
