//! The receipt desk through the router: photos from the phone's camera and zips of scans go
//! into the month's tray, file names suggest vouchers, one tap assigns, scans expected are
//! counted against scans attached, a mistake is detached (audited); hostile zips are named
//! and skipped; other villages' clerks and forms without the CSRF token are refused; the
//! public pages say 原始票据未上传 until the scans are there — on SQLite and PostgreSQL.

mod common;

use std::io::{Cursor, Write};
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, TimeZone, Utc};
use common::code;
use tower::ServiceExt;
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::staff::Role;
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure};
use yangguang_store::Store;
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";
const DESK: &str = "/console/receipts?village=339921100201&month=2026-03";

fn line(day: u32, no: &str, summary: &str, account: &str, debit: i64, credit: i64, att: u32) -> LedgerEntry {
    LedgerEntry {
        date: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
        voucher_no: no.into(),
        summary: summary.into(),
        account_code: account.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments: att,
        row: 0,
    }
}

/// March's books: 记-001 expects two scans, 记-002 and 记-003 one each (the count repeated on
/// every line, as some exports write it); April has one voucher. March is published when asked.
async fn state_over(store: impl Store + 'static, published: bool) -> AppState {
    let mut books = vec![
        line(5, "记-001", "购办公用品", "531002", 32_050, 0, 2),
        line(5, "记-001", "购办公用品", "101", 0, 32_050, 2),
        line(8, "记-002", "支付水电费", "531002", 50_000, 0, 1),
        line(8, "记-002", "支付水电费", "102", 0, 50_000, 0),
        line(20, "记-003", "发放村干部报酬", "531001", 1_500_000, 0, 1),
        line(20, "记-003", "发放村干部报酬", "102", 0, 1_500_000, 0),
    ];
    let mut april = line(2, "记-001", "购茶叶", "531002", 10_000, 0, 1);
    april.date = NaiveDate::from_ymd_opt(2026, 4, 2).unwrap();
    let mut april2 = april.clone();
    (april2.account_code, april2.debit, april2.credit) = ("101".into(), Fen(0), Fen(10_000));
    books.extend([april, april2]);
    store.import_vouchers(code(VILLAGE), &vouchers(&books), Utc::now()).await.unwrap();
    let site = common::site_over(store, "receipts").await;
    if published {
        let at = Utc.with_ymd_and_hms(2026, 4, 5, 2, 0, 0).unwrap();
        site.add_disclosures(&[NewDisclosure {
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
    AppState::new(Arc::new(site))
}

async fn state(published: bool) -> AppState {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    state_over(store, published).await
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

async fn send(state: &AppState, req: axum::http::request::Builder, cookie: &str, body: Body) -> Page {
    let req = req.header(header::COOKIE, cookie).header(header::HOST, "localhost").body(body).unwrap();
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    let location = r.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = String::from_utf8_lossy(&to_bytes(r.into_body(), 16 << 20).await.unwrap()).to_string();
    Page { status, location, body }
}

async fn get(state: &AppState, uri: &str, cookie: &str) -> Page {
    send(state, Request::get(uri), cookie, Body::empty()).await
}

async fn post(state: &AppState, uri: &str, cookie: &str, fields: &[(&str, &str)]) -> Page {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let req = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    send(state, req, cookie, Body::from(body)).await
}

/// A multipart upload as the desk's form sends it: photos and zips under `files`.
async fn upload(state: &AppState, cookie: &str, csrf: &str, files: &[(&str, Vec<u8>)]) -> Page {
    let boundary = "receiptsboundary42";
    let mut body = Vec::new();
    for (k, v) in [("csrf", csrf), ("village", VILLAGE), ("month", "2026-03")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post("/console/receipts/upload")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
    send(state, req, cookie, Body::from(body)).await
}

/// A distinct photo per seed, as a camera's JPEG with an EXIF block (GPS and all).
fn photo(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(60, 40, |x, y| image::Rgb([seed, (x * 4) as u8, (y * 6) as u8]));
    let mut plain = Vec::new();
    img.write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg).unwrap();
    let payload = b"Exif\0\0GPS-31.2304N-121.4737E";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    for (name, bytes) in entries {
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
    buf.into_inner()
}

/// The tray's scans on the page, as (id, file name), in order.
fn tray_ids(page: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    for chunk in page.split("name=\"tray\" value=\"").skip(1) {
        let id = chunk.split('"').next().unwrap().to_owned();
        if out.iter().any(|(i, _)| *i == id) {
            continue;
        }
        let name = chunk.split("移除 ").nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_owned();
        out.push((id, name));
    }
    out
}

/// The desk's voucher cards, in order, with their count line.
fn voucher_cards(page: &str) -> Vec<(String, String)> {
    let section = page.split("id=\"vouchers\"").nth(1).unwrap();
    section
        .split("<li class=\"desk-card\" id=\"")
        .skip(1)
        .map(|c| {
            let anchor = c.split('"').next().unwrap().to_owned();
            let count = c.split("应附 ").nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_owned();
            (anchor, format!("应附 {count}"))
        })
        .collect()
}

async fn the_whole_desk(s: &AppState) {
    let clerk = common::staff_cookie(s, "clerk", Role::VillageClerk, VILLAGE).await;
    let page = get(s, DESK, &clerk).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("capture=\"environment\"") && page.body.contains("accept=\"image/*\""), "the camera");
    assert!(page.body.contains("其中 <strong>3</strong> 张原始票据未传齐"), "{}", page.body);

    // Three photos from the camera: two named after 记-001, one as the camera names it.
    let up = upload(
        s,
        &clerk,
        "c",
        &[("记-001_1.jpg", photo(1)), ("2026-03-记001.jpg", photo(2)), ("IMG_0001.jpg", photo(3))],
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    assert!(up.body.contains("已上传 3 张到“待分配”"), "{}", up.body);
    let tray = tray_ids(&up.body);
    assert_eq!(tray.len(), 3, "{tray:?}");
    assert_eq!(up.body.matches("· 建议：记-1").count(), 2, "suggested from their names");
    assert!(up.body.contains("按建议分配全部 2 张"));
    // Re-encoded on the way in: the EXIF block (with GPS) is gone.
    let scans = s.site.store.tray(code(VILLAGE), 2026, 3).await.unwrap();
    for scan in &scans {
        let bytes = s.site.files.get(&scan.sha256).await.unwrap();
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{}", scan.file_name);
    }
    // The same photo again is not a second scan.
    let again = upload(s, &clerk, "c", &[("记-001_1.jpg", photo(1))]).await;
    assert!(again.body.contains("已上传 0 张到“待分配”，1 张此前已上传"), "{}", again.body);

    let done = post(
        s,
        "/console/receipts/assign-suggested",
        &clerk,
        &[("csrf", "c"), ("village", VILLAGE), ("month", "2026-03")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location, DESK);
    let page = get(s, DESK, &clerk).await;
    // One tap for the rest: the camera's photo onto 记-002.
    let rest = tray_ids(&page.body);
    assert_eq!(rest.len(), 1);
    assert!(page.body.contains("name=\"voucher\" value=\"记-2\""), "a one-tap button per voucher still missing scans");
    let tap = post(
        s,
        "/console/receipts/assign",
        &clerk,
        &[
            ("csrf", "c"),
            ("village", VILLAGE),
            ("month", "2026-03"),
            ("tray", &rest[0].0),
            ("voucher", "记-2"),
            ("chosen", "记-1"),
        ],
    )
    .await;
    assert_eq!(tap.status, StatusCode::SEE_OTHER, "{}", tap.body);
    assert!(tap.location.ends_with("#v-2"), "{}", tap.location);
    // Expected against attached, the one still missing first.
    let page = get(s, DESK, &clerk).await;
    let cards = voucher_cards(&page.body);
    assert_eq!(
        cards,
        [
            ("v-3".into(), "应附 1 张，已上传 0 张".into()),
            ("v-1".into(), "应附 2 张，已上传 2 张".into()),
            ("v-2".into(), "应附 1 张，已上传 1 张".into())
        ],
        "{cards:?}"
    );
    assert!(page.body.contains("其中 <strong>1</strong> 张原始票据未传齐"));

    // A scan on the wrong voucher comes off, back into the tray, and the audit trail says so.
    let receipts = s.site.store.receipts(code(VILLAGE), 2026, 3).await.unwrap();
    let wrong = receipts.iter().find(|r| r.voucher_no == "记-2").unwrap();
    let fields = [
        ("csrf", "c"),
        ("village", VILLAGE),
        ("month", "2026-03"),
        ("voucher", "记-2"),
        ("sha256", wrong.sha256.as_str()),
    ];
    let off = post(s, "/console/receipts/detach", &clerk, &fields).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    let page = get(s, DESK, &clerk).await;
    assert_eq!(tray_ids(&page.body).len(), 1, "back in the tray");
    assert!(voucher_cards(&page.body).contains(&("v-2".into(), "应附 1 张，已上传 0 张".into())));
    let twice = post(s, "/console/receipts/detach", &clerk, &fields).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "already off");
    let audit = s.site.store.list_audit(1, 50).await.unwrap().items;
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "receipt-attach").count(), 3, "{actions:?}");
    let detach = audit.iter().find(|a| a.action == "receipt-detach").expect("the detach is audited");
    assert_eq!(detach.target, format!("{VILLAGE}/2026-03/记-2"));
    assert!(detach.detail.starts_with(&wrong.sha256));

    // The scans open for the clerk, not for another village's clerk.
    let thumb = get(s, &format!("/console/receipts/scan/{VILLAGE}/2026-03/{}/thumb", wrong.sha256), &clerk).await;
    assert_eq!(thumb.status, StatusCode::OK);
    let other = common::staff_cookie(s, "other", Role::VillageClerk, OTHER).await;
    let peek = get(s, &format!("/console/receipts/scan/{VILLAGE}/2026-03/{}/full", wrong.sha256), &other).await;
    assert_eq!(peek.status, StatusCode::FORBIDDEN);
    // A scan of April is not March's.
    let wrong_month = get(s, &format!("/console/receipts/scan/{VILLAGE}/2026-04/{}/full", wrong.sha256), &clerk).await;
    assert_eq!(wrong_month.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn photos_are_suggested_assigned_counted_and_detached() {
    the_whole_desk(&state(false).await).await;
}

#[tokio::test]
async fn the_desk_works_on_postgres() {
    let regions = common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")]);
    let Some((store, schema)) = common::postgres_store_with(&regions).await else { return };
    the_whole_desk(&state_over(store, false).await).await;
    schema.drop().await;
}

#[tokio::test]
async fn hostile_zips_are_named_and_skipped() {
    let s = state(false).await;
    let clerk = common::staff_cookie(&s, "clerk", Role::VillageClerk, VILLAGE).await;
    let mut gbk_named = zip_of(&[("XX-003.jpg", photo(9))]);
    let (gbk, _, _) = encoding_rs::GBK.encode("记-003.jpg");
    for i in 0..gbk_named.len() - 10 {
        if &gbk_named[i..i + 10] == b"XX-003.jpg" {
            gbk_named[i..i + 10].copy_from_slice(&gbk);
        }
    }
    let zip = zip_of(&[
        ("scans/记-002.jpg", photo(7)),
        ("../../etc/记-001.jpg", photo(8)),
        ("bomb.jpg", vec![0u8; 5_000_000]),
        ("说明.txt", "这不是图片".as_bytes().to_vec()),
        ("inner.zip", zip_of(&[("记-001.jpg", photo(6))])),
    ]);
    let up = upload(
        &s,
        &clerk,
        "c",
        &[("三月票据.zip", zip), ("windows.zip", gbk_named), ("broken.zip", b"PK\x03\x04 nope".to_vec())],
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    assert!(up.body.contains("已上传 2 张到“待分配”"), "{}", up.body);
    assert!(up.body.contains("三月票据.zip › ../../etc/记-001.jpg：文件名含路径或非法字符"), "{}", up.body);
    assert!(up.body.contains("三月票据.zip › bomb.jpg：压缩比"), "{}", up.body);
    assert!(up.body.contains("“说明.txt” 不是图片，已跳过"), "{}", up.body);
    assert!(up.body.contains("“inner.zip” 不是图片，已跳过"), "a zip in a zip is not opened: {}", up.body);
    assert!(up.body.contains("broken.zip：压缩包无法读取"), "{}", up.body);
    let tray = s.site.store.tray(code(VILLAGE), 2026, 3).await.unwrap();
    let names: Vec<&str> = tray.iter().map(|t| t.file_name.as_str()).collect();
    assert_eq!(names, ["记-002.jpg", "记-003.jpg"], "the GBK name reads as Chinese");
    let page = get(&s, DESK, &clerk).await;
    assert!(page.body.contains("记-003.jpg</strong> · 建议：记-3"), "{}", page.body);
    // Nothing but refused files: the page says so with 422, nothing lost.
    let bad = upload(&s, &clerk, "c", &[("a.txt", b"hello".to_vec())]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("“a.txt” 不是图片"));
    // A month without books takes no scans.
    let empty = upload_month(&s, &clerk, "2026-05", &[("记-1.jpg", photo(1))]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("2026年5月没有已导入的凭证"), "{}", empty.body);
}

async fn upload_month(state: &AppState, cookie: &str, month: &str, files: &[(&str, Vec<u8>)]) -> Page {
    let boundary = "receiptsboundary43";
    let mut body = Vec::new();
    for (k, v) in [("csrf", "c"), ("village", VILLAGE), ("month", month)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post("/console/receipts/upload")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
    send(state, req, cookie, Body::from(body)).await
}

#[tokio::test]
async fn other_villages_clerks_and_forms_without_the_token_are_refused() {
    let s = state(false).await;
    let clerk = common::staff_cookie(&s, "clerk", Role::VillageClerk, VILLAGE).await;
    let other = common::staff_cookie(&s, "other", Role::VillageClerk, OTHER).await;
    let finance = common::staff_cookie(&s, "finance", Role::FinanceGroupMember, VILLAGE).await;
    upload(&s, &clerk, "c", &[("记-001_1.jpg", photo(1))]).await;
    let id = s.site.store.tray(code(VILLAGE), 2026, 3).await.unwrap()[0].id.to_string();
    let assign = |csrf: &'static str, village: &'static str| {
        [("csrf", csrf), ("village", village), ("month", "2026-03"), ("tray", ""), ("voucher", "记-1")]
    };
    let mut fields = assign("c", VILLAGE);
    fields[3].1 = &id;
    assert_eq!(get(&s, DESK, &other).await.status, StatusCode::FORBIDDEN);
    assert_eq!(get(&s, DESK, &finance).await.status, StatusCode::FORBIDDEN, "reviewers do not file receipts");
    assert_eq!(post(&s, "/console/receipts/assign", &other, &fields).await.status, StatusCode::FORBIDDEN);
    assert_eq!(upload(&s, &other, "c", &[("记-1.jpg", photo(2))]).await.status, StatusCode::FORBIDDEN);
    // Naming their own village does not reach this village's tray.
    let mut own = assign("c", OTHER);
    own[3].1 = &id;
    assert_eq!(post(&s, "/console/receipts/assign", &other, &own).await.status, StatusCode::CONFLICT);
    // Without the CSRF token, or with a wrong one: refused, nothing moves.
    let mut forged = assign("wrong", VILLAGE);
    forged[3].1 = &id;
    assert_eq!(post(&s, "/console/receipts/assign", &clerk, &forged).await.status, StatusCode::FORBIDDEN);
    let no_token: Vec<_> = fields.iter().filter(|(k, _)| *k != "csrf").copied().collect();
    assert_eq!(post(&s, "/console/receipts/assign", &clerk, &no_token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(upload(&s, &clerk, "", &[("记-1.jpg", photo(2))]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.site.store.tray(code(VILLAGE), 2026, 3).await.unwrap().len(), 1);
    assert!(s.site.store.receipts(code(VILLAGE), 2026, 3).await.unwrap().is_empty());
    // A voucher the month lacks is refused by name; a bad month is a clear 400.
    let mut nine = fields;
    nine[4].1 = "记-9";
    let refused = post(&s, "/console/receipts/assign", &clerk, &nine).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("该月没有凭证 记-9"), "{}", refused.body);
    let bad_month = get(&s, "/console/receipts?village=339921100201&month=三月", &clerk).await;
    assert_eq!(bad_month.status, StatusCode::BAD_REQUEST);
    assert!(bad_month.body.contains("应如 2026-03"));
}

#[tokio::test]
async fn the_public_month_says_which_scans_are_missing_until_they_are_uploaded() {
    let s = state(true).await;
    let public = format!("/v/{VILLAGE}/finance/2026-03");
    let page = get(&s, &public, "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("原始票据未上传（应附").count(), 3, "{}", page.body);
    assert!(page.body.contains("原始票据未上传（应附 2 张，已上传 0 张）"));
    assert!(page.body.contains("· 2 张原始票据"), "附件数 repeated on each line counts once");

    let clerk = common::staff_cookie(&s, "clerk", Role::VillageClerk, VILLAGE).await;
    let desk = get(&s, DESK, &clerk).await;
    assert!(desk.body.contains("账目已公开：补传并分配的票据会立即公开"), "the clerk is told before assigning");
    upload(&s, &clerk, "c", &[("记-001_1.jpg", photo(1)), ("记-002.jpg", photo(2)), ("记-003.jpg", photo(3))]).await;
    let done = post(
        &s,
        "/console/receipts/assign-suggested",
        &clerk,
        &[("csrf", "c"), ("village", VILLAGE), ("month", "2026-03")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = get(&s, &public, "").await;
    assert_eq!(page.body.matches("原始票据未上传（应附").count(), 1, "only 记-001 still misses one");
    assert!(page.body.contains("原始票据未上传（应附 2 张，已上传 1 张）"));
    // The scan's own page says its voucher still misses one.
    let receipts = s.site.store.receipts(code(VILLAGE), 2026, 3).await.unwrap();
    let first = receipts.iter().find(|r| r.voucher_no == "记-1").unwrap();
    let viewer = get(&s, &format!("{public}/receipt/{}", first.sha256), "").await;
    assert_eq!(viewer.status, StatusCode::OK);
    assert!(viewer.body.contains("原始票据未上传</span> 应附 2 张，已上传 1 张"), "{}", viewer.body);
    let complete = receipts.iter().find(|r| r.voucher_no == "记-2").unwrap();
    let viewer = get(&s, &format!("{public}/receipt/{}", complete.sha256), "").await;
    assert!(!viewer.body.contains("原始票据未上传"));

    upload(&s, &clerk, "c", &[("记-001_2.jpg", photo(4))]).await;
    post(
        &s,
        "/console/receipts/assign-suggested",
        &clerk,
        &[("csrf", "c"), ("village", VILLAGE), ("month", "2026-03")],
    )
    .await;
    let page = get(&s, &public, "").await;
    assert!(!page.body.contains("原始票据未上传"), "every scan is there");

    // Published scans stay: detaching is refused with the reason, and nothing moves.
    let fields = [
        ("csrf", "c"),
        ("village", VILLAGE),
        ("month", "2026-03"),
        ("voucher", "记-2"),
        ("sha256", complete.sha256.as_str()),
    ];
    let refused = post(&s, "/console/receipts/detach", &clerk, &fields).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("2026年3月的账目已公开，已公开的原始票据不能取下"), "{}", refused.body);
    assert_eq!(s.site.store.receipts(code(VILLAGE), 2026, 3).await.unwrap().len(), 4);
    let desk = get(&s, DESK, &clerk).await;
    assert!(!desk.body.contains(">取下</button>"), "no detach button on a published month");
}
