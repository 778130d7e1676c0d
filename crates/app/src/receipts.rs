//! Importing receipt scans for a village's vouchers: from files, folders and zips, each
//! image checked and stripped of its metadata (`uploads::check`) on every core at once, with a
//! thumbnail, stored once by content hash and attached to its voucher. Scans that match no
//! voucher are listed, never dropped silently.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Cursor;

use tokio::task::JoinHandle;
use yangguang_core::Attachment;
use yangguang_core::RegionCode;
use yangguang_import::receipts::{
    Extracted, ReceiptFileError, ReceiptTarget, ZipEntries, ZipLimits, read_mapping, target_from_name,
};
use yangguang_store::Receipt;

use crate::uploads::UploadError;
use crate::{AppError, Site, uploads};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptReport {
    pub added: u64,
    pub already_there: u64,
    /// (file name, why): not matched to a voucher, or refused.
    pub unmatched: Vec<(String, String)>,
}

/// Imports scans. `files` are (name, bytes); zips are unpacked one entry at a time (never
/// all entries in memory: at most the entry being stored and the next one being expanded),
/// each entry within the upload size limit; an entry or a zip refused is listed with the
/// reason, the rest still imported. A file named `*.csv` is read as the mapping from file
/// names to vouchers, whatever its place among the files.
pub async fn import_receipts(
    site: &Site,
    village: RegionCode,
    files: Vec<(String, Vec<u8>)>,
) -> Result<ReceiptReport, AppError> {
    import_receipts_counting(site, village, files, &|| {}).await
}

/// `import_receipts`, calling `scanned` as each scan (a file or a zip's entry) is taken up,
/// for a progress bar.
pub async fn import_receipts_counting(
    site: &Site,
    village: RegionCode,
    files: Vec<(String, Vec<u8>)>,
    scanned: &(dyn Fn() + Sync),
) -> Result<ReceiptReport, AppError> {
    if !site.regions().get(village).is_some_and(|r| r.kind.is_village_level()) {
        return Err(AppError::Invalid(format!("村（社区）{village} 不存在 / unknown village")));
    }
    let mut mapping: HashMap<String, ReceiptTarget> = HashMap::new();
    let mut scans = vec![];
    for (name, bytes) in files {
        if name.to_lowercase().ends_with(".csv") {
            mapping.extend(read_mapping(&bytes).map_err(|e| AppError::Invalid(format!("{name}：{e}")))?);
        } else {
            scans.push((name, bytes));
        }
    }
    let limits = ZipLimits { max_entry_bytes: site.upload_limits.max_bytes as u64, ..ZipLimits::default() };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut import = Import {
        site,
        village,
        mapping,
        known: HashMap::new(),
        receipts: vec![],
        report: Default::default(),
        in_flight: VecDeque::new(),
        // Four scans per core: each ends in an fsync, and the disk joins concurrent ones into
        // one journal commit while the cores decode the next.
        width: 4 * cores,
        decoding: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
    };
    for (name, bytes) in scans {
        if !bytes.starts_with(b"PK\x03\x04") {
            scanned();
            import.scan(name, bytes).await?;
            continue;
        }
        // The zip is expanded on a blocking thread, one entry at a time, handed over through a
        // channel holding one entry.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Extracted, ReceiptFileError>>(1);
        let expand = tokio::task::spawn_blocking(move || {
            let entries = match ZipEntries::open(Cursor::new(bytes), limits) {
                Ok(entries) => entries,
                Err(e) => return tx.blocking_send(Err(e)).unwrap_or(()),
            };
            for entry in entries {
                if tx.blocking_send(entry).is_err() {
                    return;
                }
            }
        });
        while let Some(entry) = rx.recv().await {
            scanned();
            match entry {
                Ok(Extracted::File { name, bytes }) => import.scan(name, bytes).await?,
                Ok(Extracted::Refused { name, reason }) => import.report.unmatched.push((name, reason)),
                // An unreadable zip, or one expanding beyond the total: the rest of it is not
                // read, and it is listed (naming the entry where it stopped); what came before
                // is kept, and the other files are still imported.
                Err(e) => {
                    import.report.unmatched.push((name.clone(), e.to_string()));
                    break;
                }
            }
        }
        drop(rx);
        expand.await.map_err(|e| AppError::Invalid(e.to_string()))?;
    }
    while !import.in_flight.is_empty() {
        import.settle_oldest().await?;
    }
    let Import { mut report, receipts, .. } = import;
    report.added = site.store.add_receipts(village, &receipts).await?;
    report.already_there = receipts.len() as u64 - report.added;
    if report.added > 0 {
        site.published(village);
        site.announce().await;
    }
    Ok(report)
}

/// A scan being checked and stored: its attachment, or its name and why it was refused.
type Storing = JoinHandle<Result<Attachment, (String, UploadError)>>;

/// An import under way: what is known of the village's vouchers, the receipts accepted so far
/// (their hashes, not their bytes) and the report.
struct Import<'a> {
    site: &'a Site,
    village: RegionCode,
    mapping: HashMap<String, ReceiptTarget>,
    known: HashMap<(i32, u32), HashSet<String>>,
    receipts: Vec<Receipt>,
    report: ReceiptReport,
    /// Scans being checked and stored on blocking threads, oldest first: four per core, so a
    /// county's folder uses every core while its memory stays bounded by `width` scans.
    in_flight: VecDeque<(Receipt, Storing)>,
    width: usize,
    /// One decode per core at a time (a decoded scan may take 160 MB); the fsyncs that follow
    /// overlap freely.
    decoding: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Import<'_> {
    /// Matches one scan to its voucher and stores it (re-encoded, with a thumbnail), or lists
    /// why not.
    async fn scan(&mut self, name: String, bytes: Vec<u8>) -> Result<(), AppError> {
        let (site, village) = (self.site, self.village);
        let Some(target) = self.mapping.get(&name).cloned().or_else(|| target_from_name(&name)) else {
            self.report.unmatched.push((
                name,
                "文件名中没有期间和凭证号（如 2026-03_记-001.jpg），对照表中也没有 / no voucher named".into(),
            ));
            return Ok(());
        };
        let start = target.period.start();
        let (year, month) = (chrono::Datelike::year(&start), chrono::Datelike::month(&start));
        if let std::collections::hash_map::Entry::Vacant(slot) = self.known.entry((year, month)) {
            slot.insert(site.store.voucher_numbers(village, year, month).await?.into_iter().collect());
        }
        if !self.known[&(year, month)].contains(&target.voucher) {
            self.report.unmatched.push((
                name,
                format!("{}没有凭证 {}，请先导入账簿 / no such voucher", target.period.label_zh(), target.voucher),
            ));
            return Ok(());
        }
        let limits = site.upload_limits;
        let files = site.files.clone();
        let decoding = self.decoding.clone();
        let stored = tokio::spawn(async move {
            let original = name.clone();
            let failed = |e: tokio::task::JoinError| UploadError::Storage(e.to_string());
            let stored = async {
                let slot = decoding.acquire_owned().await.expect("the semaphore is never closed");
                let checked = tokio::task::spawn_blocking(move || uploads::check(&name, bytes, &limits))
                    .await
                    .map_err(failed)??;
                drop(slot);
                tokio::task::spawn_blocking(move || uploads::store_checked(checked, &files)).await.map_err(failed)?
            };
            stored.await.map_err(|e| (original, e))
        });
        let receipt = Receipt {
            year,
            month,
            voucher_no: target.voucher,
            sha256: String::new(),
            media_type: String::new(),
            file_name: String::new(),
            byte_size: 0,
            needs_recheck: false,
        };
        self.in_flight.push_back((receipt, stored));
        while self.in_flight.len() >= self.width {
            self.settle_oldest().await?;
        }
        Ok(())
    }

    /// Waits for the oldest scan in flight and records it, or why it was refused.
    async fn settle_oldest(&mut self) -> Result<(), AppError> {
        let Some((receipt, stored)) = self.in_flight.pop_front() else { return Ok(()) };
        match stored.await.map_err(|e| AppError::Invalid(e.to_string()))? {
            Ok(a) => {
                self.receipts.push(Receipt {
                    sha256: a.sha256,
                    media_type: a.media_type,
                    file_name: a.file_name,
                    byte_size: a.byte_size,
                    ..receipt
                });
            }
            Err((name, e)) => self.report.unmatched.push((name, e.to_string())),
        }
        Ok(())
    }
}
