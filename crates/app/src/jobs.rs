//! Background work of a running server: publish scheduled versions when their time comes,
//! sign a checkpoint of the transparency log soon after new entries (and have witnesses
//! cosign it), and notice changes made by other processes over the same database (the
//! command line's imports) every few seconds.

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

/// How often a running server looks at the database's change stamp.
pub const CHANGE_POLL: Duration = Duration::from_secs(3);

/// Runs until the process ends: every [`CHANGE_POLL`], tells other processes of this one's
/// changes and notices theirs ([`Site::poll_changes`]: the page cache is refreshed when the
/// command line imported something); every 20 s, publish what is due and sign a checkpoint
/// if entries were added.
pub fn spawn(site: Arc<Site>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut changes = tokio::time::interval(CHANGE_POLL);
        let mut tick = tokio::time::interval(Duration::from_secs(20));
        loop {
            tokio::select! {
                _ = changes.tick() => watch_changes(&site).await,
                _ = tick.tick() => scheduled_work(&site).await,
            }
        }
    })
}

/// This process's changes announced, other processes' noticed.
async fn watch_changes(site: &Site) {
    site.announce().await;
    match site.poll_changes().await {
        Ok(true) => tracing::info!("another process changed the data: cached pages refreshed"),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the change stamp"),
    }
    // Other processes' changes (and this one's, should an announce have failed) reach the
    // search index from the database's change feed and publication log.
    match crate::search::catch_up(site).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(villages = n, "search index caught up"),
        Err(e) => tracing::warn!(error = %e, "search index catch-up failed; retried in a few seconds"),
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
        if let Err(e) = crate::search::prune(site).await {
            tracing::error!(error = %e, "pruning the search change feed failed");
        }
    }
}
