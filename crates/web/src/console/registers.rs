//! The registers a clerk uploads whole: leases (economic contracts), assets and resources,
//! and households with their three rights. One upload page serves all three.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::auth::SignedIn;
use yangguang_app::preview::{ImportKind, Upload};

use super::drafting::{CsrfMultipart, Submitted};
use super::{Nav, clerk_villages, layout, nav, render, village_field};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::Staff;

/// What a register upload page says and where it posts.
struct RegisterKind {
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    multiple: bool,
}

const LEASE_REGISTER: RegisterKind = RegisterKind {
    heading: "导入产权出租（经济合同）台账",
    intro: "上传本村出租合同台账（CSV，UTF-8 或 GBK 编码均可；或 XLSX），须有合同编号、资产名称、资产类别、承租方、面积、年租金、起租日期、到期日期等列；坐落、承租方类型、面积单位、付款方式可选。上传的台账整体替换该村原有台账；上传后先显示预览（新增、变更、移除、未变的行，变更的行原内容与新内容对照），确认后才导入；全部无误才能导入。台账有变化时自动生成“经济合同台账”公开草稿，经村务监督委员会审核后公开。个人承租方姓名只保存脱敏后的形式。",
    action: "/console/leases",
    multiple: false,
};

const ASSET_REGISTER: RegisterKind = RegisterKind {
    heading: "导入资产、资源台账",
    intro: "上传本村资产台账（资产编号、资产名称、资产类别、原值，可含坐落、面积、使用状态、使用人）或资源台账（资源编号、资源名称、资源类型、面积，可含坐落、经营状态、承包方），CSV 或 XLSX 均可，按表头自动识别。整体替换该村原有台账；上传后先显示预览（新增、变更、移除、未变的行，变更的行原内容与新内容对照），确认后才导入；全部无误才能导入。台账有变化时自动生成公开草稿，经村务监督委员会审核后公开。",
    action: "/console/assets",
    multiple: false,
};

const HOUSEHOLD_REGISTER: RegisterKind = RegisterKind {
    heading: "导入农户三权台账",
    intro: "一次上传本村的户籍成员表（户号、姓名、与户主关系、身份证号，可含联系电话，必需），以及承包地块表（户号、地块编码、面积、四至等）、宅基地表（户号、宗地面积等）、股权分红表（户号、股数、“2025年分红”等列），CSV 或 XLSX 均可，按表头自动识别。整体替换该村原有台账；上传后先显示预览（新增、变更、移除、未变的行，变更的行原内容与新内容对照），确认后才导入；全部无误才能导入。身份证号只保存加密摘要和脱敏形式；登记的手机号可用于村民短信登录查看本户信息。",
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
}

fn register_page(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    kind: &RegisterKind,
) -> Result<Response, WebError> {
    let villages = clerk_villages(state, who);
    if villages.is_empty() {
        return Err(WebError::Forbidden(
            "导入台账需要村务工作者角色 / importing registers needs the village clerk role".into(),
        ));
    }
    let page = RegisterPage {
        layout: layout(headers, kind.heading),
        nav: nav(who, headers),
        heading: kind.heading,
        intro: kind.intro,
        action: kind.action,
        multiple: kind.multiple,
        villages,
    };
    render(state, headers, StatusCode::OK, &page)
}

/// Previews a register upload: nothing is stored until the clerk confirms.
async fn preview_upload(
    state: &AppState,
    headers: &HeaderMap,
    who: SignedIn,
    form: Submitted,
    kind: ImportKind,
) -> Result<Response, WebError> {
    let village = village_field(form.get("village"))?;
    if form.files.is_empty() {
        return Err(WebError::BadRequest("请选择台账文件 / choose the register file".into()));
    }
    let upload = Upload { kind, village, files: form.files, period: None, bank: String::new() };
    super::imports::show_preview(state, headers, &who, upload).await
}

pub async fn leases_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    register_page(&state, &headers, &who, &LEASE_REGISTER)
}

pub async fn import_leases(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), form): CsrfMultipart,
) -> Result<Response, WebError> {
    preview_upload(&state, &headers, who, form, ImportKind::Leases).await
}

pub async fn assets_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    register_page(&state, &headers, &who, &ASSET_REGISTER)
}

pub async fn import_assets(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), form): CsrfMultipart,
) -> Result<Response, WebError> {
    preview_upload(&state, &headers, who, form, ImportKind::Assets).await
}

pub async fn households_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    register_page(&state, &headers, &who, &HOUSEHOLD_REGISTER)
}

pub async fn import_households(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), form): CsrfMultipart,
) -> Result<Response, WebError> {
    preview_upload(&state, &headers, who, form, ImportKind::Households).await
}
