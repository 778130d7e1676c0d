//! The public pages through the router, without a socket: a small county in an in-memory
//! SQLite store, real templates, real compression.

mod common;

use std::io::Read;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use chrono::{TimeZone, Utc};
use common::code;
use tower::ServiceExt;
use yangguang_core::{Attachment, DisclosureKind, DisclosureState, NewDisclosure, RegionKind};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const OTHER_VILLAGE: &str = "339921100202";

struct TestSite {
    state: AppState,
    first_id: i64,
}

async fn site() -> TestSite {
    let mut regions = common::county_with(&[(VILLAGE, "前山村"), (OTHER_VILLAGE, "后山村")]);
    regions.push(common::region("339921101000", "白沙镇", Some("339921000000"), RegionKind::Town));
    regions.push(common::region("339921101201", "龙潭村", Some("339921101000"), RegionKind::Village));
    let site = common::site_over(common::store_with(&regions).await, "pages").await;
    let csv = "户主,金额\n张*明,300.00\n".as_bytes();
    let sha256 = site.files.put(csv).await.unwrap();
    let at = |day| Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap();
    let mut batch: Vec<NewDisclosure> = (1..=25)
        .map(|i| NewDisclosure {
            village: code(VILLAGE),
            column: "finance-income".into(),
            catalog_item: Some("income-expenditure".into()),
            period: Some(format!("2025-{:02}", (i % 12) + 1).parse().unwrap()),
            title: format!("收支明细第{i}期"),
            body_md: format!("第{i}期正文"),
            state: DisclosureState::Published,
            created_at: at(1),
            published_at: Some(at(1 + (i % 27) as u32)),
            attachments: vec![],
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
            created_by: None,
            signoffs: vec![],
        })
        .collect();
    batch[0].title = "低保名单".into();
    batch[0].column = "affairs-allowance".into();
    batch[0].catalog_item = Some("allowance-lists".into());
    batch[0].body_md = "名单如下<script>alert('x')</script><img src=x onerror=alert(1)>\n\n| 户主 | 金额 |\n|---|---|\n| 张*明 | 300.00 |".into();
    batch[0].attachments = vec![Attachment {
        file_name: "低保名单.csv".into(),
        media_type: "text/csv; charset=utf-8".into(),
        byte_size: csv.len() as i64,
        sha256,
    }];
    let mut other = batch[1].clone();
    other.village = code(OTHER_VILLAGE);
    other.title = "后山村的事项".into();
    let mut draft = batch[2].clone();
    draft.title = "草稿不公开".into();
    draft.state = DisclosureState::Draft;
    draft.published_at = None;
    batch.push(other);
    batch.push(draft);
    let ids = site.add_disclosures(&batch).await.unwrap();
    TestSite { state: AppState::new(Arc::new(site)), first_id: ids[0].0 }
}

async fn get(state: &AppState, uri: &str, headers: &[(&str, &str)]) -> Response {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap()
}

async fn text(response: Response) -> String {
    String::from_utf8(to_bytes(response.into_body(), 4 << 20).await.unwrap().to_vec()).unwrap()
}

async fn page(state: &AppState, uri: &str) -> (StatusCode, String) {
    let r = get(state, uri, &[]).await;
    (r.status(), text(r).await)
}

#[tokio::test]
async fn county_home_lists_towns_and_their_villages() {
    let s = site().await;
    let (status, html) = page(&s.state, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<title>清溪县村务公开 - 阳光村务</title>"), "{html}");
    assert!(html.contains("青山镇") && html.contains("白沙镇"));
    assert!(html.contains(&format!("href=\"/v/{VILLAGE}\"")));
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("name=\"description\""));
}

#[tokio::test]
async fn village_home_shows_tiles_latest_and_due_and_remembers_the_village() {
    let s = site().await;
    let r = get(&s.state, &format!("/v/{VILLAGE}"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with(&format!("yg_village={VILLAGE}")), "{cookie}");
    let html = text(r).await;
    for column in ["党建引领", "阳光村务", "阳光财务", "三资与产权交易", "我的三权", "普惠金融", "乡村治理", "综合治理"]
    {
        assert!(html.contains(column), "tile {column} missing");
    }
    assert!(html.contains("本月应公开") && html.contains("最新公开"));
    assert!(html.contains("收支明细第"));
    assert!(!html.contains("后山村的事项"), "another village's item leaked");
    assert!(!html.contains("草稿不公开"), "a draft leaked");
    // A returning villager lands on the village chosen last.
    let r = get(&s.state, "/", &[("cookie", &format!("yg_village={VILLAGE}"))]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], format!("/v/{VILLAGE}").as_str());
    let r = get(&s.state, "/?all=1", &[("cookie", &format!("yg_village={VILLAGE}"))]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_codes_and_ids_get_the_friendly_404_page() {
    let s = site().await;
    let id = s.first_id;
    for uri in [
        "/v/339921100299".to_string(),
        "/v/not-a-code".into(),
        "/v/339921100201/c/no-such-column".into(),
        "/v/339921100201/d/99999999".into(),
        "/v/339921100201/d/abc".into(),
        format!("/v/{OTHER_VILLAGE}/d/{id}"),
        "/v/339921100201/c/finance?page=0".into(),
        "/no/such/page".into(),
        format!("/v/{VILLAGE}/d/{id}/a/7"),
    ] {
        let (status, html) = page(&s.state, &uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(html.contains("没有找到这个页面") && html.contains("href=\"/\""), "{uri}: {html}");
    }
}

#[tokio::test]
async fn drafts_are_not_public_pages() {
    let s = site().await;
    let draft_id = s.first_id + 26;
    let (status, _) = page(&s.state, &format!("/v/{VILLAGE}/d/{draft_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_disclosure_shows_its_facts_and_never_runs_injected_script() {
    let s = site().await;
    let r = get(&s.state, &format!("/v/{VILLAGE}/d/{}", s.first_id), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'sha256-") && !csp.contains("unsafe-inline"), "{csp}");
    let html = text(r).await;
    assert!(html.contains("<title>低保名单 - 前山村 - 阳光村务</title>"));
    assert!(html.contains("<table>") && html.contains("张*明"));
    assert!(!html.contains("alert("), "injected script survived: {html}");
    assert!(html.contains("村务监督委员会"), "reviewer of the catalog item shown");
    assert!(html.contains("低保名单.csv"));
    let r = get(&s.state, &format!("/v/{VILLAGE}/d/{}/a/0", s.first_id), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("filename*=UTF-8''%E4%BD%8E"));
    assert_eq!(text(r).await, "户主,金额\n张*明,300.00\n");
}

#[tokio::test]
async fn column_pages_cover_their_subtree_and_paginate() {
    let s = site().await;
    let (status, html) = page(&s.state, &format!("/v/{VILLAGE}/c/finance")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("收支明细") && html.contains("第 1 页，共 2"), "{html}");
    assert!(html.contains("href=\"?page=2\""));
    let (_, second) = page(&s.state, &format!("/v/{VILLAGE}/c/finance?page=2")).await;
    assert_eq!(second.matches("/d/").count(), 4, "24 finance items: 20 + 4");
    let (_, affairs) = page(&s.state, &format!("/v/{VILLAGE}/c/affairs")).await;
    assert!(affairs.contains("低保名单") && !affairs.contains("收支明细第2期"));
}

#[tokio::test]
async fn search_finds_a_village_by_any_part_of_its_name() {
    let s = site().await;
    let (_, html) = page(&s.state, "/search?q=%E5%B1%B1").await; // 山
    assert!(html.contains("前山村") && html.contains("后山村") && !html.contains(">龙潭村<"));
    let (_, html) = page(&s.state, "/search?q=%E9%BE%99%E6%BD%AD").await; // 龙潭
    assert!(html.contains("/v/339921101201"));
    let (_, html) = page(&s.state, "/search?q=%3Cscript%3E").await;
    assert!(html.contains("没有找到") && !html.contains("<script>alert"));
}

#[tokio::test]
async fn elder_mode_and_english_are_switched_and_remembered() {
    let s = site().await;
    let r = get(&s.state, &format!("/prefs?elder=1&back=/v/{VILLAGE}"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], format!("/v/{VILLAGE}").as_str());
    assert!(r.headers()[header::SET_COOKIE].to_str().unwrap().starts_with("yg_elder=1"));
    let r = get(&s.state, "/prefs?elder=1&back=https://evil.example/", &[]).await;
    assert_eq!(r.headers()[header::LOCATION], "/");
    let (_, html) = page(&s.state, &format!("/v/{VILLAGE}")).await;
    assert!(!html.contains("class=\"elder\""));
    let r = get(&s.state, &format!("/v/{VILLAGE}"), &[("cookie", "yg_elder=1; yg_lang=en")]).await;
    let html = text(r).await;
    assert!(html.contains("<html lang=\"en\" class=\"elder\">"), "{}", &html[..200]);
    assert!(html.contains("Finances") && html.contains("Standard text"));
}

#[tokio::test]
async fn pages_fit_one_round_trip_compressed_and_revalidate() {
    let s = site().await;
    for uri in [
        "/?all=1".to_string(),
        format!("/v/{VILLAGE}"),
        format!("/v/{VILLAGE}/c/finance"),
        format!("/v/{VILLAGE}/d/{}", s.first_id),
        "/search?q=%E5%B1%B1".into(),
    ] {
        for (encoding, elder) in [("br", ""), ("gzip", ""), ("gzip", "yg_elder=1")] {
            let r = get(&s.state, &uri, &[("accept-encoding", encoding), ("cookie", elder)]).await;
            assert_eq!(r.headers()[header::CONTENT_ENCODING], encoding, "{uri}");
            let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
            assert!(body.len() <= 14 * 1024, "{uri} {encoding}: {} bytes", body.len());
            if encoding == "gzip" {
                let mut html = String::new();
                flate2::read::GzDecoder::new(&body[..]).read_to_string(&mut html).unwrap();
                assert!(html.starts_with("<!doctype html>"));
            }
        }
    }
    let r = get(&s.state, &format!("/v/{VILLAGE}"), &[]).await;
    let etag = r.headers()[header::ETAG].to_str().unwrap().to_owned();
    let r = get(&s.state, &format!("/v/{VILLAGE}"), &[("if-none-match", &etag)]).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn publishing_invalidates_cached_pages() {
    let s = site().await;
    let (_, before) = page(&s.state, &format!("/v/{VILLAGE}")).await;
    assert!(!before.contains("新公开的事项"));
    let other = yangguang_app::Scope::Village(code(OTHER_VILLAGE));
    let other_generation = s.state.site.generation(other);
    let mut new = s.state.site.store.get_disclosure(yangguang_core::DisclosureId(s.first_id)).await.unwrap();
    new.title = "新公开的事项".into();
    let at = Utc::now();
    s.state
        .site
        .add_disclosures(&[NewDisclosure {
            village: new.village,
            column: new.column,
            catalog_item: None,
            period: None,
            title: new.title,
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
    let (_, after) = page(&s.state, &format!("/v/{VILLAGE}")).await;
    assert!(after.contains("新公开的事项"));
    assert_eq!(s.state.site.generation(other), other_generation, "another village's pages stay cached");
}

#[tokio::test]
async fn healthz_reports_the_backend() {
    let s = site().await;
    let (status, body) = page(&s.state, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"backend":"sqlite","status":"ok"}"#);
    let (status, _) = page(&s.state, "/favicon.ico").await;
    assert_eq!(status, StatusCode::OK);
}

/// A file name stored with a right-to-left override (from before names were cleaned on upload)
/// displays and downloads without it, so it reads as written: 发票fdp.exe, not 发票exe.pdf.
#[tokio::test]
async fn bidirectional_controls_are_not_shown_in_file_names() {
    let s = site().await;
    let bytes = b"%PDF-1.4\n%%EOF\n";
    let sha256 = s.state.site.files.put(bytes).await.unwrap();
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    let ids = s
        .state
        .site
        .add_disclosures(&[NewDisclosure {
            village: code(VILLAGE),
            column: "affairs-allowance".into(),
            catalog_item: Some("allowance-lists".into()),
            period: Some("2026-03".parse().unwrap()),
            title: "附件名".into(),
            body_md: "见附件".into(),
            state: DisclosureState::Published,
            created_at: at,
            published_at: Some(at),
            attachments: vec![Attachment {
                file_name: "发票\u{202E}fdp.exe".into(),
                media_type: "application/pdf".into(),
                byte_size: bytes.len() as i64,
                sha256,
            }],
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
            created_by: None,
            signoffs: vec![],
        }])
        .await
        .unwrap();
    let id = ids[0].0;
    let (status, html) = page(&s.state, &format!("/v/{VILLAGE}/d/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("发票fdp.exe") && !html.contains('\u{202E}'), "{html}");
    let r = get(&s.state, &format!("/v/{VILLAGE}/d/{id}/a/0"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let disposition = r.headers().get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().to_owned();
    assert!(!disposition.contains("%E2%80%AE") && disposition.contains("fdp.exe"), "{disposition}");
}

async fn decoded(response: Response) -> (Option<String>, String) {
    let encoding = response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
    let bytes = to_bytes(response.into_body(), 8 << 20).await.unwrap();
    let mut out = String::new();
    match encoding.as_deref() {
        Some("gzip") => {
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut out).unwrap();
        }
        Some("br") => {
            brotli::Decompressor::new(&bytes[..], 4096).read_to_string(&mut out).unwrap();
        }
        _ => out = String::from_utf8(bytes.to_vec()).unwrap(),
    }
    (encoding, out)
}

#[tokio::test]
async fn pages_made_for_one_request_and_json_are_compressed_into_the_encoding_asked_for() {
    let s = site().await;
    for (accept, expected) in [("gzip", Some("gzip")), ("br", Some("br")), ("identity", None)] {
        let search = get(&s.state, "/search?q=%E5%89%8D%E5%B1%B1", &[("accept-encoding", accept)]).await;
        assert_eq!(search.status(), StatusCode::OK);
        let (encoding, html) = decoded(search).await;
        assert_eq!(encoding.as_deref(), expected, "search with Accept-Encoding: {accept}");
        assert!(html.contains("前山村"), "{html}");
    }
    let log = get(&s.state, "/api/log?limit=100", &[("accept-encoding", "br")]).await;
    let (encoding, json) = decoded(log).await;
    assert_eq!(encoding.as_deref(), Some("br"), "JSON is compressed when asked");
    assert!(json.starts_with('['), "{json}");
    let jsonl = get(&s.state, "/api/log.jsonl", &[("accept-encoding", "gzip")]).await;
    let (encoding, lines) = decoded(jsonl).await;
    assert_eq!(encoding.as_deref(), Some("gzip"), "the streamed log too");
    assert!(lines.lines().count() >= 25, "{lines}");
}

/// An item's proof is logarithmic: with 1,100 publications after it, a few hashes against
/// the checkpoint signed on demand, and it verifies.
#[tokio::test]
async fn a_proof_is_a_few_hashes_whatever_came_after() {
    let s = site().await;
    let at = Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap();
    let more: Vec<NewDisclosure> = (0..1_100)
        .map(|i| NewDisclosure {
            village: code(OTHER_VILLAGE),
            column: "affairs-subsidy".into(),
            catalog_item: None,
            period: None,
            title: format!("安全提示 {i}"),
            body_md: "注意防火".into(),
            state: DisclosureState::Published,
            created_at: at,
            published_at: Some(at),
            attachments: vec![],
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
            created_by: None,
            signoffs: vec![],
        })
        .collect();
    s.state.site.add_disclosures(&more).await.unwrap();
    let r = get(&s.state, &format!("/api/disclosures/{}/proof", s.first_id), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = text(r).await;
    assert!(body.len() < 2_048, "{} bytes", body.len());
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let size = json["tree_size"].as_u64().unwrap();
    assert!(size >= 1_126, "signed on demand over every entry: {size}");
    assert_eq!(json["inclusion_proof"].as_array().unwrap().len(), 11, "log2 of the tree size");
}

/// The server notices what the command line does to the same database: one `Site` serves
/// (its pages cached), another — the command line — publishes, imports a register and adds a
/// village over the same SQLite file. Until the server polls the change stamp its pages stay
/// as they were; after one poll they show the changes.
#[tokio::test]
async fn the_server_notices_changes_made_by_the_command_line() {
    use yangguang_app::site::Scope;
    let dir = std::env::temp_dir().join(format!(
        "yg-two-processes-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("yangguang.db");
    let open = || yangguang_store_sqlite::SqliteStore::open(&path);
    let store = open().await.unwrap();
    yangguang_store::Store::migrate(&store).await.unwrap();
    yangguang_store::RegionStore::upsert_regions(&store, &common::county_with(&[(VILLAGE, "前山村")])).await.unwrap();
    let server = AppState::new(Arc::new(common::site_over(store, "server").await));
    let cli = common::site_over(open().await.unwrap(), "cli").await;
    let village = code(VILLAGE);

    let home = format!("/v/{VILLAGE}");
    let (status, before) = page(&server, &home).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!before.contains("命令行发布的通知"));
    let generation = server.site.generation(Scope::Village(village));
    assert!(!server.site.poll_changes().await.unwrap(), "nothing changed yet");

    // The command line publishes an item, imports a lease register and adds a village.
    let at = Utc::now();
    cli.add_disclosures(&[NewDisclosure {
        village,
        column: "affairs-allowance".into(),
        catalog_item: None,
        period: None,
        title: "命令行发布的通知".into(),
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
    let leases = "合同编号,资产名称,资产类别,承租方,面积（亩）,年租金（元）,起租日期,到期日期\n\
                  HT-CLI-1,溪东鱼塘,鱼塘,清溪渔业合作社,12.5,15000,2026-01-01,2028-12-31\n";
    let imported = yangguang_app::leases::import_leases(&cli, None, village, leases.as_bytes()).await.unwrap();
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    cli.import_regions_csv("code,name,parent_code,kind\n339921100203,新村,339921100000,village\n").await.unwrap();

    // Not polled yet: the server's cached page is what it was.
    assert_eq!(server.site.generation(Scope::Village(village)), generation);
    assert_eq!(page(&server, &home).await.1, before);
    assert_eq!(page(&server, "/v/339921100203").await.0, StatusCode::NOT_FOUND);

    assert!(server.site.poll_changes().await.unwrap(), "the change stamp moved");
    assert_ne!(server.site.generation(Scope::Village(village)), generation);
    let (_, after) = page(&server, &home).await;
    assert!(after.contains("命令行发布的通知"), "{after}");
    let (_, leases) = page(&server, &format!("/v/{VILLAGE}/leases")).await;
    assert!(leases.contains("HT-CLI-1"), "{leases}");
    assert_eq!(page(&server, "/v/339921100203").await.0, StatusCode::OK, "the new village is known");
    assert!(!server.site.poll_changes().await.unwrap(), "seen once, not again");
    let _ = std::fs::remove_dir_all(&dir);
}
