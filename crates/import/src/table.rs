//! Any tabular file as rows of text cells: XLSX (first sheet), or CSV in UTF-8 (with or
//! without BOM) or GBK/GB18030, detected from the bytes. Comma- or tab-separated.

use std::io::Cursor;

use calamine::{Data, Reader};

use crate::ReadError;

/// Rows beyond this are refused: a village's year is a few thousand lines.
pub const MAX_ROWS: usize = 2_000_000;

pub struct Table {
    pub rows: Vec<Vec<String>>,
    /// `xlsx`, `csv-utf8`, `csv-gb18030`.
    pub format: &'static str,
}

/// Decodes CSV text: UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, otherwise
/// GB18030 (a superset of GBK) when they decode without error.
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), ReadError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest).map(|s| (s.to_owned(), "csv-utf8")).map_err(|_| ReadError::Encoding);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_owned(), "csv-utf8"));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors { Err(ReadError::Encoding) } else { Ok((text.into_owned(), "csv-gb18030")) }
}

/// Excel's 1900 date system: day 1 is 1900-01-01, and day 60 is a leap day that never was.
fn excel_date(serial: f64) -> Option<chrono::NaiveDate> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(serial.floor() as u64))
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        // Amounts arrive as floats: keep two decimals, which is what the books hold.
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => format!("{f:.2}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()).map(|d| d.to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

pub fn read_table(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book =
            calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| ReadError::Xlsx(e.to_string()))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| ReadError::Xlsx("没有工作表 / no sheet".into()))?
            .map_err(|e| ReadError::Xlsx(e.to_string()))?;
        if range.height() > MAX_ROWS {
            return Err(ReadError::TooManyRows(MAX_ROWS));
        }
        // Keep spreadsheet row numbers: rows above the used range are empty rows.
        let first = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows = vec![vec![]; first];
        rows.extend(range.rows().map(|r| r.iter().map(cell_text).collect()));
        return Ok(Table { rows, format: "xlsx" });
    }
    let (text, format) = decode_text(bytes)?;
    let first_lines: String = text.lines().take(20).collect();
    let delimiter = if first_lines.matches('\t').count() > first_lines.matches(',').count() { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Csv {
            row: e.position().map_or(rows.len() as u64 + 1, |p| p.line()),
            message: e.to_string(),
        })?;
        if rows.len() >= MAX_ROWS {
            return Err(ReadError::TooManyRows(MAX_ROWS));
        }
        rows.push(record.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(Table { rows, format })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_gbk_are_detected() {
        let text = "日期,摘要\n2026-03-05,收租金\n";
        let (a, fa) = decode_text(text.as_bytes()).unwrap();
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let (b, fb) = decode_text(&bom).unwrap();
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (c, fc) = decode_text(&gbk).unwrap();
        assert_eq!((a.as_str(), b.as_str(), c.as_str()), (text, text, text));
        assert_eq!((fa, fb, fc), ("csv-utf8", "csv-utf8", "csv-gb18030"));
    }

    #[test]
    fn bytes_in_no_known_encoding_are_refused() {
        assert_eq!(decode_text(&[0x81, 0x20, 0xFF, 0xFE, 0x00]).unwrap_err(), ReadError::Encoding);
        assert_eq!(read_table(b"  \n").err(), Some(ReadError::Empty));
    }

    #[test]
    fn excel_serials_become_dates() {
        assert_eq!(excel_date(46086.0), chrono::NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(excel_date(-3.0), None);
    }

    #[test]
    fn a_truncated_xlsx_is_a_clear_error() {
        let err = read_table(b"PK\x03\x04 truncated zip").err().unwrap();
        assert!(matches!(err, ReadError::Xlsx(_)), "{err:?}");
    }
}
