//! The public JSON API (`/api/v1`): every endpoint over a village with disclosures (one
//! corrected, one a draft), a published month of accounts with a receipt, leases, and public
//! and private questions; keyset pages that stay stable while new versions are published;
//! ETags and 304s; CORS preflights; hostile parameters answered 400 with the field named;
//! nothing non-public anywhere; and the OpenAPI document, pinned and validated.

mod common;

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use common::code;
use common::server::{Client, Reply, start};
use serde_json::Value;
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure};
use yangguang_store::{LedgerStore, NewQuestion, QuestionState, QuestionStore, Receipt};
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

fn line(day: u32, no: &str, summary: &str, account: &str, debit: i64, credit: i64) -> LedgerEntry {
    LedgerEntry {
        date: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
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

fn item(village: &str, column: &str, title: &str, day: u32) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 4, day, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(village),
        column: column.into(),
        catalog_item: None,
        period: None,
        title: title.into(),
        body_md: format!("{title}的正文"),
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

fn question(receipt: &str, public_ok: bool, state: QuestionState, body: &str) -> NewQuestion {
    NewQuestion {
        village: code(VILLAGE),
        target_kind: "finance".into(),
        target_ref: "2026-03".into(),
        target_title: "2026年3月收支".into(),
        body: body.into(),
        household: Some(format!("{VILLAGE}/0007")),
        public_ok,
        receipt_hash: receipt.into(),
        state,
        asked_at: Utc.with_ymd_and_hms(2026, 4, 10, 2, 0, 0).unwrap(),
        deadline_at: Utc.with_ymd_and_hms(2026, 4, 20, 2, 0, 0).unwrap(),
        notify_phone: Some("13800000001".into()),
    }
}

struct World {
    state: AppState,
    client: Client,
    base: String,
    /// The first original, its correction, the draft.
    original: i64,
    correction: i64,
    draft: i64,
}

async fn world() -> World {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    let books = vec![
        line(5, "记-001", "收厂房租金", "102", 1_200_000, 0),
        line(5, "记-001", "收厂房租金", "501003", 0, 1_200_000),
        line(8, "记-002", "购办公用品", "531002", 32_050, 0),
        line(8, "记-002", "购办公用品", "101", 0, 32_050),
        line(20, "记-010", "发放村干部报酬", "531001", 1_500_000, 0),
        line(20, "记-010", "发放村干部报酬", "102", 0, 1_500_000),
    ];
    store.import_vouchers(code(VILLAGE), &vouchers(&books), Utc::now()).await.unwrap();
    store
        .add_receipts(
            code(VILLAGE),
            &[Receipt {
                year: 2026,
                month: 3,
                voucher_no: "记-1".into(),
                sha256: "ab".repeat(32),
                media_type: "image/jpeg".into(),
                file_name: "租金收据.jpg".into(),
                byte_size: 1234,
                needs_recheck: false,
            }],
        )
        .await
        .unwrap();
    for q in [
        question("r1", true, QuestionState::Answered, "厂房租金为什么少了？"),
        question("r2", false, QuestionState::Open, "私下问的问题"),
        question("r3", true, QuestionState::Held, "匿名待审的问题"),
    ] {
        store.insert_question(&q).await.unwrap();
    }
    let site = common::site_over(store, "api-v1").await;
    let mut accounts = item(VILLAGE, "finance-income", "2026年3月收支明细", 5);
    accounts.catalog_item = Some("income-expenditure".into());
    accounts.period = Some("2026-03".parse().unwrap());
    let mut batch = vec![accounts];
    for day in 6..=10 {
        batch.push(item(VILLAGE, "party-life", &format!("第{day}次组织生活"), day));
    }
    batch.push(item(OTHER, "party-life", "后山村的组织生活", 11));
    batch.push(NewDisclosure {
        state: DisclosureState::Draft,
        published_at: None,
        ..item(VILLAGE, "party-life", "草稿：未公开", 12)
    });
    let ids = site.add_disclosures(&batch).await.unwrap();
    let mut correction = item(VILLAGE, "party-life", "第6次组织生活（更正）", 13);
    correction.kind = DisclosureKind::Correction;
    correction.replaces = Some(ids[1]);
    correction.reason = Some("人数有误".into());
    let fixed = site.add_disclosures(&[correction]).await.unwrap();
    let lease = "合同编号,资产名称,资产类别,坐落,承租方,面积（亩）,年租金（元）,起租日期,到期日期,付款方式\n\
                 HT-001,溪东鱼塘,鱼塘,溪东,王建明,12.5,15000,2025/01/01,2030/12/31,年付\n\
                 HT-002,老校舍,房屋,村口,青山农业开发有限公司,2,36000,2025/01/01,2027/12/31,年付\n";
    yangguang_app::leases::import_leases(&site, None, code(VILLAGE), lease.as_bytes()).await.unwrap();
    let state = AppState::new(Arc::new(site));
    let base = start(state.clone()).await;
    World { state, client: Client::new(&base, None), base, original: ids[1].0, correction: fixed[0].0, draft: ids[7].0 }
}

fn body(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

/// Every page of a list, following `next`.
async fn all_pages(client: &Client, first: &str) -> Vec<Value> {
    let mut items = vec![];
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let r = client.get(&path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let page = body(&r);
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        next = page["next"].as_str().map(str::to_owned);
    }
    items
}

#[tokio::test]
async fn every_endpoint_answers_json_with_what_the_pages_show() {
    let w = world().await;
    let c = &w.client;
    let regions = body(&c.get("/api/v1/regions").await);
    assert_eq!(regions["regions"][0]["name"], "清溪县");
    assert_eq!(regions["regions"][0]["children"][0]["children"][0]["code"], VILLAGE);
    assert_eq!(body(&c.get(&format!("/api/v1/regions/{VILLAGE}")).await)["name"], "前山村");
    let columns = body(&c.get("/api/v1/columns").await);
    assert!(columns["columns"].as_array().unwrap().len() >= 8, "the eight first-level columns");
    let catalog = body(&c.get("/api/v1/catalog").await);
    let accounts = catalog["items"].as_array().unwrap().iter().find(|i| i["id"] == "income-expenditure").unwrap();
    assert_eq!(accounts["frequency"], "monthly");
    assert!(accounts["deadline"].as_str().unwrap().starts_with("period-end+"));

    // One version in full, with its chain of corrections and where to check it.
    let one = body(&c.get(&format!("/api/v1/disclosures/{}", w.original)).await);
    assert_eq!((one["state"].as_str(), one["title"].as_str()), (Some("superseded"), Some("第6次组织生活")));
    let versions: Vec<i64> = one["versions"].as_array().unwrap().iter().map(|v| v["id"].as_i64().unwrap()).collect();
    assert_eq!(versions, [w.original, w.correction]);
    assert_eq!(one["proof_url"], format!("/api/disclosures/{}/proof", w.original));
    let content = c.get(one["content_url"].as_str().unwrap()).await;
    assert_eq!(content.status, 200);
    assert_eq!(one["content_hash"].as_str().unwrap().len(), 64);
    assert_eq!(one["log"][0]["action"], "publish");
    let fixed = body(&c.get(&format!("/api/v1/disclosures/{}", w.correction)).await);
    assert_eq!((fixed["replaces"].as_i64(), fixed["reason"].as_str()), (Some(w.original), Some("人数有误")));

    // Finance: the month, its statement, its vouchers in number order with the receipt.
    let months = body(&c.get(&format!("/api/v1/villages/{VILLAGE}/finance")).await);
    assert_eq!(months["months"][0]["period"], "2026-03");
    let s = body(&c.get(&format!("/api/v1/villages/{VILLAGE}/finance/2026-03")).await);
    assert_eq!(
        (s["total_income_fen"].as_i64(), s["total_expenditure_fen"].as_i64()),
        (Some(1_200_000), Some(1_532_050))
    );
    let vouchers = all_pages(c, &format!("/api/v1/villages/{VILLAGE}/finance/2026-03/vouchers?limit=2")).await;
    let numbers: Vec<&str> = vouchers.iter().map(|v| v["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["记-1", "记-2", "记-10"]);
    let receipt = &vouchers[0]["receipts"][0];
    assert_eq!(receipt["url"], format!("/v/{VILLAGE}/receipts/{}/full", "ab".repeat(32)));
    assert_eq!(receipt["file_name"], "租金收据.jpg");
    assert_eq!(c.get(&format!("/api/v1/villages/{VILLAGE}/finance/2026-02")).await.status, 404, "not published");

    // Registers.
    let leases = all_pages(c, &format!("/api/v1/villages/{VILLAGE}/leases?limit=1")).await;
    assert_eq!(leases.len(), 2);
    assert_eq!((leases[0]["contract_no"].as_str(), leases[0]["lessee"].as_str()), (Some("HT-001"), Some("王*明")));
    assert_eq!(leases[0]["annual_rent_fen"], 1_500_000);
    for list in ["listings", "decisions"] {
        let r = c.get(&format!("/api/v1/villages/{VILLAGE}/{list}")).await;
        assert_eq!((r.status, body(&r)["items"].as_array().map(Vec::len)), (200, Some(0)), "{list}");
    }
    // The log, page by page, ends with every publication.
    let log = all_pages(c, "/api/v1/log?limit=3").await;
    assert_eq!(log.len(), 8, "seven originals and a correction");
    assert!(log.windows(2).all(|p| p[0]["entry_hash"] == p[1]["prev_hash"]), "one chain");
}

#[tokio::test]
async fn nothing_that_is_not_public_is_served() {
    let w = world().await;
    let c = &w.client;
    let list = all_pages(c, &format!("/api/v1/villages/{VILLAGE}/disclosures")).await;
    let ids: Vec<i64> = list.iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert!(!ids.contains(&w.draft), "no draft listed");
    assert_eq!(list.len(), 7, "six originals of this village and the correction");
    assert!(list.iter().all(|d| d["village"] == VILLAGE));
    assert_eq!(c.get(&format!("/api/v1/disclosures/{}", w.draft)).await.status, 404, "a draft is not found");
    // Questions: only the public one that was let through; nothing names the asker.
    let r = c.get(&format!("/api/v1/villages/{VILLAGE}/questions")).await;
    let questions = body(&r);
    let items = questions["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", r.body);
    assert_eq!(items[0]["body"], "厂房租金为什么少了？");
    for secret in ["私下问的问题", "匿名待审的问题", "0007", "13800000001", "r1", "household", "notify", "receipt"]
    {
        assert!(!r.body.contains(secret), "{secret} leaked: {}", r.body);
    }
    // A staff-only state of the world is never a filter either.
    let r = c.get(&format!("/api/v1/villages/{VILLAGE}/disclosures?state=draft")).await;
    assert_eq!((r.status, body(&r)["field"].as_str()), (400, Some("state")));
}

#[tokio::test]
async fn pages_stay_stable_while_new_versions_are_published() {
    let w = world().await;
    let c = &w.client;
    let first = body(&c.get(&format!("/api/v1/villages/{VILLAGE}/disclosures?limit=3")).await);
    let first_ids: Vec<i64> = first["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert_eq!(first_ids.len(), 3);
    // Published between two pages: it lands at the end, not in the middle.
    let late = w.state.site.add_disclosures(&[item(VILLAGE, "party-life", "新公开的一条", 20)]).await.unwrap()[0].0;
    let mut seen = first_ids.clone();
    let mut next = first["next"].as_str().map(str::to_owned);
    while let Some(path) = next {
        let page = body(&c.get(&path).await);
        seen.extend(page["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()));
        next = page["next"].as_str().map(str::to_owned);
    }
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no item twice");
    assert_eq!(seen.len(), 8, "none skipped, the new one included");
    assert_eq!(*seen.last().unwrap(), late);
    // Filters go with the cursor.
    let party = all_pages(c, &format!("/api/v1/villages/{VILLAGE}/disclosures?column=party-life&limit=2")).await;
    assert!(party.iter().all(|d| d["column"] == "party-life"));
    assert_eq!(party.len(), 7);
    let march = all_pages(c, &format!("/api/v1/villages/{VILLAGE}/disclosures?period=2026-03")).await;
    assert_eq!(march.len(), 1);
    let superseded = all_pages(c, &format!("/api/v1/villages/{VILLAGE}/disclosures?state=superseded")).await;
    assert_eq!(superseded.iter().map(|d| d["id"].as_i64().unwrap()).collect::<Vec<_>>(), [w.original]);
}

#[tokio::test]
async fn unchanged_answers_are_304_by_etag_and_change_when_the_content_does() {
    let w = world().await;
    let base = format!("/api/v1/villages/{VILLAGE}/disclosures");
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", w.base.clone());
    let r = http.get(url(&base)).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "a strong tag: {etag}");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    assert!(r.headers().contains_key("last-modified"));
    let again = http.get(url(&base)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let listed = http.get(url(&base)).header("if-none-match", format!("\"x\", W/{etag}")).send().await.unwrap();
    assert_eq!(listed.status(), 304, "a list of tags, weakly compared");
    // A new publication changes the list, and so its tag.
    w.state.site.add_disclosures(&[item(VILLAGE, "party-life", "又一条", 21)]).await.unwrap();
    let changed = http.get(url(&base)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    // Every endpoint has a tag.
    for path in ["/api/v1/regions", "/api/v1/columns", "/api/v1/catalog", "/api/v1/log", "/openapi.json"] {
        let r = http.get(url(path)).send().await.unwrap();
        let tag = r.headers()["etag"].to_str().unwrap().to_owned();
        let again = http.get(url(path)).header("if-none-match", &tag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }
}

#[tokio::test]
async fn cors_preflights_answer_204_and_reads_are_allowed_from_any_origin() {
    let w = world().await;
    let http = reqwest::Client::new();
    let base = w.base.clone();
    for path in [
        "/api/v1/regions".to_owned(),
        format!("/api/v1/villages/{VILLAGE}/disclosures"),
        "/open-data/ocds.json".to_owned(),
        format!("/v/{VILLAGE}/finance/2026-03/statement.csv"),
        "/api/log.jsonl".to_owned(),
    ] {
        let r = http
            .request(reqwest::Method::OPTIONS, format!("{base}{path}"))
            .header("origin", "https://example.org")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "if-none-match")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{path}");
        let h = r.headers();
        assert_eq!(h["access-control-allow-origin"], "*", "{path}");
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("GET") && methods.contains("HEAD") && !methods.contains("POST"), "{methods}");
        assert!(h["access-control-allow-headers"].to_str().unwrap().contains("if-none-match"));
        let plain = http.request(reqwest::Method::OPTIONS, format!("{base}{path}")).send().await.unwrap();
        assert_eq!(plain.status(), 204, "an OPTIONS without CORS headers is not 405 either: {path}");
    }
    let r = http.get(format!("{base}/api/v1/regions")).header("origin", "https://example.org").send().await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers()["access-control-expose-headers"].to_str().unwrap().contains("etag"));
    let missing = http.get(format!("{base}/api/v1/nothing")).header("origin", "https://x.org").send().await.unwrap();
    assert_eq!(
        (missing.status().as_u16(), missing.headers()["access-control-allow-origin"].to_str().unwrap()),
        (404, "*")
    );
    // Pages are not open data: no CORS there.
    let page = http.get(format!("{base}/v/{VILLAGE}")).header("origin", "https://example.org").send().await.unwrap();
    assert!(!page.headers().contains_key("access-control-allow-origin"));
    // HEAD answers like GET without the body.
    let head = http.head(format!("{base}/api/v1/regions")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.headers().contains_key("etag"));
}

#[tokio::test]
async fn downloads_carry_their_real_file_names() {
    let w = world().await;
    let c = &w.client;
    let csv = c.get(&format!("/v/{VILLAGE}/finance/2026-03/statement.csv")).await;
    let cd = csv.header("content-disposition");
    assert!(cd.starts_with("attachment; filename=\"339921100201-2026-03-statement.csv\""), "{cd}");
    assert!(cd.contains("filename*=UTF-8''%E5%89%8D%E5%B1%B1%E6%9D%91"), "the village's name in UTF-8: {cd}");
    let ledger = c.get(&format!("/v/{VILLAGE}/open-data/2026/ledger.csv")).await;
    assert!(
        ledger.header("content-disposition").contains("339921100201-2026-ledger.csv"),
        "{}",
        ledger.header("content-disposition")
    );
    let package = c.get(&format!("/v/{VILLAGE}/open-data/2026/datapackage.json")).await;
    assert_eq!(package.status, 200);
    assert!(package.header("content-disposition").contains("yangguang-339921100201-open-data-2026-datapackage.json"));
    let log = c.get("/api/log.jsonl").await;
    assert!(log.header("content-disposition").contains("yangguang-log.jsonl"));
}

#[tokio::test]
async fn hostile_parameters_are_refused_with_the_field_named_never_500() {
    let w = world().await;
    let c = &w.client;
    let list = format!("/api/v1/villages/{VILLAGE}/disclosures");
    let cases = [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-1", "limit"),
        ("limit=99999999999999999999", "limit"),
        ("limit=%00", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=%27%20OR%201%3D1--", "cursor"),
        ("column=%27;DROP%20TABLE%20disclosure;--", "column"),
        ("period=2026-13", "period"),
        ("period=%E2%80%AE", "period"),
        ("state=draft", "state"),
        ("page=2", "page"),
        ("limit=5&limit=6", "limit"),
    ];
    for (query, field) in cases {
        let r = c.get(&format!("{list}?{query}")).await;
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        let e = body(&r);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("bad_parameter"), Some(field)), "{query}");
        assert!(
            e["message"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "Chinese first"
        );
    }
    // A cursor of another list is refused, not misread.
    let leases = body(&c.get(&format!("/api/v1/villages/{VILLAGE}/leases?limit=1")).await);
    let foreign = leases["next_cursor"].as_str().unwrap();
    let r = c.get(&format!("{list}?cursor={foreign}")).await;
    assert_eq!((r.status, body(&r)["field"].as_str()), (400, Some("cursor")));
    // Unknown things are 404 in the same JSON shape.
    for path in [
        "/api/v1/villages/999999999999/disclosures".to_owned(),
        "/api/v1/villages/339921100000/leases".to_owned(),
        "/api/v1/villages/abc/finance".to_owned(),
        "/api/v1/disclosures/99999999".to_owned(),
        "/api/v1/disclosures/-1".to_owned(),
        "/api/v1/disclosures/1e9".to_owned(),
        "/api/v1/regions/1".to_owned(),
        format!("/api/v1/villages/{VILLAGE}/finance/2026-Q1"),
        format!("/api/v1/villages/{VILLAGE}/finance/..%2F..%2Fetc/vouchers"),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert_eq!(body(&r)["code"], "not_found", "{path}");
    }
    let r = c.get("/api/v1/regions?x=1").await;
    assert_eq!((r.status, body(&r)["field"].as_str()), (400, Some("x")));
}

#[tokio::test]
async fn the_openapi_document_is_pinned_and_passes_a_validator() {
    let w = world().await;
    let r = w.client.get("/openapi.json").await;
    assert_eq!(r.status, 200);
    let doc = body(&r);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    // Pinned: a change to the API shows in review as a change to this file.
    let pinned = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&pinned, &pretty).unwrap();
    }
    let expected = std::fs::read_to_string(&pinned).unwrap_or_default();
    assert!(
        expected == pretty,
        "/openapi.json differs from docs/openapi.json: if the change is meant, run with UPDATE_OPENAPI=1"
    );
    // Every route of the document answers (with the demo village for `{code}`).
    for path in doc["paths"].as_object().unwrap().keys() {
        let concrete =
            path.replace("{code}", VILLAGE).replace("{period}", "2026-03").replace("{id}", &w.original.to_string());
        let answer = w.client.get(&concrete).await;
        assert_eq!(answer.status, 200, "{concrete}: {}", answer.body);
    }
    let Some(validator) = common::tools::tool("openapi-spec-validator") else { return };
    let file = std::env::temp_dir().join(format!("yg-api-openapi-{}.json", std::process::id()));
    std::fs::write(&file, &pretty).unwrap();
    let out = std::process::Command::new(validator).arg(&file).output().unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_api_page_lists_every_endpoint_with_an_example() {
    let w = world().await;
    let r = w.client.get("/api").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("公开数据接口") && r.body.contains("/openapi.json"));
    let doc = body(&w.client.get("/openapi.json").await);
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(r.body.contains(&format!("GET {path}")), "{path} on the page");
    }
    assert!(r.body.contains(&format!("/api/v1/villages/{VILLAGE}/disclosures")), "examples with a real village");
    assert!(!r.body.contains("<script src=\"http"), "no script from elsewhere");
}
