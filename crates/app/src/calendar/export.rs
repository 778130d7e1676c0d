//! The calendar as files for supervisors' spreadsheets: every cell as a CSV (UTF-8 with a BOM,
//! as Excel and WPS in China read it), or an XLSX workbook with the cells and each village's
//! rates. Text cells go through the one formula rule of every export
//! ([`crate::finance::spreadsheet_text`]).

use yangguang_core::calendar::{Cell, Tally, percent};

use crate::finance::{BOM, CsvFile, spreadsheet_text};
use crate::i18n::Lang;
use crate::regions::RegionIndex;
use crate::{AppError, calendar::Row};

const CELL_HEADER: [&str; 11] =
    ["村代码", "村（社区）", "乡镇", "事项编号", "公开事项", "公开期", "期限", "状态", "天数", "公开日期", "依据编号"];
const RATE_HEADER: [&str; 9] = ["代码", "名称", "乡镇", "应公开", "按时", "逾期公开", "未公开", "及时率", "公开率"];

fn cell_row(regions: &RegionIndex, c: &Cell<'_>) -> Vec<String> {
    use yangguang_core::calendar::CellState;
    let village = regions.get(c.village);
    let town = village.and_then(|v| v.parent).and_then(|p| regions.get(p));
    let days = match c.state {
        CellState::Late { days } | CellState::Missing { days } => days.to_string(),
        CellState::Waiting { overdue } if overdue > 0 => overdue.to_string(),
        _ => String::new(),
    };
    let t = Lang::Zh.calendar();
    let mut state = t.state(c.state, c.deadline);
    if c.quiet {
        state = format!("{state}（{}）", t.quiet);
    }
    vec![
        c.village.to_string(),
        village.map(|v| v.name.clone()).unwrap_or_default(),
        town.map(|t| t.name.clone()).unwrap_or_default(),
        c.item.id.clone(),
        c.item.name.clone(),
        c.period.label_zh(),
        c.deadline.to_string(),
        state,
        days,
        c.published_on.map(|d| d.to_string()).unwrap_or_default(),
        c.evidence.map(|id| id.0.to_string()).unwrap_or_default(),
    ]
}

fn rate_row(r: &Row) -> Vec<String> {
    let t: &Tally = &r.tally;
    vec![
        r.code.to_string(),
        r.name.clone(),
        r.town.clone(),
        t.due.to_string(),
        t.on_time.to_string(),
        t.late.to_string(),
        t.missing.to_string(),
        percent(t.timely_permille()),
        percent(t.published_permille()),
    ]
}

/// Every cell, one line each.
pub fn cells_csv(regions: &RegionIndex, cells: &[Cell<'_>]) -> Vec<u8> {
    let mut file = CsvFile::new(BOM);
    file.row(CELL_HEADER);
    for c in cells {
        file.row(cell_row(regions, c));
    }
    file.into_bytes()
}

/// A workbook: the cells, then each village's figures.
pub fn calendar_xlsx(
    regions: &RegionIndex,
    cells: &[Cell<'_>],
    rows: &[Row],
    title: &str,
) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Invalid(format!("XLSX: {e}"));
    let text = |s: &str| spreadsheet_text(s).into_owned();
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("公开日历").map_err(fail)?;
    sheet.write_string_with_format(0, 0, text(title), &bold).map_err(fail)?;
    for (i, h) in CELL_HEADER.iter().enumerate() {
        sheet.write_string_with_format(2, i as u16, *h, &bold).map_err(fail)?;
    }
    for (r, c) in cells.iter().enumerate() {
        for (i, value) in cell_row(regions, c).iter().enumerate() {
            let row = 3 + r as u32;
            // Days are numbers, to sort and sum; everything else is text.
            match (i, value.parse::<f64>()) {
                (8, Ok(n)) => sheet.write_number(row, i as u16, n).map_err(fail)?,
                _ => sheet.write_string(row, i as u16, text(value)).map_err(fail)?,
            };
        }
    }
    sheet.set_column_width(1, 14).map_err(fail)?;
    sheet.set_column_width(4, 24).map_err(fail)?;
    sheet.set_column_width(7, 26).map_err(fail)?;
    let rates = book.add_worksheet().set_name("及时率").map_err(fail)?;
    for (i, h) in RATE_HEADER.iter().enumerate() {
        rates.write_string_with_format(0, i as u16, *h, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, value) in rate_row(row).iter().enumerate() {
            let at = 1 + r as u32;
            match (i, value.parse::<f64>()) {
                (3..=6, Ok(n)) => rates.write_number(at, i as u16, n).map_err(fail)?,
                _ => rates.write_string(at, i as u16, text(value)).map_err(fail)?,
            };
        }
    }
    rates.set_column_width(1, 14).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// Each village's figures as a CSV.
pub fn rates_csv(rows: &[Row]) -> Vec<u8> {
    let mut file = CsvFile::new(BOM);
    file.row(RATE_HEADER);
    for r in rows {
        file.row(rate_row(r));
    }
    file.into_bytes()
}
