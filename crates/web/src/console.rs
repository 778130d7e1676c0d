//! The staff console, server-rendered like the public site: login, the work list, drafting
//! with attachments and live preview, review and sign-off, corrections and withdrawals, the
//! audit trail, accounts. Every POST checks the session's CSRF token (and the Origin header
//! when the browser sends one); every action checks the actor's role on that village.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use yangguang_app::auth::{self, LoginError, SignedIn};
use yangguang_app::publishing::{self, Actor, DraftInput, ReviewOutcome};
use yangguang_app::{AppError, uploads};
use yangguang_core::staff::{ALL_ROLES, Grant, Role};
use yangguang_core::{Attachment, DisclosureId, DisclosureKind, DisclosureState, Period, RegionCode};
use yangguang_store::{Decision, WorkQuery};

use crate::AppState;
use crate::error::WebError;
use crate::pages::{Crumb, Layout};
use crate::prefs::Prefs;

pub const SESSION_COOKIE: &str = "yg_session";
const LOGIN_CSRF_COOKIE: &str = "yg_login_csrf";
const FLASH_COOKIE: &str = "yg_flash";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console", get(dashboard))
        .route("/console/new", get(new_page).post(create))
        .route("/console/preview", post(preview))
        .route("/console/d/{id}", get(detail))
        .route("/console/d/{id}/edit", get(edit_page).post(edit))
        .route("/console/d/{id}/submit", post(submit))
        .route("/console/d/{id}/review", post(review))
        .route("/console/d/{id}/correct", post(correct))
        .route("/console/d/{id}/withdraw", post(withdraw))
        .route("/console/account", get(account_page))
        .route("/console/account/password", post(change_password))
        .route("/console/account/totp", post(enable_totp))
        .route("/console/audit", get(audit_page))
        .route("/console/users", get(users_page).post(create_user))
        .route("/console/users/{id}/revoke", post(revoke_user))
        .route("/console/users/{id}/disable", post(disable_user))
        .route("/console/checkpoint", post(checkpoint))
        .route("/console/finance/draft", post(draft_accounts))
        .route("/console/ledger", get(ledger_page).post(import_ledger))
        .route("/console/ledger/columns", post(save_columns))
        .route("/console/leases", get(leases_page).post(import_leases))
        .route("/console/households", get(households_page).post(import_households))
        .route("/console/assets", get(assets_page).post(import_assets))
        .route("/console/bank", get(bank_page))
        .route("/console/bank/product", post(save_product))
        .route("/console/bank/village", post(save_bank_village))
        .route("/console/bank/credit", post(import_credit))
        // Uploads: up to the per-file limit times a few files; each file is checked again.
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
}

// ───────────────────────── helpers ─────────────────────────

pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address as `crate::client_address` established it (never a header the
/// client chose).
pub(crate) fn client_ip(headers: &HeaderMap) -> String {
    headers.get(crate::CLIENT_IP_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("local").to_owned()
}

fn secure(headers: &HeaderMap) -> &'static str {
    if headers.get("x-forwarded-proto").is_some_and(|v| v == "https") { "; Secure" } else { "" }
}

pub(crate) fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64, path: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        secure(headers)
    ))
    .expect("ASCII cookie")
}

pub(crate) fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A console page. A one-time message shown on it is cleared with it.
fn html(state: &AppState, request: &HeaderMap, status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    if cookie_value(request, FLASH_COOKIE).is_some() {
        r.headers_mut().append(header::SET_COOKIE, set_cookie(request, FLASH_COOKIE, "", 0, "/console"));
    }
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    state.security.apply(h);
    no_store(r)
}

fn app_error(e: AppError) -> WebError {
    e.into()
}

/// A signed-in staff member, or where to send the browser instead.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<SignedIn>, WebError> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else { return Ok(None) };
    auth::signed_in(&state.site, token, Utc::now()).await.map_err(app_error)
}

enum Gate {
    In(Box<SignedIn>),
    Out(Response),
}

/// Requires a live session; staff who must change their password or set up a second
/// factor are sent to their account page until they have.
async fn gate(state: &AppState, headers: &HeaderMap, allow_setup: bool) -> Result<Gate, WebError> {
    match signed_in(state, headers).await? {
        None => Ok(Gate::Out(Redirect::to("/console/login").into_response())),
        Some(who) if !allow_setup && (who.staff.must_change_password || who.needs_totp_setup()) => {
            Ok(Gate::Out(Redirect::to("/console/account").into_response()))
        }
        Some(who) => Ok(Gate::In(Box::new(who))),
    }
}

macro_rules! signed_in_or_redirect {
    ($state:expr, $headers:expr) => {
        match gate(&$state, &$headers, false).await? {
            Gate::In(who) => *who,
            Gate::Out(r) => return Ok(r),
        }
    };
    ($state:expr, $headers:expr, setup) => {
        match gate(&$state, &$headers, true).await? {
            Gate::In(who) => *who,
            Gate::Out(r) => return Ok(r),
        }
    };
}

/// Refuses a form another site sent (its browser says so in `Origin`).
pub(crate) fn check_origin(headers: &HeaderMap) -> Result<(), WebError> {
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or("");
        let host = host.to_str().unwrap_or("");
        let same = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host);
        if !same {
            return Err(WebError::Forbidden("请求来自其他网站，已拒绝 / cross-site request refused".into()));
        }
    }
    Ok(())
}

/// Refuses a form whose CSRF token is missing or wrong, or that another site sent.
fn check_csrf(headers: &HeaderMap, expected: &str, given: Option<&str>) -> Result<(), WebError> {
    check_origin(headers)?;
    match given {
        Some(g) if !expected.is_empty() && g == expected => Ok(()),
        _ => Err(WebError::Forbidden(
            "表单已过期或来源不明（CSRF 校验失败），请返回重新打开页面后再提交 / the form's CSRF token is missing or wrong".into(),
        )),
    }
}

/// The navigation bar's facts about the reader.
pub struct Nav {
    pub name: String,
    pub csrf: String,
    pub can_draft: bool,
    pub can_audit: bool,
    pub is_admin: bool,
    pub can_checkpoint: bool,
    pub is_bank: bool,
    pub flash: String,
}

fn nav(who: &SignedIn, headers: &HeaderMap) -> Nav {
    let grants = who.grants();
    let flash = cookie_value(headers, FLASH_COOKIE)
        .and_then(|v| form_urlencoded::parse(format!("m={v}").as_bytes()).next().map(|(_, v)| v.into_owned()))
        .unwrap_or_default();
    Nav {
        name: who.staff.display_name.clone(),
        csrf: who.session.csrf_token.clone(),
        can_draft: grants.has_role(Role::VillageClerk),
        can_audit: grants.can_read_audit(),
        is_admin: grants.is_admin(),
        can_checkpoint: grants.can_checkpoint(),
        is_bank: who.staff.grants.iter().any(|g| g.role == Role::BankEditor),
        flash,
    }
}

fn layout(headers: &HeaderMap, title: &str) -> Layout {
    let prefs = Prefs::from_headers(headers);
    let mut l = Layout::new(
        &prefs,
        "/console",
        title.to_owned(),
        "阳光村务工作人员控制台".into(),
        vec![
            Crumb { label: "控制台".into(), href: Some("/console".into()) },
            Crumb { label: title.into(), href: None },
        ],
    );
    l.js = crate::CONSOLE_JS;
    l
}

/// Redirects after a successful POST, with a one-time message for the next page.
fn done(headers: &HeaderMap, to: &str, message: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let encoded: String = form_urlencoded::byte_serialize(message.as_bytes()).collect();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(headers, FLASH_COOKIE, &encoded, 30, "/console"));
    no_store(r)
}

fn village_name(state: &AppState, code: RegionCode) -> String {
    state.site.regions().get(code).map(|r| r.name.clone()).unwrap_or_else(|| code.to_string())
}

/// Code prefixes of the villages a set of grants reaches.
fn prefixes(grants: impl Iterator<Item = Grant>) -> Vec<String> {
    grants
        .map(|g| {
            let code = g.region.to_string();
            let keep = match g.region.level() {
                yangguang_core::region::CodeLevel::Village => 12,
                yangguang_core::region::CodeLevel::Town => 9,
                yangguang_core::region::CodeLevel::County => 6,
                yangguang_core::region::CodeLevel::City => 4,
                yangguang_core::region::CodeLevel::Province => 2,
            };
            code[..keep].to_owned()
        })
        .collect()
}

// ───────────────────────── login ─────────────────────────

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    username: String,
    error: String,
    notice: String,
}

fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    username: &str,
    error: &str,
    notice: &str,
) -> Result<Response, WebError> {
    // Login CSRF: a random value in a cookie and in the form must match (double submit).
    let csrf = auth::random_token();
    let page = LoginPage {
        layout: layout(headers, "登录"),
        csrf: csrf.clone(),
        next: "/console".into(),
        username: username.into(),
        error: error.into(),
        notice: notice.into(),
    };
    let mut r = html(state, headers, status, page.render()?);
    r.headers_mut().append(header::SET_COOKIE, set_cookie(headers, LOGIN_CSRF_COOKIE, &csrf, 3600, "/console"));
    Ok(r)
}

pub async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/console").into_response());
    }
    let notice =
        if cookie_value(&headers, FLASH_COOKIE).is_some() { "密码已修改，请用新密码登录。" } else { "" };
    login_form(&state, &headers, StatusCode::OK, "", "", notice)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    username: String,
    password: String,
    totp: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    check_csrf(&headers, cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or(""), f.csrf.as_deref())?;
    let ip = client_ip(&headers);
    match auth::login(&state.site, f.username.trim(), &f.password, f.totp.as_deref(), &ip, Utc::now()).await {
        Ok((token, who)) => {
            let to =
                if who.staff.must_change_password || who.needs_totp_setup() { "/console/account" } else { "/console" };
            let mut r = Redirect::to(to).into_response();
            let max_age = auth::SESSION_HOURS * 3600;
            r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, &token, max_age, "/"));
            Ok(no_store(r))
        }
        Err(e) => {
            let status = match e {
                LoginError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
                LoginError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNAUTHORIZED,
            };
            login_form(&state, &headers, status, &f.username, &e.to_string(), "")
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers, setup);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    auth::logout(&state.site, &who, &client_ip(&headers)).await.map_err(app_error)?;
    let mut r = Redirect::to("/console/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, "", 0, "/"));
    Ok(no_store(r))
}

// ───────────────────────── dashboard ─────────────────────────

pub struct WorkRow {
    pub id: i64,
    pub title: String,
    pub village: String,
    pub state: String,
}

pub struct DueRow {
    pub village: String,
    pub village_code: String,
    pub item: String,
    pub item_id: String,
    pub period: String,
    pub period_code: String,
    pub deadline: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub can_draft: bool,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    nav: Nav,
    to_review: Vec<WorkRow>,
    mine: Vec<WorkRow>,
    due: Vec<DueRow>,
}

/// At most this many villages get their due items listed (a township has ~20).
const DUE_VILLAGES: usize = 25;

pub async fn dashboard(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let grants = who.grants();
    let site = &state.site;
    let row = |d: &yangguang_core::DisclosureSummary| WorkRow {
        id: d.id.0,
        title: d.title.clone(),
        village: village_name(&state, d.village),
        state: d.state.label_zh().into(),
    };
    let clerk = prefixes(grants.0.iter().copied().filter(|g| g.role == Role::VillageClerk));
    let mine_q = WorkQuery {
        region_prefixes: clerk,
        states: vec![
            DisclosureState::Draft,
            DisclosureState::Returned,
            DisclosureState::Submitted,
            DisclosureState::Scheduled,
        ],
        limit: 100,
    };
    let mine: Vec<WorkRow> = site.store.list_work(&mine_q).await?.iter().map(row).collect();
    let reviewer_roles = [
        Role::BranchMember,
        Role::SupervisionMember,
        Role::FinanceGroupMember,
        Role::TownshipReviewer,
        Role::CountyOperator,
    ];
    let review_q = WorkQuery {
        region_prefixes: prefixes(grants.0.iter().copied().filter(|g| reviewer_roles.contains(&g.role))),
        states: vec![DisclosureState::Submitted],
        limit: 100,
    };
    let mut to_review = vec![];
    for s in site.store.list_work(&review_q).await? {
        let d = site.store.get_disclosure(s.id).await?;
        let signoffs = site.store.list_signoffs(s.id).await?;
        let missing = publishing::missing_reviewers(site, &d, &signoffs);
        if missing.iter().any(|r| grants.can_sign(*r, d.village)) {
            to_review.push(row(&s));
        }
    }
    let today = yangguang_app::today();
    let month = Period::containing(yangguang_core::period::PeriodKind::Month, today);
    let regions = site.regions();
    let mut villages: Vec<RegionCode> = vec![];
    for g in &grants.0 {
        if matches!(g.role, Role::VillageClerk | Role::SupervisionMember | Role::TownshipReviewer) {
            let mut stack = vec![g.region];
            while let Some(c) = stack.pop() {
                match regions.get(c) {
                    Some(r) if r.kind.is_village_level() => villages.push(c),
                    Some(_) => stack.extend(regions.children(c).map(|r| r.code)),
                    None => {}
                }
            }
        }
    }
    villages.sort();
    villages.dedup();
    let mut due = vec![];
    for v in villages.into_iter().take(DUE_VILLAGES) {
        let published: std::collections::HashSet<(String, Period)> =
            site.store.published_periods(v).await?.into_iter().collect();
        for d in site.catalog.due_in_month(month, today, |item, p| published.contains(&(item.to_owned(), p))) {
            let (state_label, state_class) = match d.state {
                yangguang_core::catalog::DueState::Published => ("✓ 已公开", "published"),
                yangguang_core::catalog::DueState::Open => ("○ 待公开", "open"),
                yangguang_core::catalog::DueState::Overdue => ("! 已逾期", "overdue"),
            };
            due.push(DueRow {
                village: village_name(&state, v),
                village_code: v.to_string(),
                item: d.item.name.clone(),
                item_id: d.item.id.clone(),
                period: d.period.label_zh(),
                period_code: d.period.to_string(),
                deadline: d.deadline.to_string(),
                state: state_label,
                state_class,
                can_draft: grants.can_draft(v),
            });
        }
    }
    let page = DashboardPage { layout: layout(&headers, "工作台"), nav: nav(&who, &headers), to_review, mine, due };
    Ok(html(&state, &headers, StatusCode::OK, page.render()?))
}

// ───────────────────────── drafting ─────────────────────────

#[derive(Default)]
pub struct FormValues {
    pub village: String,
    pub item: String,
    pub column: String,
    pub period: String,
    pub title: String,
    pub body: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/edit.html")]
struct EditPage {
    layout: Layout,
    nav: Nav,
    heading: String,
    action: String,
    villages: Vec<(String, String)>,
    items: Vec<(String, String)>,
    columns: Vec<(String, String)>,
    attachments: Vec<(usize, String)>,
    is_replacement: bool,
    form: FormValues,
    max_mb: usize,
}

/// What the edit form is for: a new draft, or an existing one (with its attachments).
struct EditTarget {
    heading: &'static str,
    action: String,
    form: FormValues,
    attachments: Vec<(usize, String)>,
    is_replacement: bool,
}

fn edit_page_for(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    target: EditTarget,
) -> Result<Response, WebError> {
    let EditTarget { heading, action, form, attachments, is_replacement } = target;
    let catalog = &state.site.catalog;
    let villages: Vec<(String, String)> = who
        .staff
        .grants
        .iter()
        .filter(|g| g.role == Role::VillageClerk)
        .map(|g| (g.region.to_string(), village_name(state, g.region)))
        .collect();
    if villages.is_empty() {
        return Err(WebError::Forbidden("需要村务工作者角色才能起草 / drafting needs the village clerk role".into()));
    }
    let items =
        catalog.items().iter().map(|i| (i.id.clone(), format!("{}（{}）", i.name, i.frequency.label_zh()))).collect();
    let columns = catalog
        .columns()
        .iter()
        .map(|c| (c.id.clone(), format!("{}{}", "　".repeat(usize::from(c.depth) - 1), c.name)))
        .collect();
    let page = EditPage {
        layout: layout(headers, heading),
        nav: nav(who, headers),
        heading: heading.into(),
        action,
        villages,
        items,
        columns,
        attachments,
        is_replacement,
        form,
        max_mb: state.site.upload_limits.max_bytes / 1024 / 1024,
    };
    Ok(html(state, headers, StatusCode::OK, page.render()?))
}

#[derive(Deserialize)]
pub struct NewQuery {
    village: Option<String>,
    item: Option<String>,
    period: Option<String>,
}

pub async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let item = q.item.as_deref().and_then(|i| state.site.catalog.item(i));
    let form = FormValues {
        village: q.village.unwrap_or_default(),
        item: item.map(|i| i.id.clone()).unwrap_or_default(),
        column: item.map(|i| i.column.clone()).unwrap_or_default(),
        period: q.period.clone().unwrap_or_default(),
        title: match (item, q.period.as_deref().and_then(|p| p.parse::<Period>().ok())) {
            (Some(i), Some(p)) => format!("{}{}", p.label_zh(), i.name),
            (Some(i), None) => i.name.clone(),
            _ => String::new(),
        },
        ..FormValues::default()
    };
    let target = EditTarget {
        heading: "新建公开事项",
        action: "/console/new".into(),
        form,
        attachments: vec![],
        is_replacement: false,
    };
    edit_page_for(&state, &headers, &who, target)
}

/// A multipart form: its text fields, repeated fields and uploaded files.
struct Submitted {
    fields: HashMap<String, String>,
    keep: Vec<usize>,
    files: Vec<(String, Vec<u8>)>,
}

async fn read_multipart(mut mp: Multipart) -> Result<Submitted, WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("上传内容无法读取 / unreadable upload: {e}"))
    };
    let mut out = Submitted { fields: HashMap::new(), keep: vec![], files: vec![] };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        match (name.as_str(), field.file_name().map(str::to_owned)) {
            ("files", Some(file_name)) => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !file_name.is_empty() && !bytes.is_empty() {
                    out.files.push((file_name, bytes.to_vec()));
                }
            }
            ("keep", _) => {
                if let Ok(i) = field.text().await.map_err(bad)?.parse() {
                    out.keep.push(i);
                }
            }
            (_, _) => {
                let text = field.text().await.map_err(bad)?;
                out.fields.insert(name, text);
            }
        }
    }
    Ok(out)
}

impl Submitted {
    fn get(&self, k: &str) -> &str {
        self.fields.get(k).map(String::as_str).unwrap_or("")
    }

    fn input(&self, attachments: Vec<Attachment>) -> Result<DraftInput, WebError> {
        let period = match self.get("period").trim() {
            "" => None,
            p => Some(p.parse::<Period>().map_err(|e| WebError::BadRequest(e.to_string()))?),
        };
        Ok(DraftInput {
            column: self.get("column").into(),
            catalog_item: Some(self.get("item").to_owned()).filter(|i| !i.is_empty()),
            period,
            title: self.get("title").into(),
            body_md: self.get("body").into(),
            attachments,
            reason: Some(self.get("reason").to_owned()).filter(|r| !r.trim().is_empty()),
        })
    }
}

async fn store_uploads(state: &AppState, files: Vec<(String, Vec<u8>)>) -> Result<Vec<Attachment>, WebError> {
    let limits = state.site.upload_limits;
    let store = state.site.files.clone();
    tokio::task::spawn_blocking(move || uploads::accept_all(files, &limits, &store))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::BadRequest(e.to_string()))
}

pub async fn create(State(state): State<AppState>, headers: HeaderMap, mp: Multipart) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let form = read_multipart(mp).await?;
    check_csrf(&headers, &who.session.csrf_token, form.fields.get("csrf").map(String::as_str))?;
    let village = RegionCode::parse(form.get("village")).map_err(|e| WebError::BadRequest(e.to_string()))?;
    if !who.grants().can_draft(village) {
        return Err(WebError::Forbidden(format!("需要该村（{village}）的村务工作者角色才能起草")));
    }
    let mut input = form.input(vec![])?;
    input.attachments = store_uploads(&state, form.files).await?;
    let ip = client_ip(&headers);
    let id = publishing::create_draft(&state.site, &Actor { who: &who, ip: &ip }, village, input)
        .await
        .map_err(app_error)?;
    Ok(done(&headers, &format!("/console/d/{id}"), "草稿已保存。核对无误后请提交审核。"))
}

pub async fn edit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let d = state.site.store.get_disclosure(id).await?;
    if !who.grants().can_draft(d.village) {
        return Err(WebError::Forbidden(format!("需要该村（{}）的村务工作者角色", d.village)));
    }
    if !d.state.is_editable() || d.kind == DisclosureKind::Withdrawal {
        return Err(WebError::BadRequest(format!("此版本状态为“{}”，不能修改", d.state.label_zh())));
    }
    let form = FormValues {
        village: d.village.to_string(),
        item: d.catalog_item.clone().unwrap_or_default(),
        column: d.column.clone(),
        period: d.period.map(|p| p.to_string()).unwrap_or_default(),
        title: d.title.clone(),
        body: d.body_md.clone(),
        reason: d.reason.clone().unwrap_or_default(),
    };
    let attachments = d.attachments.iter().enumerate().map(|(i, a)| (i, a.file_name.clone())).collect();
    let target = EditTarget {
        heading: "修改草稿",
        action: format!("/console/d/{id}/edit"),
        form,
        attachments,
        is_replacement: d.kind == DisclosureKind::Correction,
    };
    edit_page_for(&state, &headers, &who, target)
}

pub async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Multipart,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let form = read_multipart(mp).await?;
    check_csrf(&headers, &who.session.csrf_token, form.fields.get("csrf").map(String::as_str))?;
    let d = state.site.store.get_disclosure(id).await?;
    let mut attachments: Vec<Attachment> =
        d.attachments.iter().enumerate().filter(|(i, _)| form.keep.contains(i)).map(|(_, a)| a.clone()).collect();
    let mut input = form.input(vec![])?;
    attachments.extend(store_uploads(&state, form.files).await?);
    input.attachments = attachments;
    let ip = client_ip(&headers);
    publishing::edit_draft(&state.site, &Actor { who: &who, ip: &ip }, id, input).await.map_err(app_error)?;
    Ok(done(&headers, &format!("/console/d/{id}"), "已保存。修改后，之前的审核签署不再有效，需要重新审核。"))
}

pub async fn preview(State(state): State<AppState>, headers: HeaderMap, mp: Multipart) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let form = read_multipart(mp).await?;
    check_csrf(&headers, &who.session.csrf_token, form.fields.get("csrf").map(String::as_str))?;
    Ok(html(&state, &headers, StatusCode::OK, yangguang_app::markdown::render(form.get("body"))))
}

// ───────────────────────── one version ─────────────────────────

pub struct SignoffRow {
    pub who: String,
    pub decision: &'static str,
    pub comment: String,
    pub at: String,
    pub valid: &'static str,
}

#[derive(Template)]
#[template(path = "console/detail.html")]
struct DetailPage {
    layout: Layout,
    nav: Nav,
    id: i64,
    title: String,
    state: &'static str,
    scheduled: String,
    kind: &'static str,
    reason: String,
    village: String,
    column: String,
    item: String,
    period: String,
    required: String,
    missing: String,
    hash: String,
    public_url: String,
    body_html: String,
    attachments: Vec<String>,
    signoffs: Vec<SignoffRow>,
    can_edit: bool,
    can_review: bool,
    can_replace: bool,
}

pub async fn detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let site = &state.site;
    let d = site.store.get_disclosure(id).await?;
    let grants = who.grants();
    if !grants.sees(d.village) {
        return Err(WebError::Forbidden(format!(
            "您的角色不涉及该村（{}）/ this village is outside your roles",
            d.village
        )));
    }
    let signoffs = site.store.list_signoffs(id).await?;
    let hash = d.content_hash();
    let required = publishing::required_reviewers(site, &d);
    let missing = publishing::missing_reviewers(site, &d, &signoffs);
    let role_names = |roles: &[yangguang_core::catalog::ReviewerRole]| {
        roles.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、")
    };
    let page = DetailPage {
        layout: layout(&headers, &d.title),
        nav: nav(&who, &headers),
        id: id.0,
        title: d.title.clone(),
        state: d.state.label_zh(),
        scheduled: d
            .scheduled_at
            .filter(|_| d.state == DisclosureState::Scheduled)
            .map(yangguang_core::time::format_china)
            .unwrap_or_default(),
        kind: match d.kind {
            DisclosureKind::Original => "原始公开",
            DisclosureKind::Correction => "更正",
            DisclosureKind::Withdrawal => "撤回申请",
        },
        reason: d.reason.clone().unwrap_or_default(),
        village: village_name(&state, d.village),
        column: site.catalog.column(&d.column).map(|c| c.name.clone()).unwrap_or_default(),
        item: d.catalog_item.as_deref().and_then(|i| site.catalog.item(i)).map(|i| i.name.clone()).unwrap_or_default(),
        period: d.period.map(|p| p.label_zh()).unwrap_or_default(),
        required: role_names(&required),
        missing: if d.state == DisclosureState::Submitted { role_names(&missing) } else { String::new() },
        public_url: if d.state.was_published() && d.kind != DisclosureKind::Withdrawal {
            format!("/v/{}/d/{}", d.village, d.id)
        } else {
            String::new()
        },
        body_html: yangguang_app::markdown::render(&d.body_md),
        attachments: d.attachments.iter().map(|a| format!("{}（{} 字节）", a.file_name, a.byte_size)).collect(),
        signoffs: signoffs
            .iter()
            .map(|s| SignoffRow {
                who: format!(
                    "{} · {}",
                    s.reviewer_name,
                    yangguang_core::catalog::ReviewerRole::parse(&s.reviewer_role).map_or("", |r| r.label_zh())
                ),
                decision: match s.decision {
                    Decision::Approve => "同意",
                    Decision::Return => "退回",
                },
                comment: s.comment.clone().unwrap_or_default(),
                at: yangguang_core::time::format_china(s.at),
                valid: if s.decision == Decision::Return {
                    "—"
                } else if s.content_hash == hash {
                    "有效"
                } else {
                    "已失效（内容在签署后被修改）"
                },
            })
            .collect(),
        can_edit: d.state.is_editable() && d.kind != DisclosureKind::Withdrawal && grants.can_draft(d.village),
        can_review: d.state == DisclosureState::Submitted && required.iter().any(|r| grants.can_sign(*r, d.village)),
        can_replace: d.state == DisclosureState::Published
            && d.kind != DisclosureKind::Withdrawal
            && grants.can_draft(d.village),
        hash,
    };
    Ok(html(&state, &headers, StatusCode::OK, page.render()?))
}

#[derive(Deserialize)]
pub struct SubmitForm {
    csrf: Option<String>,
    publish_at: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<SubmitForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let publish_at = match f.publish_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .map_err(|_| WebError::BadRequest(format!("定时公开时间 “{s}” 格式不对，应为 2026-12-01T09:00")))?;
            let at = yangguang_core::time::china().from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc));
            Some(at.ok_or_else(|| WebError::BadRequest("定时公开时间无效".into()))?)
        }
    };
    let ip = client_ip(&headers);
    publishing::submit(&state.site, &Actor { who: &who, ip: &ip }, id, publish_at).await.map_err(app_error)?;
    Ok(done(&headers, &format!("/console/d/{id}"), "已提交审核。"))
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: Option<String>,
    decision: String,
    comment: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let decision =
        Decision::parse(&f.decision).ok_or_else(|| WebError::BadRequest("审核意见只能是同意或退回".into()))?;
    let ip = client_ip(&headers);
    let outcome = publishing::review(&state.site, &Actor { who: &who, ip: &ip }, id, decision, f.comment)
        .await
        .map_err(app_error)?;
    let message = match outcome {
        ReviewOutcome::Returned => "已退回，起草人会看到您的意见。".to_owned(),
        ReviewOutcome::Waiting(missing) => {
            format!("已签署。尚需{}签署后公开。", missing.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、"))
        }
        ReviewOutcome::Scheduled(at) => format!("已签署，将于 {} 公开。", yangguang_core::time::format_china(at)),
        ReviewOutcome::Published(seq) => format!("已签署并公开，公开记录第 {seq} 条。"),
    };
    Ok(done(&headers, &format!("/console/d/{id}"), &message))
}

#[derive(Deserialize)]
pub struct ReasonForm {
    csrf: Option<String>,
    reason: String,
}

async fn replace(
    state: AppState,
    headers: HeaderMap,
    id: String,
    f: ReasonForm,
    kind: DisclosureKind,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let ip = client_ip(&headers);
    let new = publishing::start_replacement(&state.site, &Actor { who: &who, ip: &ip }, id, kind, &f.reason)
        .await
        .map_err(app_error)?;
    let (to, message) = match kind {
        DisclosureKind::Correction => (format!("/console/d/{new}/edit"), "已起草更正版本，请修改内容后提交审核。"),
        _ => (format!("/console/d/{new}"), "撤回申请已提交审核。"),
    };
    Ok(done(&headers, &to, message))
}

pub async fn correct(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    replace(state, headers, id, f, DisclosureKind::Correction).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    replace(state, headers, id, f, DisclosureKind::Withdrawal).await
}

// ───────────────────────── account ─────────────────────────

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    layout: Layout,
    nav: Nav,
    error: String,
    must_change: bool,
    roles: String,
    totp_enabled: bool,
    totp_required: bool,
    totp_secret: String,
    totp_url: String,
}

fn account_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    error: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let secret = auth::new_totp_secret();
    let regions = state.site.regions();
    let page = AccountPage {
        layout: layout(headers, "我的账号"),
        nav: nav(who, headers),
        error: error.into(),
        must_change: who.staff.must_change_password,
        roles: who
            .staff
            .grants
            .iter()
            .map(|g| {
                format!(
                    "{}（{}）",
                    g.role.label_zh(),
                    regions.get(g.region).map_or(g.region.to_string(), |r| r.name.clone())
                )
            })
            .collect::<Vec<_>>()
            .join("、"),
        totp_enabled: who.staff.totp_secret.is_some(),
        totp_required: who.needs_totp_setup(),
        totp_url: auth::totp_url(&secret, &who.staff.username).unwrap_or_default(),
        totp_secret: secret,
    };
    Ok(html(state, headers, status, page.render()?))
}

pub async fn account_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers, setup);
    account_view(&state, &headers, &who, "", StatusCode::OK)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    current: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers, setup);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    match auth::change_password(&state.site, &who, &f.current, &f.new, &client_ip(&headers)).await {
        // Every session ends with the old password, this one too: log in again.
        Ok(()) => {
            let mut r = Redirect::to("/console/login").into_response();
            r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, FLASH_COOKIE, "1", 30, "/console"));
            Ok(no_store(r))
        }
        Err(AppError::Invalid(m)) => account_view(&state, &headers, &who, &m, StatusCode::BAD_REQUEST),
        Err(e) => Err(app_error(e)),
    }
}

#[derive(Deserialize)]
pub struct TotpForm {
    csrf: Option<String>,
    secret: String,
    code: String,
}

pub async fn enable_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<TotpForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers, setup);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    match auth::enable_totp(&state.site, &who, f.secret.trim(), &f.code, &client_ip(&headers)).await {
        Ok(()) => Ok(done(&headers, "/console", "两步验证已开启，以后登录需要输入动态验证码。")),
        Err(AppError::Invalid(m)) => account_view(&state, &headers, &who, &m, StatusCode::BAD_REQUEST),
        Err(e) => Err(app_error(e)),
    }
}

// ───────────────────────── supervision and administration ─────────────────────────

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    layout: Layout,
    nav: Nav,
    total: u64,
    rows: Vec<(String, String, String, String, String, String)>,
    page: u32,
    has_next: bool,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

pub async fn audit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    if !who.grants().can_read_audit() {
        return Err(WebError::Forbidden(
            "审计记录仅平台管理员和纪委监委可查看 / the audit trail is for admins and the discipline commission".into(),
        ));
    }
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let list = state.site.store.list_audit(page, 50).await?;
    auth::audit(&state.site, Some(&who.staff), &client_ip(&headers), "view-audit", "audit", &format!("page {page}"))
        .await;
    let view = AuditPage {
        layout: layout(&headers, "审计记录"),
        nav: nav(&who, &headers),
        total: list.total,
        has_next: u64::from(page) < u64::from(list.page_count()),
        rows: list
            .items
            .into_iter()
            .map(|a| (yangguang_core::time::format_china(a.at), a.staff_name, a.action, a.target, a.detail, a.ip))
            .collect(),
        page,
    };
    Ok(html(&state, &headers, StatusCode::OK, view.render()?))
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub roles: String,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    layout: Layout,
    nav: Nav,
    error: String,
    created: String,
    roles: Vec<(&'static str, &'static str)>,
    users: Vec<UserRow>,
}

async fn users_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    error: &str,
    created: &str,
) -> Result<Response, WebError> {
    let users = state
        .site
        .store
        .list_staff()
        .await?
        .into_iter()
        .filter(|s| s.password_hash != "!")
        .map(|s| UserRow {
            id: s.id,
            username: s.username,
            name: s.display_name,
            roles: s
                .grants
                .iter()
                .map(|g| format!("{}@{}", g.role.label_zh(), village_name(state, g.region)))
                .collect::<Vec<_>>()
                .join("、"),
            disabled: s.disabled,
        })
        .collect();
    let page = UsersPage {
        layout: layout(headers, "账号管理"),
        nav: nav(who, headers),
        error: error.into(),
        created: created.into(),
        roles: ALL_ROLES.iter().map(|r| (r.as_str(), r.label_zh())).collect(),
        users,
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok(html(state, headers, status, page.render()?))
}

fn require_admin(who: &SignedIn) -> Result<(), WebError> {
    if who.grants().is_admin() {
        Ok(())
    } else {
        Err(WebError::Forbidden("账号管理需要平台管理员角色 / account management needs the platform admin role".into()))
    }
}

pub async fn users_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    require_admin(&who)?;
    users_view(&state, &headers, &who, "", "").await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: Option<String>,
    username: String,
    name: String,
    role: String,
    region: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<NewUserForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    require_admin(&who)?;
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let grant = (|| {
        let role = Role::parse(&f.role).ok_or_else(|| "未知角色".to_owned())?;
        let region = RegionCode::parse(&f.region).map_err(|e| e.to_string())?;
        Grant::new(role, region).map_err(|e| e.to_string())
    })();
    let grant = match grant {
        Ok(g) => g,
        Err(m) => return users_view(&state, &headers, &who, &m, "").await,
    };
    match auth::create_staff(&state.site, &f.username, &f.name, vec![grant]).await {
        Ok((_, password)) => {
            auth::audit(
                &state.site,
                Some(&who.staff),
                &client_ip(&headers),
                "role-granted",
                &f.username,
                &format!("{}@{}", grant.role, grant.region),
            )
            .await;
            let created =
                format!("已创建账号 {}，一次性密码：{password}（首次登录须修改，请当面交给本人）", f.username.trim());
            users_view(&state, &headers, &who, "", &created).await
        }
        Err(AppError::Invalid(m)) => users_view(&state, &headers, &who, &m, "").await,
        Err(e) => Err(app_error(e)),
    }
}

async fn user_action(
    state: AppState,
    headers: HeaderMap,
    id: String,
    f: CsrfForm,
    disable: bool,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    require_admin(&who)?;
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let mut staff = state.site.store.get_staff(id).await?;
    let ip = client_ip(&headers);
    if disable {
        staff.disabled = true;
        state.site.store.update_staff(&staff).await?;
        auth::audit(&state.site, Some(&who.staff), &ip, "account-disabled", &staff.username, "").await;
    }
    let n = state.site.store.revoke_sessions(id).await?;
    auth::audit(&state.site, Some(&who.staff), &ip, "sessions-revoked", &staff.username, &format!("{n} sessions"))
        .await;
    Ok(done(&headers, "/console/users", &format!("已处理账号 {}（注销 {n} 个登录）。", staff.username)))
}

pub async fn revoke_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user_action(state, headers, id, f, false).await
}

pub async fn disable_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user_action(state, headers, id, f, true).await
}

pub async fn checkpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    if !who.grants().can_checkpoint() {
        return Err(WebError::Forbidden("签署检查点需要平台管理员或县运维角色".into()));
    }
    let cp = yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.map_err(app_error)?;
    auth::audit(
        &state.site,
        Some(&who.staff),
        &client_ip(&headers),
        "checkpoint",
        "log",
        &cp.as_ref().map_or(0, |c| c.seq).to_string(),
    )
    .await;
    Ok(done(&headers, "/console", &cp.map_or("公开记录为空。".into(), |c| format!("已签署检查点：第 {} 条。", c.seq))))
}

#[derive(Deserialize)]
pub struct AccountsForm {
    csrf: Option<String>,
    village: String,
    period: String,
}

/// Drafts a month's accounts from the imported books, for the finance group to review.
pub async fn draft_accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<AccountsForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let village = RegionCode::parse(&f.village).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let period: Period =
        f.period.parse().map_err(|e: yangguang_core::period::PeriodError| WebError::BadRequest(e.to_string()))?;
    let ip = client_ip(&headers);
    let id =
        yangguang_app::finance::draft_monthly_accounts(&state.site, &Actor { who: &who, ip: &ip }, village, period)
            .await
            .map_err(app_error)?;
    Ok(done(
        &headers,
        &format!("/console/d/{id}"),
        "已从账簿生成收支明细草稿（附逐笔明细账），请核对后提交民主理财小组审核。",
    ))
}

#[derive(Template)]
#[template(path = "console/ledger.html")]
struct LedgerPage {
    layout: Layout,
    nav: Nav,
    fields: Vec<(&'static str, &'static str)>,
    villages: Vec<(String, String)>,
    errors: Vec<(String, u64, String, String, String)>,
    result: String,
}

fn column_fields() -> Vec<(&'static str, &'static str)> {
    yangguang_import::ledger::Field::ALL.iter().map(|f| (f.key(), f.label())).collect()
}

fn clerk_villages(state: &AppState, who: &SignedIn) -> Vec<(String, String)> {
    who.staff
        .grants
        .iter()
        .filter(|g| g.role == Role::VillageClerk)
        .map(|g| (g.region.to_string(), village_name(state, g.region)))
        .collect()
}

pub async fn ledger_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let villages = clerk_villages(&state, &who);
    if villages.is_empty() {
        return Err(WebError::Forbidden(
            "导入账簿需要村务工作者角色 / importing books needs the village clerk role".into(),
        ));
    }
    let page = LedgerPage {
        fields: column_fields(),
        layout: layout(&headers, "导入账簿"),
        nav: nav(&who, &headers),
        villages,
        errors: vec![],
        result: String::new(),
    };
    Ok(html(&state, &headers, StatusCode::OK, page.render()?))
}

/// An uploaded file as something the importers can read.
pub fn in_memory(bytes: Vec<u8>) -> Box<dyn yangguang_import::table::Source> {
    Box::new(std::io::Cursor::new(bytes))
}

pub async fn import_ledger(
    State(state): State<AppState>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let form = read_multipart(mp).await?;
    check_csrf(&headers, &who.session.csrf_token, form.fields.get("csrf").map(String::as_str))?;
    let village = RegionCode::parse(form.get("village")).map_err(|e| WebError::BadRequest(e.to_string()))?;
    if !who.grants().can_draft(village) {
        return Err(WebError::Forbidden(format!("需要该村（{village}）的村务工作者角色才能导入账簿")));
    }
    let date = |k: &str| -> Result<Option<chrono::NaiveDate>, WebError> {
        match form.get(k).trim() {
            "" => Ok(None),
            t => yangguang_core::ledger::parse_date(t)
                .map(Some)
                .ok_or_else(|| WebError::BadRequest(format!("日期 “{t}” 无法识别，应如 2026-03-01"))),
        }
    };
    let period = date("from")?.zip(date("to")?);
    let ip = client_ip(&headers);
    let files = form.files.into_iter().map(|(name, bytes)| (name, in_memory(bytes))).collect();
    let report = yangguang_app::ledger::import_ledger(&state.site, village, files, period).await.map_err(app_error)?;
    auth::audit(
        &state.site,
        Some(&who.staff),
        &ip,
        "ledger-import",
        &village.to_string(),
        &format!("{} errors", report.errors.len()),
    )
    .await;
    let errors = report
        .errors
        .iter()
        .map(|(f, e)| (f.clone(), e.row, e.column.clone(), e.value.clone(), e.problem.clone()))
        .collect::<Vec<_>>();
    let result = match &report.stored {
        Some(s) if s.conflicts.is_empty() => {
            format!("已导入：新增凭证 {} 张，更新 {} 张，未变 {} 张。", s.inserted, s.updated, s.unchanged)
        }
        Some(s) => format!("未导入：以下凭证公开后被改动，不能覆盖：{}", s.conflicts.join("、")),
        None => report.unlisted_note().unwrap_or_default(),
    };
    let status = if report.succeeded() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = LedgerPage {
        fields: column_fields(),
        layout: layout(&headers, "导入账簿"),
        nav: nav(&who, &headers),
        villages: clerk_villages(&state, &who),
        errors,
        result,
    };
    Ok(html(&state, &headers, status, page.render()?))
}

/// What a register upload page says and where it posts.
struct RegisterKind {
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    multiple: bool,
}

const LEASE_REGISTER: RegisterKind = RegisterKind {
    heading: "导入产权出租（经济合同）台账",
    intro: "上传本村出租合同台账（CSV，UTF-8 或 GBK 编码均可；或 XLSX），须有合同编号、资产名称、资产类别、承租方、面积、年租金、起租日期、到期日期等列；坐落、承租方类型、面积单位、付款方式可选。上传的台账整体替换该村原有台账；全部无误才会导入。台账有变化时自动生成“经济合同台账”公开草稿，经村务监督委员会审核后公开。个人承租方姓名只保存脱敏后的形式。",
    action: "/console/leases",
    multiple: false,
};

const ASSET_REGISTER: RegisterKind = RegisterKind {
    heading: "导入资产、资源台账",
    intro: "上传本村资产台账（资产编号、资产名称、资产类别、原值，可含坐落、面积、使用状态、使用人）或资源台账（资源编号、资源名称、资源类型、面积，可含坐落、经营状态、承包方），CSV 或 XLSX 均可，按表头自动识别。整体替换该村原有台账；全部无误才会导入。台账有变化时自动生成公开草稿，经村务监督委员会审核后公开。",
    action: "/console/assets",
    multiple: false,
};

const HOUSEHOLD_REGISTER: RegisterKind = RegisterKind {
    heading: "导入农户三权台账",
    intro: "一次上传本村的户籍成员表（户号、姓名、与户主关系、身份证号，可含联系电话，必需），以及承包地块表（户号、地块编码、面积、四至等）、宅基地表（户号、宗地面积等）、股权分红表（户号、股数、“2025年分红”等列），CSV 或 XLSX 均可，按表头自动识别。整体替换该村原有台账；全部无误才会导入。身份证号只保存加密摘要和脱敏形式；登记的手机号可用于村民短信登录查看本户信息。",
    action: "/console/households",
    multiple: true,
};

#[derive(Template)]
#[template(path = "console/register.html")]
struct RegisterPage {
    layout: Layout,
    nav: Nav,
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    multiple: bool,
    villages: Vec<(String, String)>,
    /// File, row, column, value, problem.
    errors: Vec<[String; 5]>,
    result: String,
    draft: Option<i64>,
}

fn register_page(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    kind: &RegisterKind,
    errors: Vec<[String; 5]>,
    result: String,
    draft: Option<i64>,
) -> Result<Response, WebError> {
    let villages = clerk_villages(state, who);
    if villages.is_empty() {
        return Err(WebError::Forbidden(
            "导入台账需要村务工作者角色 / importing registers needs the village clerk role".into(),
        ));
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RegisterPage {
        layout: layout(headers, kind.heading),
        nav: nav(who, headers),
        heading: kind.heading,
        intro: kind.intro,
        action: kind.action,
        multiple: kind.multiple,
        villages,
        errors,
        result,
        draft,
    };
    Ok(html(state, headers, status, page.render()?))
}

fn row_error(file: &str, e: &yangguang_import::RowError) -> [String; 5] {
    [file.to_owned(), e.row.to_string(), e.column.clone(), e.value.clone(), e.problem.clone()]
}

/// A register upload: the signed-in clerk, the village and the files, CSRF checked.
async fn register_upload(
    state: &AppState,
    headers: &HeaderMap,
    mp: Multipart,
) -> Result<Result<(SignedIn, RegionCode, Vec<(String, Vec<u8>)>), Response>, WebError> {
    let who = match gate(state, headers, false).await? {
        Gate::In(who) => *who,
        Gate::Out(r) => return Ok(Err(r)),
    };
    let form = read_multipart(mp).await?;
    check_csrf(headers, &who.session.csrf_token, form.fields.get("csrf").map(String::as_str))?;
    let village = RegionCode::parse(form.get("village")).map_err(|e| WebError::BadRequest(e.to_string()))?;
    if form.files.is_empty() {
        return Err(WebError::BadRequest("请选择台账文件 / choose the register file".into()));
    }
    Ok(Ok((who, village, form.files)))
}

pub async fn leases_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    register_page(&state, &headers, &who, &LEASE_REGISTER, vec![], String::new(), None)
}

/// The registers uploaded as one file.
#[derive(Clone, Copy)]
enum OneFile {
    Leases,
    Assets,
}

/// Imports a one-file register upload and shows the upload page again with the outcome.
async fn import_one_file(
    state: &AppState,
    headers: &HeaderMap,
    mp: Multipart,
    register: OneFile,
) -> Result<Response, WebError> {
    let (who, village, files) = match register_upload(state, headers, mp).await? {
        Ok(upload) => upload,
        Err(r) => return Ok(r),
    };
    let (name, bytes) = &files[0];
    let ip = client_ip(headers);
    let actor = Some(&Actor { who: &who, ip: &ip });
    let (kind, report) = match register {
        OneFile::Leases => {
            (&LEASE_REGISTER, yangguang_app::leases::import_leases(&state.site, actor, village, bytes).await)
        }
        OneFile::Assets => {
            (&ASSET_REGISTER, yangguang_app::assets::import_assets(&state.site, actor, village, bytes).await)
        }
    };
    register_result(state, headers, &who, kind, name, report.map_err(app_error)?)
}

pub async fn import_leases(
    State(state): State<AppState>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    import_one_file(&state, &headers, mp, OneFile::Leases).await
}

/// The upload page again, with the import's problems or what it changed.
fn register_result(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    kind: &RegisterKind,
    file: &str,
    report: yangguang_app::registers::RegisterImport,
) -> Result<Response, WebError> {
    let c = report.counts;
    let errors: Vec<[String; 5]> = report.errors.iter().map(|e| row_error(file, e)).collect();
    let result = if errors.is_empty() {
        format!(
            "已导入：新增 {} 条，变更 {} 条，移除 {} 条，未变 {} 条。",
            c.inserted, c.updated, c.removed, c.unchanged
        )
    } else {
        String::new()
    };
    register_page(state, headers, who, kind, errors, result, report.draft.map(|d| d.0))
}

pub async fn assets_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    register_page(&state, &headers, &who, &ASSET_REGISTER, vec![], String::new(), None)
}

pub async fn import_assets(
    State(state): State<AppState>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    import_one_file(&state, &headers, mp, OneFile::Assets).await
}

pub async fn households_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    register_page(&state, &headers, &who, &HOUSEHOLD_REGISTER, vec![], String::new(), None)
}

pub async fn import_households(
    State(state): State<AppState>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    use yangguang_import::household::Problem;
    let (who, village, files) = match register_upload(&state, &headers, mp).await? {
        Ok(upload) => upload,
        Err(r) => return Ok(r),
    };
    let ip = client_ip(&headers);
    let report =
        yangguang_app::households::import_households(&state.site, Some(&Actor { who: &who, ip: &ip }), village, &files)
            .await
            .map_err(app_error)?;
    let errors: Vec<[String; 5]> = report
        .problems
        .iter()
        .map(|p| match p {
            Problem::File { file, problem } => {
                [file.clone(), String::new(), String::new(), String::new(), problem.clone()]
            }
            Problem::Row { file, error } => row_error(file, error),
        })
        .collect();
    let c = report.households;
    let result = if errors.is_empty() {
        format!(
            "已导入：新增 {} 户，变更 {} 户，移除 {} 户，未变 {} 户。",
            c.inserted, c.updated, c.removed, c.unchanged
        )
    } else {
        String::new()
    };
    register_page(&state, &headers, &who, &HOUSEHOLD_REGISTER, errors, result, None)
}

#[derive(Template)]
#[template(path = "console/bank.html")]
struct BankPage {
    layout: Layout,
    nav: Nav,
    products: Vec<yangguang_app::finance_inclusion::Product>,
    villages: Vec<(String, String)>,
    errors: Vec<String>,
    result: String,
}

/// The villages a bank editor serves, and the county its products belong to.
fn bank_scope(state: &AppState, who: &SignedIn) -> Result<(RegionCode, Vec<(String, String)>), WebError> {
    let regions = state.site.regions();
    let grants: Vec<&Grant> = who.staff.grants.iter().filter(|g| g.role == Role::BankEditor).collect();
    let Some(first) = grants.first() else {
        return Err(WebError::Forbidden("需要银行编辑角色 / needs the bank editor role".into()));
    };
    let county = first.region.ancestor_at(yangguang_core::region::CodeLevel::County);
    let villages = regions
        .villages()
        .filter(|v| grants.iter().any(|g| g.covers(v.code)))
        .map(|v| (v.code.to_string(), v.name.clone()))
        .collect();
    Ok((county, villages))
}

async fn bank_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    errors: Vec<String>,
    result: String,
) -> Result<Response, WebError> {
    let (county, villages) = bank_scope(state, who)?;
    let products = yangguang_app::finance_inclusion::products(&state.site, county).await.map_err(app_error)?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page =
        BankPage {
            layout: layout(headers, "普惠金融"), nav: nav(who, headers), products, villages, errors, result
        };
    Ok(html(state, headers, status, page.render()?))
}

pub async fn bank_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    bank_view(&state, &headers, &who, vec![], String::new()).await
}

#[derive(Deserialize)]
pub struct ProductForm {
    csrf: Option<String>,
    id: String,
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    rate: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    max_amount: String,
    #[serde(default)]
    description: String,
}

pub async fn save_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ProductForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let (county, _) = bank_scope(&state, &who)?;
    let max_amount = match f.max_amount.trim() {
        "" => yangguang_core::Fen(0),
        t => yangguang_core::ledger::parse_amount(t)
            .map_err(|_| WebError::BadRequest(format!("最高额度“{t}”不是金额 / not an amount")))?,
    };
    let product = yangguang_app::finance_inclusion::Product {
        id: f.id.trim().into(),
        name: f.name.trim().into(),
        kind: f.kind.trim().into(),
        rate: f.rate.trim().into(),
        term: f.term.trim().into(),
        max_amount,
        description: f.description.trim().into(),
    };
    let ip = client_ip(&headers);
    yangguang_app::finance_inclusion::save_product(&state.site, &Actor { who: &who, ip: &ip }, county, product)
        .await
        .map_err(app_error)?;
    Ok(done(&headers, "/console/bank", "产品已发布，各村普惠金融栏目即时可见。"))
}

#[derive(Deserialize)]
pub struct BankVillageForm {
    csrf: Option<String>,
    village: String,
    #[serde(flatten)]
    service: yangguang_app::finance_inclusion::VillageService,
}

pub async fn save_bank_village(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<BankVillageForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let village = RegionCode::parse(&f.village).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let mut service = f.service;
    service.grade = service.grade.trim().to_uppercase();
    let ip = client_ip(&headers);
    yangguang_app::finance_inclusion::save_village_service(
        &state.site,
        &Actor { who: &who, ip: &ip },
        village,
        service,
    )
    .await
    .map_err(app_error)?;
    Ok(done(&headers, "/console/bank", "已保存该村信用状况与服务信息。"))
}

pub async fn import_credit(
    State(state): State<AppState>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    let form = read_multipart(mp).await?;
    check_csrf(&headers, &who.session.csrf_token, form.fields.get("csrf").map(String::as_str))?;
    let village = RegionCode::parse(form.get("village")).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let bank = Some(form.get("bank").trim()).filter(|b| !b.is_empty()).unwrap_or("农商银行").to_owned();
    let Some((name, bytes)) = form.files.first() else {
        return Err(WebError::BadRequest("请选择授信文件 / choose the bank's file".into()));
    };
    let ip = client_ip(&headers);
    let report = yangguang_app::finance_inclusion::import_credit(
        &state.site,
        Some(&Actor { who: &who, ip: &ip }),
        village,
        &bank,
        bytes,
    )
    .await
    .map_err(app_error)?;
    let errors: Vec<String> = report.errors.iter().map(|e| format!("{name}：{e}")).collect();
    let result =
        if errors.is_empty() { format!("已导入 {} 户的授信。", report.households) } else { String::new() };
    bank_view(&state, &headers, &who, errors, result).await
}

#[derive(Deserialize)]
pub struct ColumnsForm {
    csrf: Option<String>,
    village: String,
    #[serde(flatten)]
    names: HashMap<String, String>,
}

/// Saves the column names a village's export uses, for files the usual names do not match.
pub async fn save_columns(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ColumnsForm>,
) -> Result<Response, WebError> {
    let who = signed_in_or_redirect!(state, headers);
    check_csrf(&headers, &who.session.csrf_token, f.csrf.as_deref())?;
    let village = RegionCode::parse(&f.village).map_err(|e| WebError::BadRequest(e.to_string()))?;
    if !who.grants().can_draft(village) {
        return Err(WebError::Forbidden(format!("需要该村（{village}）的村务工作者角色")));
    }
    let names: HashMap<yangguang_import::ledger::Field, String> = f
        .names
        .iter()
        .filter_map(|(k, v)| yangguang_import::ledger::Field::from_key(k).map(|field| (field, v.clone())))
        .collect();
    yangguang_app::ledger::save_columns(&state.site, village, &names).await.map_err(app_error)?;
    auth::audit(&state.site, Some(&who.staff), &client_ip(&headers), "ledger-columns", &village.to_string(), "").await;
    Ok(done(&headers, "/console/ledger", "已保存列名对应，以后导入该村账簿时使用。"))
}
