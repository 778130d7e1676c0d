//! The county home and the town pages: find your village by place or by name.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yangguang_core::{Region, RegionCode};

use super::{Layout, Scope, cached, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;

pub struct Link {
    pub code: String,
    pub name: String,
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
}

#[derive(Deserialize)]
pub struct HomeQuery {
    all: Option<String>,
}

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
    cached(&state, &headers, &prefs, &uri, Scope::Regions, || render(&state, &prefs, home, &uri)).await
}

/// `/r/{code}`: a county or town and the villages under it.
pub async fn region(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let code = RegionCode::parse(&code).map_err(|_| WebError::NotFound)?;
    let region = state.site.regions().get(code).cloned().ok_or(WebError::NotFound)?;
    if region.kind.is_village_level() {
        return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("/v/{code}"))]).into_response());
    }
    cached(&state, &headers, &prefs, &uri, Scope::Regions, || render(&state, &prefs, region, &uri)).await
}

fn links(regions: impl Iterator<Item = Region>) -> Vec<Link> {
    regions.map(|r| Link { code: r.code.to_string(), name: r.name }).collect()
}

async fn render(state: &AppState, prefs: &Prefs, region: Region, uri: &Uri) -> Result<String, WebError> {
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
    let mut layout = Layout::new(prefs, super::path_and_query(uri), title, description, crumbs);
    if !is_home {
        layout.search_scope = region.code.to_string();
    }
    let page = RegionPage { layout, region, summary, towns, others, query: "" };
    Ok(page.render()?)
}
