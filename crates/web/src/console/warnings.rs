//! Warnings (预警) for supervisors — town, county and discipline-commission staff, in the
//! regions they serve (the calendar's scope rules): a filtered list, each warning's evidence
//! one click away; a warning's page with its trail and the forms to review it with a note or
//! dismiss it with a reason (CSRF-checked, audited).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::calendar as cal;
use yangguang_app::i18n::{Lang, WarningTexts};
use yangguang_app::publishing::Actor;
use yangguang_core::RegionCode;
use yangguang_core::time::format_china;
use yangguang_core::warning::{Evidence, Rule, Severity};
use yangguang_store::{StoredWarning, WarningQuery, WarningState};

use super::{Nav, done, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::prefs::Prefs;
use crate::session::{CsrfForm, Staff, client_ip};

const PER_PAGE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    village: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    severity: String,
    /// Empty: the standing ones (open and reviewed); `all`: every state.
    #[serde(default)]
    state: String,
    page: Option<u32>,
}

pub struct Row {
    pub id: i64,
    pub red: bool,
    pub severity: &'static str,
    pub village: String,
    pub rule: &'static str,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub state: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/warnings.html")]
struct ListPage {
    layout: Layout,
    nav: Nav,
    w: &'static WarningTexts,
    villages: Vec<(String, String, bool)>,
    rules: Vec<(&'static str, &'static str, bool)>,
    severities: Vec<(&'static str, &'static str, bool)>,
    states: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<Row>,
    count: String,
    pages: Vec<(u32, String, bool)>,
}

pub struct TrailRow {
    pub at: String,
    pub by: String,
    pub action: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/warning.html")]
struct DetailPage {
    layout: Layout,
    nav: Nav,
    w: &'static WarningTexts,
    row: Row,
    first_seen: String,
    may_decide: bool,
    trail: Vec<TrailRow>,
    error: String,
    kept: String,
}

fn forbidden() -> WebError {
    WebError::Forbidden(
        "预警供乡镇、县级和纪委监督人员查看 / warnings are for township, county and commission staff".into(),
    )
}

fn row(state: &AppState, w: &WarningTexts, s: StoredWarning, english: bool) -> Row {
    Row {
        id: s.id,
        red: s.finding.severity == Severity::Red,
        severity: s.finding.severity.label(english),
        village: village_name(state, s.finding.village),
        rule: s.finding.rule.label(english),
        message: s.finding.message,
        evidence: s.finding.evidence,
        state: w.state(s.state),
        note: s.note.unwrap_or_default(),
    }
}

/// `/console/warnings`.
pub async fn list_page(
    State(state): State<AppState>,
    Query(f): Query<Filter>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(&headers).lang;
    let english = lang == Lang::En;
    let w = lang.warnings();
    let grants = who.grants();
    let scopes = cal::supervised_regions(&grants);
    if scopes.is_empty() {
        return Err(forbidden());
    }
    let mut villages: Vec<RegionCode> = vec![];
    for s in &scopes {
        villages.extend(cal::villages_under(&state.site, *s));
    }
    villages.sort();
    villages.dedup();
    let village = match f.village.trim() {
        "" => None,
        v => {
            let code = RegionCode::parse(v).map_err(|e| WebError::BadRequest(e.to_string()))?;
            if !cal::may_view(&grants, code) {
                return Err(WebError::Forbidden("该村不在您的管辖范围内 / outside your area".into()));
            }
            Some(code)
        }
    };
    let rule = Rule::parse(f.rule.trim());
    let severity = Severity::parse(f.severity.trim());
    let states = match f.state.trim() {
        "" => vec![WarningState::Open, WarningState::Reviewed],
        "all" => vec![],
        s => WarningState::parse(s).into_iter().collect(),
    };
    let page = f.page.unwrap_or(1).max(1);
    let query = WarningQuery {
        region_prefixes: scopes.iter().map(|s| yangguang_app::work::scope_prefix(*s)).collect(),
        village,
        rule,
        severity,
        states,
        page,
        per_page: PER_PAGE,
    };
    let found = state.site.store.list_warnings(&query).await?;
    let count = w.count.replace("{n}", &found.total.to_string());
    let base = format!(
        "?village={}&rule={}&severity={}&state={}",
        village.map(|v| v.to_string()).unwrap_or_default(),
        rule.map(Rule::code).unwrap_or_default(),
        severity.map(Severity::as_str).unwrap_or_default(),
        f.state.trim()
    );
    let pages = (1..=found.page_count()).map(|p| (p, format!("{base}&page={p}"), p == page)).collect();
    let rows = found.items.into_iter().map(|s| row(&state, w, s, english)).collect();
    let state_choice = f.state.trim();
    let page = ListPage {
        layout: layout(&headers, w.title),
        nav: nav(&who, &headers),
        w,
        villages: villages.iter().map(|v| (v.to_string(), village_name(&state, *v), Some(*v) == village)).collect(),
        rules: Rule::ALL.iter().map(|r| (r.code(), r.label(english), Some(*r) == rule)).collect(),
        severities: [Severity::Red, Severity::Yellow]
            .iter()
            .map(|s| (s.as_str(), s.label(english), Some(*s) == severity))
            .collect(),
        states: [
            ("", w.open, state_choice.is_empty()),
            ("open", w.open, state_choice == "open"),
            ("reviewed", w.reviewed, state_choice == "reviewed"),
            ("dismissed", w.dismissed, state_choice == "dismissed"),
            ("resolved", w.resolved, state_choice == "resolved"),
            ("all", w.any, state_choice == "all"),
        ]
        .into_iter()
        .collect(),
        rows,
        count,
        pages,
    };
    render(&state, &headers, StatusCode::OK, &page)
}

fn warning_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

async fn detail(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    id: i64,
    error: String,
    kept: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(headers).lang;
    let english = lang == Lang::En;
    let w = lang.warnings();
    let stored = match state.site.store.get_warning(id).await {
        Ok(s) => s,
        Err(yangguang_store::StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if !cal::may_view(&who.grants(), stored.finding.village) {
        return Err(forbidden());
    }
    let may_decide = matches!(stored.state, WarningState::Open | WarningState::Reviewed);
    let first_seen = format_china(stored.first_seen);
    let trail = yangguang_app::warnings::trail(&state.site, id)
        .await?
        .into_iter()
        .map(|e| TrailRow {
            at: format_china(e.at),
            by: if e.by == "system" { w.system.to_owned() } else { e.by },
            action: match e.action.as_str() {
                "opened" => {
                    if english {
                        "found"
                    } else {
                        "发现"
                    }
                }
                "updated" => {
                    if english {
                        "figures updated"
                    } else {
                        "数据更新"
                    }
                }
                "reviewed" => w.reviewed,
                "dismissed" => w.dismissed,
                "resolved" => w.resolved,
                "reopened" => {
                    if english {
                        "reopened"
                    } else {
                        "重新出现"
                    }
                }
                _ => "—",
            },
            note: e.note.unwrap_or_default(),
        })
        .collect();
    let page = DetailPage {
        layout: layout(headers, w.title),
        nav: nav(who, headers),
        w,
        row: row(state, w, stored, english),
        first_seen,
        may_decide,
        trail,
        error,
        kept,
    };
    render(state, headers, status, &page)
}

/// `/console/warnings/{id}`.
pub async fn detail_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    detail(&state, &headers, &who, warning_id(&id)?, String::new(), String::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    /// `review` or `dismiss`.
    action: String,
    #[serde(default)]
    note: String,
}

/// `POST /console/warnings/{id}`: review with a note, or dismiss with a reason.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Staff(who), f): CsrfForm<DecideForm>,
) -> Result<Response, WebError> {
    let id = warning_id(&id)?;
    let to = match f.action.as_str() {
        "review" => WarningState::Reviewed,
        "dismiss" => WarningState::Dismissed,
        _ => return Err(WebError::BadRequest("未知操作 / unknown action".into())),
    };
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    match yangguang_app::warnings::decide(&state.site, &actor, id, to, &f.note).await {
        Ok(_) => {
            let w = Prefs::from_headers(&headers).lang.warnings();
            Ok(done(&headers, &format!("/console/warnings/{id}"), w.saved))
        }
        Err(yangguang_app::AppError::Field { message, .. }) => {
            detail(&state, &headers, &who, id, message, f.note, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
