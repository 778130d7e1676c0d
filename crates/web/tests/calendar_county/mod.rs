//! A small hand-built county whose disclosure-calendar figures are counted by hand, shared by
//! the calendar's and the dashboard's tests: three villages in two towns, a planted gap, a
//! late publication, a version waiting for review, quiet months and months with no vouchers.
//!
//! Every date is relative to today (the pages reckon with the real date), and chosen so that
//! each expected state holds whatever day of the month the test runs on.

#![allow(dead_code)]

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use tower::ServiceExt;
use yangguang_app::Site;
use yangguang_app::files::FileStore;
use yangguang_app::keys::PlatformKey;
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::{Catalog, DisclosureKind, DisclosureState, Fen, NewDisclosure, Period, RegionKind};
use yangguang_store::{LedgerStore, Store};
use yangguang_web::{AppState, router};

use crate::common::{self, code, region};

pub const A: &str = "339921100201"; // 前山村, 青山镇: busy months, one gap, one late, one waiting
pub const B: &str = "339921100202"; // 后山村, 青山镇: quiet months, due with their quarter
pub const C: &str = "339921101201"; // 绿水村, 绿水镇: one busy month, published late
pub const TOWN: &str = "339921100000";
pub const OTHER_TOWN: &str = "339921101000";
pub const COUNTY: &str = "339921000000";

/// Only the monthly accounts have a deadline here, so every figure can be counted by hand.
pub const ITEMS: &str = r#"
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

pub fn today() -> NaiveDate {
    yangguang_app::today()
}

/// The month `back` months before this one.
pub fn month(back: u32) -> Period {
    let first = today().with_day(1).unwrap().checked_sub_months(Months::new(back)).unwrap();
    Period::Month { year: first.year(), month: first.month() }
}

/// `n` vouchers of `yuan` each in a month (a receipt and its bank line each).
pub fn books(period: Period, n: u32, yuan: i64) -> Vec<LedgerEntry> {
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

pub fn accounts(village: &str, period: Period, published: NaiveDate) -> NewDisclosure {
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
pub fn busy_deadline(p: Period) -> NaiveDate {
    p.end() + Days::new(10)
}

pub struct County {
    pub state: AppState,
    pub gap_days: i64,
    pub waiting_days: i64,
}

pub async fn county() -> County {
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
    // The figures here are the calendar's, counted by hand; the warnings these books raise (no
    // receipt scans at all) are held until a test releases them.
    site.warnings.hold();
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

pub async fn get(state: &AppState, uri: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
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
