//! Bulk data and discovery: a village-year ZIP of every public table (streamed), the
//! "开放数据" pages (a village's datasets with schema.org `Dataset` markup, and the county's
//! list), the DCAT-AP 3 catalog of every dataset (JSON-LD and Turtle), and `sitemap.xml`.
//! What the files contain is built in `yangguang_app::bulk`; here are HTTP and pages only.

pub mod datasets;
pub mod dcat;
pub mod page;
pub mod sitemap;

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use yangguang_app::Scope;

use crate::AppState;
use crate::error::WebError;
use crate::pages::village::find_village;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{code}/open-data", get(page::village_page))
        .route("/v/{code}/open-data/{year}/bulk.zip", get(bulk_zip))
        .route("/open-data", get(page::county_page))
        .route("/open-data/catalog.jsonld", get(dcat::catalog_jsonld))
        .route("/open-data/catalog.ttl", get(dcat::catalog_turtle))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/sitemaps/{file}", get(sitemap::sitemap_part))
}

/// Changes with each start of the process, so an ETag built on the in-memory generations is
/// never mistaken for one from before a restart (when the generations start again at 0).
fn boot() -> u64 {
    static BOOT: OnceLock<u64> = OnceLock::new();
    // A fresh `RandomState` is keyed randomly by the standard library: no extra crate.
    *BOOT.get_or_init(|| {
        use std::hash::BuildHasher;
        std::collections::hash_map::RandomState::new().hash_one(0u8)
    })
}

/// The ETag of what a village's scope (and the region tree) holds now: a new one after every
/// publication there.
pub fn village_etag(state: &AppState, kind: &str, scope: Scope) -> String {
    format!("\"{kind}-{:x}-{}\"", boot(), state.site.generation(scope))
}

/// Whether the request's `If-None-Match` names `etag` (or is `*`).
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag))
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `Content-Disposition` naming the file: an ASCII name for old clients and the real (Chinese)
/// name in `filename*` (RFC 6266).
pub fn attachment(ascii: &str, name: &str) -> HeaderValue {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20");
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Downloads are revalidated each time (a publication changes them) and may be kept by
/// shared caches: they are the same for every reader.
pub const DOWNLOAD_CACHE: &str = "public, no-cache";

fn not_modified_response(etag: &str) -> Response {
    let mut r = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(DOWNLOAD_CACHE));
    r
}

/// Parses the year of a bulk download's address: four digits, or not found.
fn parse_year(year: &str) -> Result<i32, WebError> {
    year.parse().ok().filter(|y| (2000..=2100).contains(y) && year.len() == 4).ok_or(WebError::NotFound)
}

/// `/v/{code}/open-data/{year}/bulk.zip`: the village's year, every table, as it is written.
pub async fn bulk_zip(
    State(state): State<AppState>,
    Path((code, year)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let year = parse_year(&year)?;
    if !yangguang_app::bulk::years(&state.site, village.code).await?.contains(&year) {
        return Err(WebError::NotFound);
    }
    let etag = village_etag(&state, &format!("bulk-{}-{year}", village.code), Scope::Village(village.code));
    if not_modified(&headers, &etag) {
        return Ok(not_modified_response(&etag));
    }
    let modified = datasets::last_published_by_year(&state, &village).await?.get(&year).copied();
    let chunks = yangguang_app::bulk::spawn_zip(state.site.clone(), village.code, year);
    let stream = futures_util::stream::unfold(chunks, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    let mut response = Response::new(Body::from_stream(stream));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    let ascii = format!("{}.zip", yangguang_app::bulk::package::package_name(village.code, year));
    let name = format!("{}.zip", yangguang_app::bulk::package::title(&village.name, year));
    h.insert(header::CONTENT_DISPOSITION, attachment(&ascii, &name));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(DOWNLOAD_CACHE));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(at) = modified
        && let Ok(v) = HeaderValue::from_str(&http_date(at))
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_matches_the_tag_in_a_list_weak_or_any() {
        let mut h = HeaderMap::new();
        assert!(!not_modified(&h, "\"a-1\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"b\", W/\"a-1\""));
        assert!(not_modified(&h, "\"a-1\""));
        assert!(!not_modified(&h, "\"a-2\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&h, "\"a-2\""));
    }

    #[test]
    fn only_a_four_digit_year_of_this_era_is_a_year() {
        assert_eq!(parse_year("2026").ok(), Some(2026));
        for bad in ["1999", "02026", "+2026", "2026.5", "99999999999", "", "x"] {
            assert!(parse_year(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_file_name_is_real_in_both_forms() {
        let v = attachment("yangguang-1-2026.zip", "前山村2026年村务公开数据.zip");
        let v = v.to_str().unwrap();
        assert!(v.starts_with("attachment; filename=\"yangguang-1-2026.zip\"; filename*=UTF-8''%E5%89%8D"), "{v}");
    }
}
