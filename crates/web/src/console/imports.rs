//! A preview before every import: the upload pages (books, registers, households, the bank's
//! credit file) show what would change and store nothing; the clerk's confirm applies exactly
//! the previewed files. Also the receipt scans flagged for re-checking after their voucher
//! changed, each cleared with one tap.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::auth::{self, SignedIn};
use yangguang_app::preview::{self, Confirmed, ImportKind, LedgerPreview, RecordsPreview, Summary, Upload};
use yangguang_app::publishing::Actor;

use super::{Nav, clerk_villages, done, layout, nav, render, village_field, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

#[derive(Template)]
#[template(path = "console/import_preview.html")]
struct PreviewPage {
    layout: Layout,
    nav: Nav,
    heading: &'static str,
    village: String,
    village_name: String,
    back: &'static str,
    /// The key the confirm form carries; none when the upload cannot be imported.
    id: Option<String>,
    errors: Vec<[String; 5]>,
    unlisted_errors: u64,
    ledger: Option<LedgerPreview>,
    records: Option<RecordsPreview>,
    shown: usize,
}

fn heading(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Ledger => "导入账簿",
        ImportKind::Leases => "导入产权出租（经济合同）台账",
        ImportKind::Assets => "导入资产、资源台账",
        ImportKind::Households => "导入农户三权台账",
        ImportKind::Credit => "导入农户授信",
    }
}

/// Previews an upload and shows what it would change (422 when it cannot be imported).
pub async fn show_preview(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    upload: Upload,
) -> Result<Response, WebError> {
    if upload.files.is_empty() {
        return Err(WebError::BadRequest("请选择要导入的文件 / choose the file to import".into()));
    }
    let ip = client_ip(headers);
    let kind = upload.kind;
    let village = upload.village;
    let p = preview::preview(&state.site, &Actor { who, ip: &ip }, upload).await?;
    let status = if p.summary.confirmable() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    auth::audit(&state.site, Some(&who.staff), &ip, "import-preview", &village.to_string(), kind.as_str()).await;
    let (errors, unlisted_errors, ledger, records) = match p.summary {
        Summary::Ledger(mut l) => (std::mem::take(&mut l.errors), l.unlisted_errors, Some(l), None),
        Summary::Records(mut r) => (std::mem::take(&mut r.errors), 0, None, Some(r)),
    };
    let page = PreviewPage {
        layout: layout(headers, heading(kind)),
        nav: nav(who, headers),
        heading: heading(kind),
        village: village.to_string(),
        village_name: village_name(state, village),
        back: kind.page(),
        id: p.id,
        errors,
        unlisted_errors,
        ledger,
        records,
        shown: preview::SHOWN,
    };
    render(state, headers, status, &page)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    village: String,
    preview: String,
}

/// `POST /console/imports/confirm`: applies the clerk's own preview, once.
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let village = village_field(&f.village)?;
    let ip = client_ip(&headers);
    let (kind, outcome) =
        preview::confirm(&state.site, &Actor { who: &who, ip: &ip }, f.preview.trim(), village).await?;
    let (to, message) = match outcome {
        Confirmed::Ledger(s) => {
            auth::audit(
                &state.site,
                Some(&who.staff),
                &ip,
                "ledger-import",
                &village.to_string(),
                &format!("+{} ~{} ={} flagged {}", s.inserted, s.updated, s.unchanged, s.flagged),
            )
            .await;
            let recheck = if s.flagged > 0 {
                format!("改动凭证上的 {} 份扫描件已标记为需重新核对。", s.flagged)
            } else {
                String::new()
            };
            (
                kind.page().to_owned(),
                format!(
                    "已导入：新增凭证 {} 张，更新 {} 张，未变 {} 张。{recheck}",
                    s.inserted, s.updated, s.unchanged
                ),
            )
        }
        Confirmed::Register(r) => {
            let c = r.counts;
            let text = format!(
                "已导入：新增 {} 条，变更 {} 条，移除 {} 条，未变 {} 条。",
                c.inserted, c.updated, c.removed, c.unchanged
            );
            match r.draft {
                Some(d) => {
                    (format!("/console/d/{}", d.0), format!("{text}台账有变化，已生成公开草稿，请核对后提交审核。"))
                }
                None => (kind.page().to_owned(), text),
            }
        }
        Confirmed::Households(h) => {
            let c = h.households;
            (
                kind.page().to_owned(),
                format!(
                    "已导入：新增 {} 户，变更 {} 户，移除 {} 户，未变 {} 户。",
                    c.inserted, c.updated, c.removed, c.unchanged
                ),
            )
        }
        Confirmed::Credit(c) => (kind.page().to_owned(), format!("已导入 {} 户的授信。", c.households)),
    };
    Ok(done(&headers, &to, &message))
}

#[derive(Template)]
#[template(path = "console/recheck.html")]
struct RecheckPage {
    layout: Layout,
    nav: Nav,
    /// (village code, village name, scans).
    villages: Vec<(String, String, Vec<yangguang_store::Receipt>)>,
}

/// `/console/receipts/recheck`: the scans of the clerk's villages that need re-checking.
pub async fn recheck_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let mut villages = vec![];
    for (code, name) in clerk_villages(&state, &who) {
        let village = village_field(&code)?;
        villages.push((code, name, state.site.store.flagged_receipts(village).await?));
    }
    if villages.is_empty() {
        return Err(WebError::Forbidden("需要村务工作者角色 / needs the village clerk role".into()));
    }
    let page =
        RecheckPage { layout: layout(&headers, "需重新核对的扫描件"), nav: nav(&who, &headers), villages };
    render(&state, &headers, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct RecheckForm {
    village: String,
    year: i32,
    month: u32,
    voucher: String,
    sha256: String,
}

/// `POST /console/receipts/recheck`: the clerk confirms a flagged scan still belongs to its voucher.
pub async fn confirm_scan(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<RecheckForm>,
) -> Result<Response, WebError> {
    let village = village_field(&f.village)?;
    if !who.grants().can_draft(village) {
        return Err(WebError::Forbidden(format!("需要该村（{village}）的村务工作者角色")));
    }
    let cleared = state.site.store.confirm_receipt(village, f.year, f.month, &f.voucher, &f.sha256).await?;
    if cleared {
        state.site.published(village);
        let detail = format!("{}-{} {} {}", f.year, f.month, f.voucher, f.sha256);
        auth::audit(
            &state.site,
            Some(&who.staff),
            &client_ip(&headers),
            "receipt-rechecked",
            &village.to_string(),
            &detail,
        )
        .await;
    }
    let message = if cleared {
        "已确认该扫描件仍属于此凭证。"
    } else {
        "该扫描件无需核对（可能已有人确认）。"
    };
    Ok(done(&headers, "/console/receipts/recheck", message))
}

/// `/console/receipts/{village}/{sha256}/{size}`: a flagged scan, for the clerk checking it.
pub async fn scan(
    State(state): State<AppState>,
    axum::extract::Path((code, sha256, size)): axum::extract::Path<(String, String, String)>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let village = village_field(&code)?;
    if !who.grants().can_draft(village) || state.site.store.receipt_month(village, &sha256).await?.is_none() {
        return Err(WebError::NotFound);
    }
    crate::pages::finance::scan_response(&state, &sha256, &size, "private, no-store").await
}
