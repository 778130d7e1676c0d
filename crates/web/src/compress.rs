//! Compression of what is made fresh for one request — search results, filtered lists, a
//! villager's own page, JSON, JSON lines, CSV, feeds — into the one encoding the client asked
//! for, at a fast level, streaming. Cached pages arrive compressed already (thoroughly, once,
//! in every encoding) and pass through untouched.
//!
//! Not compressed: console pages. They carry the staff member's CSRF token beside text the
//! request chose, the shape a compression side channel (BREACH) needs; staff are on office PCs.

use axum::http::{Extensions, HeaderMap, StatusCode, Version, header};
use tower_http::compression::CompressionLayer;
use tower_http::compression::CompressionLevel;

/// Marks a response that must go out uncompressed.
#[derive(Debug, Clone, Copy)]
pub struct Uncompressed;

/// Bodies smaller than this are not worth a compressor's set-up.
const MIN_BYTES: u64 = 512;

/// Brotli at 4 and gzip at 4: a few hundred MB/s on one core, most of the size win.
const LEVEL: i32 = 4;

fn worth_compressing(_: StatusCode, _: Version, headers: &HeaderMap, extensions: &Extensions) -> bool {
    if extensions.get::<Uncompressed>().is_some() || headers.contains_key(header::CONTENT_ENCODING) {
        return false;
    }
    let small = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|n| n < MIN_BYTES);
    let text = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| {
        t.starts_with("text/")
            || t.starts_with("application/json")
            || t.contains("+json")
            || t.contains("xml")
            || t.starts_with("application/x-ndjson")
    });
    text && !small
}

/// Which responses to compress, as tower-http asks it.
type Predicate = fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool;

pub fn layer() -> CompressionLayer<Predicate> {
    CompressionLayer::new()
        .no_deflate()
        .quality(CompressionLevel::Precise(LEVEL))
        .compress_when(worth_compressing as Predicate)
}
