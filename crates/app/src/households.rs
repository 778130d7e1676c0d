//! Households and their three rights: the register imported whole per village (all or
//! nothing), the phone numbers that may log in for each household (kept only as keyed
//! hashes), the village totals the public sees, and staff reads, each one audited.

use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use yangguang_core::household::{Household, VillageRights, household_key, village_rights};
use yangguang_core::staff::Role;
use yangguang_core::{Region, RegionCode};
use yangguang_import::household::{Households, Problem, read_households};
use yangguang_store::{NewRecord, RecordCounts, Staff};

use crate::publishing::Actor;
use crate::registers::{decode, record, village_rows};
use crate::{AppError, Site};

pub const HOUSEHOLD: &str = "household";
/// Phone lookups: key the keyed hash of the number, body the household's key.
pub const PHONE: &str = "household-phone";
/// Credit lines from the bank, keyed by household, kept apart so that a register import does
/// not erase them.
pub const CREDIT: &str = "household-credit";

/// A keyed hash for personal numbers (identity numbers, phones), with a key derived from the
/// platform key for this purpose only: a leaked database cannot be searched with a list of
/// numbers.
pub fn personal_key(site: &Site) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(site.key.secret()).expect("any key length");
    mac.update(b"yangguang personal numbers v1");
    mac.finalize().into_bytes().into()
}

pub fn phone_hash(site: &Site, phone: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&personal_key(site)).expect("any key length");
    mac.update(b"phone:");
    mac.update(phone.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[derive(Debug, Default)]
pub struct HouseholdImport {
    pub problems: Vec<Problem>,
    pub households: RecordCounts,
    pub phones: RecordCounts,
}

/// Replaces a village's household register with the files' (members table required; plots,
/// homesteads, shares optional), households and login phones in one transaction.
pub async fn import_households(
    site: &Site,
    actor: Option<&Actor<'_>>,
    village: RegionCode,
    files: &[(String, Vec<u8>)],
) -> Result<HouseholdImport, AppError> {
    crate::registers::check_importer(site, actor, village)?;
    let [households, phones] = match household_records(site, village, files).await? {
        Ok(records) => records,
        Err(problems) => return Ok(HouseholdImport { problems, ..Default::default() }),
    };
    let counts = site
        .store
        .replace_village_registers(village, &[(HOUSEHOLD, &households), (PHONE, &phones)], Utc::now())
        .await?;
    site.published(village);
    site.announce().await;
    let (staff, ip) = crate::registers::importer(actor);
    let c = counts[0];
    let detail = format!("+{} ~{} -{} ={}", c.inserted, c.updated, c.removed, c.unchanged);
    crate::auth::audit(site, staff, ip, "import-households", &village.to_string(), &detail).await;
    Ok(HouseholdImport { problems: vec![], households: counts[0], phones: counts[1] })
}

/// The records the files make, households and login phones, or every problem found (a phone
/// of another village's household is one). Nothing is stored: the import and its preview share it.
pub async fn household_records(
    site: &Site,
    village: RegionCode,
    files: &[(String, Vec<u8>)],
) -> Result<Result<[Vec<NewRecord>; 2], Vec<Problem>>, AppError> {
    let read = match read_households(files, village, &personal_key(site)) {
        Ok(read) => read,
        Err(problems) => return Ok(Err(problems)),
    };
    let problems = phones_of_other_villages(site, village, &read).await?;
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    Ok(Ok(records_of(site, village, &read.households, &read.phones)))
}

/// A phone logs in for one household only: a phone of the file already linked to a household
/// of another village is a row error naming that village (the import stores nothing), never
/// a silent move of that villager's login to this village.
async fn phones_of_other_villages(
    site: &Site,
    village: RegionCode,
    read: &Households,
) -> Result<Vec<Problem>, AppError> {
    let hashes: Vec<String> = read.phones.iter().map(|(phone, _)| phone_hash(site, phone)).collect();
    let keys: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let elsewhere: std::collections::HashMap<String, RegionCode> = site
        .store
        .get_records(PHONE, &keys)
        .await?
        .into_iter()
        .filter(|r| r.village != village)
        .map(|r| (r.key, r.village))
        .collect();
    let mut problems = vec![];
    for (((phone, _), hash), cell) in read.phones.iter().zip(&hashes).zip(&read.phone_cells) {
        let Some(other) = elsewhere.get(hash) else { continue };
        let name = site.regions().get(*other).map(|r| r.name.clone()).unwrap_or_default();
        problems.push(cell.problem(
            phone,
            format!(
                "该手机号已是{name}（{other}）一户的登录手机号，一个手机号只能登录一户：请核对号码，或先由该村从户籍表中移除 / \
                 this phone already logs in for a household of another village"
            ),
        ));
    }
    Ok(problems)
}

/// Replaces a village's households and login phones (phone, household number) in one
/// transaction; returns the counts for each.
pub async fn store_households(
    site: &Site,
    village: RegionCode,
    households: &[Household],
    phones: &[(String, String)],
) -> Result<Vec<RecordCounts>, AppError> {
    let [records, phones] = records_of(site, village, households, phones);
    Ok(site.store.replace_village_registers(village, &[(HOUSEHOLD, &records), (PHONE, &phones)], Utc::now()).await?)
}

fn records_of(
    site: &Site,
    village: RegionCode,
    households: &[Household],
    phones: &[(String, String)],
) -> [Vec<NewRecord>; 2] {
    let records: Vec<NewRecord> = households.iter().map(|h| record(village, h.key(), h)).collect();
    // One phone may serve one household only: the first listed wins, as on the register.
    let mut seen = std::collections::HashSet::new();
    let phones: Vec<NewRecord> = phones
        .iter()
        .map(|(phone, number)| (phone_hash(site, phone), household_key(village, number)))
        .filter(|(hash, _)| seen.insert(hash.clone()))
        .map(|(hash, key)| record(village, hash, &serde_json::json!({ "household": key })))
        .collect();
    [records, phones]
}

/// A household with its credit line, if the bank gave one.
pub async fn household(site: &Site, key: &str) -> Result<Option<Household>, AppError> {
    let Some(record) = site.store.get_record(HOUSEHOLD, key).await? else { return Ok(None) };
    let mut h: Household = decode(&record)?;
    if let Some(credit) = site.store.get_record(CREDIT, key).await? {
        h.credit = decode(&credit).ok();
    }
    Ok(Some(h))
}

/// The household a phone number logs in for.
pub async fn household_for_phone(site: &Site, phone: &str) -> Result<Option<String>, AppError> {
    let Some(record) = site.store.get_record(PHONE, &phone_hash(site, phone)).await? else { return Ok(None) };
    let body: serde_json::Value = decode(&record).unwrap_or_default();
    Ok(body["household"].as_str().map(String::from))
}

/// The village's totals: what the public pages show.
pub async fn village_totals(site: &Site, village: RegionCode) -> Result<VillageRights, AppError> {
    let households: Vec<Household> = village_rows(site, HOUSEHOLD, village).await?;
    Ok(village_rights(&households))
}

/// Staff who may read a village's household records: those who serve it, except the roles
/// whose work is not about households (the catalog, the bank's own products).
pub fn staff_may_read(staff: &Staff, village: RegionCode) -> bool {
    staff.grants.iter().any(|g| !matches!(g.role, Role::CatalogAdmin | Role::BankEditor) && g.covers(village))
}

/// A staff member reads a household's records: allowed or not, it goes in the audit trail.
/// The read fails closed: when its audit entry cannot be written, nothing is shown
/// (`Unavailable`, a 503).
pub async fn staff_read(
    site: &Site,
    staff: &Staff,
    ip: &str,
    village: &Region,
    number: &str,
) -> Result<Option<Household>, AppError> {
    let key = household_key(village.code, number);
    if !staff_may_read(staff, village.code) {
        crate::auth::audit(site, Some(staff), ip, "household-view-refused", &key, "").await;
        return Err(AppError::Forbidden("无权查看该村农户信息 / no role covering this village".into()));
    }
    let found = household(site, &key).await?;
    let detail = if found.is_some() { "" } else { "not found" };
    crate::auth::audit_required(site, Some(staff), ip, "household-view", &key, detail).await?;
    Ok(found)
}
