//! What the HTTP tests share: a county in a fresh in-memory SQLite store, behind the real
//! router.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::Utc;
use yangguang_app::files::FileStore;
use yangguang_app::keys::PlatformKey;
use yangguang_app::{Site, catalog_files};
use yangguang_core::{Region, RegionCode, RegionKind};
use yangguang_store::{RegionStore, Store};
use yangguang_store_sqlite::SqliteStore;

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

pub fn region(c: &str, name: &str, parent: Option<&str>, kind: RegionKind) -> Region {
    Region { code: code(c), name: name.into(), parent: parent.map(code), kind }
}

/// A county (清溪县) with one town (青山镇) and the given villages under it.
pub fn county_with(villages: &[(&str, &str)]) -> Vec<Region> {
    let mut regions = vec![
        region("339921000000", "清溪县", None, RegionKind::County),
        region("339921100000", "青山镇", Some("339921000000"), RegionKind::Town),
    ];
    regions.extend(villages.iter().map(|(c, n)| region(c, n, Some("339921100000"), RegionKind::Village)));
    regions
}

/// A migrated in-memory store holding `regions`.
pub async fn store_with(regions: &[Region]) -> SqliteStore {
    let store = SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    store.upsert_regions(regions).await.unwrap();
    store
}

/// The site over a store, with a private file directory and a fixed signing key.
pub async fn site_over(store: SqliteStore, name: &str) -> Site {
    let dir = std::env::temp_dir().join(format!(
        "yg-{name}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    ));
    let store: Arc<dyn Store> = Arc::new(store);
    Site::new(store, catalog_files::default_catalog(), FileStore::new(dir), PlatformKey::from_secret([7; 32]))
        .await
        .unwrap()
}
