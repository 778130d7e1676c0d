//! Households and their three rights from the registers villages keep: a members table (the
//! one every import needs), and optionally land plots, homesteads, and shares with dividends.
//! Each file's kind is told by its header; rows join on the household number (户号).

use std::collections::{BTreeMap, HashSet};

use yangguang_core::household::{Homestead, Household, LandContract, Member, Plot, Shares, normalise_phone};
use yangguang_core::identity::IdNumber;
use yangguang_core::{Fen, RegionCode};

use crate::RowError;
use crate::register::{FieldSpec, Register, RowCheck};

const fn spec(key: &'static str, label: &'static str, names: &'static [&'static str], required: bool) -> FieldSpec {
    FieldSpec { key, label, names, required }
}

pub const MEMBER_FIELDS: &[FieldSpec] = &[
    spec("number", "户号", &["户号", "户编号", "家庭户号"], true),
    spec("name", "姓名", &["姓名", "成员姓名", "家庭成员"], true),
    spec("relation", "与户主关系", &["与户主关系", "关系"], true),
    spec("id", "身份证号", &["身份证号", "身份证号码", "公民身份号码", "证件号码"], true),
    spec("phone", "联系电话", &["联系电话", "手机号", "手机号码", "电话"], false),
    spec("status", "股权状态", &["股权状态", "成员状态", "社员状态"], false),
];

pub const PLOT_FIELDS: &[FieldSpec] = &[
    spec("number", "户号", &["户号", "户编号", "家庭户号"], true),
    spec("code", "地块编码", &["地块编码", "地块编号", "地块代码"], true),
    spec("area", "面积", &["面积", "实测面积", "确权面积", "合同面积"], true),
    spec("location", "坐落", &["坐落", "地块名称", "位置"], false),
    spec("east", "东至", &["东至", "东"], false),
    spec("south", "南至", &["南至", "南"], false),
    spec("west", "西至", &["西至", "西"], false),
    spec("north", "北至", &["北至", "北"], false),
    spec("basic", "基本农田", &["基本农田", "是否基本农田"], false),
    spec("contract", "承包合同编号", &["承包合同编号", "合同编号"], false),
    spec("certificate", "经营权证编号", &["经营权证编号", "承包经营权证编号", "权证编号"], false),
    spec("term", "承包期限", &["承包期限", "承包期"], false),
];

pub const HOMESTEAD_FIELDS: &[FieldSpec] = &[
    spec("number", "户号", &["户号", "户编号", "家庭户号"], true),
    spec("parcel", "宗地面积", &["宗地面积", "宅基地面积"], true),
    spec("location", "坐落", &["坐落", "位置", "地址"], false),
    spec("unit", "不动产单元号", &["不动产单元号", "单元号"], false),
    spec("floor", "建筑面积", &["建筑面积", "房屋建筑面积"], false),
    spec("approval", "批准文号", &["批准文号", "审批文号", "批准书编号"], false),
    spec("approved", "批准日期", &["批准日期", "审批日期"], false),
];

pub const SHARE_FIELDS: &[FieldSpec] = &[
    spec("number", "户号", &["户号", "户编号", "家庭户号"], true),
    spec("shares", "股数", &["股数", "持股数", "股份数"], true),
    spec("certificate", "股权证号", &["股权证号", "股权证编号"], false),
    spec("class", "股份类别", &["股份类别", "股种"], false),
];

/// A problem with a whole file or one of its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    File { file: String, problem: String },
    Row { file: String, error: RowError },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File { file, problem } => write!(f, "{file}：{problem}"),
            Self::Row { file, error } => write!(f, "{file}：{error}"),
        }
    }
}

/// What a set of files holds, ready to store.
#[derive(Debug, Default)]
pub struct Households {
    pub households: Vec<Household>,
    /// (phone number, household number): who may log in for which household.
    pub phones: Vec<(String, String)>,
    /// Where each of `phones` is written (same order), for messages about it.
    pub phone_cells: Vec<Cell>,
}

/// A cell of a file: its file, 1-based row and column header, for a later check (one that
/// needs the database) to name it in a [`Problem::Row`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub file: String,
    pub row: u64,
    pub column: String,
}

impl Cell {
    /// A problem with this cell holding `value`.
    pub fn problem(&self, value: &str, problem: impl Into<String>) -> Problem {
        Problem::Row {
            file: self.file.clone(),
            error: RowError {
                row: self.row,
                column: self.column.clone(),
                value: value.to_owned(),
                problem: problem.into(),
            },
        }
    }
}

/// "2025年分红", "2025年度分红", "2025分红金额" → 2025: dividend columns, one per year.
fn dividend_year(header: &str) -> Option<i32> {
    let digits: String = header.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 4 && header.contains("分红")).then(|| digits.parse().ok()).flatten()
}

fn flag(text: &str) -> bool {
    matches!(text, "是" | "Y" | "y" | "1" | "√" | "基本农田")
}

/// Reads the files of one village's household register. `id_key` is the site's key for the
/// identity numbers' keyed hash. Every problem of every file is listed; any problem and
/// nothing is returned to store.
pub fn read_households(
    files: &[(String, Vec<u8>)],
    village: RegionCode,
    id_key: &[u8],
) -> Result<Households, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut households: BTreeMap<String, Household> = BTreeMap::new();
    let mut phones = Vec::new();
    let mut phone_cells = Vec::new();
    let mut ids = HashSet::new();
    // Members first: the other tables join onto the households they create.
    let mut kinds: Vec<(usize, &'static str, Register)> = Vec::new();
    for (i, (name, bytes)) in files.iter().enumerate() {
        let found = [
            ("members", MEMBER_FIELDS),
            ("plots", PLOT_FIELDS),
            ("homestead", HOMESTEAD_FIELDS),
            ("shares", SHARE_FIELDS),
        ]
        .into_iter()
        .find_map(|(kind, specs)| Register::read(bytes, specs).ok().map(|r| (kind, r)));
        match found {
            Some((kind, register)) => kinds.push((i, kind, register)),
            None => problems.push(Problem::File {
                file: name.clone(),
                problem: match Register::read(bytes, MEMBER_FIELDS) {
                    Err(crate::ReadError::NoRegisterHeader(_)) => {
                        "不是可识别的户籍成员表、承包地块表、宅基地表或股权分红表：表头须含户号及各表的必填列 / not a household register".into()
                    }
                    Err(e) => e.to_string(),
                    Ok(_) => "无法读取 / unreadable".into(),
                },
            }),
        }
    }
    kinds.sort_by_key(|(_, kind, _)| *kind != "members");
    if !kinds.iter().any(|(_, kind, _)| *kind == "members") && problems.is_empty() {
        problems.push(Problem::File {
            file: files.first().map(|f| f.0.clone()).unwrap_or_default(),
            problem:
                "缺少户籍成员表（户号、姓名、与户主关系、身份证号）：每次导入都须包含 / the members table is required"
                    .into(),
        });
    }
    for (i, kind, register) in &kinds {
        let file = &files[*i].0;
        let specs = match *kind {
            "members" => MEMBER_FIELDS,
            "plots" => PLOT_FIELDS,
            "homestead" => HOMESTEAD_FIELDS,
            _ => SHARE_FIELDS,
        };
        let dividend_columns: Vec<(usize, i32)> = register
            .header()
            .iter()
            .enumerate()
            .filter_map(|(col, h)| dividend_year(h.trim()).map(|y| (col, y)))
            .collect();
        for (row_no, row) in &register.rows {
            let mut errors = Vec::new();
            let mut c = RowCheck { register, specs, row_no: *row_no, row, errors: &mut errors };
            let number = c.required("number");
            if number.contains('/') || number.chars().count() > 32 {
                c.fail("number", "户号不能含“/”，且不超过 32 字 / no slashes, at most 32 characters");
            }
            if *kind == "members" {
                let name = c.required("name");
                let relation = c.required("relation");
                let id = match IdNumber::parse(c.text("id")) {
                    Ok(id) => Some(id),
                    Err(e) => {
                        c.fail("id", e.to_string());
                        None
                    }
                };
                let phone = match c.text("phone") {
                    "" => None,
                    text => {
                        let phone = normalise_phone(text);
                        if phone.is_none() {
                            c.fail("phone", "不是 11 位手机号 / not a mobile number");
                        }
                        phone
                    }
                };
                if let Some(id) = &id
                    && !ids.insert(id.keyed_hash(id_key))
                {
                    c.fail("id", "同一身份证号出现两次 / the same person appears twice");
                }
                if let (Some(id), false) = (id, number.is_empty()) {
                    let h = households.entry(number.clone()).or_insert_with(|| empty(&number, village));
                    h.members.push(Member {
                        name,
                        relation,
                        id_masked: id.masked(),
                        id_hash: id.keyed_hash(id_key),
                        share_status: c.text("status").to_owned(),
                    });
                    if let Some(phone) = phone {
                        phones.push((phone, number.clone()));
                        phone_cells.push(Cell {
                            file: file.clone(),
                            row: *row_no,
                            column: register.column_name("phone", specs),
                        });
                    }
                }
            } else if !number.is_empty() && !households.contains_key(&number) {
                c.fail("number", "户号不在户籍成员表中 / no such household in the members table");
            } else if let Some(h) = households.get_mut(&number) {
                match *kind {
                    "plots" => {
                        let code = c.required("code");
                        let area = c.decimal("area");
                        let land = h.land.get_or_insert_with(LandContract::default);
                        for (field, value) in [
                            ("contract", &mut land.contract_no),
                            ("certificate", &mut land.certificate_no),
                            ("term", &mut land.term),
                        ] {
                            if value.is_empty() {
                                *value = c.text(field).to_owned();
                            }
                        }
                        land.plots.push(Plot {
                            code,
                            location: c.text("location").to_owned(),
                            bounds: ["east", "south", "west", "north"].map(|k| c.text(k).to_owned()),
                            area,
                            basic_farmland: flag(c.text("basic")),
                        });
                    }
                    "homestead" => {
                        let parcel_area = c.decimal("parcel");
                        let floor_area = if c.text("floor").is_empty() { String::new() } else { c.decimal("floor") };
                        let approval_date = match c.text("approved") {
                            "" => String::new(),
                            _ => c.date("approved").map(|d| d.to_string()).unwrap_or_default(),
                        };
                        h.homestead = Some(Homestead {
                            location: c.text("location").to_owned(),
                            unit_no: c.text("unit").to_owned(),
                            parcel_area,
                            floor_area,
                            approval_no: c.text("approval").to_owned(),
                            approval_date,
                        });
                    }
                    _ => {
                        let shares = c.decimal("shares");
                        let mut dividends = Vec::new();
                        for &(col, year) in &dividend_columns {
                            let text = row.get(col).map_or("", |t| t.trim());
                            if text.is_empty() {
                                continue;
                            }
                            match yangguang_core::ledger::parse_amount(text) {
                                Ok(f) if f.0 >= 0 => dividends.push((year, f)),
                                _ => c.errors.push(RowError {
                                    row: *row_no,
                                    column: register.header()[col].clone(),
                                    value: text.to_owned(),
                                    problem: "分红金额无法识别 / not an amount in yuan".into(),
                                }),
                            }
                        }
                        h.shares = Some(Shares {
                            certificate_no: c.text("certificate").to_owned(),
                            class: c.text("class").to_owned(),
                            shares,
                            dividends: dividends.into_iter().map(|(y, f): (i32, Fen)| (y, f)).collect(),
                        });
                    }
                }
            }
            problems.extend(errors.into_iter().map(|error| Problem::Row { file: file.clone(), error }));
        }
    }
    if problems.is_empty() {
        Ok(Households { households: households.into_values().collect(), phones, phone_cells })
    } else {
        Err(problems)
    }
}

fn empty(number: &str, village: RegionCode) -> Household {
    Household {
        number: number.to_owned(),
        village,
        members: vec![],
        land: None,
        homestead: None,
        shares: None,
        credit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn village() -> RegionCode {
        RegionCode::parse("339921100201").unwrap()
    }

    /// Valid numbers: check digits computed, not copied.
    fn id(seventeen: &str) -> String {
        let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = seventeen.bytes().zip(w).map(|(d, w)| u32::from(d - b'0') * w).sum();
        format!("{seventeen}{}", ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize])
    }

    fn members() -> String {
        format!(
            "前山村户籍成员表\n户号,姓名,与户主关系,身份证号,联系电话\n\
             001,王建明,户主,{},138 0013 8000\n001,李秀英,配偶,{},\n002,张伟,户主,{},13900139000\n",
            id("33992119650312001"),
            id("33992119680101002"),
            id("33992119800505003")
        )
    }

    #[test]
    fn members_plots_homesteads_and_shares_join_on_the_household_number() {
        let plots = "户号,地块编码,坐落,东至,南至,西至,北至,面积（亩）,是否基本农田,承包合同编号\n\
                     001,3399211002010001,溪东,路,沟,张伟,河,1.25,是,HT-001\n001,3399211002010002,后垄,山,路,田,田,0.8,否,HT-001\n";
        let homestead =
            "户号,坐落,宗地面积,建筑面积,批准文号,批准日期\n002,新村路 8 号,120,240.5,宅批〔2019〕12号,2019/5/6\n";
        let shares = "户号,股权证号,股数,2024年分红,2025年度分红\n001,GQ-001,2,600,800\n002,GQ-002,1,300,\n";
        let text = members();
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let files = vec![
            ("shares.csv".to_owned(), shares.as_bytes().to_vec()),
            ("members.csv".to_owned(), gbk.into_owned()),
            ("plots.csv".to_owned(), plots.as_bytes().to_vec()),
            ("homestead.csv".to_owned(), homestead.as_bytes().to_vec()),
        ];
        let read = read_households(&files, village(), b"key").unwrap();
        assert_eq!(read.households.len(), 2);
        let h1 = &read.households[0];
        assert_eq!(h1.members.len(), 2);
        assert!(h1.members[0].id_masked.contains("****") && !h1.members[0].id_hash.is_empty());
        let land = h1.land.as_ref().unwrap();
        assert_eq!((land.plots.len(), land.area_hundredths(), land.contract_no.as_str()), (2, 205, "HT-001"));
        assert!(land.plots[0].basic_farmland && !land.plots[1].basic_farmland);
        assert_eq!(h1.shares.as_ref().unwrap().dividends, [(2024, Fen(60_000)), (2025, Fen(80_000))]);
        assert_eq!(read.households[1].homestead.as_ref().unwrap().approval_date, "2019-05-06");
        assert_eq!(read.phones, [("13800138000".to_owned(), "001".to_owned()), ("13900139000".into(), "002".into())]);
        let cells: Vec<(u64, &str)> = read.phone_cells.iter().map(|c| (c.row, c.column.as_str())).collect();
        assert_eq!(cells, [(3, "联系电话"), (5, "联系电话")], "where each phone is written");
    }

    #[test]
    fn a_malformed_identity_number_and_an_unknown_household_are_row_errors() {
        let bad = members().replace(&id("33992119680101002"), "339921196801010021");
        let plots = "户号,地块编码,面积\n009,1,1.0\n";
        let files = vec![("m.csv".to_owned(), bad.into_bytes()), ("p.csv".to_owned(), plots.as_bytes().to_vec())];
        let problems = read_households(&files, village(), b"key").unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:#?}");
        assert!(text[0].starts_with("m.csv：第 4 行“身份证号”列") && text[0].contains("校验位"), "{}", text[0]);
        assert!(text[1].starts_with("p.csv：第 2 行“户号”列"), "{}", text[1]);
    }

    #[test]
    fn an_import_without_the_members_table_is_refused() {
        let files = vec![("p.csv".to_owned(), "户号,地块编码,面积\n001,1,1.0\n".as_bytes().to_vec())];
        let problems = read_households(&files, village(), b"key").unwrap_err();
        assert!(problems[0].to_string().contains("缺少户籍成员表"), "{problems:?}");
        let files = vec![("x.csv".to_owned(), "名称,数量\n苹果,1\n".as_bytes().to_vec())];
        assert!(read_households(&files, village(), b"key").unwrap_err()[0].to_string().contains("不是可识别"));
    }
}
