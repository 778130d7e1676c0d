//! `/v/{code}/finance/{period}`: a month's accounts from the books — income and spending by
//! category, cash and bank balances, large items, a chart of the last 12 months (with the
//! same figures as a table), and every voucher with its lines. Shown only for months whose
//! accounts the village has published (after the finance group's sign-off).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use yangguang_core::finance::{Statement, statement};
use yangguang_core::ledger::{LedgerEntry, VoucherKey};
use yangguang_core::period::PeriodKind;
use yangguang_core::{Fen, Period, Region};

use super::village::find_village;
use super::{Crumb, Layout, Scope, cached, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;

/// Items from 10,000 yuan up are highlighted.
const LARGE: Fen = Fen(1_000_000);
const CHART_MONTHS: u32 = 12;

pub struct Line {
    pub category: String,
    pub amount: String,
    pub vouchers: usize,
    pub href: String,
}

pub struct VoucherView {
    pub scans: Vec<ScanView>,
    pub anchor: String,
    pub date: String,
    pub number: String,
    pub summary: String,
    pub amount: String,
    pub receipts: u32,
    /// "应附 N 张，已上传 M 张" when scans are missing (fewer attached than 附件数), else empty.
    pub missing: String,
    pub lines: Vec<(String, String, String, String)>,
    /// The decision that authorised it (its number, its page), if one is named.
    pub decision: Option<(String, String)>,
}

/// The missing-scans note of a voucher: empty when every scan it expects is there.
pub(crate) fn scans_note(t: &crate::i18n::Texts, expected: u32, attached: usize) -> String {
    if attached >= expected as usize {
        return String::new();
    }
    t.finance_scan_count.replace("{n}", &expected.to_string()).replace("{m}", &attached.to_string())
}

/// A scanned receipt on the month page: where it opens, its thumbnail, its file name.
pub struct ScanView {
    pub href: String,
    pub thumb: String,
    pub name: String,
    /// Its voucher changed after it was attached: shown as being re-checked, not as the original.
    pub recheck: bool,
}

/// Where a month page's scans point: the public routes, or the console's for reviewers
/// previewing accounts before they are published.
pub(crate) enum MonthLinks {
    Public,
    Review(yangguang_core::DisclosureId),
}

impl MonthLinks {
    fn scan(&self, village: &Region, period: Period, sha256: &str, name: String) -> ScanView {
        match self {
            Self::Public => ScanView {
                href: format!("/v/{}/finance/{period}/receipt/{sha256}", village.code),
                thumb: format!("/v/{}/receipts/{sha256}/thumb", village.code),
                name,
                recheck: false,
            },
            Self::Review(id) => ScanView {
                href: format!("/console/d/{id}/receipts/{sha256}/full"),
                thumb: format!("/console/d/{id}/receipts/{sha256}/thumb"),
                name,
                recheck: false,
            },
        }
    }
}

pub struct MonthRow {
    pub label: String,
    pub income: String,
    pub spending: String,
    /// Why the month shows no figures ("✕ 未公开"): its accounts were never published, so its
    /// books are not public either. Empty for a published month.
    pub missing: String,
    pub missing_class: &'static str,
}

#[derive(Template)]
#[template(path = "finance.html")]
struct FinancePage {
    layout: Layout,
    period_label: String,
    total_income: String,
    total_spending: String,
    income: Vec<Line>,
    spending: Vec<Line>,
    balances: Vec<(String, String, String)>,
    large: Vec<(String, String, String, String)>,
    chart_svg: String,
    months: Vec<MonthRow>,
    filter: String,
    vouchers: Vec<VoucherView>,
    village_code: String,
    period_code: String,
    /// A reviewer's preview of accounts not yet published: no public exports, a notice.
    preview: bool,
    /// The published months before and after this one: (link, label).
    prev_month: Option<(String, String)>,
    next_month: Option<(String, String)>,
    open_data: Vec<super::reader::OpenDataLink>,
    /// The village's monthly accounts due and not published.
    record: super::gaps::Record,
}

/// `/v/{code}/finance/{period}` for a month whose accounts are not published: what is due,
/// by when, and how late it is.
#[derive(Template)]
#[template(path = "finance_missing.html")]
struct MissingMonthPage {
    layout: Layout,
    heading: String,
    text: String,
    state_class: &'static str,
    village_code: String,
    record: super::gaps::Record,
}

#[derive(Deserialize)]
pub struct FinanceQuery {
    category: Option<String>,
}

pub async fn finance(
    State(state): State<AppState>,
    Path((code, period)): Path<(String, String)>,
    Query(q): Query<FinanceQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    let period: Period = period.parse().map_err(|_| WebError::NotFound)?;
    if !matches!(period, Period::Month { .. }) {
        return Err(WebError::NotFound);
    }
    let category = q.category.filter(|c| !c.is_empty() && c.chars().count() <= 20);
    // The publication check is part of the render, so a cached page costs no query at all.
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        if !yangguang_app::finance::month_published(&state.site, village.code, period).await? {
            return missing_month(&state, &prefs, &village, period, &uri).await;
        }
        render(&state, &prefs, &village, period, category, &uri, &MonthLinks::Public).await
    })
    .await
}

/// How far back a month's page explains an unpublished month (the calendar's reach); older
/// months, and months not begun, are not found.
const EXPLAINED_MONTHS: u32 = 24;

/// The state of the monthly accounts of `months` in a village (those the calendar has a cell for).
async fn accounts_states(
    state: &AppState,
    village: &Region,
    months: &[Period],
) -> Result<BTreeMap<Period, (yangguang_core::calendar::CellState, NaiveDate)>, WebError> {
    use yangguang_core::calendar::Window;
    let (Some(first), Some(last)) = (months.first(), months.last()) else { return Ok(BTreeMap::new()) };
    // A month's accounts fall due at most a quarter and 20 days after it.
    let until = last.end() + chrono::Days::new(120);
    let window = Window { first: *first, last: Period::containing(PeriodKind::Month, until) };
    let today = yangguang_app::today();
    let cells = yangguang_app::calendar::cells(&state.site, &[village.code], window, today).await?;
    Ok(cells
        .iter()
        .filter(|c| c.item.id == yangguang_app::finance::MONTHLY_ACCOUNTS_ITEM && months.contains(&c.period))
        .map(|c| (c.period, (c.state, c.deadline)))
        .collect())
}

async fn missing_month(
    state: &AppState,
    prefs: &Prefs,
    village: &Region,
    period: Period,
    uri: &Uri,
) -> Result<String, WebError> {
    use yangguang_core::calendar::CellState;
    let today = yangguang_app::today();
    let oldest = months_back(Period::containing(PeriodKind::Month, today), EXPLAINED_MONTHS)[0];
    if period.start() > today || period.start() < oldest.start() {
        return Err(WebError::NotFound);
    }
    let states = accounts_states(state, village, &[period]).await?;
    let Some(&(cell, deadline)) = states.get(&period) else { return Err(WebError::NotFound) };
    let lang = prefs.lang;
    let c = lang.calendar();
    let label = match lang {
        crate::i18n::Lang::Zh => period.label_zh(),
        crate::i18n::Lang::En => period.label_en(),
    };
    let fill = |s: &str| {
        s.replace("{period}", &label)
            .replace("{date}", &deadline.to_string())
            .replace("{state}", &c.state(cell, deadline))
    };
    let (heading, text, state_class) = match cell {
        CellState::Open => (fill(c.month_missing_title), fill(c.month_open_text), "open"),
        CellState::NotApplicable(_) => (fill(c.month_missing_title), fill(c.month_no_vouchers_text), "open"),
        CellState::Waiting { overdue: 0 } => (fill(c.month_missing_title), fill(c.waiting), "open"),
        // Published states cannot reach here (the month would be published); the rest are gaps.
        _ => (fill(c.month_missing_title), fill(c.month_missing_text), "overdue"),
    };
    let heading = match cell {
        CellState::Open | CellState::NotApplicable(_) | CellState::Waiting { overdue: 0 } => {
            format!("{label}{}", lang.texts().finance_title)
        }
        _ => heading,
    };
    let mut crumbs = region_crumbs(&state.site.regions(), village.code, true);
    crumbs.push(Crumb { label: lang.texts().finance_title.into(), href: None });
    let page = MissingMonthPage {
        layout: Layout::new(
            prefs,
            super::path_and_query(uri),
            format!("{heading} - {}", village.name),
            text.clone(),
            crumbs,
        ),
        heading,
        text,
        state_class,
        village_code: village.code.to_string(),
        record: super::gaps::village_record(
            state,
            lang,
            village,
            None,
            Some(yangguang_app::finance::MONTHLY_ACCOUNTS_ITEM),
        )
        .await?,
    };
    Ok(page.render()?)
}

fn months_back(period: Period, n: u32) -> Vec<Period> {
    let mut out = vec![period];
    let mut p = period;
    for _ in 1..n {
        let start = p.start().pred_opt().expect("in range");
        p = Period::containing(yangguang_core::period::PeriodKind::Month, start);
        out.push(p);
    }
    out.reverse();
    out
}

/// Income against spending for each month, as grouped bars; the table beside it carries
/// the same figures for screen readers and for anyone who prefers numbers. In elder mode the
/// labels are drawn large (style.css), so every other month is named, ending with this one.
fn chart(statements: &[Statement], shown: &[bool], elder: bool) -> String {
    let max = statements
        .iter()
        .zip(shown)
        .filter(|(_, shown)| **shown)
        .flat_map(|(s, _)| [s.total_income.0, s.total_expenditure.0])
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (w, h, pad) = (360.0, 180.0, 20.0);
    let slot = (w - pad) / statements.len().max(1) as f64;
    let bar = slot * 0.38;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-labelledby=\"chart-title\" class=\"chart\"><title id=\"chart-title\">近{} 个月收入与支出</title>",
        h + if elder { 32.0 } else { 24.0 },
        statements.len()
    );
    svg.push_str(&format!("<line x1=\"{pad}\" y1=\"{h}\" x2=\"{w}\" y2=\"{h}\" stroke=\"#4d4d4d\"/>"));
    for (i, s) in statements.iter().enumerate() {
        let x = pad + i as f64 * slot + slot * 0.1;
        // An unpublished month has no bars: its label stays, the table says why.
        let bars = if shown[i] { vec![(s.total_income.0, "in"), (s.total_expenditure.0, "out")] } else { vec![] };
        for (j, (value, class)) in bars.iter().enumerate() {
            let bh = (*value as f64 / max * (h - 10.0)).max(0.0);
            svg.push_str(&format!(
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\"/>",
                x + j as f64 * bar,
                h - bh
            ));
        }
        let named = !elder || (statements.len() - 1 - i).is_multiple_of(2);
        if let (Period::Month { month, .. }, true) = (s.period, named) {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{month}月</text>",
                x + bar,
                h + if elder { 26.0 } else { 16.0 }
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

pub(crate) async fn render(
    state: &AppState,
    prefs: &Prefs,
    village: &Region,
    period: Period,
    category: Option<String>,
    uri: &Uri,
    links: &MonthLinks,
) -> Result<String, WebError> {
    let site = &state.site;
    let from = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid");
    let entries: Vec<LedgerEntry> = site.store.ledger_entries(village.code, from, period.end()).await?;
    let s = statement(period, &entries, &site.charts, LARGE);
    let base = format!("/v/{}/finance/{}", village.code, period);
    let line = |l: &yangguang_core::finance::CategoryLine| Line {
        category: l.category.clone(),
        amount: l.amount.to_string(),
        vouchers: l.vouchers.len(),
        href: format!("{base}?category={}", form_urlencoded::byte_serialize(l.category.as_bytes()).collect::<String>()),
    };
    let statements: Vec<Statement> =
        months_back(period, CHART_MONTHS).into_iter().map(|p| statement(p, &entries, &site.charts, LARGE)).collect();
    // Only published months' figures are public: the others are marked, never drawn (their
    // books may hold anything, and nobody signed them off). The month itself shows in a
    // reviewer's preview.
    let published: std::collections::HashSet<Period> = site
        .store
        .published_periods(village.code)
        .await?
        .into_iter()
        .filter(|(item, _)| item == yangguang_app::finance::MONTHLY_ACCOUNTS_ITEM)
        .map(|(_, p)| p)
        .collect();
    let shown: Vec<bool> = statements.iter().map(|s| s.period == period || published.contains(&s.period)).collect();
    let hidden: Vec<Period> = statements.iter().zip(&shown).filter(|(_, s)| !**s).map(|(st, _)| st.period).collect();
    let hidden_states = accounts_states(state, village, &hidden).await?;
    // Vouchers of the period, or of one category when a line was opened.
    let wanted: Option<Vec<VoucherKey>> = category.as_ref().map(|c| {
        s.income.iter().chain(&s.expenditure).filter(|l| &l.category == c).flat_map(|l| l.vouchers.clone()).collect()
    });
    let mut grouped: BTreeMap<(NaiveDate, VoucherKey), Vec<&LedgerEntry>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.date >= period.start()) {
        let key = VoucherKey::of(e);
        if wanted.as_ref().is_none_or(|w| w.contains(&key)) {
            grouped.entry((e.date, key)).or_default().push(e);
        }
    }
    let (year, month) = match period {
        Period::Month { year, month } => (year, month),
        _ => unreachable!("checked: months only"),
    };
    let mut scans: BTreeMap<String, Vec<ScanView>> = BTreeMap::new();
    for r in site.store.receipts(village.code, year, month).await? {
        let mut scan = links.scan(
            village,
            period,
            &r.sha256,
            yangguang_core::disclosure::without_bidi_controls(&r.file_name).into_owned(),
        );
        scan.recheck = r.needs_recheck;
        scans.entry(r.voucher_no).or_default().push(scan);
    }
    let t = prefs.lang.texts();
    let decisions: BTreeMap<String, String> = site
        .store
        .village_links(village.code)
        .await?
        .into_iter()
        .filter(|l| l.target_kind == "voucher")
        .map(|l| (l.target_ref, l.number))
        .collect();
    let vouchers = grouped
        .into_iter()
        .map(|((date, key), lines)| VoucherView {
            scans: scans.remove(&key.number).unwrap_or_default(),
            missing: String::new(),
            anchor: format!("v-{}", key.number.replace(|c: char| !c.is_ascii_alphanumeric(), "")),
            date: date.to_string(),
            number: yangguang_core::ledger::voucher_label(&lines[0].voucher_no),
            summary: lines[0].summary.clone(),
            decision: decisions
                .get(&yangguang_app::decisions::voucher_ref(date, &lines[0].voucher_no))
                .map(|n| (n.clone(), yangguang_app::decisions::path(village.code, n))),
            amount: Fen(lines.iter().map(|l| l.debit.0).sum()).to_string(),
            receipts: yangguang_core::ledger::expected_scans(lines.iter().copied()),
            lines: lines
                .iter()
                .map(|l| {
                    let name = site
                        .charts
                        .for_date(l.date)
                        .resolve(&l.account_code)
                        .map_or(l.account_name.clone(), |a| a.category.clone());
                    let money = |f: Fen| if f.0 == 0 { String::new() } else { f.to_string() };
                    (l.account_code.clone(), name, money(l.debit), money(l.credit))
                })
                .collect(),
        })
        .map(|mut v: VoucherView| {
            v.missing = scans_note(t, v.receipts, v.scans.len());
            v
        })
        .collect();
    let t = prefs.lang.texts();
    let public = matches!(links, MonthLinks::Public);
    let (before, after) =
        if public { yangguang_app::finance::neighbour_months(site, village.code, period).await? } else { (None, None) };
    let month_link = |p: Period| (format!("/v/{}/finance/{p}", village.code), p.label_zh());
    let open_data = if public {
        vec![super::reader::fiscal_data(prefs.lang, format!("/v/{}/open-data/{year}/datapackage.json", village.code))]
    } else {
        vec![]
    };
    let mut crumbs = region_crumbs(&site.regions(), village.code, true);
    crumbs.push(Crumb { label: t.finance_title.into(), href: None });
    let title = format!("{}{} - {}", period.label_zh(), t.finance_title, village.name);
    let description =
        format!("{}{}：收入 {} 元，支出 {} 元", village.name, period.label_zh(), s.total_income, s.total_expenditure);
    let page = FinancePage {
        layout: Layout::new(prefs, super::path_and_query(uri), title, description, crumbs),
        period_label: period.label_zh(),
        total_income: s.total_income.to_string(),
        total_spending: s.total_expenditure.to_string(),
        income: s.income.iter().map(line).collect(),
        spending: s.expenditure.iter().map(line).collect(),
        balances: vec![
            ("银行存款".into(), s.opening_bank.to_string(), s.closing_bank.to_string()),
            ("库存现金".into(), s.opening_cash.to_string(), s.closing_cash.to_string()),
        ],
        large: s
            .large_items
            .iter()
            .map(|i| (i.date.to_string(), i.summary.clone(), i.category.clone(), i.amount.to_string()))
            .collect(),
        chart_svg: chart(&statements, &shown, prefs.elder),
        months: statements
            .iter()
            .zip(&shown)
            .map(|(m, shown)| {
                let c = prefs.lang.calendar();
                let (missing, missing_class) = match (shown, hidden_states.get(&m.period)) {
                    (true, _) => (String::new(), ""),
                    (false, Some((s, _))) if s.is_gap() => (c.short(*s).to_owned(), "overdue"),
                    (false, Some((s, _))) => (c.short(*s).to_owned(), "open"),
                    (false, None) => (format!("✕ {}", c.month_not_published), "open"),
                };
                MonthRow {
                    label: m.period.label_zh(),
                    income: m.total_income.to_string(),
                    spending: m.total_expenditure.to_string(),
                    missing,
                    missing_class,
                }
            })
            .collect(),
        filter: category.unwrap_or_default(),
        vouchers,
        village_code: village.code.to_string(),
        period_code: period.to_string(),
        preview: !public,
        prev_month: before.map(month_link),
        next_month: after.map(month_link),
        open_data,
        record: if public {
            super::gaps::village_record(
                state,
                prefs.lang,
                village,
                None,
                Some(yangguang_app::finance::MONTHLY_ACCOUNTS_ITEM),
            )
            .await?
        } else {
            super::gaps::Record {
                c: prefs.lang.calendar(),
                timely: String::new(),
                published: String::new(),
                counts: String::new(),
                gaps: vec![],
            }
        },
    };
    Ok(page.render()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_months_end_with_the_period() {
        let months = months_back("2026-03".parse().unwrap(), 12);
        assert_eq!((months[0].to_string(), months[11].to_string()), ("2025-04".into(), "2026-03".into()));
    }
}

/// A receipt scan of a published month, or not found.
async fn published_receipt(state: &AppState, code: &str, sha256: &str) -> Result<(Region, Period), WebError> {
    let village = find_village(state, code)?;
    let (year, month) = state.site.store.receipt_month(village.code, sha256).await?.ok_or(WebError::NotFound)?;
    let period = Period::Month { year, month };
    if !yangguang_app::finance::month_published(&state.site, village.code, period).await? {
        return Err(WebError::NotFound);
    }
    Ok((village, period))
}

/// `/v/{code}/receipts/{sha256}` and `…/thumb`: the scan itself, checked against its hash.
pub async fn receipt_file(
    State(state): State<AppState>,
    Path((code, sha256, size)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    published_receipt(&state, &code, &sha256).await?;
    scan_response(&state, &sha256, &size, "public, max-age=604800, immutable").await
}

/// A receipt scan (`full`) or its thumbnail (`thumb`), once the caller has checked that the
/// reader may see it.
pub(crate) async fn scan_response(
    state: &AppState,
    sha256: &str,
    size: &str,
    cache: &'static str,
) -> Result<Response, WebError> {
    let files = state.site.files.clone();
    let (bytes, media) = match size {
        "full" => {
            let bytes = files.get(sha256).await?;
            let media = if bytes.starts_with(b"\x89PNG") { "image/png" } else { "image/jpeg" };
            (bytes, media)
        }
        "thumb" => match files.get_thumbnail(sha256).await {
            Ok(bytes) => (bytes, "image/jpeg"),
            // Small scans have no separate thumbnail: they are their own.
            Err(_) => {
                let bytes = files.get(sha256).await?;
                let media = if bytes.starts_with(b"\x89PNG") { "image/png" } else { "image/jpeg" };
                (bytes, media)
            }
        },
        _ => return Err(WebError::NotFound),
    };
    let mut response = Response::new(axum::body::Body::from(bytes));
    let h = response.headers_mut();
    h.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static(media));
    h.insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static(cache));
    h.insert(axum::http::header::X_CONTENT_TYPE_OPTIONS, axum::http::HeaderValue::from_static("nosniff"));
    Ok(response)
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    layout: Layout,
    sha256: String,
    village_code: String,
    file_name: String,
    voucher: String,
    position: usize,
    count: usize,
    prev: Option<String>,
    next: Option<String>,
    back: String,
    /// The voucher's missing-scans note (see [`scans_note`]), or empty.
    missing: String,
    recheck: bool,
}

/// `/v/{code}/finance/{period}/receipt/{sha256}`: one scan full width, with the previous and
/// next scans of the month a tap (or a swipe) away; pinch to zoom as on any image.
pub async fn receipt_viewer(
    State(state): State<AppState>,
    Path((code, period_text, sha256)): Path<(String, String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let (village, period) = published_receipt(&state, &code, &sha256).await?;
    if period.to_string() != period_text {
        return Err(WebError::NotFound);
    }
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let Period::Month { year, month } = period else { unreachable!("months only") };
        let all = state.site.store.receipts(village.code, year, month).await?;
        let i = all.iter().position(|r| r.sha256 == sha256).ok_or(WebError::NotFound)?;
        let base = format!("/v/{}/finance/{period}", village.code);
        let link = |j: usize| all.get(j).map(|r| format!("{base}/receipt/{}", r.sha256));
        let mut crumbs = region_crumbs(&state.site.regions(), village.code, true);
        crumbs.push(Crumb { label: format!("{}收支明细", period.label_zh()), href: Some(base.clone()) });
        // Shown in the one voucher format; `voucher_no` stays the key scans are filed under.
        let shown = yangguang_core::ledger::voucher_label(&all[i].voucher_no);
        crumbs.push(Crumb { label: shown.clone(), href: None });
        let title = format!("原始票据 {shown} - {}{}", village.name, period.label_zh());
        let lines = state.site.store.ledger_entries(village.code, period.start(), period.end()).await?;
        let expected = yangguang_core::ledger::expected_scans(
            lines.iter().filter(|l| VoucherKey::of(l).number == all[i].voucher_no),
        );
        let attached = all.iter().filter(|r| r.voucher_no == all[i].voucher_no).count();
        let missing = scans_note(prefs.lang.texts(), expected, attached);
        let page = ReceiptPage {
            layout: Layout::new(
                &prefs,
                super::path_and_query(&uri),
                title,
                format!("{}凭证 {shown} 的原始票据", village.name),
                crumbs,
            ),
            sha256: sha256.clone(),
            village_code: village.code.to_string(),
            file_name: yangguang_core::disclosure::without_bidi_controls(&all[i].file_name).into_owned(),
            voucher: shown.clone(),
            position: i + 1,
            count: all.len(),
            prev: i.checked_sub(1).and_then(link),
            next: link(i + 1),
            back: format!("{base}#v-{}", all[i].voucher_no.replace(|c: char| !c.is_ascii_alphanumeric(), "")),
            missing,
            recheck: all[i].needs_recheck,
        };
        Ok(page.render()?)
    })
    .await
}

pub(crate) fn download(bytes: Vec<u8>, media: &'static str, file_name: &str) -> Response {
    download_as(bytes, media, file_name, None)
}

/// A download named `file_name` (UTF-8, `filename*`) with `ascii` as the plain `filename` for
/// clients that cannot read the UTF-8 one (else `download.ext`).
pub(crate) fn download_as(bytes: Vec<u8>, media: &'static str, file_name: &str, ascii: Option<&str>) -> Response {
    let mut response = Response::new(axum::body::Body::from(bytes));
    let h = response.headers_mut();
    h.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static(media));
    let value = super::disclosure::content_disposition_with("attachment", file_name, ascii);
    if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    h.insert(axum::http::header::X_CONTENT_TYPE_OPTIONS, axum::http::HeaderValue::from_static("nosniff"));
    response
}

/// `/v/{code}/finance/{period}/statement.{csv|xlsx}`: the month's statement to download.
pub async fn statement_export(
    State(state): State<AppState>,
    Path((code, period, file)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let period: Period = period.parse().map_err(|_| WebError::NotFound)?;
    if !yangguang_app::finance::month_published(&state.site, village.code, period).await? {
        return Err(WebError::NotFound);
    }
    let (s, _) = yangguang_app::finance::period_books(&state.site, village.code, period)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let title = format!("{}{}收支明细", village.name, period.label_zh());
    match file.as_str() {
        "statement.csv" => Ok(download_as(
            yangguang_app::open_data::statement_csv(&s),
            "text/csv; charset=utf-8",
            &format!("{title}.csv"),
            Some(&format!("{}-{period}-statement.csv", village.code)),
        )),
        "statement.xlsx" => {
            let bytes =
                yangguang_app::open_data::statement_xlsx(&s, &title).map_err(|e| WebError::Internal(e.to_string()))?;
            Ok(download_as(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{title}.xlsx"),
                Some(&format!("{}-{period}-statement.xlsx", village.code)),
            ))
        }
        _ => Err(WebError::NotFound),
    }
}

/// `/v/{code}/open-data/{year}/{datapackage.json|ledger.csv}`: a year's published books as a
/// Fiscal Data Package.
pub async fn open_data(
    State(state): State<AppState>,
    Path((code, year, file)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y)).ok_or(WebError::NotFound)?;
    let (descriptor, csv) =
        yangguang_app::open_data::fiscal_data_package(&state.site, village.code, year).await.map_err(|e| match e {
            yangguang_app::AppError::NotFound => WebError::NotFound,
            other => WebError::Internal(other.to_string()),
        })?;
    match file.as_str() {
        "datapackage.json" => Ok(axum::Json(descriptor).into_response()),
        "ledger.csv" => Ok(download_as(
            csv,
            "text/csv; charset=utf-8",
            &format!("{}{year}年账目.csv", village.name),
            Some(&format!("{}-{year}-ledger.csv", village.code)),
        )),
        _ => Err(WebError::NotFound),
    }
}
