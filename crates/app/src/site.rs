//! `Site`: what every request needs — the store, the catalog, the region index and the file
//! store — plus generation counters that change whenever published content changes, so the
//! web layer's page cache knows when to render again.
//!
//! Changes made by another process over the same database (the command line's imports, another
//! app server) reach this one through the database's change feed (`page_change`): every path
//! that changes what pages show calls [`Site::announce`] after [`Site::published`], which
//! records what changed (a village, the regions, the log, everything) under this process's
//! name; every running server reads the feed ([`Site::poll_changes`]) when PostgreSQL notifies
//! it, and every few seconds in any case (from [`crate::jobs::spawn`]), and makes stale just
//! the pages the change touched.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use yangguang_core::{Catalog, DisclosureId, NewDisclosure, Region};
use yangguang_store::Store;

use crate::AppError;
use crate::files::FileStore;
use crate::keys::PlatformKey;
use crate::regions::RegionIndex;
use crate::uploads::UploadLimits;

pub struct Site {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub files: FileStore,
    pub key: PlatformKey,
    pub upload_limits: UploadLimits,
    /// The charts of accounts imported books are checked against.
    pub charts: yangguang_core::accounts::Charts,
    /// How the property trading platform is reached.
    pub trading: crate::trading::TradingConfig,
    /// The deployment's public base URL (`https://cunwu.example.gov.cn`, `[server] public_url`):
    /// absolute links and the `tag:` ids of feeds. Without it, the address a request came to.
    pub public_url: Option<String>,
    /// How one-time login codes reach villagers' phones.
    pub sms: Arc<dyn crate::villagers::SmsSender>,
    /// Whether and when staff get the daily text digest of work waiting for them.
    pub notify: crate::notify::NotifySettings,
    /// The county's deadline for answering villagers' questions, and their limits.
    pub questions: crate::questions::QuestionSettings,
    /// The transparency log: the Merkle tree, its name and key, the witnesses.
    pub log: crate::transparency::TransparencyLog,
    /// Each village's leases with their rent positions, while its pages stay valid.
    pub lease_books: VillageCache<crate::leases::LeaseBook>,
    /// Sealed whistle-blowing: the commission's public key, keys unlocked per session.
    pub tips: crate::tips::Tips,
    /// The lease on the background jobs: how long it lasts, whether this server holds it.
    pub jobs: crate::jobs::JobLease,
    /// Full-text search: the index (when this process keeps one) and what changed here.
    pub search: crate::search::Search,
    /// Visit counting: the queue the web layer records page views into.
    pub visits: crate::visits::Visits,
    /// The villages whose warnings are refreshed at the next announce.
    pub warnings: crate::warnings::Dirty,
    /// Supervision dashboards computed in the last few seconds.
    pub dashboards: crate::dashboard::DashboardCache,
    regions: RwLock<Arc<RegionIndex>>,
    /// Changes with the region tree: every page depends on it.
    generation: AtomicU64,
    /// Changes with each village's publications: only that village's pages depend on it.
    villages: std::sync::Mutex<std::collections::HashMap<yangguang_core::RegionCode, u64>>,
    /// Changes with the publication log and its checkpoints.
    log_generation: AtomicU64,
    /// What changed here that other processes have not been told of yet.
    unannounced: std::sync::Mutex<Pending>,
    /// The last change of the database's feed this site has applied.
    seen_change: std::sync::atomic::AtomicI64,
    /// This process's name in the change feed and on the jobs' lease: host, process id and a
    /// random part (`web-1/4711/9f3a…`).
    pub instance: String,
}

/// Changes not yet recorded in the feed.
#[derive(Debug, Default)]
struct Pending {
    regions: bool,
    everywhere: bool,
    log: bool,
    villages: std::collections::BTreeSet<yangguang_core::RegionCode>,
}

impl Pending {
    fn scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self.villages.iter().map(|v| format!("{VILLAGE_PREFIX}{v}")).collect();
        for (flag, name) in [(self.regions, REGIONS), (self.everywhere, EVERYWHERE), (self.log, LOG)] {
            if flag {
                scopes.push(name.to_owned());
            }
        }
        scopes
    }

    fn merge(&mut self, other: Pending) {
        self.regions |= other.regions;
        self.everywhere |= other.everywhere;
        self.log |= other.log;
        self.villages.extend(other.villages);
    }
}

/// The change feed's scopes: one village's pages, the region tree (reloaded), every page, the log.
const VILLAGE_PREFIX: &str = "village:";
const REGIONS: &str = "regions";
const EVERYWHERE: &str = "everywhere";
const LOG: &str = "log";
/// Changes read from the feed at a time.
const FEED_BATCH: u32 = 500;

/// This process's name: the host, the process id, and a random part (a restarted server on a
/// recycled pid is someone else).
fn instance_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!("{host}/{}/{}", std::process::id(), hex::encode(crate::auth::random_bytes::<4>()))
}

/// Something derived from one village's data, kept while that village's generation (see
/// [`Site::generation`]) stays the same; one entry a village.
pub struct VillageCache<T> {
    entries: std::sync::Mutex<std::collections::HashMap<yangguang_core::RegionCode, (u64, Arc<T>)>>,
}

impl<T> Default for VillageCache<T> {
    fn default() -> Self {
        Self { entries: Default::default() }
    }
}

impl<T> VillageCache<T> {
    pub fn get(&self, village: yangguang_core::RegionCode, generation: u64) -> Option<Arc<T>> {
        let entries = self.entries.lock().expect("cache lock");
        entries.get(&village).filter(|(g, _)| *g == generation).map(|(_, v)| v.clone())
    }

    pub fn put(&self, village: yangguang_core::RegionCode, generation: u64, value: Arc<T>) {
        self.entries.lock().expect("cache lock").insert(village, (generation, value));
    }
}

/// What a rendered page depends on, to know when it is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The region tree only (county and town pages, search).
    Regions,
    /// One village's publications (its home, columns, items, feeds).
    Village(yangguang_core::RegionCode),
    /// The publication log (the verify page).
    Log,
    /// One village's visit counts (its home's and items' totals): changes at each flush that
    /// counted a visit there.
    Visits(yangguang_core::RegionCode),
}

/// Checks that the data directory exists (creating it) and can be written.
pub fn prepare_data_dir(dir: &Path) -> Result<PathBuf, AppError> {
    let fail = |e: std::io::Error| AppError::DataDir { path: dir.display().to_string(), cause: e.to_string() };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(dir.to_path_buf())
}

impl Site {
    pub async fn new(
        store: Arc<dyn Store>,
        catalog: Catalog,
        files: FileStore,
        key: PlatformKey,
    ) -> Result<Self, AppError> {
        let regions = RegionIndex::new(store.list_regions().await?);
        // Pages start fresh: only changes from now on matter (a database not migrated yet has
        // no feed, and its first changes are read from the start).
        let seen_change = store.latest_change().await.unwrap_or(0);
        let log = crate::transparency::TransparencyLog::new(None, key.secret(), vec![])?;
        Ok(Self {
            store,
            catalog: Arc::new(catalog),
            files,
            key,
            upload_limits: UploadLimits::default(),
            trading: Default::default(),
            public_url: None,
            sms: crate::villagers::default_sender(),
            notify: Default::default(),
            questions: Default::default(),
            log,
            lease_books: Default::default(),
            tips: Default::default(),
            jobs: Default::default(),
            search: Default::default(),
            warnings: Default::default(),
            dashboards: Default::default(),
            visits: Default::default(),
            charts: {
                let (before, from) = crate::catalog_files::default_charts();
                yangguang_core::accounts::Charts {
                    before,
                    from,
                    switch: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid"),
                }
            },
            regions: RwLock::new(Arc::new(regions)),
            generation: AtomicU64::new(1),
            villages: Default::default(),
            log_generation: AtomicU64::new(0),
            unannounced: Default::default(),
            seen_change: std::sync::atomic::AtomicI64::new(seen_change),
            instance: instance_name(),
        })
    }

    /// A snapshot of the region tree.
    pub fn regions(&self) -> Arc<RegionIndex> {
        self.regions.read().expect("region lock").clone()
    }

    /// A number that changes whenever something a page in `scope` shows changes. A publish
    /// in one village leaves every other village's cached pages valid.
    pub fn generation(&self, scope: Scope) -> u64 {
        let regions = self.generation.load(Ordering::Acquire);
        match scope {
            Scope::Regions => regions,
            Scope::Village(code) => {
                regions + self.villages.lock().expect("generation lock").get(&code).copied().unwrap_or(0)
            }
            Scope::Log => regions + self.log_generation.load(Ordering::Acquire),
            Scope::Visits(code) => regions + self.visits.generation(code),
        }
    }

    /// A village published, corrected or withdrawn something: its pages are stale, and so is
    /// the log's. Other processes learn of it at the next [`Site::announce`].
    pub fn published(&self, village: yangguang_core::RegionCode) {
        self.bump_village(village);
        self.search.mark(village);
        self.warnings.mark(village);
        self.unannounced.lock().expect("pending lock").villages.insert(village);
        self.logged();
    }

    fn bump_village(&self, village: yangguang_core::RegionCode) {
        *self.villages.lock().expect("generation lock").entry(village).or_default() += 1;
    }

    /// Something every village's pages may show changed (the bank's products): all are stale.
    pub fn published_everywhere(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.unannounced.lock().expect("pending lock").everywhere = true;
    }

    /// The log changed without a publication (a checkpoint).
    pub fn logged(&self) {
        self.log_generation.fetch_add(1, Ordering::AcqRel);
        self.unannounced.lock().expect("pending lock").log = true;
    }

    /// Tells other processes over the same database (the other app servers; a running server,
    /// when this is the command line) which pages changed: records in the change feed what
    /// changed here since the last call. Called by every import and publish path after its
    /// change is committed; a failure is logged and kept for the next call, never fails the
    /// change itself.
    pub async fn announce(&self) {
        // The search index's hook: changed villages into the search feed, and re-indexed.
        crate::search::announce(self).await;
        // The warnings' hook: the changed villages' warnings recomputed.
        crate::warnings::announce(self).await;
        let pending = std::mem::take(&mut *self.unannounced.lock().expect("pending lock"));
        let scopes = pending.scopes();
        if scopes.is_empty() {
            return;
        }
        if let Err(e) = self.store.record_changes(&self.instance, &scopes, chrono::Utc::now()).await {
            self.unannounced.lock().expect("pending lock").merge(pending);
            tracing::error!(error = %e, "could not record the change for other processes");
        }
    }

    /// Applies the changes other processes recorded since this site last looked: the pages
    /// they touched become stale (a village's, or all when the regions changed); whether there
    /// were any. Cheap (one indexed read): a running server calls it when notified and every
    /// few seconds.
    pub async fn poll_changes(&self) -> Result<bool, AppError> {
        let mut any = false;
        loop {
            let after = self.seen_change.load(Ordering::Acquire);
            let changes = self.store.changes_since(after, FEED_BATCH).await?;
            let Some(last) = changes.last().map(|c| c.id) else { return Ok(any) };
            let mut regions = false;
            for change in changes.iter().filter(|c| c.origin != self.instance) {
                any = true;
                match change.scope.as_str() {
                    LOG => {
                        self.log_generation.fetch_add(1, Ordering::AcqRel);
                    }
                    REGIONS => regions = true,
                    scope => match scope.strip_prefix(VILLAGE_PREFIX).and_then(|c| c.parse().ok()) {
                        Some(village) => self.bump_village(village),
                        // Everything, or a scope of a newer version: every page is stale.
                        None => {
                            self.generation.fetch_add(1, Ordering::AcqRel);
                        }
                    },
                }
            }
            if regions {
                self.reload_regions().await?;
            }
            // Two pollers at once (a notification and the timer) both apply a batch: harmless.
            self.seen_change.fetch_max(last, Ordering::AcqRel);
            if changes.len() < FEED_BATCH as usize {
                return Ok(any);
            }
        }
    }

    /// Validates regions against the tree already stored, then stores them.
    pub async fn import_regions_csv(&self, text: &str) -> Result<usize, AppError> {
        let known: Vec<Region> = self.store.list_regions().await?;
        let regions = yangguang_core::region::parse_regions_csv(text, &known).map_err(|errors| {
            AppError::Regions(errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))
        })?;
        self.store.upsert_regions(&regions).await?;
        self.reload_regions().await?;
        self.unannounced.lock().expect("pending lock").regions = true;
        self.announce().await;
        Ok(regions.len())
    }

    pub async fn reload_regions(&self) -> Result<(), AppError> {
        let index = RegionIndex::new(self.store.list_regions().await?);
        *self.regions.write().expect("region lock") = Arc::new(index);
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Stores disclosures (all or none) and invalidates rendered pages.
    pub async fn add_disclosures(&self, new: &[NewDisclosure]) -> Result<Vec<DisclosureId>, AppError> {
        let regions = self.regions();
        for d in new {
            if !regions.get(d.village).is_some_and(|r| r.kind.is_village_level()) {
                return Err(AppError::Invalid(format!("村（社区）{} 不存在 / unknown village", d.village)));
            }
            if self.catalog.column(&d.column).is_none() {
                return Err(AppError::Invalid(format!("栏目 “{}” 不存在 / unknown column", d.column)));
            }
            if let Some(item) = &d.catalog_item
                && self.catalog.item(item).is_none()
            {
                return Err(AppError::Invalid(format!("公开目录事项 “{item}” 不存在 / unknown catalog item")));
            }
        }
        let ids = self.store.insert_disclosures(new).await?;
        let villages: std::collections::BTreeSet<_> = new.iter().map(|d| d.village).collect();
        for v in villages {
            self.published(v);
        }
        self.announce().await;
        Ok(ids)
    }
}
