//! Warnings through the real server: a village's negative cash on hand is found by the
//! recompute; a town supervisor lists it with its evidence, reviews it with a note and
//! dismisses it with a reason, each on the warning's trail and in the audit log; a supervisor
//! of another town sees none of it.

mod common;

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};
use common::server::{Client, start};
use common::{code, region, site_over, staff_cookie, store_with};
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::staff::Role;
use yangguang_core::warning::Severity;
use yangguang_core::{Fen, RegionKind};
use yangguang_store::{LedgerStore, WarningState};
use yangguang_web::AppState;

const A: &str = "339921100201"; // 前山村, 青山镇
const B: &str = "339921101201"; // 绿水村, 绿水镇

fn line(date: NaiveDate, no: &str, summary: &str, account: &str, debit: i64, credit: i64) -> LedgerEntry {
    LedgerEntry {
        date,
        voucher_no: no.into(),
        summary: summary.into(),
        account_code: account.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments: 1,
        row: 0,
    }
}

/// Last month's books: 500 yuan into the till, 800 paid out of it.
fn negative_cash() -> Vec<yangguang_core::ledger::Voucher> {
    let today = yangguang_app::today();
    let first = today.with_day(1).unwrap() - chrono::Months::new(1);
    let lines = vec![
        line(first, "记-1", "从银行提取备用金", "101", 50_000, 0),
        line(first, "记-1", "从银行提取备用金", "102", 0, 50_000),
        line(first + chrono::Days::new(2), "记-2", "购买办公用品", "541", 80_000, 0),
        line(first + chrono::Days::new(2), "记-2", "购买办公用品", "101", 0, 80_000),
    ];
    vouchers(&lines)
}

#[tokio::test]
async fn a_supervisor_reviews_and_dismisses_with_a_note_and_another_town_sees_nothing() {
    let regions = vec![
        region("339921000000", "清溪县", None, RegionKind::County),
        region("339921100000", "青山镇", Some("339921000000"), RegionKind::Town),
        region("339921101000", "绿水镇", Some("339921000000"), RegionKind::Town),
        region(A, "前山村", Some("339921100000"), RegionKind::Village),
        region(B, "绿水村", Some("339921101000"), RegionKind::Village),
    ];
    let store = store_with(&regions).await;
    for v in [A, B] {
        store.import_vouchers(code(v), &negative_cash(), Utc::now()).await.unwrap();
    }
    let state = AppState::new(Arc::new(site_over(store, "warnings").await));
    let outcome = yangguang_app::warnings::recompute(&state.site, code("339921000000"), Utc::now()).await.unwrap();
    assert!(outcome.opened >= 2, "{outcome:?}");
    let stored = state.site.store.village_warnings(&[code(A), code(B)]).await.unwrap();
    let cash = |v: &str| {
        stored
            .iter()
            .find(|w| w.finding.village == code(v) && w.finding.rule == yangguang_core::warning::Rule::CashNegative)
            .unwrap_or_else(|| panic!("no negative-cash warning for {v}: {stored:?}"))
            .id
    };
    let (a, b) = (cash(A), cash(B));

    let base = start(state.clone()).await;
    let town = Client::new(&base, Some(staff_cookie(&state, "qingshan", Role::TownshipReviewer, "339921100000").await));
    let other = Client::new(&base, Some(staff_cookie(&state, "lvshui", Role::TownshipReviewer, "339921101000").await));

    // The list: this town's village with its figures and evidence, not the other town's.
    let list = town.get("/console/warnings").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("前山村") && list.body.contains("库存现金为负"), "{}", list.body);
    assert!(list.body.contains("-300.00"), "the figure is shown: {}", list.body);
    assert!(list.body.contains(&format!("/v/{A}/finance/")), "evidence links to the month's accounts");
    assert!(!list.body.contains("绿水村"), "another town's village is not listed");
    assert!(list.body.contains("href=\"/console/warnings\""), "the nav links the page");
    assert_eq!(town.get(&format!("/console/warnings/{b}")).await.status, 403);
    assert_eq!(town.get(&format!("/console/warnings?village={B}")).await.status, 403);
    let theirs = other.get("/console/warnings").await;
    assert!(theirs.body.contains("绿水村") && !theirs.body.contains("前山村"));
    assert_eq!(
        other
            .post(&format!("/console/warnings/{a}"), &[("csrf", "c"), ("action", "dismiss"), ("note", "x")])
            .await
            .status,
        403
    );

    // Review with a note; a dismissal without a reason is refused and loses nothing.
    let path = format!("/console/warnings/{a}");
    let forged = town.post(&path, &[("csrf", "wrong"), ("action", "review"), ("note", "已约谈出纳")]).await;
    assert_ne!(forged.status, 303, "a form without the session's CSRF token is refused");
    let reviewed =
        town.post(&path, &[("csrf", "c"), ("action", "review"), ("note", "已约谈出纳，备用金当日补记")]).await;
    assert_eq!(reviewed.status, 303, "{}", reviewed.body);
    let refused = town.post(&path, &[("csrf", "c"), ("action", "dismiss"), ("note", "  ")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("请填写排除预警的理由"), "{}", refused.body);
    let dismissed = town.post(&path, &[("csrf", "c"), ("action", "dismiss"), ("note", "补记后账实相符")]).await;
    assert_eq!(dismissed.status, 303);

    // The warning's page shows its state and the whole trail with the notes and who.
    let page = town.get(&path).await;
    assert!(page.body.contains("已排除"), "{}", page.body);
    let trail = &page.body[page.body.find("id=\"trail\"").unwrap()..];
    for words in ["发现", "已核查", "已约谈出纳，备用金当日补记", "已排除", "补记后账实相符", "李文"]
    {
        assert!(trail.contains(words), "trail lacks {words}: {trail}");
    }
    assert!(!page.body.contains("name=\"action\""), "a dismissed warning has no forms");
    let w = state.site.store.get_warning(a).await.unwrap();
    assert_eq!((w.state, w.note.as_deref()), (WarningState::Dismissed, Some("补记后账实相符")));

    // And the audit log has both decisions.
    let audit = state.site.store.list_audit(1, 50).await.unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"warning.reviewed") && actions.contains(&"warning.dismissed"), "{actions:?}");

    // A recompute keeps the dismissal; standing counts leave it out.
    yangguang_app::warnings::recompute(&state.site, code("339921000000"), Utc::now()).await.unwrap();
    assert_eq!(state.site.store.get_warning(a).await.unwrap().state, WarningState::Dismissed);
    let counts = yangguang_app::warnings::open_counts(&state.site, &[code(A), code(B)]).await.unwrap();
    assert!(counts.get(&code(B)).is_some_and(|(red, _)| *red >= 1), "{counts:?}");
    let standing: Vec<_> = state
        .site
        .store
        .village_warnings(&[code(A)])
        .await
        .unwrap()
        .into_iter()
        .filter(|w| matches!(w.state, WarningState::Open | WarningState::Reviewed))
        .collect();
    assert!(standing.iter().all(|w| w.id != a), "the dismissed warning is not standing");
    let red = standing.iter().filter(|w| w.finding.severity == Severity::Red).count() as u64;
    let yellow = standing.len() as u64 - red;
    assert_eq!(counts.get(&code(A)).copied().unwrap_or((0, 0)), (red, yellow));
}
