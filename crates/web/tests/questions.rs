//! 我要质询 and 满意度 through the real server: a villager asks anonymously or logged in and
//! follows the answer with a receipt code; staff answer, let through or hide (audited); public
//! pages show only what askers allowed; an unanswered question escalates to the township on
//! its deadline (an injected clock); satisfaction is one changeable vote per household or
//! device; hostile input (script, overlong text, floods, guessed codes, replayed forms) is
//! refused with a clear message and the typed text kept. Run over SQLite and PostgreSQL.

mod common;

use std::sync::{Arc, Mutex};

use chrono::{Duration, TimeZone, Utc};
use common::code;
use common::server::{Client, start};
use yangguang_app::Site;
use yangguang_app::villagers::SmsSender;
use yangguang_core::staff::Role;
use yangguang_core::{DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_store::{QuestionState, Store};
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

#[derive(Default)]
struct Outbox(Mutex<Vec<(String, String)>>);

#[async_trait::async_trait]
impl SmsSender for Outbox {
    async fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        self.0.lock().unwrap().push((phone.to_owned(), text.to_owned()));
        Ok(())
    }
}

fn regions() -> Vec<yangguang_core::Region> {
    common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])
}

fn disclosure(village: &str, title: &str, kind: DisclosureKind, replaces: Option<i64>) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(village),
        column: "affairs-works".into(),
        catalog_item: None,
        period: None,
        title: title.into(),
        body_md: "村道维修费用 12000 元。".into(),
        state: DisclosureState::Published,
        created_at: at,
        published_at: Some(at),
        attachments: vec![],
        kind,
        replaces: replaces.map(yangguang_core::DisclosureId),
        reason: replaces.map(|_| "金额写错".into()),
        created_by: None,
        signoffs: vec![],
    }
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body.find(start).unwrap_or_else(|| panic!("no {start:?} in:\n{body}")) + start.len();
    let to = body[from..].find(end).unwrap() + from;
    &body[from..to]
}

fn token(body: &str) -> String {
    between(body, "name=\"token\" value=\"", "\"").to_owned()
}

fn device(n: u8) -> String {
    format!("yg_device={}", format!("{n:02x}").repeat(32))
}

struct World {
    site: Arc<Site>,
    base: String,
    outbox: Arc<Outbox>,
    item: i64,
    other_item: i64,
    correction: i64,
}

async fn world(store: impl Store + 'static, tune: impl FnOnce(&mut Site)) -> World {
    let mut site = common::site_over(store, "questions").await;
    let outbox = Arc::new(Outbox::default());
    site.sms = outbox.clone();
    tune(&mut site);
    let ids = site
        .add_disclosures(&[
            disclosure(VILLAGE, "村道维修公示", DisclosureKind::Original, None),
            disclosure(OTHER, "后山村公示", DisclosureKind::Original, None),
        ])
        .await
        .unwrap();
    let correction = site
        .add_disclosures(&[disclosure(VILLAGE, "村道维修公示（更正）", DisclosureKind::Correction, Some(ids[0].0))])
        .await
        .unwrap()[0];
    let site = Arc::new(site);
    let base = start(AppState::new(site.clone())).await;
    World { site, base, outbox, item: ids[0].0, other_item: ids[1].0, correction: correction.0 }
}

impl World {
    fn anon(&self, n: u8) -> Client {
        Client::new(&self.base, Some(device(n)))
    }

    async fn staff(&self, username: &str, role: Role, region: &str) -> Client {
        let state = AppState::new(self.site.clone());
        Client::new(&self.base, Some(common::staff_cookie(&state, username, role, region).await))
    }

    /// A logged-in villager of household 0007 (a live session, as `/my/verify` leaves it).
    async fn villager(&self) -> Client {
        let token = yangguang_app::auth::random_token();
        let session = yangguang_app::villagers::VillagerSession {
            household: format!("{VILLAGE}/0007"),
            expires: Utc::now() + Duration::days(1),
        };
        let name = format!("vsession:{}", yangguang_app::auth::token_hash(&token));
        self.site.store.put_state(&name, &serde_json::to_string(&session).unwrap(), Utc::now()).await.unwrap();
        Client::new(&self.base, Some(format!("yg_villager={token}; {}", device(99))))
    }

    /// Asks about the item; the answer page.
    async fn ask(&self, client: &Client, body: &str, public: bool) -> common::server::Reply {
        let on = format!("d:{}", self.item);
        let form = client.get(&format!("/v/{VILLAGE}/ask?on={on}")).await;
        assert_eq!(form.status, 200, "{}", form.body);
        let token = token(&form.body);
        let mut fields = vec![("on", on.as_str()), ("body", body), ("token", token.as_str())];
        if public {
            fields.push(("public", "1"));
        }
        client.post(&format!("/v/{VILLAGE}/ask"), &fields).await
    }
}

fn receipt_code(body: &str) -> String {
    between(body, "id=\"receipt-code\">", "</p>").to_owned()
}

async fn anonymous_question_answered_with_a_correction_then_seen_by_its_code(w: &World) {
    let anon = w.anon(1);
    // The entry point on the item's page.
    let page = anon.get(&format!("/v/{VILLAGE}/d/{}", w.item)).await;
    assert!(page.body.contains(&format!("/v/{VILLAGE}/ask?on=d%3A{}", w.item)), "no 我要质询 link");
    let sent = w.ask(&anon, "<script>alert('x')</script>这 12000 元包括哪些？", true).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = receipt_code(&sent.body);
    assert_eq!(code.len(), 24, "{code}");
    assert!(sent.body.contains("答复期限"));
    // Stored only as a hash; held for a look.
    let held = w.site.store.village_questions(code_of(VILLAGE), &[QuestionState::Held]).await.unwrap();
    assert_eq!(held.len(), 1);
    assert!(!held[0].new.receipt_hash.contains(&code.replace('-', "")));
    // Held: not on the public page yet.
    let page = anon.get(&format!("/v/{VILLAGE}/d/{}", w.item)).await;
    assert!(!page.body.contains("包括哪些"), "a held question is not public");

    // The clerk sees it counted in the navigation, escaped, and answers with the correction.
    let clerk = w.staff("clerk1", Role::VillageClerk, VILLAGE).await;
    let list = clerk.get("/console/questions").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("id=\"nav-questions\""), "the nav links the questions");
    assert!(list.body.contains("待处理 1"), "the badge counts it");
    assert!(escaped(&list.body), "villagers' text is escaped");
    assert!(!list.body.contains("<script>alert"), "never raw");
    let id = held[0].id;
    // A reply naming something that is not a correction of this village: refused, text kept.
    let bad = clerk
        .post(
            &format!("/console/questions/{id}/answer"),
            &[("csrf", "c"), ("reply", "已核实，金额有误，已更正。"), ("correction", &w.other_item.to_string())],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("不是本村已公开的更正"), "{}", bad.body);
    assert!(bad.body.contains("已核实，金额有误，已更正。"), "the typed reply is kept");
    // Without the CSRF token: refused.
    let forged = clerk.post(&format!("/console/questions/{id}/answer"), &[("reply", "x")]).await;
    assert_eq!(forged.status, 403);
    let ok = clerk
        .post(
            &format!("/console/questions/{id}/answer"),
            &[("csrf", "c"), ("reply", "已核实，金额有误，已更正。"), ("correction", &w.correction.to_string())],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let again = clerk
        .post(&format!("/console/questions/{id}/answer"), &[("csrf", "c"), ("reply", "再答一次"), ("correction", "")])
        .await;
    assert_eq!(again.status, 409, "answered once");

    // The villager sees the reply with the code, typed loosely.
    let status = anon.post("/q", &[("code", &code.to_lowercase().replace('-', " "))]).await;
    assert_eq!(status.status, 200, "{}", status.body);
    assert!(status.body.contains("已核实，金额有误，已更正。"), "{}", status.body);
    assert!(status.body.contains(&format!("/v/{VILLAGE}/d/{}", w.correction)), "the reply links the correction");
    // Public under the item, as allowed.
    let page = anon.get(&format!("/v/{VILLAGE}/d/{}", w.item)).await;
    assert!(page.body.contains("已核实，金额有误，已更正。"), "the answer is shown under the item");
    assert!(escaped(&page.body));
    let village = anon.get(&format!("/v/{VILLAGE}")).await;
    assert!(
        village.body.contains("已答复 1 条 · 逾期未答复 0 条"),
        "{}",
        between(&village.body, "question-counts", "</p>")
    );
    // Audited.
    let audit = w.site.store.list_audit(1, 50).await.unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"question.answer") && actions.contains(&"question.moderate"), "{actions:?}");
}

/// Villagers' `<script>` shown as text (askama escapes `<` as `&#60;`).
fn escaped(body: &str) -> bool {
    body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;")
}

fn code_of(s: &str) -> yangguang_core::RegionCode {
    code(s)
}

async fn private_questions_stay_private_and_hiding_shows_a_note(w: &World) {
    let anon = w.anon(2);
    let private = w.ask(&anon, "我不想公开：会计是谁？", false).await;
    assert_eq!(private.status, 200);
    let abusive = w.ask(&anon, "骂人的话", true).await;
    assert_eq!(abusive.status, 200);
    let questions = w.site.store.village_questions(code_of(VILLAGE), &[QuestionState::Held]).await.unwrap();
    let (abusive_id, private_id) = (questions[0].id, questions[1].id);
    let supervisor = w.staff("super1", Role::SupervisionMember, VILLAGE).await;
    // A staff member of another village cannot touch them.
    let outsider = w.staff("clerk2", Role::VillageClerk, OTHER).await;
    let refused = outsider
        .post(&format!("/console/questions/{abusive_id}/moderate"), &[("csrf", "c"), ("action", "approve")])
        .await;
    assert_eq!(refused.status, 404);
    let hide = supervisor
        .post(
            &format!("/console/questions/{abusive_id}/moderate"),
            &[("csrf", "c"), ("action", "hide"), ("reason", "abuse")],
        )
        .await;
    assert_eq!(hide.status, 303, "{}", hide.body);
    let approve = supervisor
        .post(&format!("/console/questions/{private_id}/moderate"), &[("csrf", "c"), ("action", "approve")])
        .await;
    assert_eq!(approve.status, 303);
    let page = anon.get(&format!("/v/{VILLAGE}/d/{}", w.item)).await;
    assert!(page.body.contains("已隐藏（原因：辱骂、攻击他人）"), "the hidden note with its category");
    assert!(!page.body.contains("骂人的话"), "the hidden text is not shown");
    assert!(!page.body.contains("会计是谁"), "a question not allowed public stays private");
    let kept = w.site.store.get_question(abusive_id).await.unwrap();
    assert_eq!(kept.new.body, "骂人的话", "hiding never deletes");
}

async fn hostile_input_is_refused_clearly_and_the_text_kept(w: &World) {
    let anon = w.anon(3);
    let on = format!("d:{}", w.item);
    let form = anon.get(&format!("/v/{VILLAGE}/ask?on={on}")).await;
    let t = token(&form.body);
    let long = "很".repeat(1001);
    let r = anon.post(&format!("/v/{VILLAGE}/ask"), &[("on", &on), ("body", &long), ("token", &t)]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("内容过长：共 1001 字"), "{}", between(&r.body, "<h1>", "</form>"));
    assert!(r.body.contains(&long), "the typed text is kept");
    // The refused form did not use up its token... but a fresh one is given; a replay of a
    // sent form is refused and records nothing twice.
    let t2 = token(&r.body);
    let ok = anon.post(&format!("/v/{VILLAGE}/ask"), &[("on", &on), ("body", "问题一"), ("token", &t2)]).await;
    assert_eq!(ok.status, 200);
    let replay = anon.post(&format!("/v/{VILLAGE}/ask"), &[("on", &on), ("body", "问题一"), ("token", &t2)]).await;
    assert_eq!(replay.status, 409);
    assert!(replay.body.contains("此表单已经提交过"), "{}", replay.body);
    assert!(replay.body.contains("问题一"), "kept");
    let forged = anon.post(&format!("/v/{VILLAGE}/ask"), &[("on", &on), ("body", "问题二"), ("token", "1.2.3")]).await;
    assert_eq!(forged.status, 409);
    assert!(forged.body.contains("表单已失效"));
    // Items that are not public here cannot be questioned, nor probed.
    assert_eq!(anon.get(&format!("/v/{VILLAGE}/ask?on=d:{}", w.other_item)).await.status, 404);
    assert_eq!(anon.get(&format!("/v/{VILLAGE}/ask?on=d:999999")).await.status, 404);
    assert_eq!(anon.get(&format!("/v/{VILLAGE}/ask?on=zzz")).await.status, 404);
    // Cross-site posts are refused.
    let cross = reqwest::Client::new()
        .post(format!("{}/v/{VILLAGE}/ask", w.base))
        .header("origin", "https://evil.example")
        .form(&[("on", on.as_str()), ("body", "x"), ("token", "t")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    // Guessing codes: malformed and unknown codes told apart from each other, then slowed.
    let r = anon.post("/q", &[("code", "<script>")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("查询码格式不对"));
    assert!(escaped(&r.body) && !r.body.contains("value=\"<script>"));
    let r = anon.post("/q", &[("code", "AAAA-BBBB-CCCC-DDDD-EEEE")]).await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("没有找到"));
}

async fn anonymous_floods_are_limited_per_device_and_address(w: &World) {
    // This world: 3 an hour per device, 6 per address.
    let code = receipt_code(&w.ask(&w.anon(12), "先问一条", true).await.body);
    let a = w.anon(10);
    for i in 0..3 {
        assert_eq!(w.ask(&a, &format!("第 {i} 问"), true).await.status, 200);
    }
    let r = w.ask(&a, "第四问", true).await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("匿名质询提交过于频繁") && r.body.contains("第四问"), "refused, text kept");
    let b = w.anon(11);
    assert_eq!(w.ask(&b, "另一台手机", true).await.status, 200);
    let r = w.ask(&b, "同一地址再问", true).await;
    assert_eq!(r.status, 429, "the address's limit");
    // Guessing receipt codes: every lookup counts against the address.
    let mut statuses = vec![];
    for i in 0..6 {
        statuses.push(b.post("/q", &[("code", &format!("AAAA-BBBB-CCCC-DDDD-EEE{i}"))]).await.status);
    }
    assert_eq!(statuses, [404, 404, 404, 404, 404, 429], "lookups are rate-limited per address");
    let r = b.post("/q", &[("code", &code)]).await;
    assert_eq!(r.status, 429, "even a right code waits: guessing cannot be told apart");
    assert!(r.body.contains("查询次数过多"));
}

async fn a_logged_in_villager_asks_for_the_household_and_is_texted_the_answer(w: &World) {
    let villager = w.villager().await;
    let form = villager.get(&format!("/v/{VILLAGE}/ask?on=d:{}", w.item)).await;
    assert!(form.body.contains("以本户名义提交"));
    let on = format!("d:{}", w.item);
    let t = token(&form.body);
    // A number not registered for the household is refused (nobody else is texted).
    let r = villager
        .post(
            &format!("/v/{VILLAGE}/ask"),
            &[("on", &on), ("body", "修路何时完工？"), ("token", &t), ("phone", "13800000009"), ("public", "1")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("只能填写本户登记的手机号码") && r.body.contains("修路何时完工？"));
    // The household's own number: texted once when answered, then erased.
    let phone = "13800000007";
    let record = yangguang_store::NewRecord {
        village: code(VILLAGE),
        key: yangguang_app::households::phone_hash(&w.site, phone),
        body: serde_json::json!({ "household": format!("{VILLAGE}/0007") }).to_string(),
    };
    w.site.store.upsert_records(yangguang_app::households::PHONE, &[record], Utc::now()).await.unwrap();
    let t = token(&r.body);
    let r = villager
        .post(
            &format!("/v/{VILLAGE}/ask"),
            &[("on", &on), ("body", "修路何时完工？"), ("token", &t), ("public", "1"), ("phone", phone)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("匿名质询先由工作人员"), "not held: a household asked");
    let mine = villager.get("/my/questions").await;
    assert!(mine.body.contains("修路何时完工？") && mine.body.contains("等待答复"), "{}", mine.body);
    let q = w.site.store.household_questions(&format!("{VILLAGE}/0007")).await.unwrap();
    assert_eq!(q[0].new.state, QuestionState::Open);
    let clerk = w.staff("clerk3", Role::VillageClerk, VILLAGE).await;
    w.outbox.0.lock().unwrap().clear();
    let ok = clerk
        .post(
            &format!("/console/questions/{}/answer", q[0].id),
            &[("csrf", "c"), ("reply", "下月底完工。"), ("correction", "")],
        )
        .await;
    assert_eq!(ok.status, 303);
    // The text goes out in the background.
    for _ in 0..100 {
        if !w.outbox.0.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let texts = w.outbox.0.lock().unwrap().clone();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].0 == phone && texts[0].1.contains("已有答复"), "{texts:?}");
    assert_eq!(w.site.store.get_question(q[0].id).await.unwrap().new.notify_phone, None, "erased once used");
    let mine = villager.get("/my/questions").await;
    assert!(mine.body.contains("下月底完工。"));
    // Anonymous readers have no /my/questions.
    assert_eq!(w.anon(5).get("/my/questions").await.status, 303);
}

async fn an_unanswered_question_escalates_to_the_township_on_its_deadline(w: &World) {
    let anon = w.anon(20);
    let sent = w.ask(&anon, "没人答复的问题", true).await;
    let code = receipt_code(&sent.body);
    let reviewer = w.staff("town1", Role::TownshipReviewer, "339921100000").await;
    let mut staff = w.site.store.find_staff("town1").await.unwrap().unwrap();
    staff.phone = Some("13900000001".into());
    w.site.store.update_staff(&staff).await.unwrap();
    w.outbox.0.lock().unwrap().clear();
    let now = Utc::now();
    assert_eq!(yangguang_app::questions::escalate_due(&w.site, now + Duration::days(9)).await.unwrap(), 0);
    let n =
        yangguang_app::questions::escalate_due(&w.site, now + Duration::days(10) + Duration::minutes(1)).await.unwrap();
    assert!(n >= 1, "escalated at the deadline");
    assert_eq!(yangguang_app::questions::escalate_due(&w.site, now + Duration::days(11)).await.unwrap(), 0, "once");
    let texts = w.outbox.0.lock().unwrap().clone();
    assert!(texts.iter().any(|(to, text)| to == "13900000001" && text.contains("已转交乡镇督办")), "{texts:?}");
    let status = anon.post("/q", &[("code", &code)]).await;
    assert!(status.body.contains("已逾期未答复") && status.body.contains("已转交乡镇督办"), "{}", status.body);
    let village = anon.get(&format!("/v/{VILLAGE}/questions")).await;
    assert!(!village.body.contains("逾期未答复 0 条"), "{}", between(&village.body, "question-counts", "</p>"));
    // The township reviewer sees it (read only).
    let list = reviewer.get("/console/questions").await;
    assert!(list.body.contains("没人答复的问题") && list.body.contains("已转交乡镇督办"));
    assert!(!list.body.contains("提交答复"), "township reviewers do not answer for the village");
}

async fn satisfaction_is_one_changeable_vote_per_household_or_device(w: &World) {
    let path = format!("/v/{VILLAGE}/d/{}/rate", w.item);
    let a = w.anon(30);
    assert_eq!(a.post(&path, &[("rating", "unsatisfied")]).await.status, 200);
    assert_eq!(a.post(&path, &[("rating", "satisfied")]).await.status, 200, "changed, not added");
    let b = w.anon(31);
    assert_eq!(b.post(&path, &[("rating", "fair")]).await.status, 200);
    let villager = w.villager().await;
    assert_eq!(villager.post(&path, &[("rating", "satisfied")]).await.status, 200);
    let bad = a.post(&path, &[("rating", "<b>great</b>")]).await;
    assert_eq!(bad.status, 422);
    let tally = w.site.store.item_satisfaction(&w.item.to_string()).await.unwrap();
    assert_eq!((tally.satisfied, tally.fair, tally.unsatisfied), (2, 1, 0));
    let page = a.get(&format!("/v/{VILLAGE}/d/{}", w.item)).await;
    assert!(page.body.contains("共 3 人评价"), "the item's aggregate");
    let village = a.get(&format!("/v/{VILLAGE}")).await;
    assert!(village.body.contains("满意 66%"), "the village's aggregate");
    assert_eq!(a.post(&format!("/v/{VILLAGE}/d/{}/rate", w.other_item), &[("rating", "fair")]).await.status, 404);
}

async fn everything(w: World) {
    anonymous_question_answered_with_a_correction_then_seen_by_its_code(&w).await;
    private_questions_stay_private_and_hiding_shows_a_note(&w).await;
    hostile_input_is_refused_clearly_and_the_text_kept(&w).await;
    a_logged_in_villager_asks_for_the_household_and_is_texted_the_answer(&w).await;
    an_unanswered_question_escalates_to_the_township_on_its_deadline(&w).await;
    satisfaction_is_one_changeable_vote_per_household_or_device(&w).await;
}

fn generous(site: &mut Site) {
    site.questions.anonymous_per_address_per_hour = 1000;
    site.questions.anonymous_per_device_per_hour = 1000;
}

#[tokio::test]
async fn questions_and_satisfaction_over_sqlite() {
    everything(world(common::store_with(&regions()).await, generous).await).await;
}

#[tokio::test]
async fn questions_and_satisfaction_over_postgres() {
    let Some((store, schema)) = common::postgres_store_with(&regions()).await else { return };
    everything(world(store, generous).await).await;
    schema.drop().await;
}

#[tokio::test]
async fn floods_over_sqlite() {
    let w = world(common::store_with(&regions()).await, |site| {
        site.questions.anonymous_per_address_per_hour = 6;
        site.questions.anonymous_per_device_per_hour = 3;
        site.questions.lookups_per_address_per_hour = 5;
    })
    .await;
    anonymous_floods_are_limited_per_device_and_address(&w).await;
}
