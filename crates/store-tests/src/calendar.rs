//! The disclosure calendar's bulk reads.

use yangguang_core::{DisclosureKind, DisclosureState};
use yangguang_store::{Store, VoucherMonth};

use crate::books::ledger;
use crate::{code, disclosure, draft, seeded, time};

pub async fn calendar_reads_count_published_and_waiting_versions_and_vouchers_per_month(store: &dyn Store) {
    seeded(store).await;
    let with = |village: &str, item: &str, period: &str, day: u32| {
        let mut d = disclosure(village, "finance-income", period, day);
        d.catalog_item = Some(item.into());
        d.period = Some(period.parse().unwrap());
        d
    };
    let mut submitted = draft("339921100201", "4月收支");
    submitted.catalog_item = Some("income-expenditure".into());
    submitted.period = Some("2026-04".parse().unwrap());
    let mut plain = draft("339921100201", "草稿");
    plain.catalog_item = Some("income-expenditure".into());
    plain.period = Some("2026-05".parse().unwrap());
    let ids = store
        .insert_disclosures(&[
            with("339921100201", "income-expenditure", "2026-01", 5),
            with("339921100201", "income-expenditure", "2026-02", 6),
            with("339921100201", "debts", "2026-Q1", 7),
            with("339921100001", "income-expenditure", "2026-01", 8),
            disclosure("339921100201", "finance-income", "no item", 9),
            submitted,
            plain,
        ])
        .await
        .unwrap();
    store.set_state(ids[5], &[DisclosureState::Draft], DisclosureState::Submitted, None, time(2)).await.unwrap();
    // January corrected (the original is superseded and still counts), February withdrawn.
    let mut correction = with("339921100201", "income-expenditure", "2026-01", 20);
    correction.kind = DisclosureKind::Correction;
    correction.replaces = Some(ids[0]);
    correction.reason = Some("金额有误".into());
    let mut withdrawal = with("339921100201", "income-expenditure", "2026-02", 21);
    withdrawal.kind = DisclosureKind::Withdrawal;
    withdrawal.replaces = Some(ids[1]);
    withdrawal.reason = Some("重复".into());
    let new = store.insert_disclosures(&[correction, withdrawal]).await.unwrap();

    let village = code("339921100201");
    let mut read = store.calendar_versions(&[village]).await.unwrap();
    read.sort_by_key(|v| v.id);
    let got: Vec<_> = read.iter().map(|v| (v.id, v.item.as_str(), v.period.to_string(), v.state)).collect();
    assert_eq!(
        got,
        vec![
            (ids[0], "income-expenditure", "2026-01".into(), DisclosureState::Superseded),
            (ids[2], "debts", "2026-Q1".into(), DisclosureState::Published),
            (ids[5], "income-expenditure", "2026-04".into(), DisclosureState::Submitted),
            (new[0], "income-expenditure", "2026-01".into(), DisclosureState::Published),
        ]
    );
    assert_eq!(
        read[0].published_at,
        Some(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 5, 2, 0, 0).unwrap())
    );
    assert_eq!(read[2].published_at, None);
    let both = store.calendar_versions(&[village, code("339921100001")]).await.unwrap();
    assert_eq!(both.len(), 5);
    assert!(store.calendar_versions(&[]).await.unwrap().is_empty());

    // Vouchers per month: March holds two, the community none.
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(1)).await.unwrap();
    let months = store.voucher_months(&[village, code("339921100001")]).await.unwrap();
    assert_eq!(months, vec![VoucherMonth { village, year: 2026, month: 3, vouchers: 2 }]);
}
