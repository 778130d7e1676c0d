//! Visit statistics (访问统计) without cookies or personal data: how often villagers open their
//! village's public pages, per village, column, item and day.
//!
//! The web layer's middleware hands each successful GET of a village page to [`Visits::record`],
//! which only pushes a small record into a bounded channel — when the channel is full the
//! visit is dropped and counted as dropped, so counting never slows a page. A background task
//! ([`spawn`]) takes records off the channel, leaves out bots ([`filter`]), counts views and
//! each day's distinct visitors in memory ([`tally`]) and every few seconds adds the sums to
//! the daily counters in the database in one batch. No address, user agent or visitor number
//! is ever written; see [`tally`] for the day key.

pub mod filter;
pub mod report;
pub mod tally;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::NaiveDate;
use tokio::sync::{mpsc, oneshot};
use yangguang_core::{DisclosureId, RegionCode};
use yangguang_store::{StoreError, VisitGroup, VisitQuery};

use crate::{AppError, Site};

/// Which page of a village was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitPage {
    pub village: RegionCode,
    /// The column; empty for the village's home (and, until the flush looks it up, an item's).
    pub column: String,
    /// The disclosure; 0 when the page is not one item.
    pub item: i64,
}

/// One page view as the middleware saw it. The address and user agent live only in memory,
/// until the background task has turned them into the day's visitor number.
#[derive(Debug, Clone)]
pub struct Visit {
    pub page: VisitPage,
    pub address: String,
    pub user_agent: String,
}

/// How visits are counted (`[visits]` in the settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitSettings {
    pub enabled: bool,
    /// How often the counts are added to the database.
    pub flush_every: Duration,
    /// Visits waiting for the background task at most; more are dropped (and counted).
    pub queue: usize,
}

impl Default for VisitSettings {
    fn default() -> Self {
        Self { enabled: true, flush_every: Duration::from_secs(60), queue: 65_536 }
    }
}

/// What one flush wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Counter rows added to.
    pub rows: usize,
    pub views: i64,
}

type FlushReply = oneshot::Sender<Result<Flushed, AppError>>;

/// The site's end of the counting: the channel's sending side, the dropped count, and a
/// generation per village that changes when its counts were flushed (pages showing a total
/// are rendered again then, see `Scope::Visits`).
#[derive(Default)]
pub struct Visits {
    sender: OnceLock<mpsc::Sender<Visit>>,
    control: OnceLock<mpsc::Sender<FlushReply>>,
    dropped: AtomicU64,
    generations: Mutex<HashMap<RegionCode, u64>>,
}

impl Visits {
    /// Whether visits are being counted (the background task runs).
    pub fn is_on(&self) -> bool {
        self.sender.get().is_some()
    }

    /// Hands a visit to the background task without waiting: when its queue is full the visit
    /// is dropped and counted in [`Visits::dropped`].
    pub fn record(&self, visit: Visit) {
        if let Some(sender) = self.sender.get()
            && let Err(mpsc::error::TrySendError::Full(_)) = sender.try_send(visit)
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Visits dropped because the queue was full, since the start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Changes whenever the village's counts were flushed.
    pub fn generation(&self, village: RegionCode) -> u64 {
        self.generations.lock().expect("visits lock").get(&village).copied().unwrap_or(0)
    }

    fn counted(&self, villages: impl IntoIterator<Item = RegionCode>) {
        let mut generations = self.generations.lock().expect("visits lock");
        for v in villages {
            *generations.entry(v).or_default() += 1;
        }
    }

    /// Adds everything recorded so far to the database now (tests, and the server's shutdown).
    /// Without a running task there is nothing to add.
    pub async fn flush_now(&self) -> Result<Flushed, AppError> {
        let Some(control) = self.control.get() else { return Ok(Flushed::default()) };
        let (reply, answer) = oneshot::channel();
        if control.send(reply).await.is_err() {
            return Ok(Flushed::default());
        }
        answer.await.unwrap_or(Ok(Flushed::default()))
    }

    /// Opens the channel (once): its receiving ends, for the task.
    fn open(&self, queue: usize) -> Option<(mpsc::Receiver<Visit>, mpsc::Receiver<FlushReply>)> {
        let (sender, visits) = mpsc::channel(queue.max(1));
        let (control, flushes) = mpsc::channel(8);
        self.sender.set(sender).ok()?;
        self.control.set(control).ok()?;
        Some((visits, flushes))
    }
}

/// Starts counting: the background task that tallies recorded visits and flushes them every
/// `settings.flush_every`. `None` when counting is off (or already started).
pub fn spawn(site: Arc<Site>, settings: VisitSettings) -> Option<tokio::task::JoinHandle<()>> {
    if !settings.enabled {
        return None;
    }
    let (visits, flushes) = site.visits.open(settings.queue)?;
    Some(tokio::spawn(run(site, visits, flushes, settings.flush_every)))
}

async fn run(
    site: Arc<Site>,
    mut visits: mpsc::Receiver<Visit>,
    mut flushes: mpsc::Receiver<FlushReply>,
    every: Duration,
) {
    let mut tally = tally::Tally::default();
    let mut columns = ColumnCache::default();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut batch = Vec::with_capacity(256);
    let mut reported_drops = 0;
    loop {
        tokio::select! {
            n = visits.recv_many(&mut batch, 256) => {
                if n == 0 {
                    break;
                }
                let today = crate::today();
                for v in batch.drain(..) {
                    tally.add(today, &v);
                }
            }
            _ = tick.tick() => {
                if let Err(e) = flush(&site, &mut tally, &mut columns).await {
                    tracing::warn!(error = %e, "visit counts not written yet: kept for the next try");
                }
                let dropped = site.visits.dropped();
                if dropped > reported_drops {
                    tracing::warn!(dropped = dropped - reported_drops, "visits dropped: the counting queue was full");
                    reported_drops = dropped;
                }
            }
            Some(reply) = flushes.recv() => {
                let today = crate::today();
                while let Ok(v) = visits.try_recv() {
                    tally.add(today, &v);
                }
                let _ = reply.send(flush(&site, &mut tally, &mut columns).await);
            }
        }
    }
}

/// Items' columns, looked up once each.
#[derive(Default)]
struct ColumnCache(HashMap<i64, String>);

async fn flush(site: &Site, tally: &mut tally::Tally, columns: &mut ColumnCache) -> Result<Flushed, AppError> {
    if tally.is_empty() {
        return Ok(Flushed::default());
    }
    let mut counts = tally.take();
    for c in counts.iter_mut().filter(|c| c.item != 0 && c.column.is_empty()) {
        if let Some(column) = columns.0.get(&c.item) {
            c.column.clone_from(column);
            continue;
        }
        match site.store.get_disclosure(DisclosureId(c.item)).await {
            Ok(d) => {
                c.column.clone_from(&d.column);
                if columns.0.len() >= 100_000 {
                    columns.0.clear();
                }
                columns.0.insert(c.item, d.column);
            }
            Err(StoreError::NotFound) => {}
            Err(e) => {
                tally.restore(counts);
                return Err(e.into());
            }
        }
    }
    let counts = tally::merge(counts);
    match site.store.add_visits(&counts).await {
        Ok(()) => {
            site.visits.counted(counts.iter().map(|c| c.village));
            Ok(Flushed { rows: counts.len(), views: counts.iter().map(|c| c.views).sum() })
        }
        Err(e) => {
            tally.restore(counts);
            Err(e.into())
        }
    }
}

/// The first day of the twelve months ending `today`.
pub fn year_before(today: NaiveDate) -> NaiveDate {
    today.checked_sub_months(chrono::Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(today)
}

/// How often the village's public pages were viewed in the twelve months ending `today`.
pub async fn village_views(site: &Site, village: RegionCode, today: NaiveDate) -> Result<i64, AppError> {
    let query = VisitQuery {
        region_prefixes: vec![village.to_string()],
        from: year_before(today),
        to: today,
        columns: vec![],
        item: None,
        group: VisitGroup::All,
    };
    Ok(site.store.visit_totals(&query).await?.first().map_or(0, |t| t.views))
}

/// How often one item's page was viewed, ever.
pub async fn item_views(site: &Site, village: RegionCode, item: DisclosureId) -> Result<i64, AppError> {
    let query = VisitQuery {
        region_prefixes: vec![village.to_string()],
        // Whole days that both databases compare correctly (TEXT in SQLite).
        from: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid"),
        to: NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid"),
        columns: vec![],
        item: Some(item.0),
        group: VisitGroup::All,
    };
    Ok(site.store.visit_totals(&query).await?.first().map_or(0, |t| t.views))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(n: u32) -> Visit {
        Visit {
            page: VisitPage {
                village: RegionCode::from_parts(339921, 100, 201).unwrap(),
                column: String::new(),
                item: 0,
            },
            address: format!("10.0.0.{n}"),
            user_agent: "Mozilla/5.0 (iPhone)".into(),
        }
    }

    #[test]
    fn a_full_queue_drops_and_counts_instead_of_waiting() {
        let visits = Visits::default();
        visits.record(visit(0)); // counting off: nothing happens, nothing is dropped
        assert_eq!(visits.dropped(), 0);
        let (mut queue, _flushes) = visits.open(4).expect("opened once");
        assert!(visits.open(4).is_none(), "a second task cannot take over");
        let started = std::time::Instant::now();
        for n in 0..1000 {
            visits.record(visit(n));
        }
        assert!(started.elapsed() < Duration::from_secs(1), "recording never waits for the task");
        assert_eq!(visits.dropped(), 996);
        let mut kept = vec![];
        while let Ok(v) = queue.try_recv() {
            kept.push(v.address);
        }
        assert_eq!(kept, ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"], "the first ones are kept, in order");
    }
}
