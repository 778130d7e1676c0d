//! `Site`: what every request needs — the store, the catalog, the region index and the file
//! store — plus a generation counter that changes whenever published content changes, so the
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
    regions: RwLock<Arc<RegionIndex>>,
    generation: AtomicU64,
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
            regions: RwLock::new(Arc::new(regions)),
            generation: AtomicU64::new(1),
        })
    }

    /// A snapshot of the region tree.
    pub fn regions(&self) -> Arc<RegionIndex> {
        self.regions.read().expect("region lock").clone()
    }

    /// Changes whenever published content or regions change.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Something public changed: rendered pages are stale.
    pub fn published(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
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
        self.published();
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
        self.published();
        Ok(ids)
    }
}
