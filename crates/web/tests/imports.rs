//! A preview before every import: uploads show what would change and store nothing; the
//! clerk's confirm applies exactly the previewed file, once, only for its clerk and village
//! and only if nobody changed the books in between; scans of changed vouchers are flagged
//! until a clerk confirms them; the push API answers `dry_run=1` with the same summary.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, TimeZone, Utc};
use common::code;
use tower::ServiceExt;
use yangguang_core::ledger::LedgerEntry;
use yangguang_core::staff::Role;
use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

/// March as first imported: rent, and office supplies as 记-002 (with its receipt scan).
const BEFORE: &str = "凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额\n\
    2026-03-05,记-001,收厂房租金,102,\"1,200.00\",\n\
    2026-03-05,记-001,收厂房租金,501003,,\"1,200.00\"\n\
    2026-03-08,记-002,购办公用品,531002,320.50,\n\
    2026-03-08,记-002,购办公用品,101,,320.50\n";

/// The export the clerk uploads later: 记-001 the same, 记-002 renumbered into another
/// voucher (the 收老校舍租金), 记-003 new.
const AFTER: &str = "前山村 2026年3月 凭证明细账,,,,,\n\
    凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额\n\
    2026-03-05,记-001,收厂房租金,102,\"1,200.00\",\n\
    2026-03-05,记-001,收厂房租金,501003,,\"1,200.00\"\n\
    2026-03-09,记-002,收老校舍租金,102,\"1,800.00\",\n\
    2026-03-09,记-002,收老校舍租金,501003,,\"1,800.00\"\n\
    2026-03-20,记-003,发放村干部报酬,531001,\"1,500.00\",\n\
    2026-03-20,记-003,发放村干部报酬,102,,\"1,500.00\"\n\
    ,,合计,,\"4,500.00\",\"4,500.00\"\n";

async fn state_over(store: impl yangguang_store::Store + 'static, name: &str) -> AppState {
    AppState::new(Arc::new(common::site_over(store, name).await))
}

async fn state() -> AppState {
    let regions = common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")]);
    state_over(common::store_with(&regions).await, "imports").await
}

fn multipart(cookie: &str, uri: &str, village: &str, files: &[(&str, &[u8])]) -> Request<Body> {
    let boundary = "----yangguang-imports";
    let mut body = Vec::new();
    for (name, value) in [("csrf", "c"), ("village", village)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, String, String) {
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    // The one-time message a redirect leaves, carried as the header shows it.
    let flash = r.headers().get_all(header::SET_COOKIE).iter().find_map(|c| {
        let text = c.to_str().ok()?;
        text.starts_with("yg_flash=").then(|| text.split(';').next().unwrap_or_default().to_owned())
    });
    if let Some(flash) = flash {
        FLASH.with(|f| *f.borrow_mut() = flash);
    }
    let location = r.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, String::from_utf8_lossy(&to_bytes(r.into_body(), 8 << 20).await.unwrap()).to_string())
}

thread_local! {
    static FLASH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// A page, with the one-time message the last redirect left.
async fn get(state: &AppState, cookie: &str, uri: &str) -> (StatusCode, String) {
    let flash = FLASH.with(|f| std::mem::take(&mut *f.borrow_mut()));
    let req = Request::get(uri).header(header::COOKIE, format!("{cookie}; {flash}")).body(Body::empty()).unwrap();
    let (status, _, body) = send(state, req).await;
    (status, body)
}

async fn post_form(state: &AppState, cookie: &str, uri: &str, form: &str) -> (StatusCode, String, String) {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(form.to_owned()))
        .unwrap();
    send(state, req).await
}

async fn preview_ledger(state: &AppState, cookie: &str, name: &str, bytes: &[u8]) -> (StatusCode, String) {
    let (status, _, body) = send(state, multipart(cookie, "/console/ledger", VILLAGE, &[(name, bytes)])).await;
    (status, body)
}

fn confirm_form(html: &str, village: &str) -> String {
    format!("csrf=c&village={village}&preview={}", common::hidden_field(html, "preview").expect("a confirm form"))
}

/// March's entry lines as stored: (voucher as written, summary, debit in fen).
async fn march(state: &AppState) -> Vec<(String, String, i64)> {
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    let entries: Vec<LedgerEntry> = state.site.store.ledger_entries(code(VILLAGE), from, to).await.unwrap();
    entries.into_iter().map(|e| (e.voucher_no, e.summary, e.debit.0)).collect()
}

/// Imports `BEFORE` as the books already held, with a receipt scan on 记-002.
async fn books_with_a_scan(state: &AppState) {
    let file: yangguang_app::ledger::LedgerFile =
        ("before.csv".into(), yangguang_app::ledger::in_memory(BEFORE.as_bytes().to_vec()));
    let report = yangguang_app::ledger::import_ledger(&state.site, code(VILLAGE), vec![file], None).await.unwrap();
    assert!(report.succeeded(), "{report:?}");
    let scan = yangguang_store::Receipt {
        year: 2026,
        month: 3,
        voucher_no: "记-2".into(),
        sha256: "a".repeat(64),
        media_type: "image/jpeg".into(),
        file_name: "办公用品发票.jpg".into(),
        byte_size: 10,
        needs_recheck: false,
    };
    state.site.store.add_receipts(code(VILLAGE), &[scan]).await.unwrap();
}

async fn publish_march(state: &AppState) {
    let at = Utc.with_ymd_and_hms(2026, 4, 5, 2, 0, 0).unwrap();
    state
        .site
        .add_disclosures(&[NewDisclosure {
            village: code(VILLAGE),
            column: "finance-income".into(),
            catalog_item: Some("income-expenditure".into()),
            period: Some("2026-03".parse().unwrap()),
            title: "2026年3月收支明细及原始票据".into(),
            body_md: "见收支明细账".into(),
            state: DisclosureState::Published,
            created_at: at,
            published_at: Some(at),
            attachments: vec![],
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
            created_by: None,
            signoffs: vec![],
        }])
        .await
        .unwrap();
}

/// The journey, on either database.
async fn changed_voucher_journey(state: &AppState) {
    books_with_a_scan(state).await;
    let clerk = common::staff_cookie(state, "clerk", Role::VillageClerk, VILLAGE).await;
    let colleague = common::staff_cookie(state, "colleague", Role::VillageClerk, VILLAGE).await;
    let outsider = common::staff_cookie(state, "outsider", Role::VillageClerk, OTHER).await;
    let before = march(state).await;

    // The preview: old and new side by side, the month and its state, the scan to re-check.
    let (status, html) = preview_ledger(state, &clerk, "三月.csv", AFTER.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for text in [
        "新增凭证 <strong>1</strong> 张",
        "改动凭证 <strong>1</strong> 张",
        "未变凭证 <strong>1</strong> 张",
        "2026年3月</td><td data-label=\"状态\">未公开，可导入",
        "原内容",
        "新内容",
        "购办公用品",
        "收老校舍租金",
        "<mark>已改</mark>",
        "发放村干部报酬",
        "需重新核对",
        "确认导入",
    ] {
        assert!(html.contains(text), "the preview shows {text}: {html}");
    }
    assert_eq!(march(state).await, before, "a preview stores nothing");
    assert!(state.site.store.flagged_receipts(code(VILLAGE)).await.unwrap().is_empty(), "nor flags anything");
    let form = confirm_form(&html, VILLAGE);

    // Nobody else can confirm it: another clerk of the village, another village's clerk,
    // nor the clerk for another village.
    for (cookie, village) in [(&colleague, VILLAGE), (&outsider, VILLAGE), (&outsider, OTHER), (&clerk, OTHER)] {
        let form = form.replace(&format!("village={VILLAGE}"), &format!("village={village}"));
        let (status, _, body) = post_form(state, cookie, "/console/imports/confirm", &form).await;
        assert!(matches!(status, StatusCode::CONFLICT | StatusCode::FORBIDDEN), "{status} {body}");
        assert_eq!(march(state).await, before);
    }
    // A confirm without the session's CSRF token is refused.
    let (status, _, _) =
        post_form(state, &clerk, "/console/imports/confirm", &form.replace("csrf=c", "csrf=forged")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The clerk's confirm applies exactly the preview.
    let (status, to, body) = post_form(state, &clerk, "/console/imports/confirm", &form).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/console/ledger"), "{body}");
    let (_, page) = get(state, &clerk, "/console/ledger").await;
    assert!(
        page.contains("新增凭证 1 张，更新 1 张，未变 1 张") && page.contains("1 份扫描件已标记为需重新核对"),
        "{page}"
    );
    let after = march(state).await;
    assert!(after.contains(&("记-002".into(), "收老校舍租金".into(), 180_000)), "{after:?}");
    assert!(after.contains(&("记-003".into(), "发放村干部报酬".into(), 150_000)));
    assert!(!after.iter().any(|(_, s, _)| s == "购办公用品"));

    // Sent again, the confirm does nothing.
    let (status, _, body) = post_form(state, &clerk, "/console/imports/confirm", &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("请重新上传文件并预览"), "{body}");
    assert_eq!(march(state).await, after);

    // The old scan is flagged, and the public month does not show it as the voucher's original.
    let flagged = state.site.store.flagged_receipts(code(VILLAGE)).await.unwrap();
    assert_eq!(flagged.iter().map(|r| r.voucher_no.as_str()).collect::<Vec<_>>(), ["记-2"]);
    publish_march(state).await;
    let (_, public) = get(state, "", &format!("/v/{VILLAGE}/finance/2026-03")).await;
    assert!(public.contains("正在重新核对"), "{public}");
    let (_, viewer) = get(state, "", &format!("/v/{VILLAGE}/finance/2026-03/receipt/{}", "a".repeat(64))).await;
    assert!(viewer.contains("正在重新核对"), "{viewer}");

    // The clerk sees it as 需重新核对 and confirms it still belongs with one tap.
    let (status, list) = get(state, &clerk, "/console/receipts/recheck").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("需重新核对") && list.contains("办公用品发票.jpg") && list.contains("仍属此凭证"), "{list}");
    let tap = format!("csrf=c&village={VILLAGE}&year=2026&month=3&voucher=%E8%AE%B0-2&sha256={}", "a".repeat(64));
    let (status, _, _) = post_form(state, &outsider, "/console/receipts/recheck", &tap).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another village's clerk cannot clear it");
    let (status, to, _) = post_form(state, &clerk, "/console/receipts/recheck", &tap).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/console/receipts/recheck"));
    assert!(state.site.store.flagged_receipts(code(VILLAGE)).await.unwrap().is_empty());
    let (_, public) = get(state, "", &format!("/v/{VILLAGE}/finance/2026-03")).await;
    assert!(!public.contains("正在重新核对"), "cleared");
}

#[tokio::test]
async fn a_changed_voucher_is_previewed_confirmed_once_and_its_scan_rechecked_on_both_databases() {
    changed_voucher_journey(&state().await).await;
    let regions = common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")]);
    if let Some((store, schema)) = common::postgres_store_with(&regions).await {
        changed_voucher_journey(&state_over(store, "imports-pg").await).await;
        schema.drop().await;
    }
}

#[tokio::test]
async fn a_preview_made_stale_by_another_import_is_refused() {
    let state = state().await;
    books_with_a_scan(&state).await;
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let (status, html) = preview_ledger(&state, &clerk, "三月.csv", AFTER.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    // Someone else imports another version of 记-001 meanwhile.
    let other = BEFORE.replace("1,200.00", "1,300.00");
    let file: yangguang_app::ledger::LedgerFile =
        ("other.csv".into(), yangguang_app::ledger::in_memory(other.into_bytes()));
    yangguang_app::ledger::import_ledger(&state.site, code(VILLAGE), vec![file], None).await.unwrap();
    let between = march(&state).await;
    let (status, _, body) = post_form(&state, &clerk, "/console/imports/confirm", &confirm_form(&html, VILLAGE)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("请重新上传文件，核对新的预览后再确认"), "{body}");
    assert_eq!(march(&state).await, between, "nothing applied blindly");
    // Previewed again, it shows the other import's 记-001 as the old side and can be confirmed.
    let (_, html) = preview_ledger(&state, &clerk, "三月.csv", AFTER.as_bytes()).await;
    assert!(html.contains("改动凭证 <strong>2</strong> 张") && html.contains("1,300.00"), "{html}");
    let (status, _, _) = post_form(&state, &clerk, "/console/imports/confirm", &confirm_form(&html, VILLAGE)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_published_month_is_refused_with_the_correction_route() {
    let state = state().await;
    books_with_a_scan(&state).await;
    state.site.store.freeze_books(code(VILLAGE), (2026, 3), (2026, 3), DisclosureId(1)).await.unwrap();
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let before = march(&state).await;
    let (status, html) = preview_ledger(&state, &clerk, "三月.csv", AFTER.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("账目已公开，已锁定") && html.contains("已公开月份的凭证不能新增或改动"), "{html}");
    assert!(html.contains("2026年3月 记-2") && html.contains("红字冲销") && html.contains("更正"), "{html}");
    assert!(common::hidden_field(&html, "preview").is_none(), "nothing to confirm");
    assert_eq!(march(&state).await, before);
}

#[tokio::test]
async fn a_malformed_file_names_the_row_and_gbk_csv_and_xlsx_are_both_previewable() {
    let state = state().await;
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let broken = AFTER.replace("\"1,800.00\",\n", "\"1,8x0.00\",\n");
    let (status, html) = preview_ledger(&state, &clerk, "三月.csv", broken.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能导入，未导入任何内容") && html.contains("三月.csv"), "{html}");
    assert!(html.contains("<td data-label=\"行\">5</td>") && html.contains("1,8x0.00"), "the row is named: {html}");
    assert!(common::hidden_field(&html, "preview").is_none());

    let (gbk, _, _) = encoding_rs::GBK.encode(AFTER);
    let (status, html) = preview_ledger(&state, &clerk, "三月.csv", &gbk).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("新增凭证 <strong>3</strong> 张") && html.contains("收老校舍租金"), "{html}");

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["凭证日期", "凭证号", "摘要", "科目编码", "借方金额", "贷方金额"],
        ["2026-03-05", "记-001", "收厂房租金", "102", "1200", ""],
        ["2026-03-05", "记-001", "收厂房租金", "501003", "", "1200"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let xlsx = book.save_to_buffer().unwrap();
    let (status, html) = preview_ledger(&state, &clerk, "三月.xlsx", &xlsx).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("新增凭证 <strong>1</strong> 张") && html.contains("收厂房租金"), "{html}");
    assert!(march(&state).await.is_empty(), "previews store nothing");
}

#[tokio::test]
async fn the_push_api_answers_a_dry_run_with_the_summary_and_stores_nothing() {
    let state = state().await;
    books_with_a_scan(&state).await;
    let token =
        yangguang_app::integrations::create_token(&state.site, "三资监管平台", vec![code(VILLAGE)]).await.unwrap();
    let push = |body: Vec<u8>| {
        let (state, token) = (state.clone(), token.clone());
        async move {
            let req = Request::post(format!("/api/villages/{VILLAGE}/ledger?dry_run=1"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body))
                .unwrap();
            let (status, _, body) = send(&state, req).await;
            (status, serde_json::from_str::<serde_json::Value>(&body).unwrap())
        }
    };
    let before = march(&state).await;
    let (status, json) = push(AFTER.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!((json["status"].as_str(), json["importable"].as_bool()), (Some("dry_run"), Some(true)));
    assert_eq!(
        (json["new"].as_u64(), json["changed"].as_u64(), json["unchanged"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(json["receipts_to_recheck"], 1);
    assert_eq!(json["months"][0]["locked"], false);
    let changed = &json["changed_vouchers"][0];
    assert_eq!(
        (changed["old"][0]["summary"].as_str(), changed["new"][0]["summary"].as_str()),
        (Some("购办公用品"), Some("收老校舍租金"))
    );
    assert_eq!(march(&state).await, before, "a dry run stores nothing");
    assert!(state.site.store.flagged_receipts(code(VILLAGE)).await.unwrap().is_empty());

    let (status, json) = push(AFTER.replace("\"1,800.00\",\n", "\"1,8x0.00\",\n").into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json["errors"][0]["row"], 5, "{json}");
    state.site.store.freeze_books(code(VILLAGE), (2026, 3), (2026, 3), DisclosureId(1)).await.unwrap();
    let (status, json) = push(AFTER.as_bytes().to_vec()).await;
    assert_eq!((status, json["importable"].as_bool()), (StatusCode::CONFLICT, Some(false)));
    assert_eq!(json["months"][0]["locked"], true);
    assert_eq!(march(&state).await, before);
}

#[tokio::test]
async fn a_register_upload_shows_changed_rows_old_and_new_before_it_is_confirmed() {
    let state = state().await;
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let assets = "资产编号,资产名称,资产类别,坐落,面积,原值（元）,使用状态,使用人\n\
                  ZC-01,村委办公楼,房屋,村口,800,\"1,200,000.00\",在用,村委会\nZC-02,老校舍,房屋,村口,300,150000,出租,王建明\n";
    let upload = |bytes: Vec<u8>| multipart(&clerk, "/console/assets", VILLAGE, &[("资产台账.csv", &bytes)]);
    let (status, _, html) = send(&state, upload(assets.as_bytes().to_vec())).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(state.site.store.village_records("asset", code(VILLAGE)).await.unwrap().is_empty(), "not stored yet");
    let (status, _, _) = post_form(&state, &clerk, "/console/imports/confirm", &confirm_form(&html, VILLAGE)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(state.site.store.village_records("asset", code(VILLAGE)).await.unwrap().len(), 2);

    // 老校舍 leased out to someone else, 村委办公楼 gone.
    let changed = "资产编号,资产名称,资产类别,坐落,面积,原值（元）,使用状态,使用人\nZC-02,老校舍,房屋,村口,300,150000,出租,李四海\n";
    let (status, _, html) = send(&state, upload(changed.as_bytes().to_vec())).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "变更 <strong>1</strong> 条",
        "移除 <strong>1</strong> 条",
        "ZC-02",
        "王*明",
        "李*海",
        "使用/承包方 <mark>已改</mark>",
        "村委办公楼",
    ] {
        assert!(html.contains(text), "the preview shows {text}: {html}");
    }
    let stored = state.site.store.village_records("asset", code(VILLAGE)).await.unwrap();
    assert_eq!(stored.len(), 2, "nothing changes before the confirm");
    let (_, to, _) = post_form(&state, &clerk, "/console/imports/confirm", &confirm_form(&html, VILLAGE)).await;
    assert!(to.starts_with("/console/d/"), "{to}");
    assert_eq!(state.site.store.village_records("asset", code(VILLAGE)).await.unwrap().len(), 1);
}

fn id(seventeen: &str) -> String {
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = seventeen.bytes().zip(w).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{seventeen}{}", ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize])
}

#[tokio::test]
async fn households_and_the_banks_credit_lines_are_previewed_before_they_are_stored() {
    let state = state().await;
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let members = format!(
        "户号,姓名,与户主关系,身份证号,联系电话\n001,王建明,户主,{},13800138000\n002,张伟,户主,{},13900139000\n",
        id("33992119650312001"),
        id("33992119800505003")
    );
    let upload = multipart(&clerk, "/console/households", VILLAGE, &[("members.csv", members.as_bytes())]);
    let (status, _, html) = send(&state, upload).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("农户") && html.contains("登录手机号") && html.contains("新增 <strong>2</strong> 条"),
        "{html}"
    );
    assert!(!html.contains("13800138000"), "phones are shown by count only");
    assert!(state.site.store.village_records("household", code(VILLAGE)).await.unwrap().is_empty());
    let (status, to, _) = post_form(&state, &clerk, "/console/imports/confirm", &confirm_form(&html, VILLAGE)).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/console/households"));
    assert_eq!(state.site.store.village_records("household", code(VILLAGE)).await.unwrap().len(), 2);

    // The bank's file: previewed by its editor, refused to a clerk, a row naming no household an error.
    let bank = common::staff_cookie(&state, "bank", Role::BankEditor, "339921000000").await;
    let credit = "户号,信用等级,授信额度,有效期至\n001,AAA,\"200,000\",2028-12-31\n";
    let upload =
        |cookie: &str, text: &str| multipart(cookie, "/console/bank/credit", VILLAGE, &[("授信.csv", text.as_bytes())]);
    let (status, _, _) = send(&state, upload(&clerk, credit)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, html) = send(&state, upload(&bank, "户号,信用等级,授信额度,有效期至\n777,A,1,2027-01-01\n")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("本村户籍台账中没有这一户") && html.contains("授信.csv"), "{html}");
    let (status, _, html) = send(&state, upload(&bank, credit)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("农户授信") && html.contains("新增 <strong>1</strong> 条") && html.contains("AAA"), "{html}");
    assert!(state.site.store.village_records("household-credit", code(VILLAGE)).await.unwrap().is_empty());
    let (status, to, _) = post_form(&state, &bank, "/console/imports/confirm", &confirm_form(&html, VILLAGE)).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/console/bank"));
    assert_eq!(state.site.store.village_records("household-credit", code(VILLAGE)).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_large_file_lists_the_first_vouchers_and_counts_them_all() {
    let state = state().await;
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let mut file = String::from("凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额\n");
    for n in 1..=350 {
        let day = n % 28 + 1;
        file.push_str(&format!(
            "2026-03-{day:02},记-{n:03},收租金,102,10.00,\n2026-03-{day:02},记-{n:03},收租金,501003,,10.00\n"
        ));
    }
    let (status, html) = preview_ledger(&state, &clerk, "三月.csv", file.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("新增凭证 <strong>350</strong> 张") && html.contains("列出前 100 张，共 350 张"), "{html}");
    assert_eq!(html.matches("data-label=\"凭证\"").count(), 200, "100 vouchers of two lines each");
    assert_eq!(html.matches("<td data-label=\"新增\">350</td>").count(), 1, "the month's count is exact");
}
