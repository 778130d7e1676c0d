//! `Site`: what every request needs — the store, the catalog, the region index and the file
//! store — plus generation counters that change whenever published content changes, so the
//! web layer's page cache knows when to render again.

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
    /// Serialises villagers' code checks, so that attempts are counted exactly.
    pub login_lock: tokio::sync::Mutex<()>,
    regions: RwLock<Arc<RegionIndex>>,
    /// Changes with the region tree: every page depends on it.
    generation: AtomicU64,
    /// Changes with each village's publications: only that village's pages depend on it.
    villages: std::sync::Mutex<std::collections::HashMap<yangguang_core::RegionCode, u64>>,
    /// Changes with the publication log and its checkpoints.
    log_generation: AtomicU64,
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
        Ok(Self {
            store,
            catalog: Arc::new(catalog),
            files,
            key,
            upload_limits: UploadLimits::default(),
            trading: Default::default(),
            sms: crate::villagers::default_sender(),
            login_lock: Default::default(),
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
        }
    }

    /// A village published, corrected or withdrawn something: its pages are stale, and so is
    /// the log's.
    pub fn published(&self, village: yangguang_core::RegionCode) {
        *self.villages.lock().expect("generation lock").entry(village).or_default() += 1;
        self.logged();
    }

    /// Something every village's pages may show changed (the bank's products): all are stale.
    pub fn published_everywhere(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The log changed without a publication (a checkpoint).
    pub fn logged(&self) {
        self.log_generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Validates regions against the tree already stored, then stores them.
    pub async fn import_regions_csv(&self, text: &str) -> Result<usize, AppError> {
        let known: Vec<Region> = self.store.list_regions().await?;
        let regions = yangguang_core::region::parse_regions_csv(text, &known).map_err(|errors| {
            AppError::Regions(errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))
        })?;
        self.store.upsert_regions(&regions).await?;
        self.reload_regions().await?;
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
        Ok(ids)
    }
}
