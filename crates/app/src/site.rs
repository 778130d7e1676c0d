//! `Site`: what every request needs — the store, the catalog, the region index and the file
//! store — plus generation counters that change whenever published content changes, so the
//! web layer's page cache knows when to render again.
//!
//! Changes made by another process over the same database (the command line's imports, another
//! app server) reach this one through a change stamp in the database (`platform_state`
//! [`CHANGES`]): every path that changes what pages show calls [`Site::announce`] after
//! [`Site::published`], which writes a new stamp; a running server polls it
//! ([`Site::poll_changes`], every few seconds from [`crate::jobs::spawn`]) and, when it moved,
//! reloads the regions and treats every cached page as stale.

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
    /// How one-time login codes reach villagers' phones.
    pub sms: Arc<dyn crate::villagers::SmsSender>,
    /// Whether and when staff get the daily text digest of work waiting for them.
    pub notify: crate::notify::NotifySettings,
    /// Serialises villagers' code checks, so that attempts are counted exactly.
    pub login_lock: tokio::sync::Mutex<()>,
    /// The county's deadline for answering villagers' questions, and their limits.
    pub questions: crate::questions::QuestionSettings,
    /// Serialises questions' rate-limit windows, so that floods are counted exactly.
    pub question_lock: tokio::sync::Mutex<()>,
    /// The transparency log: the Merkle tree, its name and key, the witnesses.
    pub log: crate::transparency::TransparencyLog,
    /// Each village's leases with their rent positions, while its pages stay valid.
    pub lease_books: VillageCache<crate::leases::LeaseBook>,
    /// Sealed whistle-blowing: the commission's public key, keys unlocked per session.
    pub tips: crate::tips::Tips,
    /// Visit counting: the queue the web layer records page views into.
    pub visits: crate::visits::Visits,
    regions: RwLock<Arc<RegionIndex>>,
    /// Changes with the region tree: every page depends on it.
    generation: AtomicU64,
    /// Changes with each village's publications: only that village's pages depend on it.
    villages: std::sync::Mutex<std::collections::HashMap<yangguang_core::RegionCode, u64>>,
    /// Changes with the publication log and its checkpoints.
    log_generation: AtomicU64,
    /// Something changed here that other processes have not been told of yet.
    unannounced: std::sync::atomic::AtomicBool,
    /// The last change stamp this site wrote or saw in the database.
    seen_changes: std::sync::Mutex<Option<String>>,
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

/// The `platform_state` name of the change stamp: a new value each time some process changed
/// what pages show (`{count}-{random}`, so two processes writing at once still leave a value
/// that no poller has seen).
pub const CHANGES: &str = "site/changes";

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
        // A database not migrated yet has no stamp to read: pages start fresh anyway.
        let seen_changes = store.get_state(CHANGES).await.ok().flatten();
        let log = crate::transparency::TransparencyLog::new(None, key.secret(), vec![])?;
        Ok(Self {
            store,
            catalog: Arc::new(catalog),
            files,
            key,
            upload_limits: UploadLimits::default(),
            trading: Default::default(),
            sms: crate::villagers::default_sender(),
            notify: Default::default(),
            login_lock: Default::default(),
            questions: Default::default(),
            question_lock: Default::default(),
            log,
            lease_books: Default::default(),
            tips: Default::default(),
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
            seen_changes: std::sync::Mutex::new(seen_changes),
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
        *self.villages.lock().expect("generation lock").entry(village).or_default() += 1;
        self.logged();
    }

    /// Something every village's pages may show changed (the bank's products): all are stale.
    pub fn published_everywhere(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.unannounced.store(true, Ordering::Release);
    }

    /// The log changed without a publication (a checkpoint).
    pub fn logged(&self) {
        self.log_generation.fetch_add(1, Ordering::AcqRel);
        self.unannounced.store(true, Ordering::Release);
    }

    /// Tells other processes over the same database (a running server, when this is the
    /// command line) that pages changed: writes a new change stamp if anything changed here
    /// since the last one. Called by every import and publish path after its change is
    /// committed; a failure is logged, never fails the change itself (the server's pages then
    /// catch up at the next change).
    pub async fn announce(&self) {
        if !self.unannounced.swap(false, Ordering::AcqRel) {
            return;
        }
        let count = match self.store.get_state(CHANGES).await {
            Ok(value) => value.and_then(|v| v.split('-').next()?.parse::<u64>().ok()).unwrap_or(0),
            Err(_) => 0,
        };
        let stamp = format!("{}-{}", count + 1, hex::encode(crate::auth::random_bytes::<8>()));
        match self.store.put_state(CHANGES, &stamp, chrono::Utc::now()).await {
            Ok(()) => *self.seen_changes.lock().expect("changes lock") = Some(stamp),
            Err(e) => {
                self.unannounced.store(true, Ordering::Release);
                tracing::error!(error = %e, "could not record the change stamp for other processes");
            }
        }
    }

    /// Whether another process changed pages since this site last looked (the change stamp
    /// moved): if so, the regions are read again and every cached page is stale. Cheap (one
    /// read by key): a running server calls it every few seconds.
    pub async fn poll_changes(&self) -> Result<bool, AppError> {
        let now = self.store.get_state(CHANGES).await?;
        {
            let mut seen = self.seen_changes.lock().expect("changes lock");
            if *seen == now {
                return Ok(false);
            }
            seen.clone_from(&now);
        }
        // Regions may have been imported; every village's pages and the log may have changed.
        self.reload_regions().await?;
        self.log_generation.fetch_add(1, Ordering::AcqRel);
        Ok(true)
    }

    /// Validates regions against the tree already stored, then stores them.
    pub async fn import_regions_csv(&self, text: &str) -> Result<usize, AppError> {
        let known: Vec<Region> = self.store.list_regions().await?;
        let regions = yangguang_core::region::parse_regions_csv(text, &known).map_err(|errors| {
            AppError::Regions(errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))
        })?;
        self.store.upsert_regions(&regions).await?;
        self.reload_regions().await?;
        self.unannounced.store(true, Ordering::Release);
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
