//! Staff are told what waits for them: the counts on the console's navigation, the mobile
//! number on the account page (a wrong one refused, what was typed kept), and the daily text
//! digest — once a day per person, in daytime, to reviewers for submissions and to clerks for
//! returned and published items.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use common::code;
use tower::ServiceExt;
use yangguang_app::auth::{self, SignedIn};
use yangguang_app::publishing::{self, Actor, DraftInput};
use yangguang_app::villagers::SmsSender;
use yangguang_core::DisclosureId;
use yangguang_core::staff::Role;
use yangguang_store::Decision;
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";

#[derive(Default)]
struct Outbox(Mutex<Vec<(String, String)>>);

#[async_trait::async_trait]
impl SmsSender for Outbox {
    async fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        self.0.lock().unwrap().push((phone.to_owned(), text.to_owned()));
        Ok(())
    }
}

impl Outbox {
    fn take(&self) -> Vec<(String, String)> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

async fn state(outbox: Arc<Outbox>) -> AppState {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    let mut site = common::site_over(store, "notify").await;
    site.sms = outbox;
    AppState::new(Arc::new(site))
}

async fn get(state: &AppState, cookie: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri).header(header::COOKIE, cookie).header(header::HOST, "localhost");
    let response = router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    (status, String::from_utf8_lossy(&to_bytes(response.into_body(), 1 << 22).await.unwrap()).into_owned())
}

async fn post(state: &AppState, cookie: &str, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let req = Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let response = router(state.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = response.status();
    (status, String::from_utf8_lossy(&to_bytes(response.into_body(), 1 << 22).await.unwrap()).into_owned())
}

async fn signed_in(state: &AppState, cookie: &str) -> SignedIn {
    let token = cookie.split_once('=').unwrap().1;
    auth::signed_in(&state.site, token, Utc::now()).await.unwrap().unwrap()
}

async fn submitted_draft(state: &AppState, clerk: &SignedIn, title: &str) -> DisclosureId {
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
    let id = publishing::create_draft(&state.site, &actor, code(VILLAGE), input).await.unwrap();
    publishing::submit(&state.site, &actor, id, None).await.unwrap();
    id
}

/// 10:00 Beijing time on a day in December.
fn morning(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, 2, 0, 0).unwrap()
}

#[tokio::test]
async fn reviewers_and_clerks_see_counts_and_get_one_digest_a_day() {
    let outbox = Arc::new(Outbox::default());
    let state = state(outbox.clone()).await;
    let clerk_cookie = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let member_cookie = common::staff_cookie(&state, "member", Role::SupervisionMember, VILLAGE).await;
    let clerk = signed_in(&state, &clerk_cookie).await;

    let (_, page) = get(&state, &member_cookie, "/console").await;
    assert!(!page.contains("class=\"badge\""), "nothing waits yet");
    let first = submitted_draft(&state, &clerk, "关于村道维修的通知").await;
    submitted_draft(&state, &clerk, "关于路灯安装的通知").await;
    let (_, page) = get(&state, &member_cookie, "/console/account").await;
    assert!(page.contains("待我审核 2"), "the count is on every console page's navigation");
    let (_, english) = get(&state, &format!("{member_cookie}; yg_lang=en"), "/console").await;
    assert!(english.contains("to review 2") && english.contains("Work list"), "the navigation in English");

    // A number as people type it is kept as its 11 digits; a wrong one is refused beside the
    // field, with what was typed still in it, and the number on file unchanged.
    let (status, _) =
        post(&state, &member_cookie, "/console/account/phone", &[("csrf", "c"), ("phone", "+86 139-0000-1111")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) =
        post(&state, &member_cookie, "/console/account/phone", &[("csrf", "c"), ("phone", "139000")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"139000\"") && page.contains("不是手机号码"), "{page}");
    assert!(!page.contains("not a mobile number"), "Chinese pages show the Chinese half only");
    let member = signed_in(&state, &member_cookie).await;
    assert_eq!(member.staff.phone.as_deref(), Some("13900001111"));
    let (status, _) = post(&state, &member_cookie, "/console/account/phone", &[("phone", "13900001111")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token, no change");

    // Night: nothing. Morning: one digest; the same day again: none; the next day: again,
    // as the submissions still wait.
    let night = Utc.with_ymd_and_hms(2026, 12, 3, 15, 0, 0).unwrap(); // 23:00 in Beijing
    assert_eq!(yangguang_app::notify::send_digests(&state.site, night).await.unwrap(), 0);
    assert_eq!(yangguang_app::notify::send_digests(&state.site, morning(4)).await.unwrap(), 1);
    let sent = outbox.take();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "13900001111");
    assert!(sent[0].1.contains("2 项公开事项等待您审核"), "{}", sent[0].1);
    assert_eq!(yangguang_app::notify::send_digests(&state.site, morning(4)).await.unwrap(), 0);
    assert!(outbox.take().is_empty(), "at most one a day");
    assert_eq!(yangguang_app::notify::send_digests(&state.site, morning(5)).await.unwrap(), 1);
    outbox.take();

    // The clerk with a number hears of the returned item; the member's count went down.
    post(&state, &clerk_cookie, "/console/account/phone", &[("csrf", "c"), ("phone", "13800002222")]).await;
    let actor = Actor { who: &member, ip: "127.0.0.1" };
    publishing::review(&state.site, &actor, first, Decision::Return, Some("请补充工期".into()), None).await.unwrap();
    let (_, page) = get(&state, &clerk_cookie, "/console").await;
    assert!(page.contains("被退回 1"), "the clerk's navigation counts the returned item");
    let (_, page) = get(&state, &member_cookie, "/console").await;
    assert!(page.contains("待我审核 1"));
    assert_eq!(yangguang_app::notify::send_digests(&state.site, morning(6)).await.unwrap(), 2);
    let sent = outbox.take();
    let to_clerk = sent.iter().find(|(phone, _)| phone == "13800002222").expect("the clerk's digest");
    assert!(to_clerk.1.contains("1 项被退回"), "{}", to_clerk.1);

    // Removing the number stops the texts.
    post(&state, &member_cookie, "/console/account/phone", &[("csrf", "c"), ("phone", "")]).await;
    assert_eq!(yangguang_app::notify::send_digests(&state.site, morning(7)).await.unwrap(), 1, "only the clerk");
    let audit = state.site.store.list_audit(1, 50).await.unwrap();
    assert!(audit.items.iter().any(|a| a.action == "staff.phone" && a.detail == "139****1111"), "masked in the trail");
}

#[tokio::test]
async fn a_form_that_cannot_be_read_is_refused_in_words_a_clerk_can_act_on() {
    let state = state(Arc::new(Outbox::default())).await;
    let cookie = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    // A form missing a required field, and a body that is not a form at all.
    let (status, page) = post(&state, &cookie, "/console/finance/draft", &[("csrf", "c")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("表单内容不完整或格式不对"), "{page}");
    assert!(!page.contains("Failed to deserialize"), "the parser's English is not shown on a Chinese page");
    let req = Request::post("/console/new")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("title=x"))
        .unwrap();
    let response = router(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = String::from_utf8_lossy(&to_bytes(response.into_body(), 1 << 20).await.unwrap()).into_owned();
    assert!(page.contains("表单内容不完整或格式不对"), "{page}");
}

#[tokio::test]
async fn returning_without_a_reason_comes_back_to_the_item_saying_what_to_write() {
    let state = state(Arc::new(Outbox::default())).await;
    let clerk_cookie = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let member_cookie = common::staff_cookie(&state, "member", Role::SupervisionMember, VILLAGE).await;
    let id = submitted_draft(&state, &signed_in(&state, &clerk_cookie).await, "关于村道维修的通知").await;
    let uri = format!("/console/d/{id}/review");
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("csrf", "c"), ("decision", "return"), ("comment", "  ")])
        .finish();
    let req = Request::post(&uri)
        .header(header::COOKIE, &member_cookie)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let response = router(state.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], format!("/console/d/{id}#comment").as_str());
    let flash = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    let (_, page) =
        get(&state, &format!("{member_cookie}; {}", flash.split(';').next().unwrap()), &format!("/console/d/{id}"))
            .await;
    assert!(page.contains("退回时请在“意见”框里写明原因"), "the message is on the item's page");
    let d = state.site.store.get_disclosure(id).await.unwrap();
    assert_eq!(d.state, yangguang_core::DisclosureState::Submitted, "nothing was returned");
}
