//! `/search?q=&in=&kind=&page=`: full-text search over what villages publish — disclosures,
//! accounts, leases, trading listings, answered questions — and villages by name or pinyin;
//! `GET /api/search` answers the same as JSON.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yangguang_app::i18n::{Lang, SearchTexts};
use yangguang_app::search::{Kind, SearchOutcome, SearchRequest};
use yangguang_core::RegionCode;

use super::{Crumb, Layout};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;
use crate::render::EncodedPage;

/// What the address says; every part optional and read leniently (a bad page number is page 1,
/// an unknown scope is the whole site): a search link can never be an error.
#[derive(Deserialize, Default)]
pub struct SearchParams {
    q: Option<String>,
    #[serde(rename = "in")]
    scope: Option<String>,
    kind: Option<String>,
    page: Option<String>,
}

impl SearchParams {
    fn request(&self, state: &AppState) -> SearchRequest {
        let regions = state.site.regions();
        SearchRequest {
            text: self.q.clone().unwrap_or_default(),
            scope: self
                .scope
                .as_deref()
                .and_then(|s| RegionCode::parse(s.trim()).ok())
                .filter(|c| regions.get(*c).is_some()),
            kind: self.kind.as_deref().and_then(Kind::parse),
            page: self.page.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(1),
        }
    }
}

pub struct Link {
    pub label: String,
    pub href: String,
    pub current: bool,
}

pub struct VillageLink {
    pub code: String,
    pub name: String,
    pub town: String,
}

pub struct HitView {
    pub kind: &'static str,
    pub village: String,
    pub title_html: String,
    pub snippet_html: String,
    pub date: String,
    pub url: String,
    pub meta: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    s: &'static SearchTexts,
    query: String,
    heading: String,
    notes: Vec<String>,
    villages: Vec<VillageLink>,
    scopes: Vec<Link>,
    kinds: Vec<Link>,
    hits: Vec<HitView>,
    nothing: String,
    widen: Vec<Link>,
    previous: String,
    next: String,
    page_of: String,
}

/// `/search?…` with a scope, kind and page (none: left out).
fn href(query: &str, scope: Option<RegionCode>, kind: Option<Kind>, page: u32) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("q", query);
    if let Some(scope) = scope {
        s.append_pair("in", &scope.to_string());
    }
    if let Some(kind) = kind {
        s.append_pair("kind", kind.as_str());
    }
    if page > 1 {
        s.append_pair("page", &page.to_string());
    }
    format!("/search?{}", s.finish())
}

pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let (t, s, lang) = (prefs.lang.texts(), prefs.lang.search(), prefs.lang);
    let req = params.request(&state);
    let out = yangguang_app::search::search(&state.site, &req).await?;
    let regions = state.site.regions();
    let name_of = |c: RegionCode| regions.get(c).map(|r| r.name.clone()).unwrap_or_default();
    // The scope and every region above it, widest last: where to search instead.
    let chain: Vec<RegionCode> = match req.scope {
        Some(c) => regions.ancestry(c).iter().rev().map(|r| r.code).collect(),
        None => vec![],
    };
    // The home region (the county) is the whole site; so is anything above it.
    let home = regions.home().map(|h| h.code);
    let whole = |c: &RegionCode| {
        Some(*c) == home
            || regions
                .get(*c)
                .is_some_and(|r| r.parent.is_none() || !regions.ancestry(*c).iter().any(|a| Some(a.code) == home))
    };
    let mut scopes: Vec<Link> = chain
        .iter()
        .filter(|c| !whole(c))
        .map(|c| Link {
            label: name_of(*c),
            href: href(&out.query, Some(*c), req.kind, 1),
            current: Some(*c) == req.scope,
        })
        .collect();
    scopes.push(Link {
        label: s.whole_county.into(),
        href: href(&out.query, None, req.kind, 1),
        current: req.scope.is_none_or(|c| whole(&c)),
    });
    let widen: Vec<Link> = scopes
        .iter()
        .filter(|l| !l.current)
        .skip_while(|l| req.scope.is_some_and(|c| l.href == href(&out.query, Some(c), req.kind, 1)))
        .map(|l| Link { label: s.widen.replace("{scope}", &l.label), href: l.href.clone(), current: false })
        .chain(req.kind.map(|_| Link {
            label: format!("{}：{}", s.all_kinds, s.widen.replace("{scope}", "")).trim_end_matches('：').to_owned(),
            href: href(&out.query, req.scope, None, 1),
            current: false,
        }))
        .collect();
    let page = SearchPage {
        layout: {
            let mut l = Layout::new(
                &prefs,
                super::path_and_query(&uri),
                if out.query.is_empty() { s.title.to_owned() } else { format!("{} - {}", out.query, s.title) },
                s.label.into(),
                vec![
                    Crumb {
                        label: regions.home().map(|h| h.name.clone()).unwrap_or_default(),
                        href: Some("/?all=1".into()),
                    },
                    Crumb { label: s.title.into(), href: None },
                ],
            );
            l.search_scope = req.scope.map(|c| c.to_string()).unwrap_or_default();
            l
        },
        s,
        heading: if out.query.is_empty() {
            t.search_title.into()
        } else {
            s.found.replace("{q}", &out.query).replace("{n}", &(out.total + out.villages.len() as u64).to_string())
        },
        notes: notes(s, &out),
        villages: out
            .villages
            .iter()
            .map(|(c, n, town)| VillageLink { code: c.to_string(), name: n.clone(), town: town.clone() })
            .collect(),
        scopes: if out.query.is_empty() { vec![] } else { scopes },
        kinds: kinds(lang, &out, &req),
        hits: out
            .hits
            .iter()
            .map(|h| HitView {
                kind: h.kind.label(lang),
                village: h.village_name.clone(),
                title_html: h.title_html.clone(),
                snippet_html: h.snippet_html.clone(),
                date: h.date.clone(),
                url: h.url.clone(),
                meta: h.meta.clone(),
            })
            .collect(),
        nothing: s.nothing.replace("{q}", &out.query),
        widen,
        previous: if out.page > 1 { href(&out.query, req.scope, req.kind, out.page - 1) } else { String::new() },
        next: if out.page < out.pages { href(&out.query, req.scope, req.kind, out.page + 1) } else { String::new() },
        page_of: s.page_of.replace("{page}", &out.page.to_string()).replace("{pages}", &out.pages.to_string()),
        query: out.query,
    };
    Ok(EncodedPage::fresh(StatusCode::OK, page.render()?).respond(&headers, &state.security))
}

fn notes(s: &SearchTexts, out: &SearchOutcome) -> Vec<String> {
    let mut notes = vec![];
    if out.truncated {
        notes.push(s.too_long.replace("{n}", &yangguang_app::search::MAX_QUERY_CHARS.to_string()));
    }
    if out.building {
        notes.push(s.building.into());
    }
    if out.unavailable {
        notes.push(s.unavailable.into());
    }
    notes
}

/// "全部 (12) · 公开事项 (5) · 财务收支 (7)": kinds with matches, as filters.
fn kinds(lang: Lang, out: &SearchOutcome, req: &SearchRequest) -> Vec<Link> {
    if out.per_kind.is_empty() {
        return vec![];
    }
    let all: u64 = out.per_kind.iter().map(|(_, n)| n).sum();
    let mut links = vec![Link {
        label: format!("{} ({all})", lang.search().all_kinds),
        href: href(&out.query, req.scope, None, 1),
        current: req.kind.is_none(),
    }];
    links.extend(out.per_kind.iter().map(|(k, n)| Link {
        label: format!("{} ({n})", k.label(lang)),
        href: href(&out.query, req.scope, Some(*k), 1),
        current: req.kind == Some(*k),
    }));
    links
}

/// `GET /api/search?q=&in=&kind=&page=`: the same search as JSON.
pub async fn api(State(state): State<AppState>, Query(params): Query<SearchParams>) -> Result<Response, WebError> {
    let req = params.request(&state);
    let out = yangguang_app::search::search(&state.site, &req).await?;
    let body = serde_json::json!({
        "query": out.query,
        "truncated": out.truncated,
        "scope": req.scope.map(|c| c.to_string()),
        "kind": req.kind.map(Kind::as_str),
        "page": out.page,
        "pages": out.pages,
        "per_page": yangguang_app::search::PER_PAGE,
        "total": out.total,
        "per_kind": out.per_kind.iter().map(|(k, n)| (k.as_str().to_owned(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        "building": out.building,
        "villages": out.villages.iter().map(|(c, n, town)| serde_json::json!({
            "code": c.to_string(), "name": n, "town": town, "url": format!("/v/{c}"),
        })).collect::<Vec<_>>(),
        "hits": out.hits.iter().map(|h| serde_json::json!({
            "kind": h.kind.as_str(),
            "village": h.village.to_string(),
            "village_name": h.village_name,
            "title_html": h.title_html,
            "snippet_html": h.snippet_html,
            "date": h.date,
            "url": h.url,
            "meta": h.meta,
        })).collect::<Vec<_>>(),
        "next": (out.page < out.pages).then(|| format!("/api/search?{}", href(&out.query, req.scope, req.kind, out.page + 1).trim_start_matches("/search?"))),
    });
    Ok(Json(body).into_response())
}
