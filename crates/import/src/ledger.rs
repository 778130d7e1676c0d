//! Ledger exports from village accounting software: find the header wherever it is, skip
//! title, total and signature lines, recognise columns by their usual names (or a saved
//! mapping), read every entry line, and report every problem by row and column in one pass.

use std::collections::HashMap;

use chrono::NaiveDate;
use yangguang_core::accounts::Charts;
use yangguang_core::ledger::{LedgerEntry, VoucherKey, parse_amount, parse_date, unbalanced};

use crate::table::{Table, read_table};
use crate::{ReadError, RowError};

/// The header is looked for in this many first rows.
const HEADER_SEARCH_ROWS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Date,
    Voucher,
    Summary,
    AccountCode,
    AccountName,
    Debit,
    Credit,
    Attachments,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Date,
        Field::Voucher,
        Field::Summary,
        Field::AccountCode,
        Field::AccountName,
        Field::Debit,
        Field::Credit,
        Field::Attachments,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Date => "凭证日期",
            Self::Voucher => "凭证号",
            Self::Summary => "摘要",
            Self::AccountCode => "科目编码",
            Self::AccountName => "科目名称",
            Self::Debit => "借方金额",
            Self::Credit => "贷方金额",
            Self::Attachments => "附件数",
        }
    }

    /// The names accounting exports use for the column.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::Date => &["凭证日期", "日期", "记账日期", "制单日期", "业务日期"],
            Self::Voucher => &["凭证号", "凭证字号", "凭证编号", "凭证字", "字号", "凭证"],
            Self::Summary => &["摘要", "凭证摘要", "业务摘要"],
            Self::AccountCode => &["科目编码", "科目代码", "会计科目编码", "科目号", "科目编号"],
            Self::AccountName => &["科目名称", "会计科目", "科目", "会计科目名称"],
            Self::Debit => &["借方", "借方金额", "借方发生额", "借"],
            Self::Credit => &["贷方", "贷方金额", "贷方发生额", "贷"],
            Self::Attachments => &["附件数", "附件", "附单据数", "单据数"],
        }
    }

    /// A stable name for saving a clerk's column names.
    pub fn key(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::Voucher => "voucher",
            Self::Summary => "summary",
            Self::AccountCode => "account_code",
            Self::AccountName => "account_name",
            Self::Debit => "debit",
            Self::Credit => "credit",
            Self::Attachments => "attachments",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    fn required(self) -> bool {
        matches!(self, Self::Date | Self::Voucher | Self::AccountCode | Self::Debit | Self::Credit)
    }
}

/// Column positions (0-based) for each field; a clerk may save one per village.
pub type ColumnMapping = HashMap<Field, usize>;

/// `借方金额（元）` → `借方金额`: units and spaces are not part of a header's name.
fn header_name(cell: &str) -> String {
    let mut s: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let (Some(a), Some(b)) = (s.find(open), s.rfind(close))
            && a < b
        {
            s.replace_range(a..b + close.len_utf8(), "");
        }
    }
    s
}

/// Column names a village's software uses beyond the usual ones, saved by its clerk.
pub type ExtraNames = HashMap<Field, Vec<String>>;

/// Recognises a header row: every required field found, each column used once.
pub fn recognise_header(row: &[String]) -> Option<ColumnMapping> {
    recognise_header_with(row, &ExtraNames::new())
}

pub fn recognise_header_with(row: &[String], extra: &ExtraNames) -> Option<ColumnMapping> {
    let names: Vec<String> = row.iter().map(|c| header_name(c)).collect();
    let mut mapping = ColumnMapping::new();
    // The clerk's saved names first, then exact usual names, so 科目编码 and 科目 (name) do not compete.
    for field in Field::ALL {
        let saved = extra.get(&field).map(Vec::as_slice).unwrap_or(&[]);
        let known = |n: &str| saved.iter().any(|s| header_name(s) == n) || field.synonyms().contains(&n);
        if let Some(col) =
            names.iter().enumerate().find(|(i, n)| known(n) && !mapping.values().any(|v| v == i)).map(|(i, _)| i)
        {
            mapping.insert(field, col);
        }
    }
    Field::ALL.iter().filter(|f| f.required()).all(|f| mapping.contains_key(f)).then_some(mapping)
}

/// What the reader found in a file.
#[derive(Debug, Clone, Default)]
pub struct LedgerRead {
    pub entries: Vec<LedgerEntry>,
    pub errors: Vec<RowError>,
    /// Lines above the header and total/signature lines below it, skipped on purpose.
    pub skipped_rows: Vec<u64>,
    pub header_row: u64,
    pub format: &'static str,
}

impl LedgerRead {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What the import accepts: the period its dates must fall in, and the charts its codes must
/// be in (the one in force on each entry's date).
pub struct LedgerRules<'a> {
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub charts: Option<&'a Charts>,
    pub mapping: Option<&'a ColumnMapping>,
    /// The village's saved column names, if any.
    pub extra_names: Option<&'a ExtraNames>,
}

fn is_total_or_signature(row: &[String]) -> bool {
    const MARKERS: [&str; 12] =
        ["合计", "总计", "本月合计", "本年累计", "累计", "小计", "制表", "审核", "记账", "出纳", "主管", "会计主管"];
    row.iter().any(|c| MARKERS.iter().any(|m| c.contains(m)))
}

/// Reads a ledger file. A file that cannot be read at all is an `Err`; a readable one comes
/// back with every entry it could read and every problem it found.
pub fn read_ledger(bytes: &[u8], rules: &LedgerRules<'_>) -> Result<LedgerRead, ReadError> {
    let Table { rows, format } = read_table(bytes)?;
    let (header_index, mapping) = match rules.mapping {
        Some(m) => {
            // With a saved mapping the header is the first row whose mapped date cell is not a date.
            let index = rows
                .iter()
                .position(|r| r.get(m[&Field::Date]).is_some_and(|c| !c.is_empty() && parse_date(c).is_none()));
            (index.unwrap_or(0), m.clone())
        }
        None => rows
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .enumerate()
            .find_map(|(i, r)| {
                recognise_header_with(r, rules.extra_names.unwrap_or(&ExtraNames::new())).map(|m| (i, m))
            })
            .ok_or(ReadError::NoHeader(HEADER_SEARCH_ROWS))?,
    };
    let header = &rows[header_index];
    let column_name = |f: Field| -> String {
        mapping
            .get(&f)
            .and_then(|&c| header.get(c))
            .filter(|h| !h.is_empty())
            .cloned()
            .unwrap_or_else(|| f.label().to_owned())
    };
    let mut read = LedgerRead {
        header_row: header_index as u64 + 1,
        skipped_rows: (1..=header_index as u64).collect(),
        format,
        ..LedgerRead::default()
    };
    let mut voucher_dates: HashMap<(i32, u32, String), (NaiveDate, u64)> = HashMap::new();
    let mut current: Option<(i32, u32, String)> = None;
    for (i, row) in rows.iter().enumerate().skip(header_index + 1) {
        let row_no = i as u64 + 1;
        let cell = |f: Field| -> &str { mapping.get(&f).and_then(|&c| row.get(c)).map_or("", |s| s.as_str()) };
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let date_text = cell(Field::Date);
        if parse_date(date_text).is_none() && is_total_or_signature(row) {
            read.skipped_rows.push(row_no);
            continue;
        }
        let mut err = |f: Field, value: &str, problem: String| {
            read.errors.push(RowError { row: row_no, column: column_name(f), value: value.to_owned(), problem })
        };
        let date = match parse_date(date_text) {
            Some(d) => {
                if let Some((start, end)) = rules.period.filter(|(s, e)| d < *s || d > *e) {
                    err(
                        Field::Date,
                        date_text,
                        format!("日期不在导入期间 {start} 至 {end} 内 / the date is outside the period"),
                    );
                }
                Some(d)
            }
            None => {
                err(Field::Date, date_text, "日期无法识别，应如 2026-03-05 / not a date".into());
                None
            }
        };
        let voucher = cell(Field::Voucher).to_owned();
        if voucher.is_empty() {
            err(Field::Voucher, "", "凭证号为空 / the voucher number is missing".into());
        }
        let code = cell(Field::AccountCode).to_owned();
        if code.is_empty() {
            err(Field::AccountCode, "", "科目编码为空 / the account code is missing".into());
        } else if let (Some(charts), Some(d)) = (rules.charts, date) {
            let chart = charts.for_date(d);
            if chart.resolve(&code).is_none() {
                err(Field::AccountCode, &code, format!("科目编码不在{}年科目表中 / unknown account code", chart.id));
            }
        }
        let mut amount = |f: Field| match parse_amount(cell(f)) {
            Ok(v) => Some(v),
            Err(e) => {
                err(f, cell(f), e.to_string());
                None
            }
        };
        let (debit, credit) = (amount(Field::Debit), amount(Field::Credit));
        if let (Some(d), Some(c)) = (debit, credit) {
            if d.0 == 0 && c.0 == 0 {
                err(Field::Debit, "", "借方和贷方金额都为空 / neither a debit nor a credit".into());
            } else if d.0 != 0 && c.0 != 0 {
                err(
                    Field::Credit,
                    cell(Field::Credit),
                    "同一行借方和贷方都有金额，应分两行 / both a debit and a credit on one line".into(),
                );
            }
        }
        let attachments_text = cell(Field::Attachments);
        let attachments = if attachments_text.is_empty() {
            0
        } else {
            match attachments_text.parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    err(Field::Attachments, attachments_text, "附件数应为整数 / not a whole number".into());
                    0
                }
            }
        };
        let (Some(date), Some(debit), Some(credit)) = (date, debit, credit) else { continue };
        if voucher.is_empty() || code.is_empty() {
            continue;
        }
        let entry = LedgerEntry {
            date,
            voucher_no: voucher.clone(),
            summary: cell(Field::Summary).to_owned(),
            account_code: code,
            account_name: cell(Field::AccountName).to_owned(),
            debit,
            credit,
            attachments,
            row: row_no,
        };
        let key = VoucherKey::of(&entry);
        let id = (key.year, key.month, key.number.clone());
        // A voucher's lines are together; the same number again further down is another voucher.
        if current.as_ref() != Some(&id) {
            if let Some((_, first_row)) = voucher_dates.get(&id) {
                err(
                    Field::Voucher,
                    &voucher,
                    format!("凭证号 {voucher} 重复：第 {first_row} 行已有同号凭证 / a duplicate voucher number"),
                );
            }
            current = Some(id);
        }
        match voucher_dates.get(&(key.year, key.month, key.number.clone())) {
            Some((d, first_row)) if *d != date => err(
                Field::Date,
                date_text,
                format!("凭证 {voucher} 在第 {first_row} 行的日期是 {d}，同一凭证日期应相同 / one voucher, two dates"),
            ),
            Some(_) => {}
            None => {
                voucher_dates.insert((key.year, key.month, key.number), (date, row_no));
            }
        }
        read.entries.push(entry);
    }
    for u in unbalanced(&read.entries) {
        read.errors.push(RowError {
            row: u.rows[0],
            column: column_name(Field::Voucher),
            value: u.key.number.clone(),
            problem: format!(
                "凭证借贷不平：借方合计 {} 元，贷方合计 {} 元（第 {} 行）/ the voucher does not balance",
                u.debit,
                u.credit,
                u.rows.iter().map(u64::to_string).collect::<Vec<_>>().join("、")
            ),
        });
    }
    read.errors.sort_by_key(|e| e.row);
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = "chart = \"2004\"\n\
        [[account]]\ncode = \"101\"\nname = \"现金\"\nkind = \"asset\"\n\
        [[account]]\ncode = \"102\"\nname = \"银行存款\"\nkind = \"asset\"\n\
        [[account]]\ncode = \"501\"\nname = \"经营收入\"\nkind = \"income\"\n\
        [[account]]\ncode = \"541\"\nname = \"管理费用\"\nkind = \"expense\"\n";

    /// A typical export: a title line, the header, entries, a total line, a signature line.
    const EXPORT: &str = "青山镇前山村 2026年3月 凭证明细账,,,,,,,\n\
        ,,,,,,,\n\
        凭证日期,凭证字号,摘要,科目编码,科目名称,借方金额（元）,贷方金额（元）,附件数\n\
        2026-03-05,记-001,收厂房租金,102,银行存款,\"12,000.00\",,1\n\
        2026-03-05,记-001,收厂房租金,501003,租赁收入,,\"12,000.00\",\n\
        2026/3/8,记-002,购办公用品,541,管理费用,３２０．５０,,2\n\
        2026/3/8,记-002,购办公用品,101,现金,,320.50,\n\
        ,,本月合计,,,\"12,320.50\",\"12,320.50\",\n\
        制表：王秀英,,审核：李建国,,,,,\n";

    fn rules(charts: &Charts) -> LedgerRules<'_> {
        let period = (NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        LedgerRules { period: Some(period), charts: Some(charts), mapping: None, extra_names: None }
    }

    fn charts() -> Charts {
        Charts::single(yangguang_core::accounts::Chart::parse("c.toml", CHART).unwrap())
    }

    #[test]
    fn a_gbk_export_with_title_and_total_lines_imports_cleanly() {
        let charts = charts();
        let (gbk, _, _) = encoding_rs::GBK.encode(EXPORT);
        let read = read_ledger(&gbk, &rules(&charts)).unwrap();
        assert!(read.is_clean(), "{:#?}", read.errors);
        assert_eq!((read.format, read.header_row, read.entries.len()), ("csv-gb18030", 3, 4));
        assert_eq!(read.skipped_rows, vec![1, 2, 8, 9]);
        let e = &read.entries[2];
        assert_eq!((e.debit.0, e.attachments, e.row, e.account_code.as_str()), (32_050, 2, 6, "541"));
    }

    #[test]
    fn every_problem_is_listed_by_row_and_column_in_one_pass() {
        let charts = charts();
        let broken = "凭证日期,凭证号,摘要,科目编码,借方,贷方\n\
            2026-03-05,记-1,收租金,102,1000.00,\n\
            2026-03-05,记-1,收租金,999,,900.00\n\
            2026-04-01,记-2,越期,101,abc,\n\
            2026-03-09,记-3,两边,101,5.00,5.00\n\
            昨天,记-4,坏日期,101,1.00,\n";
        let read = read_ledger(broken.as_bytes(), &rules(&charts)).unwrap();
        let found: Vec<(u64, &str)> = read.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            found,
            vec![(2, "凭证号"), (3, "科目编码"), (4, "凭证日期"), (4, "借方"), (5, "贷方"), (6, "凭证日期")],
            "{:#?}",
            read.errors
        );
        assert!(read.errors[0].problem.contains("借贷不平"));
        assert!(read.errors[1].to_string().contains("第 3 行“科目编码”列（999）"));
    }

    #[test]
    fn a_duplicate_voucher_number_further_down_is_an_error() {
        let text = "凭证日期,凭证号,科目编码,借方,贷方\n\
            2026-03-05,记-1,101,10,\n2026-03-05,记-1,102,,10\n\
            2026-03-06,记-2,101,5,\n2026-03-06,记-2,102,,5\n\
            2026-03-07,记-001,101,7,\n2026-03-07,记-001,102,,7\n";
        let read =
            read_ledger(text.as_bytes(), &LedgerRules { period: None, charts: None, mapping: None, extra_names: None })
                .unwrap();
        let dup: Vec<_> = read.errors.iter().filter(|e| e.problem.contains("重复")).collect();
        assert_eq!(dup.len(), 1, "{:#?}", read.errors);
        assert_eq!((dup[0].row, dup[0].column.as_str()), (6, "凭证号"));
    }

    #[test]
    fn a_file_that_is_not_a_ledger_says_so() {
        let err = read_ledger(
            "姓名,电话\n张三,123\n".as_bytes(),
            &LedgerRules { period: None, charts: None, mapping: None, extra_names: None },
        )
        .unwrap_err();
        assert!(matches!(err, ReadError::NoHeader(_)), "{err:?}");
    }

    #[test]
    fn headers_are_recognised_by_synonyms_and_units_ignored() {
        let row: Vec<String> = ["日期", "凭证编号", "会计科目编码", "会计科目", "借方发生额(元)", "贷方发生额(元)"]
            .map(String::from)
            .into();
        let m = recognise_header(&row).unwrap();
        assert_eq!((m[&Field::AccountCode], m[&Field::AccountName], m[&Field::Credit]), (2, 3, 5));
    }

    #[test]
    fn a_clerks_saved_column_names_find_an_unusual_header() {
        let text = "时间,号,代码,收,付\n2026-03-05,1,101,10,\n2026-03-05,1,102,,10\n";
        let none = LedgerRules { period: None, charts: None, mapping: None, extra_names: None };
        assert!(matches!(read_ledger(text.as_bytes(), &none), Err(ReadError::NoHeader(_))));
        let extra: ExtraNames = [
            (Field::Date, vec!["时间".to_string()]),
            (Field::Voucher, vec!["号".into()]),
            (Field::AccountCode, vec!["代码".into()]),
            (Field::Debit, vec!["收".into()]),
            (Field::Credit, vec!["付".into()]),
        ]
        .into();
        let read = read_ledger(text.as_bytes(), &LedgerRules { extra_names: Some(&extra), ..none }).unwrap();
        assert!(read.is_clean(), "{:#?}", read.errors);
        assert_eq!(read.entries.len(), 2);
    }

    #[test]
    fn a_saved_mapping_reads_unusual_headers() {
        let text = "时间,号,代码,收,付\n2026-03-05,1,101,10,\n2026-03-05,1,102,,10\n";
        let mapping: ColumnMapping =
            [(Field::Date, 0), (Field::Voucher, 1), (Field::AccountCode, 2), (Field::Debit, 3), (Field::Credit, 4)]
                .into();
        let read = read_ledger(
            text.as_bytes(),
            &LedgerRules { period: None, charts: None, mapping: Some(&mapping), extra_names: None },
        )
        .unwrap();
        assert!(read.is_clean(), "{:#?}", read.errors);
        assert_eq!(read.entries.len(), 2);
    }
}

#[cfg(test)]
mod xlsx_tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    /// An XLSX export as accounting software writes it: a title, real date cells, numbers.
    fn xlsx() -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_string(0, 0, "前山村 2026年3月 凭证明细账").unwrap();
        for (c, h) in ["凭证日期", "凭证号", "摘要", "科目编码", "借方金额", "贷方金额"].iter().enumerate()
        {
            sheet.write_string(2, c as u16, *h).unwrap();
        }
        let day = ExcelDateTime::from_ymd(2026, 3, 5).unwrap();
        for (r, (code, debit, credit)) in [("102", 1200.5, 0.0), ("501", 0.0, 1200.5)].iter().enumerate() {
            let r = 3 + r as u32;
            sheet.write_datetime_with_format(r, 0, &day, &date).unwrap();
            sheet.write_string(r, 1, "记-001").unwrap();
            sheet.write_string(r, 2, "收租金").unwrap();
            sheet.write_string(r, 3, *code).unwrap();
            if *debit > 0.0 {
                sheet.write_number(r, 4, *debit).unwrap();
            }
            if *credit > 0.0 {
                sheet.write_number(r, 5, *credit).unwrap();
            }
        }
        sheet.write_string(5, 2, "合计").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_export_reads_with_dates_and_amounts() {
        let read = read_ledger(&xlsx(), &LedgerRules { period: None, charts: None, mapping: None, extra_names: None })
            .unwrap();
        assert!(read.is_clean(), "{:#?}", read.errors);
        assert_eq!((read.format, read.header_row), ("xlsx", 3));
        assert_eq!(read.entries.len(), 2);
        assert_eq!(read.entries[0].date, NaiveDate::from_ymd_opt(2026, 3, 5).unwrap());
        assert_eq!((read.entries[0].debit.0, read.entries[0].row), (120_050, 4));
        assert_eq!(read.skipped_rows, vec![1, 2, 6]);
    }

    #[test]
    fn a_truncated_xlsx_changes_nothing_and_says_why() {
        let mut bytes = xlsx();
        bytes.truncate(bytes.len() / 2);
        let err = read_ledger(&bytes, &LedgerRules { period: None, charts: None, mapping: None, extra_names: None })
            .unwrap_err();
        assert!(matches!(err, ReadError::Xlsx(_)), "{err:?}");
    }
}
