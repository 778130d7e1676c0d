//! Importing a village's books: every file streamed and checked, every problem reported by
//! file, row and column, the vouchers stored batch by batch in one transaction — new ones
//! added, unchanged ones left, changed unpublished ones replaced, changed published ones
//! refused as conflicts — and committed only if all is well.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_core::accounts::Charts;
use yangguang_import::lease::NamedDecision;
use yangguang_import::ledger::{ExtraNames, Field, LedgerBatch, LedgerReader, LedgerRules};
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
    let started = std::time::Instant::now();
    let (mut report, session) = read_into_session(site, village, files, period, None).await?;
    let read = started.elapsed();
    let clean = report.errors.is_empty();
    let keep = clean && session.outcome().conflicts.is_empty();
    let stored = session.finish(keep).await?;
    let committed = started.elapsed();
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
    // Where an import's time goes (RUST_LOG=yangguang_app::ledger=debug), for the benchmark.
    tracing::debug!(
        read_and_store = read.as_secs_f64(),
        commit = (committed - read).as_secs_f64(),
        after = (started.elapsed() - committed).as_secs_f64(),
        "ledger import"
    );
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
    let (mut reading, mut storing) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for (name, source) in files {
        let whole_file =
            |e: ReadError| RowError { row: 0, column: String::new(), value: String::new(), problem: e.to_string() };
        let mut ahead = read_ahead(source, site.charts.clone(), extra.clone(), period);
        let voucher_column = match ahead.recv().await {
            Some(Ahead::Opened(column)) => column,
            Some(Ahead::Failed(e)) => {
                report.problem(&name, whole_file(e));
                continue;
            }
            _ => {
                report.problem(&name, reader_stopped());
                continue;
            }
        };
        // Decision numbers by voucher, until the voucher's lines are all read.
        let mut pending: HashMap<String, NamedDecision> = HashMap::new();
        let mut named = vec![];
        let (format, entries, skipped) = loop {
            let at = std::time::Instant::now();
            let next = ahead.recv().await;
            reading += at.elapsed();
            let batch = match next {
                Some(Ahead::Batch(batch)) => batch,
                // The figures follow.
                Some(Ahead::Failed(e)) => {
                    report.problem(&name, whole_file(e));
                    continue;
                }
                Some(Ahead::Done { format, entries, skipped }) => break (format, entries, skipped),
                Some(Ahead::Opened(_)) | None => {
                    report.problem(&name, reader_stopped());
                    break ("", 0, 0);
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
                // Most files name no decision: no key is formatted for them.
                if pending.is_empty() {
                    break;
                }
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
            let at = std::time::Instant::now();
            let repeats = session.add(&name, &batch.vouchers).await?;
            storing += at.elapsed();
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
        };
        // Every number must name one of the village's decisions; otherwise nothing is imported.
        for e in crate::decisions::check_import_numbers(site, village, &named).await? {
            report.problem(&name, e);
        }
        report.files.push(FileReport { name, format, entries, skipped_rows: skipped });
    }
    // `waiting`: time the store waited for the reader (zero when reading keeps ahead).
    tracing::debug!(waiting = reading.as_secs_f64(), storing = storing.as_secs_f64(), "ledger files read");
    Ok((report, session))
}

/// What the reading thread sends: the voucher column's name once the header is found, the
/// batches, then the file's figures (after a `Failed` too).
enum Ahead {
    Opened(String),
    Batch(LedgerBatch),
    Failed(ReadError),
    Done { format: &'static str, entries: usize, skipped: usize },
}

/// Reads and checks a file on a blocking thread, a couple of batches ahead of the store, so
/// that parsing (one core) and storing (the other) overlap. Dropping the receiver stops it.
fn read_ahead(
    source: Box<dyn Source>,
    charts: Charts,
    extra: ExtraNames,
    period: Option<(NaiveDate, NaiveDate)>,
) -> tokio::sync::mpsc::Receiver<Ahead> {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::task::spawn_blocking(move || {
        let rules = LedgerRules { period, charts: Some(&charts), mapping: None, extra_names: Some(&extra) };
        let mut reader = match LedgerReader::open(source, rules) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.blocking_send(Ahead::Failed(e));
                return;
            }
        };
        if tx.blocking_send(Ahead::Opened(reader.column_name(Field::Voucher))).is_err() {
            return;
        }
        loop {
            match reader.next_batch(BATCH_LINES) {
                Ok(Some(batch)) => {
                    if tx.blocking_send(Ahead::Batch(batch)).is_err() {
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.blocking_send(Ahead::Failed(e));
                    break;
                }
            }
        }
        let _ =
            tx.blocking_send(Ahead::Done { format: reader.format, entries: reader.entries, skipped: reader.skipped });
    });
    rx
}

/// The reading thread ended without its figures (it panicked): the file counts as unread.
fn reader_stopped() -> RowError {
    RowError {
        row: 0,
        column: String::new(),
        value: String::new(),
        problem: "读取文件时出错，未导入 / the file could not be read; nothing was imported".into(),
    }
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
