//! The villager's side made whole (issue 13, item 7): the `/my` login's messages in the reader's
//! language beside their field, warning before the lockout, and saying whom to ask for every
//! number alike; the household as cards with units; tap-to-call numbers; the picture a shared
//! link shows; the accounts page's month switch (on SQLite and PostgreSQL); and the technical
//! formats under "开放数据" with a plain line each.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use common::{code, county_with, site_over, store_with};
use tower::ServiceExt;
use yangguang_app::villagers::SmsSender;
use yangguang_core::staff::Role;
use yangguang_core::{DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_store::Store;
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";
const PHONE: &str = "13800138000";
const HOST: &str = "cunwu.example.cn";

/// An identity number with its check digit computed.
fn id(seventeen: &str) -> String {
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = seventeen.bytes().zip(w).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{seventeen}{}", ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize])
}

#[derive(Default)]
struct Outbox(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl SmsSender for Outbox {
    async fn send(&self, _phone: &str, text: &str) -> Result<(), String> {
        self.0.lock().unwrap().push(text.to_owned());
        Ok(())
    }
}

impl Outbox {
    async fn code(&self) -> String {
        for _ in 0..500 {
            if let Some(text) = self.0.lock().unwrap().last() {
                return text.chars().filter(char::is_ascii_digit).take(6).collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("no text was sent")
    }
}

/// A village with one household (its phone, a plot, a homestead) over `store`.
async fn state_over(store: impl Store + 'static) -> (AppState, Arc<Outbox>) {
    let outbox = Arc::new(Outbox::default());
    let mut site = site_over(store, "villager-side").await;
    site.sms = outbox.clone();
    let state = AppState::new(Arc::new(site));
    let members =
        format!("户号,姓名,与户主关系,身份证号,联系电话\n001,王建明,户主,{},{PHONE}\n", id("33992119650312001"));
    let plots = "户号,地块编码,坐落,东至,南至,西至,北至,面积（亩）,是否基本农田,承包合同编号\n\
                 001,3399211002010001,溪东,路,沟,张伟,河,1.25,是,HT-001\n";
    let homesteads = "户号,宗地面积,坐落,建筑面积\n001,120.5,溪东 3 号,210\n";
    let files = vec![
        ("members.csv".to_owned(), members.into_bytes()),
        ("plots.csv".to_owned(), plots.as_bytes().to_vec()),
        ("homesteads.csv".to_owned(), homesteads.as_bytes().to_vec()),
    ];
    let done = yangguang_app::households::import_households(&state.site, None, code(VILLAGE), &files).await.unwrap();
    assert!(done.problems.is_empty(), "{:?}", done.problems);
    (state, outbox)
}

async fn state() -> (AppState, Arc<Outbox>) {
    state_over(store_with(&county_with(&[(VILLAGE, "前山村")])).await).await
}

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    let cookie = r.headers().get(header::SET_COOKIE).map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    (status, cookie, String::from_utf8(to_bytes(r.into_body(), 8 << 20).await.unwrap().to_vec()).unwrap())
}

fn post(uri: &str, form: &str, cookie: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header(header::HOST, HOST)
        .header(header::COOKIE, cookie)
        .body(Body::from(form.to_owned()))
        .unwrap()
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri).header(header::HOST, HOST).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

/// The text of the element with this id (its first text, up to the next tag).
fn text_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in {html}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    &html[start..start + html[start..].find('<').unwrap()]
}

#[tokio::test]
async fn a_wrong_code_says_how_many_tries_are_left_beside_the_field_then_the_lock_in_the_readers_language() {
    let (state, _) = state().await;
    // A number registered nowhere: the code step all the same, with whom to ask.
    let phone = "13900000001";
    let (status, _, html) = send(&state, post("/my/code", &format!("phone={phone}"), "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&html, "code-help").contains("村委会找村务工作者"), "{html}");
    for left in (1..=4).rev() {
        let (status, _, html) = send(&state, post("/my/verify", &format!("phone={phone}&code=000000"), "")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let error = text_of(&html, "code-error");
        assert!(error.contains(&format!("还可尝试 {left} 次")), "{error}");
        assert!(error.contains("锁定") && !error.contains(" / "), "Chinese only, with the lockout named: {error}");
        assert!(html.contains("class=\"field-error\" id=\"code-error\" role=\"alert\""), "styled as the console's");
        assert!(html.contains("aria-describedby=\"code-error code-help\""), "the field points at its error");
        assert!(html.contains(&format!("value=\"{phone}\"")), "the number typed is kept");
    }
    // The fifth wrong code locks the number; the English reader reads it in English.
    let (status, _, html) = send(&state, post("/my/verify", &format!("phone={phone}&code=000000"), "yg_lang=en")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let error = text_of(&html, "code-error");
    assert!(error.starts_with("too many wrong codes: this number is locked") && !error.contains("锁定"), "{error}");
    let (_, _, html) = send(&state, post("/my/verify", &format!("phone={phone}&code=000000"), "")).await;
    assert!(text_of(&html, "code-error").contains("该号码已锁定，请 30 分钟后再试"), "{html}");
    // A number that is not a mobile: said beside the number field.
    let (status, _, html) = send(&state, post("/my/code", "phone=12345", "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(text_of(&html, "phone-error"), "请输入 11 位手机号码");
}

#[tokio::test]
async fn asking_for_a_code_reads_alike_for_a_registered_number_and_any_other() {
    let (state, outbox) = state().await;
    let (_, _, registered) = send(&state, post("/my/code", &format!("phone={PHONE}"), "yg_village=339921100201")).await;
    let (_, _, unknown) = send(&state, post("/my/code", "phone=13900000002", "yg_village=339921100201")).await;
    assert_eq!(registered.replace(PHONE, "N"), unknown.replace("13900000002", "N"), "nothing tells them apart");
    // The help names the village the reader came from.
    assert!(text_of(&registered, "code-help").contains("到前山村村委会"), "{registered}");
    outbox.code().await;
}

#[tokio::test]
async fn the_household_page_is_cards_with_units() {
    let (state, outbox) = state().await;
    send(&state, post("/my/code", &format!("phone={PHONE}"), "")).await;
    let code = outbox.code().await;
    let (status, cookie, _) = send(&state, post("/my/verify", &format!("phone={PHONE}&code={code}"), "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, html) = send(&state, get("/my", &cookie.unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<table"), "no tables to overflow a phone: {html}");
    assert!(html.contains("<ul class=\"cards\">"));
    for shown in [
        "<dt>姓名</dt><dd>王建明</dd>",
        "<dd>1.25 亩</dd>",
        "<dt>宗地面积</dt><dd>120.5 平方米</dd>",
        "<dd>210 平方米</dd>",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    assert!(html.contains("id=\"read-aloud\" hidden"), "朗读, offered by the script where a voice exists");
}

#[tokio::test]
async fn the_advisers_number_is_a_tap_to_call_link() {
    let (state, _) = state().await;
    let bank = common::staff_cookie(&state, "bank", Role::BankEditor, "339921000000").await;
    let form = format!(
        "csrf=c&village={VILLAGE}&grade=AA&service_point=%E9%9D%92%E5%B1%B1%E6%94%AF%E8%A1%8C&address=&hours=&adviser=%E9%99%88%E6%95%8F&adviser_phone=0571-8888%201234"
    );
    let (status, _, body) = send(&state, post("/console/bank/village", &form, &bank)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, html) = send(&state, get(&format!("/v/{VILLAGE}/c/bank"), "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<a href=\"tel:0571-88881234\">陈敏 0571-8888 1234</a>"), "{html}");
}

#[tokio::test]
async fn pages_name_an_absolute_og_image_that_is_served() {
    let (state, _) = state().await;
    for (host, proto, expected) in [
        (HOST, None, "http://cunwu.example.cn/og.png"),
        ("cunwu.example.cn:8443", Some("https"), "https://cunwu.example.cn:8443/og.png"),
    ] {
        let mut req = Request::get(format!("/v/{VILLAGE}")).header(header::HOST, host);
        if let Some(proto) = proto {
            req = req.header("x-forwarded-proto", proto);
        }
        let (status, _, html) = send(&state, req.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("<meta property=\"og:image\" content=\"{expected}\">")), "{html}");
    }
    let r = router(state.clone()).oneshot(Request::get("/og.png").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/png");
    let png = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    // WeChat wants a square picture of at least 300 px.
    let (w, h) =
        (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert!(w == h && w >= 300, "{w}×{h}");
}

fn monthly_accounts(month: u32) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, month + 1, 5, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(VILLAGE),
        column: "finance-income".into(),
        catalog_item: Some("income-expenditure".into()),
        period: Some(format!("2026-{month:02}").parse().unwrap()),
        title: format!("2026年{month}月收支明细"),
        body_md: "见收支明细账".into(),
        state: DisclosureState::Published,
        created_at: at,
        published_at: Some(at),
        attachments: vec![],
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: None,
        signoffs: vec![],
    }
}

/// January, March and April published; February never was.
async fn months_switch(state: &AppState) {
    state.site.add_disclosures(&[1, 3, 4].map(monthly_accounts)).await.unwrap();
    let link = |rel: &str, month: u32| format!("href=\"/v/{VILLAGE}/finance/2026-{month:02}\" rel=\"{rel}\"");
    let page = |month: u32| async move {
        let (status, _, html) = send(state, get(&format!("/v/{VILLAGE}/finance/2026-{month:02}"), "")).await;
        assert_eq!(status, StatusCode::OK, "2026-{month:02}");
        html
    };
    let march = page(3).await;
    assert!(march.contains(&link("prev", 1)) && march.contains("上个月 2026年1月"), "February skipped: {march}");
    assert!(march.contains(&link("next", 4)), "{march}");
    let january = page(1).await;
    assert!(
        !january.contains("rel=\"prev\"") && january.contains(&link("next", 3)),
        "nothing before the first: {january}"
    );
    let april = page(4).await;
    assert!(april.contains(&link("prev", 3)) && !april.contains("rel=\"next\""), "nothing after the last: {april}");
}

#[tokio::test]
async fn the_accounts_page_steps_between_published_months_on_sqlite() {
    let (state, _) = state().await;
    months_switch(&state).await;
}

#[tokio::test]
async fn the_accounts_page_steps_between_published_months_on_postgres() {
    let Some((store, schema)) = common::postgres_store_with(&county_with(&[(VILLAGE, "前山村")])).await else {
        return;
    };
    let (state, _) = state_over(store).await;
    months_switch(&state).await;
    schema.drop().await;
}

#[tokio::test]
async fn technical_formats_are_under_open_data_with_plain_words() {
    let (state, _) = state().await;
    state.site.add_disclosures(&[monthly_accounts(3)]).await.unwrap();
    let section = |html: &str| -> String {
        let at =
            html.find("<h2 id=\"open-data-h\">开放数据</h2>").unwrap_or_else(|| panic!("no 开放数据 heading: {html}"));
        html[at..].to_owned()
    };
    let (_, _, village) = send(&state, get(&format!("/v/{VILLAGE}"), "")).await;
    let open = section(&village);
    assert!(open.contains("订阅更新（Atom）") && open.contains("本村一有新的公开内容就能收到"), "{open}");
    // (The page's head announces the feed to feed readers; what a villager sees starts at <body>.)
    let body = village.find("<body").unwrap();
    assert!(!village[body..village.find("open-data-h").unwrap()].contains("Atom"), "no Atom above the heading");
    let (_, _, finance) = send(&state, get(&format!("/v/{VILLAGE}/finance/2026-03"), "")).await;
    let open = section(&finance);
    assert!(open.contains("Fiscal Data Package") && open.contains("可以用电子表格打开核对"), "{open}");
    assert!(!finance[..finance.find("open-data-h").unwrap()].contains("Fiscal Data Package"));
    let (_, _, verify) = send(&state, get("/verify", "")).await;
    let open = section(&verify);
    assert!(open.contains("（ed25519）") && open.contains("没有被人改过"), "{open}");
    assert!(!verify[..verify.find("open-data-h").unwrap()].contains("ed25519"), "no ed25519 above the heading");
    // In English too.
    let (_, _, english) = send(&state, get(&format!("/v/{VILLAGE}"), "yg_lang=en")).await;
    assert!(english.contains("<h2 id=\"open-data-h\">Open data</h2>") && english.contains("Updates (Atom)"));
}
