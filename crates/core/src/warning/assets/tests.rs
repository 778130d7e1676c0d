use chrono::{TimeZone, Utc};

use super::*;
use crate::lease::Schedule;
use crate::trading::{Deal, Method, Stage, Window};

fn village() -> RegionCode {
    "339921100201".parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn lease(no: &str, asset: &str, yuan: i64, start: &str, end: &str) -> Lease {
    Lease {
        contract_no: no.into(),
        village: village(),
        asset: asset.into(),
        asset_type: "房屋".into(),
        location: String::new(),
        lessee: "某公司".into(),
        lessee_is_person: false,
        area: "100".into(),
        area_unit: "m2".into(),
        annual_rent: Fen::from_yuan(yuan),
        start: day(start),
        end: day(end),
        schedule: Schedule::Yearly,
    }
}

fn listing(no: &str, title: &str, reserve: i64, deal: Option<i64>) -> Listing {
    Listing {
        project_no: no.into(),
        village: village(),
        title: title.into(),
        subject_type: "房屋".into(),
        location: String::new(),
        area: "100".into(),
        area_unit: "m2".into(),
        reserve_price: Fen::from_yuan(reserve),
        price_unit: PriceUnit::Year,
        method: Method::OpenBidding,
        term: None,
        announcement: Window { start: day("2026-01-01"), end: day("2026-01-20") },
        registration_end: None,
        bidding_date: None,
        deal: deal.map(|p| Deal {
            date: day("2026-02-01"),
            price: Fen::from_yuan(p),
            winner: "另一公司".into(),
            winner_is_person: false,
            winner_uscc: None,
        }),
        publicity: None,
        stage: Stage::Closed,
        updated_at: Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap(),
    }
}

#[test]
fn a_large_lease_without_a_listing_fires() {
    let t = Thresholds::default();
    let big = lease("HT-1", "村东厂房", 80_000, "2025-01-01", "2027-12-31");
    let small = lease("HT-2", "村西鱼塘", 8_000, "2025-01-01", "2027-12-31");
    let found = lease_untraded(village(), &[big.clone(), small], &[], &t);
    assert_eq!((found.len(), found[0].subject.as_str()), (1, "HT-1"));
    assert!(lease_untraded(village(), &[big], &[listing("JY-1", "村东厂房出租", 70_000, Some(80_000))], &t).is_empty());
}

#[test]
fn deals_below_reserve_or_previous_rent_fire() {
    let old = lease("HT-1", "村东厂房", 60_000, "2023-01-01", "2025-12-31");
    let found = deals(village(), &[listing("JY-1", "村东厂房出租", 70_000, Some(50_000))], std::slice::from_ref(&old));
    let rules: Vec<Rule> = found.iter().map(|f| f.rule).collect();
    assert_eq!(rules, vec![Rule::DealBelowReserve, Rule::DealBelowPrevious]);
    assert!(
        deals(village(), &[listing("JY-1", "村东厂房出租", 50_000, Some(65_000))], std::slice::from_ref(&old))
            .is_empty()
    );
    assert!(deals(village(), &[listing("JY-2", "村东厂房出租", 50_000, None)], &[old]).is_empty());
}

fn rent(date: &str, no: &str) -> LedgerEntry {
    LedgerEntry {
        date: day(date),
        voucher_no: "记-3".into(),
        summary: format!("收村东厂房租金（合同{no}）"),
        account_code: "501003".into(),
        account_name: "租赁收入".into(),
        debit: Fen(0),
        credit: Fen(2_000_000),
        attachments: 0,
        row: 0,
    }
}

#[test]
fn rent_after_the_end_fires_rent_within_the_term_does_not() {
    let l = lease("HT-1", "村东厂房", 20_000, "2024-01-01", "2025-12-31");
    let found =
        rent_after_end(village(), std::slice::from_ref(&l), &[rent("2025-03-01", "HT-1"), rent("2026-03-05", "HT-1")]);
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("1 笔"), "{}", found[0].message);
    assert!(
        rent_after_end(village(), std::slice::from_ref(&l), &[rent("2025-03-01", "HT-1"), rent("2026-03-05", "HT-11")])
            .is_empty()
    );
}

#[test]
fn arrears_fire_on_what_is_owed() {
    let l = lease("HT-1", "村东厂房", 20_000, "2024-01-01", "2026-12-31");
    let as_of = day("2026-06-30");
    let owed = RentPosition { from: day("2024-01-01"), due: Fen(6_000_000), received: Fen(4_000_000) };
    let found = rent_arrears(village(), std::slice::from_ref(&l), &[Some(owed)], as_of);
    assert_eq!((found.len(), found[0].severity), (1, Severity::Red));
    let paid = RentPosition { received: Fen(6_000_000), ..owed };
    assert!(rent_arrears(village(), std::slice::from_ref(&l), &[Some(paid)], as_of).is_empty());
    assert!(rent_arrears(village(), &[l], &[None], as_of).is_empty());
}
