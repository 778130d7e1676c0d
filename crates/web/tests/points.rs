//! The points system (积分制) through the real server: a clerk saves the rules and records
//! events (with a photo whose EXIF is dropped), the household sees them after logging in with a
//! texted code, the public ranking masks names and leaves out a household that opted out, a
//! mistake is corrected by a counter-event (the event itself never changes), and bad input is
//! refused beside its field with what was typed kept: no reason, over the cap, more than the
//! rule, a household of another village, a redemption over the balance, another village's
//! clerk, a forged form.

mod common;

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use chrono::Datelike;
use common::server::{Client, Reply, start};
use common::{code, county_with, site_over, store_with};
use yangguang_app::Site;
use yangguang_app::villagers::SmsSender;
use yangguang_core::staff::Role;
use yangguang_store::AuditEntry;
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";
const PHONE: &str = "13800138000";
const OPTED_OUT_PHONE: &str = "13700137003";

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

struct World {
    site: Arc<Site>,
    base: String,
    outbox: Arc<Outbox>,
}

async fn world() -> World {
    let store = store_with(&county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    let mut site = site_over(store, "points").await;
    let outbox = Arc::new(Outbox::default());
    site.sms = outbox.clone();
    let members = format!(
        "户号,姓名,与户主关系,身份证号,联系电话\n001,王建明,户主,{},{PHONE}\n002,张伟,户主,{},\n003,欧阳秀英,户主,{},{OPTED_OUT_PHONE}\n",
        id("33992119650312001"),
        id("33992119800505003"),
        id("33992119700101005"),
    );
    let files = vec![("members.csv".to_owned(), members.into_bytes())];
    let done = yangguang_app::households::import_households(&site, None, code(VILLAGE), &files).await.unwrap();
    assert!(done.problems.is_empty(), "{:?}", done.problems);
    let elsewhere = format!("户号,姓名,与户主关系,身份证号\n101,赵六,户主,{}\n", id("33992119700101004"));
    let files = vec![("m.csv".to_owned(), elsewhere.into_bytes())];
    yangguang_app::households::import_households(&site, None, code(OTHER), &files).await.unwrap();
    let site = Arc::new(site);
    let base = start(AppState::new(site.clone())).await;
    World { site, base, outbox }
}

fn this_year() -> i32 {
    yangguang_app::today().year()
}

fn today() -> String {
    yangguang_app::today().to_string()
}

const RULES: &str = "环境卫生，庭院整洁户，+5\n志愿服务，参加志愿服务，+10，每月20\n移风易俗，违规焚烧秸秆，-10";

impl World {
    async fn staff(&self, username: &str, role: Role, region: &str) -> Client {
        let state = AppState::new(self.site.clone());
        Client::new(&self.base, Some(common::staff_cookie(&state, username, role, region).await))
    }

    /// A clerk of the village with the rules saved (in force from 1 January).
    async fn clerk_with_rules(&self) -> Client {
        let clerk = self.staff("clerk", Role::VillageClerk, VILLAGE).await;
        let from = format!("{}-01-01", this_year());
        let r = clerk
            .post(
                "/console/points/rules",
                &[("csrf", "c"), ("village", VILLAGE), ("effective_from", &from), ("rules", RULES)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        clerk
    }

    /// Logs in at `/my` with a texted code, as a villager does.
    async fn villager(&self, phone: &str) -> Client {
        let anon = Client::new(&self.base, None);
        let before = self.outbox.0.lock().unwrap().len();
        let r = anon.post("/my/code", &[("phone", phone)]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let mut code = String::new();
        for _ in 0..500 {
            if let Some(text) = self.outbox.0.lock().unwrap().get(before) {
                code = text.chars().filter(char::is_ascii_digit).take(6).collect();
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let r = anon.post("/my/verify", &[("phone", phone), ("code", &code)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let cookie = r.header("set-cookie").split(';').next().unwrap().to_owned();
        Client::new(&self.base, Some(cookie))
    }

    async fn audit(&self) -> Vec<AuditEntry> {
        self.site.store.list_audit(1, 200).await.unwrap().items
    }
}

/// Records an event through the console's form; the reply.
async fn record(clerk: &Client, household: &str, item: &str, points: &str, reason: &str) -> Reply {
    record_with(clerk, VILLAGE, household, item, points, reason, &[]).await
}

async fn record_with(
    clerk: &Client,
    village: &str,
    household: &str,
    item: &str,
    points: &str,
    reason: &str,
    files: &[(&str, &[u8])],
) -> Reply {
    let date = today();
    let fields = [
        ("csrf", "c"),
        ("village", village),
        ("household", household),
        ("item", item),
        ("date", date.as_str()),
        ("points", points),
        ("reason", reason),
    ];
    clerk.post_multipart("/console/points/event", &fields, files).await
}

/// A camera's JPEG with an EXIF block naming a place.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(60, 40, |x, y| image::Rgb([90, (x * 4) as u8, (y * 6) as u8]));
    let mut plain = Vec::new();
    img.write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg).unwrap();
    let payload = b"Exif\0\0GPS-31.2304N-121.4737E";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

fn key(number: &str) -> String {
    format!("{VILLAGE}/{number}")
}

#[tokio::test]
async fn a_clerk_records_points_and_the_household_sees_them_after_login() {
    let w = world().await;
    let clerk = w.clerk_with_rules().await;
    let page = clerk.get("/console/points").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"nav-points\""), "the console's navigation links the page");
    assert!(page.body.contains("<option>参加志愿服务</option>"));

    let r = record_with(&clerk, VILLAGE, "001", "参加志愿服务", "", "为独居老人送餐", &[("送餐.jpg", &photo())]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), format!("/console/points?village={VILLAGE}"));
    let events = w.site.store.household_point_events(&key("001")).await.unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.event.points, e.event.item.as_str(), e.event.reason.as_str()),
        (10, "参加志愿服务", "为独居老人送餐")
    );
    assert!(e.event.recorded_by.contains("clerk"), "who recorded it");
    let evidence = e.event.evidence.clone().expect("the photo is kept");
    let stored = w.site.files.get(&evidence.sha256).await.unwrap();
    assert!(!stored.windows(4).any(|win| win == b"Exif"), "the photo's EXIF is not kept");
    assert_eq!(yangguang_app::files::sha256_hex(&stored), evidence.sha256, "stored by its SHA-256");
    assert!(w.audit().await.iter().any(|a| a.action == "points-event" && a.target == key("001")));
    record(&clerk, "001", "违规焚烧秸秆", "", "田间焚烧秸秆，经网格员核实").await;

    // The household, logged in, sees its balance on /my and every entry with its reason.
    let villager = w.villager(PHONE).await;
    let my = villager.get("/my").await;
    assert_eq!(my.status, 200);
    assert!(my.body.contains("我家的积分") && my.body.contains("href=\"/my/points\""), "a card on /my");
    let mine = villager.get("/my/points").await;
    assert_eq!(mine.status, 200);
    for text in ["为独居老人送餐", "+10 分", "-10 分", "田间焚烧秸秆，经网格员核实", "参加志愿服务"]
    {
        assert!(mine.body.contains(text), "{text} on /my/points");
    }
    assert!(mine.body.contains("<dt>现有积分</dt><dd>0 分</dd>"), "balance: 10 earned − 10 deducted");
    let photo_link = format!("/my/points/evidence/{}", e.id);
    assert!(mine.body.contains(&photo_link));
    let shown = villager.get(&photo_link).await;
    assert_eq!((shown.status, shown.header("content-type").as_str()), (200, "image/jpeg"));
    assert!(shown.header("cache-control").contains("no-store"));
    // Another household's login opens neither the page's entries nor the evidence.
    let other = w.villager(OPTED_OUT_PHONE).await;
    assert_eq!(other.get(&photo_link).await.status, 404);
    assert!(!other.get("/my/points").await.body.contains("为独居老人送餐"));
    // Without a login: to the login page; the evidence is refused.
    let anon = Client::new(&w.base, None);
    assert_eq!(anon.get("/my/points").await.status, 303);
    assert_eq!(anon.get(&photo_link).await.status, 403);
    // The clerk opens it in the console; a clerk of another village cannot.
    assert_eq!(clerk.get(&format!("/console/points/evidence/{}", e.id)).await.status, 200);
    let stranger = w.staff("clerk-other", Role::VillageClerk, OTHER).await;
    assert_eq!(stranger.get(&format!("/console/points/evidence/{}", e.id)).await.status, 404);
}

#[tokio::test]
async fn the_public_ranking_masks_names_and_leaves_out_households_that_opted_out() {
    let w = world().await;
    let clerk = w.clerk_with_rules().await;
    for (household, item) in
        [("001", "参加志愿服务"), ("001", "庭院整洁户"), ("002", "庭院整洁户"), ("003", "参加志愿服务")]
    {
        assert_eq!(record(&clerk, household, item, "", "月度检查合格").await.status, 303);
    }
    let anon = Client::new(&w.base, None);
    let ranking = |body: &str| -> Vec<String> {
        body.split("<ol class=\"list ranking\">")
            .nth(1)
            .map(|rest| rest.split("</ol>").next().unwrap().split("<li>").skip(1).map(String::from).collect())
            .unwrap_or_default()
    };
    let page = anon.get(&format!("/v/{VILLAGE}/points")).await;
    assert_eq!(page.status, 200);
    let rows = ranking(&page.body);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains("王*明") && rows[0].contains("15 分"), "{}", rows[0]);
    assert!(rows[1].contains("欧**英") && rows[1].contains("10 分"));
    assert!(rows[2].contains("张*") && rows[2].contains("5 分"));
    assert!(page.body.contains("参加志愿服务") && page.body.contains("每户每月最多 20 分"), "the rules are public");

    // 欧阳秀英's household opts out at /my/points: gone from the public ranking entirely.
    let villager = w.villager(OPTED_OUT_PHONE).await;
    let r = villager.post("/my/points/ranking", &[("ranked", "0")]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("我家不参加公开排名"));
    assert!(w.audit().await.iter().any(|a| a.action == "points-ranking-out" && a.target == key("003")));
    let page = anon.get(&format!("/v/{VILLAGE}/points")).await;
    let rows = ranking(&page.body);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(!page.body.contains("欧"), "no trace of the household that opted out");
    assert!(rows[1].contains("第 2 名") && rows[1].contains("张*"));
    // No full name and no identity or phone number anywhere in the page, attributes included.
    for secret in ["王建明", "张伟", "欧阳秀英", PHONE, "33992119"] {
        assert!(!page.body.contains(secret), "{secret} leaked into the public page");
    }
    // Opting back in brings it back.
    villager.post("/my/points/ranking", &[("ranked", "1")]).await;
    assert_eq!(ranking(&anon.get(&format!("/v/{VILLAGE}/points")).await.body).len(), 3);
    // The column page links the points page.
    let column = anon.get(&format!("/v/{VILLAGE}/c/governance-points")).await;
    assert!(column.body.contains(&format!("href=\"/v/{VILLAGE}/points\"")));

    // The quarter's disclosure draft carries the masked ranking through the normal review.
    let r = clerk.post("/console/points/draft", &[("csrf", "c"), ("village", VILLAGE)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r.header("location").trim_start_matches("/console/d/").parse().unwrap();
    let d = w.site.store.get_disclosure(yangguang_core::DisclosureId(id)).await.unwrap();
    assert_eq!(d.state, yangguang_core::DisclosureState::Draft);
    assert_eq!(d.catalog_item.as_deref(), Some("points-ranking"));
    assert!(d.body_md.contains("王\\*明") || d.body_md.contains("王*明"), "{}", d.body_md);
    for secret in ["王建明", "张伟", "欧阳秀英"] {
        assert!(!d.body_md.contains(secret), "{secret} in the draft");
    }
}

#[tokio::test]
async fn a_mistake_is_corrected_by_a_counter_event_never_an_edit() {
    let w = world().await;
    let clerk = w.clerk_with_rules().await;
    record(&clerk, "002", "参加志愿服务", "", "参加防汛值守").await;
    let original = w.site.store.household_point_events(&key("002")).await.unwrap()[0].clone();
    let path = format!("/console/points/{}/correct", original.id);
    // A correction needs a reason, said beside the field.
    let r = clerk.post(&path, &[("csrf", "c"), ("reason", "  ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&format!("id=\"correct-{}-error\"", original.id)) && r.body.contains("事由必填"));
    let r = clerk.post(&path, &[("csrf", "c"), ("reason", "登记错户，应为001户")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let events = w.site.store.household_point_events(&key("002")).await.unwrap();
    assert_eq!(events.len(), 2);
    let counter = events.iter().find(|e| e.corrects == Some(original.id)).expect("a counter-event");
    assert_eq!((counter.event.points, counter.event.reason.as_str()), (-10, "登记错户，应为001户"));
    let kept = w.site.store.get_point_event(original.id).await.unwrap();
    assert_eq!(kept.event, original.event, "the event itself never changes");
    assert_eq!(kept.corrected_by, Some(counter.id));
    assert!(w.audit().await.iter().any(|a| a.action == "points-correction" && a.detail.contains("登记错户")));
    // Once only; a correction is not corrected.
    assert_eq!(clerk.post(&path, &[("csrf", "c"), ("reason", "再改")]).await.status, 422);
    let again = format!("/console/points/{}/correct", counter.id);
    assert_eq!(clerk.post(&again, &[("csrf", "c"), ("reason", "再改")]).await.status, 422);
    // The console shows the link both ways.
    let page = clerk.get("/console/points").await;
    assert!(page.body.contains(&format!("更正第 {} 条", original.id)));
    assert!(page.body.contains(&format!("已被第 {} 条更正", counter.id)));
    assert!(page.body.contains(&format!("href=\"#e{}\"", original.id)));
}

#[tokio::test]
async fn bad_input_is_refused_beside_its_field_and_nothing_is_lost() {
    let w = world().await;
    let clerk = w.clerk_with_rules().await;
    let stored = || async { w.site.store.village_point_events(code(VILLAGE), None, 100).await.unwrap().len() };

    // No reason: refused beside the field, what was typed kept, nothing stored.
    let r = record(&clerk, "001", "参加志愿服务", "8", "   ").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"event-reason-error\"") && r.body.contains("事由必填"), "{}", r.body);
    assert!(r.body.contains("value=\"001\"") && r.body.contains("value=\"8\""), "typed values kept");
    assert_eq!(stored().await, 0);
    // More than the rule gives.
    let r = record(&clerk, "001", "参加志愿服务", "15", "送餐").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"event-points-error\"") && r.body.contains("+1 到 +10"));
    // A household of another village.
    let r = record(&clerk, "101", "参加志愿服务", "", "送餐").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"event-household-error\"") && r.body.contains("没有户号为“101”的农户"));
    // Over the monthly cap of 20: what is left is said.
    assert_eq!(record(&clerk, "001", "参加志愿服务", "", "送餐").await.status, 303);
    assert_eq!(record(&clerk, "001", "参加志愿服务", "6", "送餐").await.status, 303);
    let r = record(&clerk, "001", "参加志愿服务", "", "送餐").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("每月最多 20 分，该户本月已有 16 分，还可登记 4 分"), "{}", r.body);
    assert_eq!(record(&clerk, "001", "参加志愿服务", "4", "送餐").await.status, 303);
    assert_eq!(stored().await, 3);

    // A redemption over the balance (20) is refused; within it, recorded and shown.
    let redeem = |points: &'static str| {
        let clerk = &clerk;
        async move {
            let date = today();
            let fields = [
                ("csrf", "c"),
                ("village", VILLAGE),
                ("household", "001"),
                ("date", date.as_str()),
                ("item", "大米一袋"),
                ("points", points),
            ];
            clerk.post("/console/points/redeem", &fields).await
        }
    };
    let r = redeem("25").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("积分不足：该户现有 20 分，本次兑换需要 25 分"), "{}", r.body);
    assert!(r.body.contains("value=\"大米一袋\""), "typed values kept");
    assert_eq!(redeem("15").await.status, 303);
    assert_eq!(redeem("6").await.status, 422);
    let page = clerk.get("/console/points").await;
    assert!(page.body.contains("<td data-label=\"现有积分\"><strong>5</strong></td>"), "balance in the console");
    assert!(w.audit().await.iter().any(|a| a.action == "points-redemption"));

    // Another village's clerk is refused, on the page and on every form.
    let stranger = w.staff("clerk-other", Role::VillageClerk, OTHER).await;
    assert_eq!(stranger.get(&format!("/console/points?village={VILLAGE}")).await.status, 403);
    let r = record_with(&stranger, VILLAGE, "001", "参加志愿服务", "", "送餐", &[]).await;
    assert_eq!(r.status, 403);
    let first = w.site.store.village_point_events(code(VILLAGE), None, 100).await.unwrap()[0].id;
    let r = stranger.post(&format!("/console/points/{first}/correct"), &[("csrf", "c"), ("reason", "x")]).await;
    assert_eq!(r.status, 404);
    // Staff who are not clerks do not keep points.
    let member = w.staff("member", Role::SupervisionMember, VILLAGE).await;
    assert_eq!(member.get("/console/points").await.status, 403);
    assert!(!member.get("/console").await.body.contains("nav-points"));
    // A forged form (wrong CSRF token) and no session at all record nothing.
    let r = clerk
        .post_multipart(
            "/console/points/event",
            &[("csrf", "forged"), ("village", VILLAGE), ("household", "002"), ("item", "庭院整洁户"), ("reason", "x")],
            &[],
        )
        .await;
    assert_eq!(r.status, 403);
    let anon = Client::new(&w.base, None);
    let r = anon.post("/console/points/redeem", &[("csrf", "c"), ("village", VILLAGE)]).await;
    assert!(r.status == 303 || r.status == 401 || r.status == 403, "{}", r.status);
    assert_eq!(stored().await, 3);

    // Rules: a version must take effect after the one in force; a bad line is named.
    let from = format!("{}-01-01", this_year());
    let r = clerk
        .post(
            "/console/points/rules",
            &[("csrf", "c"), ("village", VILLAGE), ("effective_from", &from), ("rules", RULES)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"rules-from-error\""));
    let later = format!("{}-12-31", this_year());
    let r = clerk
        .post(
            "/console/points/rules",
            &[("csrf", "c"), ("village", VILLAGE), ("effective_from", &later), ("rules", "环境卫生，庭院整洁户")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("第 1 行") && r.body.contains("环境卫生，庭院整洁户</textarea>"), "typed rules kept");
}

/// Every file the site's file store holds (evidence and thumbnails).
fn stored_files(root: &std::path::Path) -> usize {
    let Ok(dir) = std::fs::read_dir(root) else { return 0 };
    dir.flatten().map(|e| if e.path().is_dir() { stored_files(&e.path()) } else { 1 }).sum()
}

#[tokio::test]
async fn a_refused_event_leaves_no_evidence_file_behind() {
    let w = world().await;
    let clerk = w.clerk_with_rules().await;
    let root = w.site.files.local_root().expect("a local store").to_path_buf();
    // The monthly cap of 20 reached without evidence.
    assert_eq!(record(&clerk, "001", "参加志愿服务", "", "送餐").await.status, 303);
    assert_eq!(record(&clerk, "001", "参加志愿服务", "", "送餐").await.status, 303);
    let before = stored_files(&root);
    // Over the cap, with a photo: refused, and the photo is not stored.
    let r = record_with(&clerk, VILLAGE, "001", "参加志愿服务", "", "送餐", &[("送餐.jpg", &photo())]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"event-points-error\""), "{}", r.body);
    // Without a reason, with a photo: refused, nothing stored either.
    let r = record_with(&clerk, VILLAGE, "002", "参加志愿服务", "", " ", &[("送餐.jpg", &photo())]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(stored_files(&root), before, "no orphan file");
    // Within the cap the same photo is stored, under the name the event holds.
    let r = record_with(&clerk, VILLAGE, "002", "参加志愿服务", "", "送餐", &[("送餐.jpg", &photo())]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(stored_files(&root) > before, "the accepted event's photo is stored");
    let e = w.site.store.household_point_events(&key("002")).await.unwrap().remove(0);
    let sha = e.event.evidence.expect("evidence kept").sha256;
    assert_eq!(yangguang_app::files::sha256_hex(&w.site.files.get(&sha).await.unwrap()), sha);
}

#[tokio::test]
async fn a_mistaken_redemption_is_corrected_by_a_counter_entry_and_the_household_sees_it() {
    let w = world().await;
    let clerk = w.clerk_with_rules().await;
    assert_eq!(record(&clerk, "001", "参加志愿服务", "", "送餐").await.status, 303);
    let date = today();
    let fields = [
        ("csrf", "c"),
        ("village", VILLAGE),
        ("household", "001"),
        ("date", date.as_str()),
        ("item", "大米一袋"),
        ("points", "8"),
    ];
    assert_eq!(clerk.post("/console/points/redeem", &fields).await.status, 303);
    let redemption = w.site.store.household_redemptions(&key("001")).await.unwrap().remove(0);
    let path = format!("/console/points/redemption/{}/correct", redemption.id);
    assert!(clerk.get("/console/points").await.body.contains(&format!("action=\"{path}\"")), "offered beside it");
    // A reason is required, said beside the field.
    let r = clerk.post(&path, &[("csrf", "c"), ("reason", " ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&format!("id=\"redeem-correct-{}-error\"", redemption.id)) && r.body.contains("事由必填"));
    // Another village's clerk cannot.
    let stranger = w.staff("clerk-other", Role::VillageClerk, OTHER).await;
    assert_eq!(stranger.post(&path, &[("csrf", "c"), ("reason", "x")]).await.status, 404);
    let r = clerk.post(&path, &[("csrf", "c"), ("reason", "兑换的是另一户")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The redemption stays; its points are back; once only; audited.
    let kept = w.site.store.get_redemption(redemption.id).await.unwrap();
    assert_eq!(kept.redemption, redemption.redemption, "never edited");
    assert_eq!(kept.corrected.as_ref().map(|c| (c.points, c.reason.as_str())), Some((8, "兑换的是另一户")));
    assert_eq!(clerk.post(&path, &[("csrf", "c"), ("reason", "再改")]).await.status, 422);
    assert!(
        w.audit()
            .await
            .iter()
            .any(|a| a.action == "points-redemption-correction" && a.detail.contains("兑换的是另一户"))
    );
    let page = clerk.get("/console/points").await;
    assert!(page.body.contains("<td data-label=\"现有积分\"><strong>10</strong></td>"), "{}", page.body);
    assert!(!page.body.contains(&format!("action=\"{path}\"")), "no second correction offered");
    // The household sees it in its history.
    let household = w.villager(PHONE).await;
    let mine = household.get("/my/points").await;
    assert_eq!(mine.status, 200);
    assert!(
        mine.body.contains("<del>大米一袋</del>") && mine.body.contains("退回 8 分。原因：兑换的是另一户"),
        "{}",
        mine.body
    );
}
