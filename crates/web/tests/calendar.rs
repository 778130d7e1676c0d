//! The disclosure calendar through the real router, on a small hand-built county whose rates
//! are counted by hand (`calendar_county`): a planted gap shows as 未按时公开 with the right days
//! on the public pages, a late publication counts as late, quiet months are due with their
//! quarter, months with no vouchers do not count, and the town, county and console figures agree.

mod calendar_county;
mod common;

use axum::http::StatusCode;
use calendar_county::*;
use yangguang_core::staff::Role;

#[tokio::test]
async fn the_planted_gap_shows_on_the_village_pages_with_its_days() {
    let c = county().await;
    let gap = format!("{}收支明细及原始票据", month(6).label_zh());
    let (status, _, home) = get(&c.state, &format!("/v/{A}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(&gap), "{home}");
    assert!(home.contains(&format!("未按时公开，已逾期 {} 天", c.gap_days)), "{home}");
    assert!(home.contains(&format!("待审核，已逾期 {} 天", c.waiting_days)), "the waiting month is a gap too");
    // A: 6 due — 3 on time, 1 late, 2 not published (one waiting): 50.0% on time, 66.7% published.
    assert!(home.contains("及时率") && home.contains("50.0%") && home.contains("66.7%"), "{home}");
    assert!(home.contains("应公开 6 项：按时 3 项，逾期公开 1 项，未公开 2 项"), "{home}");

    // The month's own page says so, instead of "not found".
    let (status, _, page) = get(&c.state, &format!("/v/{A}/finance/{}", month(6)), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("{}收支明细未按时公开", month(6).label_zh())), "{page}");
    assert!(page.contains(&format!("已逾期 {} 天", c.gap_days)) && page.contains(&busy_deadline(month(6)).to_string()));
    assert!(!page.contains("没有找到这个页面"));
    // A month with nothing to publish says that; a month not begun is not found.
    let (status, _, empty) = get(&c.state, &format!("/v/{A}/finance/{}", month(2)), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("没有收支凭证"), "{empty}");
    let next = month(0).next();
    assert_eq!(get(&c.state, &format!("/v/{A}/finance/{next}"), None).await.0, StatusCode::NOT_FOUND);

    // A published month's 12-month table marks the gap and never shows its figures.
    let (status, _, march) = get(&c.state, &format!("/v/{A}/finance/{}", month(3)), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!march.contains("23,310.00"), "the unpublished month's income (30 × 777) is not shown");
    assert!(march.contains("3,000.00"), "a published month's income is");
    assert!(march.contains("✕ 未公开") && march.contains("… 待审核"), "{march}");
    assert!(march.contains(&gap), "the finance pages list the gap");
    // The column page lists it too.
    let (_, _, column) = get(&c.state, &format!("/v/{A}/c/finance-income"), None).await;
    assert!(column.contains(&gap) && column.contains(&format!("已逾期 {} 天", c.gap_days)), "{column}");
    // B: quiet months due with their quarter: all on time; its empty months do not count.
    let (_, _, b) = get(&c.state, &format!("/v/{B}"), None).await;
    assert!(b.contains("应公开 4 项：按时 4 项，逾期公开 0 项，未公开 0 项") && b.contains("100.0%"), "{b}");
    // C: published 20 days late.
    let (_, _, cv) = get(&c.state, &format!("/v/{C}"), None).await;
    assert!(cv.contains("应公开 1 项：按时 0 项，逾期公开 1 项，未公开 0 项") && cv.contains("0.0%"), "{cv}");
}

#[tokio::test]
async fn town_and_county_pages_rank_their_villages_with_the_same_figures() {
    let c = county().await;
    let (status, _, town) = get(&c.state, &format!("/r/{TOWN}"), None).await;
    assert_eq!(status, StatusCode::OK);
    // 青山镇 = A + B: 10 due, 7 on time, 8 published.
    assert!(town.contains("应公开 10 项：按时 7 项，逾期公开 1 项，未公开 2 项"), "{town}");
    assert!(town.contains("70.0%") && town.contains("80.0%"));
    // Sorted by 及时率, worst first: 前山村 (50%) before 后山村 (100%).
    let (_, _, sorted) = get(&c.state, &format!("/r/{TOWN}?sort=timely"), None).await;
    let (a, b) = (sorted.find("前山村</a>").unwrap(), sorted.find("后山村</a>").unwrap());
    assert!(a < b);
    let (_, _, by_name) = get(&c.state, &format!("/r/{TOWN}?sort=gaps"), None).await;
    assert!(by_name.find("前山村</a>").unwrap() < by_name.find("后山村</a>").unwrap(), "most gaps first");
    // The county: 11 due, 7 on time, 9 published; its towns and villages listed.
    let (_, _, county) = get(&c.state, &format!("/r/{COUNTY}"), None).await;
    assert!(county.contains("应公开 11 项：按时 7 项，逾期公开 2 项，未公开 2 项"), "{county}");
    assert!(county.contains("63.6%") && county.contains("81.8%"));
    assert!(county.contains("青山镇</a></th><td>70.0%</td><td>80.0%</td>"), "{county}");
    assert!(county.contains("绿水村</a>") && county.contains("各乡镇（街道）公开情况"));
    // A publication makes the county's page fresh again.
    c.state.site.add_disclosures(&[accounts(A, month(6), today())]).await.unwrap();
    let (_, _, after) = get(&c.state, &format!("/r/{COUNTY}"), None).await;
    assert!(after.contains("应公开 11 项：按时 7 项，逾期公开 3 项，未公开 1 项"), "{after}");
}

#[tokio::test]
async fn the_console_calendar_shows_the_grid_and_downloads_it_in_scope() {
    let c = county().await;
    let township = common::staff_cookie(&c.state, "township", Role::TownshipReviewer, TOWN).await;
    let (status, _, grid) = get(&c.state, "/console/calendar", Some(&township)).await;
    assert_eq!(status, StatusCode::OK, "{grid}");
    assert!(grid.contains("前山村") && grid.contains("后山村") && !grid.contains("绿水村"), "its town only");
    assert!(grid.contains("✕ 1"), "a month with a gap says so in words: {grid}");
    let (status, _, drill) =
        get(&c.state, &format!("/console/calendar/village/{A}?from={}&to={}", month(11), month(0)), Some(&township))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        drill.contains(&format!("未按时公开，已逾期 {} 天", c.gap_days)) && drill.contains("查看待审稿"),
        "{drill}"
    );
    assert!(drill.contains("查看公开内容") && drill.contains("/console/d/"));

    let (status, media, csv) = get(&c.state, &format!("/console/calendar.csv?region={TOWN}"), Some(&township)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.starts_with("text/csv"));
    let body = csv.strip_prefix('\u{feff}').unwrap();
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(body.as_bytes()).records().map(|r| r.unwrap()).collect();
    let gap = rows.iter().find(|r| &r[0] == A && r[5] == month(6).label_zh()).expect("the gap's row");
    assert_eq!(&gap[8], c.gap_days.to_string().as_str());
    assert!(gap[7].starts_with("未按时公开"));
    assert!(rows.iter().all(|r| &r[0] != C), "another town's village is not exported");
    let (status, media, xlsx) = get(&c.state, &format!("/console/calendar.xlsx?region={TOWN}"), Some(&township)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.contains("spreadsheetml") && xlsx.starts_with("PK"));
    let audit = c.state.site.store.list_audit(1, 10).await.unwrap();
    assert!(audit.items.iter().any(|e| e.action == "export-calendar"), "downloads are audited");

    // Out of scope: another town, and a clerk; a bad month keeps what was typed.
    let (status, _, _) = get(&c.state, &format!("/console/calendar?region={OTHER_TOWN}"), Some(&township)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let clerk = common::staff_cookie(&c.state, "clerk", Role::VillageClerk, A).await;
    assert_eq!(get(&c.state, "/console/calendar", Some(&clerk)).await.0, StatusCode::FORBIDDEN);
    let (status, _, bad) = get(&c.state, "/console/calendar?from=2026-13&to=2026-05", Some(&township)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bad.contains("月份应写成 2026-05") && bad.contains("value=\"2026-13\""), "{bad}");
    // The clerk's work list names the gap with its days.
    let (_, _, work) = get(&c.state, "/console", Some(&clerk)).await;
    assert!(work.contains(&format!("未按时公开，已逾期 {} 天", c.gap_days)), "{work}");
}
