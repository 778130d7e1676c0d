//! Two sites over one database, as two app servers over PostgreSQL: what one publishes the
//! other finds after catching up, with no event between them but the database.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use yangguang_core::{DisclosureKind, DisclosureState, NewDisclosure, Region, RegionKind};

use yangguang_store::{RegionStore, Store};

use super::*;

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn two_sites() -> (Site, Site) {
    let store = yangguang_store_sqlite::SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    let r =
        |c: &str, n: &str, p: Option<&str>, kind| Region { code: code(c), name: n.into(), parent: p.map(code), kind };
    store
        .upsert_regions(&[
            r("339921000000", "清溪县", None, RegionKind::County),
            r("339921100000", "青山镇", Some("339921000000"), RegionKind::Town),
            r("339921100201", "李田村", Some("339921100000"), RegionKind::Village),
            r("339921100202", "前山村", Some("339921100000"), RegionKind::Village),
        ])
        .await
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let site = || async {
        let dir = std::env::temp_dir().join(format!("yg-search-app-{}", Utc::now().timestamp_nanos_opt().unwrap()));
        let site = Site::new(
            store.clone(),
            crate::catalog_files::default_catalog(),
            crate::files::FileStore::new(dir),
            crate::keys::PlatformKey::from_secret([7; 32]),
        )
        .await
        .unwrap();
        site.search.set_index(SearchIndex::in_ram());
        site
    };
    (site().await, site().await)
}

fn published(village: &str, title: &str, body: &str) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 11, 3, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(village),
        column: "party-life".into(),
        catalog_item: None,
        period: None,
        title: title.into(),
        body_md: body.into(),
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

async fn found(site: &Site, text: &str, scope: Option<&str>) -> Vec<String> {
    let req = SearchRequest { text: text.into(), scope: scope.map(code), kind: None, page: 1 };
    search(site, &req).await.unwrap().hits.into_iter().map(|h| h.url).collect()
}

#[tokio::test]
async fn a_change_on_one_server_reaches_the_other_through_the_database() {
    let (a, b) = two_sites().await;
    let ids =
        a.add_disclosures(&[published("339921100201", "路灯维修公示", "村道**路灯**维修 3,200 元")]).await.unwrap();
    let url = format!("/v/339921100201/d/{}", ids[0].0);
    assert_eq!(found(&a, "路灯", None).await, std::slice::from_ref(&url), "found at once where it was published");
    assert!(found(&b, "路灯", None).await.is_empty(), "the other server has not looked yet");
    assert_eq!(catch_up(&b).await.unwrap(), 1);
    assert_eq!(found(&b, "路灯", None).await, std::slice::from_ref(&url));
    assert_eq!(catch_up(&b).await.unwrap(), 0, "nothing new: nothing done");
    assert_eq!(found(&b, "路灯", Some("339921100000")).await, std::slice::from_ref(&url), "the town's scope");
    assert!(found(&b, "路灯", Some("339921100202")).await.is_empty(), "another village's scope");

    // A change recorded only in the log (the process died before announcing it) is found too.
    a.store.insert_disclosures(&[published("339921100202", "鱼塘租金收入", "租金 12,000 元")]).await.unwrap();
    assert!(found(&b, "租金", None).await.is_empty());
    catch_up(&b).await.unwrap();
    assert_eq!(found(&b, "租金", None).await.len(), 1);
}

#[tokio::test]
async fn a_rebuild_finds_everything_and_a_requested_one_is_done_by_every_server() {
    let (a, b) = two_sites().await;
    a.store
        .insert_disclosures(&[published("339921100201", "路灯", "一"), published("339921100202", "路灯", "二")])
        .await
        .unwrap();
    let mut seen = vec![];
    rebuild(&a, |done, total| seen.push((done, total))).await.unwrap();
    assert_eq!(seen.first(), Some(&(0, 2)));
    assert_eq!(seen.last(), Some(&(2, 2)));
    assert_eq!(found(&a, "路灯", None).await.len(), 2);
    assert_eq!(catch_up(&a).await.unwrap(), 0, "the rebuild moved the cursor past what it read");

    request_rebuild(&a).await.unwrap();
    catch_up(&b).await.unwrap();
    assert_eq!(found(&b, "路灯", None).await.len(), 2);
}

#[tokio::test]
async fn villages_are_found_by_pinyin_initials_and_hostile_queries_are_harmless() {
    let (a, _) = two_sites().await;
    let out = search(&a, &SearchRequest { text: "ltc".into(), page: 1, ..Default::default() }).await.unwrap();
    assert_eq!(out.villages.iter().map(|v| v.1.as_str()).collect::<Vec<_>>(), ["李田村"]);
    let out = search(&a, &SearchRequest { text: "qianshan".into(), page: 1, ..Default::default() }).await.unwrap();
    assert_eq!(out.villages.iter().map(|v| v.1.as_str()).collect::<Vec<_>>(), ["前山村"]);
    for text in ["(", "\"", "title:*", "\u{0}\u{1}", &"租".repeat(10_000)] {
        let out = search(&a, &SearchRequest { text: text.into(), page: 9999, ..Default::default() }).await.unwrap();
        assert_eq!(out.total, 0);
    }
    let long = search(&a, &SearchRequest { text: "租".repeat(10_000), page: 1, ..Default::default() }).await.unwrap();
    assert!(long.truncated);
}
