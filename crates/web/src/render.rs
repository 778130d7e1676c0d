//! Turning rendered HTML into responses: gzip and brotli, ETags, security headers, and the
//! page cache. Public pages change only when something is published, so each variant is
//! rendered and compressed once and then served from memory until the site's generation
//! (or the calendar day) changes.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

/// Picks the best encoding the client accepts (brotli, then gzip), honouring `q=0`.
pub fn negotiate(headers: &HeaderMap) -> Encoding {
    let Some(accept) = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return Encoding::Identity;
    };
    let mut br = false;
    let mut gzip = false;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim();
        let refused = pieces.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        match name {
            "br" => br = !refused,
            "gzip" | "x-gzip" => gzip = !refused,
            _ => {}
        }
    }
    if br {
        Encoding::Brotli
    } else if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

pub fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 3), flate2::Compression::new(level));
    enc.write_all(data).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

pub fn brotli(data: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    let params = brotli::enc::BrotliEncoderParams { quality: quality as i32, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("writing to memory");
    out
}

/// A page in every encoding, with its ETag.
#[derive(Debug)]
pub struct EncodedPage {
    pub status: StatusCode,
    pub etag: HeaderValue,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
    /// Whether `gzip` and `brotli` hold the page (else only `identity` does).
    compressed: bool,
}

fn etag_of(bytes: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(bytes);
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12]))).expect("hex is ASCII")
}

impl EncodedPage {
    /// Compresses thoroughly: for pages that will be served many times.
    pub fn new(status: StatusCode, html: String) -> Self {
        let bytes = html.into_bytes();
        Self {
            status,
            etag: etag_of(&bytes),
            gzip: gzip(&bytes, 9).into(),
            brotli: brotli(&bytes, 9).into(),
            identity: bytes.into(),
            compressed: true,
        }
    }

    /// Not compressed here: for a page made for one request (a search, a filtered list), which
    /// `compress::layer` compresses into the one encoding the client asked for, at a fast level.
    pub fn fresh(status: StatusCode, html: String) -> Self {
        let bytes = html.into_bytes();
        Self {
            status,
            etag: etag_of(&bytes),
            gzip: Bytes::new(),
            brotli: Bytes::new(),
            identity: bytes.into(),
            compressed: false,
        }
    }

    pub fn respond(&self, request: &HeaderMap, security: &SecurityHeaders) -> Response {
        let not_modified = self.status == StatusCode::OK
            && request
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v.as_bytes().split(|&b| b == b',').any(|t| t.trim_ascii() == self.etag.as_bytes()));
        let (body, encoding) = match negotiate(request) {
            Encoding::Brotli if self.compressed => (self.brotli.clone(), Some("br")),
            Encoding::Gzip if self.compressed => (self.gzip.clone(), Some("gzip")),
            _ => (self.identity.clone(), None),
        };
        let mut response = if not_modified {
            Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::empty())
        } else {
            Response::builder().status(self.status).body(Body::from(body))
        }
        .expect("valid response");
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        if let (Some(enc), false) = (encoding, not_modified) {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        h.insert(header::ETAG, self.etag.clone());
        // Pages vary by the reader's display settings (cookies): never store them in shared caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding, Cookie"));
        security.apply(h);
        response
    }
}

/// Headers every HTML page carries. The CSP allows exactly our inline style and script
/// (by hash), so even a sanitiser bug could not run injected script. `'strict-dynamic'` lets
/// that script, and only it, load the in-browser check when a reader asks for it: a script
/// element it creates runs, one written into the page's markup never does.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    pub fn new(css: &str, scripts: &[&str]) -> Self {
        use base64::Engine;
        let hash = |s: &str| {
            format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes())))
        };
        let scripts: Vec<String> = scripts.iter().map(|s| hash(s)).collect();
        let csp = format!(
            "default-src 'none'; style-src {}; script-src {} 'strict-dynamic'; img-src 'self' data:; connect-src 'self'; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            hash(css),
            scripts.join(" ")
        );
        Self { csp: HeaderValue::from_str(&csp).expect("ASCII") }
    }

    pub fn apply(&self, h: &mut HeaderMap) {
        h.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

struct CacheEntry {
    generation: u64,
    date: NaiveDate,
    page: Arc<EncodedPage>,
}

/// Rendered pages by variant key. Bounded: when full it starts over, which costs one render
/// per page and keeps memory predictable whatever crawlers request. When a page goes stale,
/// one request renders it again while the others keep getting the previous version, so a
/// publication never makes every reader wait for the same render at once.
pub struct PageCache {
    entries: RwLock<HashMap<String, CacheEntry>>,
    rendering: std::sync::Mutex<std::collections::HashSet<String>>,
    capacity: usize,
}

pub enum Lookup {
    Fresh(Arc<EncodedPage>),
    Stale(Arc<EncodedPage>),
    Missing,
}

/// Held by the one request re-rendering a page; released when dropped.
pub struct RenderGuard<'a> {
    cache: &'a PageCache,
    key: String,
}

impl Drop for RenderGuard<'_> {
    fn drop(&mut self) {
        self.cache.rendering.lock().expect("render lock").remove(&self.key);
    }
}

impl PageCache {
    pub fn new(capacity: usize) -> Self {
        Self { entries: RwLock::new(HashMap::new()), rendering: Default::default(), capacity }
    }

    pub fn get(&self, key: &str, generation: u64, date: NaiveDate) -> Option<Arc<EncodedPage>> {
        match self.lookup(key, generation, date) {
            Lookup::Fresh(page) => Some(page),
            _ => None,
        }
    }

    pub fn lookup(&self, key: &str, generation: u64, date: NaiveDate) -> Lookup {
        let entries = self.entries.read().expect("cache lock");
        match entries.get(key) {
            Some(e) if e.generation == generation && e.date == date => Lookup::Fresh(e.page.clone()),
            Some(e) => Lookup::Stale(e.page.clone()),
            None => Lookup::Missing,
        }
    }

    pub fn is_rendering(&self, key: &str) -> bool {
        self.rendering.lock().expect("render lock").contains(key)
    }

    /// Claims the re-rendering of `key`; `None` if another request already has it.
    pub fn begin_render(&self, key: &str) -> Option<RenderGuard<'_>> {
        let mut rendering = self.rendering.lock().expect("render lock");
        rendering.insert(key.to_owned()).then(|| RenderGuard { cache: self, key: key.to_owned() })
    }

    pub fn insert(&self, key: String, generation: u64, date: NaiveDate, page: Arc<EncodedPage>) {
        let mut entries = self.entries.write().expect("cache lock");
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, CacheEntry { generation, date, page });
    }

    pub fn len(&self) -> usize {
        self.entries.read().expect("cache lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
        h
    }

    #[test]
    fn encoding_negotiation_prefers_brotli_and_honours_q0() {
        assert_eq!(negotiate(&headers("gzip, deflate, br")), Encoding::Brotli);
        assert_eq!(negotiate(&headers("gzip, br;q=0")), Encoding::Gzip);
        assert_eq!(negotiate(&headers("identity")), Encoding::Identity);
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn compressed_bodies_decompress_to_the_page() {
        use std::io::Read;
        let html = "<p>村务公开</p>".repeat(200);
        let page = EncodedPage::new(StatusCode::OK, html.clone());
        let mut out = String::new();
        flate2::read::GzDecoder::new(&page.gzip[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, html);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &page.brotli[..], &mut out).unwrap();
        assert_eq!(out, html.as_bytes());
    }

    #[test]
    fn stale_generations_and_days_miss() {
        let cache = PageCache::new(2);
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let page = Arc::new(EncodedPage::new(StatusCode::OK, "x".into()));
        cache.insert("a".into(), 1, day, page);
        assert!(cache.get("a", 1, day).is_some());
        assert!(cache.get("a", 2, day).is_none());
        assert!(cache.get("a", 1, day.succ_opt().unwrap()).is_none());
    }

    #[test]
    fn only_one_request_re_renders_a_stale_page() {
        let cache = PageCache::new(10);
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        cache.insert("a".into(), 1, day, Arc::new(EncodedPage::new(StatusCode::OK, "old".into())));
        assert!(matches!(cache.lookup("a", 2, day), Lookup::Stale(_)));
        let first = cache.begin_render("a");
        assert!(first.is_some());
        assert!(cache.begin_render("a").is_none(), "a second renderer waits its turn");
        drop(first);
        assert!(cache.begin_render("a").is_some());
    }
}
