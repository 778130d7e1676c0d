//! The ledger's preview: the file read exactly as an import reads it, inside an import
//! transaction that is rolled back, each voucher compared with the stored one.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use yangguang_core::RegionCode;
use yangguang_core::ledger::{LedgerEntry, Voucher};

use super::SHOWN;
use crate::ledger::{FileReport, LedgerFile};
use crate::{AppError, Site};

/// One entry line as the preview shows it; `marks` says which of date, summary, account,
/// debit, credit and attachments differ from the other side.
#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub date: String,
    pub summary: String,
    pub account: String,
    pub debit: String,
    pub credit: String,
    pub attachments: String,
    pub marks: [bool; 6],
}

/// A voucher in the file and, when stored already, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct VoucherChange {
    pub year: i32,
    pub month: u32,
    /// As the file writes it.
    pub number: String,
    pub old: Vec<LineView>,
    pub new: Vec<LineView>,
    /// Receipt scans attached to it (a changed voucher's are flagged for re-checking).
    pub receipts: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MonthSummary {
    pub year: i32,
    pub month: u32,
    /// Its accounts are published: nothing in it may be added or changed.
    pub locked: bool,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// What importing the files would do. Counts are exact; lists stop at [`SHOWN`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerPreview {
    pub files: Vec<FileReport>,
    /// (file, row, column, value, problem): when any, nothing can be imported.
    pub errors: Vec<[String; 5]>,
    pub unlisted_errors: u64,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// Receipt scans that would be flagged for re-checking.
    pub receipts_to_recheck: u64,
    /// Vouchers of published months that the file adds or changes: the import is refused.
    pub refused: Vec<String>,
    pub months: Vec<MonthSummary>,
    pub changed_vouchers: Vec<VoucherChange>,
    pub new_vouchers: Vec<VoucherChange>,
    /// Numbers of unchanged vouchers.
    pub unchanged_vouchers: Vec<String>,
    #[serde(skip)]
    pub span: Option<((i32, u32), (i32, u32))>,
}

/// Reads the files as an import would and says what it would change; stores nothing.
pub async fn preview_ledger(
    site: &Site,
    village: RegionCode,
    files: Vec<LedgerFile>,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<LedgerPreview, AppError> {
    let frozen = site.store.frozen_months(village).await?.into_iter().map(|m| (m.year, m.month)).collect();
    let mut seen = Collector { frozen, preview: LedgerPreview::default() };
    let (report, session) = crate::ledger::read_into_session(site, village, files, period, Some(&mut seen)).await?;
    let outcome = session.outcome().clone();
    session.finish(false).await?;
    let mut preview = seen.preview;
    preview.files = report.files;
    preview.errors = report
        .errors
        .iter()
        .map(|(f, e)| [f.clone(), e.row.to_string(), e.column.clone(), e.value.clone(), e.problem.clone()])
        .collect();
    preview.unlisted_errors = report.unlisted_errors;
    // The transaction's own counts, which the confirm will reproduce.
    (preview.new, preview.changed, preview.unchanged) = (outcome.inserted, outcome.updated, outcome.unchanged);
    preview.receipts_to_recheck = outcome.flagged;
    preview.refused = outcome.conflicts;
    Ok(preview)
}

/// What a confirm must find unchanged: the books of the file's months, which months are
/// published, and the saved column names the file was read with.
pub(super) async fn basis(
    site: &Site,
    village: RegionCode,
    span: Option<((i32, u32), (i32, u32))>,
) -> Result<String, AppError> {
    let mut hash = Sha256::new();
    if let Some((from, to)) = span {
        hash.update(site.store.books_fingerprint(village, from, to).await?.as_bytes());
    }
    for m in site.store.frozen_months(village).await? {
        hash.update(format!("\n{}-{}", m.year, m.month).as_bytes());
    }
    hash.update(b"\ncolumns:");
    hash.update(site.store.ledger_columns(village).await?.unwrap_or_default().as_bytes());
    Ok(hex::encode(hash.finalize()))
}

/// Sees each batch the import session took and compares it with the stored books.
pub(crate) struct Collector {
    frozen: HashSet<(i32, u32)>,
    preview: LedgerPreview,
}

impl Collector {
    /// `vouchers` were given to the session, `stored` read just before; those at `repeated`
    /// were numbers met earlier in the import.
    pub(crate) fn observe(
        &mut self,
        vouchers: &[Voucher],
        repeated: &HashSet<usize>,
        stored: Vec<yangguang_store::StoredVoucher>,
    ) {
        let fresh = vouchers.iter().enumerate().filter(|(i, _)| !repeated.contains(i)).map(|(_, v)| v);
        let stored: HashMap<(i32, u32, String), yangguang_store::StoredVoucher> =
            stored.into_iter().map(|s| ((s.year, s.month, s.number.clone()), s)).collect();
        for v in fresh {
            let key = (v.key.year, v.key.month, v.key.number.clone());
            let ym = (v.key.year, v.key.month);
            let p = &mut self.preview;
            p.span = Some(match p.span {
                None => (ym, ym),
                Some((a, b)) => (a.min(ym), b.max(ym)),
            });
            let locked = self.frozen.contains(&ym);
            let month = p.months.iter().position(|s| (s.year, s.month) == ym).unwrap_or_else(|| {
                p.months.push(MonthSummary { year: ym.0, month: ym.1, locked, ..Default::default() });
                p.months.len() - 1
            });
            let label = v.lines.first().map_or(v.key.number.clone(), |l| l.voucher_no.clone());
            let change = |old: &[LedgerEntry]| VoucherChange {
                year: ym.0,
                month: ym.1,
                number: label.clone(),
                old: lines(old, &v.lines),
                new: lines(&v.lines, old),
                receipts: stored.get(&key).map_or(0, |s| s.receipts),
            };
            match stored.get(&key) {
                Some(s) if s.content_hash == v.content_hash => {
                    p.months[month].unchanged += 1;
                    if p.unchanged_vouchers.len() < SHOWN {
                        p.unchanged_vouchers.push(format!("{}年{}月 {label}", ym.0, ym.1));
                    }
                }
                Some(s) => {
                    p.months[month].changed += 1;
                    if p.changed_vouchers.len() < SHOWN {
                        p.changed_vouchers.push(change(&s.lines));
                    }
                }
                None => {
                    p.months[month].new += 1;
                    if p.new_vouchers.len() < SHOWN {
                        p.new_vouchers.push(change(&[]));
                    }
                }
            }
        }
        self.preview.months.sort_by_key(|m| (m.year, m.month));
    }
}

/// `these` lines, each marked where it differs from the line in the same place of `other`.
fn lines(these: &[LedgerEntry], other: &[LedgerEntry]) -> Vec<LineView> {
    let view = |l: &LedgerEntry| {
        [
            l.date.to_string(),
            l.summary.clone(),
            format!("{} {}", l.account_code, l.account_name).trim().to_owned(),
            l.debit.to_string(),
            l.credit.to_string(),
            l.attachments.to_string(),
        ]
    };
    these
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mine = view(l);
            let theirs = other.get(i).map(view);
            let marks = std::array::from_fn(|f| theirs.as_ref().is_none_or(|t| t[f] != mine[f]));
            let [date, summary, account, debit, credit, attachments] = mine;
            LineView { date, summary, account, debit, credit, attachments, marks }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yangguang_core::Fen;

    fn line(summary: &str, debit: i64, credit: i64) -> LedgerEntry {
        LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(),
            voucher_no: "记-002".into(),
            summary: summary.into(),
            account_code: "102".into(),
            account_name: String::new(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments: 1,
            row: 3,
        }
    }

    #[test]
    fn each_side_marks_the_fields_that_differ_from_the_other() {
        let old = [line("购办公用品", 32_050, 0)];
        let new = [line("收老校舍租金", 180_000, 0), line("收老校舍租金", 0, 180_000)];
        let shown = lines(&new, &old);
        assert_eq!(shown[0].marks, [false, true, false, true, false, false], "summary and debit changed");
        assert_eq!(shown[1].marks, [true; 6], "a line the old voucher did not have is new throughout");
        assert_eq!(lines(&old, &new)[0].marks, [false, true, false, true, false, false]);
        assert_eq!(lines(&old, &old)[0].marks, [false; 6]);
        assert_eq!(shown[0].debit, "1,800.00");
    }
}
