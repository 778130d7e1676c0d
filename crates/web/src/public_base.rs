//! The deployment's public address, for what must be absolute (OCDS package URIs, Atom links
//! and ids): the configured `[server] public_url`, else the scheme and Host the request came
//! with, else `http://localhost`.

use axum::http::{HeaderMap, header};

use crate::AppState;

/// The year in `tag:` URIs (RFC 4151): a date the deployment's domain is held at. Fixed, so
/// ids never change; a domain's holder since 2026 is this platform's operator.
pub const TAG_YEAR: &str = "2026";

/// `https://host[:port]`, without a trailing slash.
pub fn base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) =
        state.site.public_url.as_deref().map(|u| u.trim().trim_end_matches('/')).filter(|u| !u.is_empty())
    {
        return url.to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)));
    match host {
        Some(host) => {
            let https = headers.get("x-forwarded-proto").is_some_and(|v| v == "https");
            format!("{}://{host}", if https { "https" } else { "http" })
        }
        None => "http://localhost".into(),
    }
}

/// The host of a base URL, without port or credentials: the authority of `tag:` URIs.
pub fn domain(base: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    if host.is_empty() { "localhost".into() } else { host.to_ascii_lowercase() }
}

/// `tag:{domain},2026:{specific}`.
pub fn tag(base: &str, specific: &str) -> String {
    format!("tag:{},{TAG_YEAR}:{specific}", domain(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_use_the_domain_only() {
        assert_eq!(tag("https://CunWu.example.cn:8443/", "d/1"), "tag:cunwu.example.cn,2026:d/1");
        assert_eq!(tag("http://user:pw@host.cn", "x"), "tag:host.cn,2026:x");
        assert_eq!(domain("http://127.0.0.1:3000"), "127.0.0.1");
    }
}
