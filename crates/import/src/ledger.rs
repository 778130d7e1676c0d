//! Ledger exports from village accounting software: find the header wherever it is, skip
//! title, total and signature lines, recognise columns by their usual names (or a saved
//! mapping), read every entry line, and report every problem by row and column in one pass.
//! The file is read as a stream: vouchers come out in batches as their lines end, so memory
//! stays the same whatever the file's size.

use std::collections::{HashMap, VecDeque};

use chrono::NaiveDate;
use yangguang_core::accounts::Charts;
use yangguang_core::ledger::{LedgerEntry, Voucher, VoucherKey, parse_amount, parse_date, unbalanced, vouchers};

use crate::lease::NamedDecision;
use crate::table::{Row, RowStream, Source};
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
    /// The decision (决议编号) that authorised the voucher; optional.
    Decision,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Date,
        Field::Voucher,
        Field::Summary,
        Field::AccountCode,
        Field::AccountName,
        Field::Debit,
        Field::Credit,
        Field::Attachments,
        Field::Decision,
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
            Self::Decision => "决议编号",
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
            Self::Decision => &crate::lease::DECISION_NAMES,
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
            Self::Decision => "decision",
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
pub(crate) fn header_name(cell: &str) -> String {
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

/// What the reader found in a whole file (see [`read_ledger`]).
#[derive(Debug, Clone, Default)]
pub struct LedgerRead {
    pub entries: Vec<LedgerEntry>,
    pub errors: Vec<RowError>,
    /// Lines above the header and total/signature lines below it, skipped on purpose.
    pub skipped_rows: Vec<u64>,
    pub header_row: u64,
    pub format: &'static str,
    /// The decision numbers (决议编号) the lines name.
    pub decisions: Vec<NamedDecision>,
}

impl LedgerRead {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What the import accepts: the period its dates must fall in, and the charts its codes must
/// be in (the one in force on each entry's date).
#[derive(Clone, Copy)]
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

/// Reads a whole ledger file into memory: for small files and tests. Imports use
/// [`LedgerReader`], which streams. Repeated voucher numbers are found by the store, which
/// sees every file of an import.
pub fn read_ledger(bytes: &[u8], rules: &LedgerRules<'_>) -> Result<LedgerRead, ReadError> {
    let mut reader = LedgerReader::open(std::io::Cursor::new(bytes.to_vec()), *rules)?;
    let mut read = LedgerRead { header_row: reader.header_row, format: reader.format, ..LedgerRead::default() };
    while let Some(batch) = reader.next_batch(usize::MAX)? {
        read.entries.extend(batch.vouchers.into_iter().flat_map(|v| v.lines));
        read.errors.extend(batch.errors);
        read.decisions.extend(batch.decisions);
    }
    read.entries.sort_by_key(|e| e.row);
    read.errors.sort_by_key(|e| e.row);
    read.skipped_rows = reader.skipped_rows;
    Ok(read)
}

/// Vouchers whose lines have all been read, and the problems found on the way.
#[derive(Debug, Default)]
pub struct LedgerBatch {
    pub vouchers: Vec<Voucher>,
    pub errors: Vec<RowError>,
    /// The decision numbers (决议编号) lines name, keyed by [`voucher_ref`]; a line's number
    /// comes out no later than its voucher.
    pub decisions: Vec<NamedDecision>,
}

/// A voucher's key among decision links: its month and its number as the books write it.
pub fn voucher_ref(date: NaiveDate, voucher_no: &str) -> String {
    format!("{}:{voucher_no}", date.format("%Y-%m"))
}

/// The voucher whose lines are being read.
struct Open {
    key: (i32, u32, String),
    date: NaiveDate,
    first_row: u64,
    lines: Vec<LedgerEntry>,
}

/// A ledger file read voucher by voucher.
pub struct LedgerReader<'a> {
    rows: RowStream,
    /// Rows read while looking for the header and not yet processed.
    early: VecDeque<Row>,
    rules: LedgerRules<'a>,
    mapping: ColumnMapping,
    header: Vec<String>,
    pub format: &'static str,
    pub header_row: u64,
    /// Title, total and signature lines skipped on purpose (the first hundred).
    pub skipped_rows: Vec<u64>,
    pub skipped: usize,
    pub entries: usize,
    open: Option<Open>,
}

impl<'a> LedgerReader<'a> {
    /// Finds the header; a file that cannot be read or has no header is an error here.
    pub fn open(source: impl Source, rules: LedgerRules<'a>) -> Result<Self, ReadError> {
        let mut rows = RowStream::open(source)?;
        let mut early = VecDeque::new();
        let none = ExtraNames::new();
        let mut found = None;
        while early.len() < HEADER_SEARCH_ROWS {
            let Some(row) = rows.next().transpose()? else { break };
            let header = match rules.mapping {
                // With a saved mapping the header is the first row whose mapped date cell is not a date.
                Some(m) => row
                    .1
                    .get(m[&Field::Date])
                    .is_some_and(|c| !c.is_empty() && parse_date(c).is_none())
                    .then(|| m.clone()),
                None => recognise_header_with(&row.1, rules.extra_names.unwrap_or(&none)),
            };
            early.push_back(row);
            if let Some(m) = header {
                found = Some(m);
                break;
            }
        }
        let (header, mapping) = match (found, rules.mapping) {
            (Some(m), _) => (early.pop_back().expect("the header row was kept"), m),
            // A saved mapping and no header line: every row is data.
            (None, Some(m)) => ((0, vec![]), m.clone()),
            (None, None) => return Err(ReadError::NoHeader(HEADER_SEARCH_ROWS)),
        };
        early.retain(|(n, _)| *n > header.0);
        Ok(LedgerReader {
            format: rows.format,
            rows,
            early,
            rules,
            mapping,
            header_row: header.0,
            skipped: header.0.saturating_sub(1) as usize,
            skipped_rows: (1..header.0).collect(),
            header: header.1,
            entries: 0,
            open: None,
        })
    }

    /// The column's name as this file writes it.
    pub fn column_name(&self, f: Field) -> String {
        self.mapping
            .get(&f)
            .and_then(|&c| self.header.get(c))
            .filter(|h| !h.is_empty())
            .cloned()
            .unwrap_or_else(|| f.label().to_owned())
    }

    /// The next vouchers, about `max_lines` lines of them, with the problems found reading
    /// them; `None` once the file is done.
    pub fn next_batch(&mut self, max_lines: usize) -> Result<Option<LedgerBatch>, ReadError> {
        let mut batch = LedgerBatch::default();
        let mut lines = 0;
        let mut ended = false;
        while lines < max_lines {
            let row = match self.early.pop_front() {
                Some(r) => r,
                None => match self.rows.next().transpose()? {
                    Some(r) => r,
                    None => {
                        ended = true;
                        break;
                    }
                },
            };
            lines += 1;
            self.read_row(row, &mut batch);
        }
        if ended {
            if let Some(open) = self.open.take() {
                self.close(open, &mut batch);
            }
            if batch.vouchers.is_empty() && batch.errors.is_empty() && lines == 0 {
                return Ok(None);
            }
        }
        batch.errors.sort_by_key(|e| e.row);
        Ok(Some(batch))
    }

    fn read_row(&mut self, (row_no, row): Row, batch: &mut LedgerBatch) {
        let cell = |f: Field| -> &str { self.mapping.get(&f).and_then(|&c| row.get(c)).map_or("", |s| s.as_str()) };
        if row.iter().all(|c| c.is_empty()) {
            return;
        }
        let date_text = cell(Field::Date);
        if parse_date(date_text).is_none() && is_total_or_signature(&row) {
            self.skipped += 1;
            if self.skipped_rows.len() < 100 {
                self.skipped_rows.push(row_no);
            }
            return;
        }
        let mut errors = vec![];
        let mut err = |f: Field, value: &str, problem: String| errors.push((f, value.to_owned(), problem));
        let date = match parse_date(date_text) {
            Some(d) => {
                if let Some((start, end)) = self.rules.period.filter(|(s, e)| d < *s || d > *e) {
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
        } else if let (Some(charts), Some(d)) = (self.rules.charts, date) {
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
            attachments_text.parse::<u32>().unwrap_or_else(|_| {
                err(Field::Attachments, attachments_text, "附件数应为整数 / not a whole number".into());
                0
            })
        };
        let entry = match (date, debit, credit) {
            (Some(date), Some(debit), Some(credit)) if !voucher.is_empty() && !code.is_empty() => Some(LedgerEntry {
                date,
                voucher_no: voucher.clone(),
                summary: cell(Field::Summary).to_owned(),
                account_code: code,
                account_name: cell(Field::AccountName).to_owned(),
                debit,
                credit,
                attachments,
                row: row_no,
            }),
            _ => None,
        };
        let decision = cell(Field::Decision).trim();
        if let (Some(entry), false) = (&entry, decision.is_empty()) {
            batch.decisions.push(NamedDecision {
                row: row_no,
                column: self.column_name(Field::Decision),
                key: voucher_ref(entry.date, &entry.voucher_no),
                number: decision.to_owned(),
            });
        }
        if let Some(entry) = entry {
            // A voucher's lines are together: a new number closes the voucher before it.
            let key = VoucherKey::of(&entry);
            let key = (key.year, key.month, key.number);
            match &mut self.open {
                Some(open) if open.key == key => {
                    if open.date != entry.date {
                        errors.push((
                            Field::Date,
                            date_text.to_owned(),
                            format!(
                                "凭证 {voucher} 在第 {} 行的日期是 {}，同一凭证日期应相同 / one voucher, two dates",
                                open.first_row, open.date
                            ),
                        ));
                    }
                    open.lines.push(entry);
                }
                _ => {
                    let next = Open { key, date: entry.date, first_row: row_no, lines: vec![entry] };
                    if let Some(done) = self.open.replace(next) {
                        self.close(done, batch);
                    }
                }
            }
            self.entries += 1;
        }
        batch.errors.extend(errors.into_iter().map(|(f, value, problem)| RowError {
            row: row_no,
            column: self.column_name(f),
            value,
            problem,
        }));
    }

    /// A voucher whose lines are all read: it must balance.
    fn close(&self, open: Open, batch: &mut LedgerBatch) {
        for u in unbalanced(&open.lines) {
            batch.errors.push(RowError {
                row: open.first_row,
                column: self.column_name(Field::Voucher),
                value: u.key.number.clone(),
                problem: format!(
                    "凭证借贷不平：借方合计 {} 元，贷方合计 {} 元（第 {} 行）/ the voucher does not balance",
                    u.debit,
                    u.credit,
                    u.rows.iter().map(u64::to_string).collect::<Vec<_>>().join("、")
                ),
            });
        }
        batch.vouchers.extend(vouchers(&open.lines));
    }
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
    fn a_decision_number_column_names_the_vouchers_decision() {
        let charts = charts();
        let text = "凭证日期,凭证号,摘要,科目编码,借方,贷方,决议编号\n\
            2026-03-05,记-1,付修路款,541,50000.00,,2026-003\n\
            2026-03-05,记-1,付修路款,102,,50000.00,\n\
            2026-03-09,记-2,购办公用品,541,20.00,,\n\
            2026-03-09,记-2,购办公用品,101,,20.00,\n";
        let read = read_ledger(text.as_bytes(), &rules(&charts)).unwrap();
        assert!(read.is_clean(), "{:#?}", read.errors);
        assert_eq!(read.entries.len(), 4, "the column does not change the entries");
        let named: Vec<(u64, &str, &str, &str)> =
            read.decisions.iter().map(|d| (d.row, d.column.as_str(), d.key.as_str(), d.number.as_str())).collect();
        assert_eq!(named, vec![(2, "决议编号", "2026-03:记-1", "2026-003")]);
        // A file without the column names none.
        assert!(read_ledger(EXPORT.as_bytes(), &rules(&charts)).unwrap().decisions.is_empty());
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
