//! The lease register of a village: imported whole from its spreadsheet (all or nothing), a
//! change opening a draft of the contracts register for review, and the rent each contract
//! has brought in according to the books.

use chrono::{NaiveDate, Utc};
use yangguang_core::lease::Lease;
use yangguang_core::{Fen, RegionCode};
use yangguang_store::NewRecord;

use crate::publishing::Actor;
use crate::registers::{RegisterImport, check_importer, draft_change, importer};
use crate::{AppError, Site};

pub const LEASE: &str = "lease";
/// The catalog item a changed register is published under.
pub const REGISTER_ITEM: &str = "contracts-register";

fn key(village: RegionCode, contract_no: &str) -> String {
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
    let records: Vec<NewRecord> = leases
        .iter()
        .map(|l| NewRecord {
            village,
            key: key(village, &l.contract_no),
            body: serde_json::to_string(l).expect("a lease serialises"),
        })
        .collect();
    let counts = site.store.replace_village_records(LEASE, village, &records, Utc::now()).await?;
    let mut done = RegisterImport { register: LEASE, counts, ..Default::default() };
    if counts.changed() {
        site.published(village);
        let rows: Vec<Vec<String>> = leases
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
            .collect();
        let header = ["合同编号", "资产", "承租方", "面积", "年租金（元）", "租期"];
        let link = format!("/v/{village}/leases");
        let draft = draft_change(site, actor, village, REGISTER_ITEM, &counts, &header, &rows, &link).await?;
        done.draft = Some(draft);
    }
    let (staff, ip) = importer(actor);
    let detail = format!("+{} ~{} -{} ={}", counts.inserted, counts.updated, counts.removed, counts.unchanged);
    crate::auth::audit(site, staff, ip, "import-leases", &village.to_string(), &detail).await;
    Ok(done)
}

pub async fn village_leases(site: &Site, village: RegionCode) -> Result<Vec<Lease>, AppError> {
    let records = site.store.village_records(LEASE, village).await?;
    let mut leases: Vec<Lease> = records.iter().map(|r| decode(&r.body)).collect::<Result<_, _>>()?;
    leases.sort_by(|a, b| a.end.cmp(&b.end).then(a.contract_no.cmp(&b.contract_no)));
    Ok(leases)
}

pub async fn lease(site: &Site, village: RegionCode, contract_no: &str) -> Result<Option<Lease>, AppError> {
    site.store.get_record(LEASE, &key(village, contract_no)).await?.map(|r| decode(&r.body)).transpose()
}

fn decode(body: &str) -> Result<Lease, AppError> {
    serde_json::from_str(body).map_err(|e| AppError::Invalid(format!("stored lease cannot be read: {e}")))
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
pub fn rent_positions(
    leases: &[Lease],
    entries: &[yangguang_core::ledger::LedgerEntry],
    day: NaiveDate,
) -> Vec<Option<RentPosition>> {
    let Some(books_from) = entries.iter().map(|e| e.date).min() else { return vec![None; leases.len()] };
    leases
        .iter()
        .map(|l| {
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
