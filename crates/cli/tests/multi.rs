//! Two app servers — two processes of the real binary on random ports — over one PostgreSQL
//! database: a publication made through one refreshes the other's cached page, and the
//! background jobs run on one server only, moving to the other when the first dies.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Server, http_get, temp_dir};
use yangguang_app::Site;
use yangguang_app::auth::SignedIn;
use yangguang_app::publishing::{self, Actor, DraftInput};
use yangguang_core::staff::{Grant, Role};
use yangguang_core::{Region, RegionCode, RegionKind};
use yangguang_store::Decision;

const VILLAGE: &str = "339921100201";

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

/// A staff account past its first login, signed in: its session token.
async fn signed_in_staff(site: &Site, username: &str, role: Role) -> (String, SignedIn) {
    let grant = Grant::new(role, code(VILLAGE)).unwrap();
    let (id, _) = yangguang_app::auth::create_staff(site, username, "李文", vec![grant]).await.unwrap();
    let mut staff = site.store.get_staff(id).await.unwrap();
    staff.must_change_password = false;
    site.store.update_staff(&staff).await.unwrap();
    let token = yangguang_app::auth::random_token();
    site.store
        .create_session(&yangguang_store::Session {
            token_hash: yangguang_app::auth::token_hash(&token),
            staff_id: id,
            csrf_token: "c".into(),
            created_at: Utc::now(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            ip: "127.0.0.1".into(),
            revoked: false,
        })
        .await
        .unwrap();
    let who = yangguang_app::auth::signed_in(site, &token, Utc::now()).await.unwrap().unwrap();
    (token, who)
}

/// A clerk's item outside the catalog (the supervision committee signs it), submitted for
/// review, to be published at `at` if given.
async fn submitted(site: &Site, clerk: &SignedIn, title: &str, at: Option<chrono::DateTime<Utc>>) -> i64 {
    let actor = Actor { who: clerk, ip: "127.0.0.1" };
    let input = DraftInput {
        column: "affairs-works".into(),
        catalog_item: None,
        period: None,
        title: title.into(),
        body_md: "村道维修三天。".into(),
        attachments: vec![],
        reason: None,
    };
    let id = publishing::create_draft(site, &actor, code(VILLAGE), input).await.unwrap();
    publishing::submit(site, &actor, id, at).await.unwrap();
    id.0
}

/// A supervision committee member (a new account `username`) signs the item off: published, or
/// scheduled when it was submitted with a time.
async fn approve(site: &Site, username: &str, id: i64) {
    let (_, supervisor) = signed_in_staff(site, username, Role::SupervisionMember).await;
    let actor = Actor { who: &supervisor, ip: "127.0.0.1" };
    let id = yangguang_core::DisclosureId(id);
    let hash = site.store.get_disclosure(id).await.unwrap().content_hash();
    publishing::review(site, &actor, id, Decision::Approve, None, Some(&hash)).await.unwrap();
}

/// A form posted as a browser does, with a session cookie: the status and `Location` (or,
/// without one, the whole response).
fn post_form(addr: std::net::SocketAddr, path: &str, cookie: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
    let location = raw
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .map(str::to_owned)
        .unwrap_or(raw);
    (status, location)
}

/// What a server wrote to its log so far, kept: `wait_for` reads on until a line matches.
struct Log {
    lines: Vec<String>,
}

impl Log {
    fn new() -> Self {
        Self { lines: vec![] }
    }

    fn drain(&mut self, server: &Server) {
        while let Ok(line) = server.log.try_recv() {
            self.lines.push(line);
        }
    }

    fn has(&self, needle: &str) -> bool {
        self.lines.iter().any(|l| l.contains(needle))
    }

    /// Waits (generously: a debug build on a busy machine) for a line containing `needle`.
    fn wait_for(&mut self, server: &Server, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            self.drain(server);
            if self.has(needle) {
                return;
            }
            assert!(Instant::now() < deadline, "no {needle:?} in the log:\n{}", self.lines.join("\n"));
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Polls `path` on `addr` until its page contains `needle` (a generous timeout, no timing
/// asserted).
fn wait_for_page(addr: std::net::SocketAddr, path: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let page = http_get(addr, path, &[("Accept-Encoding", "identity")]);
        if page.body.contains(needle) {
            return;
        }
        assert!(Instant::now() < deadline, "{path} on {addr} never showed {needle:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_servers_share_page_changes_and_run_background_jobs_once() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let schema = format!(
        "multi_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros()
    );
    let dir = temp_dir("multi");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    // The test's own view of the database: the same key as the servers (one data directory).
    let site = runtime.block_on(async {
        let store = yangguang_store_postgres::PostgresStore::connect_in_schema(&url, &schema)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {url} is not reachable: {e}"));
        yangguang_store::Store::migrate(&store).await.unwrap();
        yangguang_store::RegionStore::upsert_regions(&store, &regions()).await.unwrap();
        let key = yangguang_app::keys::PlatformKey::load_or_create(&data).unwrap();
        let files = yangguang_app::files::FileStore::new(data.join("files"));
        let catalog = yangguang_app::catalog_files::default_catalog();
        Arc::new(Site::new(Arc::new(store), catalog, files, key).await.unwrap())
    });
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-csearch_path%3D{schema}");
    // A short lease, so that the test waits seconds, not the default half minute.
    let config = dir.join("yangguang.toml");
    std::fs::write(&config, "[jobs]\nlease_seconds = \"3\"\n").unwrap();
    let args = ["serve", "--data-dir", data.to_str().unwrap(), "--database", &schema_url, "--config"];
    let args: Vec<&str> = args.into_iter().chain([config.to_str().unwrap()]).collect();

    let a = Server::start(&args);
    let mut a_log = Log::new();
    a_log.wait_for(&a, "this server now runs the background jobs");
    let b = Server::start(&args);
    let mut b_log = Log::new();

    // B serves the village home from its cache.
    let home = format!("/v/{VILLAGE}");
    let before = http_get(b.addr, &home, &[]);
    assert_eq!(before.status, 200);
    assert!(!before.body.contains("村道维修公告"));
    assert_eq!(http_get(b.addr, &home, &[]).body, before.body, "cached");

    // (a) A clerk's item, signed off by the supervision committee through server A.
    let (clerk, supervisor_token) = runtime.block_on(async {
        let (_, clerk) = signed_in_staff(&site, "clerk", Role::VillageClerk).await;
        let (token, _) = signed_in_staff(&site, "supervisor", Role::SupervisionMember).await;
        (clerk, token)
    });
    let id = runtime.block_on(submitted(&site, &clerk, "村道维修公告", None));
    let cookie = format!("{}={supervisor_token}", yangguang_web::console::SESSION_COOKIE);
    // The review page shows the content hash the sign-off binds.
    let review = http_get(a.addr, &format!("/console/d/{id}"), &[("Cookie", &cookie)]);
    let marker = "name=\"hash\" value=\"";
    let start = review.body.find(marker).unwrap_or_else(|| panic!("no hash on the review page: {}", review.body))
        + marker.len();
    let hash = &review.body[start..start + review.body[start..].find('"').unwrap()];
    let form = format!("csrf=c&hash={hash}&decision=approve&comment=");
    let (status, location) = post_form(a.addr, &format!("/console/d/{id}/review"), &cookie, &form);
    assert!((300..400).contains(&status), "the sign-off was accepted: {status} {location}");
    assert!(http_get(a.addr, &home, &[]).body.contains("村道维修公告"), "A shows its own publication");
    // B's cached page follows: told through the database, not by its own publishing. (How
    // soon is printed, not asserted: on PostgreSQL a notification wakes B at once.)
    let published = Instant::now();
    wait_for_page(b.addr, &home, "村道维修公告");
    eprintln!("server B showed A's publication after {:?}", published.elapsed());
    wait_for_page(b.addr, &format!("/v/{VILLAGE}/d/{id}"), "村道维修公告");

    // (b) The jobs run on A alone: A holds the lease, and A publishes a scheduled item.
    let lease = |site: &Site| runtime.block_on(site.store.lease(yangguang_app::jobs::JOBS_LEASE)).unwrap().unwrap();
    assert!(lease(&site).holder.contains(&format!("/{}/", a.child.id())), "{:?}", lease(&site));
    let soon = Utc::now() + chrono::Duration::seconds(1);
    let first = runtime.block_on(async {
        let first = submitted(&site, &clerk, "定时公开一", Some(soon)).await;
        approve(&site, "supervisor2", first).await;
        first
    });
    a_log.wait_for(&a, &format!("scheduled version published disclosure={first}"));
    wait_for_page(b.addr, &home, "定时公开一");
    b_log.drain(&b);
    assert!(!b_log.has("this server now runs the background jobs"), "{}", b_log.lines.join("\n"));
    assert!(!b_log.has("scheduled version published"), "only A ran the job");
    assert!(!b_log.has("scheduled publication failed"), "B did not even try");

    // A dies without a word (no clean hand-over): B takes the lease once it lapses, and runs
    // the jobs from then on.
    let a_pid = a.child.id();
    drop(a);
    b_log.wait_for(&b, "this server now runs the background jobs");
    let holder = lease(&site).holder;
    assert!(holder.contains(&format!("/{}/", b.child.id())) && !holder.contains(&format!("/{a_pid}/")), "{holder}");
    let second = runtime.block_on(async {
        let later = Utc::now() + chrono::Duration::seconds(1);
        let second = submitted(&site, &clerk, "定时公开二", Some(later)).await;
        approve(&site, "supervisor3", second).await;
        second
    });
    b_log.wait_for(&b, &format!("scheduled version published disclosure={second}"));
    wait_for_page(b.addr, &home, "定时公开二");

    drop(b);
    runtime.block_on(async {
        let store = yangguang_store_postgres::PostgresStore::connect_in_schema(&url, &schema).await.unwrap();
        store.drop_own_schema().await.unwrap();
    });
    let _ = std::fs::remove_dir_all(&dir);
}
