//! The disclosure calendar for township and county staff: villages × months, each cell naming
//! its state in words and a sign (not colour alone), a village's items month by month with
//! their evidence, and the same as CSV or XLSX (each download audited).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::auth;
use yangguang_app::calendar::{self as cal, export};
use yangguang_app::i18n::{CalendarTexts, Lang};
use yangguang_core::calendar::{Cell, CellState, Tally, Window, by_month, percent, tally};
use yangguang_core::period::PeriodKind;
use yangguang_core::{Period, RegionCode};

use super::{Nav, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::prefs::Prefs;
use crate::session::{Staff, client_ip};

/// The longest range a page or a download covers.
const MAX_MONTHS: usize = 36;

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// One grid cell: a village's month.
pub struct GridCell {
    pub text: String,
    pub class: &'static str,
    pub title: String,
}

pub struct GridRow {
    pub code: String,
    pub name: String,
    pub timely: String,
    pub published: String,
    pub cells: Vec<GridCell>,
}

#[derive(Template)]
#[template(path = "console/calendar.html")]
struct CalendarPage {
    layout: Layout,
    nav: Nav,
    c: &'static CalendarTexts,
    regions: Vec<(String, String, bool)>,
    from: String,
    to: String,
    error: String,
    months: Vec<(String, String)>,
    rows: Vec<GridRow>,
    total_timely: String,
    total_published: String,
    counts: String,
    query: String,
    /// `from=…&to=…` of the months shown, for the village pages.
    range: String,
    legend: Vec<(&'static str, &'static str)>,
}

/// An item on a village's page.
pub struct ItemRow {
    pub title: String,
    pub deadline: String,
    pub state: String,
    pub class: &'static str,
    pub evidence: Option<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "console/calendar_village.html")]
struct VillagePage {
    layout: Layout,
    nav: Nav,
    c: &'static CalendarTexts,
    heading: String,
    back: String,
    counts: String,
    months: Vec<(String, String, Vec<ItemRow>)>,
}

/// What a request asks for, checked: the region (in the reader's scope) and the months.
struct Selection {
    region: RegionCode,
    window: Window,
    from: String,
    to: String,
    error: String,
}

fn month(text: &str) -> Option<Period> {
    text.trim().parse::<Period>().ok().filter(|p| p.kind() == PeriodKind::Month)
}

fn select(state: &AppState, who: &auth::SignedIn, q: &CalendarQuery, lang: Lang) -> Result<Selection, WebError> {
    let grants = who.grants();
    let scopes = cal::supervised_regions(&grants);
    let Some(first) = scopes.first() else {
        return Err(WebError::Forbidden(
            "公开日历供乡镇和县级工作人员查看 / the calendar is for township and county staff".into(),
        ));
    };
    let region = match q.region.as_deref().filter(|r| !r.is_empty()) {
        None => *first,
        Some(r) => {
            let code = RegionCode::parse(r).map_err(|e| WebError::BadRequest(e.to_string()))?;
            if state.site.regions().get(code).is_none() {
                return Err(WebError::NotFound);
            }
            if !cal::may_view(&grants, code) {
                return Err(WebError::Forbidden("该地区不在您的管辖范围内 / outside your area".into()));
            }
            code
        }
    };
    let today = yangguang_app::today();
    let default = Window::last_twelve(today);
    let (from, to) = (q.from.clone().unwrap_or_default(), q.to.clone().unwrap_or_default());
    let mut error = String::new();
    let mut window = default;
    if !from.is_empty() || !to.is_empty() {
        match (
            month(&from).or((from.is_empty()).then_some(default.first)),
            month(&to).or(to.is_empty().then_some(default.last)),
        ) {
            (Some(f), Some(t))
                if f.start() <= t.start() && Window { first: f, last: t }.months().len() <= MAX_MONTHS =>
            {
                window = Window { first: f, last: t };
            }
            _ => {
                error = match lang {
                    Lang::Zh => format!(
                        "月份应写成 2026-05，起始月份不晚于截止月份，最多 {MAX_MONTHS} 个月；下面仍显示近 12 个月。"
                    ),
                    Lang::En => format!(
                        "Months are written 2026-05, the first not after the last, at most {MAX_MONTHS}; the last 12 months are shown below."
                    ),
                };
            }
        }
    }
    Ok(Selection { region, window, from, to, error })
}

fn class_of(t: &Tally) -> (&'static str, CellState) {
    // The worst state of a month names it.
    if t.missing > 0 {
        ("overdue", CellState::Missing { days: 1 })
    } else if t.late > 0 {
        ("late", CellState::Late { days: 1 })
    } else if t.waiting > 0 {
        ("open", CellState::Waiting { overdue: 0 })
    } else if t.on_time > 0 {
        ("published", CellState::OnTime)
    } else if t.open > 0 {
        ("open", CellState::Open)
    } else {
        ("none", CellState::NotApplicable(yangguang_core::calendar::NotApplicable::NoVouchers))
    }
}

fn query_string(sel: &Selection) -> String {
    format!("region={}&from={}&to={}", sel.region, sel.window.first, sel.window.last)
}

/// `/console/calendar`: the grid.
pub async fn calendar_page(
    State(state): State<AppState>,
    Query(q): Query<CalendarQuery>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(&headers).lang;
    let c = lang.calendar();
    let sel = select(&state, &who, &q, lang)?;
    let today = yangguang_app::today();
    let villages = cal::villages_under(&state.site, sel.region);
    let cells = cal::cells(&state.site, &villages, sel.window, today).await?;
    let months = sel.window.months();
    let mut rows = vec![];
    for chunk in cells.chunk_by(|a, b| a.village == b.village) {
        let village = chunk[0].village;
        let per_month = by_month(chunk);
        let t = tally(chunk);
        rows.push(GridRow {
            code: village.to_string(),
            name: village_name(&state, village),
            timely: percent(t.timely_permille()),
            published: percent(t.published_permille()),
            cells: months
                .iter()
                .map(|m| {
                    let t = per_month.get(m).copied().unwrap_or_default();
                    let (class, s) = class_of(&t);
                    let sign = c.short(s).split(' ').next().unwrap_or_default();
                    let text = match class {
                        "overdue" => format!("{sign} {}", t.missing),
                        "late" => format!("{sign} {}", t.late),
                        "none" => "－".into(),
                        _ => sign.to_owned(),
                    };
                    GridCell { text, class, title: c.counts(&t) }
                })
                .collect(),
        });
    }
    let total = tally(&cells);
    let grants = who.grants();
    let regions_index = state.site.regions();
    let mut regions = vec![];
    for scope in cal::supervised_regions(&grants) {
        if let Some(r) = regions_index.get(scope) {
            regions.push((r.code.to_string(), r.name.clone(), r.code == sel.region));
            for child in regions_index.children(r.code).filter(|t| !t.kind.is_village_level()) {
                regions.push((child.code.to_string(), format!("— {}", child.name), child.code == sel.region));
            }
        }
    }
    let label = |p: &Period| match lang {
        Lang::Zh => p.label_zh(),
        Lang::En => p.label_en(),
    };
    let page = CalendarPage {
        layout: layout(&headers, c.console_title),
        nav: nav(&who, &headers),
        c,
        regions,
        from: if sel.error.is_empty() { sel.window.first.to_string() } else { sel.from.clone() },
        to: if sel.error.is_empty() { sel.window.last.to_string() } else { sel.to.clone() },
        error: sel.error.clone(),
        months: months.iter().map(|m| (m.to_string(), label(m))).collect(),
        rows,
        total_timely: percent(total.timely_permille()),
        total_published: percent(total.published_permille()),
        counts: c.counts(&total),
        query: query_string(&sel),
        range: format!("from={}&to={}", sel.window.first, sel.window.last),
        legend: [
            CellState::OnTime,
            CellState::Late { days: 1 },
            CellState::Missing { days: 1 },
            CellState::Waiting { overdue: 0 },
            CellState::Open,
            CellState::NotApplicable(yangguang_core::calendar::NotApplicable::NoVouchers),
        ]
        .into_iter()
        .map(|s| {
            (
                class_of(&{
                    let mut t = Tally::default();
                    t.add(s);
                    t
                })
                .0,
                c.short(s),
            )
        })
        .collect(),
    };
    render(&state, &headers, StatusCode::OK, &page)
}

fn item_row(cell: &Cell<'_>, lang: Lang) -> ItemRow {
    let c = lang.calendar();
    let mut state = c.state(cell.state, cell.deadline);
    if cell.quiet {
        state = format!("{state}（{}）", c.quiet);
    }
    let class = match cell.state {
        s if s.is_gap() => "overdue",
        CellState::Late { .. } => "late",
        CellState::OnTime => "published",
        _ => "open",
    };
    let evidence = cell.evidence.map(|id| {
        let label = if cell.state.is_published() { c.open_published } else { c.open_draft };
        (format!("/console/d/{}", id.0), label)
    });
    ItemRow {
        title: crate::pages::gaps::cell_title(cell, lang),
        deadline: cell.deadline.to_string(),
        state,
        class,
        evidence,
    }
}

/// `/console/calendar/village/{code}`: one village's items in the range, month by month.
pub async fn village_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<CalendarQuery>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(&headers).lang;
    let c = lang.calendar();
    let village = crate::pages::village::find_village(&state, &code)?;
    let q = CalendarQuery { region: Some(village.code.to_string()), ..q };
    let sel = select(&state, &who, &q, lang)?;
    let today = yangguang_app::today();
    let cells = cal::cells(&state.site, &[village.code], sel.window, today).await?;
    let mut months = vec![];
    for m in sel.window.months().into_iter().rev() {
        let items: Vec<ItemRow> =
            cells.iter().filter(|cell| cell.month() == m).map(|cell| item_row(cell, lang)).collect();
        let label = match lang {
            Lang::Zh => m.label_zh(),
            Lang::En => m.label_en(),
        };
        months.push((m.to_string(), label, items));
    }
    let parent = village.parent.map(|p| p.to_string()).unwrap_or_default();
    let page = VillagePage {
        layout: layout(&headers, c.console_title),
        nav: nav(&who, &headers),
        c,
        heading: c.village_title.replace("{village}", &village.name),
        back: format!("/console/calendar?region={parent}&from={}&to={}", sel.window.first, sel.window.last),
        counts: c.counts(&tally(&cells)),
        months,
    };
    render(&state, &headers, StatusCode::OK, &page)
}

/// `/console/calendar.csv`: every cell of the selection.
pub async fn download_csv(
    State(state): State<AppState>,
    Query(q): Query<CalendarQuery>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    download(&state, q, &headers, &who, "calendar.csv").await
}

/// `/console/calendar.xlsx`: the cells and each village's figures.
pub async fn download_xlsx(
    State(state): State<AppState>,
    Query(q): Query<CalendarQuery>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    download(&state, q, &headers, &who, "calendar.xlsx").await
}

async fn download(
    state: &AppState,
    q: CalendarQuery,
    headers: &HeaderMap,
    who: &auth::SignedIn,
    file: &str,
) -> Result<Response, WebError> {
    let state = state.clone();
    let lang = Prefs::from_headers(headers).lang;
    let sel = select(&state, who, &q, lang)?;
    if !sel.error.is_empty() {
        return Err(WebError::BadRequest(sel.error));
    }
    let today = yangguang_app::today();
    let villages = cal::villages_under(&state.site, sel.region);
    let cells = cal::cells(&state.site, &villages, sel.window, today).await?;
    let regions = state.site.regions();
    let name = regions.get(sel.region).map_or_else(|| sel.region.to_string(), |r| r.name.clone());
    let title = format!("{name}公开日历（{}至{}）", sel.window.first.label_zh(), sel.window.last.label_zh());
    let (bytes, media, ext) = match file {
        "calendar.csv" => (export::cells_csv(&regions, &cells), "text/csv; charset=utf-8", "csv"),
        "calendar.xlsx" => {
            let (rows, _) = cal::roll_up(&state.site, &villages, &cells);
            let bytes = export::calendar_xlsx(&regions, &cells, &rows, &title)
                .map_err(|e| WebError::Internal(e.to_string()))?;
            (bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
        _ => return Err(WebError::NotFound),
    };
    auth::audit(
        &state.site,
        Some(&who.staff),
        &client_ip(headers),
        "export-calendar",
        &format!("region:{}", sel.region),
        &format!("{}..{} {ext}", sel.window.first, sel.window.last),
    )
    .await;
    Ok(crate::pages::finance::download(bytes, media, &format!("{title}.{ext}")))
}
