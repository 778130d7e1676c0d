//! The books: uploading a village's ledger export, saving the column names of unusual
//! exports, and drafting a month's accounts from the imported books.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::auth;
use yangguang_app::preview::{ImportKind, Upload};
use yangguang_app::publishing::Actor;
use yangguang_core::Period;

use super::drafting::CsrfMultipart;
use super::{Nav, clerk_villages, done, layout, nav, render, village_field};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

#[derive(Template)]
#[template(path = "console/ledger.html")]
struct LedgerPage {
    layout: Layout,
    nav: Nav,
    fields: Vec<(&'static str, &'static str)>,
    villages: Vec<(String, String)>,
}

fn column_fields() -> Vec<(&'static str, &'static str)> {
    yangguang_import::ledger::Field::ALL.iter().map(|f| (f.key(), f.label())).collect()
}

pub async fn ledger_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
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
    };
    render(&state, &headers, StatusCode::OK, &page)
}

pub async fn import_ledger(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), form): CsrfMultipart,
) -> Result<Response, WebError> {
    let village = village_field(form.get("village"))?;
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
    // Nothing is stored here: the clerk sees what would change and confirms it.
    let upload = Upload { kind: ImportKind::Ledger, village, files: form.files, period, bank: String::new() };
    super::imports::show_preview(&state, &headers, &who, upload).await
}

#[derive(Deserialize)]
pub struct ColumnsForm {
    village: String,
    /// Field key → the column name the village's export uses (other fields are ignored).
    #[serde(flatten)]
    names: HashMap<String, String>,
}

/// Saves the column names a village's export uses, for files the usual names do not match.
pub async fn save_columns(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<ColumnsForm>,
) -> Result<Response, WebError> {
    let village = village_field(&f.village)?;
    if !who.grants().can_draft(village) {
        return Err(WebError::Forbidden(format!("需要该村（{village}）的村务工作者角色")));
    }
    let names: HashMap<yangguang_import::ledger::Field, String> = f
        .names
        .iter()
        .filter_map(|(k, v)| yangguang_import::ledger::Field::from_key(k).map(|field| (field, v.clone())))
        .collect();
    yangguang_app::ledger::save_columns(&state.site, village, &names).await?;
    auth::audit(&state.site, Some(&who.staff), &client_ip(&headers), "ledger-columns", &village.to_string(), "").await;
    Ok(done(&headers, "/console/ledger", "已保存列名对应，以后导入该村账簿时使用。"))
}

#[derive(Deserialize)]
pub struct AccountsForm {
    village: String,
    period: String,
}

/// Drafts a month's accounts from the imported books, for the finance group to review.
pub async fn draft_accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<AccountsForm>,
) -> Result<Response, WebError> {
    let village = village_field(&f.village)?;
    let period: Period =
        f.period.parse().map_err(|e: yangguang_core::period::PeriodError| WebError::BadRequest(e.to_string()))?;
    let ip = client_ip(&headers);
    let id =
        yangguang_app::finance::draft_monthly_accounts(&state.site, &Actor { who: &who, ip: &ip }, village, period)
            .await?;
    Ok(done(
        &headers,
        &format!("/console/d/{id}"),
        "已从账簿生成收支明细草稿（附逐笔明细账），请核对后提交民主理财小组审核。",
    ))
}
