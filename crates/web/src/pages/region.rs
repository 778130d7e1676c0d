//! The county home and the town pages: find your village by place or by name, and see how
//! every village under it publishes — 及时率 and 公开率 over the last 12 months, per town and
//! per village, sortable without JavaScript (`?sort=`), month by month.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yangguang_core::{Region, RegionCode};

use super::{Layout, Scope, cached_over, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;
use yangguang_app::i18n::CalendarTexts;

pub struct Link {
    pub code: String,
    pub name: String,
}

/// A village's or town's figures in the table.
pub struct RateRow {
    pub href: String,
    pub name: String,
    pub town: String,
    pub timely: String,
    pub published: String,
    pub gaps: u32,
    pub due: u32,
}

/// The region's record: the whole, its towns, its villages, month by month.
pub struct RecordView {
    pub c: &'static CalendarTexts,
    pub timely: String,
    pub published: String,
    pub counts: String,
    pub towns: Vec<RateRow>,
    pub villages: Vec<RateRow>,
    /// The villages' table open (a town's page) or folded (the county's 229).
    pub villages_open: bool,
    /// The orders offered: (key, label, the current one).
    pub sorts: Vec<(&'static str, &'static str, bool)>,
    /// (month, due, on time, 及时率)
    pub trend: Vec<(String, u32, u32, String)>,
}

pub struct TownGroup {
    pub name: String,
    pub open: bool,
    pub villages: Vec<Link>,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    layout: Layout,
    region: Region,
    summary: String,
    towns: Vec<TownGroup>,
    others: Vec<Link>,
    query: &'static str,
    record: RecordView,
}

#[derive(Deserialize)]
pub struct HomeQuery {
    all: Option<String>,
    sort: Option<String>,
}

#[derive(Deserialize)]
pub struct RegionQuery {
    sort: Option<String>,
}

/// The table orders a reader can ask for; anything else is the default (by code).
const SORTS: [&str; 4] = ["timely", "published", "gaps", "name"];

fn sort_of(q: Option<&str>) -> &'static str {
    SORTS.iter().find(|s| Some(**s) == q).copied().unwrap_or("")
}

/// The scopes a region page depends on: the region tree, and every village's publications
/// (each publication moves the log on), so its rates are never older than the last one.
const REGION_SCOPES: [Scope; 2] = [Scope::Regions, Scope::Log];

/// `/`: a returning villager lands on the village they chose last; `?all=1` shows the county.
pub async fn home(
    State(state): State<AppState>,
    Query(q): Query<HomeQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let regions = state.site.regions();
    if q.all.is_none()
        && let Some(code) = prefs.last_village.filter(|c| regions.get(*c).is_some())
    {
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, format!("/v/{code}"))]).into_response());
    }
    let Some(home) = regions.home().cloned() else {
        return Err(WebError::NotFound);
    };
    let sort = sort_of(q.sort.as_deref());
    cached_over(&state, &headers, &prefs, &uri, &REGION_SCOPES, || render(&state, &prefs, home, &uri, sort)).await
}

/// `/r/{code}`: a county or town and the villages under it.
pub async fn region(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<RegionQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let sort = sort_of(q.sort.as_deref());
    let code = RegionCode::parse(&code).map_err(|_| WebError::NotFound)?;
    let region = state.site.regions().get(code).cloned().ok_or(WebError::NotFound)?;
    if region.kind.is_village_level() {
        return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("/v/{code}"))]).into_response());
    }
    cached_over(&state, &headers, &prefs, &uri, &REGION_SCOPES, || render(&state, &prefs, region, &uri, sort)).await
}

fn rate_rows(rows: &[yangguang_app::calendar::Row], href: impl Fn(&str) -> String, sort: &str) -> Vec<RateRow> {
    let mut rows: Vec<&yangguang_app::calendar::Row> = rows.iter().collect();
    // Worst first for the rates and gaps (what a supervisor looks for); no figure sorts last.
    let key = |p: Option<u32>| p.map_or(u32::MAX, |p| p);
    match sort {
        "timely" => rows.sort_by_key(|r| (key(r.tally.timely_permille()), r.code)),
        "published" => rows.sort_by_key(|r| (key(r.tally.published_permille()), r.code)),
        "gaps" => rows.sort_by_key(|r| (std::cmp::Reverse(r.tally.missing), r.code)),
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code))),
        _ => {}
    }
    rows.into_iter()
        .map(|r| RateRow {
            href: href(&r.code.to_string()),
            name: r.name.clone(),
            town: r.town.clone(),
            timely: yangguang_core::calendar::percent(r.tally.timely_permille()),
            published: yangguang_core::calendar::percent(r.tally.published_permille()),
            gaps: r.tally.missing,
            due: r.tally.due,
        })
        .collect()
}

async fn record_view(
    state: &AppState,
    prefs: &Prefs,
    region: &Region,
    sort: &'static str,
    villages_open: bool,
) -> Result<RecordView, WebError> {
    let record = yangguang_app::calendar::region_record(&state.site, region, yangguang_app::today()).await?;
    let (timely, published, counts) = super::gaps::rates(&record.total, prefs.lang);
    let trend = record
        .trend
        .iter()
        .map(|(m, t)| {
            let label = match prefs.lang {
                crate::i18n::Lang::Zh => m.label_zh(),
                crate::i18n::Lang::En => m.label_en(),
            };
            (label, t.due, t.on_time, yangguang_core::calendar::percent(t.timely_permille()))
        })
        .collect();
    Ok(RecordView {
        c: prefs.lang.calendar(),
        timely,
        published,
        counts,
        towns: rate_rows(&record.towns, |c| format!("/r/{c}"), sort),
        villages: rate_rows(&record.villages, |c| format!("/v/{c}"), sort),
        villages_open,
        sorts: {
            let c = prefs.lang.calendar();
            [("timely", c.timely_rate), ("published", c.published_rate), ("gaps", c.gaps), ("name", c.village)]
                .into_iter()
                .map(|(key, label)| (key, label, key == sort))
                .collect()
        },
        trend,
    })
}

fn links(regions: impl Iterator<Item = Region>) -> Vec<Link> {
    regions.map(|r| Link { code: r.code.to_string(), name: r.name }).collect()
}

async fn render(
    state: &AppState,
    prefs: &Prefs,
    region: Region,
    uri: &Uri,
    sort: &'static str,
) -> Result<String, WebError> {
    let regions = state.site.regions();
    let t = prefs.lang.texts();
    let children: Vec<Region> = regions.children(region.code).cloned().collect();
    let (mut towns, mut others) = (vec![], vec![]);
    if children.iter().any(|c| c.kind.is_village_level()) {
        let villages = children.iter().filter(|c| c.kind.is_village_level()).cloned();
        towns.push(TownGroup { name: region.name.clone(), open: true, villages: links(villages) });
    } else if children.iter().all(|c| regions.children(c.code).all(|v| v.kind.is_village_level())) {
        for town in &children {
            towns.push(TownGroup {
                name: town.name.clone(),
                open: false,
                villages: links(regions.children(town.code).cloned()),
            });
        }
    } else {
        others = links(children.iter().cloned());
    }
    let village_count: usize = towns.iter().map(|t| t.villages.len()).sum();
    let summary = if towns.len() > 1 {
        format!("{} {} · {} {}", towns.len(), t.towns_unit, village_count, t.villages_unit)
    } else if !towns.is_empty() {
        format!("{village_count} {}", t.villages_unit)
    } else {
        format!("{} {}", others.len(), t.towns_unit)
    };
    let description = format!("{}{}{summary}", region.name, t.county_description);
    let is_home = regions.home().map(|h| h.code) == Some(region.code);
    let crumbs = if is_home { vec![] } else { region_crumbs(&regions, region.code, false) };
    let title = format!("{}{}", region.name, t.disclosure_portal);
    let villages_open = towns.len() <= 1;
    let record = record_view(state, prefs, &region, sort, villages_open).await?;
    let mut layout = Layout::new(prefs, super::path_and_query(uri), title, description, crumbs);
    if !is_home {
        layout.search_scope = region.code.to_string();
    }
    let page = RegionPage { layout, region, summary, towns, others, query: "", record };
    Ok(page.render()?)
}
