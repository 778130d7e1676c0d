//! The staff console through the router: sessions, CSRF, roles, draft → review → publish,
//! sign-offs voided by edits, corrections with their diff, withdrawals, uploads, throttling,
//! the audit trail — and `verify` passing on the result.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use common::code;
use tower::ServiceExt;
use yangguang_app::auth;
use yangguang_core::staff::{Grant, Role};
use yangguang_core::{DisclosureId, DisclosureState};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

async fn state() -> AppState {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    AppState::new(Arc::new(common::site_over(store, "console").await))
}

/// Creates an account that has already changed its password ("password-123").
async fn user(state: &AppState, username: &str, name: &str, role: Role, region: &str) {
    let (id, _) =
        auth::create_staff(&state.site, username, name, vec![Grant::new(role, code(region)).unwrap()]).await.unwrap();
    let mut staff = state.site.store.get_staff(id).await.unwrap();
    staff.password_hash = auth::hash_password("password-123".into()).await;
    staff.must_change_password = false;
    if role.requires_totp() {
        staff.totp_secret = Some(auth::new_totp_secret());
    }
    state.site.store.update_staff(&staff).await.unwrap();
}

/// A browser: keeps cookies, follows nothing.
struct Browser {
    state: AppState,
    cookies: HashMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

impl Browser {
    fn new(state: &AppState) -> Self {
        Self { state: state.clone(), cookies: HashMap::new() }
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Page {
        let cookie: String = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let req = req.header(header::COOKIE, cookie).header(header::HOST, "localhost").body(body).unwrap();
        let response: Response = router(self.state.clone()).oneshot(req).await.unwrap();
        for c in response.headers().get_all(header::SET_COOKIE) {
            let text = c.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
        }
        let status = response.status();
        let location =
            response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = String::from_utf8_lossy(&to_bytes(response.into_body(), 8 << 20).await.unwrap()).to_string();
        Page { status, location, body }
    }

    async fn get(&mut self, uri: &str) -> Page {
        self.send(Request::get(uri), Body::empty()).await
    }

    async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        self.send(
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    async fn post_multipart(&mut self, uri: &str, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Page {
        let boundary = "yangguangboundary7MA4YWxk";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        for (name, bytes) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(uri).header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
        self.send(req, Body::from(body)).await
    }

    async fn login(&mut self, username: &str, totp: &str) -> Page {
        self.get("/console/login").await;
        let csrf = self.cookies["yg_login_csrf"].clone();
        self.post(
            "/console/login",
            &[("csrf", &csrf), ("username", username), ("password", "password-123"), ("totp", totp)],
        )
        .await
    }

    /// Signs or returns from the review page, as a reviewer does: with the content hash the
    /// page showed (none when the page has no review form).
    async fn review(&mut self, id: i64, decision: &str, comment: &str) -> Page {
        let page = self.get(&format!("/console/d/{id}")).await;
        let hash = hidden_field(&page.body, "hash").unwrap_or_default();
        let csrf = self.csrf().await;
        let fields = [("csrf", csrf.as_str()), ("hash", hash.as_str()), ("decision", decision), ("comment", comment)];
        self.post(&format!("/console/d/{id}/review"), &fields).await
    }

    /// Confirms the import preview on `page` and opens the page it leads to.
    async fn confirm_import(&mut self, page: &Page) -> Page {
        let id = hidden_field(&page.body, "preview").expect("a confirmable preview");
        let village = hidden_field(&page.body, "village").unwrap();
        let csrf = self.csrf().await;
        let done =
            self.post("/console/imports/confirm", &[("csrf", &csrf), ("village", &village), ("preview", &id)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        self.get(&done.location).await
    }

    async fn csrf(&mut self) -> String {
        let page = self.get("/console").await;
        let marker = "name=\"csrf\" value=\"";
        let start = page.body.find(marker).expect("a form with a CSRF token") + marker.len();
        page.body[start..start + 64].to_owned()
    }
}

/// The value of a hidden form field on a page.
fn hidden_field(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_owned())
}

fn id_from(location: &str) -> i64 {
    location.trim_start_matches("/console/d/").trim_end_matches("/edit").parse().unwrap()
}

async fn draft(b: &mut Browser, title: &str, body: &str, column: &str, item: &str, period: &str) -> i64 {
    let csrf = b.csrf().await;
    let page = b
        .post_multipart(
            "/console/new",
            &[
                ("csrf", &csrf),
                ("village", VILLAGE),
                ("item", item),
                ("column", column),
                ("period", period),
                ("title", title),
                ("body", body),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    id_from(&page.location)
}

async fn publish_through_review(state: &AppState, clerk: &mut Browser, reviewer: &mut Browser, id: i64) -> Page {
    let csrf = clerk.csrf().await;
    let submitted = clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", &csrf)]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.body);
    let page = reviewer.review(id, "approve", "同意").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let _ = state;
    page
}

#[tokio::test]
async fn a_clerk_drafts_a_member_signs_and_the_item_is_public_with_the_signoff() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "supervisor", "李建国", Role::SupervisionMember, VILLAGE).await;
    let mut clerk = Browser::new(&state);
    assert_eq!(clerk.login("clerk", "").await.location, "/console");
    let id =
        draft(&mut clerk, "关于村道维修的通知", "村道维修**三天**。<script>alert(1)</script>", "affairs-works", "", "")
            .await;
    let public = format!("/v/{VILLAGE}/d/{id}");
    assert_eq!(Browser::new(&state).get(&public).await.status, StatusCode::NOT_FOUND, "a draft is not public");
    let mut supervisor = Browser::new(&state);
    supervisor.login("supervisor", "").await;
    let dashboard = supervisor.get("/console").await;
    assert!(!dashboard.body.contains("关于村道维修的通知"), "not listed for review before it is submitted");
    publish_through_review(&state, &mut clerk, &mut supervisor, id).await;
    let page = Browser::new(&state).get(&public).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("村务监督委员会 李建国") && page.body.contains("同意"), "the sign-off is shown");
    assert!(!page.body.contains("alert(1)"));
    let village_home = Browser::new(&state).get(&format!("/v/{VILLAGE}")).await;
    assert!(village_home.body.contains("关于村道维修的通知"), "the cached village page was invalidated");
    let feed = Browser::new(&state).get(&format!("/v/{VILLAGE}/feed.atom")).await;
    assert!(
        feed.body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"") && feed.body.contains("关于村道维修的通知")
    );
    let entries = state.site.store.log_entries(0, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].signoffs[0].reviewer, "李建国");
    let report = yangguang_app::verify::verify_store(&state.site).await.unwrap().unwrap();
    assert_eq!(report.entries, 1);
}

#[tokio::test]
async fn editing_after_a_signoff_voids_it_and_both_bodies_must_sign() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "supervisor", "李建国", Role::SupervisionMember, VILLAGE).await;
    user(&state, "finance", "张春兰", Role::FinanceGroupMember, VILLAGE).await;
    let (mut clerk, mut supervisor, mut finance) = (Browser::new(&state), Browser::new(&state), Browser::new(&state));
    clerk.login("clerk", "").await;
    supervisor.login("supervisor", "").await;
    finance.login("finance", "").await;
    // Works acceptance needs the supervision committee and the finance group.
    let id = draft(&mut clerk, "路灯工程决算", "决算 10,000 元", "affairs-works", "works-progress", "").await;
    let csrf = clerk.csrf().await;
    clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", &csrf)]).await;
    let signed = supervisor.review(id, "approve", "").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    // The clerk changes the amount after the sign-off.
    let csrf = clerk.csrf().await;
    let edited = clerk
        .post_multipart(
            &format!("/console/d/{id}/edit"),
            &[("csrf", &csrf), ("item", "works-progress"), ("title", "路灯工程决算"), ("body", "决算 90,000 元")],
            &[],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    finance.review(id, "approve", "").await;
    let d = state.site.store.get_disclosure(DisclosureId(id)).await.unwrap();
    assert_eq!(d.state, DisclosureState::Submitted, "the supervisor's sign-off was on other content");
    let detail = clerk.get(&format!("/console/d/{id}")).await;
    assert!(detail.body.contains("已失效"), "the console shows the voided sign-off");
    supervisor.review(id, "approve", "").await;
    let d = state.site.store.get_disclosure(DisclosureId(id)).await.unwrap();
    assert_eq!(d.state, DisclosureState::Published);
    let entry = &state.site.store.log_entries_for(d.id).await.unwrap()[0];
    assert_eq!(entry.signoffs.len(), 2);
    assert!(entry.signoffs.iter().all(|s| s.content_hash == d.content_hash()));
}

#[tokio::test]
async fn forged_or_missing_csrf_tokens_and_foreign_origins_are_refused() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut clerk = Browser::new(&state);
    clerk.login("clerk", "").await;
    let before = state.site.store.count_disclosures().await.unwrap();
    let forged = clerk
        .post_multipart(
            "/console/new",
            &[("csrf", "forged"), ("village", VILLAGE), ("column", "affairs-works"), ("title", "x"), ("body", "x")],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("CSRF"), "{}", forged.body);
    let missing = clerk
        .post_multipart(
            "/console/new",
            &[("village", VILLAGE), ("column", "affairs-works"), ("title", "x"), ("body", "x")],
            &[],
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(state.site.store.count_disclosures().await.unwrap(), before);
    let csrf = clerk.csrf().await;
    let cookie: String = clerk.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = Request::post("/console/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(format!("csrf={csrf}")))
        .unwrap();
    assert_eq!(router(state.clone()).oneshot(req).await.unwrap().status(), StatusCode::FORBIDDEN);
    let mut anonymous = Browser::new(&state);
    assert_eq!(anonymous.get("/console").await.location, "/console/login");
}

#[tokio::test]
async fn acting_outside_ones_role_or_village_is_refused_naming_what_is_missing() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "supervisor", "李建国", Role::SupervisionMember, VILLAGE).await;
    user(&state, "outsider", "赵六", Role::SupervisionMember, OTHER).await;
    let (mut clerk, mut supervisor, mut outsider) = (Browser::new(&state), Browser::new(&state), Browser::new(&state));
    clerk.login("clerk", "").await;
    supervisor.login("supervisor", "").await;
    outsider.login("outsider", "").await;
    let csrf = supervisor.csrf().await;
    let page = supervisor
        .post_multipart(
            "/console/new",
            &[("csrf", &csrf), ("village", VILLAGE), ("column", "affairs-works"), ("title", "x"), ("body", "x")],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("村务工作者"), "names the missing role: {}", page.body);
    let id = draft(&mut clerk, "通知", "正文", "safety-notices", "", "").await;
    let csrf = clerk.csrf().await;
    clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", &csrf)]).await;
    let own = clerk.post(&format!("/console/d/{id}/review"), &[("csrf", &csrf), ("decision", "approve")]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "a clerk cannot sign their own draft");
    let foreign = outsider.review(id, "approve", "").await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign.body.contains("村务监督委员会成员"), "{}", foreign.body);
    assert_eq!(state.site.store.get_disclosure(DisclosureId(id)).await.unwrap().state, DisclosureState::Submitted);
    let csrf = supervisor.csrf().await;
    let no_reason = supervisor
        .post(&format!("/console/d/{id}/review"), &[("csrf", &csrf), ("decision", "return"), ("comment", " ")])
        .await;
    // Returning needs a reason: back to the item, to the box, with what to write; nothing changes.
    assert_eq!(
        (no_reason.status, no_reason.location.as_str()),
        (StatusCode::SEE_OTHER, &*format!("/console/d/{id}#comment"))
    );
    assert_eq!(state.site.store.get_disclosure(DisclosureId(id)).await.unwrap().state, DisclosureState::Submitted);
    let returned = supervisor
        .post(&format!("/console/d/{id}/review"), &[("csrf", &csrf), ("decision", "return"), ("comment", "请补充时间")])
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    assert_eq!(state.site.store.get_disclosure(DisclosureId(id)).await.unwrap().state, DisclosureState::Returned);
}

#[tokio::test]
async fn bad_uploads_are_refused_with_a_reason_and_nothing_is_stored() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut clerk = Browser::new(&state);
    clerk.login("clerk", "").await;
    let before = state.site.store.count_disclosures().await.unwrap();
    for (name, bytes, reason) in [
        ("收据.pdf", &b"<html>not a pdf</html>"[..], "不是支持的文件类型"),
        ("假的.pdf", &b"%PDF-1.4 but truncated"[..], "不是有效的 PDF"),
        ("../../etc/passwd.pdf", &b"%PDF-1.4\n%%EOF\n"[..], "不能含路径"),
        ("坏图.png", &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], "图片已损坏"),
    ] {
        let csrf = clerk.csrf().await;
        let page = clerk
            .post_multipart(
                "/console/new",
                &[("csrf", &csrf), ("village", VILLAGE), ("column", "affairs-works"), ("title", "附件"), ("body", "x")],
                &[(name, bytes)],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: back to the form");
        assert!(page.body.contains(reason), "{name}: {}", page.body);
    }
    assert_eq!(state.site.store.count_disclosures().await.unwrap(), before);
    let csrf = clerk.csrf().await;
    let ok = clerk
        .post_multipart(
            "/console/new",
            &[("csrf", &csrf), ("village", VILLAGE), ("column", "affairs-works"), ("title", "附件"), ("body", "x")],
            &[("会议纪要.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let d = state.site.store.get_disclosure(DisclosureId(id_from(&ok.location))).await.unwrap();
    assert_eq!(d.attachments[0].file_name, "会议纪要.pdf");
}

#[tokio::test]
async fn a_correction_shows_its_reason_and_diff_and_a_withdrawal_stays_visible() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "supervisor", "李建国", Role::SupervisionMember, VILLAGE).await;
    let (mut clerk, mut supervisor) = (Browser::new(&state), Browser::new(&state));
    clerk.login("clerk", "").await;
    supervisor.login("supervisor", "").await;
    let id = draft(&mut clerk, "救助金发放", "发放 300 元", "affairs-subsidy", "", "").await;
    publish_through_review(&state, &mut clerk, &mut supervisor, id).await;
    let csrf = clerk.csrf().await;
    let no_reason = clerk.post(&format!("/console/d/{id}/correct"), &[("csrf", &csrf), ("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let started = clerk.post(&format!("/console/d/{id}/correct"), &[("csrf", &csrf), ("reason", "金额写错")]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let new = id_from(&started.location);
    let edited = clerk
        .post_multipart(
            &format!("/console/d/{new}/edit"),
            &[("csrf", &csrf), ("title", "救助金发放"), ("body", "发放 3000 元"), ("reason", "金额写错")],
            &[("发放名单.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    publish_through_review(&state, &mut clerk, &mut supervisor, new).await;
    let page = Browser::new(&state).get(&format!("/v/{VILLAGE}/d/{new}")).await;
    assert!(page.body.contains("更正于") && page.body.contains("金额写错"), "{}", page.body);
    // The changes are rendered blocks, each labelled in words.
    assert!(page.body.contains("删除：</strong></p><p>发放 300 元</p>"), "{}", page.body);
    assert!(page.body.contains("新增：</strong></p><p>发放 3000 元</p>"), "{}", page.body);
    assert!(page.body.contains(&format!("/v/{VILLAGE}/d/{id}")), "links the previous version");
    let old = Browser::new(&state).get(&format!("/v/{VILLAGE}/d/{id}")).await;
    assert_eq!(old.status, StatusCode::OK, "the corrected version stays readable");
    assert!(old.body.contains("此版本已被更正"));

    let csrf = clerk.csrf().await;
    let w = clerk.post(&format!("/console/d/{new}/withdraw"), &[("csrf", &csrf), ("reason", "重复发布")]).await;
    let withdrawal = id_from(&w.location);
    supervisor.review(withdrawal, "approve", "").await;
    let page = Browser::new(&state).get(&format!("/v/{VILLAGE}/d/{new}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("已撤回") && page.body.contains("重复发布"));
    // The withdrawal is a version in the log too: its URL leads to the page that says why, and
    // the attachment URLs its content JSON names are served (the same files).
    let moved = Browser::new(&state).get(&format!("/v/{VILLAGE}/d/{withdrawal}?lang=en")).await;
    assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.location, format!("/v/{VILLAGE}/d/{new}?lang=en"));
    let content = Browser::new(&state).get(&format!("/api/disclosures/{withdrawal}/content.json")).await;
    let url = format!("/v/{VILLAGE}/d/{withdrawal}/a/0");
    assert!(content.body.contains(&url), "{}", content.body);
    let file = Browser::new(&state).get(&url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.starts_with("%PDF-1.4"));
    assert_eq!(
        Browser::new(&state).get(&format!("/v/{VILLAGE}/d/{withdrawal}/a/1")).await.status,
        StatusCode::NOT_FOUND
    );
    let foreign = Browser::new(&state).get(&format!("/v/{OTHER}/d/{withdrawal}")).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "only under its own village");
    let column = Browser::new(&state).get(&format!("/v/{VILLAGE}/c/affairs")).await;
    assert!(column.body.contains("救助金发放（已撤回）"));
    let actions: Vec<_> =
        state.site.store.log_entries(0, 10).await.unwrap().iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["publish", "correct", "withdraw"]);
    yangguang_app::verify::verify_store(&state.site).await.unwrap().unwrap();
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_out() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut b = Browser::new(&state);
    for _ in 0..auth::MAX_ACCOUNT_FAILURES {
        b.get("/console/login").await;
        let csrf = b.cookies["yg_login_csrf"].clone();
        let page =
            b.post("/console/login", &[("csrf", &csrf), ("username", "clerk"), ("password", "wrong-guess")]).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("用户名或密码错误"));
    }
    let page = b.login("clerk", "").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits out the lock");
    let audit = state.site.store.list_audit(1, 50).await.unwrap();
    assert!(audit.items.iter().filter(|a| a.action == "login-failed").count() >= 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_logins_on_one_account_check_at_most_the_allowed_passwords() {
    let state = state().await;
    parallel_logins_check_at_most_the_allowed_passwords(&state).await;
}

/// 40 wrong passwords at once on one account check 5; 40 at once from one address check 20.
async fn parallel_logins_check_at_most_the_allowed_passwords(state: &AppState) {
    user(state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let site = state.site.clone();
            // From 40 addresses, so only the account's limit applies.
            tokio::spawn(async move {
                auth::login(&site, "clerk", "wrong-guess", None, &format!("198.51.100.{i}"), Utc::now()).await
            })
        })
        .collect();
    let (mut checked, mut throttled) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Err(auth::LoginError::WrongCredentials) => checked += 1,
            Err(auth::LoginError::Throttled(_)) => throttled += 1,
            other => panic!("unexpected outcome {:?}", other.map(|_| ())),
        }
    }
    assert_eq!((checked, throttled), (auth::MAX_ACCOUNT_FAILURES, 40 - auth::MAX_ACCOUNT_FAILURES));
    let audit = state.site.store.list_audit(1, 100).await.unwrap();
    assert_eq!(audit.items.iter().filter(|a| a.action == "login-failed").count() as u64, auth::MAX_ACCOUNT_FAILURES);
    // Likewise one address trying many accounts.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let site = state.site.clone();
            tokio::spawn(async move {
                auth::login(&site, &format!("nobody{i}"), "wrong-guess", None, "203.0.113.50", Utc::now()).await
            })
        })
        .collect();
    let mut checked = 0;
    for task in tasks {
        if matches!(task.await.unwrap(), Err(auth::LoginError::WrongCredentials)) {
            checked += 1;
        }
    }
    assert_eq!(checked, auth::MAX_ADDRESS_FAILURES);
}

#[tokio::test]
async fn a_successful_login_does_not_count_as_a_failure() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    for _ in 0..auth::MAX_ACCOUNT_FAILURES + 2 {
        auth::login(&state.site, "clerk", "password-123", None, "192.0.2.1", Utc::now()).await.unwrap();
    }
}

#[tokio::test]
async fn county_roles_need_a_second_factor_and_only_some_roles_read_the_audit_trail() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "discipline", "孙刚", Role::DisciplineCommission, "339921000000").await;
    let mut clerk = Browser::new(&state);
    clerk.login("clerk", "").await;
    assert_eq!(clerk.get("/console/audit").await.status, StatusCode::FORBIDDEN);
    let mut d = Browser::new(&state);
    let page = d.login("discipline", "").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED, "a one-time code is required");
    assert!(page.body.contains("动态验证码"));
    let staff = state.site.store.find_staff("discipline").await.unwrap().unwrap();
    let code = auth::totp_now(staff.totp_secret.as_deref().unwrap(), "discipline", Utc::now()).unwrap();
    assert_eq!(d.login("discipline", &code).await.location, "/console");
    let audit = d.get("/console/audit").await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.body.contains("login"));
}

#[tokio::test]
async fn a_totp_code_works_once_and_secrets_are_kept_encrypted() {
    let state = state().await;
    // As an older version left it: the secret in clear.
    user(&state, "discipline", "孙刚", Role::DisciplineCommission, "339921000000").await;
    let clear = state.site.store.find_staff("discipline").await.unwrap().unwrap().totp_secret.unwrap();
    assert_eq!(auth::seal_clear_totp_secrets(&state.site).await.unwrap(), 1, "encrypted at start");
    assert_eq!(auth::seal_clear_totp_secrets(&state.site).await.unwrap(), 0, "once");
    let staff = state.site.store.find_staff("discipline").await.unwrap().unwrap();
    let stored = staff.totp_secret.clone().unwrap();
    assert!(!stored.contains(&clear) && stored.starts_with("sealed1:"), "{stored}");
    assert_eq!(auth::totp_secret(&state.site, &staff).unwrap().as_deref(), Some(clear.as_str()));

    let code = auth::totp_now(&clear, "discipline", Utc::now()).unwrap();
    assert_eq!(Browser::new(&state).login("discipline", &code).await.location, "/console");
    let again = Browser::new(&state).login("discipline", &code).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "the same code a second time");
    assert!(again.body.contains("动态验证码错误"));
    // The next step's code works (once).
    let later = Utc::now() + chrono::Duration::seconds(30);
    let next = auth::totp_now(&clear, "discipline", later).unwrap();
    auth::login(&state.site, "discipline", "password-123", Some(&next), "192.0.2.1", later).await.unwrap();
    assert!(matches!(
        auth::login(&state.site, "discipline", "password-123", Some(&next), "192.0.2.1", later).await,
        Err(auth::LoginError::WrongTotp)
    ));

    // Set up through the account page: stored encrypted, and the code that proved it is spent.
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let (_, who) = auth::login(&state.site, "clerk", "password-123", None, "192.0.2.2", Utc::now()).await.unwrap();
    let secret = auth::pending_totp_secret(&state.site, &who.staff, Utc::now()).await.unwrap();
    let pending = state.site.store.get_state(&format!("staff/totp-pending/{}", who.staff.id)).await.unwrap().unwrap();
    assert!(pending.starts_with("sealed1:") && !pending.contains(&secret), "kept encrypted while pending: {pending}");
    let code = auth::totp_now(&secret, "clerk", Utc::now()).unwrap();
    auth::enable_totp(&state.site, &who, &code, "192.0.2.2").await.unwrap();
    let stored = state.site.store.find_staff("clerk").await.unwrap().unwrap().totp_secret.unwrap();
    assert!(stored.starts_with("sealed1:") && !stored.contains(&secret), "{stored}");
    assert!(matches!(
        auth::login(&state.site, "clerk", "password-123", Some(&code), "192.0.2.2", Utc::now()).await,
        Err(auth::LoginError::WrongTotp)
    ));
}

#[tokio::test]
async fn a_scheduled_item_is_published_when_its_time_comes_not_before() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "supervisor", "李建国", Role::SupervisionMember, VILLAGE).await;
    let (mut clerk, mut supervisor) = (Browser::new(&state), Browser::new(&state));
    clerk.login("clerk", "").await;
    supervisor.login("supervisor", "").await;
    let id = draft(&mut clerk, "停水通知", "明日停水", "safety-notices", "", "").await;
    let when = (Utc::now() + chrono::Duration::days(2)).with_timezone(&yangguang_core::time::china());
    let csrf = clerk.csrf().await;
    let local = when.format("%Y-%m-%dT%H:%M").to_string();
    clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", &csrf), ("publish_at", &local)]).await;
    supervisor.review(id, "approve", "").await;
    let d = state.site.store.get_disclosure(DisclosureId(id)).await.unwrap();
    assert_eq!(d.state, DisclosureState::Scheduled);
    assert_eq!(yangguang_app::publishing::publish_due(&state.site, Utc::now()).await.unwrap(), 0);
    assert_eq!(Browser::new(&state).get(&format!("/v/{VILLAGE}/d/{id}")).await.status, StatusCode::NOT_FOUND);
    let later = Utc::now() + chrono::Duration::days(3);
    assert_eq!(yangguang_app::publishing::publish_due(&state.site, later).await.unwrap(), 1);
    let page = Browser::new(&state).get(&format!("/v/{VILLAGE}/d/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("李建国"));
}

#[tokio::test]
async fn monthly_accounts_are_drafted_from_the_books_signed_by_the_finance_group_and_lock_them() {
    use yangguang_core::Fen;
    use yangguang_core::ledger::{LedgerEntry, vouchers};
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "finance", "张春兰", Role::FinanceGroupMember, VILLAGE).await;
    let line = |code: &str, debit: i64, credit: i64| LedgerEntry {
        date: chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
        voucher_no: "记-001".into(),
        summary: "收厂房租金".into(),
        account_code: code.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments: 1,
        row: 0,
    };
    let books = vouchers(&[line("102", 1_200_000, 0), line("501003", 0, 1_200_000)]);
    state.site.store.import_vouchers(code(VILLAGE), &books, Utc::now()).await.unwrap();
    let (mut clerk, mut finance) = (Browser::new(&state), Browser::new(&state));
    clerk.login("clerk", "").await;
    finance.login("finance", "").await;
    let csrf = clerk.csrf().await;
    let empty =
        clerk.post("/console/finance/draft", &[("csrf", &csrf), ("village", VILLAGE), ("period", "2026-04")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "no books for April");
    let page =
        clerk.post("/console/finance/draft", &[("csrf", &csrf), ("village", VILLAGE), ("period", "2026-03")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = id_from(&page.location);
    let d = state.site.store.get_disclosure(DisclosureId(id)).await.unwrap();
    assert!(d.body_md.contains("12,000.00") && d.attachments[0].file_name.ends_with("收支明细账.csv"));
    publish_through_review(&state, &mut clerk, &mut finance, id).await;
    assert_eq!(state.site.store.get_disclosure(DisclosureId(id)).await.unwrap().state, DisclosureState::Published);
    let changed = vouchers(&[line("102", 1_300_000, 0), line("501003", 0, 1_300_000)]);
    let outcome = state.site.store.import_vouchers(code(VILLAGE), &changed, Utc::now()).await.unwrap();
    assert_eq!(outcome.conflicts.len(), 1, "published books are locked");
    let accounts = Browser::new(&state).get(&format!("/v/{VILLAGE}/finance/2026-03")).await;
    assert_eq!(accounts.status, StatusCode::OK);
}

const LEDGER: &str = "前山村 2026年3月 凭证明细账,,,,,\n\
    凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额\n\
    2026-03-05,记-001,收厂房租金,102,\"1,200.00\",\n\
    2026-03-05,记-001,收厂房租金,501003,,\"1,200.00\"\n\
    ,,合计,,\"1,200.00\",\"1,200.00\"\n";

#[tokio::test]
async fn the_assets_platform_pushes_a_month_with_a_token_scoped_to_its_villages() {
    let state = state().await;
    let secret = yangguang_app::integrations::create_token(&state.site, "三资监管平台", vec![code("339921100000")])
        .await
        .unwrap();
    let narrow = yangguang_app::integrations::create_token(&state.site, "别村", vec![code(OTHER)]).await.unwrap();
    let push = |token: Option<String>, body: Vec<u8>| {
        let state = state.clone();
        async move {
            let mut req = Request::post(format!("/api/villages/{VILLAGE}/ledger?from=2026-03-01&to=2026-03-31"));
            if let Some(t) = token {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            let r = router(state).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
            let status = r.status();
            let json: serde_json::Value =
                serde_json::from_slice(&to_bytes(r.into_body(), 1 << 20).await.unwrap()).unwrap();
            (status, json)
        }
    };
    let (status, json) = push(None, LEDGER.as_bytes().to_vec()).await;
    assert_eq!((status, json["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let (status, _) = push(Some("ygt_forged".into()), LEDGER.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, json) = push(Some(narrow), LEDGER.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(json["message"].as_str().unwrap().contains("无权写入"), "{json}");
    let broken = LEDGER.replace("501003,,\"1,200.00\"", "501003,,\"1,000.00\"");
    let (status, json) = push(Some(secret.clone()), broken.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json["errors"][0]["row"], 3, "{json}");
    assert!(json["errors"][0]["problem"].as_str().unwrap().contains("借贷不平"));
    let (gbk, _, _) = encoding_rs::GBK.encode(LEDGER);
    let (status, json) = push(Some(secret.clone()), gbk.to_vec()).await;
    assert_eq!((status, json["inserted"].as_u64()), (StatusCode::OK, Some(1)), "{json}");
    let (_, json) = push(Some(secret), gbk.to_vec()).await;
    assert_eq!((json["inserted"].as_u64(), json["unchanged"].as_u64()), (Some(0), Some(1)));
}

#[tokio::test]
async fn a_clerk_uploads_the_books_and_sees_every_problem_at_once() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut clerk = Browser::new(&state);
    clerk.login("clerk", "").await;
    let csrf = clerk.csrf().await;
    let broken = LEDGER.replace("102,\"1,200.00\"", "999,\"1,2x0.00\"");
    let page = clerk
        .post_multipart("/console/ledger", &[("csrf", &csrf), ("village", VILLAGE)], &[("三月.csv", broken.as_bytes())])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("未导入任何内容") && page.body.contains("借方金额") && page.body.contains("1,2x0.00"),
        "{}",
        page.body
    );
    let page = clerk
        .post_multipart("/console/ledger", &[("csrf", &csrf), ("village", VILLAGE)], &[("三月.csv", LEDGER.as_bytes())])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("新增凭证 <strong>1</strong> 张"), "the preview: {}", page.body);
    let page = clerk.confirm_import(&page).await;
    assert!(page.body.contains("新增凭证 1 张"), "{}", page.body);
}

#[tokio::test]
async fn a_clerk_saves_the_column_names_of_unusual_exports() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut clerk = Browser::new(&state);
    clerk.login("clerk", "").await;
    let unusual = "时间,号,代码,收,付\n2027-03-05,1,101,10,\n2027-03-05,1,102,,10\n";
    let csrf = clerk.csrf().await;
    let page = clerk
        .post_multipart("/console/ledger", &[("csrf", &csrf), ("village", VILLAGE)], &[("a.csv", unusual.as_bytes())])
        .await;
    assert!(page.body.contains("找不到表头"), "{}", page.body);
    let saved = clerk
        .post(
            "/console/ledger/columns",
            &[
                ("csrf", &csrf),
                ("village", VILLAGE),
                ("date", "时间"),
                ("voucher", "号"),
                ("account_code", "代码"),
                ("debit", "收"),
                ("credit", "付、付出"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = clerk
        .post_multipart("/console/ledger", &[("csrf", &csrf), ("village", VILLAGE)], &[("a.csv", unusual.as_bytes())])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = clerk.confirm_import(&page).await;
    assert!(page.body.contains("新增凭证 1 张"), "{}", page.body);
}

#[tokio::test]
async fn a_client_cannot_choose_the_address_its_failures_are_counted_under() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut b = Browser::new(&state);
    b.get("/console/login").await;
    let csrf = b.cookies["yg_login_csrf"].clone();
    let cookie = format!("yg_login_csrf={csrf}");
    let body = format!("csrf={csrf}&username=clerk&password=wrong-guess");
    let req = Request::post("/console/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "localhost")
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-yangguang-client-ip", "198.51.100.7")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(router(state.clone()).oneshot(req).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let audit = state.site.store.list_audit(1, 10).await.unwrap();
    let failed = audit.items.iter().find(|a| a.action == "login-failed").unwrap();
    assert_eq!(failed.ip, "local", "neither forged header was believed");
}

/// A failed login sent from `peer` with the given `X-Forwarded-For`; the address it was
/// counted under.
async fn counted_address(state: &AppState, peer: &str, forwarded: &str) -> String {
    let mut b = Browser::new(state);
    b.get("/console/login").await;
    let csrf = b.cookies["yg_login_csrf"].clone();
    let mut req = Request::post("/console/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("yg_login_csrf={csrf}"))
        .header(header::HOST, "localhost")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(format!("csrf={csrf}&username=clerk&password=wrong-guess")))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()));
    assert_eq!(router(state.clone()).oneshot(req).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let audit = state.site.store.list_audit(1, 10).await.unwrap();
    audit.items.iter().find(|a| a.action == "login-failed").unwrap().ip.clone()
}

#[tokio::test]
async fn behind_a_proxy_the_right_most_untrusted_forwarded_address_is_counted() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    // nginx on this machine appends the address it saw to what the client wrote.
    assert_eq!(counted_address(&state, "127.0.0.1:40000", "203.0.113.9, 198.51.100.20").await, "198.51.100.20");
    // Straight from the internet, the header is not believed at all.
    assert_eq!(counted_address(&state, "192.0.2.1:40000", "203.0.113.9").await, "192.0.2.1");
    // Two proxies of ours (a load balancer in 10.0.0.0/8, then nginx): both are skipped.
    let proxies = yangguang_web::proxy::TrustedProxies::parse(["10.0.0.0/8", "127.0.0.1"]).unwrap();
    let state = state.with_trusted_proxies(proxies);
    assert_eq!(
        counted_address(&state, "127.0.0.1:40000", "203.0.113.9, 198.51.100.21, 10.0.0.7").await,
        "198.51.100.21"
    );
    // A proxy that is not configured is just another client.
    let state = state.with_trusted_proxies(yangguang_web::proxy::TrustedProxies::none());
    assert_eq!(counted_address(&state, "127.0.0.1:40000", "198.51.100.22").await, "127.0.0.1");
}

#[tokio::test]
async fn the_work_list_shows_every_submission_awaiting_the_reader_even_the_oldest_of_many() {
    let state = state().await;
    user(&state, "supervisor", "李建国", Role::SupervisionMember, VILLAGE).await;
    let new = |n: usize| yangguang_core::NewDisclosure {
        village: code(VILLAGE),
        column: "affairs-subsidy".into(),
        catalog_item: None,
        period: None,
        title: format!("送审事项 {n:03}"),
        body_md: "正文".into(),
        state: DisclosureState::Draft,
        created_at: Utc::now(),
        published_at: None,
        attachments: vec![],
        kind: yangguang_core::DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: None,
        signoffs: vec![],
    };
    let ids = state.site.store.insert_disclosures(&(0..105).map(new).collect::<Vec<_>>()).await.unwrap();
    // Submitted in order, so 送审事项 000 has waited longest and 100 newer ones follow it.
    for (n, id) in ids.iter().enumerate() {
        let at = Utc::now() - chrono::Duration::hours(200) + chrono::Duration::hours(n as i64);
        state.site.store.set_state(*id, &[DisclosureState::Draft], DisclosureState::Submitted, None, at).await.unwrap();
    }
    let mut supervisor = Browser::new(&state);
    supervisor.login("supervisor", "").await;
    let page = supervisor.get("/console").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("待我审核（105）"), "{}", page.body);
    for n in [0, 4, 100, 104] {
        assert!(page.body.contains(&format!("送审事项 {n:03}")), "submission {n} is missing");
    }
    let oldest = page.body.find("送审事项 000").unwrap();
    assert!(oldest < page.body.find("送审事项 104").unwrap(), "the longest waiting comes first");
}

#[tokio::test]
async fn an_overlong_title_is_refused_with_422_naming_the_field_and_nothing_is_stored() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut clerk = Browser::new(&state);
    clerk.login("clerk", "").await;
    let csrf = clerk.csrf().await;
    let title = "很".repeat(121);
    let fields = [
        ("csrf", csrf.as_str()),
        ("village", VILLAGE),
        ("item", ""),
        ("column", "affairs-subsidy"),
        ("period", ""),
        ("title", title.as_str()),
        ("body", "正文"),
    ];
    let page = clerk.post_multipart("/console/new", &fields, &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("标题不能超过 120 个字"), "{}", page.body);
    assert_eq!(state.site.store.count_disclosures().await.unwrap(), 0);
}

/// A push of the March books as the assets platform exports them.
async fn push_march(state: &AppState, token: &str, csv: &str) -> (StatusCode, serde_json::Value) {
    let req = Request::post(format!("/api/villages/{VILLAGE}/ledger?from=2026-03-01&to=2026-03-31"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(csv.to_owned()))
        .unwrap();
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    (status, serde_json::from_slice(&to_bytes(r.into_body(), 1 << 20).await.unwrap()).unwrap())
}

/// Draft → submit → the finance group signs; returns the sign-off's answer.
async fn draft_and_sign_march(clerk: &mut Browser, finance: &mut Browser) -> (i64, Page) {
    let csrf = clerk.csrf().await;
    let page =
        clerk.post("/console/finance/draft", &[("csrf", &csrf), ("village", VILLAGE), ("period", "2026-03")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = id_from(&page.location);
    let submitted = clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", &csrf)]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.body);
    (id, finance.get(&format!("/console/d/{id}")).await)
}

async fn sign(finance: &mut Browser, id: i64) -> Page {
    finance.review(id, "approve", "").await
}

/// The signed accounts are the books, and stay the books: a draft whose books changed before
/// the sign-off cannot be signed, and once published no push may add a voucher to the month.
async fn frozen_books_journey(state: &AppState) {
    user(state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(state, "finance", "张春兰", Role::FinanceGroupMember, VILLAGE).await;
    let token =
        yangguang_app::integrations::create_token(&state.site, "三资监管平台", vec![code(VILLAGE)]).await.unwrap();
    let (status, _) = push_march(state, &token, LEDGER).await;
    assert_eq!(status, StatusCode::OK);
    let (mut clerk, mut finance) = (Browser::new(state), Browser::new(state));
    clerk.login("clerk", "").await;
    finance.login("finance", "").await;

    // The reviewers see the month page before it is public, with every voucher and scan.
    let scan = png();
    let sha256 = state.site.files.put(&scan).await.unwrap();
    let receipt = yangguang_store::Receipt {
        year: 2026,
        month: 3,
        voucher_no: "记-1".into(),
        sha256: sha256.clone(),
        media_type: "image/png".into(),
        file_name: "租金收据.png".into(),
        byte_size: scan.len() as i64,
        needs_recheck: false,
    };
    state.site.store.add_receipts(code(VILLAGE), &[receipt]).await.unwrap();
    let (stale, review_page) = draft_and_sign_march(&mut clerk, &mut finance).await;
    assert!(review_page.body.contains(&format!("/console/d/{stale}/books")), "{}", review_page.body);
    assert!(review_page.body.contains("<td>收厂房租金</td>"), "the ledger file reads as a table: {}", review_page.body);
    let preview = finance.get(&format!("/console/d/{stale}/books")).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("审核预览") && preview.body.contains("收厂房租金"), "{}", preview.body);
    assert!(preview.body.contains(&format!("/console/d/{stale}/receipts/{sha256}/thumb")), "{}", preview.body);
    let thumb = finance.get(&format!("/console/d/{stale}/receipts/{sha256}/full")).await;
    assert_eq!(thumb.status, StatusCode::OK);
    // Not public before publication: the month's page says it waits for review (the
    // disclosure calendar) and shows nothing of its books.
    let public = Browser::new(state).get(&format!("/v/{VILLAGE}/finance/2026-03")).await;
    assert!(!public.body.contains("收厂房租金") && !public.body.contains("1,200.00"), "{}", public.body);

    // The books change between the draft and the sign-off: the signature is refused.
    let (status, _) = push_march(state, &token, &LEDGER.replace("1,200.00", "1,250.00")).await;
    assert_eq!(status, StatusCode::OK, "the month is not published yet: the books may still change");
    let refused = sign(&mut finance, stale).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("账簿在生成此草稿之后有改动"), "{}", refused.body);
    let d = state.site.store.get_disclosure(DisclosureId(stale)).await.unwrap();
    assert_eq!(d.state, DisclosureState::Submitted, "not signed, not published");
    assert!(!d.body_md.contains("审核"), "generated text claims no review before one happened: {}", d.body_md);
    assert!(state.site.store.list_signoffs(DisclosureId(stale)).await.unwrap().is_empty());

    // Generated again from the books as they are, it is signed and published.
    let (id, _) = draft_and_sign_march(&mut clerk, &mut finance).await;
    assert_eq!(sign(&mut finance, id).await.status, StatusCode::SEE_OTHER);
    assert_eq!(state.site.store.get_disclosure(DisclosureId(id)).await.unwrap().state, DisclosureState::Published);
    let public = Browser::new(state).get(&format!("/v/{VILLAGE}/finance/2026-03")).await;
    assert!(public.body.contains("1,250.00"), "{}", public.body);

    // A push that adds a voucher to the published month is refused whole, naming it.
    let extra = LEDGER.replace("1,200.00", "1,250.00").replace(
        ",,合计",
        "2026-03-20,记-002,收鱼塘承包款,102,\"100,000.00\",\n2026-03-20,记-002,收鱼塘承包款,511,,\"100,000.00\"\n,,合计",
    );
    let (status, json) = push_march(state, &token, &extra).await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");
    assert_eq!(json["code"], "conflict");
    assert!(json["conflicts"].to_string().contains("记-2"), "{json}");
    let after = Browser::new(state).get(&format!("/v/{VILLAGE}/finance/2026-03")).await;
    assert!(after.body.contains("1,250.00") && !after.body.contains("101,250.00"), "the public month is unchanged");
    let report = yangguang_app::verify::verify_store(&state.site).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test]
async fn published_books_stay_frozen_and_stale_accounts_cannot_be_signed_on_both_databases() {
    let regions = common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")]);
    let sqlite = AppState::new(Arc::new(common::site_over(common::store_with(&regions).await, "frozen").await));
    frozen_books_journey(&sqlite).await;
    if let Some((store, schema)) = common::postgres_store_with(&regions).await {
        let postgres = AppState::new(Arc::new(common::site_over(store, "frozen-pg").await));
        frozen_books_journey(&postgres).await;
        schema.drop().await;
    }
}

/// A small real PNG, as a phone photo of a document would be after re-encoding.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_reviewer_sees_every_attachment_and_signs_only_the_content_the_page_showed() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    user(&state, "supervisor", "李建国", Role::SupervisionMember, VILLAGE).await;
    user(&state, "outsider", "赵六", Role::SupervisionMember, OTHER).await;
    let (mut clerk, mut supervisor, mut outsider) = (Browser::new(&state), Browser::new(&state), Browser::new(&state));
    clerk.login("clerk", "").await;
    supervisor.login("supervisor", "").await;
    outsider.login("outsider", "").await;
    let csrf = clerk.csrf().await;
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let fields = [
        ("csrf", csrf.as_str()),
        ("village", VILLAGE),
        ("item", ""),
        ("column", "affairs-subsidy"),
        ("period", ""),
        ("title", "救助金发放"),
        ("body", "发放名单见附件"),
    ];
    let created = clerk.post_multipart("/console/new", &fields, &[("现场照片.png", &png()), ("批复.pdf", pdf)]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = id_from(&created.location);
    clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", &csrf)]).await;

    let page = supervisor.get(&format!("/console/d/{id}")).await;
    assert!(page.body.contains(&format!("<img src=\"/console/d/{id}/a/0\"")), "the photo is shown: {}", page.body);
    assert!(page.body.contains(&format!("href=\"/console/d/{id}/a/1\"")), "the PDF opens");
    for position in [0, 1] {
        let file = supervisor.get(&format!("/console/d/{id}/a/{position}")).await;
        assert_eq!(file.status, StatusCode::OK, "attachment {position}");
        let again = outsider.get(&format!("/console/d/{id}/a/{position}")).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "another village's reviewer cannot open it");
    }
    let anonymous = Browser::new(&state).get(&format!("/console/d/{id}/a/0")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "not public before publication");

    // The clerk edits while the supervisor's page is open: that page's sign-off is refused.
    let seen = hidden_field(&page.body, "hash").expect("the review form carries the hash it shows");
    let edit = [
        ("csrf", csrf.as_str()),
        ("item", ""),
        ("column", "affairs-subsidy"),
        ("title", "救助金发放"),
        ("body", "发放名单见附件（金额已改）"),
    ];
    let edited = clerk.post_multipart(&format!("/console/d/{id}/edit"), &edit, &[]).await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    let s_csrf = supervisor.csrf().await;
    let stale = supervisor
        .post(
            &format!("/console/d/{id}/review"),
            &[("csrf", &s_csrf), ("hash", &seen), ("decision", "approve"), ("comment", "")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("内容被修改过"), "{}", stale.body);
    assert!(state.site.store.list_signoffs(DisclosureId(id)).await.unwrap().is_empty());
    let unseen = supervisor
        .post(&format!("/console/d/{id}/review"), &[("csrf", &s_csrf), ("decision", "approve"), ("comment", "")])
        .await;
    assert_eq!(unseen.status, StatusCode::UNPROCESSABLE_ENTITY, "a sign-off names what it signs");
    let signed = supervisor.review(id, "approve", "").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
}

#[tokio::test]
async fn a_refused_form_comes_back_with_everything_typed_and_uploaded_and_the_message_beside_the_field() {
    let state = state().await;
    user(&state, "clerk", "王秀英", Role::VillageClerk, VILLAGE).await;
    let mut clerk = Browser::new(&state);
    clerk.login("clerk", "").await;
    let csrf = clerk.csrf().await;
    let body = "第一段\n\n| 户主 | 金额 |\n|---|---|\n| 张*明 | 300.00 |";
    let fields = [
        ("csrf", csrf.as_str()),
        ("village", VILLAGE),
        ("item", ""),
        ("column", "affairs-subsidy"),
        ("period", "2026年13月"),
        ("title", "十一月救助金发放"),
        ("body", body),
    ];
    let good = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    let files: [(&str, &[u8]); 2] = [("批复.pdf", good), ("收据.pdf", b"<html>not a pdf</html>")];
    let page = clerk.post_multipart("/console/new", &fields, &files).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("还没有保存"), "{}", page.body);
    assert!(page.body.contains("id=\"period-error\"") && page.body.contains("2026年13月"), "{}", page.body);
    assert!(page.body.contains("id=\"files-error\"") && page.body.contains("不是支持的文件类型"), "{}", page.body);
    assert!(page.body.contains("value=\"十一月救助金发放\""), "the title is still there");
    assert!(page.body.contains("| 张*明 | 300.00 |"), "the body is still there");
    let carried = hidden_field(&page.body, "uploaded").expect("the good file is kept");
    assert!(carried.ends_with("|批复.pdf"), "{carried}");
    assert_eq!(state.site.store.count_disclosures().await.unwrap(), 0, "nothing saved yet");

    // Fixed, and sent again without uploading the kept file a second time.
    let fixed = [
        ("csrf", csrf.as_str()),
        ("village", VILLAGE),
        ("item", ""),
        ("column", "affairs-subsidy"),
        ("period", ""),
        ("title", "十一月救助金发放"),
        ("body", body),
        ("uploaded", carried.as_str()),
    ];
    let saved = clerk.post_multipart("/console/new", &fixed, &[]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let d = state.site.store.get_disclosure(DisclosureId(id_from(&saved.location))).await.unwrap();
    assert_eq!(d.attachments.len(), 1);
    assert_eq!(d.attachments[0].file_name, "批复.pdf");
    assert_eq!(d.body_md, body);
}
