//! The assets register (资产台账) and the resources register (资源台账) as villages keep them;
//! which one a file is, its header tells.

use std::collections::HashSet;

use yangguang_core::RegionCode;
use yangguang_core::assets::{Asset, Register as Kind};
use yangguang_core::trading::mask_person;

use crate::lease::NamedDecision;
use crate::register::{FieldSpec, Register, RowCheck, looks_like_organisation};
use crate::{ReadError, RowError};

const fn spec(key: &'static str, label: &'static str, names: &'static [&'static str], required: bool) -> FieldSpec {
    FieldSpec { key, label, names, required }
}

pub const ASSET_FIELDS: &[FieldSpec] = &[
    spec("code", "资产编号", &["资产编号", "资产编码", "编号"], true),
    spec("name", "资产名称", &["资产名称", "名称"], true),
    spec("category", "资产类别", &["资产类别", "类别", "资产类型"], true),
    spec("value", "原值", &["原值", "资产原值", "账面原值"], true),
    spec("location", "坐落", &["坐落", "位置", "存放地点"], false),
    spec("area", "面积", &["面积", "建筑面积"], false),
    spec("status", "使用状态", &["使用状态", "状态", "现状"], false),
    spec("occupant", "使用人", &["承租方", "使用人", "使用单位", "承租人"], false),
    spec("decision", "决议编号", &crate::lease::DECISION_NAMES, false),
];

pub const RESOURCE_FIELDS: &[FieldSpec] = &[
    spec("code", "资源编号", &["资源编号", "资源编码", "编号", "地块编号"], true),
    spec("name", "资源名称", &["资源名称", "名称"], true),
    spec("category", "资源类型", &["资源类型", "资源类别", "类型", "地类"], true),
    spec("area", "面积", &["面积", "面积（亩）"], true),
    spec("location", "坐落", &["坐落", "位置", "四至"], false),
    spec("status", "经营状态", &["经营状态", "状态", "现状", "使用状态"], false),
    spec("occupant", "承包方", &["承包方", "经营方", "承租方", "使用人"], false),
    spec("decision", "决议编号", &crate::lease::DECISION_NAMES, false),
];

/// The decision numbers (决议编号) the rows name — the decision that authorised disposing of
/// the asset or resource — keyed by the row's code (rows without one are left out).
pub fn decision_numbers(bytes: &[u8]) -> Result<Vec<NamedDecision>, ReadError> {
    let (specs, register) = match Register::read(bytes, ASSET_FIELDS) {
        Ok(r) => (ASSET_FIELDS, r),
        Err(ReadError::NoRegisterHeader(_)) => (RESOURCE_FIELDS, Register::read(bytes, RESOURCE_FIELDS)?),
        Err(e) => return Err(e),
    };
    Ok(crate::lease::named_decisions(&register, specs, "code"))
}

/// A register's rows, or every problem in them.
pub type Rows = Result<Vec<Asset>, Vec<RowError>>;

/// Every row of an assets or resources register file, or every problem in it.
pub fn read_assets(bytes: &[u8], village: RegionCode) -> Result<(Kind, Rows), ReadError> {
    let (kind, specs, register) = match Register::read(bytes, ASSET_FIELDS) {
        Ok(r) => (Kind::Assets, ASSET_FIELDS, r),
        Err(ReadError::NoRegisterHeader(_)) => match Register::read(bytes, RESOURCE_FIELDS) {
            Ok(r) => (Kind::Resources, RESOURCE_FIELDS, r),
            Err(ReadError::NoRegisterHeader(_)) => {
                return Err(ReadError::NoRegisterHeader(
                    "资产台账（资产编号、资产名称、资产类别、原值）或资源台账（资源编号、资源名称、资源类型、面积）"
                        .into(),
                ));
            }
            Err(e) => return Err(e),
        },
        Err(e) => return Err(e),
    };
    let unit = if register.column_name("area", specs).contains('亩') || kind == Kind::Resources { "mu" } else { "m2" };
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (row_no, row) in &register.rows {
        let mut c = RowCheck { register: &register, specs, row_no: *row_no, row, errors: &mut errors };
        let code = c.required("code");
        if !code.is_empty() && !seen.insert(code.clone()) {
            c.fail("code", "编号重复 / the code appears twice");
        }
        if code.contains('/') {
            c.fail("code", "编号不能含“/” / no slashes");
        }
        let name = c.required("name");
        let category = c.required("category");
        let area =
            if kind == Kind::Resources || !c.text("area").is_empty() { c.decimal("area") } else { String::new() };
        let original_value = (kind == Kind::Assets).then(|| c.amount("value"));
        let occupant = c.text("occupant").to_owned();
        rows.push(Asset {
            register: kind,
            code,
            village,
            name,
            category,
            location: c.text("location").to_owned(),
            area,
            area_unit: unit.into(),
            original_value,
            status: c.text("status").to_owned(),
            occupant: if occupant.is_empty() || looks_like_organisation(&occupant) {
                occupant
            } else {
                mask_person(&occupant)
            },
        });
    }
    if register.rows.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok((kind, if errors.is_empty() { Ok(rows) } else { Err(errors) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn village() -> RegionCode {
        RegionCode::parse("339921100201").unwrap()
    }

    #[test]
    fn an_assets_register_and_a_resources_register_are_told_apart() {
        let assets = "前山村资产台账\n资产编号,资产名称,资产类别,坐落,面积,原值（元）,使用状态,使用人\n\
                      ZC-01,村委办公楼,房屋,村口,800,\"1,200,000.00\",在用,村委会\nZC-02,老校舍,房屋,村口,300,150000,出租,王建明\n";
        let (kind, rows) = read_assets(assets.as_bytes(), village()).unwrap();
        let rows = rows.unwrap();
        assert_eq!((kind, rows.len()), (Kind::Assets, 2));
        assert_eq!(rows[0].original_value, Some(yangguang_core::Fen(120_000_000)));
        assert_eq!(rows[1].occupant, "王*明");
        let resources = "资源编号,资源名称,资源类型,面积（亩）,经营状态,承包方\nZY-01,溪东畈,耕地,120.5,承包,青山农业开发有限公司\n";
        let (kind, rows) = read_assets(resources.as_bytes(), village()).unwrap();
        assert_eq!((kind, rows.unwrap()[0].area_unit.as_str()), (Kind::Resources, "mu"));
    }

    #[test]
    fn a_decision_number_column_names_the_disposals_decision() {
        let assets =
            "资产编号,资产名称,资产类别,原值,决议编号\nZC-01,办公楼,房屋,1000,\nZC-02,旧仓库,房屋,80000,2026-004\n";
        let (_, rows) = read_assets(assets.as_bytes(), village()).unwrap();
        assert_eq!(rows.unwrap().len(), 2, "the column does not change the rows");
        let named = decision_numbers(assets.as_bytes()).unwrap();
        let found: Vec<(u64, &str, &str, &str)> =
            named.iter().map(|d| (d.row, d.column.as_str(), d.key.as_str(), d.number.as_str())).collect();
        assert_eq!(found, [(3, "决议编号", "ZC-02", "2026-004")]);
        let resources = "资源编号,资源名称,资源类型,面积,决策编号\nZY-01,溪东畈,耕地,12,2026-001\n";
        assert_eq!(decision_numbers(resources.as_bytes()).unwrap()[0].column, "决策编号");
        assert!(
            decision_numbers("资产编号,资产名称,资产类别,原值\nZC-01,办公楼,房屋,1\n".as_bytes()).unwrap().is_empty()
        );
    }

    #[test]
    fn bad_cells_are_listed_and_a_foreign_file_is_named() {
        let assets = "资产编号,资产名称,资产类别,原值\nZC-01,办公楼,房屋,一百万\nZC-01,,房屋,1\n";
        let (_, rows) = read_assets(assets.as_bytes(), village()).unwrap();
        let found: Vec<(u64, String)> = rows.unwrap_err().into_iter().map(|e| (e.row, e.column)).collect();
        assert_eq!(found, [(2, "原值".to_owned()), (3, "资产编号".into()), (3, "资产名称".into())]);
        let err = read_assets("姓名,电话\n张三,1\n".as_bytes(), village()).unwrap_err();
        assert!(err.to_string().contains("资源台账"), "{err}");
    }
}
