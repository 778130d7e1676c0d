//! `/console/powers`: the micro-power list (added, edited, removed; drafted after adoption or
//! amendment) and the seal and certificate log (entered as it happens; drafted monthly, an
//! entry in a published month drafted as a correction at once).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::auth::SignedIn;
use yangguang_app::governance::powers::{self as service, LogAdded};
use yangguang_app::i18n::{Label, Lang};
use yangguang_app::publishing::Actor;
use yangguang_core::governance::Problem;
use yangguang_core::governance::powers::{Power, SealEntry, SealKind};
use yangguang_core::period::PeriodKind;
use yangguang_core::{Period, RegionCode};

use super::gov_form::{GovForm, date, field, lang, village};
use super::{Nav, done, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

pub struct PowerLine {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub post: String,
    /// The flow in one line: 1 → 2 → 3.
    pub steps: String,
}

#[derive(Template)]
#[template(path = "console/powers.html")]
struct PowersPage {
    layout: Layout,
    nav: Nav,
    village: String,
    villages: Vec<(String, String)>,
    f: GovForm,
    powers: Vec<PowerLine>,
    /// The id of the power being edited ("" when adding).
    editing: String,
    seal_kinds: Vec<(&'static str, &'static str)>,
    months: Vec<(String, String)>,
    entries: Vec<Vec<String>>,
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    asked: Option<&str>,
    edit: Option<i64>,
    mut f: GovForm,
) -> Result<Response, WebError> {
    let (code, villages) = village(state, who, asked)?;
    let lang = lang(headers);
    let store = &state.site.store;
    let powers = store.village_powers(code).await?;
    let mut editing = String::new();
    if let Some(p) = edit.and_then(|id| powers.iter().find(|p| p.id == id)) {
        editing = p.id.to_string();
        f.set("power", "category", p.value.category.clone());
        f.set("power", "name", p.value.name.clone());
        f.set("power", "legal_basis", p.value.legal_basis.clone());
        f.set("power", "responsible_post", p.value.responsible_post.clone());
        f.set("power", "steps", p.value.steps.join("\n"));
        f.set("power", "disclosure", p.value.disclosure.clone());
    }
    let today = yangguang_app::today();
    if f.v("log", "matter").is_empty() {
        f.set("log", "person", "1");
    }
    f.set("log", "on", today.to_string());
    let mut months = vec![];
    let mut m = Period::containing(PeriodKind::Month, today);
    for _ in 0..6 {
        months.push(m);
        m = Period::containing(PeriodKind::Month, m.start().pred_opt().expect("in range"));
    }
    // Last month first: it is the one due for publication.
    months.swap(0, 1);
    let from = months.iter().map(|m| m.start()).min().unwrap_or(today).max(today - chrono::Days::new(92));
    let mut entries: Vec<Vec<String>> = store
        .seal_entries(code, from, today)
        .await?
        .into_iter()
        .map(|e| {
            let e = e.value;
            vec![e.on.to_string(), e.kind.label(lang).to_owned(), e.matter, e.applicant, e.approver_post, e.purpose]
        })
        .collect();
    entries.reverse();
    let page = PowersPage {
        layout: layout(headers, lang.gov().powers_title),
        nav: nav(who, headers),
        village: code.to_string(),
        villages,
        powers: powers
            .into_iter()
            .map(|p| PowerLine {
                id: p.id,
                steps: p.value.steps.join(" → "),
                name: p.value.name,
                category: p.value.category,
                post: p.value.responsible_post,
            })
            .collect(),
        editing,
        seal_kinds: SealKind::ALL.iter().map(|k| (k.as_str(), k.label(lang))).collect(),
        months: months
            .into_iter()
            .map(|m| {
                let label = match lang {
                    Lang::Zh => m.label_zh(),
                    Lang::En => m.label_en(),
                };
                (m.to_string(), label)
            })
            .collect(),
        entries,
        f,
    };
    let status = if page.f.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(state, headers, status, &page)
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let edit = q.get("edit").and_then(|e| e.parse().ok());
    show(&state, &headers, &who, q.get("village").map(String::as_str), edit, GovForm::default()).await
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    code: RegionCode,
    form: &str,
    sent: &HashMap<String, String>,
    edit: Option<i64>,
    outcome: Result<String, yangguang_app::AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(message) => Ok(done(headers, &format!("/console/powers?village={code}"), &message)),
        Err(e) => {
            let mut f = GovForm::sent(form, sent);
            f.refused(form, e, lang(headers))?;
            show(state, headers, who, Some(&code.to_string()), edit, f).await
        }
    }
}

async fn refuse_problems(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    code: RegionCode,
    form: &str,
    sent: &HashMap<String, String>,
    problems: &[Problem],
) -> Result<Response, WebError> {
    let mut f = GovForm::sent(form, sent);
    f.problems(form, problems, lang(headers));
    show(state, headers, who, Some(&code.to_string()), None, f).await
}

pub async fn save_power(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let id = match field(&f, "id") {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| WebError::BadRequest("id".into()))?),
    };
    let p = Power {
        category: field(&f, "category").into(),
        name: field(&f, "name").into(),
        legal_basis: field(&f, "legal_basis").into(),
        responsible_post: field(&f, "responsible_post").into(),
        steps: Power::steps_from_lines(field(&f, "steps")),
        disclosure: field(&f, "disclosure").into(),
    };
    let problems = p.problems();
    if !problems.is_empty() {
        let mut form = GovForm::sent("power", &f);
        form.problems("power", &problems, lang(&headers));
        return show(&state, &headers, &who, Some(&code.to_string()), id, form).await;
    }
    let ip = client_ip(&headers);
    let outcome = service::save_power(&state.site, &Actor { who: &who, ip: &ip }, code, id, p)
        .await
        .map(|_| "已保存到清单。清单通过或修订后，请生成公开草稿。 / Saved to the list.".to_owned());
    finish(&state, &headers, &who, code, "power", &f, id, outcome).await
}

pub async fn delete_power(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let id: i64 = field(&f, "id").parse().map_err(|_| WebError::BadRequest("id".into()))?;
    let ip = client_ip(&headers);
    service::delete_power(&state.site, &Actor { who: &who, ip: &ip }, code, id).await?;
    Ok(done(&headers, &format!("/console/powers?village={code}"), "已从清单中删除。 / Removed from the list."))
}

pub async fn draft_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let ip = client_ip(&headers);
    let outcome = service::draft_list(&state.site, &Actor { who: &who, ip: &ip }, code).await.map(|d| d.message());
    finish(&state, &headers, &who, code, "list", &f, None, outcome).await
}

pub async fn add_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let mut problems = vec![];
    let on = date(&f, "on", "登记日期", &mut problems);
    let e = SealEntry::typed(
        on,
        SealKind::parse(field(&f, "kind")).unwrap_or(SealKind::Seal),
        field(&f, "matter"),
        field(&f, "applicant"),
        !field(&f, "person").is_empty(),
        field(&f, "approver_post"),
        field(&f, "purpose"),
    );
    problems.extend(e.problems(yangguang_app::today()));
    if !problems.is_empty() {
        return refuse_problems(&state, &headers, &who, code, "log", &f, &problems).await;
    }
    let ip = client_ip(&headers);
    let outcome = service::add_log_entry(&state.site, &Actor { who: &who, ip: &ip }, code, e).await.map(|a| match a {
        LogAdded::Kept => "已登记。月底请生成该月登记公开草稿。 / Recorded.".to_owned(),
        LogAdded::Drafted(d) => format!("已登记。{}", d.message()),
        LogAdded::InReview => "已登记。该月登记正在审核中，审核完成后请再生成一次，补登的事项将进入更正。 / Recorded; that month is in review: draft it again afterwards.".to_owned(),
    });
    finish(&state, &headers, &who, code, "log", &f, None, outcome).await
}

pub async fn draft_log(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let Ok(month) = field(&f, "month").parse::<Period>() else {
        let p = [Problem::new("month", "请选择月份 / choose a month")];
        return refuse_problems(&state, &headers, &who, code, "logdraft", &f, &p).await;
    };
    let ip = client_ip(&headers);
    let outcome =
        service::draft_log(&state.site, &Actor { who: &who, ip: &ip }, code, month).await.map(|d| d.message());
    finish(&state, &headers, &who, code, "logdraft", &f, None, outcome).await
}
