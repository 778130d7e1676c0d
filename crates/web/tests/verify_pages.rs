//! The transparency log as readers see it: each item's page states its entry in the public log
//! (and its leaf index), its content fingerprint and who witnessed the latest checkpoint, and
//! offers the in-browser check, whose scripts are fetched only on demand; `/verify` shows the
//! log's key, the latest checkpoint, its witnesses and how to check.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use common::code;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use yangguang_app::transparency;
use yangguang_core::{DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";

fn items(n: usize) -> Vec<NewDisclosure> {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    (0..n)
        .map(|i| NewDisclosure {
            village: code(VILLAGE),
            column: "finance-income".into(),
            catalog_item: Some("income-expenditure".into()),
            period: Some("2026-02".parse().unwrap()),
            title: format!("收支明细第{i}期"),
            body_md: format!("第{i}期正文：\"引号\" 与 \\ 反斜杠\n\n| 项目 | 金额 |\n|---|---|\n| 办公费 | 1.00 |"),
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
        .collect()
}

async fn state_with(witnesses: Vec<transparency::Witness>) -> AppState {
    let regions = common::county_with(&[(VILLAGE, "前山村")]);
    let mut site = common::site_over(common::store_with(&regions).await, "verify-pages").await;
    site.log = transparency::TransparencyLog::new(None, site.key.secret(), witnesses).unwrap();
    AppState::new(Arc::new(site))
}

async fn get(state: &AppState, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = r.into_parts();
    (parts.status, parts.headers, to_bytes(body, 8 << 20).await.unwrap().to_vec())
}

async fn text(state: &AppState, uri: &str) -> String {
    let (status, _, body) = get(state, uri, &[]).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    String::from_utf8(body).unwrap()
}

/// A witness server on a random port, told of `log_key`; the platform's view of it.
async fn start_witness(name: &str, log_key: &str) -> transparency::Witness {
    let dir = std::env::temp_dir().join(format!(
        "yg-vp-witness-{name}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let witness = Arc::new(yangguang_app::witness::Witness::open(&dir, name, &[log_key.to_owned()]).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let vkey = witness.vkey();
    tokio::spawn(yangguang_web::witness::serve(listener, witness, std::future::pending()));
    transparency::Witness::new(&url, &vkey).unwrap()
}

/// The content hash recomputed from the served canonical JSON (docs/TRANSPARENCY.md §1; these
/// items have no attachments, so there is no `url` to drop).
async fn recomputed_hash(state: &AppState, id: i64) -> String {
    let served = text(state, &format!("/api/disclosures/{id}/content.json")).await;
    assert!(!served.contains("\"url\""), "{served}");
    let mut h = Sha256::new();
    h.update(b"yangguang-content-v1\n");
    h.update(served.as_bytes());
    hex::encode(h.finalize())
}

/// The value of `attribute` on the element with `id`, from the page's HTML.
fn attribute(html: &str, id: &str, attribute: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let key = format!("{attribute}=\"");
    let from = tag.find(&key).unwrap_or_else(|| panic!("no {attribute} on #{id}: {tag}")) + key.len();
    tag[from..from + tag[from..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn an_item_shows_its_entry_leaf_index_fingerprint_and_witnesses() {
    let probe = state_with(vec![]).await;
    let log_key = transparency::identity(&probe.site).await.unwrap().vkey();
    let witness = start_witness("witness.town.example", &log_key).await;
    let state = state_with(vec![witness]).await;
    let ids = state.site.add_disclosures(&items(3)).await.unwrap();
    let id = ids[1].0;
    let seq = state.site.store.log_entries_for(ids[1]).await.unwrap()[0].seq;
    let uri = format!("/v/{VILLAGE}/d/{id}");

    // Before any checkpoint: the entry and fingerprint, and no witness yet.
    let html = text(&state, &uri).await;
    assert!(html.contains(&format!("公开记录第 {seq} 条（树中的叶子序号 {}，从 0 数起）", seq - 1)), "{html}");
    let hash = recomputed_hash(&state, id).await;
    let fingerprint = format!("{} {} {} {}", &hash[0..4], &hash[4..8], &hash[8..12], &hash[12..16]);
    assert_eq!(yangguang_core::publication::fingerprint(&hash), fingerprint);
    assert!(html.contains(&format!(">{fingerprint}</code>")), "the fingerprint is shown: {html}");
    assert_eq!(attribute(&html, "fingerprint", "data-hash"), hash, "the whole hash is there for the check");
    assert!(html.contains("本条尚未纳入已签署的检查点"), "{html}");
    assert_eq!(attribute(&html, "check-link", "href"), "/verify#check", "without JavaScript: how to check");
    assert_eq!(attribute(&html, "check-link", "data-id"), id.to_string());
    assert_eq!(attribute(&html, "check-link", "data-seq"), seq.to_string());
    assert_eq!(attribute(&html, "check-result", "role"), "status");
    assert!(html.contains(">在本机核验</a>"));

    // A checkpoint is signed and cosigned: the cached page is stale, and now names the witness.
    let cp = yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap().unwrap();
    let cosigners = transparency::cosigners(&state.site, &cp.note);
    assert_eq!(cosigners.len(), 1, "{}", cp.note);
    let when = yangguang_core::time::format_china(cosigners[0].1);
    let html = text(&state, &uri).await;
    assert!(
        html.contains(&format!("最新检查点（共 3 条记录）：witness.town.example 于 {when} 副署")),
        "the page shows who cosigned the latest checkpoint and when: {html}"
    );

    // The proof the check fetches records the same hash for the same item and entry.
    let proof: serde_json::Value =
        serde_json::from_str(&text(&state, &format!("/api/disclosures/{id}/proof")).await).unwrap();
    let entry: serde_json::Value = serde_json::from_str(proof["entry"].as_str().unwrap()).unwrap();
    assert_eq!(entry["content_hash"], hash.as_str());
    assert_eq!(entry["disclosure"], id);
    assert_eq!(proof["leaf_index"], seq - 1);

    // In English too.
    let (_, _, body) = get(&state, &uri, &[("cookie", "yg_lang=en")]).await;
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains(&format!("Log entry {seq} (leaf index {} in the tree", seq - 1)), "{html}");
    assert!(html.contains(&format!("cosigned by witness.town.example at {when}")), "{html}");
    assert!(html.contains(">Check on this phone</a>"));
}

#[tokio::test]
async fn without_witnesses_the_page_says_none_cosigned() {
    let state = state_with(vec![]).await;
    let ids = state.site.add_disclosures(&items(1)).await.unwrap();
    yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap();
    let html = text(&state, &format!("/v/{VILLAGE}/d/{}", ids[0].0)).await;
    assert!(html.contains("<dd>尚无见证方副署</dd>"), "{html}");
}

/// The check's scripts are not part of the page: the page names them, they are fetched on
/// demand, cached for a year under hashed names, and the CSP lets only the page's own script
/// load them.
#[tokio::test]
async fn the_check_is_fetched_on_demand_and_the_page_stays_in_one_round_trip() {
    let probe = state_with(vec![]).await;
    let log_key = transparency::identity(&probe.site).await.unwrap().vkey();
    let witnesses = vec![
        start_witness("witness.town.example", &log_key).await,
        start_witness("witness.jiwei.example", &log_key).await,
    ];
    let state = state_with(witnesses).await;
    let ids = state.site.add_disclosures(&items(3)).await.unwrap();
    yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap();
    let uri = format!("/v/{VILLAGE}/d/{}", ids[2].0);
    for (encoding, cookie) in [("br", ""), ("gzip", ""), ("br", "yg_elder=1"), ("gzip", "yg_elder=1; yg_lang=en")] {
        let (status, headers, body) = get(&state, &uri, &[("accept-encoding", encoding), ("cookie", cookie)]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_ENCODING], encoding);
        println!("{uri} {encoding} {cookie:?}: {} bytes", body.len());
        assert!(body.len() <= 14 * 1024, "{encoding} {cookie}: {} bytes", body.len());
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        let scripts = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(scripts.contains("'strict-dynamic'"), "{csp}");
        assert!(!scripts.contains("unsafe") && !scripts.contains("'self'") && !scripts.contains("http"), "{csp}");
    }
    let html = text(&state, &uri).await;
    assert!(!html.contains("nobleEd25519") && !html.contains("YG_T"), "the checker is not in the page");
    let script = attribute(&html, "check-link", "data-check");
    assert!(script.starts_with("/assets/check-") && script.ends_with(".zh.js"), "{script}");
    let (status, headers, body) = get(&state, &script, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    let js = String::from_utf8(body).unwrap();
    assert!(js.starts_with("window.YG_T={") && js.contains("核验通过：本页内容与公开记录一致"), "{}", &js[..200]);
    let noble = js.split("window.YG_ED=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(noble.starts_with("/assets/noble-ed25519-3.2.0-"), "{noble}");
    let (status, _, body) = get(&state, &noble, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let noble = String::from_utf8(body).unwrap();
    assert!(noble.contains("Copyright (c) 2019 Paul Miller") && noble.contains("window.nobleEd25519 ="));
    // The English page names the English script.
    let (_, _, body) = get(&state, &uri, &[("cookie", "yg_lang=en")]).await;
    let en = attribute(&String::from_utf8(body).unwrap(), "check-link", "data-check");
    assert!(en.ends_with(".en.js") && en != script, "{en}");
    assert!(text(&state, &en).await.contains("Checked: this page matches the public log"));
    let (status, _, _) = get(&state, "/assets/check-000000000000.zh.js", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn verify_shows_the_key_the_latest_checkpoint_its_witnesses_and_how_to_check() {
    let probe = state_with(vec![]).await;
    let id = transparency::identity(&probe.site).await.unwrap();
    let log_key = id.vkey();
    let witness = start_witness("witness.town.example", &log_key).await;
    let witness_key = witness.vkey.clone();
    let state = state_with(vec![witness]).await;
    // Before anything is published.
    let html = text(&state, "/verify").await;
    assert!(html.contains(&log_key) && html.contains("尚未签署检查点"), "{html}");

    state.site.add_disclosures(&items(5)).await.unwrap();
    let cp = yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap().unwrap();
    let when = yangguang_core::time::format_china(transparency::cosigners(&state.site, &cp.note)[0].1);
    let html = text(&state, "/verify").await;
    assert!(html.contains(&format!("<code class=\"key copy\" id=\"log-key\">{log_key}</code>")), "{html}");
    assert!(html.contains(&format!("<code class=\"key\">{}</code>", id.origin)));
    // The note, exactly as served at /log/checkpoint, with the cosignature line.
    let served = text(&state, "/log/checkpoint").await;
    assert_eq!(served, cp.note);
    assert!(served.contains("\n— witness.town.example "), "{served}");
    assert!(html.contains(&format!("<pre class=\"note-text\" id=\"checkpoint\">{}</pre>", cp.note)), "{html}");
    assert!(html.contains("<dt>记录条数</dt><dd>5</dd>"));
    assert!(html.contains(&yangguang_core::time::format_china(cp.signed_at)));
    // Who cosigned it, with which key and when; the witnesses configured.
    assert!(
        html.contains(&format!("<li><strong>witness.town.example</strong><span class=\"meta\">{when}</span>")),
        "{html}"
    );
    assert_eq!(html.matches(&format!("<code class=\"key copy\">{witness_key}</code>")).count(), 2, "{html}");
    assert!(html.contains(&witness_key));
    // Where the data is, how to check an item and the whole log, and where the formats are.
    for url in [
        "/log/checkpoint",
        "/log/tile/",
        "/api/disclosures/{id}/proof",
        "/api/disclosures/{id}/content.json",
        "/api/log/consistency",
        "/api/log/keys",
    ] {
        assert!(html.contains(url), "{url}");
    }
    assert!(html.contains("<h2 id=\"check\""), "the section the item pages' link leads to");
    let command = format!(
        "yangguang verify --mirror <span data-base>{{base}}</span>/log/ --key &#39;{log_key}&#39; --witness &#39;{witness_key}&#39;"
    );
    assert!(html.contains(&command), "{html}");
    assert!(html.contains("docs/TRANSPARENCY.md"));
    assert!(html.contains("历史（哈希链）"));
    // The page is cached per log state: a new checkpoint shows at once.
    state.site.add_disclosures(&items(2)).await.unwrap();
    yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap();
    assert!(text(&state, "/verify").await.contains("<dt>记录条数</dt><dd>7</dd>"));
}
