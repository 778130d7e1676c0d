//! 监督举报: a report's text, files and the reporter's identity are sealed before they are
//! stored — nothing of them is in the database's files, the attachment store or the platform
//! key — and come back whole with the commission's key file and passphrase, in the console,
//! for discipline-commission staff only; replies are read with the receipt code only; hostile
//! input is refused with the typed text kept.

mod common;

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use common::server::{self, Client};
use yangguang_app::tips::seal::{self, KdfParams};
use yangguang_app::tips::{FileInfo, Report};
use yangguang_core::staff::Role;
use yangguang_store::{RegionStore, Store};
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const PASSPHRASE: &str = "纪委监委 commission passphrase";

/// A PNG whose pixels spell a pattern no other file has.
fn evidence_png() -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(37, 23, |x, y| image::Rgb([(x * 7) as u8, (y * 11) as u8, ((x ^ y) * 13) as u8]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn evidence_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Note (PDF-EVIDENCE-7Q3X: cash ledger page 4) >>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec()
}

/// A state whose commission has a key; the key file's text.
async fn state_with_key(store: impl Store + 'static, name: &str) -> (AppState, String) {
    let mut site = common::site_over(store, name).await;
    // Each test's requests come from one address: room for the cases, then the flood.
    site.tips.submissions_per_hour = 8;
    let (key_file, public) = seal::create_key_file(PASSPHRASE, KdfParams::LEAST).unwrap();
    site.tips.public_key = Some(public);
    (AppState::new(Arc::new(site)), key_file)
}

fn between<'a>(body: &'a str, before: &str, after: &str) -> &'a str {
    let start = body.find(before).unwrap_or_else(|| panic!("{before} not in {body}")) + before.len();
    let len = body[start..].find(after).unwrap();
    &body[start..start + len]
}

async fn form_token(anyone: &Client) -> String {
    let page = anyone.get("/tips").await;
    assert_eq!(page.status, 200);
    between(&page.body, "name=\"token\" value=\"", "\"").to_owned()
}

/// Every way the bytes might be written down: as they are, in hex, in base64 (from each
/// starting alignment).
fn encodings(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![bytes.to_vec(), hex::encode(bytes).into_bytes(), hex::encode_upper(bytes).into_bytes()];
    for skip in 0..3 {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes[skip..]);
        out.push(b64.as_bytes()[..b64.len().saturating_sub(4)].to_vec());
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every byte of every file under `dir`: the database, its write-ahead log, stored files, keys.
fn every_byte(dir: &Path, out: &mut Vec<u8>) {
    if !dir.exists() {
        return;
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            every_byte(&path, out);
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
}

#[tokio::test]
async fn a_sealed_report_is_unreadable_without_the_commission_key_and_whole_with_it() {
    let dir =
        std::env::temp_dir().join(format!("yg-tips-{}-{}", std::process::id(), chrono::Utc::now().timestamp_micros()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = yangguang_store_sqlite::SqliteStore::open(&dir.join("yangguang.db")).await.unwrap();
    store.migrate().await.unwrap();
    store.upsert_regions(&common::county_with(&[(VILLAGE, "前山村")])).await.unwrap();
    let (state, key_file) = state_with_key(store, "tips-sealed").await;
    let base = server::start(state.clone()).await;
    let anyone = Client::new(&base, None);

    let text = "村主任张某某在 2025 年修路工程中虚报工程款 38 万元 SECRET-TEXT-91KX <script>alert('x')</script>";
    let (name, phone, about) = ("举报人王秀英", "13912345678", "前山村村委会 ABOUT-5TRW");
    let token = form_token(&anyone).await;
    let png = evidence_png();
    let pdf = evidence_pdf();
    let fields = [
        ("token", token.as_str()),
        ("text", text),
        ("about", about),
        ("identity", "named"),
        ("name", name),
        ("phone", phone),
    ];
    let sent = anyone.post_multipart("/tips", &fields, &[("现场.png", &png), ("账页.pdf", &pdf)]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = between(&sent.body, "class=\"receipt-code\" aria-labelledby=\"code-label\">", "<").to_owned();
    assert_eq!(code.len(), 29, "24 characters in groups of four: {code}");
    assert_eq!(sent.header("cache-control"), "no-store");

    // What was stored: the image as re-encoded (no metadata), the PDF as sent.
    let stored_png = yangguang_app::uploads::check("现场.png", png.clone(), &Default::default()).unwrap().bytes;

    // ── Nothing of it can be read from the database, the files or the platform key ──
    let mut everything = vec![];
    every_byte(&dir, &mut everything);
    every_byte(state.site.files.local_root().unwrap(), &mut everything);
    everything.extend(state.site.key.secret());
    assert!(everything.len() > 10_000, "the database was read");
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("text", "SECRET-TEXT-91KX".as_bytes().to_vec()),
        ("text in Chinese", "虚报工程款".as_bytes().to_vec()),
        ("name", name.as_bytes().to_vec()),
        ("phone", phone.as_bytes().to_vec()),
        ("about", "ABOUT-5TRW".as_bytes().to_vec()),
        ("image", stored_png[stored_png.len() / 2..stored_png.len() / 2 + 48].to_vec()),
        ("original image", png[png.len() / 2..png.len() / 2 + 48].to_vec()),
        ("pdf", b"PDF-EVIDENCE-7Q3X".to_vec()),
    ];
    for (what, secret) in &secrets {
        for form in encodings(secret) {
            assert!(!contains(&everything, &form), "the {what} is readable in the stored bytes");
        }
    }
    // The platform key does not open it, nor does the reporter's code.
    let stored = state.site.store.list_tips().await.unwrap();
    assert_eq!(stored.len(), 1);
    let platform_as_x25519 = seal::SecretKey::from(*state.site.key.secret());
    assert!(seal::open(&platform_as_x25519, &stored[0].sealed).is_err());
    let from_code = seal::reply_secret(&seal::normalise_code(&code).unwrap());
    assert!(seal::open(&from_code, &stored[0].sealed).is_err());

    // ── With the commission's key file and passphrase, all of it comes back ──
    let secret = seal::open_key_file(&key_file, PASSPHRASE).unwrap();
    let report: Report = seal::open_json(&secret, &stored[0].sealed).unwrap();
    assert_eq!(report.text, text);
    assert_eq!(report.about, about);
    let reporter = report.reporter.clone().unwrap();
    assert_eq!((reporter.name.as_str(), reporter.phone.as_str()), (name, phone));
    assert_eq!(
        report.files,
        [
            FileInfo { name: "现场.png".into(), media_type: "image/png".into(), size: stored_png.len() },
            FileInfo { name: "账页.pdf".into(), media_type: "application/pdf".into(), size: pdf.len() },
        ]
    );
    let sealed_png = state.site.store.tip_attachment(stored[0].id, 0).await.unwrap();
    assert_eq!(seal::open(&secret, &sealed_png).unwrap(), stored_png);
    assert!(seal::open_key_file(&key_file, "not the passphrase at all").is_err());

    // ── The console: the commission only, unlocked per session ──
    let commission = Client::new(
        &base,
        Some(common::staff_cookie(&state, "jiwei", Role::DisciplineCommission, "339921000000").await),
    );
    let admin =
        Client::new(&base, Some(common::staff_cookie(&state, "admin", Role::PlatformAdmin, "339921000000").await));
    let clerk = Client::new(&base, Some(common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await));
    let id = stored[0].id;
    for other in [&admin, &clerk] {
        for path in ["/console/tips".to_string(), format!("/console/tips/{id}"), format!("/console/tips/{id}/a/0")] {
            let r = other.get(&path).await;
            assert_eq!(r.status, 403, "{path}");
            assert!(!r.body.contains("SECRET-TEXT"));
        }
        let r = other
            .post_multipart(
                "/console/tips/unlock",
                &[("csrf", "c"), ("key_text", &key_file), ("passphrase", PASSPHRASE)],
                &[],
            )
            .await;
        assert_eq!(r.status, 403);
        let r = other.post(&format!("/console/tips/{id}/reply"), &[("csrf", "c"), ("reply", "x")]).await;
        assert_eq!(r.status, 403);
        let home = other.get("/console").await;
        assert!(!home.body.contains("/console/tips"), "no link for other roles");
    }

    let locked = commission.get("/console/tips").await;
    assert_eq!(locked.status, 200);
    assert!(locked.body.contains(&format!("#{id}")) && !locked.body.contains("SECRET-TEXT"));
    assert!(
        locked.body.contains("href=\"/console/tips\">监督举报 <span class=\"badge\">1</span>"),
        "the new report is counted"
    );
    assert_eq!(commission.get(&format!("/console/tips/{id}")).await.status, 403, "locked: not readable");

    let wrong = commission
        .post_multipart(
            "/console/tips/unlock",
            &[("csrf", "c"), ("passphrase", "wrong passphrase here")],
            &[("jiwei.key", key_file.as_bytes())],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("口令不对"), "{}", wrong.body);
    let forged = commission
        .post_multipart(
            "/console/tips/unlock",
            &[("csrf", "x"), ("passphrase", PASSPHRASE)],
            &[("k", key_file.as_bytes())],
        )
        .await;
    assert_eq!(forged.status, 403, "CSRF checked");
    let other_key = seal::create_key_file(PASSPHRASE, KdfParams::LEAST).unwrap().0;
    let r = commission
        .post_multipart(
            "/console/tips/unlock",
            &[("csrf", "c"), ("key_text", &other_key), ("passphrase", PASSPHRASE)],
            &[],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不对应"));

    let r = commission
        .post_multipart(
            "/console/tips/unlock",
            &[("csrf", "c"), ("passphrase", PASSPHRASE)],
            &[("jiwei.key", key_file.as_bytes())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = commission.get("/console/tips").await;
    assert!(list.body.contains("SECRET-TEXT-91KX"), "the summary is opened");
    let page = commission.get(&format!("/console/tips/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(name) && page.body.contains(phone) && page.body.contains("ABOUT-5TRW"));
    assert!(page.body.contains("&#60;script&#62;alert") && !page.body.contains("<script>alert"), "plain text, escaped");
    let file = commission.get(&format!("/console/tips/{id}/a/0")).await;
    assert_eq!((file.status, file.bytes.as_slice()), (200, stored_png.as_slice()));
    assert!(file.header("content-disposition").starts_with("attachment"));
    assert_eq!(commission.get(&format!("/console/tips/{id}/a/2")).await.status, 404);

    // ── Replies: sealed, read with the code only ──
    let reply_text = "已受理，请于周三上午到县纪委信访室补充材料 REPLY-8MZA";
    let r = commission.post(&format!("/console/tips/{id}/reply"), &[("csrf", "c"), ("reply", reply_text)]).await;
    assert_eq!(r.status, 303);
    let r = commission.post(&format!("/console/tips/{id}/status"), &[("csrf", "c"), ("status", "investigating")]).await;
    assert_eq!(r.status, 303);
    assert!(commission.get(&format!("/console/tips/{id}")).await.body.contains("REPLY-8MZA"));
    let mut everything = vec![];
    every_byte(&dir, &mut everything);
    for form in encodings("REPLY-8MZA".as_bytes()) {
        assert!(!contains(&everything, &form), "the reply is readable in the database");
    }
    let check = anyone.post("/tips/status", &[("code", &code.to_lowercase())]).await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert!(check.body.contains("REPLY-8MZA") && check.body.contains("调查核实中"));
    let guess = seal::normalise_code(&seal::new_receipt_code()).unwrap();
    let wrong = anyone.post("/tips/status", &[("code", &guess)]).await;
    assert_eq!(wrong.status, 404);
    assert!(!wrong.body.contains("REPLY-8MZA") && wrong.body.contains("没有找到"));

    // Locking drops the key; every access was audited.
    assert_eq!(commission.post("/console/tips/lock", &[("csrf", "c")]).await.status, 303);
    assert_eq!(commission.get(&format!("/console/tips/{id}")).await.status, 403);
    let audit = state.site.store.list_audit(1, 200).await.unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|a| a.action.as_str()).collect();
    for action in [
        "tips.list",
        "tips.unlock_failed",
        "tips.unlock",
        "tips.read",
        "tips.attachment",
        "tips.reply",
        "tips.status",
        "tips.lock",
    ] {
        assert!(actions.contains(&action), "{action} not audited: {actions:?}");
    }
    assert!(audit.items.iter().all(|a| !a.detail.contains("SECRET-TEXT") && !a.detail.contains("REPLY-8MZA")));
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn hostile_reports_are_refused_with_the_typed_text_kept() {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    let (state, _) = state_with_key(store, "tips-hostile").await;
    let base = server::start(state.clone()).await;
    let anyone = Client::new(&base, None);
    let typed = "会计李某把集体收入存入个人账户 KEPT-TEXT-3PLM";

    let too_long = format!("{typed}{}", "长".repeat(5000));
    let r = anyone.post_multipart("/tips", &[("token", &form_token(&anyone).await), ("text", &too_long)], &[]).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("最多 5000 字") && r.body.contains("KEPT-TEXT-3PLM"),
        "{}",
        &r.body[..400.min(r.body.len())]
    );

    let fake = b"\xFF\xD8\xFF\xE0 this is not really a jpeg".to_vec();
    let r = anyone
        .post_multipart(
            "/tips",
            &[("token", &form_token(&anyone).await), ("text", typed), ("about", "前山村")],
            &[("照片.jpg", &fake)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("照片.jpg")
            && r.body.contains("损坏")
            && r.body.contains("KEPT-TEXT-3PLM")
            && r.body.contains("value=\"前山村\"")
    );

    let page = b"<html><script>alert(1)</script></html>".to_vec();
    let r = anyone
        .post_multipart("/tips", &[("token", &form_token(&anyone).await), ("text", typed)], &[("a.html", &page)])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不是支持的文件类型") && r.body.contains("KEPT-TEXT-3PLM"));

    let r = anyone
        .post_multipart(
            "/tips",
            &[("token", &form_token(&anyone).await), ("text", typed), ("identity", "named"), ("name", "王某")],
            &[],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("手机号码") && r.body.contains("value=\"王某\""));
    assert!(state.site.store.list_tips().await.unwrap().is_empty(), "nothing refused was stored");

    // One report per form: a replayed form is refused.
    let token = form_token(&anyone).await;
    assert_eq!(anyone.post_multipart("/tips", &[("token", &token), ("text", typed)], &[]).await.status, 200);
    let again = anyone.post_multipart("/tips", &[("token", &token), ("text", typed)], &[]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("已经提交过") && again.body.contains("KEPT-TEXT-3PLM"));
    assert_eq!(anyone.post_multipart("/tips", &[("token", "1.2.3"), ("text", typed)], &[]).await.status, 409);
    assert_eq!(state.site.store.list_tips().await.unwrap().len(), 1);

    // A flood from one address: stopped within the hour (the refusals above counted too).
    let mut statuses = vec![];
    for _ in 0..3 {
        statuses.push(
            anyone.post_multipart("/tips", &[("token", &form_token(&anyone).await), ("text", typed)], &[]).await.status,
        );
    }
    assert_eq!(statuses, [200, 200, 429], "8 forms an hour from one address, refused ones included");
    let flooded = anyone.post_multipart("/tips", &[("token", &form_token(&anyone).await), ("text", typed)], &[]).await;
    assert!(flooded.body.contains("一小时内最多提交") && flooded.body.contains("KEPT-TEXT-3PLM"));

    // Guessing receipt codes: a malformed one is explained, and checks are limited.
    let r = anyone.post("/tips/status", &[("code", "12345")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("24 位"));
    let mut last = 0;
    for _ in 0..25 {
        last = anyone.post("/tips/status", &[("code", &seal::new_receipt_code())]).await.status;
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn without_a_commission_key_the_form_is_closed() {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    let state = AppState::new(Arc::new(common::site_over(store, "tips-closed").await));
    let base = server::start(state.clone()).await;
    let anyone = Client::new(&base, None);
    let page = anyone.get("/tips").await;
    assert!(page.body.contains("尚未开通") && !page.body.contains("enctype"));
    let r = anyone
        .post_multipart(
            "/tips",
            &[("token", &yangguang_app::tips::guard::form_token(&state.site, chrono::Utc::now())), ("text", "x")],
            &[],
        )
        .await;
    assert_eq!(r.status, 503);
    assert!(state.site.store.list_tips().await.unwrap().is_empty());
}
