//! Decision records (四议两公开) through the real server: a clerk opens a decision, records
//! its steps (refused when dated before the previous step, when more are present than
//! expected, when the votes do not add up; a failed quorum recorded and flagged), keeps a
//! sign-in sheet, links a works contract that overspends, publishes the resolution through
//! the normal review with the supervision committee's opinion, and a lease import names the
//! decision by its number (an unknown number is a row error in the preview). Another
//! village's clerk is refused; a form without the CSRF token is refused.

mod common;

use std::sync::Arc;

use common::server::{Client, start};
use common::{county_with, hidden_field, site_over, staff_cookie, store_with};
use yangguang_core::staff::Role;
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn lease_file(number: &str) -> Vec<u8> {
    let text = format!(
        "合同编号,资产名称,资产类别,承租方,面积（亩）,年租金（元）,起租日期,到期日期,决议编号\n\
         HT-001,溪东鱼塘,鱼塘,王建明,12.5,15000,2026/01/01,2030/12/31,{number}\n\
         HT-002,老校舍,房屋,青山农业开发有限公司,2,36000,2026/01/01,2028/12/31,\n"
    );
    text.into_bytes()
}

#[tokio::test]
async fn a_decision_from_proposal_to_published_resolution_with_its_money() {
    let store = store_with(&county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    let state = AppState::new(Arc::new(site_over(store, "decisions").await));
    let clerk_cookie = staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let other_cookie = staff_cookie(&state, "other", Role::VillageClerk, OTHER).await;
    let supervisor_cookie = staff_cookie(&state, "supervisor", Role::SupervisionMember, VILLAGE).await;
    let base = start(state.clone()).await;
    let clerk = Client::new(&base, Some(clerk_cookie.clone()));
    let outsider = Client::new(&base, Some(other_cookie));
    let supervisor = Client::new(&base, Some(supervisor_cookie));
    let public = Client::new(&base, None);

    // The list proposes this year's first number.
    let year = chrono::Datelike::year(&yangguang_app::today());
    let list = clerk.get("/console/decisions").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&format!("value=\"{year}-001\"")), "the next number is proposed");

    // Without the CSRF token: refused, nothing stored.
    let fields = [
        ("village", VILLAGE),
        ("number", "2026-001"),
        ("subject", "村道硬化工程"),
        ("kind", "works"),
        ("procedure", "4-2"),
        ("amount", "100000"),
    ];
    assert_eq!(clerk.post("/console/decisions", &fields).await.status, 403);
    let mut with_csrf = fields.to_vec();
    with_csrf.push(("csrf", "c"));
    let created = clerk.post("/console/decisions", &with_csrf).await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(created.header("location"), format!("/console/decisions/{VILLAGE}/2026-001"));
    // The same number again: refused next to the field, what was typed kept.
    let again = clerk.post("/console/decisions", &with_csrf).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("本村已有决议编号 2026-001"), "{}", again.body);
    assert!(again.body.contains("value=\"村道硬化工程\""), "the subject is kept");

    let page = format!("/console/decisions/{VILLAGE}/2026-001");
    let step = |fields: &[(&'static str, &'static str)]| {
        let mut f = fields.to_vec();
        f.push(("csrf", "c"));
        f
    };
    let post_step = |f: Vec<(&'static str, &'static str)>| {
        let clerk = &clerk;
        let path = format!("{page}/step");
        async move { clerk.post(&path, &f).await }
    };
    // The form proposes the first step.
    let detail = clerk.get(&page).await;
    assert!(detail.body.contains("<option value=\"proposal\" selected>"), "the next step is proposed");
    let r = post_step(step(&[("step", "proposal"), ("date", "2026-03-01"), ("content", "党支部提议硬化村道")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = post_step(step(&[("step", "committees"), ("date", "2026-03-03"), ("content", "两委商议")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(clerk.get(&page).await.body.contains("<option value=\"members\" selected>"));

    // Dated before the previous step: refused, naming the step and both dates, typed kept.
    let members = [
        ("step", "members"),
        ("expected", "30"),
        ("present", "18"),
        ("votes_for", "9"),
        ("against", "6"),
        ("abstain", "3"),
        ("content", "党员大会审议"),
    ];
    let mut early = members.to_vec();
    early.push(("date", "2026-02-28"));
    let r = post_step(step(&early)).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("2026-02-28") && r.body.contains("2026-03-03") && r.body.contains("党员大会审议的日期"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"2026-02-28\""), "the typed date is kept");
    // More present than expected.
    let r = post_step(step(&[
        ("step", "members"),
        ("date", "2026-03-05"),
        ("expected", "30"),
        ("present", "31"),
        ("votes_for", "31"),
        ("content", "x"),
    ]))
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("实到人数 31 超过应到人数 30"), "{}", r.body);
    // Votes that do not add up to those present.
    let r = post_step(step(&[
        ("step", "members"),
        ("date", "2026-03-05"),
        ("expected", "30"),
        ("present", "24"),
        ("votes_for", "20"),
        ("against", "1"),
        ("abstain", "1"),
        ("content", "x"),
    ]))
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("赞成 20 + 反对 1 + 弃权 1 = 22，与实到人数 24 不符"), "{}", r.body);
    // A failed quorum is recorded, and flagged.
    let mut held = members.to_vec();
    held.push(("date", "2026-03-05"));
    assert_eq!(post_step(step(&held)).await.status, 303);
    let r = post_step(step(&[
        ("step", "resolution"),
        ("date", "2026-03-08"),
        ("form", "representatives"),
        ("expected", "45"),
        ("present", "38"),
        ("votes_for", "36"),
        ("against", "2"),
        ("abstain", "0"),
        ("content", "村民代表会议表决通过"),
    ]))
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let detail = clerk.get(&page).await;
    assert!(detail.body.contains("党员大会审议到会人数不足：应到 30 人，实到 18 人"), "{}", detail.body);

    // Another village's clerk sees nothing and changes nothing.
    assert_eq!(outsider.get(&page).await.status, 403);
    let r = outsider.post(&format!("{page}/step"), &step(&held)).await;
    assert_eq!(r.status, 403);

    // A sign-in sheet for the members' meeting, shown on the public page.
    let png = png();
    let r = clerk
        .post_multipart(&format!("{page}/file"), &[("csrf", "c"), ("file_step", "members")], &[("签到表.png", &png)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // A works contract over the amount resolved.
    let r = clerk
        .post(
            &format!("{page}/link"),
            &[
                ("csrf", "c"),
                ("kind", "works"),
                ("reference", "GC-2026-01"),
                ("label", "村道硬化施工合同 · 青山建设"),
                ("link_amount", "120000"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // An unknown voucher: refused next to the field.
    let r = clerk
        .post(
            &format!("{page}/link"),
            &[("csrf", "c"), ("kind", "voucher"), ("month", "2026-03"), ("reference", "记-99")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("没有凭证“记-99”"), "{}", r.body);

    // The resolution's publication goes through review.
    let r = clerk.post(&format!("{page}/publication"), &[("csrf", "c"), ("publication", "resolution-published")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let draft = r.header("location");
    let id: i64 = draft.trim_start_matches("/console/d/").parse().unwrap();
    let d = state.site.store.get_disclosure(yangguang_core::DisclosureId(id)).await.unwrap();
    assert_eq!(d.catalog_item.as_deref(), Some("decision-resolution"));
    assert!(d.body_md.contains("应到 30 人，实到 18 人") && d.body_md.contains("到会人数不足"), "{}", d.body_md);
    assert_eq!(clerk.post(&format!("/console/d/{id}/submit"), &[("csrf", "c")]).await.status, 303);
    let review_page = supervisor.get(&format!("/console/d/{id}")).await;
    let hash = hidden_field(&review_page.body, "hash").unwrap_or_default();
    let r = supervisor
        .post(
            &format!("/console/d/{id}/review"),
            &[
                ("csrf", "c"),
                ("decision", "approve"),
                ("comment", "程序基本合规，党员大会到会人数不足须说明"),
                ("hash", &hash),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let d = state.site.store.get_disclosure(yangguang_core::DisclosureId(id)).await.unwrap();
    assert_eq!(d.state, yangguang_core::DisclosureState::Published);

    // Once the resolution is published, the steps before it cannot change.
    let r = post_step(step(&held)).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不能再改"), "{}", r.body);

    // The public pages: the list with its flags, the timeline with everything.
    let list = public.get(&format!("/v/{VILLAGE}/decisions")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("村道硬化工程") && list.body.contains("到会人数不足"), "{}", list.body);
    let one = public.get(&format!("/v/{VILLAGE}/decisions/2026-001")).await;
    assert_eq!(one.status, 200);
    for expected in [
        "党组织提议",
        "应到 30，实到 18",
        "到会人数不足",
        "签到表.png",
        &format!("/v/{VILLAGE}/d/{id}"),
        "程序基本合规，党员大会到会人数不足须说明",
        "超出决议金额 20,000.00 元",
        "GC-2026-01",
    ] {
        assert!(one.body.contains(expected), "{expected} missing: {}", one.body);
    }
    let file_href =
        one.body.split("href=\"").find(|s| s.contains("/files/")).unwrap().split('"').next().unwrap().to_owned();
    let file = public.get(&file_href).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.bytes[..8], png[..8]);
    assert_eq!(public.get(&format!("/v/{VILLAGE}/decisions/2099-1")).await.status, 404);
    // The 民主决策 column links the list.
    let column = public.get(&format!("/v/{VILLAGE}/c/affairs-decisions")).await;
    assert!(column.body.contains(&format!("/v/{VILLAGE}/decisions")), "{}", column.body);

    // A lease import naming an unknown decision: a row error in the preview, nothing stored.
    let bad = lease_file("2099-999");
    let r =
        clerk.post_multipart("/console/leases", &[("csrf", "c"), ("village", VILLAGE)], &[("台账.csv", &bad)]).await;
    assert!(r.body.contains("2099-999") && r.body.contains("不存在"), "{}", r.body);
    assert!(hidden_field(&r.body, "preview").is_none(), "no preview to confirm");
    // With the real number the lease names the decision, and both pages link each other.
    let good = lease_file("2026-001");
    let r =
        clerk.post_multipart("/console/leases", &[("csrf", "c"), ("village", VILLAGE)], &[("台账.csv", &good)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (status, _) = common::confirm_import(&state, &clerk_cookie, &r.body).await;
    assert_eq!(status, 303);
    let lease = public.get(&format!("/v/{VILLAGE}/leases/HT-001")).await;
    assert!(lease.body.contains(&format!("/v/{VILLAGE}/decisions/2026-001")), "{}", lease.body);
    let one = public.get(&format!("/v/{VILLAGE}/decisions/2026-001")).await;
    assert!(one.body.contains("HT-001") && one.body.contains("溪东鱼塘"), "{}", one.body);

    // Every change was audited.
    let audit = state.site.store.list_audit(1, 200).await.unwrap();
    for action in [
        "decision-create",
        "decision-step",
        "decision-file",
        "decision-link",
        "decision-publication",
        "decision-link-import",
    ] {
        assert!(audit.items.iter().any(|a| a.action == action), "{action} not audited");
    }
}
