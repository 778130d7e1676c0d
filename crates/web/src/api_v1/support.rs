//! What every `/api/v1` endpoint shares: reading its query parameters strictly (an unknown,
//! repeated or malformed one is a 400 naming it), opaque keyset cursors, the page size, and
//! the JSON answer with a strong ETag from its bytes, `If-None-Match` → 304, Cache-Control
//! and Last-Modified.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::WebError;

/// Items on a page when `limit` is not given, and the most a page may hold.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// Lists change as clerks publish: a minute of caching, then revalidation by ETag.
pub const LIST_CACHE: &str = "public, max-age=60";

/// A request's query parameters, each named once, none the endpoint does not know.
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Reads `query` allowing only the names in `known`.
    pub fn parse(query: Option<&str>, known: &[&str]) -> Result<Self, WebError> {
        let mut values = BTreeMap::new();
        for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if !known.contains(&name.as_ref()) {
                let name: String = name.chars().take(40).collect();
                let allowed = if known.is_empty() { "（无）".to_owned() } else { known.join(", ") };
                return Err(WebError::parameter(
                    name.clone(),
                    format!("不认识的参数 “{name}”，可用的参数：{allowed} / unknown parameter; allowed: {allowed}"),
                ));
            }
            if values.insert(name.to_string(), value.into_owned()).is_some() {
                return Err(WebError::parameter(
                    name.to_string(),
                    format!("参数 “{name}” 只能给一次 / the parameter is given more than once"),
                ));
            }
        }
        Ok(Self { values })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// `limit`: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
    pub fn limit(&self) -> Result<u32, WebError> {
        match self.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(v) => v.parse::<u32>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                WebError::parameter(
                    "limit",
                    format!("limit 应为 1 到 {MAX_LIMIT} 的整数 / limit must be a whole number from 1 to {MAX_LIMIT}"),
                )
            }),
        }
    }

    /// The key a `cursor` carries for lists of `kind`, or `None` from the first page.
    pub fn cursor(&self, kind: &str) -> Result<Option<String>, WebError> {
        self.get("cursor").map(|c| Cursor::decode(kind, c)).transpose()
    }
}

/// An opaque position in a list: the key of the last item served (never an offset, so that
/// rows added meanwhile neither repeat nor vanish). Base64url of `v1|kind|key`, so a cursor of
/// one list given to another is refused, not misread.
pub struct Cursor;

impl Cursor {
    pub fn encode(kind: &str, key: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1|{kind}|{key}"))
    }

    /// The refusal of a cursor this list did not give out.
    pub fn invalid() -> WebError {
        WebError::parameter(
            "cursor",
            "cursor 无效：请使用上一页返回的 next_cursor 原样传回 / the cursor is not one this list returned",
        )
    }

    pub fn decode(kind: &str, cursor: &str) -> Result<String, WebError> {
        let bad = Self::invalid;
        if cursor.len() > 400 {
            return Err(bad());
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let rest = text.strip_prefix("v1|").and_then(|r| r.strip_prefix(kind)).and_then(|r| r.strip_prefix('|'));
        rest.map(str::to_owned).ok_or_else(bad)
    }
}

/// The page of `items` (sorted by `key`, ascending and unique) after the key `after`, with
/// the cursor of the next page when there is one. For lists a village holds in full anyway
/// (its leases, listings, decisions, questions, a month's vouchers), served from the
/// services the pages use; the disclosures page by key in SQL.
pub fn page_after<T>(
    items: Vec<T>,
    kind: &str,
    key: impl Fn(&T) -> String,
    after: Option<&str>,
    limit: u32,
) -> (Vec<T>, Option<String>) {
    let mut rest: Vec<T> = match after {
        Some(after) => items.into_iter().filter(|i| key(i).as_str() > after).collect(),
        None => items,
    };
    let more = rest.len() > limit as usize;
    rest.truncate(limit as usize);
    let next = if more { rest.last().map(|last| Cursor::encode(kind, &key(last))) } else { None };
    (rest, next)
}

/// The address of the next page: this path with the same parameters and the new cursor.
pub fn next_href(path: &str, query: Option<&str>, cursor: Option<&str>) -> Option<String> {
    let cursor = cursor?;
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if name != "cursor" {
            out.append_pair(&name, &value);
        }
    }
    out.append_pair("cursor", cursor);
    Some(format!("{path}?{}", out.finish()))
}

/// The JSON answer: a strong ETag from the bytes (the same content always has the same tag),
/// 304 when the client holds it already (`If-None-Match`, or `If-Modified-Since` when there
/// is no tag to compare), the cache policy and, when known, when it last changed.
pub fn json<T: Serialize>(
    request: &HeaderMap,
    value: &T,
    cache: &'static str,
    last_modified: Option<DateTime<Utc>>,
) -> Result<Response, WebError> {
    let bytes = serde_json::to_vec(value).map_err(|e| WebError::Internal(format!("json: {e}")))?;
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..32]);
    let fresh = match request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        Some(tags) => matches_etag(tags, &etag),
        None => match (request.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()), last_modified) {
            (Some(since), Some(modified)) => DateTime::parse_from_rfc2822(since)
                .map(|since| modified.timestamp() <= since.timestamp())
                .unwrap_or(false),
            _ => false,
        },
    };
    let mut response = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(bytes));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        r
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex is a header value"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Some(modified) = last_modified
        && let Ok(v) = HeaderValue::from_str(&http_date(modified))
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    Ok(response)
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored.
fn matches_etag(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The name serde gives an enum value (`"lump-sum"`), for codes in answers.
pub fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_lists_and_garbage() {
        let c = Cursor::encode("leases", "租-2026-001");
        assert_eq!(Cursor::decode("leases", &c).unwrap(), "租-2026-001");
        assert!(Cursor::decode("listings", &c).is_err());
        for bad in ["", "!!!", "djF8bGVhc2Vz", &"A".repeat(500)] {
            let e = Cursor::decode("leases", bad).unwrap_err();
            assert_eq!((e.status().as_u16(), e.code()), (400, "bad_parameter"));
        }
    }

    #[test]
    fn pages_after_a_key_hold_at_most_the_limit_and_say_where_to_go_on() {
        let items: Vec<u32> = (1..=5).collect();
        let key = |i: &u32| format!("{i:03}");
        let (first, next) = page_after(items.clone(), "n", key, None, 2);
        assert_eq!(first, [1, 2]);
        let after = Cursor::decode("n", &next.unwrap()).unwrap();
        let (second, _) = page_after(items.clone(), "n", key, Some(&after), 2);
        assert_eq!(second, [3, 4]);
        let (last, next) = page_after(items, "n", key, Some("004"), 2);
        assert_eq!((last, next), (vec![5], None));
    }

    #[test]
    fn unknown_repeated_and_out_of_range_parameters_are_named() {
        let e = Params::parse(Some("limit=5&evil=1"), &["limit"]).err().unwrap();
        assert!(matches!(&e, WebError::BadParameter(r) if r.field.as_deref() == Some("evil")));
        let e = Params::parse(Some("limit=5&limit=6"), &["limit"]).err().unwrap();
        assert!(matches!(&e, WebError::BadParameter(r) if r.field.as_deref() == Some("limit")));
        for bad in ["0", "201", "-1", "1e3", "abc"] {
            let p = Params::parse(Some(&format!("limit={bad}")), &["limit"]).unwrap();
            assert!(matches!(p.limit(), Err(WebError::BadParameter(r)) if r.field.as_deref() == Some("limit")));
        }
        assert_eq!(Params::parse(None, &["limit"]).unwrap().limit().unwrap(), DEFAULT_LIMIT);
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        assert!(matches_etag("\"a\"", "\"a\""));
        assert!(matches_etag("W/\"a\", \"b\"", "\"a\""));
        assert!(matches_etag("*", "\"a\""));
        assert!(!matches_etag("\"b\"", "\"a\""));
    }
}
