//! A reader's search: the query cleaned, the scope checked, villages found by name or pinyin,
//! and the index's hits with their village and kind.

use yangguang_core::RegionCode;
use yangguang_search::{Query, clean_query};

use super::Kind;
use crate::{AppError, Site};

/// Hits per page.
pub const PER_PAGE: usize = 20;
/// Pages a reader can go through (the index answers deeper pages, people never need them).
pub const MAX_PAGE: u32 = 50;

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// As typed.
    pub text: String,
    /// A village, town or county; `None` for everything.
    pub scope: Option<RegionCode>,
    pub kind: Option<Kind>,
    /// 1-based.
    pub page: u32,
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub kind: Kind,
    pub village: RegionCode,
    pub village_name: String,
    /// HTML: escaped, with `<mark>` around the words found.
    pub title_html: String,
    pub snippet_html: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub url: String,
    pub meta: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchOutcome {
    /// The query as searched (cleaned and cut to length).
    pub query: String,
    /// The typed query was longer than what was searched.
    pub truncated: bool,
    /// Villages whose name (or its pinyin) matches, on the first page.
    pub villages: Vec<(RegionCode, String, String)>,
    /// Matches by kind in the scope, whatever the kind filter.
    pub per_kind: Vec<(Kind, u64)>,
    pub total: u64,
    pub hits: Vec<SearchHit>,
    pub page: u32,
    pub pages: u32,
    /// The index is being built: results may be incomplete.
    pub building: bool,
    /// There is no index in this process.
    pub unavailable: bool,
}

/// Answers a search. Nothing typed is an error: syntax characters are text, long queries
/// are cut, control characters dropped.
pub async fn search(site: &Site, req: &SearchRequest) -> Result<SearchOutcome, AppError> {
    let query = clean_query(&req.text);
    let truncated = req.text.trim().chars().count() > yangguang_search::MAX_QUERY_CHARS;
    let page = req.page.clamp(1, MAX_PAGE);
    let mut out = SearchOutcome { query: query.clone(), truncated, page, pages: 1, ..Default::default() };
    if query.is_empty() {
        return Ok(out);
    }
    let regions = site.regions();
    if page == 1 {
        out.villages = regions
            .search_villages(&query, 12)
            .into_iter()
            .filter(|h| req.scope.is_none_or(|s| regions.ancestry(h.village.code).iter().any(|r| r.code == s)))
            .map(|h| (h.village.code, h.village.name.clone(), h.town.map(|t| t.name.clone()).unwrap_or_default()))
            .collect();
    }
    let Some(index) = site.search.index() else {
        out.unavailable = true;
        return Ok(out);
    };
    out.building = site.search.building();
    let scope = req.scope.map(|c| c.to_string());
    let q = Query {
        text: &query,
        region: scope.as_deref(),
        kind: req.kind.map(Kind::number),
        offset: (page as usize - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    // A query is a millisecond or so of CPU work: done in place.
    let results = index.search(&q).map_err(|e| AppError::Invalid(e.to_string()))?;
    out.per_kind =
        results.per_kind.iter().filter_map(|(k, n)| Kind::from_number(*k).map(|k| (k, *n))).collect::<Vec<_>>();
    out.total = results.total;
    out.pages = (results.total.div_ceil(PER_PAGE as u64) as u32).clamp(1, MAX_PAGE);
    out.hits = results
        .hits
        .into_iter()
        .filter_map(|h| {
            let kind = Kind::from_number(h.kind)?;
            let village = RegionCode::parse(&h.village).ok()?;
            let date = format!("{:04}-{:02}-{:02}", h.date / 10_000, h.date / 100 % 100, h.date % 100);
            Some(SearchHit {
                kind,
                village,
                village_name: regions.get(village).map(|r| r.name.clone()).unwrap_or_default(),
                title_html: h.title_html,
                snippet_html: h.snippet_html,
                date,
                url: h.url,
                meta: h.meta,
            })
        })
        .collect();
    Ok(out)
}
