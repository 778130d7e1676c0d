//! Households' three rights end to end: the register imported, a villager logging in with a
//! texted code and seeing only their own household, lockout after guessing, rate limits,
//! staff reads in the audit trail, public totals, and the HTTP gateway sender against a real
//! server started here.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use common::{code, county_with, site_over, store_with};
use tower::ServiceExt;
use yangguang_app::villagers::{HttpSms, SmsSender};
use yangguang_core::staff::Role;
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";
const PHONE: &str = "13800138000";

/// An identity number with its check digit computed.
fn id(seventeen: &str) -> String {
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = seventeen.bytes().zip(w).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{seventeen}{}", ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize])
}

/// Texts "sent" by the site, kept for the test to read.
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
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// The code in the text after the first `before`, waiting for it: texts are sent in the
    /// background, after the answer.
    async fn code_after(&self, before: usize) -> String {
        for _ in 0..500 {
            let text = self.0.lock().unwrap().get(before).map(|(_, text)| text.clone());
            if let Some(text) = text {
                return text.chars().filter(char::is_ascii_digit).take(6).collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("no text was sent")
    }
}

async fn state() -> (AppState, Arc<Outbox>) {
    let outbox = Arc::new(Outbox::default());
    (state_sending_with(outbox.clone()).await, outbox)
}

async fn state_sending_with(sms: Arc<dyn SmsSender>) -> AppState {
    let store = store_with(&county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    let mut site = site_over(store, "households").await;
    site.sms = sms;
    let state = AppState::new(Arc::new(site));
    let members = format!(
        "户号,姓名,与户主关系,身份证号,联系电话\n001,王建明,户主,{},{PHONE}\n001,李秀英,配偶,{},\n002,张伟,户主,{},13900139000\n",
        id("33992119650312001"),
        id("33992119680101002"),
        id("33992119800505003")
    );
    let plots = "户号,地块编码,坐落,东至,南至,西至,北至,面积（亩）,是否基本农田,承包合同编号\n\
                 001,3399211002010001,溪东,路,沟,张伟,河,1.25,是,HT-001\n002,3399211002010009,后垄,山,路,田,田,2.5,否,HT-002\n";
    let shares = "户号,股权证号,股数,2025年分红\n001,GQ-001,2,800\n002,GQ-002,1,400\n";
    let files = vec![
        ("members.csv".to_owned(), encoding_rs::GBK.encode(&members).0.into_owned()),
        ("plots.csv".to_owned(), plots.as_bytes().to_vec()),
        ("shares.csv".to_owned(), shares.as_bytes().to_vec()),
    ];
    let done = yangguang_app::households::import_households(&state.site, None, code(VILLAGE), &files).await.unwrap();
    assert!(done.problems.is_empty(), "{:?}", done.problems);
    assert_eq!((done.households.inserted, done.phones.inserted), (2, 2));
    let elsewhere =
        format!("户号,姓名,与户主关系,身份证号,联系电话\n101,赵六,户主,{},13700137000\n", id("33992119700101004"));
    let files = vec![("m.csv".to_owned(), elsewhere.into_bytes())];
    yangguang_app::households::import_households(&state.site, None, code(OTHER), &files).await.unwrap();
    state
}

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    let cookie = r.headers().get(header::SET_COOKIE).map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    (status, cookie, String::from_utf8(to_bytes(r.into_body(), 4 << 20).await.unwrap().to_vec()).unwrap())
}

fn post(uri: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap()
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

async fn log_in(state: &AppState, outbox: &Outbox) -> String {
    let before = outbox.count();
    let (status, _, html) = send(state, post("/my/code", &format!("phone={PHONE}"))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let code = outbox.code_after(before).await;
    let (status, cookie, _) = send(state, post("/my/verify", &format!("phone={PHONE}&code={code}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    cookie.expect("a session cookie")
}

#[tokio::test]
async fn a_villager_logs_in_with_a_texted_code_and_sees_only_their_household() {
    let (state, outbox) = state().await;
    let cookie = log_in(&state, &outbox).await;
    assert_eq!(outbox.0.lock().unwrap()[0].0, PHONE);

    let (status, _, html) = send(&state, get("/my", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("王建明") && html.contains("李秀英"), "the household's own members");
    assert!(html.contains("3399211002010001") && html.contains("1.25"), "its plots");
    assert!(html.contains("800.00 元") && html.contains("GQ-001"), "its shares and dividends");
    assert!(!html.contains(&id("33992119650312001")) && html.contains("****"), "identity numbers masked");
    assert!(!html.contains("张伟</td>"), "not another household's member");

    // Its own page by URL, but nobody else's, whatever URL is tried.
    assert_eq!(send(&state, get(&format!("/v/{VILLAGE}/h/001"), Some(&cookie))).await.0, StatusCode::OK);
    for other in [format!("/v/{VILLAGE}/h/002"), format!("/v/{OTHER}/h/101"), format!("/v/{VILLAGE}/h/999")] {
        assert_eq!(send(&state, get(&other, Some(&cookie))).await.0, StatusCode::NOT_FOUND, "{other}");
    }
    // Without a login: refused, with a way to log in.
    assert_eq!(send(&state, get(&format!("/v/{VILLAGE}/h/001"), None)).await.0, StatusCode::FORBIDDEN);
    // A forged cookie is no login.
    let (status, _, html) = send(&state, get("/my", Some("yg_villager=forged"))).await;
    assert!(status == StatusCode::OK && html.contains("获取验证码"));

    // Logging out ends the session.
    let out = Request::post("/my/logout").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(send(&state, out).await.0, StatusCode::SEE_OTHER);
    let (_, _, html) = send(&state, get("/my", Some(&cookie))).await;
    assert!(html.contains("获取验证码"), "logged out");
}

#[tokio::test]
async fn guessing_locks_the_number_out_and_codes_are_rate_limited() {
    let (state, outbox) = state().await;
    send(&state, post("/my/code", &format!("phone={PHONE}"))).await;
    let right = outbox.code_after(0).await;
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for attempt in 1..=yangguang_app::villagers::MAX_ATTEMPTS {
        let (status, cookie, _) = send(&state, post("/my/verify", &format!("phone={PHONE}&code={wrong}"))).await;
        assert!(cookie.is_none());
        let expected = if attempt < 5 { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(status, expected, "attempt {attempt}");
    }
    let (status, cookie, html) = send(&state, post("/my/verify", &format!("phone={PHONE}&code={right}"))).await;
    assert_eq!((status, cookie), (StatusCode::TOO_MANY_REQUESTS, None), "locked even for the right code: {html}");
    assert!(html.contains("锁定"));
    let audit = state.site.store.list_audit(1, 20).await.unwrap();
    assert!(audit.items.iter().any(|e| e.action == "villager-lockout" && e.target == "138****8000"));

    // A second code within the minute is refused; so is a number that is not a mobile.
    let (status, _, _) = send(&state, post("/my/code", "phone=13900139000")).await;
    assert_eq!(status, StatusCode::OK);
    outbox.code_after(1).await;
    let (status, _, _) = send(&state, post("/my/code", "phone=13900139000")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(send(&state, post("/my/code", "phone=12345")).await.0, StatusCode::BAD_REQUEST);

    // An unregistered number is answered alike, and nothing is sent to it.
    let before = outbox.0.lock().unwrap().len();
    let (status, _, html) = send(&state, post("/my/code", "phone=13600136000")).await;
    assert!(status == StatusCode::OK && html.contains("如该号码已登记"));
    assert_eq!(outbox.0.lock().unwrap().len(), before);
    // Another site's form is refused.
    let forged = Request::post("/my/code")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "yangguang.example")
        .body(Body::from(format!("phone={PHONE}")))
        .unwrap();
    assert_eq!(send(&state, forged).await.0, StatusCode::FORBIDDEN);
}

/// An SMS gateway that answers only when the test releases it, and then fails or not.
struct SlowGateway {
    release: tokio::sync::Semaphore,
    fail: bool,
    sent: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl SmsSender for SlowGateway {
    async fn send(&self, phone: &str, _text: &str) -> Result<(), String> {
        let _permit = self.release.acquire().await.map_err(|e| e.to_string())?;
        self.sent.lock().unwrap().push(phone.to_owned());
        if self.fail { Err("gateway answered HTTP 502".into()) } else { Ok(()) }
    }
}

#[tokio::test]
async fn asking_for_a_code_is_answered_at_once_and_alike_for_registered_and_unregistered_numbers() {
    for fail in [false, true] {
        let gateway = Arc::new(SlowGateway { release: tokio::sync::Semaphore::new(0), fail, sent: Mutex::default() });
        let state = state_sending_with(gateway.clone()).await;
        let ask = |phone: &'static str| {
            let state = state.clone();
            async move {
                let form = format!("phone={phone}");
                let answer =
                    tokio::time::timeout(std::time::Duration::from_secs(2), send(&state, post("/my/code", &form)));
                let (status, _, html) = answer.await.expect("answered without waiting for the gateway");
                (status, html.replace(phone, "PHONE"))
            }
        };
        let registered = ask(PHONE).await;
        let unregistered = ask("13600136000").await;
        assert_eq!(registered.0, StatusCode::OK, "gateway failing: {fail}");
        assert_eq!(registered, unregistered, "the same answer whether or not the number is registered");
        assert!(gateway.sent.lock().unwrap().is_empty(), "nothing sent before the answer");
        // The gateway comes back: the text to the registered number goes out, afterwards.
        gateway.release.add_permits(10);
        for _ in 0..200 {
            if !gateway.sent.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(*gateway.sent.lock().unwrap(), [PHONE]);
    }
}

#[tokio::test]
async fn wrong_codes_are_counted_per_number_across_new_codes() {
    use yangguang_app::villagers::{LoginError, MAX_ATTEMPTS, request_code, verify_code};
    let (state, outbox) = state().await;
    let site = &state.site;
    let (ip, t0) = ("192.0.2.1", chrono::Utc::now());
    let at = |s: i64| t0 + chrono::Duration::seconds(s);
    let other_than = |code: &str| if code == "000000" { "111111".to_owned() } else { "000000".to_owned() };
    request_code(site, PHONE, ip, t0).await.unwrap();
    let first = outbox.code_after(0).await;
    for n in 1..MAX_ATTEMPTS {
        assert_eq!(
            verify_code(site, PHONE, &other_than(&first), ip, at(n.into())).await,
            Err(LoginError::WrongCode(MAX_ATTEMPTS - n))
        );
    }
    // A new code a minute later gives no new tries: the next wrong one locks the number.
    request_code(site, PHONE, ip, at(61)).await.unwrap();
    let second = outbox.code_after(1).await;
    assert!(matches!(verify_code(site, PHONE, &other_than(&second), ip, at(62)).await, Err(LoginError::Locked(_))));
    assert!(matches!(verify_code(site, PHONE, &second, ip, at(63)).await, Err(LoginError::Locked(_))));
}

#[tokio::test]
async fn staff_reads_are_audited_and_the_public_sees_totals_only() {
    let (state, _) = state().await;
    let cookie = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let (status, _, html) = send(&state, get(&format!("/v/{VILLAGE}/h/002"), Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("张伟"));
    assert_eq!(send(&state, get(&format!("/v/{OTHER}/h/101"), Some(&cookie))).await.0, StatusCode::NOT_FOUND);
    let audit = state.site.store.list_audit(1, 20).await.unwrap();
    let views: Vec<(&str, &str)> = audit.items.iter().map(|e| (e.action.as_str(), e.target.as_str())).collect();
    assert!(views.contains(&("household-view", "339921100201/002")), "{views:?}");
    assert!(views.contains(&("household-view-refused", "339921100202/101")), "{views:?}");

    let (status, _, html) = send(&state, get(&format!("/v/{VILLAGE}/c/rights"), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<dd>2</dd>") && html.contains("3.75"), "households and contracted area: {html}");
    // 1,200 yuan over 3 shares.
    assert!(html.contains("400.00 元（2025）"), "dividend per share");
    assert!(!html.contains("王建明") && !html.contains("张伟"), "no household's own records");
}

/// A staff read of a household is refused (503, nothing of the household shown) when its audit
/// entry cannot be written: the audit table of the SQLite file is made to refuse inserts.
#[tokio::test]
async fn a_staff_read_fails_closed_when_its_audit_entry_cannot_be_written() {
    use sqlx::Connection;
    let dir = std::env::temp_dir().join(format!(
        "yg-audit-closed-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("yangguang.db");
    let store = yangguang_store_sqlite::SqliteStore::open(&path).await.unwrap();
    yangguang_store::Store::migrate(&store).await.unwrap();
    yangguang_store::RegionStore::upsert_regions(&store, &county_with(&[(VILLAGE, "前山村")])).await.unwrap();
    let state = AppState::new(Arc::new(site_over(store, "audit-closed").await));
    let members = format!("户号,姓名,与户主关系,身份证号\n002,张伟,户主,{}\n", id("33992119800505003"));
    let files = vec![("members.csv".to_owned(), members.into_bytes())];
    yangguang_app::households::import_households(&state.site, None, code(VILLAGE), &files).await.unwrap();
    let cookie = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let page = format!("/v/{VILLAGE}/h/002");
    let (status, _, html) = send(&state, get(&page, Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK, "readable while the audit trail works: {html}");

    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query("CREATE TRIGGER audit_down BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit down'); END;")
        .execute(&mut raw)
        .await
        .unwrap();
    let (status, _, html) = send(&state, get(&page, Some(&cookie))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{html}");
    assert!(!html.contains("张伟"), "nothing of the household is shown: {html}");
    let err = yangguang_app::households::staff_read(
        &state.site,
        &state.site.store.get_staff(1).await.unwrap(),
        "127.0.0.1",
        state.site.regions().get(code(VILLAGE)).unwrap(),
        "002",
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("审计记录无法写入"), "{err}");

    sqlx::query("DROP TRIGGER audit_down").execute(&mut raw).await.unwrap();
    assert_eq!(send(&state, get(&page, Some(&cookie))).await.0, StatusCode::OK, "readable again");
    let _ = std::fs::remove_dir_all(&dir);
}

/// One village's register cannot take over another village's villager login: a phone already
/// linked to a household elsewhere is a row error naming that village, and nothing is stored.
#[tokio::test]
async fn a_phone_linked_to_another_villages_household_is_a_row_error() {
    let (state, _) = state().await;
    let site = &state.site;
    let before = yangguang_app::households::household_for_phone(site, PHONE).await.unwrap();
    assert_eq!(before.as_deref(), Some("339921100201/001"));
    // 后山村's register lists 前山村's villager's phone for its own household.
    let members = format!(
        "户号,姓名,与户主关系,身份证号,联系电话\n101,赵六,户主,{},13700137000\n102,孙八,户主,{},{PHONE}\n",
        id("33992119700101004"),
        id("33992119710101005")
    );
    let files = vec![("m.csv".to_owned(), members.into_bytes())];
    let done = yangguang_app::households::import_households(site, None, code(OTHER), &files).await.unwrap();
    assert_eq!(done.problems.len(), 1, "{:?}", done.problems);
    let text = done.problems[0].to_string();
    assert!(
        text.starts_with("m.csv：第 3 行“联系电话”列（13800138000）：该手机号已是前山村（339921100201）"),
        "{text}"
    );
    assert_eq!(done.households.inserted + done.phones.inserted, 0, "nothing stored");
    assert_eq!(yangguang_app::households::household_for_phone(site, PHONE).await.unwrap(), before, "the login stays");
    assert!(yangguang_app::households::household(site, "339921100202/102").await.unwrap().is_none());
    // The village's own phones re-import as before.
    let members =
        format!("户号,姓名,与户主关系,身份证号,联系电话\n101,赵六,户主,{},13700137000\n", id("33992119700101004"));
    let files = vec![("m.csv".to_owned(), members.into_bytes())];
    let done = yangguang_app::households::import_households(site, None, code(OTHER), &files).await.unwrap();
    assert!(done.problems.is_empty(), "{:?}", done.problems);
}

#[tokio::test]
async fn a_household_file_with_a_bad_identity_number_is_refused_whole() {
    let (state, _) = state().await;
    let members = format!(
        "户号,姓名,与户主关系,身份证号\n001,王建明,户主,{}\n003,钱七,户主,339921199001011234\n",
        id("33992119650312001")
    );
    let files = vec![("members.csv".to_owned(), members.into_bytes())];
    let done = yangguang_app::households::import_households(&state.site, None, code(VILLAGE), &files).await.unwrap();
    assert_eq!(done.problems.len(), 1, "{:?}", done.problems);
    assert!(done.problems[0].to_string().contains("第 3 行“身份证号”列"), "{}", done.problems[0]);
    // The register is as it was: both households still there.
    assert!(yangguang_app::households::household(&state.site, "339921100201/002").await.unwrap().is_some());
}

#[tokio::test]
async fn the_http_gateway_sender_posts_to_a_real_server() {
    /// (Authorization header, body) of each request the gateway got.
    type Received = Arc<Mutex<Vec<(Option<String>, String)>>>;
    let got: Received = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let auth = headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap().to_owned());
                seen.lock().unwrap().push((auth, body));
                StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let sender = HttpSms::new(&format!("http://{addr}/sms"), Some("gw-token".into()));
    sender.send(PHONE, "验证码 123456").await.unwrap();
    let (auth, body) = got.lock().unwrap()[0].clone();
    assert_eq!(auth.as_deref(), Some("Bearer gw-token"));
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body, serde_json::json!({"to": PHONE, "text": "验证码 123456"}));
    let down = HttpSms::new(&format!("http://{addr}/nowhere"), None);
    assert!(down.send(PHONE, "x").await.unwrap_err().contains("404"));
    // A gateway that cannot be reached is reported without the credentials in its address.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let unreachable = HttpSms::new(&format!("http://gw:gw-pass@{closed}/sms?key=gw-key"), None);
    let err = unreachable.send(PHONE, "x").await.unwrap_err();
    assert!(!err.contains("gw-pass") && !err.contains("gw-key") && err.contains("gw:***@"), "{err}");
}

#[tokio::test]
async fn the_bank_publishes_products_and_village_credit_and_each_household_sees_its_own_line() {
    let (state, outbox) = state().await;
    let bank = common::staff_cookie(&state, "bank", Role::BankEditor, "339921000000").await;
    let form = |uri: &str, body: String| {
        Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header(header::COOKIE, &bank)
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, _) = send(&state, form("/console/bank/product", "csrf=c&id=XD1&name=%E4%B8%B0%E6%94%B6%E8%B4%B7&kind=%E4%BF%A1%E7%94%A8%E8%B4%B7%E6%AC%BE&rate=3.85%25&term=3%E5%B9%B4&max_amount=300000&description=".into())).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let village_form = format!(
        "csrf=c&village={VILLAGE}&grade=aa&service_point=%E9%9D%92%E5%B1%B1%E6%94%AF%E8%A1%8C&address=&hours=&adviser=%E9%99%88%E6%95%8F&adviser_phone=0571-1234"
    );
    assert_eq!(send(&state, form("/console/bank/village", village_form)).await.0, StatusCode::SEE_OTHER);
    // Without the role: refused.
    let clerk = common::staff_cookie(&state, "clerk2", Role::VillageClerk, VILLAGE).await;
    let refused = Request::post("/console/bank/village")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(header::COOKIE, &clerk)
        .body(Body::from(format!("csrf=c&village={VILLAGE}&grade=AAA")))
        .unwrap();
    assert_eq!(send(&state, refused).await.0, StatusCode::FORBIDDEN);

    // The bank's file: one row by household number, one by a member's identity number.
    let file = format!(
        "户号,身份证号,信用等级,授信额度,有效期至
001,,aaa,\"200,000\",2028-12-31
,{},A,50000,2027/6/30
",
        id("33992119800505003")
    );
    let site = &state.site;
    let done =
        yangguang_app::finance_inclusion::import_credit(site, None, code(VILLAGE), "青山农商银行", file.as_bytes())
            .await
            .unwrap();
    assert!(done.errors.is_empty(), "{:?}", done.errors);
    assert_eq!(done.households, 2);
    let unknown = "户号,信用等级,授信额度,有效期至\n777,A,1,2027-01-01\n".replace("\\n", "\n");
    let bad = yangguang_app::finance_inclusion::import_credit(site, None, code(VILLAGE), "x", unknown.as_bytes())
        .await
        .unwrap();
    assert_eq!(bad.errors.len(), 1, "a household not in the register is an error");
    assert!(
        yangguang_app::households::household(site, "339921100201/001").await.unwrap().unwrap().credit.is_some(),
        "the earlier lines stay"
    );

    let (status, _, html) = send(&state, get(&format!("/v/{VILLAGE}/c/bank"), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("丰收贷") && html.contains("300,000.00"), "products: {html}");
    assert!(
        html.contains("<dd>AA</dd>") && html.contains("青山支行") && html.contains("陈敏"),
        "grade and service point"
    );
    assert!(
        html.contains("250,000.00 元") && !html.contains("200,000.00 元"),
        "the village total, no household's line"
    );

    let cookie = log_in(&state, &outbox).await;
    let (_, _, mine) = send(&state, get("/my", Some(&cookie))).await;
    assert!(mine.contains("青山农商银行") && mine.contains("AAA") && mine.contains("200,000.00 元"), "{mine}");
    assert!(!mine.contains("50,000.00"), "not the other household's line");
}
