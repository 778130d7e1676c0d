//! Governance records through the real server (党建引领, 小微权力清单, 村规民约): a clerk
//! enters structured records, each becomes a draft generated from them, reviewers sign it,
//! and the village's public pages show what was published. Bad input — attendance above
//! what was expected, dues that do not add up, empty required fields, another village's
//! clerk, a form without its CSRF token — is refused with the typed values kept.

mod common;

use std::sync::Arc;

use chrono::Datelike;
use common::server::{Client, Reply, start};
use common::{hidden_field, staff_cookie};
use yangguang_core::staff::Role;
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

struct World {
    base: String,
    clerk: Client,
    branch: Client,
    supervisor: Client,
    other_clerk: Client,
}

async fn world() -> World {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    let state = AppState::new(Arc::new(common::site_over(store, "party").await));
    let clerk = staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let branch = staff_cookie(&state, "branch", Role::BranchMember, VILLAGE).await;
    let supervisor = staff_cookie(&state, "supervisor", Role::SupervisionMember, VILLAGE).await;
    let other_clerk = staff_cookie(&state, "other", Role::VillageClerk, OTHER).await;
    let base = start(state).await;
    World {
        clerk: Client::new(&base, Some(clerk)),
        branch: Client::new(&base, Some(branch)),
        supervisor: Client::new(&base, Some(supervisor)),
        other_clerk: Client::new(&base, Some(other_clerk)),
        base,
    }
}

/// Posts a console form as the client, with the session's CSRF token ("c") and the village.
async fn post(client: &Client, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", "c"), ("village", VILLAGE)];
    all.extend_from_slice(fields);
    client.post(path, &all).await
}

/// The draft a redirect's message names ("编号 N").
fn drafted_id(reply: &Reply) -> i64 {
    assert_eq!(reply.status, 303, "{}", reply.body);
    let cookie = reply.header("set-cookie");
    let decoded: String = form_urlencoded::parse(cookie.as_bytes()).map(|(k, v)| format!("{k}{v}")).collect();
    let at = decoded.find("编号 ").unwrap_or_else(|| panic!("no draft named in {decoded}")) + "编号 ".len();
    decoded[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// Submits a draft as the clerk and signs it as each reviewer; it is then published.
async fn publish(w: &World, id: i64, reviewers: &[&Client]) {
    let r = w.clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", "c")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    for reviewer in reviewers {
        let page = reviewer.get(&format!("/console/d/{id}")).await;
        let hash = hidden_field(&page.body, "hash").expect("a review form");
        let r = reviewer
            .post(&format!("/console/d/{id}/review"), &[("csrf", "c"), ("hash", &hash), ("decision", "approve")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
}

#[tokio::test]
async fn party_building_is_published_from_the_records_after_review() {
    let w = world().await;
    let empty = Client::new(&w.base, None).get(&format!("/v/{VILLAGE}/party")).await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("尚未公开"));

    // Counts that do not add up: refused beside the field, with everything typed kept.
    let branch = [
        ("name", "中共前山村支部委员会"),
        ("kind", "branch"),
        ("secretary", "王建国"),
        ("members_total", "40"),
        ("members_full", "36"),
        ("members_probationary", "2"),
        ("committee", "王建国，书记，主持全面工作\n李秀英，组织委员，党员发展"),
    ];
    let r = post(&w.clerk, "/console/party/branch", &branch).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("党员总数 40 应等于正式党员 36 加预备党员 2"), "{}", r.body);
    assert!(r.body.contains("id=\"branch-members_total-error\""));
    assert!(r.body.contains("李秀英，组织委员，党员发展"), "the committee typed is kept");
    let mut fixed = branch.to_vec();
    fixed[4] = ("members_full", "38");
    let org = drafted_id(&post(&w.clerk, "/console/party/branch", &fixed).await);
    // Saving again while the draft is open brings the same draft up to date.
    fixed[1] = ("kind", "general-branch");
    assert_eq!(drafted_id(&post(&w.clerk, "/console/party/branch", &fixed).await), org);
    publish(&w, org, &[&w.branch, &w.supervisor]).await;

    // Organisational life: present above expected is refused, the topic kept.
    let today = yangguang_app::today().to_string();
    let over = [
        ("held_on", today.as_str()),
        ("kind", "theme-day"),
        ("topic", "学习新修订的村规民约"),
        ("expected", "30"),
        ("present", "31"),
    ];
    let r = post(&w.clerk, "/console/party/meeting", &over).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("实到人数 31 多于应到人数 30"), "{}", r.body);
    assert!(r.body.contains("value=\"学习新修订的村规民约\""));
    let ok = [
        ("held_on", today.as_str()),
        ("kind", "theme-day"),
        ("topic", "学习新修订的村规民约"),
        ("expected", "30"),
        ("present", "28"),
    ];
    assert_eq!(post(&w.clerk, "/console/party/meeting", &ok).await.status, 303);
    let quarter =
        yangguang_core::Period::containing(yangguang_core::period::PeriodKind::Quarter, yangguang_app::today());
    let life = drafted_id(&post(&w.clerk, "/console/party/life", &[("quarter", &quarter.to_string())]).await);
    publish(&w, life, &[&w.branch]).await;

    // Dues whose uses do not add up are refused; corrected ones are drafted.
    let half = yangguang_core::Period::containing(yangguang_core::period::PeriodKind::HalfYear, yangguang_app::today());
    let half = half.to_string();
    let dues = [
        ("half", half.as_str()),
        ("brought_forward", "120"),
        ("collected", "4560"),
        ("used", "3000"),
        ("carried", "1680"),
        ("uses", "订阅党报党刊，1200\n慰问困难党员，1700"),
    ];
    let r = post(&w.clerk, "/console/party/dues", &dues).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("使用明细合计 2,900.00 元，与本期使用 3,000.00 元不符"), "{}", r.body);
    assert!(r.body.contains("慰问困难党员，1700"));
    let mut dues = dues.to_vec();
    dues[5] = ("uses", "订阅党报党刊，1200\n慰问困难党员，1800");
    let d = drafted_id(&post(&w.clerk, "/console/party/dues", &dues).await);
    publish(&w, d, &[&w.branch]).await;

    let page = Client::new(&w.base, None).get(&format!("/v/{VILLAGE}/party")).await;
    assert_eq!(page.status, 200);
    for shown in [
        "中共前山村支部委员会",
        "党总支",
        "共 40 名，其中正式党员 38 名、预备党员 2 名",
        "李秀英",
        "学习新修订的村规民约",
        "93%",
        "慰问困难党员",
        "1,680.00",
    ] {
        assert!(page.body.contains(shown), "{shown} not on the page");
    }
    // The party column links the page.
    let column = Client::new(&w.base, None).get(&format!("/v/{VILLAGE}/c/party-life")).await;
    assert!(column.body.contains(&format!("/v/{VILLAGE}/party")));
}

#[tokio::test]
async fn the_seal_log_is_published_monthly_and_a_late_entry_becomes_a_correction() {
    let w = world().await;
    let today = yangguang_app::today();
    let last_month = today.with_day(1).unwrap().pred_opt().unwrap();
    let month = yangguang_core::Period::containing(yangguang_core::period::PeriodKind::Month, last_month).to_string();
    let day = last_month.to_string();

    // Empty required fields are each named; what was typed stays.
    let r = post(
        &w.clerk,
        "/console/powers/log",
        &[
            ("on", &day),
            ("kind", "seal"),
            ("matter", "租赁合同用印"),
            ("applicant", ""),
            ("person", "1"),
            ("approver_post", ""),
            ("purpose", ""),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写申请人") && r.body.contains("请填写审批人职务") && r.body.contains("请填写用途"));
    assert!(r.body.contains("value=\"租赁合同用印\""));

    let entry = |matter: &'static str, applicant: &'static str| {
        [
            ("on", day.clone()),
            ("kind", "certificate".into()),
            ("matter", matter.into()),
            ("applicant", applicant.into()),
            ("person", "1".into()),
            ("approver_post", "村委会主任".into()),
            ("purpose", "子女入学".into()),
        ]
    };
    let fields = entry("出具居住证明", "张小明");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(post(&w.clerk, "/console/powers/log", &fields).await.status, 303);
    let id = drafted_id(&post(&w.clerk, "/console/powers/log/draft", &[("month", &month)]).await);
    publish(&w, id, &[&w.supervisor]).await;

    // An entry added to the published month is not lost: it goes into a correction at once.
    let late = entry("出具亲属关系证明", "李大山");
    let late: Vec<(&str, &str)> = late.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&w.clerk, "/console/powers/log", &late).await;
    let correction = drafted_id(&r);
    assert_ne!(correction, id);
    let draft = w.clerk.get(&format!("/console/d/{correction}")).await;
    assert!(draft.body.contains("出具亲属关系证明") && draft.body.contains("李*山"), "{}", draft.body);
    publish(&w, correction, &[&w.supervisor]).await;

    // The micro-power list: a power with its steps, then the list drafted and published.
    let r = post(
        &w.clerk,
        "/console/powers/power",
        &[("category", "集体资产管理"), ("name", ""), ("responsible_post", "村委会主任"), ("steps", "")],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写权力事项名称") && r.body.contains("请填写运行流程"));
    let power = [
        ("category", "集体资产管理"),
        ("name", "集体资产出租"),
        ("legal_basis", "《村民委员会组织法》第二十四条"),
        ("responsible_post", "村委会主任"),
        ("steps", "1. 村两委提出出租方案\n2. 村民代表会议表决\n3. 进入公共资源交易平台公开交易\n4. 签订合同并公示结果"),
        ("disclosure", "交易结果公示 5 天"),
    ];
    assert_eq!(post(&w.clerk, "/console/powers/power", &power).await.status, 303);
    let list = drafted_id(&post(&w.clerk, "/console/powers/list", &[]).await);
    publish(&w, list, &[&w.supervisor]).await;

    let page = Client::new(&w.base, None).get(&format!("/v/{VILLAGE}/powers")).await;
    assert_eq!(page.status, 200);
    for shown in ["集体资产出租", "村民代表会议表决", "出具居住证明", "出具亲属关系证明", "张*明", "李*山"]
    {
        assert!(page.body.contains(shown), "{shown} not on the page");
    }
    assert!(!page.body.contains("张小明") && !page.body.contains("李大山"), "names are masked");
}

#[tokio::test]
async fn village_rules_show_the_version_in_force_its_history_and_changes() {
    let w = world().await;
    let version = |text: &'static str, decision: &'static str, date: &'static str| {
        [
            ("doc", "rules"),
            ("title", "前山村村规民约"),
            ("adopted_on", date),
            ("decision_no", decision),
            ("text_md", text),
        ]
    };
    let r = post(&w.clerk, "/console/rules", &version("第一条 爱护公物。", "2024/1", "2024-01-15")).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("决议编号“2024/1”只能由数字、英文字母和“-”组成"));
    assert!(r.body.contains("第一条 爱护公物。"), "the text typed is kept");
    let v1 = drafted_id(
        &post(
            &w.clerk,
            "/console/rules",
            &version("第一条 爱护公物。\n\n第二条 红白喜事从简。", "2024-001", "2024-01-15"),
        )
        .await,
    );
    publish(&w, v1, &[&w.supervisor]).await;
    let v2 = drafted_id(
        &post(
            &w.clerk,
            "/console/rules",
            &version("第一条 爱护公物。\n\n第二条 红白喜事从简，酒席不超过 20 桌。", "2026-003", "2026-01-10"),
        )
        .await,
    );
    // Not yet published: the page still shows version 1 alone.
    let page = Client::new(&w.base, None).get(&format!("/v/{VILLAGE}/rules")).await;
    assert!(page.body.contains("红白喜事从简。") && !page.body.contains("酒席不超过"));
    publish(&w, v2, &[&w.supervisor]).await;
    let page = Client::new(&w.base, None).get(&format!("/v/{VILLAGE}/rules")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("现行版本"));
    assert!(page.body.contains(&format!("href=\"/v/{VILLAGE}/decisions/2026-003\"")));
    assert!(page.body.contains(&format!("href=\"/v/{VILLAGE}/decisions/2024-001\"")));
    assert!(page.body.contains("与上一版相比的修改"));
    assert!(page.body.contains("class=\"change ins\"") && page.body.contains("酒席不超过 20 桌"));
    let column = Client::new(&w.base, None).get(&format!("/v/{VILLAGE}/c/affairs-rules")).await;
    assert!(column.body.contains(&format!("/v/{VILLAGE}/rules")));
}

#[tokio::test]
async fn another_villages_clerk_and_forms_without_their_token_are_refused() {
    let w = world().await;
    let meeting =
        [("held_on", "2026-01-05"), ("kind", "party-lecture"), ("topic", "党课"), ("expected", "10"), ("present", "9")];
    let r = post(&w.other_clerk, "/console/party/meeting", &meeting).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(w.other_clerk.get(&format!("/console/party?village={VILLAGE}")).await.status, 403);
    let r = post(
        &w.other_clerk,
        "/console/rules",
        &[("doc", "rules"), ("title", "x"), ("adopted_on", "2026-01-01"), ("decision_no", "1"), ("text_md", "x")],
    )
    .await;
    assert_eq!(r.status, 403);
    // A reviewer is not a clerk.
    assert_eq!(w.supervisor.get("/console/powers").await.status, 403);
    // Without the CSRF token nothing is stored.
    let mut fields = vec![("village", VILLAGE)];
    fields.extend_from_slice(&meeting);
    let r = w.clerk.post("/console/party/meeting", &fields).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let page = w.clerk.get("/console/party").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<td>党课</td>"), "nothing was recorded");
}
