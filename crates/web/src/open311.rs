//! An Open311 GeoReport v2 read endpoint for problem reports (随手拍), so other systems can
//! read what the villages fixed: `services.json` (the categories), `requests.json` (filtered
//! by `service_code`, `status`, `start_date`, `end_date`, and `jurisdiction_id` as a region
//! code) and `requests/{id}.json`, with the specification's field names. Only publicly
//! visible reports appear — resolved and not hidden — and never who reported them.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use yangguang_app::i18n::{Label, Lang};
use yangguang_core::RegionCode;
use yangguang_core::report::{CATEGORIES, Category, Status};
use yangguang_core::time::china;
use yangguang_store::{Report, ReportQuery};

use crate::AppState;
use crate::error::WebError;

/// Without dates, the last 90 days; never more than 1,000 requests in one answer (the spec's defaults).
const DEFAULT_DAYS: i64 = 90;
const MAX_RESULTS: u32 = 1000;

pub fn routes() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route("/open311/v2/services.json", get(services))
        .route("/open311/v2/requests.json", get(requests))
        .route("/open311/v2/requests/{id}", get(request))
}

fn json_response(value: Value) -> Response {
    let mut r = axum::Json(value).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

async fn services() -> Response {
    let list: Vec<Value> = CATEGORIES
        .iter()
        .map(|c| {
            json!({
                "service_code": c.as_str(),
                "service_name": c.label(Lang::Zh),
                "description": format!("随手拍：{} / {}", c.label(Lang::Zh), c.label(Lang::En)),
                "metadata": false,
                "type": "realtime",
                "keywords": "",
                "group": "综合治理",
            })
        })
        .collect();
    json_response(Value::Array(list))
}

fn w3c(t: DateTime<Utc>) -> String {
    t.with_timezone(&china()).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// This site's own address, for absolute media URLs.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if headers.get("x-forwarded-proto").is_some_and(|v| v == "https") { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn request_json(state: &AppState, base: &str, r: &Report) -> Value {
    let mut v = json!({
        "service_request_id": r.id.to_string(),
        "status": r.status.open311(),
        "status_notes": r.outcome.clone().unwrap_or_default(),
        "service_name": r.category.label(Lang::Zh),
        "service_code": r.category.as_str(),
        "description": r.description,
        "agency_responsible": state.site.regions().get(r.village).map(|v| format!("{}网格员", v.name)).unwrap_or_default(),
        "service_notice": "",
        "requested_datetime": w3c(r.created_at),
        "updated_datetime": w3c(r.updated_at),
        "address": r.place.address,
    });
    if let (Some(lat), Some(long)) = (r.place.lat, r.place.long) {
        v["lat"] = json!(lat);
        v["long"] = json!(long);
    }
    if !r.photos.is_empty() {
        v["media_url"] = json!(format!("{base}/v/{}/reports/{}/photo/0", r.village, r.id));
    }
    v
}

#[derive(Deserialize, Default)]
pub struct RequestFilters {
    service_code: Option<String>,
    status: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    jurisdiction_id: Option<String>,
}

fn date(name: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, WebError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
            WebError::BadRequest(format!(
                "{name} 不是 W3C 日期时间（如 2026-04-01T00:00:00+08:00）/ {name} must be a W3C datetime"
            ))
        }),
    }
}

async fn requests(
    State(state): State<AppState>,
    Query(f): Query<RequestFilters>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let mut start = date("start_date", f.start_date.as_deref())?;
    let end = date("end_date", f.end_date.as_deref())?;
    if start.is_none() && end.is_none() {
        start = Some(Utc::now() - Duration::days(DEFAULT_DAYS));
    }
    let codes: Vec<&str> =
        f.service_code.as_deref().unwrap_or("").split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
    let mut categories = vec![];
    for code in &codes {
        categories.push(Category::parse(code).ok_or_else(|| {
            WebError::BadRequest(format!("没有这个 service_code：{code} / unknown service_code (see services.json)"))
        })?);
    }
    let statuses: Vec<&str> =
        f.status.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if let Some(bad) = statuses.iter().find(|s| !matches!(**s, "open" | "closed")) {
        return Err(WebError::BadRequest(format!(
            "status 只能是 open 或 closed：{bad} / status must be open or closed"
        )));
    }
    let prefix = match f.jurisdiction_id.as_deref().map(str::trim).filter(|j| !j.is_empty()) {
        None => String::new(),
        Some(j) => yangguang_app::work::scope_prefix(RegionCode::parse(j).map_err(|_| {
            WebError::BadRequest(format!(
                "jurisdiction_id 应为 12 位区划代码：{j} / jurisdiction_id must be a region code"
            ))
        })?),
    };
    // Public reports are resolved ones: asking only for open ones finds none.
    if !statuses.is_empty() && !statuses.contains(&Status::Resolved.open311()) {
        return Ok(json_response(Value::Array(vec![])));
    }
    let base = base_url(&headers);
    let mut out = vec![];
    // One query per category asked for (or one for all): each within the result limit.
    let asked: Vec<Option<Category>> =
        if categories.is_empty() { vec![None] } else { categories.into_iter().map(Some).collect() };
    for category in asked {
        let found = state
            .site
            .store
            .list_reports(&ReportQuery {
                region_prefixes: vec![prefix.clone()],
                public_only: true,
                category,
                since: start,
                until: end,
                page: 1,
                per_page: MAX_RESULTS,
                ..ReportQuery::default()
            })
            .await?;
        out.extend(found.items.iter().map(|r| (r.created_at, r.id, request_json(&state, &base, r))));
    }
    out.sort_by_key(|r| std::cmp::Reverse((r.0, r.1)));
    out.truncate(MAX_RESULTS as usize);
    Ok(json_response(Value::Array(out.into_iter().map(|(_, _, v)| v).collect())))
}

async fn request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id: i64 = file.strip_suffix(".json").and_then(|id| id.parse().ok()).ok_or(WebError::NotFound)?;
    let report = match state.site.store.get_report(id).await {
        Ok(r) if r.is_public() => r,
        Ok(_) | Err(yangguang_store::StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    Ok(json_response(Value::Array(vec![request_json(&state, &base_url(&headers), &report)])))
}
