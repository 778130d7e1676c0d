//! The `决议编号` column of ledger and asset-register imports through the real server: a
//! voucher or an asset disposal names the decision that authorised it; an unknown number is
//! refused with its row and number and nothing is imported; a known one links the voucher or
//! disposal, and the public decision page lists it with its amount and says when the money
//! paid exceeds the amount resolved.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use common::server::{Client, start};
use common::{code, county_with, hidden_field, site_over, staff_cookie, store_with};
use yangguang_core::staff::Role;
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";

/// Road works paid in two vouchers naming the decision (120,000 yuan against 100,000
/// resolved), and a stationery voucher naming none.
fn ledger(number: &str) -> Vec<u8> {
    format!(
        "凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额,决议编号\n\
         2026-03-05,记-001,付村道硬化工程款,541,\"70,000.00\",,{number}\n\
         2026-03-05,记-001,付村道硬化工程款,102,,\"70,000.00\",{number}\n\
         2026-03-08,记-002,购办公用品,541,320.50,,\n\
         2026-03-08,记-002,购办公用品,101,,320.50,\n\
         2026-03-20,记-003,付村道硬化工程尾款,541,\"50,000.00\",,\n\
         2026-03-20,记-003,付村道硬化工程尾款,102,,\"50,000.00\",2026-001\n"
    )
    .into_bytes()
}

async fn import(state: &AppState, bytes: Vec<u8>) -> yangguang_app::ledger::LedgerReport {
    let file: yangguang_app::ledger::LedgerFile = ("三月.csv".into(), yangguang_app::ledger::in_memory(bytes));
    yangguang_app::ledger::import_ledger(&state.site, code(VILLAGE), vec![file], None).await.unwrap()
}

#[tokio::test]
async fn vouchers_and_disposals_name_their_decision_in_imports() {
    let store = store_with(&county_with(&[(VILLAGE, "前山村")])).await;
    let state = AppState::new(Arc::new(site_over(store, "decision-imports").await));
    let clerk_cookie = staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let base = start(state.clone()).await;
    let clerk = Client::new(&base, Some(clerk_cookie.clone()));
    let public = Client::new(&base, None);
    let fields = [
        ("csrf", "c"),
        ("village", VILLAGE),
        ("number", "2026-001"),
        ("subject", "村道硬化工程"),
        ("kind", "works"),
        ("procedure", "4-2"),
        ("amount", "100000"),
    ];
    assert_eq!(clerk.post("/console/decisions", &fields).await.status, 303);

    // An unknown number: refused on its row, naming the number; nothing imported.
    let report = import(&state, ledger("2099-999")).await;
    assert!(!report.succeeded());
    let found: Vec<(u64, &str, &str)> =
        report.errors.iter().map(|(_, e)| (e.row, e.column.as_str(), e.value.as_str())).collect();
    assert_eq!(found, [(2, "决议编号", "2099-999")], "{:#?}", report.errors);
    assert!(report.errors[0].1.problem.contains("第 2 行的决议编号“2099-999”在本村的民主决策记录中不存在"));
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    assert!(state.site.store.ledger_entries(code(VILLAGE), from, to).await.unwrap().is_empty(), "nothing imported");

    // Two lines of one voucher naming two decisions: refused on the second line.
    let mixed = String::from_utf8(ledger("2026-001")).unwrap().replacen(
        ",\"70,000.00\",2026-001",
        ",\"70,000.00\",2026-002",
        1,
    );
    let report = import(&state, mixed.into_bytes()).await;
    assert!(report.errors.iter().any(|(_, e)| e.row == 3 && e.problem.contains("一张凭证只能对应一个决议")));

    // The real number: the vouchers are imported and linked; the stationery is not.
    let report = import(&state, ledger("2026-001")).await;
    assert!(report.succeeded(), "{report:?}");
    let link = state.site.store.link_of(code(VILLAGE), "voucher", "2026-03:记-001").await.unwrap().expect("linked");
    assert_eq!(
        (link.number.as_str(), link.amount.0, link.outgoing, link.source.as_str()),
        ("2026-001", 7_000_000, true, "import")
    );
    assert!(state.site.store.link_of(code(VILLAGE), "voucher", "2026-03:记-003").await.unwrap().is_some());
    assert!(state.site.store.link_of(code(VILLAGE), "voucher", "2026-03:记-002").await.unwrap().is_none());
    let page = public.get(&format!("/v/{VILLAGE}/decisions/2026-001")).await;
    assert_eq!(page.status, 200);
    for expected in ["付村道硬化工程款", "70,000.00", "付村道硬化工程尾款", "超出决议金额 20,000.00 元"]
    {
        assert!(page.body.contains(expected), "{expected} missing: {}", page.body);
    }

    // An asset register naming the decision that authorised a disposal.
    let assets = |number: &str| {
        format!("资产编号,资产名称,资产类别,原值（元）,决议编号\nZC-01,村委办公楼,房屋,1200000,\nZC-02,旧仓库,房屋,80000,{number}\n")
            .into_bytes()
    };
    let r = clerk
        .post_multipart("/console/assets", &[("csrf", "c"), ("village", VILLAGE)], &[("台账.csv", &assets("2099-9"))])
        .await;
    assert!(r.body.contains("第 3 行的决议编号“2099-9”在本村的民主决策记录中不存在"), "{}", r.body);
    assert!(hidden_field(&r.body, "preview").is_none(), "no preview to confirm");
    let r = clerk
        .post_multipart("/console/assets", &[("csrf", "c"), ("village", VILLAGE)], &[("台账.csv", &assets("2026-001"))])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (status, _) = common::confirm_import(&state, &clerk_cookie, &r.body).await;
    assert_eq!(status, 303);
    let link = state.site.store.link_of(code(VILLAGE), "disposal", "ZC-02").await.unwrap().expect("linked");
    assert_eq!((link.number.as_str(), link.amount.0), ("2026-001", 8_000_000));
    assert!(public.get(&format!("/v/{VILLAGE}/decisions/2026-001")).await.body.contains("旧仓库"));
    let audit = state.site.store.list_audit(1, 200).await.unwrap();
    assert!(audit.items.iter().filter(|a| a.action == "decision-link-import").count() >= 2, "both imports audited");
}
