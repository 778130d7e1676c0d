//! `/search?q=`: find a village or community by any part of its name.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

use super::{Crumb, Layout};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;
use crate::render::EncodedPage;

/// Longer queries are cut: no village name is this long.
const MAX_QUERY_CHARS: usize = 30;
const MAX_HITS: usize = 50;

pub struct Hit {
    pub code: String,
    pub name: String,
    pub town: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    hits: Vec<Hit>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    Query(q): Query<SearchQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let t = prefs.lang.texts();
    let query: String =
        q.q.unwrap_or_default().trim().chars().filter(|c| !c.is_control()).take(MAX_QUERY_CHARS).collect();
    let regions = state.site.regions();
    let hits = regions
        .search_villages(&query, MAX_HITS)
        .into_iter()
        .map(|h| Hit {
            code: h.village.code.to_string(),
            name: h.village.name.clone(),
            town: h.town.map(|t| t.name.clone()).unwrap_or_default(),
        })
        .collect();
    let home = regions.home().map(|h| h.name.clone()).unwrap_or_default();
    let crumbs =
        vec![Crumb { label: home, href: Some("/?all=1".into()) }, Crumb { label: t.search_title.into(), href: None }];
    let page = SearchPage {
        layout: Layout::new(&prefs, super::path_and_query(&uri), t.search_title.into(), t.search_label.into(), crumbs),
        query,
        hits,
    };
    Ok(EncodedPage::fresh(StatusCode::OK, page.render()?).respond(&headers, &state.security))
}
