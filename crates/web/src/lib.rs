//! HTTP for yangguang: the public site, server-rendered with askama, served from an
//! in-memory cache of compressed pages. Only HTTP concerns live here; data comes from
//! `yangguang_app::Site`.

pub mod api;
pub mod api_v1;
pub mod compress;
pub mod console;
pub mod error;
pub mod log_api;
pub mod open311;
pub mod open_data;
pub use yangguang_app::i18n;
pub mod pages;
pub mod prefs;
pub mod proxy;
pub mod public_base;
pub mod qr;
pub mod render;
pub mod session;
pub mod tips;
pub mod villager;
pub mod villager_points;
pub mod visits;
pub mod voice;
pub mod witness;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use yangguang_app::Site;

use crate::render::{PageCache, SecurityHeaders};

pub const CSS: &str = include_str!("../assets/style.css");
pub const JS: &str = include_str!("../assets/enhance.js");
/// The console's script: the public one plus live preview.
pub const CONSOLE_JS: &str = concat!(
    include_str!("../assets/enhance.js"),
    include_str!("../assets/console.js"),
    include_str!("../assets/receipts.js"),
    include_str!("../assets/editor.js")
);
/// The report form's script: the public one plus the location button.
pub const REPORT_JS: &str = concat!(include_str!("../assets/enhance.js"), include_str!("../assets/report.js"));
pub const FAVICON: &str = include_str!("../assets/favicon.svg");

/// Bytes of rendered pages kept in memory by default (`[cache] max_megabytes`): a county's
/// pages read in a day, compressed, take a few megabytes.
pub const CACHE_BUDGET: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub site: Arc<Site>,
    pub cache: Arc<PageCache>,
    pub security: Arc<SecurityHeaders>,
    /// Whose `X-Forwarded-For` is believed (`[server] trusted_proxies`; loopback by default).
    pub trusted_proxies: Arc<proxy::TrustedProxies>,
    /// Addresses per sitemap file before `/sitemap.xml` becomes an index of several (the
    /// protocol's limit; tests set a small one).
    pub sitemap_limit: usize,
}

impl AppState {
    pub fn new(site: Arc<Site>) -> Self {
        Self {
            site,
            cache: Arc::new(PageCache::new(CACHE_BUDGET)),
            security: Arc::new(SecurityHeaders::new(CSS, &[JS, CONSOLE_JS, REPORT_JS])),
            trusted_proxies: Arc::new(proxy::TrustedProxies::default()),
            sitemap_limit: open_data::sitemap::MAX_URLS,
        }
    }

    /// The same state splitting the sitemap every `limit` addresses.
    pub fn with_sitemap_limit(mut self, limit: usize) -> Self {
        self.sitemap_limit = limit.max(1);
        self
    }

    /// The same state with a page cache of `bytes` (`[cache] max_megabytes`).
    pub fn with_cache_budget(mut self, bytes: u64) -> Self {
        self.cache = Arc::new(PageCache::new(bytes));
        self
    }

    /// The same state believing `X-Forwarded-For` from these proxies only.
    pub fn with_trusted_proxies(mut self, proxies: proxy::TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::region::home))
        .route("/r/{code}", get(pages::region::region))
        .route("/search", get(pages::search::search))
        .route("/api/search", get(pages::search::api))
        .route("/v/{code}", get(pages::village::village))
        .route("/v/{code}/c/{column}", get(pages::column::column))
        .route("/v/{code}/d/{id}", get(pages::disclosure::disclosure))
        .route("/v/{code}/d/{id}/print", get(pages::print::disclosure_sheet))
        .route("/v/{code}/print", get(pages::print::period_sheets))
        .route("/v/{code}/d/{id}/a/{position}", get(pages::disclosure::attachment))
        .route("/v/{code}/d/{id}/a/{position}/thumb", get(pages::disclosure::thumbnail))
        .route("/v/{code}/feed.atom", get(pages::feeds::village_feed))
        .route("/v/{code}/finance/{period}", get(pages::finance::finance))
        .route("/v/{code}/finance/{period}/receipt/{sha256}", get(pages::finance::receipt_viewer))
        .route("/v/{code}/receipts/{sha256}/{size}", get(pages::finance::receipt_file))
        .route("/v/{code}/finance/{period}/{file}", get(pages::finance::statement_export))
        .route("/v/{code}/open-data/{year}/{file}", get(pages::finance::open_data))
        .route("/v/{code}/c/{column}/feed.atom", get(pages::feeds::column_feed))
        .route("/v/{code}/assets", get(pages::leases::assets))
        .route("/v/{code}/leases", get(pages::leases::leases))
        .route("/v/{code}/decisions", get(pages::decisions::list))
        .route("/v/{code}/decisions/{number}", get(pages::decisions::decision))
        .route("/v/{code}/decisions/{number}/files/{sha256}", get(pages::decisions::file))
        .route("/v/{code}/leases/{contract_no}", get(pages::leases::lease))
        .route("/v/{code}/points", get(pages::points::points))
        .route("/v/{code}/party", get(pages::governance::party))
        .route("/v/{code}/powers", get(pages::governance::powers))
        .route("/v/{code}/rules", get(pages::governance::rules))
        .route("/v/{code}/trading", get(pages::trading::trading))
        .route("/v/{code}/trading/ocds.json", get(pages::trading::village_ocds))
        .route("/v/{code}/trading/{project_no}", get(pages::trading::listing))
        .route("/open-data/ocds.json", get(pages::trading::county_ocds))
        .route("/v/{code}/trading/ocds-records.json", get(pages::trading::village_ocds_records))
        .route("/open-data/ocds-records.json", get(pages::trading::county_ocds_records))
        .route(yangguang_app::ocds::EXTENSION_PATH, get(pages::trading::ocds_extension))
        .route(yangguang_app::ocds::EXTENSION_SCHEMA_PATH, get(pages::trading::ocds_extension_schema))
        .route(
            "/api/trading/push",
            axum::routing::post(api::push_trading).layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route("/verify", get(pages::transparency::verify_page))
        .route("/assets/{file}", get(pages::transparency::asset))
        .route("/api/log.jsonl", get(api::log_jsonl))
        .route("/api/log", get(api::log_page))
        .route("/api/checkpoints", get(api::checkpoints))
        .route("/api/checkpoints/latest", get(api::latest_checkpoint))
        .route("/api/disclosures/{id}/proof", get(log_api::proof))
        .route("/api/disclosures/{id}/content.json", get(log_api::content_json))
        .route("/api/log/consistency", get(log_api::consistency))
        .route("/api/log/checkpoints", get(log_api::checkpoints))
        .route("/api/log/keys", get(log_api::keys))
        .route("/log/checkpoint", get(log_api::checkpoint))
        .route("/log/tile/{*rest}", get(log_api::tile))
        .route(
            "/api/villages/{code}/ledger",
            axum::routing::post(api::push_ledger).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .merge(console::routes())
        .merge(villager::routes())
        .merge(villager_points::routes())
        .merge(tips::routes())
        .merge(pages::reports::routes())
        .merge(open311::routes())
        .merge(open_data::routes())
        .merge(voice::routes())
        .merge(api_v1::routes())
        .route("/prefs", get(prefs::set_prefs))
        .route("/healthz", get(healthz))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route(pages::reader::OG_IMAGE_PATH, get(pages::reader::og_image))
        .route("/robots.txt", get(robots))
        .layer(middleware::from_fn_with_state(state.clone(), error::render_errors))
        // Outside the error map, so refusals of open-data paths carry the CORS headers too.
        .layer(middleware::from_fn(api_v1::cors::cors))
        .layer(compress::layer())
        // Inside `client_address`, whose header it reads.
        .layer(middleware::from_fn_with_state(state.clone(), visits::count_visits))
        .layer(middleware::from_fn_with_state(state.clone(), client_address))
        .layer(middleware::from_fn(log_requests))
        .with_state(state)
}

/// Where the request came from, for throttling and the audit trail, as an internal header
/// that handlers read. A client-sent copy is dropped. `X-Forwarded-For` is believed only from
/// a configured trusted proxy, and then only its right-most untrusted entry (what our own
/// proxy saw), so nobody can pick their own address to dodge limits.
pub const CLIENT_IP_HEADER: &str = "x-yangguang-client-ip";

async fn client_address(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let address = match peer {
        Some(peer) => {
            let forwarded = request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
            state.trusted_proxies.client(peer, forwarded).to_string()
        }
        None => "local".into(),
    };
    let headers = request.headers_mut();
    headers.remove(CLIENT_IP_HEADER);
    if let Ok(v) = HeaderValue::from_str(&address) {
        headers.insert(CLIENT_IP_HEADER, v);
    }
    next.run(request).await
}

async fn log_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    response
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.site.store.ping().await {
        Ok(()) => {
            axum::Json(serde_json::json!({ "status": "ok", "backend": state.site.store.backend() })).into_response()
        }
        Err(e) => error::WebError::Unavailable(e.to_string()).into_response(),
    }
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=604800")),
        ],
        FAVICON,
    )
        .into_response()
}

/// Names the sitemap by its absolute address, as the protocol asks (`[server] public_url`, else
/// the request's host).
async fn robots(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let origin = public_base::base(&state, &headers);
    let body = format!("User-agent: *\nDisallow: /prefs\nDisallow: /search\n\nSitemap: {origin}/sitemap.xml\n");
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

/// What a slow or greedy client may hold of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// A request's headers must arrive whole within this time of the server starting to read
    /// them (an idle kept-alive connection is closed after it, too).
    pub header_timeout: std::time::Duration,
    /// A request body may pause at most this long between two reads.
    pub body_timeout: std::time::Duration,
    /// Connections served at once; more wait in the listen queue until one ends.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_limits(listener, state, ServerLimits::default(), shutdown).await
}

/// [`serve`] with the given limits on slow clients: each connection (HTTP/1.1) has its
/// headers read within `header_timeout` and its bodies' pauses cut at `body_timeout`, and at
/// most `max_connections` are served at once.
pub async fn serve_with_limits(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let app = router(state);
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let shutdown = shutdown;
    tokio::pin!(shutdown);
    loop {
        // A connection is accepted only when there is room for it.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let body_timeout = limits.body_timeout;
        let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            let mut request =
                request.map(|body| axum::body::Body::new(tower_http::timeout::TimeoutBody::new(body_timeout, body)));
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
