//! Cross-origin reads of the open data: `/api/*`, `/openapi.json` and the downloads (OCDS,
//! Fiscal Data Packages, statements, feeds, the log's tiles) may be fetched by any site's
//! script with GET or HEAD; an `OPTIONS` preflight answers 204 (never 405). `tower-http`'s
//! `CorsLayer` writes the headers; this middleware picks the paths and the preflight status.
//! A download that does not name itself gets a file name from its path, so a saved copy is
//! `339921100201-trading-ocds.json`, not `download`.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Paths whose answers are open data.
pub fn is_open_data(path: &str) -> bool {
    const SUFFIXES: [&str; 7] = [".json", ".jsonl", ".csv", ".xlsx", ".atom", ".zip", ".xml"];
    path.starts_with("/api/")
        || path == "/openapi.json"
        || path.starts_with("/open-data/")
        || path.starts_with("/log/")
        || (path.starts_with("/v/") && (path.contains("/open-data/") || SUFFIXES.iter().any(|s| path.ends_with(s))))
}

fn layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE, header::ACCEPT, header::ACCEPT_LANGUAGE])
        .expose_headers([header::ETAG, header::LAST_MODIFIED, header::CONTENT_DISPOSITION, header::CACHE_CONTROL])
        .max_age(std::time::Duration::from_secs(86_400))
}

pub async fn cors(request: Request, next: Next) -> Response {
    if !is_open_data(request.uri().path()) {
        return next.run(request).await;
    }
    let preflight = request.method() == Method::OPTIONS;
    let path = request.uri().path().to_owned();
    let mut response = match layer().layer(next).oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    if preflight {
        *response.status_mut() = StatusCode::NO_CONTENT;
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
    } else if response.status().is_success()
        && !response.headers().contains_key(header::CONTENT_DISPOSITION)
        && let Some(name) = download_name(&path)
        && let Ok(v) = HeaderValue::from_str(&crate::pages::disclosure::content_disposition("inline", &name))
    {
        // Inline: a browser still shows the JSON; "save as" and `curl -J` get the name.
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The file name of a download at `path` (a file under `/v/…` or `/open-data/`): its path's
/// segments joined, without the `v`: `/v/339921100201/open-data/2026/datapackage.json` →
/// `339921100201-open-data-2026-datapackage.json`. Pages and the API have none.
fn download_name(path: &str) -> Option<String> {
    let file = path.rsplit('/').next()?;
    if !(path.starts_with("/v/") || path.starts_with("/open-data/")) || !file.contains('.') {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).skip_while(|s| *s == "v").collect();
    Some(format!("yangguang-{}", segments.join("-")))
}

#[cfg(test)]
mod tests {
    use super::is_open_data;

    #[test]
    fn open_data_paths_are_the_api_and_the_downloads_not_the_pages() {
        for open in [
            "/api/v1/regions",
            "/openapi.json",
            "/open-data/ocds.json",
            "/v/339921100201/open-data/2026/ledger.csv",
            "/v/339921100201/trading/ocds.json",
            "/v/339921100201/finance/2026-03/statement.xlsx",
            "/v/339921100201/feed.atom",
            "/log/tile/0/000",
        ] {
            assert!(is_open_data(open), "{open}");
        }
        for page in ["/", "/v/339921100201", "/console", "/api", "/v/339921100201/finance/2026-03"] {
            assert!(!is_open_data(page), "{page}");
        }
    }

    #[test]
    fn downloads_are_named_after_their_path() {
        assert_eq!(
            super::download_name("/v/339921100201/open-data/2026/datapackage.json").as_deref(),
            Some("yangguang-339921100201-open-data-2026-datapackage.json")
        );
        assert_eq!(super::download_name("/open-data/ocds.json").as_deref(), Some("yangguang-open-data-ocds.json"));
        assert_eq!(super::download_name("/api/v1/regions"), None);
    }
}
