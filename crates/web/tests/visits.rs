//! Visit statistics end to end: a phone browser and a bot browse the real server; after a
//! forced flush the phone's views appear on the village's public total, the item's count and
//! the console's chart, tables and CSV (for a supervisor of that region only); the bot, the
//! prefetch, HEAD requests, missing pages and staff are not counted; and the database holds
//! neither the reader's address nor their browser's user agent.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::server::{self, Client};
use common::{code, staff_cookie};
use yangguang_app::visits::{self, VisitSettings};
use yangguang_core::staff::Role;
use yangguang_core::{DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_store::{RegionStore, Store};

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";
/// A reader's address (behind the loopback proxy, which is trusted by default) and user agent,
/// both distinctive so that any copy of them in the database would be found.
const ADDRESS: &str = "203.0.113.77";
const PHONE: &str = "Mozilla/5.0 (Linux; Android 12; YgTestPhone-7Q) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0 Mobile Safari/537.36 MicroMessenger/8.0.47";
const BOT: &str = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html) YgTestBot";

fn browser(user_agent: Option<&str>) -> reqwest::Client {
    let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    if let Some(ua) = user_agent {
        b = b.user_agent(ua);
    }
    b.build().unwrap()
}

async fn get(client: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = client.get(url).header("x-forwarded-for", ADDRESS);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_phone_is_counted_a_bot_is_not_and_nothing_personal_is_stored() {
    let dir = std::env::temp_dir().join(format!("yg-visits-{}-{}", std::process::id(), Utc::now().timestamp_micros()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("yangguang.db");
    let store = yangguang_store_sqlite::SqliteStore::open(&db).await.unwrap();
    store.migrate().await.unwrap();
    store.upsert_regions(&common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await.unwrap();
    let site = Arc::new(common::site_over(store, "visits").await);
    let at = Utc::now();
    let ids = site
        .add_disclosures(&[NewDisclosure {
            village: code(VILLAGE),
            column: "finance-income".into(),
            catalog_item: None,
            period: None,
            title: "十月收支明细".into(),
            body_md: "正文".into(),
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
    let item = ids[0].0;
    // Only the forced flush below writes.
    let settings = VisitSettings { flush_every: Duration::from_secs(3600), ..VisitSettings::default() };
    let task = visits::spawn(site.clone(), settings).expect("counting on");
    let state = yangguang_web::AppState::new(site.clone());
    let base = server::start(state.clone()).await;

    let phone = browser(Some(PHONE));
    let home = format!("{base}/v/{VILLAGE}");
    let (status, page) = get(&phone, &home, &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("本村公开栏已被查看 0 次"), "no views yet");
    get(&phone, &home, &[]).await;
    get(&phone, &home, &[]).await;
    assert_eq!(get(&phone, &format!("{base}/v/{VILLAGE}/d/{item}"), &[]).await.0, 200);
    get(&phone, &format!("{base}/v/{VILLAGE}/d/{item}"), &[]).await;
    assert_eq!(get(&phone, &format!("{base}/v/{VILLAGE}/c/finance"), &[]).await.0, 200);
    get(&phone, &format!("{base}/v/{OTHER}"), &[]).await;

    // Not views: a bot, a script without a user agent, a prefetch, a HEAD, a missing page,
    // an attachment-like path, a staff member reading the public page.
    let bot = browser(Some(BOT));
    for _ in 0..5 {
        assert_eq!(get(&bot, &home, &[]).await.0, 200);
    }
    assert_eq!(get(&browser(None), &home, &[]).await.0, 200);
    get(&phone, &home, &[("sec-purpose", "prefetch")]).await;
    let head = phone.head(&home).header("x-forwarded-for", ADDRESS).send().await.unwrap();
    assert!(head.status().is_success() || head.status().as_u16() == 405);
    assert_eq!(get(&phone, &format!("{base}/v/{VILLAGE}/d/999999"), &[]).await.0, 404);
    get(&phone, &format!("{base}/v/{VILLAGE}/feed.atom"), &[]).await;
    let supervisor = staff_cookie(&state, "jiandu", Role::SupervisionMember, VILLAGE).await;
    get(&phone, &home, &[("cookie", &supervisor)]).await;

    let flushed = site.visits.flush_now().await.unwrap();
    assert_eq!(flushed.views, 7, "3 homes, 2 item views, 1 column in 前山村 and 1 home in 后山村");
    assert_eq!(site.visits.dropped(), 0);

    // The public total and the item's count, from the pages (rendered again after the flush).
    let (_, page) = get(&phone, &home, &[]).await;
    assert!(page.contains("本村公开栏已被查看 6 次"), "the village's total after the flush");
    let (_, page) = get(&phone, &format!("{base}/v/{VILLAGE}/d/{item}"), &[]).await;
    assert!(page.contains("已被查看 2 次"), "the item's count");
    let (_, page) = get(&phone, &format!("{base}/v/{OTHER}"), &[]).await;
    assert!(page.contains("本村公开栏已被查看 1 次"));

    // The console: a township reviewer sees the town, its villages and the chart.
    let township = Client::new(&base, Some(staff_cookie(&state, "zhen", Role::TownshipReviewer, "339921100000").await));
    let page = township.get("/console/visits").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("共查看 7 次，访客 2 人次"), "one phone, counted once in each village");
    assert!(page.body.contains("<svg") && page.body.contains("visits-chart-title"));
    let today = yangguang_app::today().to_string();
    assert!(page.body.contains(&format!("<th scope=\"row\">{today}</th><td>7</td><td>2</td>")), "today's row");
    assert!(page.body.contains(">前山村</a></th><td>6</td>") && page.body.contains(">后山村</a></th><td>1</td>"));
    assert!(page.body.contains("阳光财务</th><td>3</td>"), "the item and the column page count under 阳光财务");
    assert!(page.body.contains("村首页</th><td>4</td>"));
    let finance = township.get("/console/visits?column=finance").await;
    assert!(finance.body.contains("共查看 3 次"), "{}", finance.body);
    let csv = township.get(&format!("/console/visits.csv?region={VILLAGE}")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.starts_with("kind,key,name,views,visitors\n"));
    assert!(csv.body.contains(&format!("day,{today},{today},6,1\n")), "{}", csv.body);
    assert!(csv.body.contains(&format!("region,{VILLAGE},前山村,6,1\n")), "{}", csv.body);

    // A bad date keeps what was typed and says what is wrong; a long range is refused.
    let bad = township.get("/console/visits?from=2026-13-01&to=2026-05-01").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("value=\"2026-13-01\"") && bad.body.contains("日期格式应为"));
    let long = township.get("/console/visits?from=2024-01-01&to=2026-05-01").await;
    assert_eq!(long.status, 422);
    assert!(long.body.contains("一次最多查看 366 天"));

    // A village's supervisor sees that village only.
    let own = Client::new(&base, Some(supervisor));
    assert_eq!(own.get("/console/visits").await.status, 200);
    assert_eq!(own.get(&format!("/console/visits?region={OTHER}")).await.status, 403);
    assert_eq!(own.get("/console/visits?region=339921100000").await.status, 403);
    assert_eq!(own.get(&format!("/console/visits.csv?region={OTHER}")).await.status, 403);

    // Nothing about the reader is in the database: the counters' rows hold sums only, and no
    // byte of the database files holds the address or the user agent.
    task.abort();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT day, village_code, column_id, item_id, views, visitors FROM visit_day ORDER BY village_code, column_id, item_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let rows: Vec<_> = rows.iter().map(|r| (r.1.as_str(), r.2.as_str(), r.3, r.4, r.5)).collect();
    assert_eq!(
        rows,
        [
            (VILLAGE, "", 0, 3, 1),
            (VILLAGE, "finance", 0, 1, 0),
            (VILLAGE, "finance-income", item, 2, 0),
            (OTHER, "", 0, 1, 1),
        ]
    );
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('visit_day') ORDER BY cid")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(columns, ["day", "village_code", "column_id", "item_id", "views", "visitors"]);
    pool.close().await;
    let mut bytes = vec![];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("yangguang.db") {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!bytes.is_empty());
    let text = String::from_utf8_lossy(&bytes);
    for secret in [ADDRESS, "YgTestPhone", "YgTestBot", "MicroMessenger"] {
        assert!(!text.contains(secret), "{secret} found in the database files");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
