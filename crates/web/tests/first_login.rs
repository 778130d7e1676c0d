//! First login in one flow, through the router: the one-time password logs in, a new password
//! is set (twice) on `/console/setup`, then — where the role needs it — the second factor from a
//! QR code, then the console; the session continues (rotated), nothing else opens before.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use common::code;
use tower::ServiceExt;
use yangguang_app::auth;
use yangguang_core::staff::{Grant, Role};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const COUNTY: &str = "339921000000";
const NEW_PASSWORD: &str = "青山绿水2026春天来了";

async fn state() -> AppState {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    AppState::new(Arc::new(common::site_over(store, "first-login").await))
}

/// A new account, as `yangguang user add` makes it: its one-time password.
async fn new_account(state: &AppState, username: &str, role: Role, region: &str) -> String {
    let grants = vec![Grant::new(role, code(region)).unwrap()];
    auth::create_staff(&state.site, username, "李文", grants).await.unwrap().1
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
        let response = router(self.state.clone()).oneshot(req).await.unwrap();
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
        let req = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(req, Body::from(body)).await
    }

    async fn login(&mut self, username: &str, password: &str, totp: &str) -> Page {
        self.get("/console/login").await;
        let csrf = self.cookies["yg_login_csrf"].clone();
        let fields = [("csrf", csrf.as_str()), ("username", username), ("password", password), ("totp", totp)];
        self.post("/console/login", &fields).await
    }

    /// Posts a form of the set-up page, with the CSRF token the page carries.
    async fn submit(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get("/console/setup").await;
        let csrf = hidden_field(&page.body, "csrf").expect("the set-up page has a CSRF token");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(uri, &all).await
    }
}

fn hidden_field(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_owned())
}

/// The TOTP key as the page shows it for typing in (groups of four).
fn shown_key(body: &str) -> String {
    let marker = "<code class=\"key totp-key\">";
    let start = body.find(marker).expect("the key is shown") + marker.len();
    body[start..].split('<').next().unwrap().to_owned()
}

async fn audit_actions(state: &AppState) -> Vec<String> {
    let page = state.site.store.list_audit(0, 100).await.unwrap();
    page.items.into_iter().map(|a| a.action).collect()
}

#[tokio::test]
async fn a_new_clerk_sets_a_password_with_confirmation_and_lands_in_the_console_in_one_flow() {
    let state = state().await;
    let one_time = new_account(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let mut b = Browser::new(&state);

    let login = b.login("clerk", &one_time, "").await;
    assert_eq!((login.status, login.location.as_str()), (StatusCode::SEE_OTHER, "/console/setup"));
    let first_token = b.cookies["yg_session"].clone();

    // Nothing else of the console opens before the set-up is done.
    for path in ["/console", "/console/new", "/console/account", "/console/ledger", "/console/audit"] {
        assert_eq!(b.get(path).await.location, "/console/setup", "{path} leads to the current step");
    }

    let page = b.get("/console/setup").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("设置新密码") && page.body.contains("至少 10 个字符"), "the rules are stated up front");
    assert!(page.body.contains("id=\"confirm\""), "a confirmation field");
    assert!(!page.body.contains("<svg") && !page.body.contains("class=\"steps\""), "a clerk has one step only");

    // A forged form is refused.
    let forged = b
        .post("/console/setup/password", &[("csrf", "forged"), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // The confirmation differs: 422, the message beside it, the new password kept.
    let mismatch =
        b.submit("/console/setup/password", &[("new", NEW_PASSWORD), ("confirm", "青山绿水2026秋天来了")]).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("id=\"confirm-error\" role=\"alert\">两次输入的新密码不一致"), "{}", mismatch.body);
    assert!(mismatch.body.contains("aria-invalid=\"true\" aria-describedby=\"confirm-error\""));
    assert!(mismatch.body.contains(&format!("value=\"{NEW_PASSWORD}\"")), "the new password stays typed");
    // Too short, and the one-time password again: beside the new password.
    let short = b.submit("/console/setup/password", &[("new", "short"), ("confirm", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("id=\"new-error\" role=\"alert\">密码至少需要 10 个字符"));
    let same = b.submit("/console/setup/password", &[("new", &one_time), ("confirm", &one_time)]).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(same.body.contains("id=\"new-error\" role=\"alert\">新密码不能与一次性密码相同"));
    // A missing field is the person's input too: never a 500.
    let empty = b.submit("/console/setup/password", &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(state.site.store.find_staff("clerk").await.unwrap().unwrap().must_change_password, "nothing changed");

    // Right: straight into the console, under a new session.
    let done = b.submit("/console/setup/password", &[("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/console"));
    let new_token = b.cookies["yg_session"].clone();
    assert_ne!(new_token, first_token, "the session token is rotated");
    let console = b.get("/console").await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(console.body.contains("新密码已设置"), "with a success message");
    assert_eq!(b.get("/console/new").await.status, StatusCode::OK);

    // The old session is over.
    let mut old = Browser::new(&state);
    old.cookies.insert("yg_session".into(), first_token);
    assert_eq!(old.get("/console").await.location, "/console/login");
    // Only the new password logs in now.
    assert_eq!(Browser::new(&state).login("clerk", &one_time, "").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(Browser::new(&state).login("clerk", NEW_PASSWORD, "").await.location, "/console");
    // The flow is over: its pages lead on to the console.
    assert_eq!(b.get("/console/setup").await.location, "/console");
    let csrf = hidden_field(&b.get("/console").await.body, "csrf").unwrap();
    let fields = [("csrf", csrf.as_str()), ("new", "另一个很长的新密码哦"), ("confirm", "另一个很长的新密码哦")];
    let again = b.post("/console/setup/password", &fields).await;
    assert_eq!(again.location, "/console/setup", "no password change without the current one after set-up");
    assert!(audit_actions(&state).await.iter().any(|a| a == "password-changed"));
}

#[tokio::test]
async fn a_county_operator_sets_a_password_then_a_second_factor_from_a_qr_code_then_enters_the_console() {
    let state = state().await;
    let one_time = new_account(&state, "operator", Role::CountyOperator, COUNTY).await;
    let mut b = Browser::new(&state);
    assert_eq!(b.login("operator", &one_time, "").await.location, "/console/setup");

    let page = b.get("/console/setup").await;
    assert!(page.body.contains("class=\"steps\""), "two steps, listed");
    assert!(page.body.contains("aria-current=\"step\" class=\"current\">设置新密码"));
    let first_token = b.cookies["yg_session"].clone();
    let next = b.submit("/console/setup/password", &[("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]).await;
    assert_eq!((next.status, next.location.as_str()), (StatusCode::SEE_OTHER, "/console/setup"), "on to the next step");
    assert_ne!(b.cookies["yg_session"], first_token, "rotated");
    for path in ["/console", "/console/audit", "/console/account", "/console/users"] {
        assert_eq!(b.get(path).await.location, "/console/setup", "{path} waits for the second factor");
    }

    // The second factor: a QR code drawn on the server, the key in groups of four, a code field.
    let page = b.get("/console/setup").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("新密码已设置"), "the step before is confirmed");
    assert!(page.body.contains("aria-current=\"step\" class=\"current\">开启两步验证"));
    let svg_start =
        page.body.find("<svg class=\"qr\" role=\"img\" aria-label=\"两步验证二维码").expect("an inline SVG QR");
    assert!(page.body[svg_start..].contains("<path") && page.body[svg_start..].contains("</svg>"));
    assert!(!page.body.contains("<?xml"), "inline, without an XML declaration");
    assert!(page.body.contains("href=\"otpauth://totp/"), "a link for the app on this phone");
    let key = shown_key(&page.body);
    let groups: Vec<&str> = key.split(' ').collect();
    assert!(groups.len() == 8 && groups.iter().all(|g| g.len() == 4), "grouped in 4s: {key}");
    let secret = key.replace(' ', "");
    assert!(!page.body.contains("name=\"secret\""), "the secret is kept on the server, not in the form");
    assert_eq!(shown_key(&b.get("/console/setup").await.body), key, "the same secret on every showing");

    // A wrong code: 422 beside the field, and the same secret.
    let right = auth::totp_now(&secret, "operator", Utc::now()).unwrap();
    let wrong: String = right.chars().map(|c| if c == '9' { '0' } else { char::from(c as u8 + 1) }).collect();
    let refused = b.submit("/console/setup/totp", &[("code", &wrong)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"code-error\" role=\"alert\">验证码不正确"), "{}", refused.body);
    assert_eq!(shown_key(&refused.body), key, "not regenerated after a failure");
    let letters = b.submit("/console/setup/totp", &[("code", "abcdef")]).await;
    assert_eq!(letters.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(state.site.store.find_staff("operator").await.unwrap().unwrap().totp_secret.is_none());

    // The first code: into the console.
    let code = auth::totp_now(&secret, "operator", Utc::now()).unwrap();
    let done = b.submit("/console/setup/totp", &[("code", &code)]).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/console"));
    let console = b.get("/console").await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(console.body.contains("两步验证已开启"), "with a success message");
    assert_eq!(b.get("/console/account").await.status, StatusCode::OK);

    // Stored encrypted; the pending secret is gone; the code that proved it is spent.
    let staff = state.site.store.find_staff("operator").await.unwrap().unwrap();
    let stored = staff.totp_secret.clone().unwrap();
    assert!(stored.starts_with("sealed1:") && !stored.contains(&secret));
    assert_eq!(auth::totp_secret(&state.site, &staff).unwrap().as_deref(), Some(secret.as_str()));
    let pending = state.site.store.get_state(&format!("staff/totp-pending/{}", staff.id)).await.unwrap();
    assert_eq!(pending.as_deref(), Some(""), "the pending secret is cleared");
    assert_eq!(Browser::new(&state).login("operator", NEW_PASSWORD, &code).await.status, StatusCode::UNAUTHORIZED);
    let later = auth::totp_now(&secret, "operator", Utc::now() + Duration::seconds(30)).unwrap();
    assert_eq!(Browser::new(&state).login("operator", NEW_PASSWORD, &later).await.location, "/console");

    let actions = audit_actions(&state).await;
    assert!(actions.iter().any(|a| a == "password-changed") && actions.iter().any(|a| a == "totp-enabled"));
}

#[tokio::test]
async fn the_set_up_page_works_in_elder_mode_and_in_english() {
    let state = state().await;
    let one_time = new_account(&state, "admin", Role::PlatformAdmin, COUNTY).await;
    let mut b = Browser::new(&state);
    b.login("admin", &one_time, "").await;
    b.cookies.insert("yg_elder".into(), "1".into());
    let page = b.get("/console/setup").await;
    assert!(page.body.contains("class=\"elder\"") && page.body.contains("设置新密码"));
    b.cookies.insert("yg_lang".into(), "en".into());
    let page = b.get("/console/setup").await;
    assert!(page.body.contains("Set a new password") && page.body.contains("at least 10 characters"));
    let refused = b.submit("/console/setup/password", &[("new", NEW_PASSWORD), ("confirm", "something else")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("The two new passwords differ"));
    b.submit("/console/setup/password", &[("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]).await;
    let page = b.get("/console/setup").await;
    assert!(page.body.contains("Turn on two-step verification") && page.body.contains("<svg class=\"qr\""));
}

async fn change(b: &mut Browser, csrf: &str, current: &str, confirm: &str) -> Page {
    let fields = [("csrf", csrf), ("current", current), ("new", "又一个新密码2026年"), ("confirm", confirm)];
    b.post("/console/account/password", &fields).await
}

#[tokio::test]
async fn the_account_page_changes_a_password_with_confirmation_and_keeps_the_session() {
    let state = state().await;
    let one_time = new_account(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let mut b = Browser::new(&state);
    b.login("clerk", &one_time, "").await;
    b.submit("/console/setup/password", &[("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]).await;
    let account = b.get("/console/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("<svg class=\"qr\""), "the optional second factor has its QR code too");
    let csrf = hidden_field(&account.body, "csrf").unwrap();
    let before = b.cookies["yg_session"].clone();

    let wrong = change(&mut b, &csrf, "not-my-password", "又一个新密码2026年").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("id=\"current-error\""));
    let mismatch = change(&mut b, &csrf, NEW_PASSWORD, "又一个新密码2027年").await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("id=\"confirm-error\""));
    let ok = change(&mut b, &csrf, NEW_PASSWORD, "又一个新密码2026年").await;
    assert_eq!((ok.status, ok.location.as_str()), (StatusCode::SEE_OTHER, "/console/account"));
    assert_ne!(b.cookies["yg_session"], before, "rotated, still logged in");
    assert!(b.get("/console/account").await.body.contains("密码已修改"));
}
