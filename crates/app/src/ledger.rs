//! Importing a village's books: every file read and checked first, every problem reported
//! by file, row and column; then, only if all is well, the vouchers stored in one
//! transaction — new ones added, unchanged ones left, changed unpublished ones replaced,
//! changed published ones refused as conflicts.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_core::ledger::{Voucher, vouchers};
use yangguang_import::RowError;
use yangguang_import::ledger::{ExtraNames, Field, LedgerRules, read_ledger};
use yangguang_store::VoucherImport;

use crate::{AppError, Site};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub format: &'static str,
    pub entries: usize,
    pub skipped_rows: usize,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerReport {
    pub files: Vec<FileReport>,
    /// (file name, problem): when any, nothing was stored.
    pub errors: Vec<(String, RowError)>,
    pub stored: Option<VoucherImport>,
}

impl LedgerReport {
    pub fn succeeded(&self) -> bool {
        self.errors.is_empty() && self.stored.as_ref().is_some_and(|s| s.conflicts.is_empty())
    }
}

pub async fn import_ledger(
    site: &Site,
    village: RegionCode,
    files: Vec<(String, Vec<u8>)>,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<LedgerReport, AppError> {
    if !site.regions().get(village).is_some_and(|r| r.kind.is_village_level()) {
        return Err(AppError::Invalid(format!("村（社区）{village} 不存在 / unknown village")));
    }
    let extra = saved_columns(site, village).await?;
    let mut report = LedgerReport::default();
    let mut all: Vec<Voucher> = vec![];
    let mut seen: HashMap<(i32, u32, String), (String, String)> = HashMap::new();
    for (name, bytes) in files {
        let rules = LedgerRules { period, charts: Some(&site.charts), mapping: None, extra_names: Some(&extra) };
        let read = match read_ledger(&bytes, &rules) {
            Ok(r) => r,
            Err(e) => {
                let problem = RowError { row: 0, column: String::new(), value: String::new(), problem: e.to_string() };
                report.errors.push((name, problem));
                continue;
            }
        };
        report.files.push(FileReport {
            name: name.clone(),
            format: read.format,
            entries: read.entries.len(),
            skipped_rows: read.skipped_rows.len(),
        });
        report.errors.extend(read.errors.into_iter().map(|e| (name.clone(), e)));
        for v in vouchers(&read.entries) {
            let key = (v.key.year, v.key.month, v.key.number.clone());
            match seen.get(&key) {
                // The same voucher in two files (an overlapping export): fine when identical.
                Some((_, hash)) if *hash == v.content_hash => continue,
                Some((other, _)) => {
                    let row = v.lines.first().map_or(0, |l| l.row);
                    report.errors.push((
                        name.clone(),
                        RowError {
                            row,
                            column: "凭证号".into(),
                            value: v.key.number.clone(),
                            problem: format!("同一凭证在 {other} 中内容不同 / the same voucher differs between files"),
                        },
                    ));
                }
                None => {
                    seen.insert(key, (name.clone(), v.content_hash.clone()));
                    all.push(v);
                }
            }
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let stored = site.store.import_vouchers(village, &all, Utc::now()).await?;
    if stored.inserted + stored.updated > 0 {
        site.published(village);
    }
    report.stored = Some(stored);
    Ok(report)
}

/// The column names the village's clerk saved (empty when none).
pub async fn saved_columns(site: &Site, village: RegionCode) -> Result<ExtraNames, AppError> {
    let Some(json) = site.store.ledger_columns(village).await? else { return Ok(ExtraNames::new()) };
    let raw: HashMap<String, Vec<String>> = serde_json::from_str(&json).unwrap_or_default();
    Ok(raw.into_iter().filter_map(|(k, v)| Field::from_key(&k).map(|f| (f, v))).collect())
}

/// Saves the column names a village's accounting software uses (one or more per field,
/// separated by 、 , or spaces in the form); empty fields keep only the usual names.
pub async fn save_columns(site: &Site, village: RegionCode, names: &HashMap<Field, String>) -> Result<(), AppError> {
    let split: HashMap<&str, Vec<String>> = names
        .iter()
        .map(|(f, text)| {
            let list: Vec<String> =
                text.split(['、', ',', '，', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
            (f.key(), list)
        })
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if split.values().flatten().any(|n| n.chars().count() > 30) {
        return Err(AppError::Invalid("列名过长 / a column name is too long".into()));
    }
    site.store.save_ledger_columns(village, &serde_json::to_string(&split).expect("names serialise")).await?;
    Ok(())
}
