//! Warnings: findings opened, updated, resolved and reopened by recomputes, reviewed and
//! dismissed by supervisors with every change on the trail; the bulk reads the rules use.

use chrono::NaiveDate;
use yangguang_core::warning::{Evidence, Finding, Override, Rule, Severity};
use yangguang_store::{FindingChanges, Receipt, Store, StoreError, WarningQuery, WarningState};

use crate::books::ledger;
use crate::{code, disclosure, seeded, time};

fn finding(village: &str, rule: Rule, subject: &str, severity: Severity, message: &str) -> Finding {
    Finding {
        village: code(village),
        rule,
        subject: subject.into(),
        severity,
        message: message.into(),
        evidence: vec![Evidence::new("凭证 2026-03 记-1", "/v/339921100201/finance/2026-03")],
    }
}

fn query(prefixes: &[&str]) -> WarningQuery {
    WarningQuery {
        region_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        page: 1,
        per_page: 50,
        ..WarningQuery::default()
    }
}

pub async fn warnings_keep_their_state_across_recomputes_and_every_change_is_on_the_trail(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let cash = finding("339921100201", Rule::CashNegative, "cash", Severity::Red, "库存现金 -100.00 元");
    let split = finding("339921100201", Rule::SplitPayment, "路灯@2026-03/记-1", Severity::Red, "分 2 笔");
    let late = finding("339921100001", Rule::ItemOverdue, "income-expenditure:2026-05", Severity::Yellow, "逾期 5 天");
    store
        .apply_findings(&FindingChanges { open: vec![cash.clone(), split, late], ..Default::default() }, time(1))
        .await
        .unwrap();
    // A second open of the same subject is refused: one warning per (village, rule, subject).
    let again = store.apply_findings(&FindingChanges { open: vec![cash.clone()], ..Default::default() }, time(1)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    let stored = store.village_warnings(&[village]).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|w| w.state == WarningState::Open && w.state_by == "system"));
    let cash_id = stored.iter().find(|w| w.finding.rule == Rule::CashNegative).unwrap().id;
    let split_id = stored.iter().find(|w| w.finding.rule == Rule::SplitPayment).unwrap().id;
    assert_eq!(store.get_warning(cash_id).await.unwrap().finding, cash);

    // A supervisor reviews one and dismisses the other.
    let reviewed =
        store.set_warning_state(cash_id, WarningState::Reviewed, "已约谈出纳", "镇纪委 李*", time(2)).await.unwrap();
    assert_eq!((reviewed.state, reviewed.note.as_deref()), (WarningState::Reviewed, Some("已约谈出纳")));
    store
        .set_warning_state(split_id, WarningState::Dismissed, "两次维修，合同分开", "镇纪委 李*", time(2))
        .await
        .unwrap();
    assert!(matches!(
        store.set_warning_state(split_id, WarningState::Reviewed, "x", "y", time(3)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.set_warning_state(9_999, WarningState::Reviewed, "x", "y", time(3)).await,
        Err(StoreError::NotFound)
    ));

    // A recompute updates the figures of the reviewed one (its state stays) and resolves it later;
    // when it comes back it reopens.
    let worse = Finding { message: "库存现金 -300.00 元".into(), ..cash.clone() };
    store
        .apply_findings(&FindingChanges { update: vec![(cash_id, worse.clone())], ..Default::default() }, time(3))
        .await
        .unwrap();
    let w = store.get_warning(cash_id).await.unwrap();
    assert_eq!((w.state, w.finding.message.as_str()), (WarningState::Reviewed, "库存现金 -300.00 元"));
    store.apply_findings(&FindingChanges { resolve: vec![cash_id], ..Default::default() }, time(4)).await.unwrap();
    assert_eq!(store.get_warning(cash_id).await.unwrap().state, WarningState::Resolved);
    assert!(matches!(
        store.set_warning_state(cash_id, WarningState::Dismissed, "x", "y", time(4)).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .apply_findings(&FindingChanges { reopen: vec![(cash_id, cash.clone())], ..Default::default() }, time(5))
        .await
        .unwrap();
    let back = store.get_warning(cash_id).await.unwrap();
    assert_eq!((back.state, back.note, back.first_seen), (WarningState::Open, None, time(1)));

    let trail: Vec<(String, String)> =
        store.warning_events(cash_id).await.unwrap().into_iter().map(|e| (e.action, e.by)).collect();
    let expected = ["opened", "reviewed", "updated", "resolved", "reopened"];
    assert_eq!(trail.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), expected);
    assert_eq!(trail[1].1, "镇纪委 李*");

    // Lists filter by region, village, rule, severity and state; red first.
    let all = store.list_warnings(&query(&["339921"])).await.unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(all.items[2].finding.severity, Severity::Yellow);
    assert_eq!(store.list_warnings(&query(&[])).await.unwrap().total, 0);
    assert_eq!(store.list_warnings(&query(&["339921100001"])).await.unwrap().total, 1);
    let dismissed = WarningQuery { states: vec![WarningState::Dismissed], ..query(&["339921"]) };
    assert_eq!(store.list_warnings(&dismissed).await.unwrap().items[0].id, split_id);
    let by_rule = WarningQuery { rule: Some(Rule::CashNegative), village: Some(village), ..query(&["339921"]) };
    assert_eq!(store.list_warnings(&by_rule).await.unwrap().total, 1);
    let yellow = WarningQuery { severity: Some(Severity::Yellow), ..query(&["339921"]) };
    assert_eq!(store.list_warnings(&yellow).await.unwrap().total, 1);
    let paged = WarningQuery { per_page: 2, page: 2, ..query(&["339921"]) };
    assert_eq!(store.list_warnings(&paged).await.unwrap().items.len(), 1);

    // Standing counts: open and reviewed, not dismissed nor resolved.
    let counts = store.standing_warning_counts(&["339921".into()]).await.unwrap();
    assert_eq!(counts, vec![(code("339921100001"), 0, 1), (village, 1, 0)]);
}

pub async fn warning_reads_find_shared_scans_scan_counts_signoffs_and_overrides(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let community = code("339921100001");
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), crate::time(1)).await.unwrap();
    store.import_vouchers(community, &ledger(&[("记-1", 100, 5)]), crate::time(1)).await.unwrap();
    let r = |no: &str, hash: char| Receipt {
        year: 2026,
        month: 3,
        voucher_no: no.into(),
        sha256: hash.to_string().repeat(64),
        media_type: "image/jpeg".into(),
        file_name: format!("{no}.jpg"),
        byte_size: 10,
        needs_recheck: false,
    };
    store.add_receipts(village, &[r("记-1", 'a'), r("记-1", 'b'), r("记-2", 'c')]).await.unwrap();
    store.add_receipts(community, &[r("记-1", 'c'), r("记-1", 'd')]).await.unwrap();
    let shared = store.shared_receipts(None).await.unwrap();
    let got: Vec<(String, String)> = shared.iter().map(|s| (s.village.to_string(), s.voucher_no.clone())).collect();
    assert_eq!(got, vec![("339921100001".into(), "记-1".into()), ("339921100201".into(), "记-2".into())]);
    assert_eq!(store.shared_receipts(Some(village)).await.unwrap().len(), 2);
    store.add_receipts(community, &[r("记-1", 'e')]).await.unwrap();
    let mut counts = store.voucher_scan_counts(&[village, community]).await.unwrap();
    counts.sort();
    assert_eq!(
        counts,
        vec![
            (community, 2026, 3, "记-1".to_string(), 3),
            (village, 2026, 3, "记-1".to_string(), 2),
            (village, 2026, 3, "记-2".to_string(), 1),
        ]
    );

    // Published versions with the roles that approved them; a correction names its original.
    let mut signed = disclosure("339921100201", "finance-income", "3月收支", 5);
    signed.signoffs = vec![crate::signoff_record("h")];
    let ids = store.insert_disclosures(&[signed]).await.unwrap();
    let mut correction = disclosure("339921100201", "finance-income", "3月收支（更正）", 6);
    correction.kind = yangguang_core::DisclosureKind::Correction;
    correction.replaces = Some(ids[0]);
    correction.reason = Some("金额有误".into());
    let fixed = store.insert_disclosures(&[correction]).await.unwrap();
    let facts = store.published_facts(&[village]).await.unwrap();
    assert_eq!(facts.len(), 2);
    assert_eq!(
        (facts[1].id, facts[1].replaces, facts[1].reason.as_deref()),
        (fixed[0], Some(ids[0]), Some("金额有误"))
    );
    assert_eq!(facts[0].approved_roles, vec!["supervision-committee".to_string()]);
    assert!(facts[1].approved_roles.is_empty());

    // Threshold overrides: set, replaced for the same date, read back.
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    let o = Override {
        region: code("339921000000"),
        name: "cash_limit_yuan".into(),
        value: 3_000,
        from: day("2026-01-01"),
    };
    store.put_threshold_override(&o, "县管理员", time(1)).await.unwrap();
    store.put_threshold_override(&Override { value: 4_000, ..o.clone() }, "县管理员", time(2)).await.unwrap();
    let read = store.threshold_overrides().await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!((read[0].value.value, read[0].value.from, read[0].set_at), (4_000, day("2026-01-01"), time(2)));

    // The history keeps both changes, newest first, the replacement with the value it replaced;
    // another region's changes are not read.
    let town = Override { region: code("339921100000"), value: 800, ..o.clone() };
    store.put_threshold_override(&town, "镇审核员", time(3)).await.unwrap();
    let history = store.threshold_changes(&[code("339921000000")]).await.unwrap();
    let seen: Vec<_> = history.iter().map(|c| (c.value.value, c.previous, c.set_at)).collect();
    assert_eq!(seen, vec![(4_000, Some(3_000), time(2)), (3_000, None, time(1))]);
    assert_eq!(history[0].set_by, "县管理员");
    let both = store.threshold_changes(&[code("339921000000"), code("339921100000")]).await.unwrap();
    assert_eq!((both.len(), both[0].value.region, both[0].value.value), (3, code("339921100000"), 800));
    assert!(store.threshold_changes(&[]).await.unwrap().is_empty());
}
