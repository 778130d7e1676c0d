//! The visit counter's background task over a real store: many recorded visits become one
//! flush with the right sums, bots are left out, and the public totals read them back.

use std::sync::Arc;
use std::time::Duration;

use yangguang_app::visits::{self, Visit, VisitPage, VisitSettings};
use yangguang_app::{Site, catalog_files, files::FileStore, keys::PlatformKey};
use yangguang_core::{Region, RegionCode, RegionKind};
use yangguang_store::{RegionStore, Store, VisitGroup, VisitQuery};
use yangguang_store_sqlite::SqliteStore;

const PHONE: &str = "Mozilla/5.0 (Linux; Android 12; V2134A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0.4951.74 Mobile Safari/537.36 MicroMessenger/8.0.47.2560";

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn site() -> Arc<Site> {
    let store = SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    let r =
        |c: &str, parent: Option<&str>, kind| Region { code: code(c), name: c.into(), parent: parent.map(code), kind };
    store
        .upsert_regions(&[
            r("339921000000", None, RegionKind::County),
            r("339921100000", Some("339921000000"), RegionKind::Town),
            r("339921100201", Some("339921100000"), RegionKind::Village),
        ])
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("yg-visits-app-{}", std::process::id()));
    let store: Arc<dyn Store> = Arc::new(store);
    Arc::new(
        Site::new(store, catalog_files::default_catalog(), FileStore::new(dir), PlatformKey::from_secret([7; 32]))
            .await
            .unwrap(),
    )
}

fn visit(address: &str, user_agent: &str, column: &str) -> Visit {
    Visit {
        page: VisitPage { village: code("339921100201"), column: column.into(), item: 0 },
        address: address.into(),
        user_agent: user_agent.into(),
    }
}

#[tokio::test]
async fn recorded_visits_are_flushed_in_one_batch_with_the_right_sums() {
    let site = site().await;
    // A long interval: only the forced flush writes.
    let settings = VisitSettings { flush_every: Duration::from_secs(3600), ..VisitSettings::default() };
    let task = visits::spawn(site.clone(), settings).expect("counting on");
    assert!(site.visits.is_on());
    let before = site.generation(yangguang_app::site::Scope::Visits(code("339921100201")));
    for n in 0..500 {
        site.visits.record(visit(&format!("10.0.{}.{}", n % 5, n % 7), PHONE, ""));
        site.visits.record(visit("10.9.9.9", PHONE, "finance"));
        site.visits.record(visit("10.9.9.8", "Mozilla/5.0 (compatible; Baiduspider/2.0)", ""));
    }
    let flushed = site.visits.flush_now().await.unwrap();
    assert_eq!((flushed.rows, flushed.views), (2, 1000), "bots left out, two counters");
    assert_eq!(site.visits.dropped(), 0);
    assert!(
        site.generation(yangguang_app::site::Scope::Visits(code("339921100201"))) > before,
        "pages showing totals are stale"
    );

    let today = yangguang_app::today();
    let q = |group| VisitQuery {
        region_prefixes: vec!["339921".into()],
        from: today,
        to: today,
        columns: vec![],
        item: None,
        group,
    };
    let columns = site.store.visit_totals(&q(VisitGroup::Column)).await.unwrap();
    let sums: Vec<_> = columns.iter().map(|t| (t.column.clone().unwrap(), t.views, t.visitors)).collect();
    // 35 (address) pairs of the phone on the home, and one more phone reading the finances.
    assert_eq!(sums, [("".to_owned(), 500, 35), ("finance".into(), 500, 1)]);
    assert_eq!(visits::village_views(&site, code("339921100201"), today).await.unwrap(), 1000);

    // Nothing new: a flush writes nothing.
    assert_eq!(site.visits.flush_now().await.unwrap().rows, 0);
    // The same people again later today add views, not visitors.
    site.visits.record(visit("10.0.0.0", PHONE, ""));
    site.visits.flush_now().await.unwrap();
    let all = site.store.visit_totals(&q(VisitGroup::All)).await.unwrap();
    assert_eq!((all[0].views, all[0].visitors), (1001, 36));
    task.abort();
}
