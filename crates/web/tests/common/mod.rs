//! What the HTTP tests share: a county in a fresh in-memory SQLite store, behind the real
//! router.

#![allow(dead_code)]

pub mod s3;
pub mod server;
pub mod tools;

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

/// A migrated store holding `regions` in a fresh schema of the PostgreSQL server named by
/// `YANGGUANG_TEST_POSTGRES_URL`, or `None` when none is configured (a failure under CI).
/// Drop its schema with `drop_own_schema` at the end of the test.
pub async fn postgres_store_with(regions: &[Region]) -> Option<(yangguang_store_postgres::PostgresStore, PgSchema)> {
    const URL_VAR: &str = "YANGGUANG_TEST_POSTGRES_URL";
    let Ok(url) = std::env::var(URL_VAR) else {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but {URL_VAR} is not set");
        eprintln!("skipping the PostgreSQL half of this test: set {URL_VAR}");
        return None;
    };
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let schema = format!(
        "w_{}_{}_{}",
        std::process::id(),
        Utc::now().timestamp_micros(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let store = yangguang_store_postgres::PostgresStore::connect_in_schema(&url, &schema).await.unwrap();
    store.migrate().await.unwrap();
    store.upsert_regions(regions).await.unwrap();
    Some((store, PgSchema { url, schema }))
}

/// A test's PostgreSQL schema, to drop when the test is done.
pub struct PgSchema {
    url: String,
    schema: String,
}

impl PgSchema {
    pub async fn drop(self) {
        let store = yangguang_store_postgres::PostgresStore::connect_in_schema(&self.url, &self.schema).await.unwrap();
        store.drop_own_schema().await.unwrap();
    }
}

/// The site over a store, with a private file directory and a fixed signing key.
pub async fn site_over(store: impl Store + 'static, name: &str) -> Site {
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

/// A signed-in staff member's session cookie.
pub async fn staff_cookie(
    state: &yangguang_web::AppState,
    username: &str,
    role: yangguang_core::staff::Role,
    region: &str,
) -> String {
    let (id, _) = yangguang_app::auth::create_staff(
        &state.site,
        username,
        "李文",
        vec![yangguang_core::staff::Grant::new(role, code(region)).unwrap()],
    )
    .await
    .unwrap();
    let mut staff = state.site.store.get_staff(id).await.unwrap();
    // Past first login: password changed, second factor set where the role needs one.
    staff.must_change_password = false;
    if role.requires_totp() {
        staff.totp_secret = Some(yangguang_app::auth::new_totp_secret());
    }
    state.site.store.update_staff(&staff).await.unwrap();
    let token = yangguang_app::auth::random_token();
    state
        .site
        .store
        .create_session(&yangguang_store::Session {
            token_hash: yangguang_app::auth::token_hash(&token),
            staff_id: staff.id,
            csrf_token: "c".into(),
            created_at: Utc::now(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            ip: "127.0.0.1".into(),
            revoked: false,
        })
        .await
        .unwrap();
    format!("{}={token}", yangguang_web::console::SESSION_COOKIE)
}

/// The value of a hidden form field on a page.
pub fn hidden_field(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

/// Sends the confirm form of the import preview `html` as the session `cookie` (CSRF `c`):
/// the status and where it leads.
pub async fn confirm_import(
    state: &yangguang_web::AppState,
    cookie: &str,
    html: &str,
) -> (axum::http::StatusCode, String) {
    use tower::ServiceExt;
    let id = hidden_field(html, "preview").expect("a confirmable preview");
    let village = hidden_field(html, "village").expect("the preview's village");
    let req = axum::http::Request::post("/console/imports/confirm")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(axum::http::header::COOKIE, cookie)
        .body(axum::body::Body::from(format!("csrf=c&village={village}&preview={id}")))
        .unwrap();
    let r = yangguang_web::router(state.clone()).oneshot(req).await.unwrap();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (r.status(), location)
}
