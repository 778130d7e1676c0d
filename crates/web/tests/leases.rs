//! The lease register: imported whole from a GBK spreadsheet (all or nothing), a change
//! opening a draft for review, and the public list with its filters, expiry flags and rent
//! received against rent due from the books.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use chrono::{Days, NaiveDate, Utc};
use common::{code, county_with, site_over, store_with};
use tower::ServiceExt;
use yangguang_core::Fen;
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";

fn today() -> NaiveDate {
    yangguang_app::today()
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y/%m/%d").to_string()
}

/// A register as a village keeps it: a title, the header, three contracts, a total line.
fn register(first_rent: &str) -> Vec<u8> {
    let t = today();
    let soon = t + Days::new(30);
    let text = format!(
        "前山村经济合同台账\n\
         合同编号,资产名称,资产类别,坐落,承租方,面积（亩）,年租金（元）,起租日期,到期日期,付款方式\n\
         HT-001,溪东鱼塘,鱼塘,溪东,王建明,12.5,{first_rent},{},{},年付\n\
         HT-002,老校舍,房屋,村口,青山农业开发有限公司,2,\"36,000\",{},{},半年付\n\
         HT-003,后山林地,山林,后山,李四,300,9000,{},{},一次性\n\
         合计,,,,,314.5,,,,\n",
        ymd(t - Days::new(700)),
        ymd(soon),
        ymd(t - Days::new(400)),
        ymd(t + Days::new(3000)),
        ymd(t - Days::new(100)),
        ymd(t + Days::new(1000)),
    );
    encoding_rs::GBK.encode(&text).0.into_owned()
}

async fn state() -> AppState {
    let store = store_with(&county_with(&[(VILLAGE, "前山村"), ("339921100202", "后山村")])).await;
    AppState::new(Arc::new(site_over(store, "leases").await))
}

async fn page(state: &AppState, uri: &str) -> (StatusCode, String) {
    let r = router(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = r.status();
    (status, String::from_utf8(to_bytes(r.into_body(), 4 << 20).await.unwrap().to_vec()).unwrap())
}

fn rent_voucher(day: NaiveDate, no: &str, summary: &str, amount: i64) -> Vec<LedgerEntry> {
    let line = |account: &str, debit: i64, credit: i64| LedgerEntry {
        date: day,
        voucher_no: no.into(),
        summary: summary.into(),
        account_code: account.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments: 1,
        row: 0,
    };
    vec![line("102", amount, 0), line("501003", 0, amount)]
}

#[tokio::test]
async fn a_gbk_register_imports_whole_and_a_change_opens_a_draft() {
    let state = state().await;
    let site = &state.site;
    let village = code(VILLAGE);
    let first = yangguang_app::leases::import_leases(site, None, village, &register("15000")).await.unwrap();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(first.counts.inserted, 3);
    let draft = site.store.get_disclosure(first.draft.expect("a changed register opens a draft")).await.unwrap();
    assert_eq!(draft.column, "assets-contracts");
    assert_eq!(draft.catalog_item.as_deref(), Some("contracts-register"));
    // Cells are plain text: the mask's star is escaped so that it never starts emphasis.
    assert!(draft.body_md.contains("王\\*明") && !draft.body_md.contains("王建明"), "{}", draft.body_md);

    // The same register again changes nothing and opens no draft.
    let again = yangguang_app::leases::import_leases(site, None, village, &register("15000")).await.unwrap();
    assert_eq!((again.counts.unchanged, again.draft), (3, None));

    // A broken register lists its problems and leaves the stored one as it was.
    let broken = yangguang_app::leases::import_leases(site, None, village, &register("面议")).await.unwrap();
    assert_eq!(broken.errors.len(), 1, "{:?}", broken.errors);
    assert_eq!((broken.errors[0].row, broken.errors[0].column.as_str()), (3, "年租金（元）"));
    let stored = yangguang_app::leases::lease(site, village, "HT-001").await.unwrap().unwrap();
    assert_eq!(stored.annual_rent, Fen(1_500_000));

    // A file that is not a register is refused with what it lacks.
    let err = yangguang_app::leases::import_leases(site, None, village, "日期,凭证号\n".as_bytes()).await.unwrap_err();
    assert!(err.to_string().contains("合同编号"), "{err}");
}

#[tokio::test]
async fn the_lease_list_filters_and_flags_contracts_ending_soon_and_rent_unpaid() {
    let state = state().await;
    let village = code(VILLAGE);
    yangguang_app::leases::import_leases(&state.site, None, village, &register("15000")).await.unwrap();
    // The books: HT-002's first half-year paid, nothing for HT-001 or HT-003.
    let paid_on = today() - Days::new(395);
    let books = rent_voucher(paid_on, "记-001", "收老校舍租金（合同HT-002）", 1_800_000);
    state.site.store.import_vouchers(village, &vouchers(&books), Utc::now()).await.unwrap();

    let (status, html) = page(&state, &format!("/v/{VILLAGE}/leases")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("3 / 3"), "{html}");
    let item = |html: &str, asset: &str| -> String {
        let at = html.find(&format!(">{asset}</a>")).unwrap_or_else(|| panic!("{asset} missing"));
        html[at..].split("</li>").next().unwrap().to_owned()
    };
    assert!(item(&html, "溪东鱼塘").contains("即将到期"), "ends in 30 days");
    assert!(!item(&html, "老校舍").contains("即将到期"));
    assert!(item(&html, "溪东鱼塘").contains("王*明"));
    assert!(item(&html, "老校舍").contains("青山农业开发有限公司"));
    // The books start the day the rent was paid: HT-002 owes its second half-year.
    assert!(item(&html, "老校舍").contains("欠缴 18,000.00 元"), "{}", item(&html, "老校舍"));

    let (_, soon) = page(&state, &format!("/v/{VILLAGE}/leases?expiring=1")).await;
    assert!(soon.contains("1 / 3") && soon.contains("溪东鱼塘"), "{soon}");
    let (_, fish) = page(&state, &format!("/v/{VILLAGE}/leases?type=%E9%B1%BC%E5%A1%98")).await;
    assert!(fish.contains("1 / 3") && fish.contains("溪东鱼塘"));
    let (_, dear) = page(&state, &format!("/v/{VILLAGE}/leases?min=10%2C000&max=40000")).await;
    assert!(dear.contains("2 / 3") && !dear.contains(">后山林地<"), "{dear}");
    let (_, junk) = page(&state, &format!("/v/{VILLAGE}/leases?min=lots")).await;
    assert!(junk.contains("3 / 3"), "an unreadable bound is no bound");

    let (status, detail) = page(&state, &format!("/v/{VILLAGE}/leases/HT-002")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("36,000.00 元（") && detail.contains("18,000.00 元"), "{detail}");
    assert_eq!(page(&state, &format!("/v/{VILLAGE}/leases/HT-404")).await.0, StatusCode::NOT_FOUND);
    let (_, column) = page(&state, &format!("/v/{VILLAGE}/c/assets-contracts")).await;
    assert!(column.contains(&format!("/v/{VILLAGE}/leases")), "the contracts column links the register");
    // The second half-year paid: the lists made per request show it as soon as the import
    // tells the site (as every import path does), not the positions kept from before.
    let mut more = books.clone();
    more.extend(rent_voucher(today() - Days::new(200), "记-002", "收老校舍租金（合同HT-002）", 1_800_000));
    state.site.store.import_vouchers(village, &vouchers(&more), Utc::now()).await.unwrap();
    state.site.published(village);
    let (_, dear) = page(&state, &format!("/v/{VILLAGE}/leases?min=10%2C000&max=40000")).await;
    assert!(!item(&dear, "老校舍").contains("欠缴"), "{}", item(&dear, "老校舍"));
}

fn multipart(cookie: &str, uri: &str, village: &str, file_name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "----yangguang-test";
    let mut body = Vec::new();
    for (name, value) in [("csrf", "c"), ("village", village)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header(axum::http::header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn assets_and_resources_registers_upload_in_the_console_and_show_publicly() {
    let state = state().await;
    let clerk = common::staff_cookie(&state, "clerk", yangguang_core::staff::Role::VillageClerk, VILLAGE).await;
    let assets = "前山村集体资产台账\n资产编号,资产名称,资产类别,坐落,面积,原值（元）,使用状态,使用人\n\
                  ZC-01,村委办公楼,房屋,村口,800,\"1,200,000.00\",在用,村委会\nZC-02,老校舍,房屋,村口,300,150000,出租,王建明\n";
    let upload = multipart(&clerk, "/console/assets", VILLAGE, "资产台账.csv", &encoding_rs::GBK.encode(assets).0);
    let r = router(state.clone()).oneshot(upload).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = String::from_utf8(to_bytes(r.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    assert!(html.contains("新增 <strong>2</strong> 条") && html.contains("确认导入"), "the preview: {html}");
    let (status, to) = common::confirm_import(&state, &clerk, &html).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/console/d/"), "the register's draft opens: {to}");
    let resources =
        "资源编号,资源名称,资源类型,面积（亩）,经营状态,承包方\nZY-01,溪东畈,耕地,120.5,承包,青山农业开发有限公司\n";
    let upload = multipart(&clerk, "/console/assets", VILLAGE, "资源台账.csv", resources.as_bytes());
    let r = router(state.clone()).oneshot(upload).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = String::from_utf8(to_bytes(r.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    assert_eq!(common::confirm_import(&state, &clerk, &html).await.0, StatusCode::SEE_OTHER);

    // Both registers changed: two drafts, one per catalog item, waiting for review.
    let work = state
        .site
        .store
        .list_work(&yangguang_store::WorkQuery {
            region_prefixes: vec![VILLAGE.into()],
            states: vec![yangguang_core::DisclosureState::Draft],
            limit: 10,
        })
        .await
        .unwrap();
    let mut items: Vec<String> = work.iter().map(|d| d.column.clone()).collect();
    items.sort();
    assert_eq!(items, ["assets-register", "assets-resources"]);

    let (status, html) = page(&state, &format!("/v/{VILLAGE}/assets")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("村委办公楼") && html.contains("1,200,000.00") && html.contains("王*明"), "{html}");
    assert!(html.contains("溪东畈") && html.contains("120.5 亩"));

    // A bad upload lists its problems and keeps the register.
    let bad = "资产编号,资产名称,资产类别,原值\nZC-01,村委办公楼,房屋,很多\n";
    let r = router(state.clone())
        .oneshot(multipart(&clerk, "/console/assets", VILLAGE, "x.csv", bad.as_bytes()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, html) = page(&state, &format!("/v/{VILLAGE}/assets")).await;
    assert!(html.contains("老校舍"), "the earlier register stays");
    // Another village's clerk cannot replace this one's register.
    let other = common::staff_cookie(&state, "other", yangguang_core::staff::Role::VillageClerk, "339921100202").await;
    let r = router(state.clone())
        .oneshot(multipart(&other, "/console/assets", VILLAGE, "x.csv", assets.as_bytes()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
