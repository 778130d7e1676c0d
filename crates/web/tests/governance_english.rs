//! The governance console pages follow the language switch: with `yg_lang=en` the decisions
//! list, a decision's page, the party, micro-power and rules pages are in English — every
//! label from the i18n table, no Chinese left but what the clerk typed and the village's
//! name — and without it they stay in Chinese.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use common::code;
use tower::ServiceExt;
use yangguang_app::auth;
use yangguang_app::decisions::{self, DecisionInput};
use yangguang_app::publishing::Actor;
use yangguang_core::staff::Role;
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";

async fn get(state: &AppState, cookie: &str, uri: &str) -> String {
    let req = Request::get(uri).header(header::COOKIE, cookie).header(header::HOST, "localhost");
    let response = router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    String::from_utf8_lossy(&to_bytes(response.into_body(), 1 << 22).await.unwrap()).into_owned()
}

/// The Chinese characters left in the page's main part once `typed` (the clerk's own words)
/// is taken out; text inside tags (attribute values) is not looked at.
fn chinese_left(page: &str, typed: &[&str]) -> String {
    let main = page.split("<main").nth(1).and_then(|m| m.split("</main>").next()).unwrap_or(page);
    let mut text = main.to_owned();
    for t in typed {
        text = text.replace(t, "");
    }
    let mut left = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && ('\u{4e00}'..='\u{9fff}').contains(&c) => left.push(c),
            _ => {}
        }
    }
    left
}

#[tokio::test]
async fn governance_console_pages_follow_the_language_switch() {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    let state = AppState::new(Arc::new(common::site_over(store, "governance-english").await));
    let cookie = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let token = cookie.split_once('=').unwrap().1;
    let clerk = auth::signed_in(&state.site, token, Utc::now()).await.unwrap().unwrap();
    let actor = Actor { who: &clerk, ip: "127.0.0.1" };
    let input = DecisionInput {
        number: "2026-001".into(),
        subject: "村道硬化工程".into(),
        kind: "works".into(),
        procedure: "4-2".into(),
        amount: "100000".into(),
    };
    decisions::create(&state.site, &actor, code(VILLAGE), &input).await.unwrap();

    let detail = format!("/console/decisions/{VILLAGE}/2026-001");
    let party = format!("/console/party?village={VILLAGE}");
    let powers = format!("/console/powers?village={VILLAGE}");
    let rules = format!("/console/rules?village={VILLAGE}");
    // (page, English that must appear, Chinese that must not)
    let pages: [(&str, &[&str], &[&str]); 5] = [
        (
            "/console/decisions",
            &["<h1>Decisions (four discussions, two publications)</h1>", "Record a new decision", "works project"],
            &["<h1>民主决策（四议两公开）</h1>", "登记新决议", "工程项目"],
        ),
        (
            &detail,
            &[
                "How it was decided",
                "Record or correct a step",
                "Save this step",
                "Payments and contracts under this decision",
            ],
            &["决策过程", "登记或更正一个步骤", "保存这一步", "依据本决议的收支和合同"],
        ),
        (&party, &["<h1>Party building</h1>"], &["<h1>党建引领</h1>"]),
        (&powers, &["<h1>Micro-power list</h1>"], &["<h1>小微权力清单</h1>"]),
        (&rules, &["<h1>Charter and village rules</h1>"], &["<h1>村规民约</h1>"]),
    ];
    for (uri, english, chinese) in pages {
        let page = get(&state, &format!("{cookie}; yg_lang=en"), uri).await;
        assert!(page.contains("<html lang=\"en\""), "{uri}");
        for text in english {
            assert!(page.contains(text), "{uri} shows {text:?} in English:\n{page}");
        }
        for text in chinese {
            assert!(!page.contains(text), "{uri} has no {text:?} in English:\n{page}");
        }
        // What is left in Chinese is the clerk's own words, name and village, and a masked example name.
        let left = chinese_left(&page, &["村道硬化工程", "前山村", "李文", "张*明", "中文", "阳光"]);
        assert!(left.is_empty(), "{uri} has labels outside the i18n table: {left}\n{page}");
        let page = get(&state, &cookie, uri).await;
        for text in chinese {
            assert!(page.contains(text), "{uri} shows {text:?} in Chinese:\n{page}");
        }
    }
}
