//! Full-text search over what villages publish, kept current from the store.
//!
//! The index (`yangguang-search`) is derived: [`rebuild`] makes it from the store, village by
//! village ([`kinds::village_docs`]). It is kept current at one hook point: every path that
//! changes what pages show calls [`Site::published`] for the village and then
//! [`Site::announce`]; announcing records the changed villages in the database's search
//! change feed and re-indexes them here at once. Every server also reads, every few seconds
//! ([`catch_up`], from [`crate::jobs`]), the feed and the publication log past the cursor
//! stored in its index's last commit — so changes by the command line or by another app
//! server over the same PostgreSQL reach every server's own index, and a change whose process
//! died before announcing it is still found through the log.

pub mod kinds;
pub mod pinyin;
mod query;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::Utc;
use yangguang_core::RegionCode;
use yangguang_search::{Cursor, Opened};

pub use kinds::Kind;
pub use query::{PER_PAGE, SearchHit, SearchOutcome, SearchRequest, search};
pub use yangguang_search::{MAX_QUERY_CHARS, SearchIndex};

use crate::{AppError, Site};

/// Change-feed rows read again behind the cursor: a row whose number was taken before another's
/// but committed after it (concurrent writers on PostgreSQL) is still seen.
const OVERLAP: i64 = 64;
/// Villages re-indexed per commit.
const BATCH: usize = 16;
/// The cursor of an index whose rebuild did not finish.
const UNFINISHED: Cursor = Cursor { log: -1, changes: -1 };

/// The site's search: its index (none in processes that only change data, like the command
/// line's imports) and what this process changed and has not indexed yet.
#[derive(Default)]
pub struct Search {
    index: RwLock<Option<Arc<SearchIndex>>>,
    dirty: Mutex<BTreeSet<RegionCode>>,
    /// Change-feed numbers already applied here (within the overlap).
    applied: Mutex<BTreeSet<i64>>,
    building: AtomicBool,
    /// One update at a time: an announce, a catch-up or a rebuild.
    update: tokio::sync::Mutex<()>,
}

impl Search {
    pub fn index(&self) -> Option<Arc<SearchIndex>> {
        self.index.read().expect("search lock").clone()
    }

    /// Uses `index` from now on (an index in memory for tests, one on disk for a server).
    pub fn set_index(&self, index: SearchIndex) {
        *self.index.write().expect("search lock") = Some(Arc::new(index));
    }

    /// Opens (or creates) the index on disk; whether it must be rebuilt before it is complete.
    pub fn open(&self, dir: &Path) -> Result<bool, AppError> {
        let (index, opened) = SearchIndex::open(dir).map_err(search_error)?;
        let rebuild = match opened {
            Opened::Created(why) => {
                tracing::info!(dir = %dir.display(), reason = %why, "a new search index: it is built from the store");
                true
            }
            Opened::Existing(cursor) => cursor == UNFINISHED,
        };
        self.set_index(index);
        Ok(rebuild)
    }

    /// Whether a rebuild is under way (results may be incomplete).
    pub fn building(&self) -> bool {
        self.building.load(Ordering::Acquire)
    }

    /// A village's searchable content changed ([`Site::published`]).
    pub fn mark(&self, village: RegionCode) {
        self.dirty.lock().expect("search lock").insert(village);
    }
}

/// A busy index (another process holds its writer) is a `Conflict`; the rest `Invalid`.
fn search_error(e: yangguang_search::SearchError) -> AppError {
    match e {
        yangguang_search::SearchError::Busy => AppError::Conflict(e.to_string()),
        e => AppError::Invalid(e.to_string()),
    }
}

/// Called by [`Site::announce`]: records the villages this process changed in the change
/// feed (for other servers) and re-indexes them here. Failures are logged; the change itself
/// stands, and the villages are tried again at the next announce.
pub async fn announce(site: &Site) {
    let villages: Vec<RegionCode> =
        std::mem::take(&mut *site.search.dirty.lock().expect("search lock")).into_iter().collect();
    if villages.is_empty() {
        return;
    }
    let changes: Vec<Option<RegionCode>> = villages.iter().copied().map(Some).collect();
    let seqs = match site.store.record_search_changes(&changes, Utc::now()).await {
        Ok(seqs) => seqs,
        Err(e) => {
            tracing::error!(error = %e, "could not record the search changes for other servers");
            site.search.dirty.lock().expect("search lock").extend(villages);
            return;
        }
    };
    let Some(index) = site.search.index() else { return };
    // A rebuild or catch-up under way: never keep the clerk waiting, the feed has the change.
    let Ok(_one) = site.search.update.try_lock() else { return };
    match reindex(site, &index, &villages, None).await {
        Ok(()) => site.search.applied.lock().expect("search lock").extend(seqs),
        Err(e) => tracing::error!(error = %e, "re-indexing changed villages failed; the next catch-up retries"),
    }
}

/// Re-indexes `villages` in batches; the last commit carries `cursor` (or keeps the current).
async fn reindex(
    site: &Site,
    index: &SearchIndex,
    villages: &[RegionCode],
    cursor: Option<Cursor>,
) -> Result<(), AppError> {
    let batches: Vec<&[RegionCode]> = villages.chunks(BATCH).collect();
    if batches.is_empty()
        && let Some(c) = cursor
    {
        return index.set_cursor(c).map_err(search_error);
    }
    for (i, batch) in batches.iter().enumerate() {
        let mut docs = Vec::with_capacity(batch.len());
        for v in *batch {
            docs.push((v.to_string(), kinds::village_docs(site, *v).await?));
        }
        let last = i + 1 == batches.len();
        index.replace_villages(&docs, if last { cursor } else { None }).map_err(search_error)?;
    }
    Ok(())
}

/// Reads the change feed and the publication log past the index's cursor and re-indexes the
/// villages they name (a rebuild when the feed asks for one). What a running server does
/// every few seconds; how many villages it re-indexed.
pub async fn catch_up(site: &Site) -> Result<usize, AppError> {
    let Some(index) = site.search.index() else { return Ok(0) };
    if site.search.building() {
        return Ok(0);
    }
    let one = site.search.update.lock().await;
    let cursor = index.cursor().unwrap_or_default();
    let mut villages = BTreeSet::new();
    let mut log = cursor.log;
    loop {
        let (found, last) = site.store.log_villages_after(log, 5_000).await?;
        villages.extend(found);
        if last == log {
            break;
        }
        log = last;
    }
    let mut changes = cursor.changes;
    let mut rebuild_asked = false;
    let rows = site.store.search_changes_after((cursor.changes - OVERLAP).max(0), 10_000).await?;
    {
        let mut applied = site.search.applied.lock().expect("search lock");
        for row in rows {
            changes = changes.max(row.seq);
            if !applied.insert(row.seq) {
                continue;
            }
            match row.village {
                Some(v) => {
                    villages.insert(v);
                }
                None => rebuild_asked = true,
            }
        }
        let keep_from = changes - 2 * OVERLAP;
        applied.retain(|seq| *seq > keep_from);
    }
    if rebuild_asked {
        drop(one);
        rebuild(site, |_, _| {}).await?;
        return Ok(site.regions().village_count());
    }
    let next = Cursor { log, changes };
    if villages.is_empty() && next == cursor {
        return Ok(0);
    }
    let villages: Vec<RegionCode> = villages.into_iter().collect();
    reindex(site, &index, &villages, Some(next)).await?;
    Ok(villages.len())
}

/// Builds the index again from the store, every village, reporting `(done, total)` villages
/// as it goes. Readers see the old content until the first batch commits, then a growing
/// index ([`Search::building`] is true meanwhile).
pub async fn rebuild(site: &Site, mut progress: impl FnMut(usize, usize)) -> Result<(), AppError> {
    let Some(index) = site.search.index() else { return Ok(()) };
    let _one = site.search.update.lock().await;
    site.search.building.store(true, Ordering::Release);
    let result = async {
        // Read before the content: anything changed during the build is replayed after it.
        let (changes, log) = site.store.search_heads().await?;
        let villages: Vec<RegionCode> = site.regions().villages().map(|r| r.code).collect();
        index.clear().map_err(search_error)?;
        let total = villages.len();
        progress(0, total);
        if villages.is_empty() {
            index.set_cursor(Cursor { log, changes }).map_err(search_error)?;
        }
        for (i, batch) in villages.chunks(BATCH).enumerate() {
            let mut docs = Vec::with_capacity(batch.len());
            for v in batch {
                docs.push((v.to_string(), kinds::village_docs(site, *v).await?));
            }
            let done = (i * BATCH + batch.len()).min(total);
            let cursor = if done == total { Cursor { log, changes } } else { UNFINISHED };
            index.replace_villages(&docs, Some(cursor)).map_err(search_error)?;
            progress(done, total);
        }
        site.search.applied.lock().expect("search lock").clear();
        Ok::<(), AppError>(())
    }
    .await;
    site.search.building.store(false, Ordering::Release);
    result
}

/// Asks every server to rebuild its index (a `None` row in the change feed): what
/// `yangguang reindex` does when a running server holds the index.
pub async fn request_rebuild(site: &Site) -> Result<(), AppError> {
    site.store.record_search_changes(&[None], Utc::now()).await?;
    Ok(())
}

/// Forgets change-feed rows older than a day (every server has read them long since).
pub async fn prune(site: &Site) -> Result<u64, AppError> {
    Ok(site.store.prune_search_changes(Utc::now() - chrono::Duration::days(1)).await?)
}

#[cfg(test)]
mod tests;
