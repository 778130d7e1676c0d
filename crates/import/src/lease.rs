//! The lease register (经济合同台账 / 产权出租台账) as villages keep it in a spreadsheet.

use std::collections::HashSet;

use yangguang_core::RegionCode;
use yangguang_core::lease::{Lease, Schedule};
use yangguang_core::trading::mask_person;

use crate::register::{FieldSpec, Register, RowCheck, looks_like_organisation};
use crate::{ReadError, RowError};

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "contract_no", label: "合同编号", names: &["合同编号", "合同号", "合同编码"], required: true
    },
    FieldSpec {
        key: "asset",
        label: "资产名称",
        names: &["资产名称", "标的名称", "资产资源名称", "出租资产", "标的物"],
        required: true,
    },
    FieldSpec {
        key: "asset_type",
        label: "资产类别",
        names: &["资产类别", "资产类型", "类别", "类型"],
        required: true,
    },
    FieldSpec {
        key: "location", label: "坐落", names: &["坐落", "位置", "地址", "坐落位置"], required: false
    },
    FieldSpec {
        key: "lessee", label: "承租方", names: &["承租方", "承租人", "承包方", "乙方"], required: true
    },
    FieldSpec {
        key: "lessee_type",
        label: "承租方类型",
        names: &["承租方类型", "乙方类型", "承租人类型"],
        required: false,
    },
    FieldSpec { key: "area", label: "面积", names: &["面积", "出租面积", "租赁面积"], required: true },
    FieldSpec { key: "area_unit", label: "面积单位", names: &["面积单位"], required: false },
    FieldSpec {
        key: "rent", label: "年租金", names: &["年租金", "租金", "年租金额", "年承包金"], required: true
    },
    FieldSpec {
        key: "start",
        label: "起租日期",
        names: &["起租日期", "开始日期", "起始日期", "合同起始日期", "租期起"],
        required: true,
    },
    FieldSpec {
        key: "end",
        label: "到期日期",
        names: &["到期日期", "结束日期", "终止日期", "合同终止日期", "租期止"],
        required: true,
    },
    FieldSpec {
        key: "schedule",
        label: "付款方式",
        names: &["付款方式", "支付方式", "缴费方式", "交租方式"],
        required: false,
    },
    FieldSpec { key: "decision", label: "决议编号", names: &DECISION_NAMES, required: false },
];

/// The names a register's or a ledger's column of decision numbers (决议编号) goes by.
pub const DECISION_NAMES: [&str; 3] = ["决议编号", "决议号", "决策编号"];

/// A decision number a row names: the row, the column's name as the file writes it, the
/// row's key (a contract number) and the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedDecision {
    pub row: u64,
    pub column: String,
    pub key: String,
    pub number: String,
}

/// The decision numbers the file's rows name (rows without one are left out).
pub fn decision_numbers(bytes: &[u8]) -> Result<Vec<NamedDecision>, ReadError> {
    Ok(named_decisions(&Register::read(bytes, FIELDS)?, FIELDS, "contract_no"))
}

/// The decision numbers a register's `decision` column names, each with its row's `key` cell.
pub(crate) fn named_decisions(register: &Register, specs: &[FieldSpec], key: &str) -> Vec<NamedDecision> {
    if !register.has("decision") {
        return vec![];
    }
    let column = register.column_name("decision", specs);
    register
        .rows
        .iter()
        .filter_map(|(row, cells)| {
            let number = register.cell(cells, "decision").trim();
            (!number.is_empty()).then(|| NamedDecision {
                row: *row,
                column: column.clone(),
                key: register.cell(cells, key).trim().to_owned(),
                number: number.to_owned(),
            })
        })
        .collect()
}

/// Every lease of the file, or every problem in it (by row and column), in one pass.
pub fn read_leases(bytes: &[u8], village: RegionCode) -> Result<Result<Vec<Lease>, Vec<RowError>>, ReadError> {
    let register = Register::read(bytes, FIELDS)?;
    // A unit written in the area's header ("面积（亩）") applies to every row.
    let header_unit = if register.column_name("area", FIELDS).contains('亩') { "mu" } else { "m2" };
    let mut errors = Vec::new();
    let mut leases = Vec::new();
    let mut seen = HashSet::new();
    for (row_no, row) in &register.rows {
        let mut c = RowCheck { register: &register, specs: FIELDS, row_no: *row_no, row, errors: &mut errors };
        let contract_no = c.required("contract_no");
        if !contract_no.is_empty() && !seen.insert(contract_no.clone()) {
            c.fail("contract_no", "合同编号重复 / the contract number appears twice");
        }
        if contract_no.contains('/') || contract_no.chars().count() > 64 {
            c.fail("contract_no", "合同编号不能含“/”，且不超过 64 字 / no slashes, at most 64 characters");
        }
        let asset = c.required("asset");
        let asset_type = c.required("asset_type");
        let lessee = c.required("lessee");
        let is_person = match c.text("lessee_type") {
            "" => !looks_like_organisation(&lessee),
            "个人" | "自然人" | "农户" => true,
            "单位" | "企业" | "公司" | "组织" | "法人" => false,
            _ => {
                c.fail("lessee_type", "应为“个人”或“单位” / person or organisation");
                true
            }
        };
        let area = c.decimal("area");
        let area_unit = match c.text("area_unit") {
            "" => header_unit,
            "亩" | "mu" => "mu",
            "平方米" | "m2" | "㎡" | "m²" => "m2",
            _ => {
                c.fail("area_unit", "应为“亩”或“平方米” / mu or m2");
                header_unit
            }
        };
        let annual_rent = c.amount("rent");
        let start = c.date("start");
        let end = c.date("end");
        let schedule = Schedule::parse(c.text("schedule")).unwrap_or_else(|| {
            c.fail("schedule", "应为月付、季付、半年付、年付或一次性 / unknown schedule");
            Schedule::Yearly
        });
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            c.fail("end", "到期日期早于起租日期 / ends before it starts");
        }
        if let (Some(start), Some(end)) = (start, end) {
            leases.push(Lease {
                contract_no,
                village,
                asset,
                asset_type,
                location: c.text("location").to_owned(),
                lessee: if is_person { mask_person(&lessee) } else { lessee },
                lessee_is_person: is_person,
                area,
                area_unit: area_unit.into(),
                annual_rent,
                start,
                end,
                schedule,
            });
        }
    }
    if register.rows.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(if errors.is_empty() { Ok(leases) } else { Err(errors) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn village() -> RegionCode {
        RegionCode::parse("339921100201").unwrap()
    }

    const GOOD: &str = "前山村经济合同台账（2026年）\n\
        合同编号,资产名称,资产类别,坐落,承租方,面积（亩）,年租金（元）,起租日期,到期日期,付款方式\n\
        HT-2024-001,溪东鱼塘,鱼塘,溪东,王建明,12.5,\"15,000.00\",2024-01-01,2026-12-31,年付\n\
        HT-2025-002,老校舍,房屋,村口,青山农业开发有限公司,２００,36000,2025/3/1,2035/2/28,半年付\n\
        合计,,,,,212.5,51000,,,\n";

    #[test]
    fn a_gbk_register_with_a_title_and_a_total_reads_cleanly() {
        let (gbk, _, _) = encoding_rs::GBK.encode(GOOD);
        let leases = read_leases(&gbk, village()).unwrap().unwrap();
        assert_eq!(leases.len(), 2);
        assert_eq!((leases[0].lessee.as_str(), leases[0].lessee_is_person), ("王*明", true));
        assert_eq!(leases[0].area_unit, "mu");
        assert_eq!(leases[0].annual_rent, yangguang_core::Fen(1_500_000));
        assert_eq!(leases[1].lessee, "青山农业开发有限公司", "organisations are named in full");
        assert_eq!(leases[1].area, "200");
        assert_eq!(leases[1].schedule, Schedule::HalfYearly);
    }

    #[test]
    fn every_bad_cell_is_listed_by_row_and_column() {
        let bad = GOOD
            .replace("\"15,000.00\"", "一万五")
            .replace("2035/2/28", "2024/2/28")
            .replace("HT-2025-002", "HT-2024-001")
            .replace("半年付", "看情况");
        let errors = read_leases(bad.as_bytes(), village()).unwrap().unwrap_err();
        let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(found, [(3, "年租金（元）"), (4, "合同编号"), (4, "付款方式"), (4, "到期日期")], "{errors:#?}");
    }

    #[test]
    fn a_file_that_is_not_a_lease_register_says_so() {
        let err = read_leases("日期,凭证号\n2026-01-01,1\n".as_bytes(), village()).unwrap_err();
        assert!(matches!(err, ReadError::NoRegisterHeader(_)), "{err:?}");
    }

    #[test]
    fn an_xlsx_register_reads_with_date_cells_and_numbers() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "前山村经济合同台账").unwrap();
        let header = ["合同编号", "资产名称", "资产类别", "承租方", "面积（亩）", "年租金", "起租日期", "到期日期"];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_string(2, 0, "HT-9").unwrap();
        sheet.write_string(2, 1, "塘下鱼塘").unwrap();
        sheet.write_string(2, 2, "鱼塘").unwrap();
        sheet.write_string(2, 3, "赵六").unwrap();
        sheet.write_number(2, 4, 8.5).unwrap();
        sheet.write_number(2, 5, 12000.0).unwrap();
        let start = ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
        let end = ExcelDateTime::from_ymd(2030, 2, 28).unwrap();
        sheet.write_datetime_with_format(2, 6, &start, &date).unwrap();
        sheet.write_datetime_with_format(2, 7, &end, &date).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let leases = read_leases(&bytes, village()).unwrap().unwrap();
        assert_eq!(leases.len(), 1);
        let l = &leases[0];
        assert_eq!((l.area.as_str(), l.annual_rent, l.lessee.as_str()), ("8.5", yangguang_core::Fen(1_200_000), "赵*"));
        assert_eq!((l.start.to_string(), l.end.to_string()), ("2025-03-01".into(), "2030-02-28".into()));
        let mut truncated = bytes.clone();
        truncated.truncate(bytes.len() / 2);
        assert!(matches!(read_leases(&truncated, village()), Err(ReadError::Xlsx(_))));
    }
}
