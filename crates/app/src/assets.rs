//! The assets and resources registers: imported whole per village (all or nothing); a change
//! opens a draft of the register for review, since registers are published whenever they
//! change; the public register pages read them.

use chrono::Utc;
use yangguang_core::RegionCode;
use yangguang_core::assets::{Asset, Register};
use yangguang_store::NewRecord;

use crate::publishing::Actor;
use crate::registers::{RegisterImport, check_importer, draft_change, importer};
use crate::{AppError, Site};

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
    let records: Vec<NewRecord> = rows
        .iter()
        .map(|a| NewRecord {
            village,
            key: format!("{village}/{}", a.code),
            body: serde_json::to_string(a).expect("serialises"),
        })
        .collect();
    let counts = site.store.replace_village_records(register.kind(), village, &records, Utc::now()).await?;
    let mut draft = None;
    if counts.changed() {
        site.published(village);
        let table: Vec<Vec<String>> = rows
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
            .collect();
        let header = ["编号", "名称", "类别", "面积", "原值（元）", "状态", "使用/承包方"];
        let link = format!("/v/{village}/assets");
        draft =
            Some(draft_change(site, actor, village, register.catalog_item(), &counts, &header, &table, &link).await?);
    }
    let (staff, ip) = importer(actor);
    let detail = format!("{} +{} ~{} -{}", register.kind(), counts.inserted, counts.updated, counts.removed);
    crate::auth::audit(site, staff, ip, "import-assets", &village.to_string(), &detail).await;
    Ok(RegisterImport { register: register.kind(), errors: vec![], counts, draft })
}

/// A village's register, by code.
pub async fn village_register(site: &Site, village: RegionCode, register: Register) -> Result<Vec<Asset>, AppError> {
    let records = site.store.village_records(register.kind(), village).await?;
    records
        .iter()
        .map(|r| serde_json::from_str(&r.body).map_err(|e| AppError::Invalid(format!("stored register row: {e}"))))
        .collect()
}
