//! Bulk data and discovery, read the way outside tools read them: the village-year ZIP unzips,
//! every CSV starts with a BOM and parses, and `frictionless validate` passes its package; the
//! DCAT catalog parses as RDF (`rdfpipe`); the sitemap is XML listing pages that answer 200,
//! split into an index past its limit; downloads answer conditional requests; hostile
//! addresses get 404, never 500.

mod common;

use std::io::Read;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use common::code;
use common::server::{Client, start};
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure};
use yangguang_store::LedgerStore;
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const AWKWARD: &str = "收租金, 含\"押金\"\n及滞纳金";
const FORMULA: &str = "=HYPERLINK(\"http://evil\",\"点我\")";

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

fn disclosure(title: &str, column: &str, item: Option<&str>, period: &str) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 4, 5, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(VILLAGE),
        column: column.into(),
        catalog_item: item.map(String::from),
        period: Some(period.parse().unwrap()),
        title: title.into(),
        body_md: "见附件".into(),
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

async fn state() -> AppState {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村"), ("339921100202", "后山村")])).await;
    let books = vec![
        line(5, "记-001", AWKWARD, "102", 1_200_000, 0),
        line(5, "记-001", AWKWARD, "501003", 0, 1_200_000),
        line(8, "记-002", FORMULA, "531002", 32_050, 0),
        line(8, "记-002", FORMULA, "101", 0, 32_050),
        line(20, "记-003", "发放村干部报酬", "531001", 1_500_000, 0),
        line(20, "记-003", "发放村干部报酬", "102", 0, 1_500_000),
    ];
    store.import_vouchers(code(VILLAGE), &vouchers(&books), Utc::now()).await.unwrap();
    let site = common::site_over(store, "bulk").await;
    site.add_disclosures(&[
        disclosure("2026年3月收支明细", "finance-income", Some("income-expenditure"), "2026-03"),
        disclosure("关于\"路灯\", 修缮的公示", "affairs-profile", None, "2026-04"),
    ])
    .await
    .unwrap();
    // A deal on the trading platform, its winner a person (masked on the way in).
    let page = serde_json::json!({"listings": [{
        "project_no": "P-1",
        "village_code": VILLAGE,
        "title": "村口店面房, \"临街\"出租",
        "subject_type": "房屋",
        "location": "村口 12 号",
        "area": "120.5",
        "area_unit": "m2",
        "reserve_price": 36000,
        "price_unit": "year",
        "method": "open_bidding",
        "announcement_start": "2026-03-01",
        "announcement_end": "2026-03-15",
        "stage": "publicity",
        "deal": {"date": "2026-03-20", "price": "40,500.00", "winner": "王建明", "winner_type": "person"},
        "publicity_start": "2026-03-21",
        "publicity_end": "2026-03-28",
        "updated_at": "2026-03-21T08:00:00+08:00",
    }]});
    let page: yangguang_core::trading::FeedPage = serde_json::from_value(page).unwrap();
    yangguang_app::trading::ingest(&site, &page, false, Utc::now()).await.unwrap();
    AppState::new(Arc::new(site))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("yg-bulk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(tool: &std::path::Path, args: &[&str], dir: &std::path::Path) -> (bool, String) {
    let out = std::process::Command::new(tool).args(args).current_dir(dir).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn the_year_zip_unzips_into_bom_csvs_that_parse_and_a_package_frictionless_accepts() {
    let base = start(state().await).await;
    let client = Client::new(&base, None);
    let r = client.get(&format!("/v/{VILLAGE}/open-data/2026/bulk.zip")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/zip");
    let disposition = r.header("content-disposition");
    assert!(disposition.contains(&format!("filename=\"yangguang-{VILLAGE}-2026.zip\"")), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%E5%89%8D%E5%B1%B1%E6%9D%91"), "the real name: {disposition}");
    assert!(r.header("cache-control").contains("no-cache"));
    assert!(!r.header("last-modified").is_empty());

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().to_string()).collect();
    for expected in [
        "datapackage.json",
        "csv-metadata.json",
        "disclosures.csv",
        "ledger_lines.csv",
        "vouchers.csv",
        "monthly_statements.csv",
        "assets.csv",
        "leases.csv",
        "listings.csv",
        "decisions.csv",
        "questions.csv",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    let dir = scratch("zip");
    let package: serde_json::Value = {
        let mut s = String::new();
        archive.by_name("datapackage.json").unwrap().read_to_string(&mut s).unwrap();
        serde_json::from_str(&s).unwrap()
    };
    let mut tables = std::collections::HashMap::new();
    for name in &names {
        let mut bytes = vec![];
        archive.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        std::fs::write(dir.join(name), &bytes).unwrap();
        if !name.ends_with(".csv") {
            continue;
        }
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "{name} starts with a BOM");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let resource = package["resources"].as_array().unwrap().iter().find(|r| r["path"] == *name).unwrap();
        let fields: Vec<&str> =
            resource["schema"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(header, fields, "{name}'s header is its schema");
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        tables.insert(name.clone(), rows);
    }
    let lines = &tables["ledger_lines.csv"];
    assert_eq!(lines.len(), 6, "every line of the published month");
    assert_eq!(lines[0][4], AWKWARD, "a summary with a comma, quotes and a line break reads back whole");
    assert_eq!(lines[2][4], format!("'{FORMULA}"), "a formula is neutralised");
    assert_eq!(lines[0][7], "12000.00");
    let vouchers = &tables["vouchers.csv"];
    assert_eq!(vouchers.len(), 3);
    assert_eq!(
        (vouchers[0][0].as_str(), vouchers[0][1].as_str(), vouchers[0][5].as_str()),
        ("2026-03", "记-001", "12000.00")
    );
    let titles: Vec<&str> = tables["disclosures.csv"].iter().map(|r| r[4].as_str()).collect();
    assert!(titles.contains(&"关于\"路灯\", 修缮的公示"), "{titles:?}");
    let listings = &tables["listings.csv"];
    assert_eq!(listings.len(), 1);
    assert_eq!((listings[0][1].as_str(), listings[0][13].as_str()), ("村口店面房, \"临街\"出租", "40500.00"));
    assert!(!listings[0][14].contains("建"), "the winner's name is masked: {}", listings[0][14]);
    assert!(tables["monthly_statements.csv"].iter().any(|r| r[1] == "收入" && r[2] == "合计" && r[3] == "12000.00"));

    if let Some(frictionless) = common::tools::tool("frictionless") {
        let (ok, out) = run(&frictionless, &["validate", "datapackage.json"], &dir);
        assert!(ok, "frictionless validate: {out}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    // Asked again with its ETag: not modified, nothing sent.
    let again = reqwest::Client::new()
        .get(format!("{base}/v/{VILLAGE}/open-data/2026/bulk.zip"))
        .header("if-none-match", r.header("etag"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), r.header("etag"));
}

#[tokio::test]
async fn the_dcat_catalog_parses_as_rdf_in_both_formats_and_names_every_download() {
    let base = start(state().await).await;
    let client = Client::new(&base, None);
    let ttl = client.get("/open-data/catalog.ttl").await;
    assert_eq!(ttl.status, 200, "{}", ttl.body);
    assert!(ttl.header("content-type").starts_with("text/turtle"));
    let ld = client.get("/open-data/catalog.jsonld").await;
    assert_eq!(ld.status, 200);
    assert!(ld.header("content-type").starts_with("application/ld+json"));
    let bulk = format!("{base}/v/{VILLAGE}/open-data/2026/bulk.zip");
    for body in [&ttl.body, &ld.body] {
        assert!(body.contains(&bulk), "the catalog names the ZIP");
        assert!(body.contains("dcat:Catalog") && body.contains("dcat:Distribution") && body.contains("dct:publisher"));
    }
    let json: serde_json::Value = serde_json::from_str(&ld.body).unwrap();
    assert!(json["@graph"].as_array().unwrap().len() > 3);
    // Every download the catalog names answers.
    for url in json["@graph"].as_array().unwrap().iter().filter_map(|n| n["dcat:downloadURL"][0]["@id"].as_str()) {
        let path = url.strip_prefix(&base).unwrap();
        assert_eq!(client.get(path).await.status, 200, "{path}");
    }
    if let Some(rdfpipe) = common::tools::tool("rdfpipe") {
        let dir = scratch("dcat");
        std::fs::write(dir.join("catalog.ttl"), &ttl.bytes).unwrap();
        std::fs::write(dir.join("catalog.jsonld"), &ld.bytes).unwrap();
        let (ok, out) = run(&rdfpipe, &["-i", "turtle", "-o", "nt", "catalog.ttl"], &dir);
        assert!(ok, "turtle: {out}");
        let triples_ttl = out.lines().filter(|l| !l.trim().is_empty()).count();
        let (ok, out) = run(&rdfpipe, &["-i", "json-ld", "-o", "nt", "catalog.jsonld"], &dir);
        assert!(ok, "json-ld: {out}");
        let triples_ld = out.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(triples_ttl, triples_ld, "both formats say the same");
        assert!(out.contains("<http://www.w3.org/ns/dcat#Dataset>"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn locs(xml: &str) -> Vec<String> {
    xml.split("<loc>").skip(1).map(|s| s.split("</loc>").next().unwrap().replace("&amp;", "&")).collect()
}

fn well_formed(xml: &str) {
    if let Some(python) = common::tools::tool("python") {
        let dir = scratch("xml");
        std::fs::write(dir.join("s.xml"), xml).unwrap();
        let (ok, out) = run(&python, &["-c", "import xml.dom.minidom,sys; xml.dom.minidom.parse('s.xml')"], &dir);
        assert!(ok, "not well-formed XML: {out}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test]
async fn the_sitemap_is_named_in_robots_and_lists_pages_that_answer() {
    let base = start(state().await).await;
    let client = Client::new(&base, None);
    let robots = client.get("/robots.txt").await;
    assert!(robots.body.contains(&format!("Sitemap: {base}/sitemap.xml")), "{}", robots.body);
    let map = client.get("/sitemap.xml").await;
    assert_eq!(map.status, 200);
    assert!(map.body.contains("<urlset"));
    well_formed(&map.body);
    let urls = locs(&map.body);
    for expected in
        ["/", &format!("/v/{VILLAGE}"), &format!("/v/{VILLAGE}/open-data"), &format!("/v/{VILLAGE}/finance/2026-03")]
    {
        assert!(urls.contains(&format!("{base}{expected}")), "{expected} listed");
    }
    assert!(urls.iter().any(|u| u.contains(&format!("/v/{VILLAGE}/d/"))), "items listed");
    for url in &urls {
        assert_eq!(client.get(url.strip_prefix(&base).unwrap()).await.status, 200, "{url}");
    }
}

#[tokio::test]
async fn past_its_limit_the_sitemap_becomes_an_index_of_files_holding_every_address_once() {
    let whole = start(state().await).await;
    let all = locs(&Client::new(&whole, None).get("/sitemap.xml").await.body);
    let base = start(state().await.with_sitemap_limit(7)).await;
    let client = Client::new(&base, None);
    let index = client.get("/sitemap.xml").await;
    assert!(index.body.contains("<sitemapindex"), "{}", index.body);
    well_formed(&index.body);
    let parts = locs(&index.body);
    assert_eq!(parts.len(), all.len().div_ceil(7));
    let mut listed = vec![];
    for part in &parts {
        let r = client.get(part.strip_prefix(&base).unwrap()).await;
        assert_eq!(r.status, 200, "{part}");
        well_formed(&r.body);
        let urls = locs(&r.body);
        assert!(urls.len() <= 7);
        listed.extend(urls.into_iter().map(|u| u.strip_prefix(&base).unwrap().to_owned()));
    }
    let all: Vec<String> = all.iter().map(|u| u.strip_prefix(&whole).unwrap().to_owned()).collect();
    assert_eq!(listed, all);
    assert_eq!(client.get(&format!("/sitemaps/{}.xml", parts.len() + 1)).await.status, 404);
}

#[tokio::test]
async fn pages_announce_their_feeds_and_the_open_data_page_describes_its_datasets() {
    let base = start(state().await).await;
    let client = Client::new(&base, None);
    let home = client.get(&format!("/v/{VILLAGE}")).await;
    assert!(home.body.contains(&format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"前山村 · 订阅更新（Atom）\" href=\"/v/{VILLAGE}/feed.atom\">"
    )));
    assert!(home.body.contains(&format!("href=\"/v/{VILLAGE}/open-data\"")));
    assert!(home.body.contains("href=\"/open-data/ocds.json\""));
    let column = client.get(&format!("/v/{VILLAGE}/c/finance")).await;
    assert_eq!(column.status, 200);
    assert!(
        column.body.contains(&format!(
            "type=\"application/atom+xml\" title=\"阳光财务 - 前山村\" href=\"/v/{VILLAGE}/c/finance/feed.atom\""
        )),
        "{}",
        column.body
    );

    let page = client.get(&format!("/v/{VILLAGE}/open-data")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("href=\"/v/{VILLAGE}/open-data/2026/bulk.zip\"")));
    assert!(page.body.contains(&format!("href=\"/v/{VILLAGE}/open-data/2026/datapackage.json\"")));
    assert!(page.body.contains("CC BY 4.0"));
    let ld =
        page.body.split("<script type=\"application/ld+json\">").nth(1).unwrap().split("</script>").next().unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    let sets = ld["@graph"].as_array().unwrap();
    assert!(sets.iter().all(|d| d["@type"] == "Dataset" && d["license"].is_string() && d["distribution"].is_array()));
    assert!(
        sets.iter()
            .any(|d| d["distribution"][0]["contentUrl"] == format!("{base}/v/{VILLAGE}/open-data/2026/bulk.zip"))
    );
    let county = client.get("/open-data").await;
    assert_eq!(county.status, 200);
    assert!(
        county.body.contains(&format!("href=\"/v/{VILLAGE}/open-data\""))
            && county.body.contains("/open-data/catalog.ttl")
    );
}

#[tokio::test]
async fn hostile_addresses_get_not_found_never_a_server_error() {
    let base = start(state().await).await;
    let client = Client::new(&base, None);
    for path in [
        "/v/not-a-code/open-data/2026/bulk.zip".to_string(),
        "/v/339921100299/open-data/2026/bulk.zip".into(),
        "/v/339921100000/open-data/2026/bulk.zip".into(),
        format!("/v/{VILLAGE}/open-data/2025/bulk.zip"),
        format!("/v/{VILLAGE}/open-data/1999/bulk.zip"),
        format!("/v/{VILLAGE}/open-data/99999999999999999999/bulk.zip"),
        format!("/v/{VILLAGE}/open-data/-2026/bulk.zip"),
        format!("/v/{VILLAGE}/open-data/2026%00/bulk.zip"),
        format!("/v/{VILLAGE}/open-data/%E4%BA%8C%E9%9B%B6/bulk.zip"),
        "/v/339921100202/open-data/2026/bulk.zip".into(),
        "/v/%27%3B--/open-data".into(),
        "/sitemaps/0.xml".into(),
        "/sitemaps/1.xml".into(),
        "/sitemaps/x.xml".into(),
        "/sitemaps/99999999999999999999.xml".into(),
    ] {
        let r = client.get(&path).await;
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
    }
}
