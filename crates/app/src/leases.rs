//! The lease register of a village: imported whole from its spreadsheet (all or nothing), a
//! change opening a draft of the contracts register for review, and the rent each contract
//! has brought in according to the books.

use std::sync::Arc;

use chrono::NaiveDate;
use yangguang_core::RegionCode;
use yangguang_core::lease::{Lease, RentPosition};
use yangguang_store::NewRecord;

use crate::publishing::Actor;
use crate::registers::{Published, RegisterImport, check_importer, decode, record, replace, village_rows};
use crate::{AppError, Site};

pub const LEASE: &str = "lease";
/// The catalog item a changed register is published under.
pub const REGISTER_ITEM: &str = yangguang_core::catalog::required::CONTRACTS_REGISTER;

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
    // Decision numbers (决议编号) must name the village's decisions; they are linked once stored.
    let named = yangguang_import::lease::decision_numbers(bytes).map_err(|e| AppError::Invalid(e.to_string()))?;
    let errors = crate::decisions::check_import_numbers(site, village, &named).await?;
    if !errors.is_empty() {
        return Ok(RegisterImport { register: LEASE, errors, ..Default::default() });
    }
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
    let done = replace(site, actor, village, LEASE, &records, published, "import-leases").await?;
    let links = named
        .iter()
        .filter_map(|n| leases.iter().find(|l| l.contract_no == n.key).map(|l| (n, l)))
        .map(|(n, l)| crate::decisions::lease_link(village, l, &n.number, actor.map(|a| &a.who.staff)))
        .collect();
    let (staff, ip) = crate::registers::importer(actor);
    crate::decisions::link_imported(site, staff, ip, village, links).await?;
    Ok(done)
}

pub async fn village_leases(site: &Site, village: RegionCode) -> Result<Vec<Lease>, AppError> {
    let mut leases: Vec<Lease> = village_rows(site, LEASE, village).await?;
    leases.sort_by(|a, b| a.end.cmp(&b.end).then(a.contract_no.cmp(&b.contract_no)));
    Ok(leases)
}

pub async fn lease(site: &Site, village: RegionCode, contract_no: &str) -> Result<Option<Lease>, AppError> {
    site.store.get_record(LEASE, &key(village, contract_no)).await?.as_ref().map(decode).transpose()
}

/// A village's leases (in [`village_leases`] order) with each one's rent position on `day`.
#[derive(Debug)]
pub struct LeaseBook {
    pub day: NaiveDate,
    pub leases: Vec<Lease>,
    pub positions: Vec<Option<RentPosition>>,
}

/// The village's [`LeaseBook`] for `day`, kept in memory until the village's pages change (a
/// register or ledger import, a publication, another process's change): lease lists filtered
/// by type or rent are made for each request, and reading the register and the whole books for
/// each would cost milliseconds.
pub async fn lease_book(site: &Site, village: RegionCode, day: NaiveDate) -> Result<Arc<LeaseBook>, AppError> {
    let generation = site.generation(crate::site::Scope::Village(village));
    if let Some(book) = site.lease_books.get(village, generation).filter(|b| b.day == day) {
        return Ok(book);
    }
    let leases = village_leases(site, village).await?;
    let positions = rent_positions(site, village, &leases, day).await?;
    let book = Arc::new(LeaseBook { day, leases, positions });
    site.lease_books.put(village, generation, book.clone());
    Ok(book)
}

/// The rent position of each lease on `day` (see [`RentPosition`]), from one read of the
/// village's books up to that day, read with the site's charts of accounts; the rule itself is
/// [`yangguang_core::lease::rent_positions`].
pub async fn rent_positions<'a>(
    site: &Site,
    village: RegionCode,
    leases: impl IntoIterator<Item = &'a Lease>,
    day: NaiveDate,
) -> Result<Vec<Option<RentPosition>>, AppError> {
    let from = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid");
    let entries = site.store.ledger_entries(village, from, day).await?;
    Ok(yangguang_core::lease::rent_positions(leases, &entries, &site.charts, day))
}
