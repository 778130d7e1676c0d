//! Public pages: one module per page, one template struct per page (`<Noun>Page`), all
//! sharing the `Layout` that `base.html` renders.

pub mod column;
pub mod decisions;
pub mod disclosure;
pub mod feed_entries;
pub mod feeds;
pub mod finance;
pub mod gaps;
pub mod governance;
pub mod leases;
pub mod points;
pub mod print;
pub mod reader;
pub mod region;
pub mod reports;
pub mod search;
pub mod trading;
pub mod transparency;
pub mod village;

use std::future::Future;
use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use yangguang_app::regions::RegionIndex;
use yangguang_core::{Column, DisclosureSummary, Region, RegionCode};

use crate::AppState;
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::prefs::Prefs;
use crate::render::{EncodedPage, Lookup};
pub use reader::tel_href;
pub use yangguang_app::Scope;

pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

pub struct Layout {
    pub t: &'static Texts,
    pub other_lang: Lang,
    pub elder: bool,
    pub title: String,
    pub description: String,
    /// The current path and query, URL-encoded, for the settings switches to return to.
    pub back: String,
    pub crumbs: Vec<Crumb>,
    pub css: &'static str,
    pub js: &'static str,
    /// Use a wide screen's width (the console's tables), not the reading column.
    pub wide: bool,
    /// The absolute URL of the picture a shared link shows (WeChat needs a full address).
    pub og_image: String,
    /// The villager-side words (the login's help, units, the month switch, open data).
    pub v: &'static yangguang_app::i18n::VillagerTexts,
    /// The region a page's search box searches in (a village's or town's code); empty: all.
    pub search_scope: String,
    /// The Atom feed of what the page lists, announced in the head for feed readers.
    pub feed: Option<(String, String)>,
    /// schema.org JSON-LD describing the page's datasets, escaped for a `<script>` element.
    pub json_ld: String,
}

impl Layout {
    pub fn new(prefs: &Prefs, back: &str, title: String, description: String, crumbs: Vec<Crumb>) -> Self {
        let t = prefs.lang.texts();
        Self {
            t,
            other_lang: prefs.lang.other(),
            elder: prefs.elder,
            title: format!("{title} - {}", t.site_name),
            description,
            back: form_urlencoded::byte_serialize(back.as_bytes()).collect(),
            crumbs,
            css: crate::CSS,
            js: crate::JS,
            wide: false,
            v: prefs.lang.villager(),
            og_image: format!("{}{}", prefs.origin.as_deref().unwrap_or(""), reader::OG_IMAGE_PATH),
            search_scope: String::new(),
            feed: None,
            json_ld: String::new(),
        }
    }
}

pub fn path_and_query(uri: &Uri) -> &str {
    uri.path_and_query().map_or("/", |p| p.as_str())
}

/// Serves a page from the cache, rendering it on a miss. The generation is read before
/// rendering, so a publish during the render leaves a stale entry, never a wrong fresh one.
pub async fn cached<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    prefs: &Prefs,
    uri: &Uri,
    scope: Scope,
    render: F,
) -> Result<Response, WebError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, WebError>>,
{
    cached_over(state, headers, prefs, uri, &[scope], render).await
}

/// [`cached`] for a page showing what several scopes hold (an item's page shows its village's
/// publications and the log's latest checkpoint): stale when any of them changed.
pub async fn cached_over<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    prefs: &Prefs,
    uri: &Uri,
    scopes: &[Scope],
    render: F,
) -> Result<Response, WebError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, WebError>>,
{
    // The origin too: a page names its own address in `og:image`.
    let key = format!("{}|{}|{}", prefs.variant(), prefs.origin.as_deref().unwrap_or(""), path_and_query(uri));
    let encoding = crate::render::negotiate(headers);
    Ok(cached_page_over(state, key, scopes, encoding, render).await?.respond(headers, &state.security))
}

/// The cached page under `key`, rendered again when what it shows (its scope) changed. While
/// one request renders a page, concurrent ones get the previous version, or wait for the first.
pub async fn cached_page<F, Fut>(
    state: &AppState,
    key: String,
    scope: Scope,
    encoding: crate::render::Encoding,
    render: F,
) -> Result<Arc<EncodedPage>, WebError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, WebError>>,
{
    cached_page_over(state, key, &[scope], encoding, render).await
}

/// [`cached_page`] over several scopes. Each encoding is an entry of its own, made only when
/// a reader asks for it.
pub async fn cached_page_over<F, Fut>(
    state: &AppState,
    key: String,
    scopes: &[Scope],
    encoding: crate::render::Encoding,
    render: F,
) -> Result<Arc<EncodedPage>, WebError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, WebError>>,
{
    // Each scope's generation only grows, so their sum changes whenever one of them does.
    let generation = scopes.iter().map(|s| state.site.generation(*s)).sum();
    let key = format!("{}|{key}", encoding.tag());
    let today = yangguang_app::today();
    let _guard = match state.cache.lookup(&key, generation, today) {
        Lookup::Fresh(page) => return Ok(page),
        Lookup::Stale(page) => match state.cache.begin_render(&key) {
            Some(guard) => Some(guard),
            None => return Ok(page),
        },
        // A page nobody has rendered yet: one request renders it, the others wait for that
        // (briefly; past half a second they render it themselves).
        Lookup::Missing => match state.cache.begin_render(&key) {
            Some(guard) => Some(guard),
            None => {
                for _ in 0..250 {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    if let Lookup::Fresh(page) | Lookup::Stale(page) = state.cache.lookup(&key, generation, today) {
                        return Ok(page);
                    }
                    if !state.cache.is_rendering(&key) {
                        break; // the first render failed (a 404, say): find out for ourselves
                    }
                }
                None
            }
        },
    };
    let page = Arc::new(EncodedPage::new(StatusCode::OK, render().await?, encoding));
    state.cache.insert(key, generation, today, page.clone());
    Ok(page)
}

/// One row of a village's register (a lease, a listing) on a page of its own.
#[derive(Template)]
#[template(path = "register_item.html")]
pub struct RegisterItemPage {
    pub layout: Layout,
    pub title: String,
    /// A line under the title (a listing's stage); empty for none.
    pub sub: String,
    /// Warning badges (a lease ending soon, rent in arrears).
    pub flags: Vec<String>,
    pub facts: Vec<(&'static str, String)>,
    /// Where the facts come from.
    pub note: &'static str,
    /// The item's 我要质询 form (`crate::voice`).
    pub ask_href: String,
    /// The decision that authorised it ("依据决议 2026-001", its page), if one is named.
    pub decision: Option<(String, String)>,
}

/// The layout of one of a village's register pages: its `section` (title, path under the
/// village), and for one item's page the item's crumb and title.
pub fn register_layout(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    village: &Region,
    section: (&str, &str),
    item: Option<(&str, &str)>,
) -> Layout {
    let mut crumbs = region_crumbs(&state.site.regions(), village.code, true);
    let (label, path) = section;
    let (title, description) = match item {
        None => {
            crumbs.push(Crumb { label: label.into(), href: None });
            (format!("{label} - {}", village.name), format!("{}{label}", village.name))
        }
        Some((crumb, title)) => {
            crumbs.push(Crumb { label: label.into(), href: Some(format!("/v/{}/{path}", village.code)) });
            crumbs.push(Crumb { label: crumb.into(), href: None });
            (format!("{title} - {}", village.name), format!("{}{label}：{title}", village.name))
        }
    };
    Layout::new(prefs, path_and_query(uri), title, description, crumbs)
}

/// Breadcrumbs from the home region down to `code` (regions above home are not shown).
pub fn region_crumbs(regions: &RegionIndex, code: RegionCode, link_last: bool) -> Vec<Crumb> {
    let home = regions.home().map(|h| h.code);
    let chain = regions.ancestry(code);
    let start = chain.iter().position(|r| Some(r.code) == home).unwrap_or(0);
    let last = chain.len().saturating_sub(1);
    chain[start..]
        .iter()
        .enumerate()
        .map(|(i, r)| Crumb {
            label: r.name.clone(),
            href: (link_last || start + i != last).then(|| region_href(r, Some(r.code) == home)),
        })
        .collect()
}

fn region_href(r: &Region, is_home: bool) -> String {
    if is_home {
        "/?all=1".into()
    } else if r.kind.is_village_level() {
        format!("/v/{}", r.code)
    } else {
        format!("/r/{}", r.code)
    }
}

pub fn column_name(c: &Column, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &c.name,
        Lang::En => &c.name_en,
    }
}

pub fn column_summary(c: &Column, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &c.summary,
        Lang::En => &c.summary_en,
    }
}

/// A disclosure as lists show it.
pub struct ListItem {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub column: String,
    pub attachments: i64,
}

pub fn list_items(state: &AppState, lang: Lang, items: &[DisclosureSummary]) -> Vec<ListItem> {
    items
        .iter()
        .map(|d| ListItem {
            id: d.id.0,
            title: if d.state == yangguang_core::DisclosureState::Withdrawn {
                format!("{}{}", d.title, lang.texts().withdrawn_label)
            } else {
                d.title.clone()
            },
            date: d.published_at.map(|t| yangguang_core::time::china_date(t).to_string()).unwrap_or_default(),
            column: state.site.catalog.column(&d.column).map(|c| column_name(c, lang).to_owned()).unwrap_or_default(),
            attachments: d.attachment_count,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    layout: Layout,
    heading: &'a str,
    text: &'a str,
    query: &'a str,
}

/// The page for an error: friendly, with a way back and a search box.
pub fn error_page(
    state: &AppState,
    prefs: &Prefs,
    error: &WebError,
    encoding: crate::render::Encoding,
) -> Arc<EncodedPage> {
    if let Some(message) = error.message() {
        // Refusals carry their own message: rendered each time, never cached.
        let (words, lang) = (prefs.lang.console(), prefs.lang);
        let heading = match error {
            WebError::Forbidden(_) | WebError::Unauthorized(_) => words.refused_title,
            WebError::Conflict(_) => words.changed_title,
            _ => words.bad_request_title,
        };
        let message = &yangguang_app::i18n::pick(message, lang).to_owned();
        let page = MessagePage {
            layout: Layout::new(prefs, "/", heading.to_owned(), message.clone(), vec![]),
            heading,
            text: message,
            query: "",
        };
        let html = page.render().unwrap_or_else(|_| message.clone());
        return Arc::new(EncodedPage::fresh(error.status(), html));
    }
    let key = format!(
        "{}|!error-{}|{}|{}",
        encoding.tag(),
        error.code(),
        prefs.variant(),
        prefs.origin.as_deref().unwrap_or("")
    );
    let today = yangguang_app::today();
    if let Some(page) = state.cache.get(&key, 0, today) {
        return page;
    }
    let t = prefs.lang.texts();
    let (heading, text) = match error {
        WebError::NotFound => (t.not_found_title, t.not_found_text),
        _ => (t.error_title, t.error_text),
    };
    let page = MessagePage {
        layout: Layout::new(prefs, "/", heading.to_owned(), text.to_owned(), vec![]),
        heading,
        text,
        query: "",
    };
    let html =
        page.render().unwrap_or_else(|e| format!("<!doctype html><title>{heading}</title><p>{text}</p><!-- {e} -->"));
    let page = Arc::new(EncodedPage::new(error.status(), html, encoding));
    state.cache.insert(key, 0, today, page.clone());
    page
}
