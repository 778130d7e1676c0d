//! The ledger preview's classification against real books, on both databases: new, changed
//! and unchanged vouchers, a published month refused, the scans a change would flag, the
//! preview's key bound to its clerk, and nothing stored until the confirm.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use yangguang_app::files::FileStore;
use yangguang_app::keys::PlatformKey;
use yangguang_app::preview::{self, ImportKind, Summary, Upload};
use yangguang_app::publishing::Actor;
use yangguang_app::{Site, catalog_files};
use yangguang_core::staff::{Grant, Role};
use yangguang_core::{DisclosureId, Region, RegionCode, RegionKind};
use yangguang_store::{Receipt, Store};

const VILLAGE: &str = "339921100201";
const HEADER: &str = "凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额\n";

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn regions() -> Vec<Region> {
    let r = |c: &str, name: &str, parent: Option<&str>, kind| Region {
        code: code(c),
        name: name.into(),
        parent: parent.map(code),
        kind,
    };
    vec![
        r("339921000000", "清溪县", None, RegionKind::County),
        r("339921100000", "青山镇", Some("339921000000"), RegionKind::Town),
        r(VILLAGE, "前山村", Some("339921100000"), RegionKind::Village),
    ]
}

async fn site_over(store: impl Store + 'static, name: &str) -> Site {
    store.migrate().await.unwrap();
    store.upsert_regions(&regions()).await.unwrap();
    let nanos = Utc::now().timestamp_nanos_opt().unwrap();
    let dir = std::env::temp_dir().join(format!("yg-app-{name}-{}-{nanos}", std::process::id()));
    let store: Arc<dyn Store> = Arc::new(store);
    let key = PlatformKey::from_secret([7; 32]);
    Site::new(store, catalog_files::default_catalog(), FileStore::new(dir), key).await.unwrap()
}

fn voucher(day: u32, month: u32, no: &str, summary: &str, amount: &str) -> String {
    let date = format!("2026-{month:02}-{day:02}");
    format!("{date},{no},{summary},102,\"{amount}\",\n{date},{no},{summary},501003,,\"{amount}\"\n")
}

async fn import(site: &Site, text: &str) {
    let file = ("a.csv".to_owned(), yangguang_app::ledger::in_memory(text.as_bytes().to_vec()));
    let report = yangguang_app::ledger::import_ledger(site, code(VILLAGE), vec![file], None).await.unwrap();
    assert!(report.succeeded(), "{report:?}");
}

async fn preview(site: &Site, text: &str) -> preview::LedgerPreview {
    let file = ("b.csv".to_owned(), yangguang_app::ledger::in_memory(text.as_bytes().to_vec()));
    preview::preview_ledger(site, code(VILLAGE), vec![file], None).await.unwrap()
}

async fn entries(site: &Site) -> usize {
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    site.store.ledger_entries(code(VILLAGE), from, to).await.unwrap().len()
}

async fn clerk(site: &Site, username: &str) -> yangguang_app::auth::SignedIn {
    let grants = vec![Grant::new(Role::VillageClerk, code(VILLAGE)).unwrap()];
    let (id, _) = yangguang_app::auth::create_staff(site, username, "王秀英", grants).await.unwrap();
    yangguang_app::auth::SignedIn {
        staff: site.store.get_staff(id).await.unwrap(),
        session: yangguang_store::Session {
            token_hash: String::new(),
            staff_id: id,
            csrf_token: String::new(),
            created_at: Utc::now(),
            expires_at: Utc::now(),
            revoked: false,
            ip: String::new(),
        },
        badges: Default::default(),
    }
}

async fn classification(site: &Site) {
    let march = format!(
        "{HEADER}{}{}",
        voucher(5, 3, "记-001", "收厂房租金", "1,200.00"),
        voucher(8, 3, "记-002", "购办公用品", "320.50")
    );
    import(site, &march).await;
    import(site, &format!("{HEADER}{}", voucher(3, 2, "记-001", "收鱼塘租金", "600.00"))).await;
    let scan = Receipt {
        year: 2026,
        month: 3,
        voucher_no: "记-2".into(),
        sha256: "b".repeat(64),
        media_type: "image/jpeg".into(),
        file_name: "发票.jpg".into(),
        byte_size: 1,
        needs_recheck: false,
    };
    site.store.add_receipts(code(VILLAGE), &[scan]).await.unwrap();
    let stored = entries(site).await;
    let file = format!(
        "{HEADER}{}{}{}",
        voucher(5, 3, "记-001", "收厂房租金", "1,200.00"),
        voucher(9, 3, "记-002", "收老校舍租金", "1,800.00"),
        voucher(20, 3, "记-003", "发放报酬", "1,500.00")
    );
    let p = preview(site, &file).await;
    assert!(p.errors.is_empty() && p.refused.is_empty(), "{p:?}");
    assert_eq!((p.new, p.changed, p.unchanged, p.receipts_to_recheck), (1, 1, 1, 1));
    assert_eq!(p.months.len(), 1);
    assert_eq!((p.months[0].month, p.months[0].locked, p.months[0].new, p.months[0].changed), (3, false, 1, 1));
    let changed = &p.changed_vouchers[0];
    assert_eq!((changed.old[0].summary.as_str(), changed.new[0].summary.as_str()), ("购办公用品", "收老校舍租金"));
    assert_eq!(changed.receipts, 1);
    assert_eq!(p.new_vouchers[0].number, "记-003");
    assert_eq!(p.unchanged_vouchers, ["2026年3月 记-001"]);
    assert_eq!(entries(site).await, stored, "a preview stores nothing");
    assert!(site.store.flagged_receipts(code(VILLAGE)).await.unwrap().is_empty(), "nor flags anything");

    // February published: a file changing it is refused, whatever else it holds.
    site.store.freeze_books(code(VILLAGE), (2026, 2), (2026, 2), DisclosureId(9)).await.unwrap();
    let p = preview(site, &format!("{file}{}", voucher(3, 2, "记-001", "收鱼塘租金", "650.00"))).await;
    assert_eq!(p.refused, ["2026年2月 记-1"]);
    assert!(p.months.iter().any(|m| m.month == 2 && m.locked));
    assert!(!Summary::Ledger(p).confirmable());
    // Unchanged in a published month is fine.
    let p = preview(site, &format!("{file}{}", voucher(3, 2, "记-001", "收鱼塘租金", "600.00"))).await;
    assert!(p.refused.is_empty() && Summary::Ledger(p).confirmable());

    // The preview's key is the clerk's own, and confirms once.
    let (mine, other) = (clerk(site, "clerk").await, clerk(site, "other").await);
    let files = vec![("b.csv".to_owned(), file.into_bytes())];
    let upload = Upload { kind: ImportKind::Ledger, village: code(VILLAGE), files, period: None, bank: String::new() };
    let actor = Actor { who: &mine, ip: "-" };
    let id = preview::preview(site, &actor, upload).await.unwrap().id.expect("confirmable");
    let not_mine = preview::confirm(site, &Actor { who: &other, ip: "-" }, &id, code(VILLAGE)).await;
    assert!(matches!(not_mine, Err(yangguang_app::AppError::Conflict(_))), "{not_mine:?}");
    assert_eq!(entries(site).await, stored);
    let (kind, done) = preview::confirm(site, &actor, &id, code(VILLAGE)).await.unwrap();
    assert_eq!(kind, ImportKind::Ledger);
    let preview::Confirmed::Ledger(s) = done else { panic!("a ledger import") };
    assert_eq!((s.inserted, s.updated, s.unchanged, s.flagged), (1, 1, 1, 1));
    assert_eq!(site.store.flagged_receipts(code(VILLAGE)).await.unwrap().len(), 1);
    assert!(preview::confirm(site, &actor, &id, code(VILLAGE)).await.is_err(), "once");
}

#[tokio::test]
async fn ledger_previews_classify_vouchers_and_store_nothing_on_both_databases() {
    let sqlite = yangguang_store_sqlite::SqliteStore::in_memory().await.unwrap();
    classification(&site_over(sqlite, "sqlite").await).await;
    let Ok(url) = std::env::var("YANGGUANG_TEST_POSTGRES_URL") else {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but YANGGUANG_TEST_POSTGRES_URL is not set");
        eprintln!("skipping the PostgreSQL half: set YANGGUANG_TEST_POSTGRES_URL");
        return;
    };
    let schema = format!("app_preview_{}_{}", std::process::id(), Utc::now().timestamp_micros());
    let store = yangguang_store_postgres::PostgresStore::connect_in_schema(&url, &schema).await.unwrap();
    classification(&site_over(store, "postgres").await).await;
    let store = yangguang_store_postgres::PostgresStore::connect_in_schema(&url, &schema).await.unwrap();
    store.drop_own_schema().await.unwrap();
}
