//! `/api/v1/villages/{code}/…`: a village's published monthly accounts and their vouchers
//! (with the receipts' public addresses), its leases, trading listings, decision records and
//! public questions — each from the service its public page reads, so the API shows what
//! the pages show and nothing more.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use yangguang_app::questions::Target;
use yangguang_core::Period;
use yangguang_core::ledger::{LedgerEntry, VoucherKey};
use yangguang_store::QuestionState;

use super::schema::*;
use super::support::{LIST_CACHE, Params, json, next_href, page_after, serde_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::village::find_village;

const PAGE_PARAMS: [&str; 2] = ["cursor", "limit"];

#[utoipa::path(get, path = "/api/v1/villages/{code}/finance", tag = "finance",
    summary = "已公开账目的月份 / the months whose accounts are published",
    params(("code" = String, Path, description = "the village's 12-digit code")),
    responses((status = 200, body = FinanceMonths), (status = 304, description = "unchanged"),
        (status = 404, body = ApiError)))]
pub async fn finance_months(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    Params::parse(uri.query(), &[])?;
    let mut months: Vec<Period> = state
        .site
        .store
        .published_periods(village.code)
        .await?
        .into_iter()
        .filter(|(item, p)| item == yangguang_app::finance::MONTHLY_ACCOUNTS_ITEM && matches!(p, Period::Month { .. }))
        .map(|(_, p)| p)
        .collect();
    months.sort_by_key(|p| p.start());
    months.dedup();
    let months = months
        .into_iter()
        .map(|p| FinanceMonth {
            period: p.to_string(),
            api: format!("/api/v1/villages/{}/finance/{p}", village.code),
            html: format!("/v/{}/finance/{p}", village.code),
        })
        .collect();
    json(&headers, &FinanceMonths { months }, LIST_CACHE, None)
}

/// A month whose accounts are published, or not found (as on the pages).
async fn published_month(
    state: &AppState,
    village: yangguang_core::RegionCode,
    period: &str,
) -> Result<Period, WebError> {
    let period: Period = period.parse().map_err(|_| WebError::NotFound)?;
    if !yangguang_app::finance::month_published(&state.site, village, period).await? {
        return Err(WebError::NotFound);
    }
    Ok(period)
}

#[utoipa::path(get, path = "/api/v1/villages/{code}/finance/{period}", tag = "finance",
    summary = "一个月的收支明细 / a published month's statement",
    params(("code" = String, Path, description = "the village's 12-digit code"),
        ("period" = String, Path, description = "a month, `2026-03`")),
    responses((status = 200, body = FinanceStatement), (status = 304, description = "unchanged"),
        (status = 404, body = ApiError, description = "no such village, or the month is not published")))]
pub async fn finance_statement(
    State(state): State<AppState>,
    Path((code, period)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    Params::parse(uri.query(), &[])?;
    let period = published_month(&state, village.code, &period).await?;
    let (s, _) = yangguang_app::finance::period_books(&state.site, village.code, period).await?;
    let lines = |lines: &[yangguang_core::finance::CategoryLine]| -> Vec<CategoryAmount> {
        lines
            .iter()
            .map(|l| CategoryAmount {
                category: l.category.clone(),
                amount_fen: l.amount.0,
                vouchers: l.vouchers.iter().map(|v| v.number.clone()).collect(),
            })
            .collect()
    };
    let html = format!("/v/{}/finance/{period}", village.code);
    let statement = FinanceStatement {
        period: period.to_string(),
        total_income_fen: s.total_income.0,
        total_expenditure_fen: s.total_expenditure.0,
        opening_cash_fen: s.opening_cash.0,
        closing_cash_fen: s.closing_cash.0,
        opening_bank_fen: s.opening_bank.0,
        closing_bank_fen: s.closing_bank.0,
        income: lines(&s.income),
        expenditure: lines(&s.expenditure),
        large_items: s
            .large_items
            .iter()
            .map(|i| LargeItem {
                voucher: i.key.number.clone(),
                date: i.date,
                summary: i.summary.clone(),
                category: i.category.clone(),
                amount_fen: i.amount.0,
            })
            .collect(),
        vouchers: format!("/api/v1/villages/{}/finance/{period}/vouchers", village.code),
        csv: format!("{html}/statement.csv"),
        xlsx: format!("{html}/statement.xlsx"),
        html,
    };
    json(&headers, &statement, LIST_CACHE, None)
}

/// Orders `记-2` before `记-10`: the word, then the number zero-padded.
fn voucher_sort_key(number: &str) -> String {
    match number.rsplit_once('-') {
        Some((word, n)) => format!("{word}-{n:0>12}"),
        None => format!("{number:0>12}"),
    }
}

#[utoipa::path(get, path = "/api/v1/villages/{code}/finance/{period}/vouchers", tag = "finance",
    summary = "一个月的凭证与原始票据 / a published month's vouchers with their receipt scans",
    params(("code" = String, Path, description = "the village's 12-digit code"),
        ("period" = String, Path, description = "a month, `2026-03`"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 200 (default 50)")),
    responses((status = 200, body = VoucherPage), (status = 304, description = "unchanged"),
        (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn vouchers(
    State(state): State<AppState>,
    Path((code, period)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let p = Params::parse(uri.query(), &PAGE_PARAMS)?;
    let (limit, after) = (p.limit()?, p.cursor("vouchers")?);
    let period = published_month(&state, village.code, &period).await?;
    let Period::Month { year, month } = period else { return Err(WebError::NotFound) };
    let entries = state.site.store.ledger_entries(village.code, period.start(), period.end()).await?;
    let mut by_voucher: BTreeMap<String, (String, Vec<LedgerEntry>)> = BTreeMap::new();
    for e in entries {
        let number = VoucherKey::of(&e).number;
        by_voucher.entry(voucher_sort_key(&number)).or_insert_with(|| (number, vec![])).1.push(e);
    }
    let receipts = state.site.store.receipts(village.code, year, month).await?;
    let base = format!("/v/{}/finance/{period}", village.code);
    let all: Vec<(String, ApiVoucher)> = by_voucher
        .into_iter()
        .map(|(key, (number, lines))| {
            let voucher = ApiVoucher {
                date: lines.iter().map(|l| l.date).min().unwrap_or_else(|| period.start()),
                lines: lines
                    .iter()
                    .map(|l| EntryLine {
                        summary: l.summary.clone(),
                        account_code: l.account_code.clone(),
                        account_name: l.account_name.clone(),
                        debit_fen: l.debit.0,
                        credit_fen: l.credit.0,
                    })
                    .collect(),
                receipts: receipts
                    .iter()
                    .filter(|r| r.voucher_no == number)
                    .map(|r| ApiReceipt {
                        file_name: r.file_name.clone(),
                        media_type: r.media_type.clone(),
                        byte_size: r.byte_size,
                        sha256: r.sha256.clone(),
                        url: format!("/v/{}/receipts/{}/full", village.code, r.sha256),
                        html: format!("{base}/receipt/{}", r.sha256),
                        needs_recheck: r.needs_recheck,
                    })
                    .collect(),
                number,
            };
            (key, voucher)
        })
        .collect();
    let (items, next_cursor) = page_after(all, "vouchers", |(k, _)| k.clone(), after.as_deref(), limit);
    let page = VoucherPage {
        items: items.into_iter().map(|(_, v)| v).collect(),
        next: next_href(uri.path(), uri.query(), next_cursor.as_deref()),
        next_cursor,
    };
    json(&headers, &page, LIST_CACHE, None)
}

#[utoipa::path(get, path = "/api/v1/villages/{code}/leases", tag = "registers",
    summary = "产权出租合同 / the village's lease contracts",
    params(("code" = String, Path, description = "the village's 12-digit code"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 200 (default 50)")),
    responses((status = 200, body = LeasePage), (status = 304, description = "unchanged"),
        (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn leases(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let p = Params::parse(uri.query(), &PAGE_PARAMS)?;
    let (limit, after) = (p.limit()?, p.cursor("leases")?);
    let mut all = yangguang_app::leases::village_leases(&state.site, village.code).await?;
    all.sort_by(|a, b| a.contract_no.cmp(&b.contract_no));
    let (items, next_cursor) = page_after(all, "leases", |l| l.contract_no.clone(), after.as_deref(), limit);
    let page = LeasePage {
        items: items
            .into_iter()
            .map(|l| ApiLease {
                html: format!("/v/{}/leases/{}", village.code, path_segment(&l.contract_no)),
                contract_no: l.contract_no,
                asset: l.asset,
                asset_type: l.asset_type,
                location: l.location,
                lessee: l.lessee,
                area: l.area,
                area_unit: l.area_unit,
                annual_rent_fen: l.annual_rent.0,
                start: l.start,
                end: l.end,
            })
            .collect(),
        next: next_href(uri.path(), uri.query(), next_cursor.as_deref()),
        next_cursor,
    };
    json(&headers, &page, LIST_CACHE, None)
}

#[utoipa::path(get, path = "/api/v1/villages/{code}/listings", tag = "registers",
    summary = "产权交易项目 / the village's trading listings",
    params(("code" = String, Path, description = "the village's 12-digit code"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 200 (default 50)")),
    responses((status = 200, body = ListingPage), (status = 304, description = "unchanged"),
        (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn listings(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let p = Params::parse(uri.query(), &PAGE_PARAMS)?;
    let (limit, after) = (p.limit()?, p.cursor("listings")?);
    let mut all = yangguang_app::trading::village_listings(&state.site, village.code).await?;
    all.sort_by(|a, b| a.project_no.cmp(&b.project_no));
    let (items, next_cursor) = page_after(all, "listings", |l| l.project_no.clone(), after.as_deref(), limit);
    let last_modified = items.iter().map(|l| l.updated_at).max();
    let page = ListingPage {
        items: items
            .into_iter()
            .map(|l| ApiListing {
                html: format!("/v/{}/trading/{}", village.code, path_segment(&l.project_no)),
                price_unit: serde_name(&l.price_unit),
                method: serde_name(&l.method),
                stage: serde_name(&l.stage),
                announcement_start: l.announcement.start,
                announcement_end: l.announcement.end,
                deal: l.deal.map(|d| ApiDeal { date: d.date, price_fen: d.price.0, winner: d.winner }),
                project_no: l.project_no,
                title: l.title,
                subject_type: l.subject_type,
                location: l.location,
                area: l.area,
                area_unit: l.area_unit,
                reserve_price_fen: l.reserve_price.0,
                registration_end: l.registration_end,
                bidding_date: l.bidding_date,
                updated_at: l.updated_at,
            })
            .collect(),
        next: next_href(uri.path(), uri.query(), next_cursor.as_deref()),
        next_cursor,
    };
    json(&headers, &page, LIST_CACHE, last_modified)
}

#[utoipa::path(get, path = "/api/v1/villages/{code}/decisions", tag = "registers",
    summary = "“四议两公开”决策记录 / the village's decision records",
    params(("code" = String, Path, description = "the village's 12-digit code"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 200 (default 50)")),
    responses((status = 200, body = DecisionPage), (status = 304, description = "unchanged"),
        (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn decisions(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let p = Params::parse(uri.query(), &PAGE_PARAMS)?;
    let (limit, after) = (p.limit()?, p.cursor("decisions")?);
    let mut all = yangguang_app::decisions::village_overview(&state.site, village.code).await?;
    all.sort_by(|a, b| a.record.new.number.cmp(&b.record.new.number));
    let (items, next_cursor) = page_after(all, "decisions", |d| d.record.new.number.clone(), after.as_deref(), limit);
    let publication = |p: &Option<yangguang_app::decisions::Publication>| {
        p.as_ref().map(|p| ApiPublication {
            disclosure: p.disclosure.0,
            state: p.state.as_str().into(),
            published_on: p.published_on,
        })
    };
    let page = DecisionPage {
        items: items
            .iter()
            .map(|v| {
                let d = &v.record.new;
                ApiDecision {
                    number: d.number.clone(),
                    subject: d.subject.clone(),
                    kind: serde_name(&d.kind),
                    amount_fen: d.amount.map(|a| a.0),
                    steps: v.steps.iter().map(|s| serde_name(&s.record.step)).collect(),
                    resolution: publication(&v.resolution),
                    result: publication(&v.result),
                    flags: v
                        .assessment
                        .flags
                        .iter()
                        .map(|f| yangguang_app::i18n::flag_text(f, yangguang_app::i18n::Lang::Zh))
                        .collect(),
                    html: v.path(),
                }
            })
            .collect(),
        next: next_href(uri.path(), uri.query(), next_cursor.as_deref()),
        next_cursor,
    };
    json(&headers, &page, LIST_CACHE, None)
}

#[utoipa::path(get, path = "/api/v1/villages/{code}/questions", tag = "questions",
    summary = "公开的质询与答复 / public questions and the village's replies",
    description = "Only questions whose askers allowed them to be shown, once let through; a \
        hidden one keeps only its reason. Nothing identifies the asker.",
    params(("code" = String, Path, description = "the village's 12-digit code"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 200 (default 50)")),
    responses((status = 200, body = QuestionPage), (status = 304, description = "unchanged"),
        (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn questions(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let p = Params::parse(uri.query(), &PAGE_PARAMS)?;
    let (limit, after) = (p.limit()?, p.cursor("questions")?);
    // The states the village's questions page shows, and only those the asker made public.
    let shown = [QuestionState::Open, QuestionState::Answered, QuestionState::Hidden];
    let mut all: Vec<_> = state
        .site
        .store
        .village_questions(village.code, &shown)
        .await?
        .into_iter()
        .filter(|q| q.new.public_ok && q.new.state != QuestionState::Held)
        .collect();
    all.sort_by_key(|q| q.id);
    let key = |q: &yangguang_store::Question| format!("{:020}", q.id);
    let (items, next_cursor) = page_after(all, "questions", key, after.as_deref(), limit);
    let page = QuestionPage {
        items: items
            .into_iter()
            .map(|q| {
                let hidden = q.new.state == QuestionState::Hidden;
                ApiQuestion {
                    id: q.id,
                    target_html: Target::from_stored(&q.new.target_kind, &q.new.target_ref)
                        .map(|t| t.path(q.new.village))
                        .unwrap_or_default(),
                    target_kind: q.new.target_kind,
                    target_ref: q.new.target_ref,
                    target_title: q.new.target_title,
                    body: if hidden { String::new() } else { q.new.body },
                    state: q.new.state.as_str().into(),
                    asked_at: q.new.asked_at,
                    deadline_at: q.new.deadline_at,
                    reply: if hidden { None } else { q.reply },
                    replied_at: if hidden { None } else { q.replied_at },
                    correction: q.correction,
                    hidden_reason: if hidden { q.hidden_reason } else { None },
                }
            })
            .collect(),
        next: next_href(uri.path(), uri.query(), next_cursor.as_deref()),
        next_cursor,
    };
    json(&headers, &page, LIST_CACHE, None)
}

/// A contract or project number as one URL path segment (a space as `%20`, not `+`).
fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}
