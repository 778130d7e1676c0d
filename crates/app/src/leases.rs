//! The lease register of a village: imported whole from its spreadsheet (all or nothing), a
//! change opening a draft of the contracts register for review, and the rent each contract
//! has brought in according to the books.

use chrono::NaiveDate;
use yangguang_core::lease::Lease;
use yangguang_core::{Fen, RegionCode};
use yangguang_store::NewRecord;

use crate::publishing::Actor;
use crate::registers::{Published, RegisterImport, check_importer, decode, record, replace, village_rows};
use crate::{AppError, Site};

pub const LEASE: &str = "lease";
/// The catalog item a changed register is published under.
pub const REGISTER_ITEM: &str = "contracts-register";

/// A lease's key among records.
pub fn key(village: RegionCode, contract_no: &str) -> String {
    format!("{village}/{contract_no}")
}

/// Replaces a village's lease register with the file's. `actor` is the clerk uploading it
/// (who must serve the village); `None` is the operator's command line.
pub async fn import_leases(
    site: &Site,
    actor: Option<&Actor<'_>>,
    village: RegionCode,
    bytes: &[u8],
) -> Result<RegisterImport, AppError> {
    check_importer(site, actor, village)?;
    let leases = match yangguang_import::lease::read_leases(bytes, village) {
        Ok(Ok(leases)) => leases,
        Ok(Err(errors)) => return Ok(RegisterImport { register: LEASE, errors, ..Default::default() }),
        Err(e) => return Err(AppError::Invalid(e.to_string())),
    };
    let records: Vec<NewRecord> = leases.iter().map(|l| record(village, key(village, &l.contract_no), l)).collect();
    let published = || Published {
        item: REGISTER_ITEM,
        header: &["合同编号", "资产", "承租方", "面积", "年租金（元）", "租期"],
        rows: leases
            .iter()
            .map(|l| {
                vec![
                    l.contract_no.clone(),
                    l.asset.clone(),
                    l.lessee.clone(),
                    format!("{} {}", l.area, if l.area_unit == "mu" { "亩" } else { "平方米" }),
                    l.annual_rent.to_string(),
                    format!("{} 至 {}", l.start, l.end),
                ]
            })
            .collect(),
        link: format!("/v/{village}/leases"),
    };
    replace(site, actor, village, LEASE, &records, published, "import-leases").await
}

pub async fn village_leases(site: &Site, village: RegionCode) -> Result<Vec<Lease>, AppError> {
    let mut leases: Vec<Lease> = village_rows(site, LEASE, village).await?;
    leases.sort_by(|a, b| a.end.cmp(&b.end).then(a.contract_no.cmp(&b.contract_no)));
    Ok(leases)
}

pub async fn lease(site: &Site, village: RegionCode, contract_no: &str) -> Result<Option<Lease>, AppError> {
    site.store.get_record(LEASE, &key(village, contract_no)).await?.as_ref().map(decode).transpose()
}

/// Rent against the books up to `day`, over the days the books cover: from the later of the
/// contract's start and the first entry imported. What fell due is set against what the
/// ledger shows received: entries whose summary (摘要) names the contract number, on their
/// credit side (the debit side is the cash or bank account the money went to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RentPosition {
    pub from: NaiveDate,
    pub due: Fen,
    pub received: Fen,
}

impl RentPosition {
    pub fn owed(&self) -> Fen {
        Fen((self.due.0 - self.received.0).max(0))
    }
}

/// The rent position of each lease from one read of the village's books. No books: `None`.
pub fn rent_positions<'a>(
    leases: impl IntoIterator<Item = &'a Lease>,
    entries: &[yangguang_core::ledger::LedgerEntry],
    day: NaiveDate,
) -> Vec<Option<RentPosition>> {
    let books_from = entries.iter().map(|e| e.date).min();
    leases
        .into_iter()
        .map(|l| {
            let books_from = books_from?;
            let from = l.start.max(books_from);
            let received = entries
                .iter()
                .filter(|e| e.date >= from && e.date <= day && e.summary.contains(&l.contract_no))
                .map(|e| e.credit)
                .sum();
            Some(RentPosition { from, due: l.due_between(from, day), received })
        })
        .collect()
}

/// The village's books up to `day`, for [`rent_positions`].
pub async fn books_until(
    site: &Site,
    village: RegionCode,
    day: NaiveDate,
) -> Result<Vec<yangguang_core::ledger::LedgerEntry>, AppError> {
    let from = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid");
    Ok(site.store.ledger_entries(village, from, day).await?)
}
