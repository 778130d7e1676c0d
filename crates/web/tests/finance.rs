//! The public accounts page: totals equal the vouchers, every category opens its vouchers,
//! unpublished months are not public, and the page fits one round trip on a phone.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use chrono::{NaiveDate, TimeZone, Utc};
use common::code;
use tower::ServiceExt;
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure};
use yangguang_store::LedgerStore;
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";

fn line(day: u32, no: &str, summary: &str, account: &str, debit: i64, credit: i64) -> LedgerEntry {
    LedgerEntry {
        date: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
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

async fn state() -> AppState {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    let books = vec![
        line(5, "记-001", "收厂房租金", "102", 1_200_000, 0),
        line(5, "记-001", "收厂房租金", "501003", 0, 1_200_000),
        line(8, "记-002", "购办公用品", "531002", 32_050, 0),
        line(8, "记-002", "购办公用品", "101", 0, 32_050),
        line(20, "记-003", "发放村干部报酬", "531001", 1_500_000, 0),
        line(20, "记-003", "发放村干部报酬", "102", 0, 1_500_000),
    ];
    store.import_vouchers(code(VILLAGE), &vouchers(&books), Utc::now()).await.unwrap();
    let site = common::site_over(store, "finance").await;
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
    AppState::new(Arc::new(site))
}

async fn get(state: &AppState, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    (r.status(), to_bytes(r.into_body(), 4 << 20).await.unwrap().to_vec())
}

#[tokio::test]
async fn the_month_page_totals_equal_its_vouchers_and_opens_them() {
    let s = state().await;
    let (status, body) = get(&s, &format!("/v/{VILLAGE}/finance/2026-03"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("收入 <strong>12,000.00</strong> 元"), "total income");
    assert!(html.contains("支出 <strong>15,320.50</strong> 元"), "total spending");
    assert!(html.contains("租金收入") && html.contains("干部报酬") && html.contains("办公费用"));
    assert!(html.contains("<svg") && html.contains("近12 个月收入与支出"), "the chart, with its table alternative");
    assert_eq!(html.matches("<details id=\"v-").count(), 3, "every voucher is listed");
    let (_, filtered) =
        get(&s, &format!("/v/{VILLAGE}/finance/2026-03?category=%E5%8A%9E%E5%85%AC%E8%B4%B9%E7%94%A8"), &[]).await;
    let filtered = String::from_utf8(filtered).unwrap();
    assert_eq!(filtered.matches("<details id=\"v-").count(), 1, "a category opens its own vouchers");
    assert!(filtered.contains("购办公用品"));
    let (_, br) =
        get(&s, &format!("/v/{VILLAGE}/finance/2026-03"), &[("accept-encoding", "br"), ("cookie", "yg_elder=1")]).await;
    assert!(br.len() <= 14 * 1024, "{} bytes", br.len());
}

#[tokio::test]
async fn months_whose_accounts_are_not_published_are_not_public() {
    let s = state().await;
    for uri in [
        format!("/v/{VILLAGE}/finance/2020-04"),
        format!("/v/{VILLAGE}/finance/2026-Q1"),
        format!("/v/{VILLAGE}/finance/bad"),
    ] {
        let (status, _) = get(&s, &uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
    // A recent month due and not published says so (the disclosure calendar), and shows
    // nothing of its books.
    let (status, body) = get(&s, &format!("/v/{VILLAGE}/finance/2026-04"), &[]).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("2026年4月收支明细未按时公开") && body.contains("已逾期"), "{body}");
    assert!(!body.contains("收厂房租金") && !body.contains("记-001"), "{body}");
}

#[tokio::test]
async fn statements_download_as_csv_and_xlsx() {
    let s = state().await;
    let (status, csv) = get(&s, &format!("/v/{VILLAGE}/finance/2026-03/statement.csv"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for spreadsheet programs");
    assert!(csv.contains("收入,租金收入,12000.00,1") && csv.contains("支出,合计,15320.50"), "{csv}");
    let (status, xlsx) = get(&s, &format!("/v/{VILLAGE}/finance/2026-03/statement.xlsx"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK\x03\x04"));
    let (status, _) = get(&s, &format!("/v/{VILLAGE}/finance/2026-04/statement.csv"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The official Fiscal Data Package schema, with its dictionary inlined so it validates
/// offline (the copy vendored in `tests/schemas`, see its `SOURCES.md`).
fn fdp_schema() -> serde_json::Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/frictionless-v1");
    let read = |p: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
    };
    let mut schema = read(dir.join("fiscal-data-package.json"));
    let dictionary = read(dir.join("schemas/dictionary.json"));
    let text =
        serde_json::to_string(&schema).unwrap().replace("schemas/dictionary.json#/definitions/", "#/definitions/");
    schema = serde_json::from_str(&text).unwrap();
    schema["definitions"] = dictionary["definitions"].clone();
    schema
}

#[tokio::test]
async fn a_years_books_are_a_valid_fiscal_data_package() {
    let s = state().await;
    let (status, body) = get(&s, &format!("/v/{VILLAGE}/open-data/2026/datapackage.json"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let package: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let validator = jsonschema::validator_for(&fdp_schema()).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&package).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is strict enough to catch a broken package.
    let mut broken = package.clone();
    broken["model"]["measures"]["income"]["currency"] = serde_json::json!("yuan");
    assert!(!validator.is_valid(&broken));
    let (_, csv) = get(&s, &format!("/v/{VILLAGE}/open-data/2026/ledger.csv"), &[]).await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM, like every CSV we publish");
    assert_eq!(csv.lines().count(), 1 + 3, "a header and the three income or spending lines: {csv}");
    let income: f64 = csv.lines().skip(1).map(|l| l.split(',').nth(8).unwrap().parse::<f64>().unwrap()).sum();
    assert_eq!(income, 12000.0);
    // Vouchers are keyed by month and number, in the one voucher format.
    assert!(csv.contains("\n2026-03/记-001/1,2026-03-05,2026-03/记-001,记-001,收厂房租金,"), "{csv}");
    assert_eq!(package["model"]["dimensions"]["voucher"]["primaryKey"], "id");
    assert_eq!(package["model"]["dimensions"]["voucher"]["attributes"]["id"]["source"], "voucher_id");
    // An outside validator reads the package and its CSV (BOM, types, unique line keys).
    if let Some(frictionless) = common::tools::tool("frictionless") {
        let dir = std::env::temp_dir().join(format!("yg-fdp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("datapackage.json"), &body).unwrap();
        std::fs::write(dir.join("ledger.csv"), csv.as_bytes()).unwrap();
        let out = std::process::Command::new(frictionless)
            .args(["validate", "--json", "datapackage.json"])
            .current_dir(&dir)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout).into_owned();
        std::fs::remove_dir_all(&dir).ok();
        assert!(out.status.success(), "frictionless: {report} {}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!(report["valid"], true, "{report:#}");
    }
    let (status, _) = get(&s, &format!("/v/{VILLAGE}/open-data/2025/datapackage.json"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no published books that year");
}

/// A zip bomb made here (64 MB of zeros in about 64 KB) among receipt scans: refused by name,
/// with the reason in Chinese first, without being expanded, and the scans beside it are
/// still looked at. (Peak memory of such imports is measured in the README.)
#[tokio::test]
async fn a_receipt_zip_bomb_is_refused_by_name() {
    use std::io::Write;
    let s = state().await;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("2026-03_记-002.jpg", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        w.write_all(&zeros).unwrap();
    }
    w.start_file("2026-03_记-001.jpg", options).unwrap();
    w.write_all(b"not really a jpeg").unwrap();
    w.finish().unwrap();
    let zip = buf.into_inner();
    assert!(zip.len() < 256 * 1024);
    let report = yangguang_app::receipts::import_receipts(&s.site, code(VILLAGE), vec![("scans.zip".into(), zip)])
        .await
        .unwrap();
    assert_eq!(report.added, 0);
    let (name, why) = &report.unmatched[0];
    assert_eq!(name, "2026-03_记-002.jpg");
    assert!(why.starts_with("解压后 64.0 MB，超过单个文件上限 10.0 MB"), "{why}");
    let (name, why) = &report.unmatched[1];
    assert_eq!(name, "2026-03_记-001.jpg", "the next entry is still read");
    assert!(why.contains("不是支持的文件类型"), "{why}");
    // A file that only looks like a zip is listed by its name, and the import goes on.
    let files = vec![("broken.zip".to_owned(), b"PK\x03\x04 not really".to_vec())];
    let report = yangguang_app::receipts::import_receipts(&s.site, code(VILLAGE), files).await.unwrap();
    assert_eq!(report.unmatched.len(), 1);
    assert!(report.unmatched[0].0 == "broken.zip" && report.unmatched[0].1.starts_with("压缩包无法读取"));
}
