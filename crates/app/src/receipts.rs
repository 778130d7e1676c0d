//! Importing receipt scans for a village's vouchers: from files, folders and zips, each
//! image re-encoded (EXIF gone) with a thumbnail, stored once by content hash and attached
//! to its voucher. Scans that match no voucher are listed, never dropped silently.

use std::collections::{HashMap, HashSet};

use yangguang_core::RegionCode;
use yangguang_import::receipts::{Extracted, ReceiptTarget, ZipLimits, read_mapping, target_from_name, unzip};
use yangguang_store::Receipt;

use crate::{AppError, Site, uploads};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptReport {
    pub added: u64,
    pub already_there: u64,
    /// (file name, why): not matched to a voucher, or refused.
    pub unmatched: Vec<(String, String)>,
}

/// Imports scans. `files` are (name, bytes); zips are unpacked; a file named `*.csv` is read
/// as the mapping from file names to vouchers.
pub async fn import_receipts(
    site: &Site,
    village: RegionCode,
    files: Vec<(String, Vec<u8>)>,
) -> Result<ReceiptReport, AppError> {
    if !site.regions().get(village).is_some_and(|r| r.kind.is_village_level()) {
        return Err(AppError::Invalid(format!("村（社区）{village} 不存在 / unknown village")));
    }
    let mut report = ReceiptReport::default();
    let mut mapping: HashMap<String, ReceiptTarget> = HashMap::new();
    let mut scans: Vec<(String, Vec<u8>)> = vec![];
    for (name, bytes) in files {
        if name.to_lowercase().ends_with(".csv") {
            mapping.extend(read_mapping(&bytes).map_err(|e| AppError::Invalid(format!("{name}：{e}")))?);
        } else if bytes.starts_with(b"PK\x03\x04") {
            let entries =
                unzip(&bytes, &ZipLimits::default()).map_err(|e| AppError::Invalid(format!("{name}：{e}")))?;
            for e in entries {
                match e {
                    Extracted::File { name, bytes } => scans.push((name, bytes)),
                    Extracted::Refused { name, reason } => report.unmatched.push((name, reason)),
                }
            }
        } else {
            scans.push((name, bytes));
        }
    }
    let mut known: HashMap<(i32, u32), HashSet<String>> = HashMap::new();
    let mut receipts = vec![];
    for (name, bytes) in scans {
        let Some(target) = mapping.get(&name).cloned().or_else(|| target_from_name(&name)) else {
            report.unmatched.push((
                name,
                "文件名中没有期间和凭证号（如 2026-03_记-001.jpg），对照表中也没有 / no voucher named".into(),
            ));
            continue;
        };
        let start = target.period.start();
        let (year, month) = (chrono::Datelike::year(&start), chrono::Datelike::month(&start));
        if let std::collections::hash_map::Entry::Vacant(slot) = known.entry((year, month)) {
            slot.insert(site.store.voucher_numbers(village, year, month).await?.into_iter().collect());
        }
        if !known[&(year, month)].contains(&target.voucher) {
            report.unmatched.push((
                name,
                format!("{}没有凭证 {}，请先导入账簿 / no such voucher", target.period.label_zh(), target.voucher),
            ));
            continue;
        }
        let limits = site.upload_limits;
        let files = site.files.clone();
        let stored = tokio::task::spawn_blocking(move || {
            uploads::accept_all(vec![(name.clone(), bytes)], &limits, &files).map_err(|e| (name, e))
        })
        .await
        .map_err(|e| AppError::Invalid(e.to_string()))?;
        match stored {
            Ok(mut list) => {
                let a = list.remove(0);
                receipts.push(Receipt {
                    year,
                    month,
                    voucher_no: target.voucher,
                    sha256: a.sha256,
                    media_type: a.media_type,
                    file_name: a.file_name,
                    byte_size: a.byte_size,
                });
            }
            Err((name, e)) => report.unmatched.push((name, e.to_string())),
        }
    }
    report.added = site.store.add_receipts(village, &receipts).await?;
    report.already_there = receipts.len() as u64 - report.added;
    if report.added > 0 {
        site.published(village);
    }
    Ok(report)
}
