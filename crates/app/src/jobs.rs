//! Background work of a running server: publish scheduled versions when their time comes,
//! sign a checkpoint of the publication log once a day, and notice changes made by other
//! processes over the same database (the command line's imports) every few seconds.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use yangguang_core::publication::Checkpoint;

use crate::{AppError, Site};

/// Signs the current head of the log (if there is one) and stores the checkpoint.
pub async fn make_checkpoint(site: &Site, now: DateTime<Utc>) -> Result<Option<Checkpoint>, AppError> {
    let Some(head) = site.store.log_head().await? else { return Ok(None) };
    let checkpoint = Checkpoint::sign(head.seq, &head.entry_hash, now, site.key.secret());
    site.store.add_checkpoint(&checkpoint).await?;
    site.logged();
    site.announce().await;
    tracing::info!(seq = checkpoint.seq, head = %checkpoint.head_hash, "signed a checkpoint of the publication log");
    Ok(Some(checkpoint))
}

/// Whether today's (China date) checkpoint is still to be made.
async fn checkpoint_due(site: &Site, now: DateTime<Utc>) -> Result<bool, AppError> {
    let latest = site.store.list_checkpoints(1).await?;
    let today = yangguang_core::time::china_date(now);
    Ok(latest.first().is_none_or(|c| yangguang_core::time::china_date(c.at) < today))
}

/// How often a running server looks at the database's change stamp.
pub const CHANGE_POLL: Duration = Duration::from_secs(3);

/// Runs until the process ends: every [`CHANGE_POLL`], tells other processes of this one's
/// changes and notices theirs ([`Site::poll_changes`]: the page cache is refreshed when the
/// command line imported something); every 20 s, publish what is due; once a day, a checkpoint.
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
}

/// Publishing what is due, the daily checkpoint, pruning.
async fn scheduled_work(site: &Site) {
    let now = Utc::now();
    if let Err(e) = crate::publishing::publish_due(site, now).await {
        tracing::error!(error = %e, "scheduled publishing failed");
    }
    match checkpoint_due(site, now).await {
        Ok(true) => {
            if let Err(e) = make_checkpoint(site, now).await {
                tracing::error!(error = %e, "daily checkpoint failed");
            }
        }
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "checkpoint check failed"),
    }
    // Ended villager sessions and old login-code states, once an hour or so.
    if now.timestamp() % 3600 < 20
        && let Err(e) = crate::villagers::prune(site, now).await
    {
        tracing::error!(error = %e, "pruning villager sessions failed");
    }
}
