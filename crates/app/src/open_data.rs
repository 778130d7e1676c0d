//! Open data from the books: a month's statement as CSV and XLSX, and a village's ledger for
//! a year as a Fiscal Data Package (`datapackage.json` with measures and dimensions, and the
//! CSV it describes). Only months whose accounts were published are included.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};
use yangguang_core::accounts::{AccountKind, Charts};
use yangguang_core::finance::Statement;
use yangguang_core::ledger::{LedgerEntry, voucher_label};
use yangguang_core::{Fen, Period, RegionCode};

use crate::finance::{BOM, CsvFile, MONTHLY_ACCOUNTS_ITEM, plain_yuan as yuan, spreadsheet_text as text};
use crate::{AppError, Site};

/// The statement's figures, one row per line: section, category, amount (yuan), vouchers.
fn statement_rows(s: &Statement) -> Vec<[String; 4]> {
    let mut rows = vec![];
    for (section, lines, total) in [("收入", &s.income, s.total_income), ("支出", &s.expenditure, s.total_expenditure)]
    {
        for l in lines {
            rows.push([section.into(), l.category.clone(), yuan(l.amount), l.vouchers.len().to_string()]);
        }
        rows.push([section.into(), "合计".into(), yuan(total), String::new()]);
    }
    for (name, open, close) in
        [("银行存款", s.opening_bank, s.closing_bank), ("库存现金", s.opening_cash, s.closing_cash)]
    {
        rows.push(["期初余额".into(), name.into(), yuan(open), String::new()]);
        rows.push(["期末余额".into(), name.into(), yuan(close), String::new()]);
    }
    rows
}

const STATEMENT_HEADER: [&str; 4] = ["项目", "类别", "金额（元）", "凭证数"];

/// UTF-8 with a BOM, so spreadsheet programs in China open it correctly; cells quoted where
/// they must be (RFC 4180), altered only to neutralise formulas ([`spreadsheet_text`]).
pub fn statement_csv(s: &Statement) -> Vec<u8> {
    let mut file = CsvFile::new(BOM);
    file.row(STATEMENT_HEADER);
    for row in statement_rows(s) {
        file.row(&row);
    }
    file.into_bytes()
}

pub fn statement_xlsx(s: &Statement, title: &str) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Invalid(format!("XLSX: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let money = rust_xlsxwriter::Format::new().set_num_format("#,##0.00");
    // Text cells go through the same formula rule as the CSV ([`spreadsheet_text`]); amounts
    // are numbers.
    sheet.write_string_with_format(0, 0, text(title), &bold).map_err(fail)?;
    for (c, h) in STATEMENT_HEADER.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, text(h), &bold).map_err(fail)?;
    }
    for (i, row) in statement_rows(s).iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string(r, 0, text(&row[0])).map_err(fail)?;
        sheet.write_string(r, 1, text(&row[1])).map_err(fail)?;
        sheet.write_number_with_format(r, 2, row[2].parse::<f64>().unwrap_or(0.0), &money).map_err(fail)?;
        // 凭证数 is a count: a number, so that it sums and sorts.
        if let Ok(n) = row[3].parse::<u32>() {
            sheet.write_number(r, 3, f64::from(n)).map_err(fail)?;
        }
    }
    sheet.set_column_width(1, 18).map_err(fail)?;
    sheet.set_column_width(2, 16).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// The entry lines of a year's published months.
async fn published_year(site: &Site, village: RegionCode, year: i32) -> Result<Vec<LedgerEntry>, AppError> {
    let published: HashSet<Period> = site
        .store
        .published_periods(village)
        .await?
        .into_iter()
        .filter(|(item, _)| item == MONTHLY_ACCOUNTS_ITEM)
        .map(|(_, p)| p)
        .collect();
    let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::NotFound)?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::NotFound)?;
    let entries = site.store.ledger_entries(village, start, end).await?;
    Ok(entries
        .into_iter()
        .filter(|e| published.contains(&Period::Month { year: e.date.year(), month: e.date.month() }))
        .collect())
}

/// A voucher's key across a year: its month and number (`2026-03/记-004`). Numbers restart
/// every month, so the number alone names twelve different vouchers.
pub fn voucher_id(e: &LedgerEntry) -> String {
    format!("{:04}-{:02}/{}", e.date.year(), e.date.month(), voucher_label(&e.voucher_no))
}

/// The income and spending lines of `entries` as the package's `ledger.csv`: with a BOM like
/// every CSV we publish (Excel on Chinese Windows reads BOM-less UTF-8 as GBK; frictionless
/// and other programs skip it). Each row has a unique `line` key (voucher id and the line's
/// place in it). Transfers between accounts are neither income nor spending and are left out.
fn package_csv(entries: &[LedgerEntry], charts: &Charts) -> Vec<u8> {
    let mut file = CsvFile::new(BOM);
    file.row([
        "line",
        "date",
        "voucher_id",
        "voucher",
        "summary",
        "account_code",
        "account_name",
        "category",
        "income",
        "expenditure",
    ]);
    let mut lines: HashMap<String, u32> = HashMap::new();
    for e in entries {
        let account = charts.for_date(e.date).resolve(&e.account_code);
        let (income, expenditure) = match account.map(|a| a.kind) {
            Some(AccountKind::Income) => (Fen(e.credit.0 - e.debit.0), Fen(0)),
            Some(AccountKind::Expense | AccountKind::Cost) => (Fen(0), Fen(e.debit.0 - e.credit.0)),
            _ => continue,
        };
        let id = voucher_id(e);
        let n = lines.entry(id.clone()).or_default();
        *n += 1;
        file.row([
            format!("{id}/{n}"),
            e.date.to_string(),
            id,
            voucher_label(&e.voucher_no),
            e.summary.clone(),
            e.account_code.clone(),
            e.account_name.clone(),
            account.map(|a| a.category.clone()).unwrap_or_default(),
            yuan(income),
            yuan(expenditure),
        ]);
    }
    file.into_bytes()
}

/// A year's published books as a Fiscal Data Package: the descriptor and its CSV.
pub async fn fiscal_data_package(site: &Site, village: RegionCode, year: i32) -> Result<(Value, Vec<u8>), AppError> {
    let name = site.regions().get(village).map(|r| r.name.clone()).ok_or(AppError::NotFound)?;
    let entries = published_year(site, village, year).await?;
    if entries.is_empty() {
        return Err(AppError::NotFound);
    }
    let csv = package_csv(&entries, &site.charts);
    let field = |name: &str, kind: &str, title: &str| json!({ "name": name, "type": kind, "title": title });
    let descriptor = json!({
        "profile": "tabular-data-package",
        "name": format!("yangguang-{village}-{year}"),
        "title": format!("{name}{year}年村集体经济组织收支明细"),
        "description": format!("{name}（区划代码 {village}）{year} 年已经民主理财小组审核并公开的各月收支，逐笔。"),
        "countryCode": "CN",
        "granularity": "transactional",
        "fiscalPeriod": { "start": format!("{year}-01-01"), "end": format!("{year}-12-31") },
        "licenses": [{ "name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "Creative Commons Attribution 4.0" }],
        "resources": [{
            "profile": "tabular-data-resource",
            "name": "ledger",
            "path": "ledger.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "primaryKey": "line",
                "fields": [
                    field("line", "string", "分录（年-月/凭证号/行）"),
                    field("date", "date", "凭证日期"),
                    field("voucher_id", "string", "凭证（年-月/凭证号）"),
                    field("voucher", "string", "凭证号"),
                    field("summary", "string", "摘要"),
                    field("account_code", "string", "科目编码"),
                    field("account_name", "string", "科目名称"),
                    field("category", "string", "类别"),
                    field("income", "number", "收入（元）"),
                    field("expenditure", "number", "支出（元）"),
                ]
            }
        }],
        "model": {
            "measures": {
                "income": { "source": "income", "currency": "CNY", "direction": "revenue", "phase": "executed" },
                "expenditure": { "source": "expenditure", "currency": "CNY", "direction": "expenditure", "phase": "executed" }
            },
            "dimensions": {
                "date": { "dimensionType": "datetime", "attributes": { "date": { "source": "date" } }, "primaryKey": "date" },
                // Voucher numbers restart every month: the key is the month and the number.
                "voucher": { "dimensionType": "fact", "attributes": { "id": { "source": "voucher_id" }, "number": { "source": "voucher", "labelfor": "id" } }, "primaryKey": "id" },
                "line": { "dimensionType": "fact", "attributes": { "line": { "source": "line" }, "summary": { "source": "summary", "labelfor": "line" } }, "primaryKey": "line" },
                "account": {
                    "dimensionType": "classification",
                    "classificationType": "economic",
                    "attributes": { "code": { "source": "account_code" }, "name": { "source": "account_name", "labelfor": "code" } },
                    "primaryKey": "code"
                },
                "category": { "dimensionType": "classification", "attributes": { "category": { "source": "category" } }, "primaryKey": "category" }
            }
        }
    });
    Ok((descriptor, csv))
}

#[cfg(test)]
mod tests {
    use yangguang_core::accounts::Chart;
    use yangguang_core::finance::CategoryLine;

    use super::*;

    /// Reads a CSV the way a program would, every cell as a string.
    fn read(bytes: &[u8]) -> Vec<Vec<String>> {
        let text = std::str::from_utf8(bytes).unwrap();
        let text = text.strip_prefix(BOM).unwrap_or(text);
        let mut reader = ::csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
    }

    const AWKWARD: &str = "租金, 含\"押金\"\n及滞纳金";

    #[test]
    fn the_statement_csv_keeps_every_category_as_it_is() {
        let line =
            |category: &str, amount| CategoryLine { category: category.into(), amount: Fen(amount), vouchers: vec![] };
        let s = Statement {
            period: Period::Month { year: 2026, month: 3 },
            income: vec![line(AWKWARD, 1_200_000)],
            expenditure: vec![line("办公费用", 5_050)],
            total_income: Fen(1_200_000),
            total_expenditure: Fen(5_050),
            opening_cash: Fen(0),
            closing_cash: Fen(0),
            opening_bank: Fen(0),
            closing_bank: Fen(1_194_950),
            large_items: vec![],
            uncategorised: vec![],
        };
        let bytes = statement_csv(&s);
        assert!(bytes.starts_with(BOM.as_bytes()));
        let rows = read(&bytes);
        assert_eq!(rows[0], STATEMENT_HEADER);
        assert_eq!(rows[1], ["收入", AWKWARD, "12000.00", "0"]);
        // Ordinary rows are written plainly, one line each.
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\n支出,办公费用,50.50,0\n支出,合计,50.50,\n"), "{text}");
        assert!(text.ends_with("期末余额,库存现金,0.00,\n"), "{text}");
    }

    const FORMULA: &str = "=HYPERLINK(\"http://evil\",\"点我\")";

    #[test]
    fn formulas_are_neutralised_in_every_export_and_amounts_stay_numbers() {
        let line =
            |category: &str, amount| CategoryLine { category: category.into(), amount: Fen(amount), vouchers: vec![] };
        let s = Statement {
            period: Period::Month { year: 2026, month: 3 },
            income: vec![line(FORMULA, 1_200_000)],
            expenditure: vec![line("@SUM(A1)", 5_050)],
            total_income: Fen(1_200_000),
            total_expenditure: Fen(5_050),
            opening_cash: Fen(0),
            closing_cash: Fen(-2_000),
            opening_bank: Fen(0),
            closing_bank: Fen(1_194_950),
            large_items: vec![],
            uncategorised: vec![],
        };
        let rows = read(&statement_csv(&s));
        assert_eq!(rows[1], ["收入", &format!("'{FORMULA}"), "12000.00", "0"]);
        assert_eq!(rows[3][1], "'@SUM(A1)");
        assert_eq!(rows.last().unwrap()[2], "-20.00", "a negative balance stays a number");
        let xlsx = statement_xlsx(&s, "-前山村 2026年3月").unwrap();
        let table = yangguang_import::table::read_table(&xlsx).unwrap();
        assert_eq!(table.rows[0][0], "'-前山村 2026年3月");
        assert_eq!(table.rows[3][1], format!("'{FORMULA}"));
        assert_eq!(table.rows[5][1], "'@SUM(A1)");
        assert_eq!(table.rows.last().unwrap()[2], "-20", "amounts are numbers in the XLSX");
        // 凭证数 too: cell D4 (the first line's count) is a number, not a shared string.
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&xlsx)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        let cell = &sheet[sheet.find("<c r=\"D4\"").expect("D4 is written")..];
        let cell = &cell[..cell.find("</c>").unwrap()];
        assert!(!cell.contains("t=\"s\"") && !cell.contains("t=\"str\"") && cell.contains("<v>0</v>"), "{cell}");

        let chart = Chart::parse(
            "test.toml",
            "chart = \"test\"\n[[account]]\ncode = \"501\"\nname = \"经营收入\"\nkind = \"income\"\ncategory = \"+收入\"\n",
        )
        .unwrap();
        let entry = LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            voucher_no: "-1".into(),
            summary: FORMULA.into(),
            account_code: "501".into(),
            account_name: "=1+1".into(),
            debit: Fen(500),
            credit: Fen(0),
            attachments: 0,
            row: 0,
        };
        let rows = read(&package_csv(&[entry], &Charts::single(chart)));
        assert_eq!(
            rows[1],
            [
                "2026-03/001/1",
                "2026-03-05",
                "2026-03/001",
                "001",
                &format!("'{FORMULA}"),
                "501",
                "'=1+1",
                "'+收入",
                "-5.00",
                "0.00"
            ]
        );
    }

    #[test]
    fn the_packages_csv_keeps_every_summary_as_it_is() {
        let chart = Chart::parse(
            "test.toml",
            "chart = \"test\"\n\
             [[account]]\ncode = \"102\"\nname = \"银行存款\"\nkind = \"asset\"\n\
             [[account]]\ncode = \"501\"\nname = \"经营收入\"\nkind = \"income\"\ncategory = \"经营收入\"\n",
        )
        .unwrap();
        let entry = |code: &str, debit, credit| LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            voucher_no: "记-001".into(),
            summary: AWKWARD.into(),
            account_code: code.into(),
            account_name: String::new(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments: 0,
            row: 0,
        };
        let bytes = package_csv(&[entry("102", 1_200_000, 0), entry("501", 0, 1_200_000)], &Charts::single(chart));
        assert!(bytes.starts_with(BOM.as_bytes()), "opened in Excel too: a BOM");
        let rows = read(&bytes);
        assert_eq!(rows.len(), 2, "the bank line is a transfer, not income: {rows:?}");
        assert_eq!(
            rows[1],
            [
                "2026-03/记-001/1",
                "2026-03-05",
                "2026-03/记-001",
                "记-001",
                AWKWARD,
                "501",
                "",
                "经营收入",
                "12000.00",
                "0.00"
            ]
        );
    }

    #[test]
    fn the_same_voucher_number_in_two_months_is_two_vouchers() {
        let chart = Chart::parse(
            "test.toml",
            "chart = \"test\"\n[[account]]\ncode = \"501\"\nname = \"经营收入\"\nkind = \"income\"\ncategory = \"经营收入\"\n",
        )
        .unwrap();
        let entry = |month, no: &str| LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, month, 5).unwrap(),
            voucher_no: no.into(),
            summary: "租金".into(),
            account_code: "501".into(),
            account_name: String::new(),
            debit: Fen(0),
            credit: Fen(100),
            attachments: 0,
            row: 0,
        };
        let entries = [entry(3, "记-4"), entry(3, "记-004"), entry(4, "记字第4号")];
        let rows = read(&package_csv(&entries, &Charts::single(chart)));
        let ids: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
        assert_eq!(ids, ["2026-03/记-004", "2026-03/记-004", "2026-04/记-004"]);
        let lines: HashSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(lines.len(), 3, "every line has its own key: {rows:?}");
        assert!(rows[1..].iter().all(|r| r[3] == "记-004"), "one format: {rows:?}");
    }
}
