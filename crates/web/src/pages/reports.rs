//! 随手拍 on the public site: a village's resolved reports (`/v/{code}/reports`), the report
//! form (`/v/{code}/reports/new`, a multipart POST that works without JavaScript; a small
//! script fills in the phone's coordinates on request), the receipt page shown once, and the
//! follow-up by receipt code (`/reports/follow`, a POST so the code stays out of URLs and logs).
//! Nothing here is cached: the lists change as reports are resolved, the rest is the reader's own.

use askama::Template;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::{Form, Router};
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::i18n::{Label, Lang, ReportTexts};
use yangguang_app::reports::{self, ReportError, Sender, Submission};
use yangguang_core::Region;
use yangguang_core::report::{CATEGORIES, MAX_PHOTOS, Status};
use yangguang_core::time::format_china;
use yangguang_store::{Report, ReportEvent};

use super::village::find_village;
use super::{Crumb, Layout, path_and_query, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;
use crate::render::EncodedPage;
use crate::session::{check_origin, client_ip, cookie_value, set_cookie};

/// The device cookie anonymous reports are counted by (with the address).
const DEVICE_COOKIE: &str = "yg_device";
const PER_PAGE: u32 = 20;

pub fn routes() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route("/v/{code}/reports", get(list))
        .route(
            "/v/{code}/reports/new",
            get(new_page).post(submit).layer(axum::extract::DefaultBodyLimit::max((MAX_PHOTOS + 1) * 10 * 1024 * 1024)),
        )
        .route("/v/{code}/reports/{id}/photo/{n}", get(photo))
        .route("/v/{code}/reports/{id}/photo/{n}/thumb", get(photo_thumb))
        .route("/reports/follow", get(follow_page).post(follow))
}

/// A report as pages show it.
pub struct ReportView {
    pub id: i64,
    pub village_code: String,
    pub category: &'static str,
    pub status: &'static str,
    pub status_code: &'static str,
    pub sent: String,
    pub description: String,
    pub address: String,
    /// "30.123456, 120.654321", or empty.
    pub coordinates: String,
    pub photos: usize,
    pub outcome: String,
    pub assignee: String,
    pub hidden: String,
}

impl ReportView {
    pub fn new(r: &Report, lang: Lang) -> Self {
        Self {
            id: r.id,
            village_code: r.village.to_string(),
            category: r.category.label(lang),
            status: r.status.label(lang),
            status_code: r.status.as_str(),
            sent: format_china(r.created_at),
            description: r.description.clone(),
            address: r.place.address.clone(),
            coordinates: match (r.place.lat, r.place.long) {
                (Some(lat), Some(long)) => format!("{lat}, {long}"),
                _ => String::new(),
            },
            photos: r.photos.len(),
            outcome: r.outcome.clone().unwrap_or_default(),
            assignee: r.assignee_name.clone().unwrap_or_default(),
            hidden: r.hidden_reason.clone().unwrap_or_default(),
        }
    }
}

/// A step of a report's history as pages show it.
pub struct EventView {
    pub at: String,
    pub what: String,
    pub note: String,
}

pub fn event_views(events: &[ReportEvent], lang: Lang) -> Vec<EventView> {
    let t = lang.reports();
    events
        .iter()
        .map(|e| EventView {
            at: format_china(e.at),
            what: Status::parse(&e.action).map(|s| s.label(lang).to_owned()).unwrap_or_else(|| t.hidden.to_owned()),
            note: e.note.clone(),
        })
        .collect()
}

fn page(state: &AppState, headers: &HeaderMap, status: StatusCode, html: String) -> Response {
    let mut r = EncodedPage::fresh(status, html).respond(headers, &state.security);
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn layout(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    village: Option<&Region>,
    title: &str,
    leaf: Option<&str>,
) -> Layout {
    let t = prefs.lang.reports();
    let mut crumbs = vec![];
    if let Some(v) = village {
        crumbs = region_crumbs(&state.site.regions(), v.code, true);
        let list = format!("/v/{}/reports", v.code);
        crumbs.push(Crumb { label: t.title.into(), href: leaf.map(|_| list) });
        if let Some(leaf) = leaf {
            crumbs.push(Crumb { label: leaf.into(), href: None });
        }
    }
    let full = village.map_or(title.to_owned(), |v| format!("{title} - {}", v.name));
    Layout::new(prefs, path_and_query(uri), full, t.intro.into(), crumbs)
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    layout: Layout,
    r: &'static ReportTexts,
    village_code: String,
    village_name: String,
    reports: Vec<ReportView>,
    total: u64,
    page: u32,
    page_count: u32,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    // Resolved reports, hidden ones included so that their "已隐藏" note shows.
    let found = state
        .site
        .store
        .list_reports(&yangguang_store::ReportQuery {
            region_prefixes: vec![village.code.to_string()],
            statuses: vec![Status::Resolved],
            page: page_no,
            per_page: PER_PAGE,
            ..Default::default()
        })
        .await?;
    let t = prefs.lang.reports();
    let view = ListPage {
        layout: layout(&state, &prefs, &uri, Some(&village), t.title, None),
        r: t,
        village_code: village.code.to_string(),
        village_name: village.name.clone(),
        reports: found.items.iter().map(|r| ReportView::new(r, prefs.lang)).collect(),
        total: found.total,
        page: found.page,
        page_count: found.page_count(),
    };
    Ok(page(&state, &headers, StatusCode::OK, view.render()?))
}

#[derive(Template)]
#[template(path = "report_new.html")]
struct NewPage {
    layout: Layout,
    r: &'static ReportTexts,
    village_code: String,
    categories: Vec<(&'static str, &'static str)>,
    form: Typed,
    /// (field, message) of the problem, if any.
    problem: (String, String),
    nonce: String,
}

/// What was typed, given back on a refusal.
#[derive(Default)]
struct Typed {
    category: String,
    description: String,
    address: String,
    lat: String,
    long: String,
}

impl NewPage {
    fn error_for(&self, field: &str) -> &str {
        if self.problem.0 == field { &self.problem.1 } else { "" }
    }
}

fn new_form(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    village: &Region,
    form: Typed,
    problem: (String, String),
    status: StatusCode,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let t = prefs.lang.reports();
    let mut l = layout(state, &prefs, uri, Some(village), t.new_title, Some(t.report_link));
    l.js = crate::REPORT_JS;
    let view = NewPage {
        layout: l,
        r: t,
        village_code: village.code.to_string(),
        categories: CATEGORIES.iter().map(|c| (c.as_str(), c.label(prefs.lang))).collect(),
        form,
        problem,
        nonce: yangguang_app::auth::random_token(),
    };
    let mut r = page(state, headers, status, view.render()?);
    if cookie_value(headers, DEVICE_COOKIE).is_none() {
        let device = yangguang_app::auth::random_token();
        r.headers_mut().append(header::SET_COOKIE, set_cookie(headers, DEVICE_COOKIE, &device, 365 * 86_400, "/"));
    }
    Ok(r)
}

async fn new_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    new_form(&state, &headers, &uri, &village, Typed::default(), Default::default(), StatusCode::OK)
}

/// Reads the report form; photos come in `photos`.
async fn read_form(mut mp: Multipart) -> Result<(Submission, String), WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("表单无法读取，请返回重新提交 / unreadable form: {e}"))
    };
    let (mut form, mut nonce) = (Submission::default(), String::new());
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photos" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() {
                form.photos.push((if file_name.is_empty() { "photo".into() } else { file_name }, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "category" => form.category = text,
            "description" => form.description = text,
            "address" => form.address = text,
            "lat" => form.lat = text,
            "long" => form.long = text,
            "nonce" => nonce = text,
            _ => {}
        }
    }
    Ok((form, nonce))
}

#[derive(Template)]
#[template(path = "report_sent.html")]
struct SentPage {
    layout: Layout,
    r: &'static ReportTexts,
    village_code: String,
    code: String,
}

async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    mp: Multipart,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let village = find_village(&state, &code)?;
    let (form, nonce) = read_form(mp).await?;
    let typed = Typed {
        category: form.category.clone(),
        description: form.description.clone(),
        address: form.address.clone(),
        lat: form.lat.clone(),
        long: form.long.clone(),
    };
    let now = Utc::now();
    // A form is sent once: the same form again (a replay, a double tap) stores nothing more.
    let fresh_nonce = nonce.len() == 64 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
    if !fresh_nonce || !state.site.store.claim_state(&format!("report-form/{nonce}"), "1", now).await? {
        return Err(WebError::conflict(
            "这份表单已经提交过了，请勿重复提交；如需再反映问题，请重新打开表单 / this form was already sent",
        ));
    }
    let household = match cookie_value(&headers, crate::villager::VILLAGER_COOKIE) {
        Some(token) => yangguang_app::villagers::session(&state.site, token, now).await?.map(|s| s.household),
        None => None,
    };
    let ip = client_ip(&headers);
    let sender = Sender { ip: &ip, device: cookie_value(&headers, DEVICE_COOKIE), household };
    let lang = Prefs::from_headers(&headers).lang;
    match reports::submit(&state.site, village.code, form, sender, now).await {
        Ok((_, receipt)) => {
            let t = lang.reports();
            let view = SentPage {
                layout: layout(
                    &state,
                    &Prefs::from_headers(&headers),
                    &uri,
                    Some(&village),
                    t.sent_title,
                    Some(t.sent_title),
                ),
                r: t,
                village_code: village.code.to_string(),
                code: receipt,
            };
            Ok(page(&state, &headers, StatusCode::OK, view.render()?))
        }
        Err(ReportError::App(e)) => Err(e.into()),
        Err(e) => {
            let (status, field) = match &e {
                ReportError::Field { field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *field),
                _ => (StatusCode::TOO_MANY_REQUESTS, "form"),
            };
            let message = yangguang_app::i18n::pick(&e.to_string(), lang).to_owned();
            new_form(&state, &headers, &uri, &village, typed, (field.into(), message), status)
        }
    }
}

#[derive(Template)]
#[template(path = "report_follow.html")]
struct FollowPage {
    layout: Layout,
    r: &'static ReportTexts,
    code: String,
    error: String,
    found: Option<ReportView>,
    history: Vec<EventView>,
}

fn follow_view(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    status: StatusCode,
    code: &str,
    error: &str,
    found: Option<(Report, Vec<ReportEvent>)>,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let t = prefs.lang.reports();
    let (found, history) = match found {
        Some((r, events)) => (Some(ReportView::new(&r, prefs.lang)), event_views(&events, prefs.lang)),
        None => (None, vec![]),
    };
    let view = FollowPage {
        layout: layout(state, &prefs, uri, None, t.follow_title, None),
        r: t,
        code: code.to_owned(),
        error: error.to_owned(),
        found,
        history,
    };
    Ok(page(state, headers, status, view.render()?))
}

async fn follow_page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    follow_view(&state, &headers, &uri, StatusCode::OK, "", "", None)
}

#[derive(Deserialize)]
struct FollowForm {
    code: String,
}

async fn follow(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Form(f): Form<FollowForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let lang = Prefs::from_headers(&headers).lang;
    let code: String = f.code.chars().take(64).collect();
    match reports::follow(&state.site, &code, &client_ip(&headers), Utc::now()).await {
        Ok(Some(found)) => follow_view(&state, &headers, &uri, StatusCode::OK, &code, "", Some(found)),
        Ok(None) => {
            follow_view(&state, &headers, &uri, StatusCode::NOT_FOUND, &code, lang.reports().follow_unknown, None)
        }
        Err(ReportError::App(e)) => Err(e.into()),
        Err(e) => {
            let message = yangguang_app::i18n::pick(&e.to_string(), lang).to_owned();
            follow_view(&state, &headers, &uri, StatusCode::TOO_MANY_REQUESTS, &code, &message, None)
        }
    }
}

/// A public report's photo: only resolved, unhidden reports of that village show theirs.
async fn public_photo(state: &AppState, code: &str, id: &str, n: &str, thumb: bool) -> Result<Response, WebError> {
    let village = find_village(state, code)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let n: usize = n.parse().map_err(|_| WebError::NotFound)?;
    let report = match state.site.store.get_report(id).await {
        Ok(r) if r.village == village.code && r.is_public() => r,
        Ok(_) | Err(yangguang_store::StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    photo_response(state, &report, n, thumb, "public, max-age=3600").await
}

/// The bytes of a report's `n`th photo (or its thumbnail).
pub async fn photo_response(
    state: &AppState,
    report: &Report,
    n: usize,
    thumb: bool,
    cache: &'static str,
) -> Result<Response, WebError> {
    let p = report.photos.get(n).ok_or(WebError::NotFound)?;
    let (bytes, media_type) = if thumb {
        (state.site.files.get_thumbnail(&p.sha256).await?, "image/jpeg".to_owned())
    } else {
        (state.site.files.get(&p.sha256).await?, p.media_type.clone())
    };
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&media_type).unwrap_or(HeaderValue::from_static("image/jpeg")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

async fn photo(
    State(state): State<AppState>,
    Path((code, id, n)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    public_photo(&state, &code, &id, &n, false).await
}

async fn photo_thumb(
    State(state): State<AppState>,
    Path((code, id, n)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    public_photo(&state, &code, &id, &n, true).await
}
