//! Background work of a running server: publish scheduled versions when their time comes,
//! and sign a checkpoint of the publication log once a day.

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
    tracing::info!(seq = checkpoint.seq, head = %checkpoint.head_hash, "signed a checkpoint of the publication log");
    Ok(Some(checkpoint))
}

/// Whether today's (China date) checkpoint is still to be made.
async fn checkpoint_due(site: &Site, now: DateTime<Utc>) -> Result<bool, AppError> {
    let latest = site.store.list_checkpoints(1).await?;
    let today = yangguang_core::time::china_date(now);
    Ok(latest.first().is_none_or(|c| yangguang_core::time::china_date(c.at) < today))
}

/// Runs until the process ends: every 20 s, publish what is due; once a day, a checkpoint.
pub fn spawn(site: Arc<Site>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(20));
        loop {
            tick.tick().await;
            let now = Utc::now();
            if let Err(e) = crate::publishing::publish_due(&site, now).await {
                tracing::error!(error = %e, "scheduled publishing failed");
            }
            match checkpoint_due(&site, now).await {
                Ok(true) => {
                    if let Err(e) = make_checkpoint(&site, now).await {
                        tracing::error!(error = %e, "daily checkpoint failed");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "checkpoint check failed"),
            }
            // Ended villager sessions and old login-code states, once an hour or so.
            if now.timestamp() % 3600 < 20
                && let Err(e) = crate::villagers::prune(&site, now).await
            {
                tracing::error!(error = %e, "pruning villager sessions failed");
            }
        }
    })
}
