//! The console's pages follow the language switch: with `yg_lang=en` the work list, the
//! drafting form, a draft's page, the ledger import and the receipts desk are in English,
//! and their Chinese headings are gone; without it they stay in Chinese.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use common::code;
use tower::ServiceExt;
use yangguang_app::auth;
use yangguang_app::publishing::{self, Actor, DraftInput};
use yangguang_core::staff::Role;
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";

async fn get(state: &AppState, cookie: &str, uri: &str) -> String {
    let req = Request::get(uri).header(header::COOKIE, cookie).header(header::HOST, "localhost");
    let response = router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    String::from_utf8_lossy(&to_bytes(response.into_body(), 1 << 22).await.unwrap()).into_owned()
}

#[tokio::test]
async fn console_pages_follow_the_language_switch() {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    let state = AppState::new(Arc::new(common::site_over(store, "console-english").await));
    let cookie = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let token = cookie.split_once('=').unwrap().1;
    let clerk = auth::signed_in(&state.site, token, Utc::now()).await.unwrap().unwrap();
    let input = DraftInput {
        column: "affairs-works".into(),
        catalog_item: None,
        period: None,
        title: "关于村道维修的通知".into(),
        body_md: "村道维修三天。".into(),
        attachments: vec![],
        reason: None,
    };
    let actor = Actor { who: &clerk, ip: "127.0.0.1" };
    let id = publishing::create_draft(&state.site, &actor, code(VILLAGE), input).await.unwrap();

    let detail = format!("/console/d/{id}");
    // (page, English that must appear, Chinese that must not)
    let pages: [(&str, &[&str], &[&str]); 5] = [
        (
            "/console",
            &["<h1>Work list</h1>", "Waiting for my review (0)", "My drafts and items in progress (1)"],
            &["<h1>工作台</h1>", "待我审核（", "我的草稿与进行中的事项"],
        ),
        (
            "/console/new",
            &["<label for=\"title\">Title</label>", "Save draft", "How to write headings"],
            &["<label for=\"title\">标题</label>", "保存草稿", "怎样写小标题"],
        ),
        (
            &detail,
            &["<h2>Review record</h2>", "<h2>Text</h2>", "Submit for review"],
            &["<h2>审核记录</h2>", "<h2>正文</h2>", "提交审核"],
        ),
        (
            "/console/ledger",
            &["<h1>Import the books</h1>", "<h2>Column names (optional)</h2>"],
            &["<h1>导入账簿</h1>", "<h2>列名对应（可选）</h2>"],
        ),
        (
            "/console/receipts?village=339921100201&month=2026-03",
            &["Take photos or upload receipts", "To assign (0)", "vouchers (missing receipts first)"],
            &["拍照或上传票据", "待分配（", "本月凭证（缺票据的在前）"],
        ),
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
        let page = get(&state, &cookie, uri).await;
        for text in chinese {
            assert!(page.contains(text), "{uri} shows {text:?} in Chinese:\n{page}");
        }
    }
}
