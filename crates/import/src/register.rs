//! Registers as villages keep them in spreadsheets (leases, households…): a header row found
//! wherever it is, columns recognised by their usual names, title lines above and total or
//! signature lines below skipped. What each register's cells mean is up to its own reader.

use std::collections::HashMap;

use chrono::NaiveDate;
use yangguang_core::Fen;

use crate::ledger::header_name;
use crate::table::{Table, read_table};
use crate::{ReadError, RowError};

/// A column a register may have: its key, the label errors use, and the names files give it.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub names: &'static [&'static str],
    pub required: bool,
}

/// How far down the header may be.
const HEADER_SEARCH_ROWS: usize = 30;

/// A register's data rows with their spreadsheet row numbers, and where each column is.
#[derive(Debug, Clone)]
pub struct Register {
    pub format: &'static str,
    header: Vec<String>,
    columns: HashMap<&'static str, (usize, String)>,
    pub rows: Vec<(u64, Vec<String>)>,
}

fn is_total_or_signature(row: &[String]) -> bool {
    const MARKERS: [&str; 9] = ["合计", "总计", "小计", "制表", "审核", "填报", "负责人", "备注：", "说明："];
    row.iter().find(|c| !c.trim().is_empty()).is_some_and(|c| MARKERS.iter().any(|m| c.trim().starts_with(m)))
}

impl Register {
    /// Reads a whole register file (CSV in UTF-8 or GBK, or XLSX).
    pub fn read(bytes: &[u8], specs: &[FieldSpec]) -> Result<Self, ReadError> {
        let Table { rows, format } = read_table(bytes)?;
        let mut found = None;
        for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
            let names: Vec<String> = row.iter().map(|c| header_name(c)).collect();
            let mut columns = HashMap::new();
            for spec in specs {
                if let Some(col) = names.iter().position(|n| spec.names.contains(&n.as_str())) {
                    columns.insert(spec.key, (col, row[col].trim().to_owned()));
                }
            }
            if specs.iter().filter(|s| s.required).all(|s| columns.contains_key(s.key)) {
                found = Some((i, columns));
                break;
            }
        }
        let Some((header, columns)) = found else {
            let wanted: Vec<&str> = specs.iter().filter(|s| s.required).map(|s| s.label).collect();
            return Err(ReadError::NoRegisterHeader(wanted.join("、")));
        };
        let header_row = rows[header].clone();
        let rows = rows
            .into_iter()
            .enumerate()
            .skip(header + 1)
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()) && !is_total_or_signature(r))
            .map(|(i, r)| (i as u64 + 1, r))
            .collect();
        Ok(Self { format, header: header_row, columns, rows })
    }

    /// The header row as the file writes it.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    pub fn has(&self, key: &str) -> bool {
        self.columns.contains_key(key)
    }

    /// The trimmed cell of a column in a row; empty when the file has no such column.
    pub fn cell<'r>(&self, row: &'r [String], key: &str) -> &'r str {
        self.columns.get(key).and_then(|(i, _)| row.get(*i)).map_or("", |c| c.trim())
    }

    /// The header as the file writes it, for error messages.
    pub fn column_name(&self, key: &str, specs: &[FieldSpec]) -> String {
        self.columns
            .get(key)
            .map(|(_, n)| n.clone())
            .or_else(|| specs.iter().find(|s| s.key == key).map(|s| s.label.to_owned()))
            .unwrap_or_else(|| key.to_owned())
    }
}

/// Collects a row's problems, each located by row and column.
pub struct RowCheck<'a> {
    pub register: &'a Register,
    pub specs: &'a [FieldSpec],
    pub row_no: u64,
    pub row: &'a [String],
    pub errors: &'a mut Vec<RowError>,
}

impl RowCheck<'_> {
    pub fn text(&self, key: &str) -> &str {
        self.register.cell(self.row, key)
    }

    pub fn fail(&mut self, key: &str, problem: impl Into<String>) {
        self.errors.push(RowError {
            row: self.row_no,
            column: self.register.column_name(key, self.specs),
            value: self.text(key).to_owned(),
            problem: problem.into(),
        });
    }

    /// A required text cell.
    pub fn required(&mut self, key: &str) -> String {
        let value = self.text(key).to_owned();
        if value.is_empty() {
            self.fail(key, "不能为空 / required");
        }
        value
    }

    /// A date as registers write it: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let value = self.text(key).to_owned();
        let parsed = parse_date(&value);
        if parsed.is_none() {
            self.fail(key, "日期无法识别，请写作 2026-03-05 / not a date");
        }
        parsed
    }

    /// An amount in yuan (thousands separators, full-width digits allowed); never negative.
    pub fn amount(&mut self, key: &str) -> Fen {
        let value = self.text(key).to_owned();
        match yangguang_core::ledger::parse_amount(&value) {
            Ok(f) if f.0 >= 0 && !value.is_empty() => f,
            _ => {
                self.fail(key, "金额无法识别 / not an amount in yuan");
                Fen(0)
            }
        }
    }

    /// A non-negative decimal (an area), as text with at most two decimals.
    pub fn decimal(&mut self, key: &str) -> String {
        let value: String = self.text(key).replace(',', "");
        match yangguang_core::ledger::parse_amount(&value) {
            Ok(f) if f.0 >= 0 && !value.is_empty() => {
                let text = format!("{}.{:02}", f.0 / 100, f.0 % 100);
                text.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
            _ => {
                self.fail(key, "应为数字（最多两位小数）/ not a number");
                String::new()
            }
        }
    }
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim().replace(['年', '月', '/', '.'], "-").replace('日', "");
    let t = t.split_whitespace().next().unwrap_or("");
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().or_else(|| NaiveDate::parse_from_str(t, "%Y%m%d").ok())
}

/// Organisations are named in full; anyone else is a person, shown masked.
pub fn looks_like_organisation(name: &str) -> bool {
    const MARKS: [&str; 12] =
        ["公司", "合作社", "厂", "中心", "场", "店", "局", "委员会", "学校", "医院", "协会", "集团"];
    MARKS.iter().any(|m| name.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[FieldSpec] = &[
        FieldSpec { key: "no", label: "合同编号", names: &["合同编号", "合同号"], required: true },
        FieldSpec { key: "rent", label: "年租金", names: &["年租金", "租金"], required: true },
        FieldSpec { key: "note", label: "备注", names: &["备注"], required: false },
    ];

    #[test]
    fn the_header_is_found_below_a_title_and_totals_are_skipped() {
        let csv =
            "前山村经济合同台账\n\n合同号, 年租金（元）\nHT-1,\"36,000\"\n\nHT-2,1200\n合计,37200\n制表：王秀英\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(csv);
        let r = Register::read(&gbk, SPECS).unwrap();
        assert_eq!(r.format, "csv-gb18030");
        let rows: Vec<(u64, &str)> = r.rows.iter().map(|(n, row)| (*n, r.cell(row, "no"))).collect();
        assert_eq!(rows, [(4, "HT-1"), (6, "HT-2")], "rows as a spreadsheet numbers them, blank ones too");
        assert_eq!(r.column_name("rent", SPECS), "年租金（元）");
        assert!(!r.has("note"));
    }

    #[test]
    fn a_file_without_the_columns_names_what_is_missing() {
        let err = Register::read("姓名,电话\n张三,1\n".as_bytes(), SPECS).unwrap_err();
        assert!(err.to_string().contains("合同编号、年租金"), "{err}");
    }

    #[test]
    fn dates_come_in_every_usual_form() {
        for t in ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305", "2026-03-05 00:00:00"] {
            assert_eq!(parse_date(t), NaiveDate::from_ymd_opt(2026, 3, 5), "{t}");
        }
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
