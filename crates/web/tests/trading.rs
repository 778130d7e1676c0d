//! The trading platform feed end to end: the pull adapter against a real HTTP server started
//! here (speaking the format the README documents), the signed webhook through the router,
//! the public pages, and the OCDS package checked against the official schema.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use chrono::Utc;
use common::{code, county_with, site_over, store_with};
use serde_json::{Value, json};
use tower::ServiceExt;
use yangguang_app::Site;
use yangguang_app::trading::{PullError, Puller, RetryPolicy};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";
const SECRET: &str = "feed-secret";

fn day(offset: i64) -> String {
    (yangguang_app::today() + chrono::Duration::days(offset)).to_string()
}

/// A listing in the documented feed format, announced from three days ago for two weeks.
fn listing(project_no: &str, village: &str, updated: &str) -> Value {
    json!({
        "project_no": project_no,
        "village_code": village,
        "title": format!("{project_no} 村口店面房出租"),
        "subject_type": "房屋",
        "location": "村口 12 号",
        "area": "120.5",
        "area_unit": "m2",
        "reserve_price": 36000,
        "price_unit": "year",
        "method": "open_bidding",
        "term_start": "2027-01-01",
        "term_end": "2031-12-31",
        "announcement_start": day(-3),
        "announcement_end": day(11),
        "stage": "announcement",
        "updated_at": updated,
    })
}

fn dealt(mut l: Value, winner: &str, kind: &str, updated: &str) -> Value {
    l["stage"] = "publicity".into();
    l["announcement_start"] = day(-40).into();
    l["announcement_end"] = day(-20).into();
    l["deal"] = json!({"date": day(-5), "price": "40,500.00", "winner": winner, "winner_type": kind});
    l["publicity_start"] = day(-4).into();
    l["publicity_end"] = day(3).into();
    l["updated_at"] = updated.into();
    l
}

async fn site() -> Site {
    let store = store_with(&county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    let mut site = site_over(store, "trading").await;
    site.trading.push_secret = Some(SECRET.into());
    site
}

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, String) {
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    (status, String::from_utf8(to_bytes(r.into_body(), 8 << 20).await.unwrap().to_vec()).unwrap())
}

async fn page(state: &AppState, uri: &str) -> (StatusCode, String) {
    send(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn push(body: &str, ts: i64, secret: &str) -> Request<Body> {
    Request::post("/api/trading/push")
        .header("content-type", "application/json")
        .header("x-yangguang-timestamp", ts.to_string())
        .header("x-yangguang-signature", yangguang_core::signature::sign(secret.as_bytes(), ts, body.as_bytes()))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A feed server: pages by cursor, failing the first `fail_first` requests with 503.
#[derive(Clone, Default)]
struct Feed {
    pages: Arc<Mutex<Vec<Value>>>,
    hits: Arc<AtomicU32>,
    fail_first: Arc<AtomicU32>,
    cursors: Arc<Mutex<Vec<Option<String>>>>,
}

async fn serve_feed(feed: Feed) -> String {
    use axum::extract::{Query, State};
    use axum::response::IntoResponse;
    async fn handler(
        State(feed): State<Feed>,
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> axum::response::Response {
        let n = feed.hits.fetch_add(1, Ordering::SeqCst);
        if n < feed.fail_first.load(Ordering::SeqCst) {
            return (StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response();
        }
        let cursor = q.get("cursor").cloned();
        feed.cursors.lock().unwrap().push(cursor.clone());
        let index: usize = cursor.as_deref().and_then(|c| c.strip_prefix('c')).map_or(0, |c| c.parse().unwrap());
        let pages = feed.pages.lock().unwrap();
        let body = pages.get(index).cloned().unwrap_or_else(|| json!({"listings": [], "has_more": false}));
        axum::Json(body).into_response()
    }
    let app = axum::Router::new().route("/feed", axum::routing::get(handler)).with_state(feed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/feed")
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy { attempts: 4, base: Duration::from_millis(5), max: Duration::from_millis(20) }
}

#[tokio::test]
async fn the_adapter_pulls_every_page_from_its_cursor_through_outages() {
    let site = Arc::new(site().await);
    let feed = Feed::default();
    *feed.pages.lock().unwrap() = vec![
        json!({"listings": [listing("P-1", VILLAGE, "2026-11-01T08:00:00+08:00"), listing("P-2", OTHER, "2026-11-01T08:00:00+08:00")], "next_cursor": "c1", "has_more": true}),
        json!({"listings": [listing("P-3", VILLAGE, "2026-11-02T08:00:00+08:00"), {"project_no": "BAD", "village_code": VILLAGE}], "next_cursor": "c2", "has_more": false}),
    ];
    feed.fail_first.store(2, Ordering::SeqCst);
    let url = serve_feed(feed.clone()).await;
    let puller = Puller::new(&url, None, quick_retries());
    let report = puller.pull(&site).await.unwrap();
    assert_eq!((report.pages, report.requests), (2, 4), "two pages, after two refused requests");
    assert_eq!(report.ingest.inserted, 3);
    let fields: Vec<&str> = report.ingest.errors.iter().map(|e| e.field).collect();
    assert!(fields.contains(&"title") && fields.contains(&"reserve_price"), "every missing field is named: {fields:?}");
    assert!(report.ingest.errors.iter().all(|e| e.project_no == "BAD" && e.index == 1));
    assert_eq!(*feed.cursors.lock().unwrap(), [None, Some("c1".to_owned())]);

    // The next run starts from the stored cursor, and a page seen again changes nothing.
    let again = puller.pull(&site).await.unwrap();
    assert_eq!(feed.cursors.lock().unwrap().last().unwrap().as_deref(), Some("c2"));
    assert_eq!(again.ingest.inserted + again.ingest.updated, 0);

    // The platform moves P-1 to its deal: the next pull updates it in place.
    feed.pages.lock().unwrap().push(json!({
        "listings": [dealt(listing("P-1", VILLAGE, ""), "王建明", "person", "2026-11-20T08:00:00+08:00")],
        "next_cursor": "c3", "has_more": false,
    }));
    let moved = puller.pull(&site).await.unwrap();
    assert_eq!((moved.ingest.inserted, moved.ingest.updated), (0, 1));
    let stored = yangguang_app::trading::listing(&site, "P-1").await.unwrap().unwrap();
    assert_eq!(stored.deal.unwrap().winner, "王*明", "a person's name is never stored in clear");

    // An older copy arriving late (by a push, say) does not undo the deal.
    let state = AppState::new(site.clone());
    let late = json!({"listings": [listing("P-1", VILLAGE, "2026-11-01T08:00:00+08:00")]}).to_string();
    let (status, body) = send(&state, push(&late, Utc::now().timestamp(), SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stage = yangguang_app::trading::listing(&site, "P-1").await.unwrap().unwrap().stage;
    assert_eq!(stage, yangguang_core::trading::Stage::Publicity);
}

#[tokio::test]
async fn a_feed_that_is_down_fails_after_its_retries_and_a_refusal_is_not_retried() {
    let site = site().await;
    // A port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let puller = Puller::new(&format!("http://{closed}/feed"), None, quick_retries());
    match puller.pull(&site).await {
        Err(PullError::Unreachable { attempts, .. }) => assert_eq!(attempts, 4),
        other => panic!("expected unreachable, got {other:?}"),
    }

    async fn refuse() -> StatusCode {
        StatusCode::UNAUTHORIZED
    }
    let hits = Arc::new(AtomicU32::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().route(
        "/feed",
        axum::routing::get(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            refuse()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let puller = Puller::new(&format!("http://{addr}/feed"), Some("wrong".into()), quick_retries());
    assert!(matches!(puller.pull(&site).await, Err(PullError::Refused(401))));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_feed_that_cannot_be_reached_is_reported_without_its_credentials() {
    let site = site().await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let url = format!("http://feed-user:feed-pass@{closed}/feed?access_token=feed-tok");
    match Puller::new(&url, None, quick_retries()).pull(&site).await {
        Err(e @ PullError::Unreachable { .. }) => {
            let text = e.to_string();
            assert!(!text.contains("feed-pass") && !text.contains("feed-tok"), "{text}");
            assert!(text.contains("feed-user:***@"), "the redacted address is named: {text}");
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn pushes_are_signed_fresh_and_taken_once() {
    let state = AppState::new(Arc::new(site().await));
    let body = json!({"listings": [listing("P-9", VILLAGE, "2026-11-01T08:00:00+08:00")]}).to_string();
    let now = Utc::now().timestamp();

    let (status, text) = send(&state, push(&body, now, SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("\"inserted\":1"), "{text}");
    // The very same request again is a replay.
    let (status, text) = send(&state, push(&body, now, SECRET)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    // The same content sent anew is accepted and changes nothing.
    let (status, text) = send(&state, push(&body, now + 1, SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("\"unchanged\":1"), "{text}");

    let (status, _) = send(&state, push(&body, now + 2, "not-the-secret")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, text) = send(&state, push(&body, now - 3600, SECRET)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an hour-old timestamp: {text}");
    let unsigned = Request::post("/api/trading/push").body(Body::from(body.clone())).unwrap();
    assert_eq!(send(&state, unsigned).await.0, StatusCode::UNAUTHORIZED);
    let audit = state.site.store.list_audit(1, 50).await.unwrap();
    assert_eq!(audit.items.iter().filter(|e| e.action == "push-refused").count(), 4, "every refusal is audited");

    // A message with one bad listing stores nothing and names the problem.
    let mut bad = listing("P-10", VILLAGE, "2026-11-01T08:00:00+08:00");
    bad["reserve_price"] = "面议".into();
    let mixed = json!({"listings": [listing("P-11", VILLAGE, "2026-11-01T08:00:00+08:00"), bad, listing("P-12", "339921100299", "2026-11-01T08:00:00+08:00")]}).to_string();
    let (status, text) = send(&state, push(&mixed, now + 3, SECRET)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("reserve_price") && text.contains("339921100299"), "{text}");
    assert!(yangguang_app::trading::listing(&state.site, "P-11").await.unwrap().is_none());
    let (status, _) = send(&state, push("{not json", now + 4, SECRET)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_push_with_its_signature_re_spelt_is_still_a_replay() {
    let state = AppState::new(Arc::new(site().await));
    let body = json!({"listings": [listing("P-20", VILLAGE, "2026-11-01T08:00:00+08:00")]}).to_string();
    let now = Utc::now().timestamp();
    let (status, text) = send(&state, push(&body, now, SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{text}");

    let sig = yangguang_core::signature::sign(SECRET.as_bytes(), now, body.as_bytes());
    let hex = sig.trim_start_matches("sha256=").to_owned();
    for spelling in [hex.to_uppercase(), hex.clone(), format!("sha256={}", hex.to_uppercase()), format!(" {hex} ")] {
        let req = Request::post("/api/trading/push")
            .header("content-type", "application/json")
            .header("x-yangguang-timestamp", now.to_string())
            .header("x-yangguang-signature", spelling.as_str())
            .body(Body::from(body.clone()))
            .unwrap();
        let (status, text) = send(&state, req).await;
        assert_eq!(status, StatusCode::CONFLICT, "{spelling:?} is the same signature: {text}");
    }
}

#[tokio::test]
async fn pushes_are_refused_where_no_secret_is_configured() {
    let store = store_with(&county_with(&[(VILLAGE, "前山村")])).await;
    let state = AppState::new(Arc::new(site_over(store, "trading-off").await));
    let body = json!({"listings": []}).to_string();
    let (status, _) = send(&state, push(&body, Utc::now().timestamp(), SECRET)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn fed_state() -> AppState {
    let site = Arc::new(site().await);
    let state = AppState::new(site.clone());
    let page = json!({"listings": [
        listing("P-OPEN", VILLAGE, "2026-11-01T08:00:00+08:00"),
        dealt(listing("P-DEAL", VILLAGE, ""), "王建明", "person", "2026-11-20T08:00:00+08:00"),
        dealt(listing("P-FIRM", VILLAGE, ""), "青山农业开发有限公司", "organisation", "2026-11-20T08:00:00+08:00"),
        listing("P-ELSEWHERE", OTHER, "2026-11-01T08:00:00+08:00"),
    ]});
    let page: yangguang_core::trading::FeedPage = serde_json::from_value(page).unwrap();
    let report = yangguang_app::trading::ingest(&site, &page, false, Utc::now()).await.unwrap();
    assert_eq!(report.inserted, 4, "{report:?}");
    state
}

#[tokio::test]
async fn the_trading_column_shows_open_listings_and_masked_deal_results() {
    let state = fed_state().await;
    for uri in [format!("/v/{VILLAGE}/trading"), format!("/v/{VILLAGE}/c/assets-trading")] {
        let (status, html) = page(&state, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(html.contains("正在公告的项目（1）") && html.contains("P-OPEN 村口店面房出租"), "{uri}: {html}");
        assert!(html.contains("成交结果（2）") && html.contains("溢价率 12.50%"), "{uri}");
        assert!(!html.contains("P-ELSEWHERE"), "another village's listing: {uri}");
    }
    let (status, html) = page(&state, &format!("/v/{VILLAGE}/trading/P-DEAL")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("王*明") && !html.contains("王建明"), "{html}");
    assert!(html.contains("40,500.00") && html.contains("结果公示"));
    let (_, html) = page(&state, &format!("/v/{VILLAGE}/trading/P-FIRM")).await;
    assert!(html.contains("青山农业开发有限公司"), "organisations are named in full");
    // A listing is found only under its own village.
    assert_eq!(page(&state, &format!("/v/{VILLAGE}/trading/P-ELSEWHERE")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(page(&state, &format!("/v/{VILLAGE}/trading/NOPE")).await.0, StatusCode::NOT_FOUND);
}

/// RFC 7386 JSON Merge Patch: how an OCDS extension's `release-schema.json` applies.
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

const RELEASE_SCHEMA_URL: &str = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";
const VERSIONED_SCHEMA_URL: &str =
    "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json";

fn vendored(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

/// A validator of an official OCDS 1.1.5 package schema (vendored in `tests/schemas`, see its
/// `SOURCES.md`), whose release schema is the official one patched with `extension` (the
/// `release-schema.json` we serve), so that validation works offline and checks the extension.
fn ocds_validator(package_schema: &str, extension: &Value) -> jsonschema::Validator {
    let mut release = vendored("ocds-1.1.5-release-schema.json");
    merge_patch(&mut release, extension);
    /// Serves the schemas the package schema refers to; nothing else is fetched.
    struct Local(Value, Value);
    impl jsonschema::Retrieve for Local {
        fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            match uri.as_str() {
                RELEASE_SCHEMA_URL => Ok(self.0.clone()),
                VERSIONED_SCHEMA_URL => Ok(self.1.clone()),
                other => Err(format!("not available offline: {other}").into()),
            }
        }
    }
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(Local(release, vendored("ocds-1.1.5-versioned-release-validation-schema.json")))
        .build(&vendored(package_schema))
        .unwrap()
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator.iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

/// Later versions of two listings: P-OPEN is cancelled, P-FIRM's winner gets its 统一社会信用代码.
async fn fed_twice() -> AppState {
    let state = fed_state().await;
    let mut cancelled = listing("P-OPEN", VILLAGE, "2026-11-10T08:00:00+08:00");
    cancelled["stage"] = "terminated".into();
    let mut firm =
        dealt(listing("P-FIRM", VILLAGE, ""), "青山农业开发有限公司", "organisation", "2026-11-21T08:00:00+08:00");
    firm["deal"]["winner_uscc"] = "91350100M000100Y43".into();
    let page: yangguang_core::trading::FeedPage =
        serde_json::from_value(json!({"listings": [cancelled, firm]})).unwrap();
    let report = yangguang_app::trading::ingest(&state.site, &page, false, Utc::now()).await.unwrap();
    assert_eq!(report.updated, 2, "{report:?}");
    state
}

#[tokio::test]
async fn listings_and_deals_export_as_valid_ocds_release_and_record_packages() {
    let state = fed_twice().await;
    let (status, ext) = page(&state, "/open-data/ocds/unit-price/extension.json").await;
    assert_eq!(status, StatusCode::OK);
    let ext: Value = serde_json::from_str(&ext).unwrap();
    assert_eq!(ext["schemas"], json!(["release-schema.json"]));
    let (status, patch) = page(&state, "/open-data/ocds/unit-price/release-schema.json").await;
    assert_eq!(status, StatusCode::OK);
    let patch: Value = serde_json::from_str(&patch).unwrap();
    let releases = ocds_validator("ocds-1.1.5-release-package-schema.json", &patch);
    let records = ocds_validator("ocds-1.1.5-record-package-schema.json", &patch);
    // Every version of every listing is a release: P-OPEN twice.
    for (uri, count) in [(format!("/v/{VILLAGE}/trading/ocds.json"), 5), ("/open-data/ocds.json".to_owned(), 6)] {
        let (status, text) = page(&state, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let package: Value = serde_json::from_str(&text).unwrap();
        assert!(errors(&releases, &package).is_empty(), "{uri}: {:#?}", errors(&releases, &package));
        assert_eq!(package["releases"].as_array().unwrap().len(), count, "{uri}");
        assert_eq!(package["uri"], format!("http://localhost{uri}"));
        assert_eq!(package["extensions"], json!(["http://localhost/open-data/ocds/unit-price/extension.json"]));
    }
    let (_, text) = page(&state, &format!("/v/{VILLAGE}/trading/ocds.json")).await;
    let package: Value = serde_json::from_str(&text).unwrap();
    let all = package["releases"].as_array().unwrap();
    let of = |project: &str| all.iter().filter(|r| r["tender"]["id"] == project).collect::<Vec<_>>();
    let deal = of("P-DEAL")[0];
    assert_eq!(deal["tag"], json!(["award"]));
    // 40,500 元/年 for the five years 2027–2031: the award's value is the total.
    assert_eq!(deal["awards"][0]["value"], json!({"amount": 202500.0, "currency": "CNY"}));
    assert_eq!(
        deal["awards"][0]["unitPrice"],
        json!({"value": {"amount": 40500.0, "currency": "CNY"}, "basis": "perYear", "basisDetails": "元/年"})
    );
    assert_eq!(deal["tender"]["value"], json!({"amount": 180000.0, "currency": "CNY"}));
    assert_eq!(deal["awards"][0]["suppliers"][0]["name"], "王*明");
    assert!(deal["tender"]["tenderPeriod"]["endDate"].as_str().unwrap().ends_with("T23:59:59+08:00"));
    assert_eq!(deal["tender"]["contractPeriod"]["endDate"], "2031-12-31T23:59:59+08:00");
    assert_eq!(deal["buyer"]["id"], format!("CN-XZQH-{VILLAGE}"));
    let buyer = deal["parties"].as_array().unwrap().iter().find(|p| p["id"] == deal["buyer"]["id"]).unwrap();
    assert_eq!(buyer["identifier"]["scheme"], "CN-XZQH");
    assert_eq!(buyer["identifier"]["id"], VILLAGE);
    assert!(deal["parties"][1].get("identifier").is_none(), "a person has no identifier");
    let open = of("P-OPEN");
    assert_eq!(open.len(), 2, "both versions");
    assert_eq!((open[0]["tag"].clone(), open[1]["tag"].clone()), (json!(["tender"]), json!(["tenderCancellation"])));
    assert_ne!(open[0]["id"], open[1]["id"]);
    assert_eq!(open[1]["tender"]["status"], "cancelled");
    let firm = of("P-FIRM");
    assert_eq!(firm[1]["awards"][0]["suppliers"][0]["id"], "CN-USCC-91350100M000100Y43");
    assert_eq!(
        firm[1]["parties"][1]["identifier"],
        json!({"scheme": "CN-USCC", "id": "91350100M000100Y43", "legalName": "青山农业开发有限公司"})
    );
    // The extension is checked: a basis it does not know is an error.
    let mut broken = package.clone();
    broken["releases"][0]["tender"]["unitPrice"]["basis"] = json!("perDay");
    assert!(!releases.is_valid(&broken));
    broken = package.clone();
    broken["releases"][0]["tag"] = json!(["sold"]);
    assert!(!releases.is_valid(&broken));

    // Records: one per listing, with every release and the compiled state.
    let (status, text) = page(&state, &format!("/v/{VILLAGE}/trading/ocds-records.json")).await;
    assert_eq!(status, StatusCode::OK);
    let package: Value = serde_json::from_str(&text).unwrap();
    assert!(errors(&records, &package).is_empty(), "{:#?}", errors(&records, &package));
    let list = package["records"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    let open = list.iter().find(|r| r["ocid"] == "ocds-yg0000-P-OPEN").unwrap();
    assert_eq!(open["releases"].as_array().unwrap().len(), 2);
    assert_eq!(open["compiledRelease"]["tag"], json!(["compiled"]));
    assert_eq!(open["compiledRelease"]["tender"]["status"], "cancelled");
    assert_eq!(open["compiledRelease"]["date"], open["releases"][1]["date"]);
    let firm = list.iter().find(|r| r["ocid"] == "ocds-yg0000-P-FIRM").unwrap();
    assert_eq!(firm["compiledRelease"]["parties"].as_array().unwrap().len(), 3, "parties merged by id");
    let (status, text) = page(&state, "/open-data/ocds-records.json").await;
    assert_eq!(status, StatusCode::OK);
    let county: Value = serde_json::from_str(&text).unwrap();
    assert!(errors(&records, &county).is_empty());
    assert_eq!(county["records"].as_array().unwrap().len(), 4);

    // A village with nothing to export has no package (OCDS needs a release).
    let empty = AppState::new(Arc::new(site().await));
    assert_eq!(page(&empty, &format!("/v/{VILLAGE}/trading/ocds.json")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(page(&empty, &format!("/v/{VILLAGE}/trading/ocds-records.json")).await.0, StatusCode::NOT_FOUND);
    let _ = code(VILLAGE);
}
