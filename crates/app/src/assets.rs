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
    replace(site, actor, village, register.kind(), &records, published, "import-assets").await
}

/// A village's register, by code.
pub async fn village_register(site: &Site, village: RegionCode, register: Register) -> Result<Vec<Asset>, AppError> {
    village_rows(site, register.kind(), village).await
}
