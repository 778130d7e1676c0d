//! The assets and resources registers: imported whole per village (all or nothing); a change
//! opens a draft of the register for review, since registers are published whenever they
//! change; the public register pages read them.

use yangguang_core::RegionCode;
use yangguang_core::assets::{Asset, Register};
use yangguang_store::NewRecord;

use crate::publishing::Actor;
use crate::registers::{Published, RegisterImport, check_importer, record, replace, village_rows};
use crate::{AppError, Site};

/// A register row's key among records.
pub fn key(village: RegionCode, code: &str) -> String {
    format!("{village}/{code}")
}

fn area(a: &Asset) -> String {
    match (a.area.is_empty(), a.area_unit.as_str()) {
        (true, _) => String::new(),
        (false, "mu") => format!("{} 亩", a.area),
        (false, _) => format!("{} 平方米", a.area),
    }
}

/// Replaces the village's assets or resources register (the file's header says which).
pub async fn import_assets(
    site: &Site,
    actor: Option<&Actor<'_>>,
    village: RegionCode,
    bytes: &[u8],
) -> Result<RegisterImport, AppError> {
    check_importer(site, actor, village)?;
    let (register, rows) =
        yangguang_import::assets::read_assets(bytes, village).map_err(|e| AppError::Invalid(e.to_string()))?;
    let rows = match rows {
        Ok(rows) => rows,
        Err(errors) => {
            return Ok(RegisterImport { register: register.kind(), errors, ..Default::default() });
        }
    };
    // Decision numbers (决议编号) must name the village's decisions; they are linked once stored.
    let named = yangguang_import::assets::decision_numbers(bytes).map_err(|e| AppError::Invalid(e.to_string()))?;
    let errors = crate::decisions::check_import_numbers(site, village, &named).await?;
    if !errors.is_empty() {
        return Ok(RegisterImport { register: register.kind(), errors, ..Default::default() });
    }
    let records: Vec<NewRecord> = rows.iter().map(|a| record(village, key(village, &a.code), a)).collect();
    let published = || Published {
        item: register.catalog_item(),
        header: &["编号", "名称", "类别", "面积", "原值（元）", "状态", "使用/承包方"],
        rows: rows
            .iter()
            .map(|a| {
                vec![
                    a.code.clone(),
                    a.name.clone(),
                    a.category.clone(),
                    area(a),
                    a.original_value.map(|v| v.to_string()).unwrap_or_default(),
                    a.status.clone(),
                    a.occupant.clone(),
                ]
            })
            .collect(),
        link: format!("/v/{village}/assets"),
    };
    let done = replace(site, actor, village, register.kind(), &records, published, "import-assets").await?;
    let links = named
        .iter()
        .filter_map(|n| rows.iter().find(|a| a.code == n.key).map(|a| (n, a)))
        .map(|(n, a)| crate::decisions::disposal_link(village, a, &n.number, actor.map(|x| &x.who.staff)))
        .collect();
    let (staff, ip) = crate::registers::importer(actor);
    crate::decisions::link_imported(site, staff, ip, village, links).await?;
    Ok(done)
}

/// A village's register, by code.
pub async fn village_register(site: &Site, village: RegionCode, register: Register) -> Result<Vec<Asset>, AppError> {
    village_rows(site, register.kind(), village).await
}
