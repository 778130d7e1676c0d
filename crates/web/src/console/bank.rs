//! The bank's corner of the console (inclusive finance): its loan products for the county,
//! each village's credit standing and service point, and households' credit lines.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::finance_inclusion::{self, Product, VillageService};
use yangguang_app::preview::{ImportKind, Upload};
use yangguang_app::publishing::Actor;
use yangguang_core::RegionCode;
use yangguang_core::staff::{Grant, Role};

use super::drafting::CsrfMultipart;
use super::{Nav, done, layout, nav, render, village_field};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

#[derive(Template)]
#[template(path = "console/bank.html")]
struct BankPage {
    layout: Layout,
    nav: Nav,
    products: Vec<Product>,
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
    let products = finance_inclusion::products(&state.site, county).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page =
        BankPage {
            layout: layout(headers, "普惠金融"), nav: nav(who, headers), products, villages, errors, result
        };
    render(state, headers, status, &page)
}

pub async fn bank_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    bank_view(&state, &headers, &who, vec![], String::new()).await
}

#[derive(Deserialize)]
pub struct ProductForm {
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
    CsrfForm(Staff(who), f): CsrfForm<ProductForm>,
) -> Result<Response, WebError> {
    let (county, _) = bank_scope(&state, &who)?;
    let max_amount = match f.max_amount.trim() {
        "" => yangguang_core::Fen(0),
        t => yangguang_core::ledger::parse_amount(t)
            .map_err(|_| WebError::BadRequest(format!("最高额度“{t}”不是金额 / not an amount")))?,
    };
    let product = Product {
        id: f.id.trim().into(),
        name: f.name.trim().into(),
        kind: f.kind.trim().into(),
        rate: f.rate.trim().into(),
        term: f.term.trim().into(),
        max_amount,
        description: f.description.trim().into(),
    };
    let ip = client_ip(&headers);
    finance_inclusion::save_product(&state.site, &Actor { who: &who, ip: &ip }, county, product).await?;
    Ok(done(&headers, "/console/bank", "产品已发布，各村普惠金融栏目即时可见。"))
}

#[derive(Deserialize)]
pub struct BankVillageForm {
    village: String,
    #[serde(flatten)]
    service: VillageService,
}

pub async fn save_bank_village(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<BankVillageForm>,
) -> Result<Response, WebError> {
    let village = village_field(&f.village)?;
    let mut service = f.service;
    service.grade = service.grade.trim().to_uppercase();
    let ip = client_ip(&headers);
    finance_inclusion::save_village_service(&state.site, &Actor { who: &who, ip: &ip }, village, service).await?;
    Ok(done(&headers, "/console/bank", "已保存该村信用状况与服务信息。"))
}

pub async fn import_credit(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), form): CsrfMultipart,
) -> Result<Response, WebError> {
    let village = village_field(form.get("village"))?;
    let bank = Some(form.get("bank").trim()).filter(|b| !b.is_empty()).unwrap_or("农商银行").to_owned();
    if form.files.is_empty() {
        return Err(WebError::BadRequest("请选择授信文件 / choose the bank's file".into()));
    }
    // The bank editor's role on the village is checked by the preview.
    bank_scope(&state, &who)?;
    let upload = Upload { kind: ImportKind::Credit, village, files: form.files, period: None, bank };
    super::imports::show_preview(&state, &headers, &who, upload).await
}
