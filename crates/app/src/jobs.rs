//! Background work of a running server: publish scheduled versions when their time comes,
//! sign a checkpoint of the transparency log soon after new entries (and have witnesses
//! cosign it), escalate overdue questions, text the staff digest, prune — on exactly one of
//! the app servers over a database, the holder of a lease in it ([`JobLease`]) — and, on
//! every server, follow the changes other processes make (their publishes, the command
//! line's imports) so that its cached pages stay current.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use yangguang_store::TreeCheckpoint;

use crate::{AppError, Site};

/// Signs a checkpoint of the log as it is now (C2SP signed note), unless the latest one
/// already covers every entry, and asks the witnesses to cosign it.
pub async fn make_checkpoint(site: &Site, now: DateTime<Utc>) -> Result<Option<TreeCheckpoint>, AppError> {
    crate::transparency::sign_checkpoint(site, now).await
}

/// Whether entries were logged since the latest checkpoint, or a witness has not cosigned it.
async fn checkpoint_due(site: &Site) -> Result<bool, AppError> {
    let size = crate::transparency::sync(site).await?;
    let latest = crate::transparency::latest(site).await?;
    Ok(latest.is_none_or(|c| (c.tree_size as u64) < size) && size > 0)
}

/// How often a running server reads the change feed when nothing woke it (PostgreSQL's
/// notifications wake it at once; this catches one that was missed, and SQLite has none).
pub const CHANGE_POLL: Duration = Duration::from_secs(3);
/// How often the background jobs run on the server holding their lease.
const JOB_TICK: Duration = Duration::from_secs(20);
/// The lease's name in the database.
pub const JOBS_LEASE: &str = "background-jobs";

/// The lease that lets one app server run the background jobs: taken and renewed every third
/// of its length; another server takes it over once it lapses (the holder died or cannot
/// reach the database), or at once when the holder stops cleanly and gives it up.
#[derive(Debug)]
pub struct JobLease {
    /// How long a claim lasts without renewal (`[jobs] lease_seconds`).
    pub length: Duration,
    /// Until when this server may act as the holder: a little short of the claim's expiry
    /// in the database, counted from before the claim was sent, so a slow renewal never
    /// leaves two servers both believing they hold it.
    held_until: std::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Default for JobLease {
    fn default() -> Self {
        Self { length: Duration::from_secs(30), held_until: Default::default() }
    }
}

impl JobLease {
    /// Whether this server runs the background jobs now.
    pub fn held(&self) -> bool {
        self.held_until.lock().expect("lease lock").is_some_and(|until| tokio::time::Instant::now() < until)
    }

    fn set(&self, until: Option<tokio::time::Instant>) {
        *self.held_until.lock().expect("lease lock") = until;
    }
}

/// Takes or renews the jobs' lease for this server; whether it holds it. A database error
/// counts as not holding it (the jobs wait rather than risk running twice).
pub async fn claim_lease(site: &Site) -> bool {
    let started = tokio::time::Instant::now();
    let length = site.jobs.length;
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(length).unwrap_or(chrono::Duration::seconds(30));
    match site.store.claim_lease(JOBS_LEASE, &site.instance, now, until).await {
        Ok(true) => {
            site.jobs.set(Some(started + length * 5 / 6));
            true
        }
        Ok(false) => {
            site.jobs.set(None);
            false
        }
        Err(e) => {
            site.jobs.set(None);
            tracing::warn!(error = %e, "could not renew the background jobs' lease; jobs paused");
            false
        }
    }
}

/// Gives the lease up (a clean stop), so another server takes the jobs over at once.
pub async fn release_lease(site: &Site) {
    site.jobs.set(None);
    match site.store.release_lease(JOBS_LEASE, &site.instance).await {
        Ok(true) => tracing::info!(holder = %site.instance, "background jobs handed over: lease released"),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not release the background jobs' lease; it lapses by itself"),
    }
}

/// Runs until aborted: follows other processes' changes (woken by the database where it can
/// notify, and every [`CHANGE_POLL`]), tells them of this one's, keeps claiming the jobs'
/// lease and, while this server holds it, runs the jobs every 20 s.
pub fn spawn(site: Arc<Site>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let _listener = AbortOnDrop(tokio::spawn(listen_for_changes(site.clone())));
        // The lease is kept on a task of its own, so a long job never delays its renewal.
        let taken = Arc::new(tokio::sync::Notify::new());
        let _lease = AbortOnDrop(tokio::spawn(keep_lease(site.clone(), taken.clone())));
        let mut changes = tokio::time::interval(CHANGE_POLL);
        let mut tick = tokio::time::interval(JOB_TICK);
        loop {
            tokio::select! {
                _ = changes.tick() => watch_changes(&site).await,
                // A server that just took the jobs over runs them at once.
                () = taken.notified() => scheduled_work(&site).await,
                _ = tick.tick() => if site.jobs.held() {
                    scheduled_work(&site).await;
                },
            }
        }
    })
}

/// Claims the jobs' lease every third of its length, saying so when this server takes the
/// jobs over or loses them.
async fn keep_lease(site: Arc<Site>, taken: Arc<tokio::sync::Notify>) {
    let mut every = tokio::time::interval(site.jobs.length / 3);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut holding = false;
    loop {
        every.tick().await;
        let held = claim_lease(&site).await;
        if held && !holding {
            tracing::info!(holder = %site.instance, "this server now runs the background jobs");
            taken.notify_one();
        } else if holding && !held {
            tracing::info!(holder = %site.instance, "another server runs the background jobs now");
        }
        holding = held;
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// This process's changes announced, other processes' noticed.
async fn watch_changes(site: &Site) {
    site.announce().await;
    match site.poll_changes().await {
        Ok(true) => tracing::debug!("another process changed the data: its pages refreshed"),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the change feed"),
    }
    // Other processes' changes (and this one's, should an announce have failed) reach the
    // search index from the database's change feed and publication log.
    match crate::search::catch_up(site).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(villages = n, "search index caught up"),
        Err(e) => tracing::warn!(error = %e, "search index catch-up failed; retried in a few seconds"),
    }
}

/// Where the database can notify (PostgreSQL's `LISTEN`), reads the change feed as soon as
/// another server records a change; on a lost connection it listens again after a pause
/// (the timer's polling covers the gap).
async fn listen_for_changes(site: Arc<Site>) {
    loop {
        let mut listener = match site.store.listen_changes().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other servers' changes; polling meanwhile");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        loop {
            if let Err(e) = listener.wait().await {
                tracing::warn!(error = %e, "listening for other servers' changes failed; polling meanwhile");
                tokio::time::sleep(Duration::from_secs(5)).await;
                break;
            }
            if let Err(e) = site.poll_changes().await {
                tracing::warn!(error = %e, "could not read the change feed");
            }
        }
    }
}

/// Publishing what is due, a checkpoint when there are new entries (so within a tick of a
/// publication), asking witnesses that missed the latest one again, pruning.
async fn scheduled_work(site: &Site) {
    let now = Utc::now();
    if let Err(e) = crate::publishing::publish_due(site, now).await {
        tracing::error!(error = %e, "scheduled publishing failed");
    }
    match checkpoint_due(site).await {
        Ok(true) => {
            if let Err(e) = make_checkpoint(site, now).await {
                tracing::error!(error = %e, "signing a checkpoint failed");
            }
        }
        Ok(false) => crate::transparency::retry_witnesses(site).await,
        Err(e) => tracing::error!(error = %e, "checkpoint check failed"),
    }
    // Villagers' questions past their deadline go to the township, at the next tick.
    if let Err(e) = crate::questions::escalate_due(site, now).await {
        tracing::error!(error = %e, "escalating overdue questions failed");
    }
    // Threshold overrides set ahead of time take effect on their day: their villages'
    // warnings are recomputed once that day (a no-op on every other tick).
    if let Err(e) = crate::warnings::thresholds::apply_starting(site, now).await {
        tracing::error!(error = %e, "recomputing warnings for thresholds coming into force failed");
    }
    // Staff digests of waiting work, every five minutes or so (each person once a day).
    if now.timestamp() % 300 < 20
        && let Err(e) = crate::notify::send_digests(site, now).await
    {
        tracing::error!(error = %e, "sending staff digests failed");
    }
    // Ended villager sessions, old login-code states and digest records, once an hour or so.
    if now.timestamp() % 3600 < 20 {
        if let Err(e) = crate::villagers::prune(site, now).await {
            tracing::error!(error = %e, "pruning villager sessions failed");
        }
        if let Err(e) = crate::notify::prune(site, now).await {
            tracing::error!(error = %e, "pruning digest records failed");
        }
        if let Err(e) = crate::reports::prune(site, now).await {
            tracing::error!(error = %e, "pruning report throttles failed");
        }
        if let Err(e) = crate::questions::guard::prune(site, now).await {
            tracing::error!(error = %e, "pruning question form and rate records failed");
        }
        if let Err(e) = site.store.prune_changes(now - chrono::Duration::days(1)).await {
            tracing::error!(error = %e, "pruning the change feed failed");
        }
        if let Err(e) = crate::search::prune(site).await {
            tracing::error!(error = %e, "pruning the search change feed failed");
        }
    }
}
