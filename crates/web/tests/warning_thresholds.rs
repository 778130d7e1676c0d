//! The warnings' thresholds page through the real server: a county supervisor lowers one
//! town's cash-payment limit from today and the village's 800-yuan cash payment is flagged at
//! once (its neighbour in another town is not), then puts it back and the warning resolves; the
//! page shows defaults, values set, the value in force and the history, the audit log has each
//! change. A town's staff cannot set the county's; bad values, past dates and an expired form
//! come back with the message and what was typed. The story runs again on PostgreSQL when
//! `YANGGUANG_TEST_POSTGRES_URL` names a server.

mod common;

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};
use common::server::{Client, start};
use common::{code, postgres_store_with, region, site_over, staff_cookie, store_with};
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::staff::Role;
use yangguang_core::warning::Rule;
use yangguang_core::{Fen, Region, RegionKind};
use yangguang_store::{Store, WarningState};
use yangguang_web::AppState;

const COUNTY: &str = "339921000000";
const QINGSHAN: &str = "339921100000";
const LVSHUI: &str = "339921101000";
const A: &str = "339921100201"; // 前山村, 青山镇
const B: &str = "339921101201"; // 绿水村, 绿水镇
const PATH: &str = "/console/warnings/thresholds";

fn regions() -> Vec<Region> {
    vec![
        region(COUNTY, "清溪县", None, RegionKind::County),
        region(QINGSHAN, "青山镇", Some(COUNTY), RegionKind::Town),
        region(LVSHUI, "绿水镇", Some(COUNTY), RegionKind::Town),
        region(A, "前山村", Some(QINGSHAN), RegionKind::Village),
        region(B, "绿水村", Some(LVSHUI), RegionKind::Village),
    ]
}

fn line(date: NaiveDate, no: &str, summary: &str, account: &str, debit: i64, credit: i64) -> LedgerEntry {
    LedgerEntry {
        date,
        voucher_no: no.into(),
        summary: summary.into(),
        account_code: account.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments: 1,
        row: 0,
    }
}

/// Last month's books: 1,000 yuan into the till, 800 paid out of it in cash — under the
/// default cash-payment limit of 1,000.
fn cash_payment() -> Vec<yangguang_core::ledger::Voucher> {
    let first = yangguang_app::today().with_day(1).unwrap() - chrono::Months::new(1);
    let lines = vec![
        line(first, "记-1", "从银行提取备用金", "101", 100_000, 0),
        line(first, "记-1", "从银行提取备用金", "102", 0, 100_000),
        line(first + chrono::Days::new(2), "记-2", "购买办公用品", "541", 80_000, 0),
        line(first + chrono::Days::new(2), "记-2", "购买办公用品", "101", 0, 80_000),
    ];
    vouchers(&lines)
}

async fn state_over(store: impl Store + 'static) -> AppState {
    for v in [A, B] {
        store.import_vouchers(code(v), &cash_payment(), Utc::now()).await.unwrap();
    }
    let state = AppState::new(Arc::new(site_over(store, "thresholds").await));
    yangguang_app::warnings::recompute(&state.site, code(COUNTY), Utc::now()).await.unwrap();
    state
}

/// The cash-payment warning of a village and its state, if one was ever found.
async fn cash_warning(state: &AppState, village: &str) -> Option<WarningState> {
    let stored = state.site.store.village_warnings(&[code(village)]).await.unwrap();
    stored.iter().find(|w| w.finding.rule == Rule::CashPayment).map(|w| w.state)
}

fn form<'a>(name: &'a str, region: &'a str, value: &'a str, from: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("csrf", "c"), ("name", name), ("region", region), ("value", value), ("from", from)]
}

/// The whole story on one backend.
async fn a_county_lowers_a_towns_limit_and_the_finding_follows(state: AppState) {
    assert_eq!(cash_warning(&state, A).await, None, "800 yuan is under the default 1,000");
    let base = start(state.clone()).await;
    let county = Client::new(&base, Some(staff_cookie(&state, "xian", Role::CountyOperator, COUNTY).await));
    let today = yangguang_app::today().to_string();

    // The page: every threshold with its name, unit and default; nothing set yet.
    let page = county.get(PATH).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for words in ["现金支付限额", "库存现金限额", "元", "1000", "未另设，使用默认值", "还没有任何改动"]
    {
        assert!(page.body.contains(words), "the page lacks {words}");
    }
    assert!(page.body.contains(&format!("value=\"{QINGSHAN}\"")), "the county may set a town's");
    assert!(page.body.contains(&format!("value=\"{COUNTY}\"")), "and its own");
    assert!(county.get("/console/warnings").await.body.contains(&format!("href=\"{PATH}\"")), "linked");

    // 青山镇's limit lowered to 500 from today: 前山村's payment is flagged at once, 绿水村's not.
    let set = county.post(PATH, &form("cash_payment_yuan", QINGSHAN, "500", &today)).await;
    assert_eq!(set.status, 303, "{}", set.body);
    assert_eq!(cash_warning(&state, A).await, Some(WarningState::Open));
    assert_eq!(cash_warning(&state, B).await, None, "another town keeps the default");
    let list = county.get("/console/warnings?rule=cash-payment").await;
    assert!(list.body.contains("前山村") && list.body.contains("超过 500.00 元"), "{}", list.body);

    let page = county.get(PATH).await;
    let row = &page.body[page.body.find("id=\"t-cash_payment_yuan\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    for words in ["青山镇：<strong>500</strong>", &today, "李文（xian）", "清溪县：<strong>1000</strong>"] {
        assert!(row.contains(words), "the row lacks {words}: {row}");
    }

    // Put back: the same date replaces the value and the warning resolves.
    let back = county.post(PATH, &form("cash_payment_yuan", QINGSHAN, "1,000", &today)).await;
    assert_eq!(back.status, 303, "{}", back.body);
    assert_eq!(cash_warning(&state, A).await, Some(WarningState::Resolved));

    // The history keeps both changes, the second with the value it replaced; the audit log too.
    let page = county.get(PATH).await;
    let history = &page.body[page.body.find("id=\"history\"").unwrap()..];
    assert_eq!(history.matches("<td>现金支付限额</td>").count(), 2, "{history}");
    assert!(history.contains("<td>1000</td><td>500</td>"), "the replaced value is shown: {history}");
    assert!(history.contains("<td>500</td><td>新设</td>"), "{history}");
    let audit = state.site.store.list_audit(1, 50).await.unwrap();
    let changes: Vec<_> = audit.items.iter().filter(|e| e.action == "warning.threshold").collect();
    assert_eq!(changes.len(), 2, "{:?}", audit.items);
    assert_eq!(changes[0].target, format!("threshold:{QINGSHAN}"));
    assert!(changes[0].detail.contains("cash_payment_yuan = 1000"), "{}", changes[0].detail);
}

#[tokio::test]
async fn a_county_supervisor_sets_a_towns_cash_payment_limit_and_the_warning_follows() {
    let state = state_over(store_with(&regions()).await).await;
    a_county_lowers_a_towns_limit_and_the_finding_follows(state).await;
}

#[tokio::test]
async fn the_same_story_on_postgres() {
    let Some((store, schema)) = postgres_store_with(&regions()).await else { return };
    let state = state_over(store).await;
    a_county_lowers_a_towns_limit_and_the_finding_follows(state).await;
    schema.drop().await;
}

#[tokio::test]
async fn a_township_user_sets_its_town_but_not_the_county() {
    let state = state_over(store_with(&regions()).await).await;
    let base = start(state.clone()).await;
    let town = Client::new(&base, Some(staff_cookie(&state, "qingshan", Role::TownshipReviewer, QINGSHAN).await));
    let today = yangguang_app::today().to_string();

    let page = town.get(PATH).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&format!("value=\"{QINGSHAN}\"")), "its own town is offered");
    assert!(!page.body.contains(&format!("value=\"{COUNTY}\"")), "the county is not");
    assert!(!page.body.contains("绿水镇"), "another town is not shown");

    let refused = town.post(PATH, &form("cash_payment_yuan", COUNTY, "500", &today)).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("您不能修改该地区的阈值"), "{}", refused.body);
    assert!(refused.body.contains("value=\"500\""), "what was typed is kept");
    let other = town.post(PATH, &form("cash_payment_yuan", LVSHUI, "500", &today)).await;
    assert_eq!(other.status, 403);
    assert!(state.site.store.threshold_overrides().await.unwrap().is_empty(), "nothing was stored");

    let own = town.post(PATH, &form("cash_payment_yuan", QINGSHAN, "500", &today)).await;
    assert_eq!(own.status, 303, "{}", own.body);
    assert_eq!(cash_warning(&state, A).await, Some(WarningState::Open));

    // The discipline commission reads the page and its history but sets nothing.
    let commission = Client::new(&base, Some(staff_cookie(&state, "jiwei", Role::DisciplineCommission, COUNTY).await));
    let read = commission.get(PATH).await;
    assert_eq!(read.status, 200);
    assert!(read.body.contains("青山镇：<strong>500</strong>") && !read.body.contains("name=\"value\""));
    let tried = commission.post(PATH, &form("cash_payment_yuan", QINGSHAN, "900", &today)).await;
    assert_eq!(tried.status, 403);
    // Staff who supervise nothing do not see the page.
    let clerk = Client::new(&base, Some(staff_cookie(&state, "clerk", Role::VillageClerk, A).await));
    assert_eq!(clerk.get(PATH).await.status, 403);
}

#[tokio::test]
async fn a_bad_value_is_refused_with_the_message_and_the_typed_values_are_kept() {
    let state = state_over(store_with(&regions()).await).await;
    let base = start(state.clone()).await;
    let cookie = staff_cookie(&state, "xian", Role::CountyOperator, COUNTY).await;
    let county = Client::new(&base, Some(cookie.clone()));
    let today = yangguang_app::today();
    let t = today.to_string();

    let kept = |body: &str, value: &str| {
        assert!(body.contains("<option value=\"cash_payment_yuan\" selected>"), "the item is kept: {body}");
        assert!(body.contains(&format!("<option value=\"{QINGSHAN}\" selected>")), "the region is kept");
        assert!(body.contains(&format!("value=\"{value}\"")), "the value is kept: {body}");
    };
    let words = county.post(PATH, &form("cash_payment_yuan", QINGSHAN, "一千", &t)).await;
    assert_eq!(words.status, 422, "{}", words.body);
    assert!(words.body.contains("请填写整数"), "{}", words.body);
    assert!(words.body.contains("aria-invalid=\"true\" aria-describedby=\"th-value-error\""));
    kept(&words.body, "一千");

    let negative = county.post(PATH, &form("cash_payment_yuan", QINGSHAN, "-5", &t)).await;
    assert_eq!(negative.status, 422);
    assert!(negative.body.contains("该项目的数值须在 0 到 10000000 之间"), "{}", negative.body);
    kept(&negative.body, "-5");

    let yesterday = (today - chrono::Days::new(1)).to_string();
    let past = county.post(PATH, &form("cash_payment_yuan", QINGSHAN, "500", &yesterday)).await;
    assert_eq!(past.status, 422);
    assert!(past.body.contains(&format!("生效日期不能早于今天（{t}）")), "{}", past.body);
    assert!(past.body.contains(&format!("value=\"{yesterday}\"")), "the date is kept");

    let unknown = county.post(PATH, &form("cash_limmit", QINGSHAN, "500", &t)).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("没有名为「cash_limmit」的预警阈值"), "{}", unknown.body);

    // An expired form (a wrong CSRF token) saves nothing and keeps what was typed.
    let mut forged = form("cash_payment_yuan", QINGSHAN, "700", &t);
    forged[0] = ("csrf", "stale");
    let expired = county.post(PATH, &forged).await;
    assert_eq!(expired.status, 403, "{}", expired.body);
    assert!(expired.body.contains("表单已过期或来源不明"), "{}", expired.body);
    kept(&expired.body, "700");
    assert!(state.site.store.threshold_overrides().await.unwrap().is_empty(), "nothing was stored");
    assert_eq!(cash_warning(&state, A).await, None);

    // A body that is no form at all: the console's message, not a 500.
    let raw = reqwest::Client::new()
        .post(format!("{base}{PATH}"))
        .header("cookie", &cookie)
        .header("content-type", "text/plain")
        .body("cash_payment_yuan=1")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    assert!(raw.text().await.unwrap().contains("表单内容不完整或格式不对"));

    // In English, the same refusal in English, and a later date is accepted but not yet in force.
    let english = Client::new(&base, Some(format!("{cookie}; yg_lang=en")));
    let en = english.post(PATH, &form("cash_payment_yuan", QINGSHAN, "abc", &t)).await;
    assert!(en.body.contains("Type a whole number") && en.body.contains("Cash payment limit"), "{}", en.body);
    let page = english.get(PATH).await;
    assert!(page.body.contains("<html lang=\"en\""));
    for words in ["<h1>Warning thresholds</h1>", "In force today", "<h2>History</h2>", "Save and recompute"] {
        assert!(page.body.contains(words), "the English page lacks {words}");
    }
    for words in ["<h1>预警阈值</h1>", "现金支付限额", "今天适用的数值"] {
        assert!(!page.body.contains(words), "the English page has {words}");
    }
    let later = (today + chrono::Days::new(7)).to_string();
    assert_eq!(county.post(PATH, &form("cash_payment_yuan", QINGSHAN, "500", &later)).await.status, 303);
    assert_eq!(cash_warning(&state, A).await, None, "not in force before its day");
    let page = county.get(PATH).await;
    assert!(page.body.contains(&format!("{later}（尚未生效）")), "{}", page.body);
}

#[tokio::test]
async fn a_value_set_ahead_takes_effect_on_its_day_with_one_recompute() {
    let state = state_over(store_with(&regions()).await).await;
    let now = Utc::now();
    let tomorrow = yangguang_core::time::china_date(now) + chrono::Days::new(1);
    let ahead = yangguang_core::warning::Override {
        region: code(QINGSHAN),
        name: "cash_payment_yuan".into(),
        value: 500,
        from: tomorrow,
    };
    state.site.store.put_threshold_override(&ahead, "李文（xian）", now).await.unwrap();
    let starting = yangguang_app::warnings::thresholds::apply_starting;

    // Today nothing starts; tomorrow (the jobs' first tick of the day) its villages are
    // recomputed once, and the later ticks of that day do nothing.
    assert!(starting(&state.site, now).await.unwrap().is_none());
    assert_eq!(cash_warning(&state, A).await, None);
    let next_day = now + chrono::Duration::days(1);
    let outcome = starting(&state.site, next_day).await.unwrap().expect("a recompute on its day");
    assert_eq!(outcome.villages, 1, "only the town's village: {outcome:?}");
    assert_eq!(cash_warning(&state, A).await, Some(WarningState::Open));
    assert_eq!(cash_warning(&state, B).await, None);
    assert!(starting(&state.site, next_day + chrono::Duration::hours(1)).await.unwrap().is_none());
}
