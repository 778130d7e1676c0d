//! `/console/published`: what has been published in the reader's villages — current,
//! corrected and withdrawn items — searched and filtered, paged; a clerk of the village starts
//! a correction or a withdrawal from a row (the review routes `/console/d/{id}/correct` and
//! `/withdraw`, which check the role again).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::i18n::Label;
use yangguang_core::{DisclosureKind, DisclosureState, Period, RegionCode};
use yangguang_store::PublishedQuery;

use super::{Nav, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::Staff;

const PER_PAGE: u32 = 30;

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    q: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    column: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    state: String,
    page: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub village: String,
    pub public_url: String,
    pub period: String,
    pub published: String,
    pub version: i32,
    pub state: &'static str,
    pub state_class: &'static str,
    pub can_replace: bool,
}

#[derive(Template)]
#[template(path = "console/published.html")]
struct PublishedPage {
    layout: Layout,
    nav: Nav,
    q: String,
    village: String,
    column: String,
    period: String,
    state: String,
    villages: Vec<(String, String)>,
    columns: Vec<(String, String)>,
    /// Why the period typed could not be used (the list is then not limited by period).
    period_problem: String,
    rows: Vec<Row>,
    total: u64,
    page: u32,
    page_count: u32,
    prev_href: String,
    next_href: String,
}

/// The states the filter offers, by their value in the URL.
fn state_of(value: &str) -> Option<DisclosureState> {
    match value {
        "published" => Some(DisclosureState::Published),
        "corrected" => Some(DisclosureState::Superseded),
        "withdrawn" => Some(DisclosureState::Withdrawn),
        _ => None,
    }
}

fn href(f: &Filters, page: u32) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in
        [("q", &f.q), ("village", &f.village), ("column", &f.column), ("period", &f.period), ("state", &f.state)]
    {
        if !v.trim().is_empty() {
            q.append_pair(k, v.trim());
        }
    }
    q.append_pair("page", &page.to_string());
    format!("/console/published?{}", q.finish())
}

pub async fn published_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filters>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let site = &state.site;
    let grants = who.grants();
    let regions = site.regions();
    let villages: Vec<(String, String)> =
        regions.villages().filter(|r| grants.sees(r.code)).map(|r| (r.code.to_string(), r.name.clone())).collect();
    let village = match f.village.trim() {
        "" => None,
        v => Some(
            RegionCode::parse(v)
                .ok()
                .filter(|c| grants.sees(*c))
                .ok_or_else(|| WebError::Forbidden(format!("您的角色不涉及该村（{v}）/ outside your roles")))?,
        ),
    };
    let (period, period_problem) = match f.period.trim() {
        "" => (None, String::new()),
        p => match Period::parse_human(p) {
            Ok(period) => (Some(period), String::new()),
            Err(e) => (None, format!("公开期 “{p}” 无法识别，未按公开期筛选：{e}")),
        },
    };
    let column = f.column.trim();
    if !column.is_empty() && site.catalog.column(column).is_none() {
        return Err(WebError::BadRequest(format!("栏目 “{column}” 不存在 / unknown column")));
    }
    let page_number = f.page.as_deref().and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1);
    let query = PublishedQuery {
        region_prefixes: grants.0.iter().map(|g| yangguang_app::work::scope_prefix(g.region)).collect(),
        village,
        // A column and the sub-columns under it.
        columns: if column.is_empty() {
            vec![]
        } else {
            site.catalog
                .columns()
                .iter()
                .filter(|c| c.id == column || site.catalog.ancestry(&c.id).iter().any(|a| a.id == column))
                .map(|c| c.id.clone())
                .collect()
        },
        period,
        states: state_of(f.state.trim()).into_iter().collect(),
        text: f.q.trim().to_owned(),
        page: page_number,
        per_page: PER_PAGE,
    };
    let found = site.store.list_published(&query).await?;
    let page_count = found.page_count();
    let rows = found
        .items
        .iter()
        .map(|d| Row {
            id: d.id.0,
            title: d.title.clone(),
            village: village_name(&state, d.village),
            public_url: format!("/v/{}/d/{}", d.village, d.id),
            period: d.period.map(|p| p.label_zh()).unwrap_or_default(),
            published: d.published_at.map(yangguang_core::time::format_china).unwrap_or_default(),
            version: d.version,
            state: d.state.zh(),
            state_class: d.state.as_str(),
            can_replace: d.state == DisclosureState::Published
                && d.kind != DisclosureKind::Withdrawal
                && grants.can_draft(d.village),
        })
        .collect();
    let columns = site
        .catalog
        .columns()
        .iter()
        .map(|c| (c.id.clone(), format!("{}{}", "　".repeat(usize::from(c.depth) - 1), c.name)))
        .collect();
    let page = PublishedPage {
        layout: layout(&headers, "已公开事项"),
        nav: nav(&who, &headers),
        prev_href: if found.page > 1 { href(&f, found.page - 1) } else { String::new() },
        next_href: if found.page < page_count { href(&f, found.page + 1) } else { String::new() },
        q: f.q,
        village: f.village,
        column: f.column,
        period: f.period,
        state: f.state,
        villages,
        columns,
        period_problem,
        rows,
        total: found.total,
        page: found.page,
        page_count,
    };
    render(&state, &headers, StatusCode::OK, &page)
}
