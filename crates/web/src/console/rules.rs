//! `/console/rules`: each adopted or amended version of the charter or the village rules,
//! with its text, adoption date and decision number, drafted for review at once.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::auth::SignedIn;
use yangguang_app::governance::rules as service;
use yangguang_app::i18n::Label;
use yangguang_app::publishing::Actor;
use yangguang_core::governance::rules::{RuleDoc, RuleVersion};

use super::gov_form::{GovForm, date, field, lang, village};
use super::{Nav, done, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

#[derive(Template)]
#[template(path = "console/rules.html")]
struct RulesPage {
    layout: Layout,
    nav: Nav,
    village: String,
    villages: Vec<(String, String)>,
    f: GovForm,
    docs: Vec<(&'static str, &'static str)>,
    /// Each version recorded, described, with its draft.
    versions: Vec<(String, Option<i64>)>,
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    asked: Option<&str>,
    mut f: GovForm,
) -> Result<Response, WebError> {
    let (code, villages) = village(state, who, asked)?;
    let lang = lang(headers);
    let g = lang.gov();
    f.set("rule", "adopted_on", yangguang_app::today().to_string());
    let versions = state
        .site
        .store
        .rule_versions(code)
        .await?
        .into_iter()
        .rev()
        .map(|v| {
            let text = format!(
                "{} · {}{}{} · {} {} · {} {}",
                v.version.title,
                g.version_word,
                v.version_no,
                g.version_after,
                g.adopted_on,
                v.version.adopted_on,
                g.decision,
                v.version.decision_no
            );
            (text, v.disclosure.map(|d| d.0))
        })
        .collect();
    let page = RulesPage {
        layout: layout(headers, g.rules_title),
        nav: nav(who, headers),
        village: code.to_string(),
        villages,
        docs: RuleDoc::ALL.iter().map(|d| (d.as_str(), d.label(lang))).collect(),
        versions,
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
    show(&state, &headers, &who, q.get("village").map(String::as_str), GovForm::default()).await
}

pub async fn add_version(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let mut problems = vec![];
    let v = RuleVersion {
        doc: RuleDoc::parse(field(&f, "doc")).unwrap_or(RuleDoc::Rules),
        title: field(&f, "title").into(),
        text_md: field(&f, "text_md").into(),
        adopted_on: date(&f, "adopted_on", "通过日期", &mut problems),
        decision_no: field(&f, "decision_no").into(),
    };
    problems.extend(v.problems(yangguang_app::today()));
    let lang = lang(&headers);
    if !problems.is_empty() {
        let mut form = GovForm::sent("rule", &f);
        form.problems("rule", &problems, lang);
        return show(&state, &headers, &who, Some(&code.to_string()), form).await;
    }
    let ip = client_ip(&headers);
    match service::add_version(&state.site, &Actor { who: &who, ip: &ip }, code, v).await {
        Ok((stored, id)) => Ok(done(
            &headers,
            &format!("/console/d/{id}"),
            &format!(
                "已登记第 {} 版并生成公开草稿（编号 {id}），请核对后提交审核。 / Version {} recorded; draft {id} made.",
                stored.version_no, stored.version_no
            ),
        )),
        Err(e) => {
            let mut form = GovForm::sent("rule", &f);
            form.refused("rule", e, lang)?;
            show(&state, &headers, &who, Some(&code.to_string()), form).await
        }
    }
}
