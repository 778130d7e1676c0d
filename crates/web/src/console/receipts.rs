//! The receipt desk (`/console/receipts?village=…&month=YYYY-MM`): a month's vouchers with
//! scans expected against scans attached, missing ones first; photos and zips uploaded into
//! the month's tray, suggested to vouchers by file name and assigned with one tap; scans
//! attached by mistake detached. The rules are in `yangguang_app::receipt_desk`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::publishing::Actor;
use yangguang_app::receipt_desk::{self, Desk, UploadReport};
use yangguang_core::disclosure::without_bidi_controls;
use yangguang_core::period::PeriodKind;
use yangguang_core::{Period, RegionCode};

use super::drafting::CsrfMultipart;
use super::{Nav, clerk_villages, done, layout, nav, render, village_field, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

/// Vouchers offered as one-tap buttons beside a scan the name suggests nothing for.
const QUICK: usize = 6;

pub struct ScanRow {
    pub sha256: String,
    pub name: String,
    pub thumb: String,
    pub full: String,
}

pub struct VoucherRow {
    pub number: String,
    pub label: String,
    pub anchor: String,
    pub date: String,
    pub summary: String,
    pub amount: String,
    pub expected: u32,
    pub attached: usize,
    pub missing: u32,
    pub scans: Vec<ScanRow>,
}

pub struct TrayRow {
    pub id: i64,
    pub name: String,
    pub thumb: String,
    pub full: String,
    pub suggestion: Option<String>,
    pub quick: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/receipts.html")]
struct ReceiptsPage {
    layout: Layout,
    nav: Nav,
    villages: Vec<(String, String)>,
    village: String,
    village_name: String,
    month: String,
    month_label: String,
    prev_month: String,
    next_month: String,
    published: bool,
    total: usize,
    missing_count: usize,
    suggested: usize,
    vouchers: Vec<VoucherRow>,
    tray: Vec<TrayRow>,
    all_vouchers: Vec<(String, String)>,
    report: Option<UploadReport>,
    problem: String,
    max_mb: usize,
}

#[derive(Deserialize)]
pub struct DeskQuery {
    village: Option<String>,
    month: Option<String>,
}

fn this_month() -> Period {
    Period::containing(PeriodKind::Month, yangguang_app::today())
}

fn parse_month(text: &str) -> Result<Period, WebError> {
    match text.trim().parse::<Period>() {
        Ok(p @ Period::Month { .. }) => Ok(p),
        _ => Err(WebError::BadRequest(format!(
            "月份 “{}” 无法识别，应如 2026-03 / the month should look like 2026-03",
            text.trim()
        ))),
    }
}

fn shift(period: Period, forward: bool) -> Period {
    let day = if forward { period.end().succ_opt() } else { period.start().pred_opt() };
    Period::containing(PeriodKind::Month, day.expect("in range"))
}

/// The village the page is about: one where the reader is a clerk.
fn desk_village(state: &AppState, who: &SignedIn, given: Option<&str>) -> Result<RegionCode, WebError> {
    let villages = clerk_villages(state, who);
    let Some(first) = villages.first() else {
        return Err(WebError::Forbidden(
            "整理原始票据需要村务工作者角色 / the receipt desk needs the village clerk role".into(),
        ));
    };
    let village = village_field(given.filter(|v| !v.is_empty()).unwrap_or(&first.0))?;
    if !who.grants().can_draft(village) {
        return Err(WebError::Forbidden(format!("需要该村（{village}）的村务工作者角色才能整理原始票据")));
    }
    Ok(village)
}

fn desk_url(village: RegionCode, period: Period) -> String {
    format!("/console/receipts?village={village}&month={period}")
}

fn scan_links(village: RegionCode, period: Period, sha256: &str) -> (String, String) {
    let base = format!("/console/receipts/scan/{village}/{period}/{sha256}");
    (format!("{base}/thumb"), format!("{base}/full"))
}

fn anchor(number: &str) -> String {
    format!("v-{}", number.replace(|c: char| !c.is_ascii_alphanumeric(), ""))
}

#[allow(clippy::too_many_arguments)]
fn page(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    village: RegionCode,
    period: Period,
    desk: Desk,
    report: Option<UploadReport>,
    problem: String,
) -> ReceiptsPage {
    let missing: Vec<String> = desk.vouchers.iter().filter(|v| v.missing() > 0).map(|v| v.number.clone()).collect();
    let vouchers: Vec<VoucherRow> = desk
        .vouchers
        .iter()
        .map(|v| VoucherRow {
            number: v.number.clone(),
            label: v.label.clone(),
            anchor: anchor(&v.number),
            date: v.date.to_string(),
            summary: v.summary.clone(),
            amount: v.amount.to_string(),
            expected: v.expected,
            attached: v.scans.len(),
            missing: v.missing(),
            scans: v
                .scans
                .iter()
                .map(|r| {
                    let (thumb, full) = scan_links(village, period, &r.sha256);
                    ScanRow {
                        sha256: r.sha256.clone(),
                        name: without_bidi_controls(&r.file_name).into_owned(),
                        thumb,
                        full,
                    }
                })
                .collect(),
        })
        .collect();
    let tray: Vec<TrayRow> = desk
        .tray
        .iter()
        .map(|s| {
            let (thumb, full) = scan_links(village, period, &s.scan.sha256);
            TrayRow {
                id: s.scan.id,
                name: without_bidi_controls(&s.scan.file_name).into_owned(),
                thumb,
                full,
                quick: missing.iter().filter(|m| Some(*m) != s.suggestion.as_ref()).take(QUICK).cloned().collect(),
                suggestion: s.suggestion.clone(),
            }
        })
        .collect();
    let mut all_vouchers: Vec<(String, String)> =
        desk.vouchers.iter().map(|v| (v.number.clone(), v.summary.clone())).collect();
    all_vouchers.sort_by_cached_key(|(n, _)| {
        let (w, d) = n.rsplit_once('-').unwrap_or(("", n));
        (w.to_owned(), d.parse::<u64>().unwrap_or(u64::MAX))
    });
    let title = format!("原始票据 {}", period.label_zh());
    ReceiptsPage {
        layout: layout(headers, &title),
        nav: nav(who, headers),
        villages: clerk_villages(state, who),
        village: village.to_string(),
        village_name: village_name(state, village),
        month: period.to_string(),
        month_label: period.label_zh(),
        prev_month: shift(period, false).to_string(),
        next_month: shift(period, true).to_string(),
        published: desk.published,
        total: vouchers.len(),
        missing_count: missing.len(),
        suggested: tray.iter().filter(|t| t.suggestion.is_some()).count(),
        vouchers,
        tray,
        all_vouchers,
        report,
        problem,
        max_mb: state.site.upload_limits.max_bytes / 1024 / 1024,
    }
}

pub async fn desk_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DeskQuery>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let village = desk_village(&state, &who, q.village.as_deref())?;
    let period = match q.month.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => parse_month(m)?,
        None => this_month(),
    };
    let desk = receipt_desk::desk(&state.site, village, period).await?;
    let page = page(&state, &headers, &who, village, period, desk, None, String::new());
    render(&state, &headers, StatusCode::OK, &page)
}

/// Photos and zips into the month's tray; the page comes back with what was skipped and why
/// (never a redirect that would lose the list).
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), form): CsrfMultipart,
) -> Result<Response, WebError> {
    let village = desk_village(&state, &who, Some(form.get("village")))?;
    let period = parse_month(form.get("month"))?;
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    let (status, report, problem) = match receipt_desk::upload(&state.site, &actor, village, period, form.files).await {
        Ok(report) if report.added + report.already == 0 => {
            (StatusCode::UNPROCESSABLE_ENTITY, Some(report), String::new())
        }
        Ok(report) => (StatusCode::OK, Some(report), String::new()),
        Err(yangguang_app::AppError::Field { message, .. }) => (StatusCode::UNPROCESSABLE_ENTITY, None, message),
        Err(e) => return Err(e.into()),
    };
    let desk = receipt_desk::desk(&state.site, village, period).await?;
    render(&state, &headers, status, &page(&state, &headers, &who, village, period, desk, report, problem))
}

#[derive(Deserialize)]
pub struct AssignForm {
    village: String,
    month: String,
    tray: i64,
    #[serde(default)]
    voucher: String,
    #[serde(default)]
    chosen: String,
}

pub async fn assign(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<AssignForm>,
) -> Result<Response, WebError> {
    let village = desk_village(&state, &who, Some(&f.village))?;
    let period = parse_month(&f.month)?;
    let voucher = if f.voucher.trim().is_empty() { &f.chosen } else { &f.voucher };
    let ip = client_ip(&headers);
    let r = receipt_desk::assign(&state.site, &Actor { who: &who, ip: &ip }, village, f.tray, voucher).await?;
    let to = format!("{}#{}", desk_url(village, period), anchor(&r.voucher_no));
    Ok(done(&headers, &to, &format!("已将 {} 分配到凭证 {}。", without_bidi_controls(&r.file_name), r.voucher_no)))
}

#[derive(Deserialize)]
pub struct MonthForm {
    village: String,
    month: String,
}

pub async fn assign_suggested(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<MonthForm>,
) -> Result<Response, WebError> {
    let village = desk_village(&state, &who, Some(&f.village))?;
    let period = parse_month(&f.month)?;
    let ip = client_ip(&headers);
    let n = receipt_desk::assign_suggested(&state.site, &Actor { who: &who, ip: &ip }, village, period).await?;
    Ok(done(&headers, &desk_url(village, period), &format!("已按文件名建议分配 {n} 张票据。")))
}

#[derive(Deserialize)]
pub struct DetachForm {
    village: String,
    month: String,
    voucher: String,
    sha256: String,
}

pub async fn detach(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<DetachForm>,
) -> Result<Response, WebError> {
    let village = desk_village(&state, &who, Some(&f.village))?;
    let period = parse_month(&f.month)?;
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    let scan = receipt_desk::detach(&state.site, &actor, village, period, &f.voucher, &f.sha256).await?;
    let message =
        format!("已从凭证 {} 取下 {}，放回“待分配”。", f.voucher.trim(), without_bidi_controls(&scan.file_name));
    Ok(done(&headers, &format!("{}#tray", desk_url(village, period)), &message))
}

#[derive(Deserialize)]
pub struct DiscardForm {
    village: String,
    month: String,
    tray: i64,
}

pub async fn discard(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<DiscardForm>,
) -> Result<Response, WebError> {
    let village = desk_village(&state, &who, Some(&f.village))?;
    let period = parse_month(&f.month)?;
    let ip = client_ip(&headers);
    let scan = receipt_desk::discard(&state.site, &Actor { who: &who, ip: &ip }, village, f.tray).await?;
    let message = format!("已移除 {}。", without_bidi_controls(&scan.file_name));
    Ok(done(&headers, &format!("{}#tray", desk_url(village, period)), &message))
}

/// `/console/receipts/scan/{village}/{month}/{sha256}/{thumb|full}`: a scan of the month,
/// attached or waiting in the tray, for the village's clerks only.
pub async fn scan(
    State(state): State<AppState>,
    Path((village, month, sha256, size)): Path<(String, String, String, String)>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let village = desk_village(&state, &who, Some(&village))?;
    let period = parse_month(&month).map_err(|_| WebError::NotFound)?;
    if !receipt_desk::scan_of_month(&state.site, village, period, &sha256).await? {
        return Err(WebError::NotFound);
    }
    crate::pages::finance::scan_response(&state, &sha256, &size, "private, no-store").await
}
