//! `/console/reports`: problem reports (随手拍) for the villages where the reader is grid
//! worker or clerk — the list by status and village, one report with its photos and history,
//! assigning, status changes with a note (closing with a reason), and hiding abusive content.
//! The rules (flow, roles, audit) are in `app::reports`; a refused change shows the page again
//! with the message beside the field and the note as typed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::AppError;
use yangguang_app::i18n::{Label, ReportTexts};
use yangguang_app::reports;
use yangguang_core::RegionCode;
use yangguang_core::report::{STATUSES, Status};

use super::{Nav, done, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::pages::reports::{EventView, ReportView, event_views, photo_response};
use crate::prefs::Prefs;
use crate::session::{CsrfForm, Staff, client_ip};

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    village: String,
    page: Option<u32>,
}

pub struct Row {
    pub report: ReportView,
    pub village: String,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ListPage {
    layout: Layout,
    nav: Nav,
    r: &'static ReportTexts,
    statuses: Vec<(&'static str, &'static str)>,
    villages: Vec<(String, String)>,
    status: String,
    village: String,
    rows: Vec<Row>,
    total: u64,
}

pub async fn list_page(
    State(state): State<AppState>,
    Staff(who): Staff,
    Query(f): Query<Filters>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let grants = who.grants();
    let handled = reports::handled_villages(&grants);
    if handled.is_empty() {
        return Err(WebError::Forbidden(
            "只有网格员和村务工作者可以处理随手拍问题 / grid workers and clerks only".into(),
        ));
    }
    let lang = Prefs::from_headers(&headers).lang;
    let status = Status::parse(&f.status);
    let village = RegionCode::parse(&f.village).ok().filter(|v| handled.contains(v));
    let found =
        reports::staff_reports(&state.site, &grants, village, status.into_iter().collect(), f.page.unwrap_or(1))
            .await?;
    let r = lang.reports();
    let view = ListPage {
        layout: layout(&headers, r.console_title),
        nav: nav(&who, &headers),
        r,
        statuses: STATUSES.iter().map(|s| (s.as_str(), s.label(lang))).collect(),
        villages: handled.iter().map(|v| (v.to_string(), village_name(&state, *v))).collect(),
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        village: village.map(|v| v.to_string()).unwrap_or_default(),
        rows: found
            .items
            .iter()
            .map(|rep| Row { report: ReportView::new(rep, lang), village: village_name(&state, rep.village) })
            .collect(),
        total: found.total,
    };
    render(&state, &headers, StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "console/report.html")]
struct DetailPage {
    layout: Layout,
    nav: Nav,
    r: &'static ReportTexts,
    report: ReportView,
    village: String,
    history: Vec<EventView>,
    /// (code, label) of the statuses it may move to.
    next: Vec<(&'static str, &'static str)>,
    assignees: Vec<(i64, String)>,
    typed: StatusForm,
    typed_reason: String,
    /// (field, message) of a refused change.
    problem: (String, String),
}

impl DetailPage {
    fn error_for(&self, field: &str) -> &str {
        if self.problem.0 == field { &self.problem.1 } else { "" }
    }
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    seen: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    assignee: String,
}

#[allow(clippy::too_many_arguments)]
async fn detail_view(
    state: &AppState,
    who: &yangguang_app::auth::SignedIn,
    headers: &HeaderMap,
    id: i64,
    status: StatusCode,
    typed: StatusForm,
    typed_reason: String,
    problem: (String, String),
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(headers).lang;
    let report = reports::handled_report(&state.site, &who.grants(), id).await?;
    let events = state.site.store.report_events(id).await?;
    let mut next = vec![];
    if let Some(n) = report.status.next() {
        next.push((n.as_str(), n.label(lang)));
    }
    if !report.status.is_final() {
        next.push((Status::Closed.as_str(), Status::Closed.label(lang)));
    }
    let assignees =
        if report.status == Status::Received { reports::assignees(&state.site, report.village).await? } else { vec![] };
    let r = lang.reports();
    let view = DetailPage {
        layout: layout(headers, &format!("{} #{id}", r.console_title)),
        nav: nav(who, headers),
        r,
        village: village_name(state, report.village),
        report: ReportView::new(&report, lang),
        history: event_views(&events, lang),
        next,
        assignees,
        typed,
        typed_reason,
        problem,
    };
    render(state, headers, status, &view)
}

fn report_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id = report_id(&id)?;
    detail_view(&state, &who, &headers, id, StatusCode::OK, StatusForm::default(), String::new(), Default::default())
        .await
}

/// A refusal that names a field (or a conflict) shows the page again with what was typed.
fn refused(e: AppError, lang: yangguang_app::i18n::Lang) -> Result<(StatusCode, (String, String)), WebError> {
    let pick = |m: &str| yangguang_app::i18n::pick(m, lang).to_owned();
    match e {
        AppError::Field { field, message } => Ok((StatusCode::UNPROCESSABLE_ENTITY, (field.into(), pick(&message)))),
        AppError::Conflict(message) => Ok((StatusCode::CONFLICT, ("status".into(), pick(&message)))),
        other => Err(other.into()),
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    CsrfForm(Staff(who), form): CsrfForm<StatusForm>,
) -> Result<Response, WebError> {
    let id = report_id(&id)?;
    let assignee = form.assignee.trim().parse::<i64>().ok();
    let ip = client_ip(&headers);
    let lang = Prefs::from_headers(&headers).lang;
    match reports::change_status(&state.site, &who.staff, &ip, id, &form.seen, &form.status, &form.note, assignee).await
    {
        Ok(to) => Ok(done(
            &headers,
            &format!("/console/reports/{id}"),
            &format!("{}：{}", lang.reports().done, to.label(lang)),
        )),
        Err(e) => {
            let (status, problem) = refused(e, lang)?;
            detail_view(&state, &who, &headers, id, status, form, String::new(), problem).await
        }
    }
}

#[derive(Deserialize)]
pub struct HideForm {
    #[serde(default)]
    reason: String,
}

pub async fn hide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    CsrfForm(Staff(who), form): CsrfForm<HideForm>,
) -> Result<Response, WebError> {
    let id = report_id(&id)?;
    let lang = Prefs::from_headers(&headers).lang;
    match reports::hide(&state.site, &who.staff, &client_ip(&headers), id, &form.reason).await {
        Ok(()) => Ok(done(&headers, &format!("/console/reports/{id}"), lang.reports().done)),
        Err(e) => {
            let (status, mut problem) = refused(e, lang)?;
            if problem.0 == "status" {
                problem.0 = "reason".into();
            }
            detail_view(&state, &who, &headers, id, status, StatusForm::default(), form.reason, problem).await
        }
    }
}

/// A report's photo for the staff who handle it (whatever its status).
pub async fn photo(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let report = reports::handled_report(&state.site, &who.grants(), report_id(&id)?).await?;
    let (n, thumb) = match n.strip_suffix("-thumb") {
        Some(n) => (n, true),
        None => (n.as_str(), false),
    };
    photo_response(&state, &report, n.parse().map_err(|_| WebError::NotFound)?, thumb, "private, no-store").await
}
