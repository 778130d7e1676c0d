//! Importing a village's books: every file streamed and checked, every problem reported by
//! file, row and column, the vouchers stored batch by batch in one transaction — new ones
//! added, unchanged ones left, changed unpublished ones replaced, changed published ones
//! refused as conflicts — and committed only if all is well.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_import::lease::NamedDecision;
use yangguang_import::ledger::{ExtraNames, Field, LedgerReader, LedgerRules};
use yangguang_import::table::Source;
use yangguang_import::{ReadError, RowError};
use yangguang_store::{DecisionLink, VoucherImport, VoucherImportSession};

use crate::{AppError, Site};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileReport {
    pub name: String,
    pub format: &'static str,
    pub entries: usize,
    pub skipped_rows: usize,
}

/// Problems listed in full; past this many only their number is given (a file of nothing but
/// errors must not fill the memory, and nobody reads the ten-thousandth).
pub const MAX_LISTED_ERRORS: usize = 1_000;
/// Entry lines read and stored at a time: the import's memory is about one batch.
const BATCH_LINES: usize = 5_000;

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerReport {
    pub files: Vec<FileReport>,
    /// (file name, problem): when any, nothing was stored.
    pub errors: Vec<(String, RowError)>,
    /// Problems found beyond those listed.
    pub unlisted_errors: u64,
    pub stored: Option<VoucherImport>,
    /// Vouchers a `决议编号` column linked to a decision, stored once the import is.
    pub links: Vec<DecisionLink>,
}

impl LedgerReport {
    pub fn succeeded(&self) -> bool {
        self.errors.is_empty() && self.stored.as_ref().is_some_and(|s| s.conflicts.is_empty())
    }

    fn problem(&mut self, file: &str, problem: RowError) {
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push((file.to_owned(), problem));
        } else {
            self.unlisted_errors += 1;
        }
    }

    /// "And N more", in both languages, when some problems were not listed.
    pub fn unlisted_note(&self) -> Option<String> {
        (self.unlisted_errors > 0).then(|| {
            format!(
                "另有 {} 处问题未列出，请先改正以上问题 / {} more problems not listed",
                self.unlisted_errors, self.unlisted_errors
            )
        })
    }
}

/// A file to import: its name (for messages) and its bytes, in memory or on disk.
pub type LedgerFile = (String, Box<dyn Source>);

/// An uploaded file as something the importers can read.
pub fn in_memory(bytes: Vec<u8>) -> Box<dyn Source> {
    Box::new(std::io::Cursor::new(bytes))
}

/// Reads every file as a stream and stores its vouchers batch by batch in one transaction,
/// which is committed only if no file had a problem and no published voucher changed.
pub async fn import_ledger(
    site: &Site,
    village: RegionCode,
    files: Vec<LedgerFile>,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<LedgerReport, AppError> {
    let (mut report, session) = read_into_session(site, village, files, period, None).await?;
    let clean = report.errors.is_empty();
    let keep = clean && session.outcome().conflicts.is_empty();
    let stored = session.finish(keep).await?;
    if !clean {
        return Ok(report);
    }
    if keep {
        let links = std::mem::take(&mut report.links);
        crate::decisions::link_imported(site, None, "", village, links).await?;
    }
    if stored.inserted + stored.updated > 0 {
        site.published(village);
        site.announce().await;
    }
    report.stored = Some(stored);
    Ok(report)
}

/// Reads the files into an open import session (its caller commits or rolls back), showing
/// each batch to a preview's `collector` when there is one.
pub(crate) async fn read_into_session(
    site: &Site,
    village: RegionCode,
    files: Vec<LedgerFile>,
    period: Option<(NaiveDate, NaiveDate)>,
    mut collector: Option<&mut crate::preview::Collector>,
) -> Result<(LedgerReport, Box<dyn VoucherImportSession>), AppError> {
    if !site.regions().get(village).is_some_and(|r| r.kind.is_village_level()) {
        return Err(AppError::Invalid(format!("村（社区）{village} 不存在 / unknown village")));
    }
    let extra = saved_columns(site, village).await?;
    let mut report = LedgerReport::default();
    let mut session = site.store.begin_import(village, Utc::now()).await?;
    for (name, source) in files {
        let rules = LedgerRules { period, charts: Some(&site.charts), mapping: None, extra_names: Some(&extra) };
        let whole_file =
            |e: ReadError| RowError { row: 0, column: String::new(), value: String::new(), problem: e.to_string() };
        let mut reader = match LedgerReader::open(source, rules) {
            Ok(r) => r,
            Err(e) => {
                report.problem(&name, whole_file(e));
                continue;
            }
        };
        let voucher_column = reader.column_name(Field::Voucher);
        // Decision numbers by voucher, until the voucher's lines are all read.
        let mut pending: HashMap<String, NamedDecision> = HashMap::new();
        let mut named = vec![];
        loop {
            let batch = match reader.next_batch(BATCH_LINES) {
                Ok(Some(batch)) => batch,
                Ok(None) => break,
                Err(e) => {
                    report.problem(&name, whole_file(e));
                    break;
                }
            };
            for e in batch.errors {
                report.problem(&name, e);
            }
            for d in batch.decisions {
                match pending.get(&d.key) {
                    Some(first) if first.number != d.number => {
                        let problem = format!(
                            "同一凭证第 {} 行的决议编号是“{}”，本行是“{}”，一张凭证只能对应一个决议 / one voucher, two decisions",
                            first.row, first.number, d.number
                        );
                        report.problem(&name, RowError { row: d.row, column: d.column, value: d.number, problem });
                    }
                    Some(_) => {}
                    None => {
                        pending.insert(d.key.clone(), d);
                    }
                }
            }
            for v in &batch.vouchers {
                let Some(first) = v.lines.first() else { continue };
                if let Some(d) = pending.remove(&crate::decisions::voucher_ref(first.date, &first.voucher_no)) {
                    let lines: Vec<&yangguang_core::ledger::LedgerEntry> = v.lines.iter().collect();
                    let (label, amount, outgoing) = crate::decisions::voucher_money(&lines);
                    report.links.push(DecisionLink {
                        village,
                        target_kind: "voucher".into(),
                        target_ref: d.key.clone(),
                        number: d.number.clone(),
                        label,
                        amount,
                        outgoing,
                        source: "import".into(),
                        linked_by: "—".into(),
                        linked_at: Utc::now(),
                    });
                    named.push(d);
                }
            }
            // A preview reads the books as they were before this batch, inside the import.
            let before = if collector.is_some() {
                let keys: Vec<(i32, u32, String)> =
                    batch.vouchers.iter().map(|v| (v.key.year, v.key.month, v.key.number.clone())).collect();
                session.stored(&keys).await?
            } else {
                vec![]
            };
            let repeats = session.add(&name, &batch.vouchers).await?;
            if let Some(c) = collector.as_deref_mut() {
                c.observe(&batch.vouchers, &repeats.iter().map(|r| r.index).collect(), before);
            }
            for r in repeats {
                let v = &batch.vouchers[r.index];
                // The number as the file writes it, not as normalised.
                let label = v.lines.first().map_or(v.key.number.as_str(), |l| l.voucher_no.as_str());
                let problem = if r.file == name {
                    format!("凭证号 {label} 重复：第 {} 行已有同号凭证 / a duplicate voucher number", r.first_row)
                } else if !r.same_content {
                    format!("同一凭证在 {} 中内容不同 / the same voucher differs between files", r.file)
                } else {
                    // The same voucher in two files (an overlapping export): fine when identical.
                    continue;
                };
                let row = v.lines.first().map_or(0, |l| l.row);
                report
                    .problem(&name, RowError { row, column: voucher_column.clone(), value: label.to_owned(), problem });
            }
        }
        // Every number must name one of the village's decisions; otherwise nothing is imported.
        for e in crate::decisions::check_import_numbers(site, village, &named).await? {
            report.problem(&name, e);
        }
        report.files.push(FileReport {
            name,
            format: reader.format,
            entries: reader.entries,
            skipped_rows: reader.skipped,
        });
    }
    Ok((report, session))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_a_thousand_problems_only_their_number_is_kept() {
        let mut report = LedgerReport::default();
        for row in 1..=1_250 {
            let e = RowError { row, column: "借方".into(), value: "abc".into(), problem: "not an amount".into() };
            report.problem("a.csv", e);
        }
        assert_eq!((report.errors.len(), report.unlisted_errors), (MAX_LISTED_ERRORS, 250));
        assert_eq!(report.errors.last().unwrap().1.row, 1_000, "the first ones are listed");
        assert!(report.unlisted_note().unwrap().contains("另有 250 处问题未列出"));
        assert!(!report.succeeded());
    }
}
