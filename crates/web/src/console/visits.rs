//! `/console/visits`: how often villagers open their villages' public pages — per day as a
//! chart (server-drawn SVG, bars up to two months, a line beyond) with the same figures as a
//! table, per town or village, per column — for a region of the staff member's own, a range of
//! days and optionally one column; `/console/visits.csv` the same figures as CSV (audited).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::i18n::VisitTexts;
use yangguang_app::visits::report::{self, Figure, ReportRequest, VisitReport};
use yangguang_core::RegionCode;
use yangguang_core::region::CodeLevel;

use super::{Nav, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::prefs::Prefs;
use crate::session::{Staff, client_ip};

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    region: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    column: String,
}

#[derive(Template)]
#[template(path = "console/visits.html")]
struct VisitsPage {
    layout: Layout,
    nav: Nav,
    x: &'static VisitTexts,
    /// The form as typed.
    region: String,
    from: String,
    to: String,
    column: String,
    regions: Vec<(String, String)>,
    columns: Vec<(String, String)>,
    error: String,
    error_field: &'static str,
    report: Option<VisitReport>,
    summary: String,
    chart_svg: String,
    csv_href: String,
    dropped: String,
    off: bool,
}

/// The request a filter names, or which field is wrong and why.
fn request(f: &Filter, default_region: RegionCode, x: &VisitTexts) -> Result<ReportRequest, (&'static str, String)> {
    let date = |s: &str, field: &'static str, default: NaiveDate| {
        let s = s.trim();
        if s.is_empty() {
            return Ok(default);
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| (field, x.bad_date.to_owned()))
    };
    let to = date(&f.to, "to", yangguang_app::today())?;
    let from = date(&f.from, "from", to - chrono::Days::new(29))?;
    let region = match f.region.trim() {
        "" => default_region,
        s => RegionCode::parse(s).map_err(|e| ("region", e.to_string()))?,
    };
    let column = Some(f.column.trim().to_owned()).filter(|c| !c.is_empty());
    Ok(ReportRequest { region, from, to, column })
}

async fn figures(
    state: &AppState,
    who: &SignedIn,
    f: &Filter,
    x: &VisitTexts,
) -> Result<Result<VisitReport, (&'static str, String)>, WebError> {
    let grants = who.grants();
    let Some((default_region, ..)) = report::choosable_regions(&state.site, &grants).into_iter().next() else {
        return Err(WebError::Forbidden("您的账号没有负责的地区 / your account has no region".into()));
    };
    let request = match request(f, default_region, x) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    match report::report(&state.site, &grants, request).await {
        Ok(r) => Ok(Ok(r)),
        Err(yangguang_app::AppError::Field { field, message }) => Ok(Err((field, message))),
        Err(e) => Err(e.into()),
    }
}

pub async fn visits_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let x = prefs.lang.visits();
    let outcome = figures(&state, &who, &f, x).await?;
    let grants = who.grants();
    let regions = report::choosable_regions(&state.site, &grants)
        .into_iter()
        .map(|(code, name, level)| {
            let indent = match level {
                CodeLevel::Village => "　　",
                CodeLevel::Town => "　",
                _ => "",
            };
            (code.to_string(), format!("{indent}{name}"))
        })
        .collect();
    let columns = state
        .site
        .catalog
        .top_columns()
        .map(|c| (c.id.clone(), crate::pages::column_name(c, prefs.lang).to_owned()))
        .collect();
    let (report, error_field, error, status) = match outcome {
        Ok(r) => (Some(r), "", String::new(), StatusCode::OK),
        Err((field, message)) => (None, field, message, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let shown = report.as_ref().map(|r| &r.request);
    let value = |typed: &str, checked: Option<String>| checked.unwrap_or_else(|| typed.to_owned());
    let region = value(&f.region, shown.map(|r| r.region.to_string()));
    let from = value(&f.from, shown.map(|r| r.from.to_string()));
    let to = value(&f.to, shown.map(|r| r.to.to_string()));
    let column = value(&f.column, shown.map(|r| r.column.clone().unwrap_or_default()));
    let csv_href = {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("region", &region), ("from", &from), ("to", &to), ("column", &column)])
            .finish();
        format!("/console/visits.csv?{query}")
    };
    let mut report = report;
    if let Some(r) = report.as_mut() {
        for c in &mut r.columns {
            if c.key.is_empty() {
                c.label = x.home.to_owned();
            } else if let Some(col) = state.site.catalog.column(&c.key) {
                c.label = crate::pages::column_name(col, prefs.lang).to_owned();
            }
        }
    }
    let dropped = state.site.visits.dropped();
    let page = VisitsPage {
        layout: layout(&headers, x.title),
        nav: nav(&who, &headers),
        x,
        summary: report.as_ref().map_or_else(String::new, |r| {
            x.summary.replace("{views}", &r.views.to_string()).replace("{visitors}", &r.visitors.to_string())
        }),
        chart_svg: report.as_ref().map_or_else(String::new, |r| chart(&r.days, x, prefs.elder)),
        report,
        region,
        from,
        to,
        column,
        regions,
        columns,
        error,
        error_field,
        csv_href,
        dropped: if dropped > 0 { x.dropped.replace("{n}", &dropped.to_string()) } else { String::new() },
        off: !state.site.visits.is_on(),
    };
    render(&state, &headers, status, &page)
}

pub async fn visits_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let x = Prefs::from_headers(&headers).lang.visits();
    let report = match figures(&state, &who, &f, x).await? {
        Ok(r) => r,
        Err((field, message)) => {
            return Err(yangguang_app::AppError::Field { field, message }.into());
        }
    };
    let body = report::to_csv(&report)?;
    let r = &report.request;
    let target = format!("{} {}..{}", r.region, r.from, r.to);
    yangguang_app::auth::audit(&state.site, Some(&who.staff), &client_ip(&headers), "visits.export", &target, "").await;
    let name = format!("visits-{}-{}-{}.csv", r.region, r.from, r.to);
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(crate::session::no_store(response))
}

/// Views per day: bars for up to two months, a line beyond (bars of a year would be hairs).
/// The largest value is written on the axis; the first, middle and last days under it. The
/// table below the chart carries every figure.
fn chart(days: &[Figure], x: &VisitTexts, elder: bool) -> String {
    let (w, h, left, top) = (360.0, 160.0, 34.0, 12.0);
    let label_gap = if elder { 26.0 } else { 16.0 };
    let max = days.iter().map(|d| d.views).max().unwrap_or(0).max(1) as f64;
    let n = days.len().max(1) as f64;
    let slot = (w - left - 4.0) / n;
    let y = |v: i64| top + (h - top) * (1.0 - v as f64 / max);
    let title = x
        .chart_title
        .replace("{from}", days.first().map_or("", |d| d.key.as_str()))
        .replace("{to}", days.last().map_or("", |d| d.key.as_str()));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-labelledby=\"visits-chart-title\" class=\"chart\"><title id=\"visits-chart-title\">{}</title>",
        h + label_gap + 6.0,
        askama::filters::escape(&title, askama::filters::Html).map(|s| s.to_string()).unwrap_or_default()
    );
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{h}\" x2=\"{w}\" y2=\"{h}\" stroke=\"#4d4d4d\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{h}\" stroke=\"#4d4d4d\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text><text x=\"{}\" y=\"{h}\" font-size=\"11\" text-anchor=\"end\">0</text>",
        left - 3.0,
        top + 4.0,
        max as i64,
        left - 3.0
    ));
    if days.len() <= 62 {
        for (i, d) in days.iter().enumerate() {
            let top_y = y(d.views);
            svg.push_str(&format!(
                "<rect class=\"in\" x=\"{:.1}\" y=\"{top_y:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
                left + i as f64 * slot + slot * 0.15,
                slot * 0.7,
                (h - top_y).max(0.0)
            ));
        }
    } else {
        let points: Vec<String> = days
            .iter()
            .enumerate()
            .map(|(i, d)| format!("{:.1},{:.1}", left + (i as f64 + 0.5) * slot, y(d.views)))
            .collect();
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"#1e6b2e\" stroke-width=\"1.5\" points=\"{}\"/>",
            points.join(" ")
        ));
    }
    let last = days.len().saturating_sub(1);
    let mut named = vec![0, last / 2, last];
    named.dedup();
    for i in named {
        if let Some(d) = days.get(i) {
            let anchor = if i == 0 {
                "start"
            } else if i == last {
                "end"
            } else {
                "middle"
            };
            let at = if i == 0 {
                left
            } else if i == last {
                w
            } else {
                left + (i as f64 + 0.5) * slot
            };
            svg.push_str(&format!(
                "<text x=\"{at:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"{anchor}\">{}</text>",
                h + label_gap,
                d.label
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: usize) -> Vec<Figure> {
        (0..n)
            .map(|i| Figure {
                key: format!("2026-05-{:02}", i + 1),
                label: format!("05-{:02}", i + 1),
                views: i as i64,
                visitors: 0,
            })
            .collect()
    }

    #[test]
    fn short_ranges_are_bars_and_long_ones_a_line() {
        let x = yangguang_app::i18n::Lang::Zh.visits();
        let short = chart(&days(30), x, false);
        assert_eq!(short.matches("<rect").count(), 30);
        assert!(short.contains(">29</text>"), "the largest value on the axis");
        assert!(short.contains("05-01") && short.contains("05-30"));
        let long = chart(&days(200), x, false);
        assert_eq!(long.matches("<rect").count(), 0);
        assert_eq!(long.matches("<polyline").count(), 1);
        // No views at all still draws an axis, not a division by zero.
        let empty: Vec<Figure> = days(3).into_iter().map(|d| Figure { views: 0, ..d }).collect();
        assert!(!chart(&empty, x, true).contains("NaN"));
    }
}
