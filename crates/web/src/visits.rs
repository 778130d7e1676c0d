//! The visit-counting middleware: a successful GET of a village's public page, by something
//! that is not known to be a bot, a prefetch or a staff member, is handed to
//! `app::visits` as a small record — pushed into a bounded queue, never waited on. No cookie
//! is set or read for it (the staff session's is only looked at to leave staff out).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use yangguang_app::visits::{Visit, VisitPage};
use yangguang_core::RegionCode;

use crate::AppState;

pub async fn count_visits(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let visits = &state.site.visits;
    if !visits.is_on() || request.method() != Method::GET {
        return next.run(request).await;
    }
    let Some(page) = classify(request.uri().path()) else { return next.run(request).await };
    let headers = request.headers();
    let Some(user_agent) = user_agent(headers) else { return next.run(request).await };
    if prefetch(headers) || crate::session::cookie_value(headers, crate::session::SESSION_COOKIE).is_some() {
        return next.run(request).await;
    }
    let visit = Visit { page, address: crate::session::client_ip(headers), user_agent: user_agent.to_owned() };
    let response = next.run(request).await;
    // A 304 is a reader opening a page their browser already has: a view too.
    if matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        visits.record(visit);
    }
    response
}

/// The user agent, when there is a non-empty one (a request without one is a script).
fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).filter(|v| !v.trim().is_empty())
}

/// A browser fetching a page the reader may never open (speculative loading, link previews).
fn prefetch(headers: &HeaderMap) -> bool {
    ["sec-purpose", "purpose", "x-purpose", "x-moz"].iter().any(|name| {
        headers.get(*name).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("prefetch") || v.contains("preview") || v.contains("prerender")
        })
    })
}

/// The village page a path names, if it is one that villagers read: the home, a column, an
/// item, a month's accounts (and its receipts), the assets, leases and trading pages. Files,
/// feeds, exports and household pages are not counted.
pub fn classify(path: &str) -> Option<VisitPage> {
    let rest = path.strip_prefix("/v/")?;
    let mut parts = rest.split('/');
    let village = RegionCode::parse(parts.next()?).ok().filter(|c| c.is_village())?;
    let parts: Vec<&str> = parts.collect();
    let page = |column: &str, item: i64| Some(VisitPage { village, column: column.to_owned(), item });
    match parts.as_slice() {
        [] | [""] => page("", 0),
        ["c", column] if !column.is_empty() => page(column, 0),
        ["d", id] => id.parse::<i64>().ok().filter(|id| *id > 0).and_then(|id| page("", id)),
        ["finance", period] | ["finance", period, "receipt", _] if period.len() == 7 => page("finance", 0),
        ["assets"] | ["leases"] | ["leases", _] | ["trading"] => page("assets", 0),
        ["trading", project] if *project != "ocds.json" => page("assets", 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str) -> Option<(String, i64)> {
        classify(path).map(|p| (p.column, p.item))
    }

    #[test]
    fn village_pages_are_counted_and_files_are_not() {
        assert_eq!(page("/v/339921100201"), Some(("".into(), 0)));
        assert_eq!(page("/v/339921100201/"), Some(("".into(), 0)));
        assert_eq!(page("/v/339921100201/c/finance-income"), Some(("finance-income".into(), 0)));
        assert_eq!(page("/v/339921100201/d/42"), Some(("".into(), 42)));
        assert_eq!(page("/v/339921100201/finance/2026-10"), Some(("finance".into(), 0)));
        assert_eq!(page("/v/339921100201/finance/2026-10/receipt/ab12"), Some(("finance".into(), 0)));
        assert_eq!(page("/v/339921100201/leases/HT-7"), Some(("assets".into(), 0)));
        assert_eq!(page("/v/339921100201/trading/P1"), Some(("assets".into(), 0)));
        for not_counted in [
            "/",
            "/r/339921100000",
            "/v/339921100000",
            "/v/abc",
            "/v/339921100201/d/42/a/1",
            "/v/339921100201/d/x",
            "/v/339921100201/d/-3",
            "/v/339921100201/feed.atom",
            "/v/339921100201/c/finance/feed.atom",
            "/v/339921100201/finance/2026-10/statement.csv",
            "/v/339921100201/trading/ocds.json",
            "/v/339921100201/h/3",
            "/console/visits",
        ] {
            assert_eq!(page(not_counted), None, "{not_counted}");
        }
    }

    #[test]
    fn prefetches_and_missing_agents_are_not_visits() {
        let mut h = HeaderMap::new();
        assert!(user_agent(&h).is_none());
        h.insert(header::USER_AGENT, " ".parse().unwrap());
        assert!(user_agent(&h).is_none());
        h.insert(header::USER_AGENT, "Mozilla/5.0".parse().unwrap());
        assert!(user_agent(&h).is_some());
        assert!(!prefetch(&h));
        h.insert("sec-purpose", "prefetch;prerender".parse().unwrap());
        assert!(prefetch(&h));
        let mut h = HeaderMap::new();
        h.insert("purpose", "Prefetch".parse().unwrap());
        assert!(prefetch(&h));
    }
}
