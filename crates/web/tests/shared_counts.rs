//! Counters that several app servers share through the database: two sites over one
//! database (as two servers are) count wrong login codes and rate windows exactly, however
//! the requests are spread between them and however many arrive at once.

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use yangguang_app::Site;
use yangguang_app::villagers::{self, LoginError};
use yangguang_store::{RegionStore, Store};

/// Two sites over one SQLite file, opened twice (a server and the command line).
async fn two_sqlite_sites() -> (Arc<Site>, Arc<Site>, std::path::PathBuf) {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap();
    let dir = std::env::temp_dir().join(format!("yg-shared-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("yangguang.db");
    let first = yangguang_store_sqlite::SqliteStore::open(&path).await.unwrap();
    first.migrate().await.unwrap();
    first.upsert_regions(&common::county_with(&[("339921100201", "前山村")])).await.unwrap();
    let second = yangguang_store_sqlite::SqliteStore::open(&path).await.unwrap();
    let a = Arc::new(common::site_over(first, "a").await);
    let b = Arc::new(common::site_over(second, "b").await);
    (a, b, dir)
}

/// Two sites over one PostgreSQL schema (two app servers), and a store to drop it with;
/// `None` when no server is configured.
async fn two_postgres_sites() -> Option<(Arc<Site>, Arc<Site>, yangguang_store_postgres::PostgresStore)> {
    let Ok(url) = std::env::var("YANGGUANG_TEST_POSTGRES_URL") else {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but YANGGUANG_TEST_POSTGRES_URL is not set");
        eprintln!("skipping the PostgreSQL half of this test: set YANGGUANG_TEST_POSTGRES_URL");
        return None;
    };
    let schema = format!("shared_{}_{}", std::process::id(), Utc::now().timestamp_micros());
    let connect = || yangguang_store_postgres::PostgresStore::connect_in_schema(&url, &schema);
    let first = connect().await.unwrap();
    first.migrate().await.unwrap();
    first.upsert_regions(&common::county_with(&[("339921100201", "前山村")])).await.unwrap();
    let a = Arc::new(common::site_over(first, "a").await);
    let b = Arc::new(common::site_over(connect().await.unwrap(), "b").await);
    Some((a, b, connect().await.unwrap()))
}

/// Twelve wrong codes for one number at once, alternating between the two sites: exactly
/// four are told how many tries are left (4, 3, 2, 1: each counted once), then the number is
/// locked for every later guess.
async fn wrong_codes_are_counted_exactly(a: Arc<Site>, b: Arc<Site>) {
    let now = Utc::now();
    // Spawned all before any is awaited: they run at once.
    let guesses: Vec<_> = (0..12)
        .map(|i| {
            let site = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { villagers::verify_code(&site, "13800138000", "000000", "10.0.0.1", now).await })
        })
        .collect();
    let mut left = vec![];
    let mut locked = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            Err(LoginError::WrongCode(n)) => left.push(n),
            Err(LoginError::Locked(_)) => locked += 1,
            other => panic!("{other:?}"),
        }
    }
    left.sort_unstable();
    assert_eq!(left, [1, 2, 3, 4], "each wrong code counted once, across both sites");
    assert_eq!(locked, 8);
    // Locked on both sites alike.
    for site in [&a, &b] {
        let later = villagers::verify_code(site, "13800138000", "000000", "10.0.0.1", now + Duration::minutes(1)).await;
        assert!(matches!(later, Err(LoginError::Locked(_))), "{later:?}");
    }
}

/// Twenty requests at once against a window of 5, spread over both sites: exactly 5 pass.
async fn rate_windows_hold_across_sites(a: Arc<Site>, b: Arc<Site>) {
    let now = Utc::now();
    let takes: Vec<_> = (0..20)
        .map(|i| {
            let site = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                yangguang_app::questions::guard::take(&site, "qrate:ip:10.0.0.2", 5, Duration::hours(1), now)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut taken = 0;
    for take in takes {
        taken += usize::from(take.await.unwrap());
    }
    assert_eq!(taken, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sites_over_one_sqlite_file_count_exactly() {
    let (a, b, dir) = two_sqlite_sites().await;
    wrong_codes_are_counted_exactly(a.clone(), b.clone()).await;
    rate_windows_hold_across_sites(a, b).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_over_one_postgresql_count_exactly() {
    let Some((a, b, owner)) = two_postgres_sites().await else { return };
    wrong_codes_are_counted_exactly(a.clone(), b.clone()).await;
    rate_windows_hold_across_sites(a, b).await;
    owner.drop_own_schema().await.unwrap();
}
