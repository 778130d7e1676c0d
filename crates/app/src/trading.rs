//! The property trading feed: listings pulled from the trading platform on a schedule (cursor,
//! retries with back-off) or pushed to a signed webhook (HMAC-SHA256, timestamp window, replays
//! refused), stored idempotently by project number, and exported as OCDS 1.1 ([`crate::ocds`]).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use yangguang_core::RegionCode;
use yangguang_core::signature::{self, SignatureError};
use yangguang_core::trading::{FeedPage, FieldError, Listing, check_page};
use yangguang_store::Upserted;

use crate::registers::{decode, record, village_rows};
use crate::{AppError, Site};

/// The record kind listings are stored under, keyed by project number.
pub const LISTING: &str = "listing";
const CURSOR: &str = "cursor:trading";
const PUSH_SEEN: &str = "push:trading:";
/// How far a push's timestamp may be from our clock.
pub const MAX_SKEW_SECONDS: i64 = 300;
/// Listings per stored batch (one transaction each).
const BATCH: usize = 500;
/// A pull never follows more pages than this in one run (a feed that always says `has_more`).
const MAX_PAGES: usize = 10_000;

/// How the trading platform is reached. Without a URL nothing is pulled; without a secret,
/// pushes are refused.
#[derive(Debug, Clone)]
pub struct TradingConfig {
    pub feed_url: Option<String>,
    /// Sent as `Authorization: Bearer …` when pulling.
    pub feed_token: Option<String>,
    pub interval: Duration,
    pub push_secret: Option<String>,
    pub retry: RetryPolicy,
    /// The OCDS prefix of this publisher's ocids.
    pub ocid_prefix: String,
}

impl Default for TradingConfig {
    fn default() -> Self {
        Self {
            feed_url: None,
            feed_token: None,
            interval: Duration::from_secs(600),
            push_secret: None,
            retry: RetryPolicy::default(),
            ocid_prefix: "ocds-yg0000".into(),
        }
    }
}

/// Exponential back-off: `base`, 2×, 4×… capped at `max`, for up to `attempts` tries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 5, base: Duration::from_secs(2), max: Duration::from_secs(120) }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt `n` (0-based).
    pub fn delay(&self, n: u32) -> Duration {
        self.base.saturating_mul(1u32.checked_shl(n).unwrap_or(u32::MAX)).min(self.max)
    }
}

/// What storing a message did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IngestReport {
    pub inserted: u64,
    pub updated: u64,
    /// Same content as stored, or older than what is stored.
    pub unchanged: u64,
    #[serde(serialize_with = "errors_as_text")]
    pub errors: Vec<FieldError>,
}

fn errors_as_text<S: serde::Serializer>(errors: &[FieldError], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(errors.iter().map(|e| {
        serde_json::json!({"index": e.index, "project_no": e.project_no, "field": e.field, "message": e.to_string()})
    }))
}

/// Checks a message and stores its listings. With `partial`, good listings are stored even if
/// others are bad (a pulled page must not block the feed); without, a message with any problem
/// stores nothing (a push is answered with the problems and sent again).
pub async fn ingest(site: &Site, page: &FeedPage, partial: bool, now: DateTime<Utc>) -> Result<IngestReport, AppError> {
    let (listings, mut errors) = check_page(page);
    let regions = site.regions();
    let mut good = Vec::with_capacity(listings.len());
    for (index, listing) in listings {
        if regions.get(listing.village).is_none() {
            errors.push(FieldError {
                index,
                project_no: listing.project_no.clone(),
                field: "village_code",
                message: format!("区划 {} 不在本平台 / unknown village", listing.village),
            });
        } else {
            good.push(listing);
        }
    }
    let mut report = IngestReport { errors, ..Default::default() };
    if !partial && !report.errors.is_empty() {
        return Ok(report);
    }
    let mut villages = BTreeSet::new();
    for batch in good.chunks(BATCH) {
        let keys: Vec<&str> = batch.iter().map(|l| l.project_no.as_str()).collect();
        let stored: std::collections::HashMap<String, DateTime<Utc>> = site
            .store
            .get_records(LISTING, &keys)
            .await?
            .into_iter()
            .filter_map(|r| decode::<Listing>(&r).ok().map(|l| (r.key, l.updated_at)))
            .collect();
        let mut records = Vec::with_capacity(batch.len());
        for listing in batch {
            // Deliveries may arrive out of order (a push after a later pull): never go back.
            if stored.get(&listing.project_no).is_some_and(|at| *at > listing.updated_at) {
                report.unchanged += 1;
                continue;
            }
            records.push(record(listing.village, listing.project_no.clone(), listing));
        }
        // Every version is kept for the OCDS history (before the listing itself: a failure
        // in between is repaired by the next delivery, which finds the listing unchanged).
        let history: Vec<_> = batch
            .iter()
            .filter(|l| stored.get(&l.project_no).is_none_or(|at| *at <= l.updated_at))
            .map(|l| record(l.village, crate::ocds::release_key(l), l))
            .collect();
        site.store.upsert_records(crate::ocds::LISTING_RELEASE, &history, now).await?;
        let done = site.store.upsert_records(LISTING, &records, now).await?;
        for (record, outcome) in records.iter().zip(done) {
            match outcome {
                Upserted::Inserted => report.inserted += 1,
                Upserted::Updated => report.updated += 1,
                Upserted::Unchanged => report.unchanged += 1,
            }
            if outcome != Upserted::Unchanged {
                villages.insert(record.village);
            }
        }
    }
    for village in villages {
        site.published(village);
    }
    site.announce().await;
    Ok(report)
}

/// Why a push was refused.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("未配置推送密钥，不接受推送 / pushes are not enabled here")]
    Disabled,
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("这条推送已经收到过（重放）/ this push was already received (replay)")]
    Replay,
    #[error("推送内容不是有效的 JSON：{0} / the body is not the documented JSON")]
    Malformed(String),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Accepts a signed push: signature and timestamp checked, each signature accepted once,
/// then the message stored all or nothing. Every refusal is logged and audited.
pub async fn accept_push(
    site: &Site,
    timestamp: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    ip: &str,
    now: DateTime<Utc>,
) -> Result<IngestReport, PushError> {
    let outcome = check_push(site, timestamp, signature_header, body, now).await;
    if let Err(e) = &outcome {
        tracing::warn!(error = %e, ip, "refused a trading push");
        crate::auth::audit(site, None, ip, "push-refused", "trading-webhook", &e.to_string()).await;
    }
    let page = outcome?;
    Ok(ingest(site, &page, false, now).await?)
}

async fn check_push(
    site: &Site,
    timestamp: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<FeedPage, PushError> {
    let secret = site.trading.push_secret.as_deref().ok_or(PushError::Disabled)?;
    let mac = signature::verify(secret.as_bytes(), timestamp, signature_header, body, now, MAX_SKEW_SECONDS)?;
    // The signature covers the timestamp, so a MAC seen inside the window is a replay;
    // outside the window the timestamp check refuses it, so older claims can be forgotten.
    // Keyed on the decoded MAC, not the header text: re-spelling it (upper case, without
    // `sha256=`) is the same signature.
    let seen = format!("{PUSH_SEEN}{}", hex::encode(mac));
    if !site.store.claim_state(&seen, timestamp.unwrap_or_default(), now).await.map_err(AppError::from)? {
        return Err(PushError::Replay);
    }
    let forget_before = now - chrono::Duration::seconds(2 * MAX_SKEW_SECONDS);
    site.store.prune_state(PUSH_SEEN, forget_before).await.map_err(AppError::from)?;
    serde_json::from_slice(body).map_err(|e| PushError::Malformed(e.to_string()))
}

/// Why a pull failed, after its retries.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("交易平台不可达（已重试 {attempts} 次）：{cause} / the trading platform cannot be reached")]
    Unreachable { attempts: u32, cause: String },
    #[error("交易平台拒绝请求（HTTP {0}）：请检查地址和令牌 / the platform refused the request")]
    Refused(u16),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What one pull run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PullReport {
    pub pages: usize,
    /// HTTP requests made, retries included.
    pub requests: u32,
    pub ingest: IngestReport,
}

/// Pulls the feed from the stored cursor until the platform says there is no more.
pub struct Puller {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
    retry: RetryPolicy,
}

impl Puller {
    pub fn new(url: &str, token: Option<String>, retry: RetryPolicy) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("yangguang/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with default TLS settings");
        Self { client, url: url.to_owned(), token, retry }
    }

    pub async fn pull(&self, site: &Site) -> Result<PullReport, PullError> {
        let mut report = PullReport::default();
        while report.pages < MAX_PAGES {
            let cursor = site.store.get_state(CURSOR).await.map_err(AppError::from)?;
            let page = self.fetch(cursor.as_deref(), &mut report.requests).await?;
            let now = Utc::now();
            let done = ingest(site, &page, true, now).await?;
            for e in &done.errors {
                tracing::warn!(problem = %e, "a listing from the trading feed was not stored");
            }
            report.ingest.inserted += done.inserted;
            report.ingest.updated += done.updated;
            report.ingest.unchanged += done.unchanged;
            report.ingest.errors.extend(done.errors);
            report.pages += 1;
            // The cursor moves only after the page is stored: a crash re-reads it, harmlessly.
            if let Some(next) = &page.next_cursor {
                site.store.put_state(CURSOR, next, now).await.map_err(AppError::from)?;
            }
            if !page.has_more || page.next_cursor.is_none() {
                break;
            }
        }
        Ok(report)
    }

    async fn fetch(&self, cursor: Option<&str>, requests: &mut u32) -> Result<FeedPage, PullError> {
        let mut last = String::new();
        for attempt in 0..self.retry.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(self.retry.delay(attempt - 1)).await;
            }
            *requests += 1;
            let mut request = self.client.get(&self.url);
            if let Some(cursor) = cursor {
                request = request.query(&[("cursor", cursor)]);
            }
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            match request.send().await {
                Ok(response) if response.status().is_success() => match read_page(response).await {
                    Ok(page) => return Ok(page),
                    // A cut-off body is worth another try; a wrong format will fail every time.
                    Err(e) => last = e,
                },
                Ok(response) => {
                    let status = response.status();
                    if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
                        return Err(PullError::Refused(status.as_u16()));
                    }
                    last = format!("HTTP {status}");
                }
                // reqwest names the URL in full: the redacted one instead, never its credentials.
                Err(e) => last = format!("{} ({})", e.without_url(), crate::redact::url(&self.url)),
            }
            tracing::warn!(attempt = attempt + 1, cause = %last, "trading feed request failed");
        }
        Err(PullError::Unreachable { attempts: self.retry.attempts.max(1), cause: last })
    }
}

/// The largest page a feed may send.
const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

async fn read_page(mut response: reqwest::Response) -> Result<FeedPage, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.without_url().to_string())? {
        if body.len() + chunk.len() > MAX_PAGE_BYTES {
            return Err(format!("回应超过 {} MiB / the page is too large", MAX_PAGE_BYTES >> 20));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| format!("回应不是约定的 JSON / not the documented JSON: {e}"))
}

/// Pulls on the configured schedule until the process ends, while this server holds the
/// background jobs' lease ([`crate::jobs::JobLease`]), on a task of its own so that a
/// platform that is down delays nothing else.
pub fn spawn_puller(site: Arc<Site>) -> Option<tokio::task::JoinHandle<()>> {
    let url = site.trading.feed_url.clone()?;
    let puller = Puller::new(&url, site.trading.feed_token.clone(), site.trading.retry);
    let every = site.trading.interval;
    Some(tokio::spawn(async move {
        // Only the server holding the background jobs' lease pulls; it looks every few
        // seconds, so a server taking the jobs over pulls soon after.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5).min(every));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last: Option<tokio::time::Instant> = None;
        loop {
            tick.tick().await;
            if !site.jobs.held() || last.is_some_and(|l| l.elapsed() < every) {
                continue;
            }
            last = Some(tokio::time::Instant::now());
            match puller.pull(&site).await {
                Ok(r) => tracing::info!(
                    pages = r.pages,
                    inserted = r.ingest.inserted,
                    updated = r.ingest.updated,
                    problems = r.ingest.errors.len(),
                    "pulled the trading feed"
                ),
                Err(e) => tracing::error!(error = %e, "pulling the trading feed failed; will try at the next interval"),
            }
        }
    }))
}

/// A village's listings, newest announcement first.
pub async fn village_listings(site: &Site, village: RegionCode) -> Result<Vec<Listing>, AppError> {
    let mut listings: Vec<Listing> = village_rows(site, LISTING, village).await?;
    listings.sort_by(|a, b| b.announcement.start.cmp(&a.announcement.start).then(a.project_no.cmp(&b.project_no)));
    Ok(listings)
}

pub async fn listing(site: &Site, project_no: &str) -> Result<Option<Listing>, AppError> {
    site.store.get_record(LISTING, project_no).await?.as_ref().map(decode).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_is_capped() {
        let p = RetryPolicy { attempts: 10, base: Duration::from_millis(100), max: Duration::from_secs(1) };
        let waits: Vec<u128> = (0..6).map(|n| p.delay(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(p.delay(40), Duration::from_secs(1), "no overflow on long outages");
    }
}
