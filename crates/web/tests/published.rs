//! Published items (issue 12): the console's list with search, filters, paging and role
//! checks; staff actions on the public page for staff alone; corrections shown rendered,
//! never as raw Markdown; the item's own number and the log number labelled. Over the real
//! server on a random port, on SQLite and on PostgreSQL.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::server::{Client, start};
use yangguang_core::staff::Role;
use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState, NewDisclosure, Period};
use yangguang_store::Store;
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

fn published(village: &str, column: &str, title: &str, body: &str, minute: u32) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 2, minute, 0).unwrap();
    NewDisclosure {
        village: common::code(village),
        column: column.into(),
        catalog_item: None,
        period: None,
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

const ACCOUNTS: &str =
    "## 2026年3月收支\n\n| 项目 | 金额 |\n|---|---|\n| 办公费用 | 1,593.49 |\n| 路灯维修 | 3,600.00 |\n\n经手人：张*明";
const CORRECTED: &str = "## 2026年3月收支\n\n| 项目 | 金额 |\n|---|---|\n| 办公费用 | 1,359.49 |\n| 路灯维修 | 3,600.00 |\n\n经手人：张*明\n\n**更正说明**：办公费用录入有误。";

/// 34 items of the village (one of them the accounts, corrected; one withdrawn) and one of
/// the other village. Returns (accounts, its correction, the withdrawn one).
async fn seed(store: &dyn Store) -> (DisclosureId, DisclosureId, DisclosureId) {
    let mut items: Vec<NewDisclosure> = (0..32)
        .map(|i| {
            let mut d = published(VILLAGE, "party-life", &format!("第{i}次组织生活会"), "会议记录", i);
            d.period = Some(Period::Quarter { year: 2026, quarter: if i % 2 == 0 { 1 } else { 2 } });
            d
        })
        .collect();
    let mut accounts = published(VILLAGE, "finance-income", "2026年3月收支明细", ACCOUNTS, 40);
    accounts.period = Some(Period::Month { year: 2026, month: 3 });
    items.push(accounts);
    items.push(published(VILLAGE, "affairs-subsidy", "救助金发放名单", "名单", 41));
    items.push(published(OTHER, "party-life", "后山村的组织生活会", "会议记录", 42));
    let ids = store.insert_disclosures(&items).await.unwrap();
    let (accounts, subsidy) = (ids[32], ids[33]);
    let mut correction = published(VILLAGE, "finance-income", "2026年3月收支明细", CORRECTED, 50);
    correction.period = Some(Period::Month { year: 2026, month: 3 });
    correction.kind = DisclosureKind::Correction;
    correction.replaces = Some(accounts);
    correction.reason = Some("办公费用录入有误".into());
    let mut withdrawal = published(VILLAGE, "affairs-subsidy", "救助金发放名单", "名单", 51);
    withdrawal.kind = DisclosureKind::Withdrawal;
    withdrawal.replaces = Some(subsidy);
    withdrawal.reason = Some("重复发布".into());
    let new = store.insert_disclosures(&[correction, withdrawal]).await.unwrap();
    (accounts, new[0], subsidy)
}

/// The rows' links to their console pages, in order.
fn row_ids(body: &str) -> Vec<i64> {
    body.split("<td><a href=\"/console/d/").skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect()
}

async fn scenario(state: AppState) {
    let (accounts, correction, withdrawn) = seed(state.site.store.as_ref()).await;
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let supervisor = common::staff_cookie(&state, "supervisor", Role::SupervisionMember, VILLAGE).await;
    let other_clerk = common::staff_cookie(&state, "other", Role::VillageClerk, OTHER).await;
    let township = common::staff_cookie(&state, "township", Role::TownshipReviewer, "339921100000").await;
    let base = start(state.clone()).await;
    let (clerk, supervisor, other_clerk, township, anyone) = (
        Client::new(&base, Some(clerk)),
        Client::new(&base, Some(supervisor)),
        Client::new(&base, Some(other_clerk)),
        Client::new(&base, Some(township)),
        Client::new(&base, None),
    );

    // ── the list: the village's 35 versions (the correction and the corrected original both),
    // newest first, 30 a page; never the other village's.
    let first = clerk.get("/console/published").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("共 35 条") && first.body.contains("第 1 / 2 页"), "{}", first.body);
    let ids = row_ids(&first.body);
    assert_eq!(ids.len(), 30);
    assert_eq!(ids[0], correction.0, "newest first");
    assert!(!first.body.contains("后山村的组织生活会"));
    assert!(first.body.contains("/console/published?page=2"), "a link to the next page");
    let second = clerk.get("/console/published?page=2").await;
    assert_eq!(row_ids(&second.body).len(), 5);
    // The clerk starts a correction or withdrawal from a current row, and only there.
    let forms = first.body.matches("/correct\"").count();
    assert_eq!(forms, 28, "the 28 current versions on page 1 (not the corrected or withdrawn ones)");
    assert!(first.body.contains(&format!("action=\"/console/d/{correction}/correct\"")));
    assert!(!first.body.contains(&format!("action=\"/console/d/{accounts}/correct\"")));
    assert!(first.body.contains(&format!("action=\"/console/d/{correction}/withdraw\"")));

    // ── search and filters
    let found = clerk.get("/console/published?q=%E7%AC%AC7%E6%AC%A1").await; // 第7次
    assert_eq!(row_ids(&found.body).len(), 1, "{}", found.body);
    let by_number = clerk.get(&format!("/console/published?q=%23{accounts}")).await;
    let mut got = row_ids(&by_number.body);
    got.sort();
    assert_eq!(got, [accounts.0, correction.0], "a number finds the version and its correction");
    let column = clerk.get("/console/published?column=finance").await;
    assert_eq!(row_ids(&column.body).len(), 2, "a column includes its sub-columns");
    let corrected = clerk.get("/console/published?state=corrected").await;
    assert_eq!(row_ids(&corrected.body), [accounts.0]);
    let gone = clerk.get("/console/published?state=withdrawn").await;
    assert_eq!(row_ids(&gone.body), [withdrawn.0]);
    assert!(gone.body.contains("已撤回"));
    // The period as people write it; the filter's value stays in the form.
    let q2 = clerk.get("/console/published?period=2026%E5%B9%B4%E7%AC%AC%E4%BA%8C%E5%AD%A3%E5%BA%A6").await; // 2026年第二季度
    assert_eq!(row_ids(&q2.body).len(), 16, "{}", q2.body);
    assert!(q2.body.contains("value=\"2026年第二季度\""));
    let bad = clerk.get("/console/published?period=2026%E5%B9%B413%E6%9C%88").await; // 2026年13月
    assert_eq!(bad.status, 200);
    assert!(bad.body.contains("id=\"period-error\"") && bad.body.contains("value=\"2026年13月\""), "{}", bad.body);
    let both = clerk.get("/console/published?q=%E7%BB%84%E7%BB%87&period=2026-Q1&page=2").await; // 组织
    assert!(both.body.contains("共 16 条") && row_ids(&both.body).is_empty(), "16 fit on page 1");

    // ── roles: a reviewer sees the list without the clerk's actions; the township sees both
    // villages; nobody picks a village outside their roles; no session, the login.
    let reviewer = supervisor.get("/console/published").await;
    assert_eq!(row_ids(&reviewer.body).len(), 30);
    assert_eq!(reviewer.body.matches("/correct\"").count(), 0);
    let town = township.get("/console/published").await;
    assert!(town.body.contains("共 36 条") && town.body.contains("后山村的组织生活会"), "{}", town.body);
    let town_village = township.get(&format!("/console/published?village={OTHER}")).await;
    assert_eq!(row_ids(&town_village.body).len(), 1);
    assert_eq!(other_clerk.get(&format!("/console/published?village={VILLAGE}")).await.status, 403);
    let login = anyone.get("/console/published").await;
    assert_eq!((login.status, login.header("location").as_str()), (303, "/console/login"));
    // A correction started from the list, with the list's CSRF token.
    let started =
        clerk.post(&format!("/console/d/{correction}/correct"), &[("csrf", "c"), ("reason", "金额再核")]).await;
    assert_eq!(started.status, 303, "{}", started.body);
    assert!(started.header("location").ends_with("/edit"));
    let refused =
        other_clerk.post(&format!("/console/d/{correction}/withdraw"), &[("csrf", "c"), ("reason", "x")]).await;
    assert_eq!(refused.status, 403, "another village's clerk cannot withdraw it");

    // ── the public page: the correction rendered, the references labelled.
    let page_path = format!("/v/{VILLAGE}/d/{correction}");
    let public = anyone.get(&page_path).await;
    assert_eq!(public.status, 200);
    let body = &public.body;
    assert!(body.contains("<table class=\"diff\">"), "the changed table is a table: {body}");
    assert!(body.contains("有改动") && body.contains("原为：1,593.49") && body.contains("1,359.49"), "{body}");
    assert!(body.contains("<strong>更正说明</strong>"), "the added block is rendered");
    for raw in ["| 办公费用", "**更正说明**", "|---"] {
        assert!(!body.contains(raw), "raw Markdown {raw} on the public page");
    }
    assert!(
        !body.contains("新增：</strong></p>\n</div>") && !body.contains("新增：</strong></p></div>"),
        "no empty addition"
    );
    let changes = body.split("<details class=\"diff\"").nth(1).and_then(|s| s.split("</details>").next()).unwrap();
    assert!(!changes.contains("经手人") && !changes.contains("<h2>2026年3月收支"), "unchanged blocks are no change");
    assert!(body.contains(&format!("第 {accounts} 号 · 第 2 版")), "the item's number is its first version's");
    let seq = state.site.store.log_entries_for(correction).await.unwrap()[0].seq;
    assert!(body.contains(&format!("公开日志第 {seq} 条")), "{body}");
    let original = anyone.get(&format!("/v/{VILLAGE}/d/{accounts}")).await;
    assert!(original.body.contains(&format!("第 {accounts} 号 · 第 1 版")));

    // ── staff actions on the public page: the village's staff only, never cached for others.
    // (`correction` now has a correction draft; the current published version is still it.)
    let for_clerk = clerk.get(&page_path).await;
    assert!(for_clerk.body.contains("工作人员操作") && for_clerk.body.contains("id=\"staff-correct\""));
    assert!(for_clerk.body.contains(&format!("action=\"/console/d/{correction}/withdraw\"")));
    assert!(for_clerk.header("cache-control").contains("no-store"));
    let for_reviewer = supervisor.get(&page_path).await;
    assert!(for_reviewer.body.contains("工作人员操作") && !for_reviewer.body.contains("staff-correct"));
    for (who, reply) in
        [("anyone", anyone.get(&page_path).await), ("another village's clerk", other_clerk.get(&page_path).await)]
    {
        assert_eq!(reply.status, 200);
        assert!(
            !reply.body.contains("工作人员操作") && !reply.body.contains("/console/d/"),
            "{who} sees staff actions"
        );
        assert!(!reply.body.contains("name=\"csrf\""), "{who}");
    }
    // The corrected original has no actions even for its clerk: only a current version has.
    let old = clerk.get(&format!("/v/{VILLAGE}/d/{accounts}")).await;
    assert!(old.body.contains("工作人员操作") && !old.body.contains("staff-correct"));
}

#[tokio::test]
async fn published_items_are_listed_searched_and_acted_on_and_corrections_read_as_tables_on_sqlite() {
    let regions = common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")]);
    let store = common::store_with(&regions).await;
    scenario(AppState::new(Arc::new(common::site_over(store, "published").await))).await;
}

#[tokio::test]
async fn published_items_are_listed_searched_and_acted_on_and_corrections_read_as_tables_on_postgres() {
    let regions = common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")]);
    let Some((store, schema)) = common::postgres_store_with(&regions).await else { return };
    scenario(AppState::new(Arc::new(common::site_over(store, "published-pg").await))).await;
    schema.drop().await;
}
