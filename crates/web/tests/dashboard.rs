//! The supervision dashboard through the real router, on the calendar's hand-counted county
//! (`calendar_county`): each supervisor sees only their area, clerks are refused, villages
//! are coloured by the rule with its reasons in words, a village's page gives each late or
//! missing item's evidence, and the trend chart's points are the figures of the table beneath.
//! Also the village home's "due this month", which must agree with the calendar's cells.

mod calendar_county;
mod common;

use axum::http::StatusCode;
use calendar_county::*;
use yangguang_core::staff::Role;

/// The text of the grid tile of `name` (from its link to the end of the tile).
fn tile<'a>(page: &'a str, name: &str) -> &'a str {
    let at = page.find(&format!("<strong>{name}</strong>")).unwrap_or_else(|| panic!("{name} on {page}"));
    let end = page[at..].find("</li>").unwrap();
    &page[at..at + end]
}

#[tokio::test]
async fn a_town_supervisor_sees_their_town_coloured_by_the_rule() {
    let c = county().await;
    let township = common::staff_cookie(&c.state, "township", Role::TownshipReviewer, TOWN).await;
    let (status, _, page) = get(&c.state, "/console/dashboard", Some(&township)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("前山村") && page.contains("后山村") && !page.contains("绿水村"), "its town only");
    // 前山村: 6 due, 3 on time, 1 late, 2 not published: 公开率 66.7% < 80% — red, and why.
    let a = tile(&page, "前山村");
    assert!(a.contains("✕ 红·需督办") && a.contains("公开率 66.7%，低于 80.0%"), "{a}");
    assert!(a.contains("逾期未公开 2 项") && a.contains("及时率 50.0%"), "{a}");
    // 后山村: 4 due, all on time: green.
    let b = tile(&page, "后山村");
    assert!(b.contains("✓ 绿·正常") && b.contains("按时公开，无预警"), "{b}");
    assert!(page.contains("红 1 个 · 黄 0 个 · 绿 1 个"), "{page}");
    // Its open warnings count too: 后山村's payments have no receipt scans — red, and why.
    c.state.site.warnings.release();
    c.state.site.announce().await;
    let (_, _, after) = get(&c.state, "/console/dashboard", Some(&township)).await;
    let b = tile(&after, "后山村");
    assert!(b.contains("✕ 红·需督办") && b.contains("红色预警"), "{b}");
    // The rule is stated on the page, with its thresholds.
    assert!(page.contains("或逾期未公开达 3 项，或公开率低于 80.0%") && page.contains("或及时率低于 90.0%"));
    // The village tile leads to the village's page; the nav links the dashboard.
    assert!(
        page.contains(&format!("href=\"/console/dashboard/v/{A}\"")) && page.contains("href=\"/console/dashboard\"")
    );

    // Out of the area: another town, its village; a bad code is a clear 400.
    for path in [format!("/console/dashboard/r/{OTHER_TOWN}"), format!("/console/dashboard/v/{C}")] {
        assert_eq!(get(&c.state, &path, Some(&township)).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        get(&c.state, &format!("/console/dashboard?region={COUNTY}"), Some(&township)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(get(&c.state, "/console/dashboard?region=abc", Some(&township)).await.0, StatusCode::BAD_REQUEST);
    // A village clerk, and nobody signed in, are refused.
    let clerk = common::staff_cookie(&c.state, "clerk", Role::VillageClerk, A).await;
    for path in
        ["/console/dashboard".to_owned(), format!("/console/dashboard/v/{A}"), format!("/console/dashboard/r/{TOWN}")]
    {
        assert_eq!(get(&c.state, &path, Some(&clerk)).await.0, StatusCode::FORBIDDEN, "{path}");
        assert_ne!(get(&c.state, &path, None).await.0, StatusCode::OK, "{path}");
    }
    let (_, _, work) = get(&c.state, "/console", Some(&clerk)).await;
    assert!(!work.contains("href=\"/console/dashboard\""), "no dashboard link for a clerk");
}

#[tokio::test]
async fn the_county_and_the_commission_see_every_town_grouped() {
    let c = county().await;
    for (name, role) in [("county", Role::CountyOperator), ("commission", Role::DisciplineCommission)] {
        let cookie = common::staff_cookie(&c.state, name, role, COUNTY).await;
        let (status, _, page) = get(&c.state, "/console/dashboard", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        // Grouped by town, each heading its town's page.
        let (qs, lv) = (page.find("青山镇</a></h2>").unwrap(), page.find("绿水镇</a></h2>").unwrap());
        assert!(
            qs < page.find("<strong>前山村</strong>").unwrap() && lv < page.find("<strong>绿水村</strong>").unwrap()
        );
        assert!(page.contains(&format!("href=\"/console/dashboard/r/{TOWN}\"")));
        // 绿水村: 1 due, published 20 days late: 及时率 0% — yellow.
        let lv = tile(&page, "绿水村");
        assert!(lv.contains("! 黄·需关注") && lv.contains("及时率 0.0%，低于 90.0%"), "{lv}");
        assert!(page.contains("红 1 个 · 黄 1 个 · 绿 1 个"), "{page}");
        // The same figures as the county's public page (11 due, 7 on time, 2 late, 2 missing).
        assert!(page.contains("应公开 11 项：按时 7 项，逾期公开 2 项，未公开 2 项"), "{page}");
        // A town's page lists its villages, with the way back to the county.
        let (status, _, town) = get(&c.state, &format!("/console/dashboard/r/{TOWN}"), Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            town.contains("前山村")
                && !town.contains("绿水村")
                && town.contains(&format!("/console/dashboard/r/{COUNTY}"))
        );
    }
}

#[tokio::test]
async fn a_village_page_gives_each_gap_its_evidence_and_its_visits() {
    let c = county().await;
    let township = common::staff_cookie(&c.state, "township", Role::TownshipReviewer, TOWN).await;
    let (status, _, page) = get(&c.state, &format!("/console/dashboard/v/{A}"), Some(&township)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("前山村 监督情况") && page.contains("✕ 红·需督办"));
    // The planted gap: its days, the public page that names it, the month on the calendar.
    assert!(page.contains(&format!("未按时公开，已逾期 {} 天", c.gap_days)), "{page}");
    assert!(page.contains(&format!("href=\"/v/{A}/finance/{}\"", month(6))));
    assert!(page.contains(&format!("href=\"/console/calendar/village/{A}#m-")));
    // The waiting version and the late publication open in the console and on the public site.
    assert!(page.contains(&format!("待审核，已逾期 {} 天", c.waiting_days)) && page.contains("逾期 7 天公开"));
    assert!(page.contains("href=\"/console/d/") && page.contains(&format!("href=\"/v/{A}/d/")));
    // Gaps come first, then the late one.
    assert!(page.find("未按时公开，已逾期").unwrap() < page.find("逾期 7 天公开").unwrap());
    assert!(page.contains("近 12 个月公开栏被查看 0 次，近 30 天 0 次"), "{page}");
    assert!(page.contains("未处理预警：红色 0 条，黄色 0 条"));
    // A village's page through the region URL is the same page.
    let (status, _, same) = get(&c.state, &format!("/console/dashboard/r/{A}"), Some(&township)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(same.contains("前山村 监督情况"));
    assert_eq!(get(&c.state, "/console/dashboard/v/339921999999", Some(&township)).await.0, StatusCode::NOT_FOUND);
}

/// The trend table's rows: (month, due, on-time rate, published rate, missing).
fn trend_rows(page: &str) -> Vec<(String, u32, String, String, u32)> {
    let table = &page[page.find("class=\"trend-table\"").expect("the trend table")..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row
                .split(['<', '>'])
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, s)| s)
                .filter(|s| !s.is_empty())
                .collect();
            (
                cells[0].to_owned(),
                cells[1].parse().unwrap(),
                cells[2].to_owned(),
                cells[3].to_owned(),
                cells[4].parse().unwrap(),
            )
        })
        .collect()
}

/// The plot's y of a rate written as the table writes it ("66.7%"), as the chart draws it.
fn y_of(rate: &str) -> String {
    let permille: f64 = rate.trim_end_matches('%').parse::<f64>().unwrap() * 10.0;
    format!("{:.1}", 10.0 + 170.0 * (1.0 - permille / 1000.0))
}

#[tokio::test]
async fn the_trend_chart_draws_the_figures_of_its_table() {
    let c = county().await;
    let cookie = common::staff_cookie(&c.state, "county", Role::CountyOperator, COUNTY).await;
    for path in ["/console/dashboard".to_owned(), format!("/console/dashboard/v/{A}")] {
        let (_, _, page) = get(&c.state, &path, Some(&cookie)).await;
        let svg = &page[page.find("<svg").expect("an SVG chart")..page.find("</svg>").unwrap()];
        assert!(
            svg.contains("role=\"img\"")
                && svg.contains("<title id=\"trend-t\">")
                && svg.contains("<desc id=\"trend-d\">")
        );
        let rows = trend_rows(&page);
        assert_eq!(rows.len(), 24, "24 months");
        // Every month with a rate is a point at its height; a month with none is no point.
        let rated: Vec<_> = rows.iter().filter(|r| r.2 != "—").collect();
        assert!(!rated.is_empty());
        assert_eq!(svg.matches("<circle").count(), rated.len(), "{svg}");
        assert_eq!(svg.matches("<rect").count(), rows.iter().filter(|r| r.3 != "—").count());
        for r in &rated {
            assert!(svg.contains(&format!("cy=\"{}\"", y_of(&r.2))), "{} {} not drawn: {svg}", r.0, r.2);
        }
        // The table sums to the 24 months' figures; the gap's month shows its missing item.
        let gap_month =
            yangguang_core::Period::containing(yangguang_core::period::PeriodKind::Month, busy_deadline(month(6)))
                .label_zh();
        let row = rows.iter().find(|r| r.0 == gap_month).expect("the gap's month");
        assert!(row.4 >= 1, "{row:?}");
    }
}

#[tokio::test]
async fn the_village_home_lists_what_the_calendar_says_is_due_this_month() {
    let c = county().await;
    // Last month had no vouchers while the books run on into this month: its accounts,
    // due this month by the monthly rule, are not applicable by the calendar's — not listed.
    let (_, _, home) = get(&c.state, &format!("/v/{A}"), None).await;
    let section = &home[home.find("本月应公开").unwrap()..home.find("gaps-title").unwrap_or(home.len())];
    assert!(!section.contains(&month(1).label_zh()), "{section}");
    assert!(section.contains("本月没有到期的公开事项"), "{section}");
    // The console calendar says the same of that month.
    let township = common::staff_cookie(&c.state, "township", Role::TownshipReviewer, TOWN).await;
    let (_, _, cal) = get(&c.state, &format!("/console/calendar/village/{A}"), Some(&township)).await;
    assert!(cal.contains("不适用：本月没有收支凭证"), "{cal}");
}
