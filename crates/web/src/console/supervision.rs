//! The supervision dashboard (监督看板) for township, county and discipline-commission staff:
//! `/console/dashboard` (the reader's own area, or `?region=`), `/console/dashboard/r/{code}`
//! (a county or a town: its villages as a red/yellow/green grid, grouped by town) and
//! `/console/dashboard/v/{code}` (a village: what is late, missing or waiting with its evidence,
//! its visits). Each with the 24-month trend as SVG and the same figures as a table. Scope as
//! the disclosure calendar's (`app::calendar::may_view`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::calendar as cal;
use yangguang_app::dashboard::{self as board, VillageHealth};
use yangguang_app::i18n::{CalendarTexts, DashboardTexts, Lang};
use yangguang_core::calendar::{CellState, Tally, percent};
use yangguang_core::health::Thresholds;
use yangguang_core::{Period, Region, RegionCode};

use super::trend_chart::{self, Point};
use super::{Nav, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::prefs::Prefs;
use crate::session::Staff;

#[derive(Deserialize, Default)]
pub struct RegionQuery {
    region: Option<String>,
}

/// A village's cell on the grid.
pub struct Tile {
    pub href: String,
    pub name: String,
    pub class: &'static str,
    pub label: &'static str,
    pub figures: String,
    pub why: String,
}

pub struct Group {
    pub name: String,
    /// The town's own page (empty on the town's page itself).
    pub href: String,
    pub summary: String,
    pub tiles: Vec<Tile>,
}

/// A month of the trend table.
pub struct TrendRow {
    pub label: String,
    pub due: u32,
    pub timely: String,
    pub published: String,
    pub missing: u32,
}

pub struct Trend {
    pub svg: String,
    pub rows: Vec<TrendRow>,
}

#[derive(Template)]
#[template(path = "console/supervision.html")]
struct BoardPage {
    layout: Layout,
    nav: Nav,
    d: &'static DashboardTexts,
    c: &'static CalendarTexts,
    heading: String,
    regions: Vec<(String, String, bool)>,
    back: String,
    window: String,
    totals: String,
    counts: String,
    rules: Vec<(&'static str, &'static str, String)>,
    groups: Vec<Group>,
    trend: Trend,
}

/// An item needing a look, with its evidence.
pub struct Attention {
    pub title: String,
    pub deadline: String,
    pub state: String,
    pub class: &'static str,
    pub public: String,
    pub console: String,
}

#[derive(Template)]
#[template(path = "console/supervision_village.html")]
struct VillagePage {
    layout: Layout,
    nav: Nav,
    d: &'static DashboardTexts,
    c: &'static CalendarTexts,
    heading: String,
    back: String,
    tile: Tile,
    totals: String,
    warnings: String,
    visits: String,
    calendar: String,
    items: Vec<Attention>,
    trend: Trend,
}

fn forbidden_unless_supervisor(who: &SignedIn) -> Result<Vec<RegionCode>, WebError> {
    let scopes = cal::supervised_regions(&who.grants());
    if scopes.is_empty() {
        return Err(WebError::Forbidden(
            "监督看板供乡镇、县级和纪检监察工作人员查看 / the dashboard is for township, county and discipline-commission staff"
                .into(),
        ));
    }
    Ok(scopes)
}

/// The region a request names, checked against the reader's area.
fn region_in_scope(state: &AppState, who: &SignedIn, code: Option<&str>) -> Result<Region, WebError> {
    let scopes = forbidden_unless_supervisor(who)?;
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => scopes[0],
        Some(text) => RegionCode::parse(text).map_err(|e| WebError::BadRequest(e.to_string()))?,
    };
    let region = state.site.regions().get(code).cloned().ok_or(WebError::NotFound)?;
    if !cal::may_view(&who.grants(), code) {
        return Err(WebError::Forbidden("该地区不在您的管辖范围内 / outside your area".into()));
    }
    Ok(region)
}

fn month_label(p: &Period, lang: Lang) -> String {
    match lang {
        Lang::Zh => p.label_zh(),
        Lang::En => p.label_en(),
    }
}

fn totals(c: &CalendarTexts, t: &Tally) -> String {
    format!(
        "{} {} · {} {} · {}",
        c.timely_rate,
        percent(t.timely_permille()),
        c.published_rate,
        percent(t.published_permille()),
        c.counts(t)
    )
}

fn tile(v: &VillageHealth, lang: Lang) -> Tile {
    let (d, c, th) = (lang.dashboard(), lang.calendar(), Thresholds::default());
    let why: Vec<String> = v.assessment.reasons.iter().map(|(_, r)| d.reason(*r, &th)).collect();
    Tile {
        href: format!("/console/dashboard/v/{}", v.code),
        name: v.name.clone(),
        class: v.assessment.health.code(),
        label: d.health(v.assessment.health),
        figures: format!(
            "{} {} · {} {} · {} {}",
            c.timely_rate,
            percent(v.tally.timely_permille()),
            c.published_rate,
            percent(v.tally.published_permille()),
            d.overdue_col,
            v.tally.missing
        ),
        why: if why.is_empty() { d.all_well.to_owned() } else { why.join("；") },
    }
}

fn trend(months: &[(Period, Tally)], lang: Lang, elder: bool, name: &str) -> Trend {
    let d = lang.dashboard();
    let points: Vec<Point> = months
        .iter()
        .map(|(m, t)| Point {
            label: month_label(m, lang),
            timely: t.timely_permille(),
            published: t.published_permille(),
        })
        .collect();
    let (from, to) = (
        months.first().map(|(m, _)| month_label(m, lang)).unwrap_or_default(),
        months.last().map(|(m, _)| month_label(m, lang)).unwrap_or_default(),
    );
    let title = format!("{name} {}", d.trend_title);
    let desc = d.trend_desc.replace("{from}", &from).replace("{to}", &to);
    Trend {
        svg: trend_chart::svg(&points, &title, &desc, "trend", elder),
        rows: months
            .iter()
            .rev()
            .map(|(m, t)| TrendRow {
                label: month_label(m, lang),
                due: t.due,
                timely: percent(t.timely_permille()),
                published: percent(t.published_permille()),
                missing: t.missing,
            })
            .collect(),
    }
}

/// The regions the reader may pick: their areas and the towns under them.
fn choosable(state: &AppState, who: &SignedIn, selected: RegionCode) -> Vec<(String, String, bool)> {
    let regions = state.site.regions();
    let mut out = vec![];
    for scope in cal::supervised_regions(&who.grants()) {
        if let Some(r) = regions.get(scope) {
            out.push((r.code.to_string(), r.name.clone(), r.code == selected));
            for child in regions.children(r.code).filter(|t| !t.kind.is_village_level()) {
                out.push((child.code.to_string(), format!("— {}", child.name), child.code == selected));
            }
        }
    }
    out
}

/// `/console/dashboard`: the reader's area, or the region of `?region=`.
pub async fn dashboard_page(
    State(state): State<AppState>,
    Query(q): Query<RegionQuery>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let region = region_in_scope(&state, &who, q.region.as_deref())?;
    show(&state, &headers, &who, &region).await
}

/// `/console/dashboard/r/{code}`: a county's or a town's page.
pub async fn region_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let region = region_in_scope(&state, &who, Some(&code))?;
    show(&state, &headers, &who, &region).await
}

async fn show(state: &AppState, headers: &HeaderMap, who: &SignedIn, region: &Region) -> Result<Response, WebError> {
    if region.kind.is_village_level() {
        return show_village(state, headers, who, region).await;
    }
    let prefs = Prefs::from_headers(headers);
    let (lang, d, c) = (prefs.lang, prefs.lang.dashboard(), prefs.lang.calendar());
    let villages = yangguang_app::calendar::villages_under(&state.site, region.code);
    let warnings = open_warnings(state, &villages).await?;
    let today = yangguang_app::today();
    let data = board::dashboard(&state.site, region, today, &warnings).await?;
    // On a town's page its villages need no town heading link; on a county's, each town has one.
    let groups = data
        .groups
        .iter()
        .map(|g| Group {
            name: g.name.clone(),
            href: if g.code == region.code { String::new() } else { format!("/console/dashboard/r/{}", g.code) },
            summary: format!("{} · {}", d.counts(g.counts()), totals(c, &g.tally)),
            tiles: g.villages.iter().map(|v| tile(v, lang)).collect(),
        })
        .collect();
    let back = match region.parent {
        Some(p) if cal::may_view(&who.grants(), p) => format!("/console/dashboard/r/{p}"),
        _ => String::new(),
    };
    let page = BoardPage {
        layout: layout(headers, d.title),
        nav: nav(who, headers),
        d,
        c,
        heading: format!("{} {}", region.name, d.title),
        regions: choosable(state, who, region.code),
        back,
        window: format!(
            "{}：{}–{}",
            d.window,
            month_label(&data.window.first, lang),
            month_label(&data.window.last, lang)
        ),
        totals: totals(c, &data.total),
        counts: d.counts(data.counts()),
        rules: d.rules(&Thresholds::default()).into_iter().map(|(h, l, t)| (h.code(), l, t)).collect(),
        groups,
        trend: trend(&data.trend, lang, prefs.elder, &region.name),
    };
    render(state, headers, StatusCode::OK, &page)
}

/// `/console/dashboard/v/{code}`: a village's supervision page.
pub async fn village_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    forbidden_unless_supervisor(&who)?;
    let village = crate::pages::village::find_village(&state, &code)?;
    let region = region_in_scope(&state, &who, Some(&village.code.to_string()))?;
    show_village(&state, &headers, &who, &region).await
}

async fn show_village(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    village: &Region,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let (lang, d, c) = (prefs.lang, prefs.lang.dashboard(), prefs.lang.calendar());
    let warnings = open_warnings(state, &[village.code]).await?;
    let today = yangguang_app::today();
    let data = board::village(&state.site, village, today, &warnings).await?;
    let items = data
        .attention
        .iter()
        .map(|cell| Attention {
            title: crate::pages::gaps::cell_title(cell, lang),
            deadline: cell.deadline.to_string(),
            state: c.state(cell.state, cell.deadline),
            class: match cell.state {
                s if s.is_gap() => "overdue",
                CellState::Late { .. } => "late",
                _ => "open",
            },
            // A publication's own page; for a gap, the public page that names it as missing.
            public: match cell.evidence {
                Some(id) if cell.state.is_published() => format!("/v/{}/d/{}", cell.village, id.0),
                _ => crate::pages::gaps::cell_href(cell),
            },
            // The version in the console; for a gap with none, the month on the calendar.
            console: match cell.evidence {
                Some(id) => format!("/console/d/{}", id.0),
                None => format!("/console/calendar/village/{}#m-{}", cell.village, cell.month()),
            },
        })
        .collect();
    let (red, yellow) = data.health.warnings;
    let page = VillagePage {
        layout: layout(headers, d.title),
        nav: nav(who, headers),
        d,
        c,
        heading: d.village_title.replace("{village}", &village.name),
        back: village.parent.map(|p| format!("/console/dashboard/r/{p}")).unwrap_or_default(),
        tile: tile(&data.health, lang),
        totals: totals(c, &data.health.tally),
        warnings: d.warnings.replace("{red}", &red.to_string()).replace("{yellow}", &yellow.to_string()),
        visits: d
            .visits
            .replace("{year}", &data.views_year.to_string())
            .replace("{month}", &data.views_month.to_string()),
        calendar: format!("/console/calendar/village/{}", village.code),
        items,
        trend: trend(&data.trend, lang, prefs.elder, &village.name),
    };
    render(state, headers, StatusCode::OK, &page)
}

/// Each village's open warnings, red and yellow, for the colour rule.
async fn open_warnings(state: &AppState, villages: &[RegionCode]) -> Result<HashMap<RegionCode, (u32, u32)>, WebError> {
    let counts = yangguang_app::warnings::open_counts(&state.site, villages).await?;
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(counts.into_iter().map(|(v, (red, yellow))| (v, (clamp(red), clamp(yellow)))).collect())
}
