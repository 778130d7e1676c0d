//! The Atom feeds as a feed reader sees them: `tag:` ids of the deployment's domain, absolute
//! links, a summary per entry, corrections linked to the versions they replace (which stay,
//! marked and updated), withdrawals updated with their reason; read by feedparser without
//! `bozo` where the outside tools are installed.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use common::code;
use serde_json::Value;
use tower::ServiceExt;
use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const BASE: &str = "https://cunwu.example.cn";

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 2, 0, 0).unwrap()
}

fn item(title: &str, body: &str, day: u32, kind: DisclosureKind, replaces: Option<DisclosureId>) -> NewDisclosure {
    NewDisclosure {
        village: code(VILLAGE),
        column: "affairs-works".into(),
        catalog_item: None,
        period: None,
        title: title.into(),
        body_md: body.into(),
        state: DisclosureState::Published,
        created_at: at(day),
        published_at: Some(at(day)),
        attachments: vec![],
        kind,
        replaces,
        reason: replaces.map(|_| format!("{title}的原因")),
        created_by: None,
        signoffs: vec![],
    }
}

async fn state() -> (AppState, [DisclosureId; 4]) {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    let mut site = common::site_over(store, "feeds").await;
    site.public_url = Some(format!("{BASE}/"));
    let first = [item("路灯维修公示", "维修路灯 12 盏，共 3,600 元。", 1, DisclosureKind::Original, None)];
    let original = site.add_disclosures(&first).await.unwrap()[0];
    let correction = site
        .add_disclosures(&[item(
            "路灯维修公示",
            "维修路灯 12 盏，共 3,200 元。",
            3,
            DisclosureKind::Correction,
            Some(original),
        )])
        .await
        .unwrap()[0];
    let kept =
        site.add_disclosures(&[item("水渠清淤", "清淤 800 米。", 2, DisclosureKind::Original, None)]).await.unwrap()[0];
    site.add_disclosures(&[item("撤回", "", 5, DisclosureKind::Withdrawal, Some(kept))]).await.unwrap();
    (AppState::new(Arc::new(site)), [original, correction, kept, DisclosureId(0)])
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, String) {
    let r = router(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    (r.status(), String::from_utf8(to_bytes(r.into_body(), 4 << 20).await.unwrap().to_vec()).unwrap())
}

/// The feed as feedparser reads it, or `None` where it is not installed.
fn feedparser(xml: &str) -> Option<Value> {
    let python = common::tools::tool("python")?;
    let script = "import sys, json, feedparser\n\
        f = feedparser.parse(sys.stdin.buffer.read())\n\
        print(json.dumps({'bozo': f.bozo, 'exception': str(f.get('bozo_exception', '')), 'id': f.feed.get('id'),\n\
          'entries': [{'id': e.id, 'link': e.link, 'updated': e.updated, 'summary': e.get('summary'),\n\
            'title': e.title, 'links': [[l.rel, l.href] for l in e.links]} for e in f.entries]}))";
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), xml.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[tokio::test]
async fn feeds_keep_corrections_and_withdrawals_visible_with_tag_ids_and_absolute_links() {
    let (state, [original, correction, kept, _]) = state().await;
    for path in [format!("/v/{VILLAGE}/feed.atom"), format!("/v/{VILLAGE}/c/affairs/feed.atom")] {
        let (status, xml) = get(&state, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {xml}");
        assert!(xml.contains(&format!("xml:base=\"{BASE}/\"")), "{xml}");
        assert!(xml.contains(&format!("<id>tag:cunwu.example.cn,2026:{path}</id>")), "{xml}");
        assert!(!xml.contains("urn:") && !xml.contains("href=\"/"), "ids are tags, links absolute: {xml}");
        assert_eq!(xml.matches("<entry>").count(), 3, "the corrected original stays: {xml}");
        assert_eq!(xml.matches("<summary").count(), 3, "{xml}");
        let Some(feed) = feedparser(&xml) else { continue };
        assert_eq!(feed["bozo"], false, "{feed:#}");
        let entry = |id: DisclosureId| {
            let tag = format!("tag:cunwu.example.cn,2026:disclosure:{id}");
            feed["entries"].as_array().unwrap().iter().find(|e| e["id"] == tag).cloned().unwrap()
        };
        let link = |id: DisclosureId| format!("{BASE}/v/{VILLAGE}/d/{id}");
        let old = entry(original);
        assert!(old["title"].as_str().unwrap().contains("已更正"), "{old:#}");
        assert_eq!(old["updated"], "2026-11-03T02:00:00Z", "updated when corrected");
        assert!(
            old["links"].as_array().unwrap().contains(&serde_json::json!(["related", link(correction)])),
            "{old:#}"
        );
        assert!(old["summary"].as_str().unwrap().contains("路灯维修公示的原因"), "{old:#}");
        let new = entry(correction);
        assert_eq!(new["link"], link(correction));
        assert!(new["links"].as_array().unwrap().contains(&serde_json::json!(["related", link(original)])), "{new:#}");
        assert!(new["summary"].as_str().unwrap().contains("3,200"), "{new:#}");
        let gone = entry(kept);
        assert!(gone["title"].as_str().unwrap().contains("已撤回"), "{gone:#}");
        assert_eq!(gone["updated"], "2026-11-05T02:00:00Z", "updated when withdrawn");
        assert!(gone["summary"].as_str().unwrap().contains("撤回的原因"), "{gone:#}");
    }
}
