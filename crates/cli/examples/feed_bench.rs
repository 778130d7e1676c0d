//! Feed upsert throughput for `bench/assets.sh`: a trading feed of LISTINGS listings in pages
//! of 500 served by a local HTTP server, pulled by the real adapter into a fresh SQLite site
//! holding the demo county; then pulled again from the start (every listing unchanged), then
//! again with every listing moved to its deal. Prints listings per second for each.
//!
//!     cargo run --release --example feed_bench -- [LISTINGS]

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use serde_json::{Value, json};
use yangguang_app::trading::{Puller, RetryPolicy};

const PAGE: usize = 500;

fn listing(n: usize, village: &str, dealt: bool) -> Value {
    let mut l = json!({
        "project_no": format!("BENCH-{n:07}"),
        "village_code": village,
        "title": format!("第 {n} 号店面房出租"),
        "subject_type": "房屋",
        "location": "村口",
        "area": "120.5",
        "area_unit": "m2",
        "reserve_price": 36000 + n % 1000,
        "price_unit": "year",
        "method": "open_bidding",
        "term_start": "2027-01-01",
        "term_end": "2031-12-31",
        "announcement_start": "2026-11-01",
        "announcement_end": "2026-11-15",
        "stage": "announcement",
        "updated_at": "2026-11-01T08:00:00+08:00",
    });
    if dealt {
        l["stage"] = "publicity".into();
        l["deal"] = json!({"date": "2026-11-20", "price": 40000, "winner": "王建明", "winner_type": "person"});
        l["publicity_start"] = "2026-11-21".into();
        l["publicity_end"] = "2026-11-27".into();
        l["updated_at"] = "2026-11-20T08:00:00+08:00".into();
    }
    l
}

#[derive(Clone)]
struct Feed {
    villages: Arc<Vec<String>>,
    total: usize,
    dealt: Arc<std::sync::atomic::AtomicBool>,
}

async fn page(
    State(feed): State<Feed>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> axum::Json<Value> {
    let start: usize = q.get("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let end = (start + PAGE).min(feed.total);
    let dealt = feed.dealt.load(std::sync::atomic::Ordering::SeqCst);
    let listings: Vec<Value> =
        (start..end).map(|n| listing(n, &feed.villages[n % feed.villages.len()], dealt)).collect();
    axum::Json(json!({"listings": listings, "next_cursor": end.to_string(), "has_more": end < feed.total}))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let total: usize = std::env::args().nth(1).map_or(20_000, |n| n.parse().expect("LISTINGS"));
    let dir = std::env::temp_dir().join(format!("yg-feed-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store: Arc<dyn yangguang_store::Store> =
        Arc::new(yangguang_store_sqlite::SqliteStore::open(&dir.join("yangguang.db")).await?);
    store.migrate().await?;
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid");
    let regions =
        yangguang_app::demo::build_regions(&yangguang_app::demo::DemoOptions { seed: 7, as_of, scale: 1, full: false });
    store.upsert_regions(&regions).await?;
    let files = yangguang_app::files::FileStore::new(dir.join("files"));
    let key = yangguang_app::keys::PlatformKey::from_secret([7; 32]);
    let site = yangguang_app::Site::new(store, yangguang_app::catalog_files::default_catalog(), files, key).await?;
    let villages: Vec<String> =
        regions.iter().filter(|r| r.kind.is_village_level()).map(|r| r.code.to_string()).collect();
    let dealt = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let feed = Feed { villages: Arc::new(villages), total, dealt: dealt.clone() };
    let app = axum::Router::new().route("/feed", axum::routing::get(page)).with_state(feed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/feed", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let puller = Puller::new(&url, None, RetryPolicy::default());
    println!(
        "| feed pull of {total} listings, pages of {PAGE} | seconds | listings/s | inserted | updated | unchanged |"
    );
    println!("|---|---|---|---|---|---|");
    for what in ["first pull (all new)", "same feed again (all unchanged)", "every listing moved to its deal"] {
        if what.starts_with("every") {
            dealt.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        site.store.put_state("cursor:trading", "0", chrono::Utc::now()).await?;
        let started = Instant::now();
        let r = puller.pull(&site).await?;
        let s = started.elapsed().as_secs_f64();
        let i = &r.ingest;
        println!("| {what} | {s:.2} | {:.0} | {} | {} | {} |", total as f64 / s, i.inserted, i.updated, i.unchanged);
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
