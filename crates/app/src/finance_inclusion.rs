//! Inclusive finance (普惠金融) with the rural commercial bank: its products, each village's
//! credit status (households rated and credited, the credit-village grade), the service
//! point and financial adviser serving the village, and household credit lines from the
//! bank's file, which only each household sees.

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use yangguang_core::household::{CreditLine, Household, household_key};
use yangguang_core::staff::Role;
use yangguang_core::{Fen, RegionCode};
use yangguang_import::RowError;
use yangguang_import::register::{FieldSpec, Register, RowCheck};
use yangguang_store::NewRecord;

use crate::households::{CREDIT, HOUSEHOLD, personal_key};
use crate::publishing::Actor;
use crate::registers::{decode, record};
use crate::{AppError, Site};

/// County-wide products, keyed by id, stored under the county.
pub const PRODUCT: &str = "bank-product";
/// A village's grade, service point and adviser, keyed by the village code.
pub const VILLAGE_SERVICE: &str = "bank-village";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    /// 信用贷款, 三权抵押贷款…
    pub kind: String,
    /// As the bank states it: "年化 3.85% 起".
    pub rate: String,
    pub term: String,
    pub max_amount: Fen,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VillageService {
    /// 信用村等级: AAA, AA, A, or empty when not rated.
    pub grade: String,
    pub service_point: String,
    pub address: String,
    pub hours: String,
    pub adviser: String,
    pub adviser_phone: String,
}

/// What the public sees of a village's credit: totals only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VillageCredit {
    pub households: u64,
    pub rated: u64,
    pub credited: u64,
    pub total: Fen,
}

pub(crate) fn may_edit(actor: &Actor<'_>, village: RegionCode) -> Result<(), AppError> {
    if actor.who.staff.grants.iter().any(|g| g.role == Role::BankEditor && g.covers(village)) {
        Ok(())
    } else {
        Err(AppError::Forbidden("需要覆盖该村的银行编辑角色 / needs the bank editor role for this village".into()))
    }
}

fn county_of(village: RegionCode) -> RegionCode {
    village.ancestor_at(yangguang_core::region::CodeLevel::County)
}

pub async fn save_product(
    site: &Site,
    actor: &Actor<'_>,
    county: RegionCode,
    product: Product,
) -> Result<(), AppError> {
    may_edit(actor, county)?;
    if product.id.trim().is_empty() || product.name.trim().is_empty() || product.id.contains('/') {
        return Err(AppError::Invalid("产品需要编号和名称 / a product needs an id and a name".into()));
    }
    let row = record(county, format!("{county}/{}", product.id.trim()), &product);
    site.store.upsert_records(PRODUCT, &[row], Utc::now()).await?;
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, "bank-product", &product.id, &product.name).await;
    site.published_everywhere();
    site.announce().await;
    Ok(())
}

/// The county's products, for a village's page.
pub async fn products(site: &Site, village: RegionCode) -> Result<Vec<Product>, AppError> {
    let records = site.store.village_records(PRODUCT, county_of(village)).await?;
    Ok(records.iter().filter_map(|r| decode(r).ok()).collect())
}

pub async fn save_village_service(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    service: VillageService,
) -> Result<(), AppError> {
    may_edit(actor, village)?;
    if !matches!(service.grade.as_str(), "" | "AAA" | "AA" | "A") {
        return Err(AppError::Invalid("信用村等级应为 AAA、AA、A 或空 / grade AAA, AA, A or none".into()));
    }
    site.store.upsert_records(VILLAGE_SERVICE, &[record(village, village.to_string(), &service)], Utc::now()).await?;
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, "bank-village", &village.to_string(), &service.grade)
        .await;
    site.published(village);
    site.announce().await;
    Ok(())
}

pub async fn village_service(site: &Site, village: RegionCode) -> Result<Option<VillageService>, AppError> {
    Ok(site.store.get_record(VILLAGE_SERVICE, &village.to_string()).await?.and_then(|r| decode(&r).ok()))
}

/// Totals of the village's credit lines: households registered, rated, credited, total line.
pub async fn village_credit(site: &Site, village: RegionCode) -> Result<VillageCredit, AppError> {
    let households = site.store.count_records(HOUSEHOLD, &village.to_string()).await?;
    let lines = site.store.village_records(CREDIT, village).await?;
    let mut c = VillageCredit { households, ..Default::default() };
    for line in lines.iter().filter_map(|r| decode::<CreditLine>(r).ok()) {
        c.rated += u64::from(!line.rating.is_empty());
        if line.limit.0 > 0 {
            c.credited += 1;
            c.total = Fen(c.total.0 + line.limit.0);
        }
    }
    Ok(c)
}

const CREDIT_FIELDS: &[FieldSpec] = &[
    FieldSpec { key: "number", label: "户号", names: &["户号", "户编号", "家庭户号"], required: false },
    FieldSpec {
        key: "id",
        label: "身份证号",
        names: &["身份证号", "身份证号码", "证件号码", "户主身份证号"],
        required: false,
    },
    FieldSpec {
        key: "rating", label: "信用等级", names: &["信用等级", "评级", "评定等级"], required: true
    },
    FieldSpec {
        key: "limit", label: "授信额度", names: &["授信额度", "授信金额", "额度"], required: true
    },
    FieldSpec {
        key: "until",
        label: "有效期至",
        names: &["有效期至", "到期日", "授信到期日", "有效期"],
        required: true,
    },
];

#[derive(Debug, Default)]
pub struct CreditImport {
    pub errors: Vec<RowError>,
    pub households: u64,
}

/// The bank's file of household credit lines for a village, matched to households by number
/// or by a member's identity number (through its keyed hash), replacing the village's lines
/// whole. A row matching no household is an error: nothing is stored until all match.
pub async fn import_credit(
    site: &Site,
    actor: Option<&Actor<'_>>,
    village: RegionCode,
    bank: &str,
    bytes: &[u8],
) -> Result<CreditImport, AppError> {
    if let Some(actor) = actor {
        may_edit(actor, village)?;
    }
    let lines = match credit_records(site, village, bank, bytes).await? {
        Ok(lines) => lines,
        Err(errors) => return Ok(CreditImport { errors, households: 0 }),
    };
    site.store.replace_village_records(CREDIT, village, &lines, Utc::now()).await?;
    site.published(village);
    site.announce().await;
    let (staff, ip) = crate::registers::importer(actor);
    crate::auth::audit(site, staff, ip, "import-credit", &village.to_string(), &format!("{} households", lines.len()))
        .await;
    Ok(CreditImport { errors: vec![], households: lines.len() as u64 })
}

/// The credit lines a bank's file makes for a village's households, or every row problem.
/// Nothing is stored: the import and its preview share it.
pub async fn credit_records(
    site: &Site,
    village: RegionCode,
    bank: &str,
    bytes: &[u8],
) -> Result<Result<Vec<NewRecord>, Vec<RowError>>, AppError> {
    let register = Register::read(bytes, CREDIT_FIELDS).map_err(|e| AppError::Invalid(e.to_string()))?;
    if !register.has("number") && !register.has("id") {
        return Err(AppError::Invalid(
            "银行文件须有“户号”或“身份证号”列，用以对应农户 / needs 户号 or 身份证号".into(),
        ));
    }
    let households: Vec<Household> =
        site.store.village_records(HOUSEHOLD, village).await?.iter().filter_map(|r| decode(r).ok()).collect();
    let key = personal_key(site);
    let mut errors = Vec::new();
    let mut lines: Vec<NewRecord> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row_no, row) in &register.rows {
        let mut c = RowCheck { register: &register, specs: CREDIT_FIELDS, row_no: *row_no, row, errors: &mut errors };
        let number = c.text("number").to_owned();
        let household = if !number.is_empty() {
            households.iter().find(|h| h.number == number)
        } else {
            match yangguang_core::identity::IdNumber::parse(c.text("id")) {
                Ok(id) => {
                    let hash = id.keyed_hash(&key);
                    households.iter().find(|h| h.members.iter().any(|m| m.id_hash == hash))
                }
                Err(e) => {
                    c.fail("id", e.to_string());
                    continue;
                }
            }
        };
        let Some(household) = household else {
            let field = if number.is_empty() { "id" } else { "number" };
            c.fail(field, "本村户籍台账中没有这一户 / no such household in the village's register");
            continue;
        };
        let rating = c.required("rating").to_uppercase();
        let limit = c.amount("limit");
        let until: Option<NaiveDate> = c.date("until");
        if !seen.insert(household.key()) {
            c.fail("number", "同一户出现两次 / the household appears twice");
        }
        if let Some(valid_until) = until {
            let line = CreditLine { bank: bank.to_owned(), rating, limit, valid_until };
            lines.push(record(village, household_key(village, &household.number), &line));
        }
    }
    Ok(if errors.is_empty() { Ok(lines) } else { Err(errors) })
}
