//! Turning rendered HTML into responses: gzip and brotli, ETags, security headers, and the
//! page cache. Public pages change only when something is published, so each variant is
//! rendered and compressed once, in the encoding a reader asked for, and then served from
//! memory until the site's generation (or the calendar day) changes — within a byte budget.

use std::io::Write;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` value; `None` for the page as it is.
    fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }

    /// A short tag for cache keys.
    pub fn tag(self) -> &'static str {
        match self {
            Encoding::Identity => "id",
            Encoding::Gzip => "gz",
            Encoding::Brotli => "br",
        }
    }
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

/// A page in one encoding, with its ETag (of the page itself, the same in every encoding).
#[derive(Debug)]
pub struct EncodedPage {
    pub status: StatusCode,
    pub etag: HeaderValue,
    /// The page's bytes in `encoding`.
    pub body: Bytes,
    /// How `body` is encoded; `None` for a page made for one request, which
    /// `compress::layer` compresses on the way out.
    encoding: Option<Encoding>,
}

fn etag_of(bytes: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(bytes);
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12]))).expect("hex is ASCII")
}

impl EncodedPage {
    /// Compresses thoroughly, into the one encoding the reader asked for: for pages that will
    /// be served many times (another encoding is another cache entry, made when asked for).
    pub fn new(status: StatusCode, html: String, encoding: Encoding) -> Self {
        let bytes = html.into_bytes();
        let etag = etag_of(&bytes);
        let body = match encoding {
            Encoding::Identity => bytes.into(),
            Encoding::Gzip => gzip(&bytes, 9).into(),
            Encoding::Brotli => brotli(&bytes, 9).into(),
        };
        Self { status, etag, body, encoding: Some(encoding) }
    }

    /// Not compressed here: for a page made for one request (a search, a filtered list), which
    /// `compress::layer` compresses into the one encoding the client asked for, at a fast level.
    pub fn fresh(status: StatusCode, html: String) -> Self {
        let bytes = html.into_bytes();
        Self { status, etag: etag_of(&bytes), body: bytes.into(), encoding: None }
    }

    /// What the page holds in memory, about: its bytes and its headers.
    pub fn size(&self) -> usize {
        self.body.len() + self.etag.len() + std::mem::size_of::<Self>()
    }

    pub fn respond(&self, request: &HeaderMap, security: &SecurityHeaders) -> Response {
        let not_modified = self.status == StatusCode::OK
            && request
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v.as_bytes().split(|&b| b == b',').any(|t| t.trim_ascii() == self.etag.as_bytes()));
        let (body, encoding) = (self.body.clone(), self.encoding.and_then(Encoding::header));
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

#[derive(Clone)]
struct CacheEntry {
    generation: u64,
    date: NaiveDate,
    page: Arc<EncodedPage>,
}

/// An entry's weight against the budget: its page's bytes, its key, and the bookkeeping.
#[derive(Clone)]
struct PageWeight;

/// What an entry costs beyond its bytes and key (the entry, the `Arc`, the map's slot).
const ENTRY_OVERHEAD: usize = 128;

impl quick_cache::Weighter<String, CacheEntry> for PageWeight {
    fn weight(&self, key: &String, entry: &CacheEntry) -> u64 {
        (key.len() + entry.page.size() + ENTRY_OVERHEAD) as u64
    }
}

/// Rendered pages by variant key, within a byte budget (`[cache] max_megabytes`): when full,
/// the pages least worth keeping go first (quick_cache's CLOCK-Pro-like policy: a page read
/// once by a crawler goes before the village home pages read all day). When a page goes
/// stale, one request renders it again while the others keep getting the previous version,
/// so a publication never makes every reader wait for the same render at once.
pub struct PageCache {
    entries: quick_cache::sync::Cache<String, CacheEntry, PageWeight>,
    rendering: std::sync::Mutex<std::collections::HashSet<String>>,
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

/// A typical compressed page, to size the cache's table for its budget.
const TYPICAL_PAGE: u64 = 8 * 1024;

impl PageCache {
    /// A cache holding at most `budget` bytes of pages (by [`EncodedPage::size`]).
    pub fn new(budget: u64) -> Self {
        let items = usize::try_from(budget / TYPICAL_PAGE).unwrap_or(usize::MAX).clamp(16, 1 << 20);
        Self {
            entries: quick_cache::sync::Cache::with_weighter(items, budget, PageWeight),
            rendering: Default::default(),
        }
    }

    pub fn get(&self, key: &str, generation: u64, date: NaiveDate) -> Option<Arc<EncodedPage>> {
        match self.lookup(key, generation, date) {
            Lookup::Fresh(page) => Some(page),
            _ => None,
        }
    }

    pub fn lookup(&self, key: &str, generation: u64, date: NaiveDate) -> Lookup {
        match self.entries.get(key) {
            Some(e) if e.generation == generation && e.date == date => Lookup::Fresh(e.page),
            Some(e) => Lookup::Stale(e.page),
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

    /// Keeps a page; a page larger than a part of the budget is not kept (served, rendered
    /// again next time).
    pub fn insert(&self, key: String, generation: u64, date: NaiveDate, page: Arc<EncodedPage>) {
        self.entries.insert(key, CacheEntry { generation, date, page });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bytes held now, by the same measure as the budget.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }

    /// The budget in bytes.
    pub fn budget(&self) -> u64 {
        self.entries.capacity()
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
        let gz = EncodedPage::new(StatusCode::OK, html.clone(), Encoding::Gzip);
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gz.body[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, html);
        let br = EncodedPage::new(StatusCode::OK, html.clone(), Encoding::Brotli);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br.body[..], &mut out).unwrap();
        assert_eq!(out, html.as_bytes());
        let plain = EncodedPage::new(StatusCode::OK, html.clone(), Encoding::Identity);
        assert_eq!(plain.body, html.as_bytes());
        assert_eq!((gz.etag.clone(), br.etag.clone()), (plain.etag.clone(), plain.etag.clone()), "one page, one ETag");
        // Only the asked-for encoding is kept: a compressed page holds a fraction of the text.
        assert!(br.size() < plain.size() / 4, "{} vs {}", br.size(), plain.size());
    }

    #[test]
    fn stale_generations_and_days_miss() {
        let cache = PageCache::new(1 << 20);
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let page = Arc::new(EncodedPage::new(StatusCode::OK, "x".into(), Encoding::Brotli));
        cache.insert("a".into(), 1, day, page);
        assert!(cache.get("a", 1, day).is_some());
        assert!(cache.get("a", 2, day).is_none());
        assert!(cache.get("a", 1, day.succ_opt().unwrap()).is_none());
    }

    #[test]
    fn only_one_request_re_renders_a_stale_page() {
        let cache = PageCache::new(1 << 20);
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        cache.insert("a".into(), 1, day, Arc::new(EncodedPage::new(StatusCode::OK, "old".into(), Encoding::Brotli)));
        assert!(matches!(cache.lookup("a", 2, day), Lookup::Stale(_)));
        let first = cache.begin_render("a");
        assert!(first.is_some());
        assert!(cache.begin_render("a").is_none(), "a second renderer waits its turn");
        drop(first);
        assert!(cache.begin_render("a").is_some());
    }

    /// A page that compresses poorly, as big as a real one: `n` decides its text.
    fn distinct_page(n: u64) -> String {
        let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..6_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'a' + (x % 26) as u8)
            })
            .collect()
    }

    #[test]
    fn many_distinct_pages_stay_within_the_byte_budget_and_hot_pages_stay() {
        let budget = 1024 * 1024;
        let cache = PageCache::new(budget);
        assert_eq!(cache.budget(), budget);
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let hot = Arc::new(EncodedPage::new(StatusCode::OK, distinct_page(0), Encoding::Brotli));
        cache.insert("hot".into(), 1, day, hot);
        let mut inserted = 0u64;
        for n in 1..=2_000u64 {
            let page = Arc::new(EncodedPage::new(StatusCode::OK, distinct_page(n), Encoding::Gzip));
            inserted += page.size() as u64;
            cache.insert(format!("/v/{n}"), 1, day, page);
            // The village home everyone reads, read between the crawler's pages.
            assert!(cache.get("hot", 1, day).is_some() || n < 4, "the hot page was evicted at {n}");
            assert!(cache.weight() <= budget, "{} bytes held over a budget of {budget}", cache.weight());
        }
        assert!(inserted > 4 * budget, "the pages offered ({inserted} bytes) far exceed the budget");
        assert!(cache.len() < 2_000, "some pages were let go: {}", cache.len());
        assert!(cache.weight() > budget / 2, "the budget is used: {}", cache.weight());
    }
}
