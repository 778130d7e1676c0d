//! The warnings' thresholds (预警阈值), `/console/warnings/thresholds`: every threshold with its
//! name, unit and default, the values the reader's county and towns set (region, value, date,
//! who, when), the value in force today, the history of changes, and — for those who may set a
//! region's values — the form for a new one. The rules (scope, ranges, dates, audit, recompute)
//! are `app::warnings::thresholds`'; a refused form comes back with what was typed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::auth::SignedIn;
use yangguang_app::calendar as cal;
use yangguang_app::i18n::ThresholdTexts;
use yangguang_app::publishing::Actor;
use yangguang_app::warnings::thresholds::{self as th, Refusal, SetError, Typed};
use yangguang_core::RegionCode;
use yangguang_core::region::CodeLevel;
use yangguang_core::time::format_china;
use yangguang_core::warning::Thresholds;

use super::{Nav, done, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::prefs::Prefs;
use crate::session::{Staff, check_csrf, check_origin, client_ip, form_refused};

pub const PATH: &str = "/console/warnings/thresholds";

/// One value a county or town set, as its cell shows it.
pub struct SetValue {
    pub region: String,
    pub value: i64,
    pub from: String,
    pub by: String,
    pub at: String,
    /// From a later day: not in force yet.
    pub pending: bool,
}

pub struct Row {
    pub name: &'static str,
    pub label: String,
    pub unit: &'static str,
    pub default: i64,
    pub set: Vec<SetValue>,
    /// (region, value in force today).
    pub in_force: Vec<(String, i64)>,
}

pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub region: String,
    pub label: String,
    pub value: i64,
    pub previous: String,
    pub from: String,
}

/// The form's fields as typed, and the one problem found, beside its field.
#[derive(Default)]
pub struct FormState {
    pub typed: Typed,
    pub field: &'static str,
    pub error: String,
}

impl FormState {
    pub fn err(&self, field: &str) -> &str {
        if self.field == field { &self.error } else { "" }
    }
}

#[derive(Template)]
#[template(path = "console/thresholds.html")]
struct ThresholdsPage {
    layout: Layout,
    nav: Nav,
    t: &'static ThresholdTexts,
    rows: Vec<Row>,
    /// (name, label, chosen) for the form.
    names: Vec<(&'static str, String, bool)>,
    /// (code, name, chosen): the regions the reader may set.
    regions: Vec<(String, String, bool)>,
    form: FormState,
    /// A refusal not tied to one field (the CSRF check).
    error: String,
    history: Vec<HistoryRow>,
    today: String,
}

fn forbidden() -> WebError {
    WebError::Forbidden(
        "预警阈值供乡镇、县级和纪委监督人员查看 / thresholds are for township, county and commission staff".into(),
    )
}

/// The page, with the form as typed and a problem when a change was refused.
async fn page(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    mut form: FormState,
    error: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let t = Prefs::from_headers(headers).lang.thresholds();
    let grants = who.grants();
    let visible = th::visible_regions(&state.site, &grants);
    if visible.is_empty() {
        return Err(forbidden());
    }
    let today = yangguang_app::today();
    let (base, overrides) = yangguang_app::warnings::thresholds(&state.site).await?;
    let stored = state.site.store.threshold_overrides().await?;
    let mine: Vec<_> = stored.iter().filter(|o| visible.contains(&o.value.region)).collect();
    let names: HashMap<RegionCode, String> = visible.iter().map(|r| (*r, village_name(state, *r))).collect();
    let in_force: Vec<(RegionCode, Thresholds)> =
        visible.iter().map(|r| (*r, base.in_force(&overrides, *r, today))).collect();
    let rows = Thresholds::NAMES
        .iter()
        .map(|(name, ..)| {
            let (label, unit) = t.label(name);
            let default = base.get(name).unwrap_or_default();
            let set = mine
                .iter()
                .filter(|o| o.value.name == *name)
                .map(|o| SetValue {
                    region: names[&o.value.region].clone(),
                    value: o.value.value,
                    from: o.value.from.to_string(),
                    by: o.set_by.clone(),
                    at: format_china(o.set_at),
                    pending: o.value.from > today,
                })
                .collect();
            Row { name, label: label.to_owned(), unit, default, set, in_force: in_force_cells(&in_force, &names, name) }
        })
        .collect();
    if form.typed.from.is_empty() {
        form.typed.from = today.to_string();
    }
    let regions = visible
        .iter()
        .filter(|r| th::may_set(&grants, **r))
        .map(|r| (r.to_string(), names[r].clone(), form.typed.region.trim() == r.to_string()))
        .collect();
    let history = th::history(&state.site, &visible)
        .await?
        .into_iter()
        .map(|c| HistoryRow {
            at: format_china(c.set_at),
            by: c.set_by,
            region: names.get(&c.value.region).cloned().unwrap_or_else(|| c.value.region.to_string()),
            label: t.label(&c.value.name).0.to_owned(),
            value: c.value.value,
            previous: c.previous.map(|p| p.to_string()).unwrap_or_else(|| t.first_set.to_owned()),
            from: c.value.from.to_string(),
        })
        .collect();
    let page = ThresholdsPage {
        layout: layout(headers, t.title),
        nav: nav(who, headers),
        t,
        rows,
        names: Thresholds::NAMES
            .iter()
            .map(|(n, ..)| (*n, t.label(n).0.to_owned(), form.typed.name.trim() == *n))
            .collect(),
        regions,
        form,
        error,
        history,
        today: today.to_string(),
    };
    render(state, headers, status, &page)
}

/// The value in force today per region: every county, and each town whose value differs from
/// its county's (or whose county the reader does not see).
fn in_force_cells(
    in_force: &[(RegionCode, Thresholds)],
    names: &HashMap<RegionCode, String>,
    name: &str,
) -> Vec<(String, i64)> {
    let value = |r: RegionCode| in_force.iter().find(|(c, _)| *c == r).and_then(|(_, t)| t.get(name));
    in_force
        .iter()
        .filter_map(|(r, t)| {
            let v = t.get(name)?;
            let shown = r.level() != CodeLevel::Town || value(r.ancestor_at(CodeLevel::County)) != Some(v);
            shown.then(|| (names[r].clone(), v))
        })
        .collect()
}

/// `GET /console/warnings/thresholds`.
pub async fn thresholds_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    page(&state, &headers, &who, FormState::default(), String::new(), StatusCode::OK).await
}

/// `POST /console/warnings/thresholds`: a new value for a county or town from a date. The
/// CSRF token is checked here rather than by `CsrfForm`, so that an expired form comes back
/// with what was typed; a form another site sent is refused outright.
pub async fn set_threshold(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
    form: Result<RawForm, RawFormRejection>,
) -> Result<Response, WebError> {
    // A body that is no form gets the console's Chinese message, not axum's English one.
    let RawForm(bytes) = match form {
        Ok(f) => f,
        Err(e) => return Ok(form_refused(&e.body_text())),
    };
    check_origin(&headers)?;
    let mut typed = Typed::default();
    let mut csrf = None;
    for (k, v) in form_urlencoded::parse(&bytes) {
        match k.as_ref() {
            "name" => typed.name = v.into_owned(),
            "region" => typed.region = v.into_owned(),
            "value" => typed.value = v.into_owned(),
            "from" => typed.from = v.into_owned(),
            "csrf" => csrf = Some(v.into_owned()),
            _ => {}
        }
    }
    if cal::supervised_regions(&who.grants()).is_empty() {
        return Err(forbidden());
    }
    let t = Prefs::from_headers(&headers).lang.thresholds();
    if check_csrf(&headers, &who.session.csrf_token, csrf.as_deref()).is_err() {
        let form = FormState { typed, ..FormState::default() };
        return page(&state, &headers, &who, form, t.csrf_expired.to_owned(), StatusCode::FORBIDDEN).await;
    }
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    match th::set_override(&state.site, &actor, &typed, chrono::Utc::now()).await {
        Ok(applied) => Ok(done(&headers, PATH, &t.saved.replace("{n}", &applied.outcome.villages.to_string()))),
        Err(SetError::Refused(r)) => {
            let status = match r {
                Refusal::OutsideScope => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let form = FormState { typed, field: r.field(), error: t.refusal(&r) };
            page(&state, &headers, &who, form, String::new(), status).await
        }
        Err(SetError::App(e)) => Err(e.into()),
    }
}
