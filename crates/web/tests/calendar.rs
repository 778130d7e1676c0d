//! The disclosure calendar through the real router, on a small hand-built county whose rates
//! are counted by hand: a planted gap shows as 未按时公开 with the right days on the public
//! pages, a late publication counts as late, quiet months are due with their quarter, months
//! with no vouchers do not count, and the town, county and console figures agree.
//!
//! Every date is relative to today (the pages reckon with the real date), and chosen so that
//! each expected state holds whatever day of the month the test runs on.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use common::{code, region};
use tower::ServiceExt;
use yangguang_app::Site;
use yangguang_app::files::FileStore;
use yangguang_app::keys::PlatformKey;
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::staff::Role;
use yangguang_core::{Catalog, DisclosureKind, DisclosureState, Fen, NewDisclosure, Period, RegionKind};
use yangguang_store::{LedgerStore, Store};
use yangguang_web::{AppState, router};

const A: &str = "339921100201"; // 前山村, 青山镇: busy months, one gap, one late, one waiting
const B: &str = "339921100202"; // 后山村, 青山镇: quiet months, due with their quarter
const C: &str = "339921101201"; // 绿水村, 绿水镇: one busy month, published late
const TOWN: &str = "339921100000";
const OTHER_TOWN: &str = "339921101000";
const COUNTY: &str = "339921000000";

/// Only the monthly accounts have a deadline here, so every figure can be counted by hand.
const ITEMS: &str = r#"
[[item]]
id = "income-expenditure"
name = "收支明细及原始票据"
name_en = "Income and expenditure with receipts"
column = "finance-income"
frequency = "monthly"
deadline = "period-end+10d"
reviewers = ["finance-group"]
busy_vouchers = 30
quiet_deadline = "period-end+20d"
locks_books = true

[[item]]
id = "assets-register"
name = "资产台账"
name_en = "Assets register"
column = "assets-register"
frequency = "continuous"
deadline = "always"
reviewers = ["supervision-committee"]

[[item]]
id = "resources-register"
name = "资源台账"
name_en = "Resources register"
column = "assets-resources"
frequency = "continuous"
deadline = "always"
reviewers = ["supervision-committee"]

[[item]]
id = "contracts-register"
name = "经济合同台账"
name_en = "Contracts register"
column = "assets-contracts"
frequency = "continuous"
deadline = "always"
reviewers = ["supervision-committee"]
"#;

fn today() -> NaiveDate {
    yangguang_app::today()
}

/// The month `back` months before this one.
fn month(back: u32) -> Period {
    let first = today().with_day(1).unwrap().checked_sub_months(Months::new(back)).unwrap();
    Period::Month { year: first.year(), month: first.month() }
}

/// `n` vouchers of `yuan` each in a month (a receipt and its bank line each).
fn books(period: Period, n: u32, yuan: i64) -> Vec<LedgerEntry> {
    let mut lines = vec![];
    for i in 0..n {
        let date = period.start() + Days::new(u64::from(i % 28));
        let line = |account: &str, debit: i64, credit: i64, row| LedgerEntry {
            date,
            voucher_no: format!("记-{:03}", i + 1),
            summary: "收租金".into(),
            account_code: account.into(),
            account_name: String::new(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments: 0,
            row,
        };
        lines.push(line("102", yuan * 100, 0, 1));
        lines.push(line("501003", 0, yuan * 100, 2));
    }
    lines
}

fn accounts(village: &str, period: Period, published: NaiveDate) -> NewDisclosure {
    let at = Utc.from_utc_datetime(&published.and_hms_opt(2, 0, 0).unwrap()); // 10:00 in China
    NewDisclosure {
        village: code(village),
        column: "finance-income".into(),
        catalog_item: Some("income-expenditure".into()),
        period: Some(period),
        title: format!("{}收支明细及原始票据", period.label_zh()),
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
    }
}

/// The monthly deadline of a busy month.
fn busy_deadline(p: Period) -> NaiveDate {
    p.end() + Days::new(10)
}

struct County {
    state: AppState,
    gap_days: i64,
    waiting_days: i64,
}

async fn county() -> County {
    let regions = vec![
        region(COUNTY, "清溪县", None, RegionKind::County),
        region(TOWN, "青山镇", Some(COUNTY), RegionKind::Town),
        region(OTHER_TOWN, "绿水镇", Some(COUNTY), RegionKind::Town),
        region(A, "前山村", Some(TOWN), RegionKind::Village),
        region(B, "后山村", Some(TOWN), RegionKind::Village),
        region(C, "绿水村", Some(OTHER_TOWN), RegionKind::Village),
    ];
    let store = common::store_with(&regions).await;
    // A: six busy months (30 vouchers) from 8 to 3 months back; the month 6 back at 777 yuan
    // a voucher, so its figures are recognisable. B: four quiet months (5 vouchers), 8 to 5
    // back. C: one busy month, 6 back. Everyone has one voucher this month, so the empty
    // months between are covered by the books: nothing to publish for them.
    let mut a = vec![];
    for back in 3..=8 {
        a.extend(books(month(back), 30, if back == 6 { 777 } else { 100 }));
    }
    a.extend(books(month(0), 1, 1));
    let mut b = vec![];
    for back in 5..=8 {
        b.extend(books(month(back), 5, 50));
    }
    b.extend(books(month(0), 1, 1));
    let mut c = books(month(6), 30, 100);
    c.extend(books(month(0), 1, 1));
    for (village, lines) in [(A, a), (B, b), (C, c)] {
        store.import_vouchers(code(village), &vouchers(&lines), Utc::now()).await.unwrap();
    }
    let columns = yangguang_app::catalog_files::DEFAULT_COLUMNS;
    let holidays =
        yangguang_core::holidays::Holidays::parse("h", yangguang_app::catalog_files::DEFAULT_HOLIDAYS).unwrap();
    let catalog = Catalog::parse("columns.toml", columns, "items.toml", ITEMS).unwrap().with_holidays(holidays);
    let dir = std::env::temp_dir().join(format!(
        "yg-calendar-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    ));
    let store: Arc<dyn Store> = Arc::new(store);
    let site = Site::new(store.clone(), catalog, FileStore::new(dir), PlatformKey::from_secret([7; 32])).await.unwrap();
    let published = vec![
        accounts(A, month(8), month(8).end() + Days::new(5)),
        accounts(A, month(7), busy_deadline(month(7)) + Days::new(7)), // 7 days late
        // month(6): never published — the planted gap.
        accounts(A, month(5), month(5).end() + Days::new(10)), // on the deadline: on time
        accounts(A, month(3), month(3).end() + Days::new(2)),
        // Quiet months published 15 days after the month: late by the monthly rule, but due
        // with their quarter (at least 20 days after the month): on time.
        accounts(B, month(8), month(8).end() + Days::new(15)),
        accounts(B, month(7), month(7).end() + Days::new(15)),
        accounts(B, month(6), month(6).end() + Days::new(15)),
        accounts(B, month(5), month(5).end() + Days::new(15)),
        accounts(C, month(6), busy_deadline(month(6)) + Days::new(20)), // 20 days late
    ];
    site.add_disclosures(&published).await.unwrap();
    // A's month 4 back waits for the finance group's review.
    let draft = NewDisclosure { state: DisclosureState::Draft, published_at: None, ..accounts(A, month(4), today()) };
    let id = store.insert_disclosures(&[draft]).await.unwrap()[0];
    store.set_state(id, &[DisclosureState::Draft], DisclosureState::Submitted, None, Utc::now()).await.unwrap();
    County {
        state: AppState::new(Arc::new(site)),
        gap_days: (today() - busy_deadline(month(6))).num_days(),
        waiting_days: (today() - busy_deadline(month(4))).num_days(),
    }
}

async fn get(state: &AppState, uri: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let r = router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = r.status();
    let media = r.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let bytes = to_bytes(r.into_body(), 16 << 20).await.unwrap();
    (status, media, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_planted_gap_shows_on_the_village_pages_with_its_days() {
    let c = county().await;
    let gap = format!("{}收支明细及原始票据", month(6).label_zh());
    let (status, _, home) = get(&c.state, &format!("/v/{A}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(&gap), "{home}");
    assert!(home.contains(&format!("未按时公开，已逾期 {} 天", c.gap_days)), "{home}");
    assert!(home.contains(&format!("待审核，已逾期 {} 天", c.waiting_days)), "the waiting month is a gap too");
    // A: 6 due — 3 on time, 1 late, 2 not published (one waiting): 50.0% on time, 66.7% published.
    assert!(home.contains("及时率") && home.contains("50.0%") && home.contains("66.7%"), "{home}");
    assert!(home.contains("应公开 6 项：按时 3 项，逾期公开 1 项，未公开 2 项"), "{home}");

    // The month's own page says so, instead of "not found".
    let (status, _, page) = get(&c.state, &format!("/v/{A}/finance/{}", month(6)), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("{}收支明细未按时公开", month(6).label_zh())), "{page}");
    assert!(page.contains(&format!("已逾期 {} 天", c.gap_days)) && page.contains(&busy_deadline(month(6)).to_string()));
    assert!(!page.contains("没有找到这个页面"));
    // A month with nothing to publish says that; a month not begun is not found.
    let (status, _, empty) = get(&c.state, &format!("/v/{A}/finance/{}", month(2)), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("没有收支凭证"), "{empty}");
    let next = month(0).next();
    assert_eq!(get(&c.state, &format!("/v/{A}/finance/{next}"), None).await.0, StatusCode::NOT_FOUND);

    // A published month's 12-month table marks the gap and never shows its figures.
    let (status, _, march) = get(&c.state, &format!("/v/{A}/finance/{}", month(3)), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!march.contains("23,310.00"), "the unpublished month's income (30 × 777) is not shown");
    assert!(march.contains("3,000.00"), "a published month's income is");
    assert!(march.contains("✕ 未公开") && march.contains("… 待审核"), "{march}");
    assert!(march.contains(&gap), "the finance pages list the gap");
    // The column page lists it too.
    let (_, _, column) = get(&c.state, &format!("/v/{A}/c/finance-income"), None).await;
    assert!(column.contains(&gap) && column.contains(&format!("已逾期 {} 天", c.gap_days)), "{column}");
    // B: quiet months due with their quarter: all on time; its empty months do not count.
    let (_, _, b) = get(&c.state, &format!("/v/{B}"), None).await;
    assert!(b.contains("应公开 4 项：按时 4 项，逾期公开 0 项，未公开 0 项") && b.contains("100.0%"), "{b}");
    // C: published 20 days late.
    let (_, _, cv) = get(&c.state, &format!("/v/{C}"), None).await;
    assert!(cv.contains("应公开 1 项：按时 0 项，逾期公开 1 项，未公开 0 项") && cv.contains("0.0%"), "{cv}");
}

#[tokio::test]
async fn town_and_county_pages_rank_their_villages_with_the_same_figures() {
    let c = county().await;
    let (status, _, town) = get(&c.state, &format!("/r/{TOWN}"), None).await;
    assert_eq!(status, StatusCode::OK);
    // 青山镇 = A + B: 10 due, 7 on time, 8 published.
    assert!(town.contains("应公开 10 项：按时 7 项，逾期公开 1 项，未公开 2 项"), "{town}");
    assert!(town.contains("70.0%") && town.contains("80.0%"));
    // Sorted by 及时率, worst first: 前山村 (50%) before 后山村 (100%).
    let (_, _, sorted) = get(&c.state, &format!("/r/{TOWN}?sort=timely"), None).await;
    let (a, b) = (sorted.find("前山村</a>").unwrap(), sorted.find("后山村</a>").unwrap());
    assert!(a < b);
    let (_, _, by_name) = get(&c.state, &format!("/r/{TOWN}?sort=gaps"), None).await;
    assert!(by_name.find("前山村</a>").unwrap() < by_name.find("后山村</a>").unwrap(), "most gaps first");
    // The county: 11 due, 7 on time, 9 published; its towns and villages listed.
    let (_, _, county) = get(&c.state, &format!("/r/{COUNTY}"), None).await;
    assert!(county.contains("应公开 11 项：按时 7 项，逾期公开 2 项，未公开 2 项"), "{county}");
    assert!(county.contains("63.6%") && county.contains("81.8%"));
    assert!(county.contains("青山镇</a></th><td>70.0%</td><td>80.0%</td>"), "{county}");
    assert!(county.contains("绿水村</a>") && county.contains("各乡镇（街道）公开情况"));
    // A publication makes the county's page fresh again.
    c.state.site.add_disclosures(&[accounts(A, month(6), today())]).await.unwrap();
    let (_, _, after) = get(&c.state, &format!("/r/{COUNTY}"), None).await;
    assert!(after.contains("应公开 11 项：按时 7 项，逾期公开 3 项，未公开 1 项"), "{after}");
}

#[tokio::test]
async fn the_console_calendar_shows_the_grid_and_downloads_it_in_scope() {
    let c = county().await;
    let township = common::staff_cookie(&c.state, "township", Role::TownshipReviewer, TOWN).await;
    let (status, _, grid) = get(&c.state, "/console/calendar", Some(&township)).await;
    assert_eq!(status, StatusCode::OK, "{grid}");
    assert!(grid.contains("前山村") && grid.contains("后山村") && !grid.contains("绿水村"), "its town only");
    assert!(grid.contains("✕ 1"), "a month with a gap says so in words: {grid}");
    let (status, _, drill) =
        get(&c.state, &format!("/console/calendar/village/{A}?from={}&to={}", month(11), month(0)), Some(&township))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        drill.contains(&format!("未按时公开，已逾期 {} 天", c.gap_days)) && drill.contains("查看待审稿"),
        "{drill}"
    );
    assert!(drill.contains("查看公开内容") && drill.contains("/console/d/"));

    let (status, media, csv) = get(&c.state, &format!("/console/calendar.csv?region={TOWN}"), Some(&township)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.starts_with("text/csv"));
    let body = csv.strip_prefix('\u{feff}').unwrap();
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(body.as_bytes()).records().map(|r| r.unwrap()).collect();
    let gap = rows.iter().find(|r| &r[0] == A && r[5] == month(6).label_zh()).expect("the gap's row");
    assert_eq!(&gap[8], c.gap_days.to_string().as_str());
    assert!(gap[7].starts_with("未按时公开"));
    assert!(rows.iter().all(|r| &r[0] != C), "another town's village is not exported");
    let (status, media, xlsx) = get(&c.state, &format!("/console/calendar.xlsx?region={TOWN}"), Some(&township)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.contains("spreadsheetml") && xlsx.starts_with("PK"));
    let audit = c.state.site.store.list_audit(1, 10).await.unwrap();
    assert!(audit.items.iter().any(|e| e.action == "export-calendar"), "downloads are audited");

    // Out of scope: another town, and a clerk; a bad month keeps what was typed.
    let (status, _, _) = get(&c.state, &format!("/console/calendar?region={OTHER_TOWN}"), Some(&township)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let clerk = common::staff_cookie(&c.state, "clerk", Role::VillageClerk, A).await;
    assert_eq!(get(&c.state, "/console/calendar", Some(&clerk)).await.0, StatusCode::FORBIDDEN);
    let (status, _, bad) = get(&c.state, "/console/calendar?from=2026-13&to=2026-05", Some(&township)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bad.contains("月份应写成 2026-05") && bad.contains("value=\"2026-13\""), "{bad}");
    // The clerk's work list names the gap with its days.
    let (_, _, work) = get(&c.state, "/console", Some(&clerk)).await;
    assert!(work.contains(&format!("未按时公开，已逾期 {} 天", c.gap_days)), "{work}");
}
