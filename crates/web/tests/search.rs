//! Full-text search through the real server: "路灯" and "租金" find a village's voucher lines and
//! disclosures, scopes filter, a new publication is found without a reindex and a withdrawn
//! one is not, the JSON API answers the same, and hostile queries get a page, never a 500.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::code;
use common::server::{Client, start};
use yangguang_app::search::SearchIndex;
use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";
const TOWN: &str = "339921100000";

const BOOKS: &str = "凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额\n\
    2026-03-05,记-001,收厂房租金,102,\"1,200.00\",\n\
    2026-03-05,记-001,收厂房租金,501003,,\"1,200.00\"\n\
    2026-03-08,记-002,支付村道路灯维修费,531002,320.50,\n\
    2026-03-08,记-002,支付村道路灯维修费,101,,320.50\n\
    2026-04-02,记-001,支付四月路灯电费,531002,88.00,\n\
    2026-04-02,记-001,支付四月路灯电费,101,,88.00\n";

fn disclosure(
    village: &str,
    column: &str,
    item: Option<&str>,
    period: Option<&str>,
    title: &str,
    body: &str,
) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 4, 5, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(village),
        column: column.into(),
        catalog_item: item.map(Into::into),
        period: period.map(|p| p.parse().unwrap()),
        title: title.into(),
        body_md: body.into(),
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

/// A county with two villages; the first has books for March (published) and April (not),
/// both have disclosures; the site keeps its index in memory.
async fn server() -> (AppState, Client) {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "李田村"), (OTHER, "前山村")])).await;
    let site = common::site_over(store, "search").await;
    site.search.set_index(SearchIndex::in_ram());
    let file: yangguang_app::ledger::LedgerFile =
        ("books.csv".into(), yangguang_app::ledger::in_memory(BOOKS.as_bytes().to_vec()));
    let report = yangguang_app::ledger::import_ledger(&site, code(VILLAGE), vec![file], None).await.unwrap();
    assert!(report.succeeded(), "{report:?}");
    site.add_disclosures(&[
        disclosure(
            VILLAGE,
            "finance-income",
            Some("income-expenditure"),
            Some("2026-03"),
            "2026年3月收支明细",
            "见收支明细账",
        ),
        disclosure(VILLAGE, "party-life", None, None, "路灯安装议事结果", "村民代表会议同意在村道安装**路灯** 20 盏。"),
        disclosure(
            OTHER,
            "party-life",
            None,
            None,
            "鱼塘出租租金公示",
            "鱼塘年租金 12,000 元 <script>alert(1)</script>",
        ),
    ])
    .await
    .unwrap();
    let state = AppState::new(Arc::new(site));
    let base = start(state.clone()).await;
    (state, Client::new(&base, None))
}

async fn api(client: &Client, query: &str) -> serde_json::Value {
    let r = client.get(&format!("/api/search?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

fn urls(v: &serde_json::Value) -> Vec<String> {
    v["hits"].as_array().unwrap().iter().map(|h| h["url"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn street_lights_and_rent_find_voucher_lines_and_disclosures_in_their_scope() {
    let (_state, client) = server().await;
    let lights = api(&client, &format!("q=路灯&in={VILLAGE}")).await;
    let found = urls(&lights);
    assert!(found.iter().any(|u| u.starts_with(&format!("/v/{VILLAGE}/finance/2026-03#v-"))), "{found:?}");
    assert!(found.iter().any(|u| u.starts_with(&format!("/v/{VILLAGE}/d/"))), "{found:?}");
    assert!(!found.iter().any(|u| u.contains("2026-04")), "April's accounts are not published: {found:?}");
    assert_eq!(lights["per_kind"]["finance"], 1, "one voucher, whatever its lines: {lights}");
    assert_eq!(lights["per_kind"]["disclosure"], 1);
    let line = lights["hits"].as_array().unwrap().iter().find(|h| h["kind"] == "finance").unwrap();
    assert!(line["title_html"].as_str().unwrap().contains("<mark>路灯</mark>"), "{line}");
    assert!(line["meta"].as_str().unwrap().contains("320.50"), "{line}");

    // Rent: the village's voucher line; the other village's listing only in the town's scope.
    let rent = api(&client, &format!("q=租金&in={VILLAGE}")).await;
    assert!(urls(&rent).iter().all(|u| u.starts_with(&format!("/v/{VILLAGE}/"))), "{rent}");
    assert_eq!(rent["per_kind"]["finance"], 1);
    let town = api(&client, &format!("q=租金&in={TOWN}")).await;
    assert!(urls(&town).iter().any(|u| u.starts_with(&format!("/v/{OTHER}/d/"))), "{town}");
    let other = api(&client, &format!("q=租金&in={OTHER}&kind=finance")).await;
    assert_eq!(other["total"], 0);
    let fish = api(&client, &format!("q=鱼塘&in={OTHER}")).await;
    let snippet = fish["hits"][0]["snippet_html"].as_str().unwrap();
    assert!(!snippet.contains("<script"), "{snippet}");

    // The page: labelled form, results with their kind and village, the snippet's mark.
    let page = client.get(&format!("/search?q=路灯&in={VILLAGE}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("role=\"search\"") && page.body.contains("<label for=\"q\">"), "{}", page.body);
    assert!(page.body.contains("<mark>路灯</mark>"));
    assert!(page.body.contains("财务收支") && page.body.contains("李田村"));
    assert!(page.body.contains(&format!("name=\"in\" value=\"{VILLAGE}\"")), "the box keeps the scope");
    // The village's own page has a search box scoped to it.
    let home = client.get(&format!("/v/{VILLAGE}")).await;
    assert!(home.body.contains(&format!("name=\"in\" value=\"{VILLAGE}\"")), "{}", home.body);
}

#[tokio::test]
async fn a_decision_record_is_found_by_its_subject_and_its_minutes() {
    let (state, client) = server().await;
    let village = code(VILLAGE);
    let new = yangguang_store::NewDecision {
        village,
        number: "2026-007".into(),
        subject: "村道路灯改造工程".into(),
        kind: yangguang_core::decision::Kind::Works,
        procedure: yangguang_core::decision::Procedure::FourTwo,
        amount: Some(yangguang_core::Fen::from_yuan(86_000)),
        created_by: "王会计".into(),
        created_at: Utc::now(),
    };
    state.site.store.insert_decision(&new).await.unwrap();
    state.site.published(village);
    state.site.announce().await;
    let found = api(&client, &format!("q=路灯改造&in={VILLAGE}&kind=decision")).await;
    assert_eq!(urls(&found), [format!("/v/{VILLAGE}/decisions/2026-007")], "{found}");
    assert!(found["hits"][0]["meta"].as_str().unwrap().contains("86,000.00"), "{found}");
    let page = client.get(&format!("/search?q=路灯&in={VILLAGE}")).await;
    assert!(page.body.contains("民主决策"), "the kind is named on the page: {}", page.body);
}

#[tokio::test]
async fn a_new_publication_is_found_at_once_and_a_withdrawn_one_is_not() {
    let (state, client) = server().await;
    assert_eq!(api(&client, "q=垃圾分类").await["total"], 0);
    let ids = state
        .site
        .add_disclosures(&[disclosure(OTHER, "party-life", None, None, "垃圾分类工作公示", "全村垃圾分类")])
        .await
        .unwrap();
    let found = api(&client, "q=垃圾分类").await;
    assert_eq!(urls(&found), [format!("/v/{OTHER}/d/{}", ids[0].0)]);

    let mut withdrawal = disclosure(OTHER, "party-life", None, None, "垃圾分类工作公示", "");
    withdrawal.kind = DisclosureKind::Withdrawal;
    withdrawal.replaces = Some(DisclosureId(ids[0].0));
    withdrawal.reason = Some("重复发布".into());
    state.site.add_disclosures(&[withdrawal]).await.unwrap();
    assert_eq!(api(&client, "q=垃圾分类").await["total"], 0, "withdrawn: not found any more");
}

#[tokio::test]
async fn villages_are_found_by_pinyin_and_nothing_found_suggests_a_wider_scope() {
    let (_state, client) = server().await;
    let v = api(&client, "q=ltc").await;
    assert_eq!(v["villages"][0]["name"], "李田村");
    let page = client.get("/search?q=ltc").await;
    assert!(page.body.contains(&format!("href=\"/v/{VILLAGE}\"")), "{}", page.body);

    let none = client.get(&format!("/search?q=鱼塘&in={VILLAGE}")).await;
    assert_eq!(none.status, 200);
    assert!(none.body.contains("没有找到"), "{}", none.body);
    // This site's home is its one town: the whole site is the widest scope.
    assert!(none.body.contains("扩大到全县搜索"), "{}", none.body);
    assert!(none.body.contains("href=\"/search?q=%E9%B1%BC%E5%A1%98\""), "the wider scope's link");
}

#[tokio::test]
async fn hostile_queries_get_a_page_and_never_an_error() {
    let (_state, client) = server().await;
    // 10 KB typed (the address carries it percent-encoded).
    let long = format!("{}{}", "路灯".repeat(300), "x".repeat(8_200));
    for q in ["%00%01%1b", "(", "%22", "title:*", "a%20AND%20(b", "%2B-%26%26||!(){}[]^~*?:\\/", "<script>x", &long] {
        for path in ["/search", "/api/search"] {
            let r = client.get(&format!("{path}?q={q}&page=-3&in=nonsense&kind=nope")).await;
            let shown: String = q.chars().take(20).collect();
            assert_eq!(r.status, 200, "{path} {shown}");
            if path == "/search" {
                assert!(!r.body.contains("<script>x"), "what was typed is never markup: {shown}");
            } else {
                assert!(r.header("content-type").starts_with("application/json"), "{shown}");
            }
        }
    }
    let r = client.get(&format!("/search?q={long}")).await;
    assert!(r.body.contains("搜索词太长"), "a clear message for a cut query");
    let r = client.get("/search?q=路灯&page=99999").await;
    assert_eq!(r.status, 200);
}
