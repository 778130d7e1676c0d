//! Any tabular file as a stream of rows of text cells: XLSX (first sheet), or CSV in UTF-8
//! (with or without BOM) or GBK/GB18030, detected from the first bytes. Comma- or
//! tab-separated. Rows are read on a thread of their own and handed over in small batches,
//! so memory stays the same whatever the file's size.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, Reader, Xlsx};
use encoding_rs::{Decoder, DecoderResult, Encoding, GB18030, UTF_8};

use crate::ReadError;

/// Rows beyond this are refused: a county's year is about 2 million lines.
pub const MAX_ROWS: u64 = 10_000_000;
/// Bytes looked at to choose the encoding and the delimiter.
const SAMPLE: usize = 64 * 1024;
/// Rows handed over at a time, and batches buffered ahead of the reader.
const ROWS_PER_BATCH: usize = 1024;
const BATCHES_AHEAD: usize = 4;

/// A file to read: in memory (`std::io::Cursor`) or on disk (`std::fs::File`).
pub trait Source: Read + Seek + Send + 'static {}
impl<T: Read + Seek + Send + 'static> Source for T {}

/// A row: its 1-based number as a spreadsheet program shows it, and its cells, trimmed.
pub type Row = (u64, Vec<String>);

type Batch = Result<Vec<Row>, ReadError>;

/// The rows of a file, in order.
pub struct RowStream {
    /// `xlsx`, `csv-utf8`, `csv-gb18030`.
    pub format: &'static str,
    batches: Receiver<Batch>,
    ready: std::vec::IntoIter<Row>,
    failed: bool,
}

impl RowStream {
    /// Opens a file; one that cannot be read at all (empty, damaged, unknown encoding) is an
    /// error here, before any row.
    pub fn open(mut source: impl Source) -> Result<Self, ReadError> {
        let mut sample = Vec::with_capacity(SAMPLE);
        (&mut source).take(SAMPLE as u64).read_to_end(&mut sample).map_err(io_error)?;
        source.seek(SeekFrom::Start(0)).map_err(io_error)?;
        if sample.iter().all(u8::is_ascii_whitespace) {
            return Err(ReadError::Empty);
        }
        let (tx, rx) = sync_channel(BATCHES_AHEAD);
        let format = if sample.starts_with(b"PK\x03\x04") {
            let book = Xlsx::new(source).map_err(|e| ReadError::Xlsx(e.to_string()))?;
            std::thread::spawn(move || send_rows(&tx, xlsx_rows(book, &tx)));
            "xlsx"
        } else {
            let encoding = sniff_encoding(&sample)?;
            let delimiter = sniff_delimiter(&sample, encoding);
            std::thread::spawn(move || send_rows(&tx, csv_rows(source, encoding, delimiter, &tx)));
            if encoding == UTF_8 { "csv-utf8" } else { "csv-gb18030" }
        };
        Ok(RowStream { format, batches: rx, ready: Vec::new().into_iter(), failed: false })
    }
}

impl Iterator for RowStream {
    type Item = Result<Row, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.ready.next() {
                return Some(Ok(row));
            }
            if self.failed {
                return None;
            }
            // A closed channel is the end of the file.
            match self.batches.recv().ok()? {
                Ok(rows) => self.ready = rows.into_iter(),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Sends what is left, or the error that stopped the reader. A reader dropped early closes
/// the channel, which stops the thread at its next send.
fn send_rows(tx: &SyncSender<Batch>, outcome: Result<Vec<Row>, ReadError>) {
    let _ = tx.send(outcome);
}

/// Hands a full batch over and starts a new one; `Err` when nobody is reading any more (the
/// error only ends the thread: nobody sees it).
fn hand_over(tx: &SyncSender<Batch>, rows: &mut Vec<Row>) -> Result<(), ReadError> {
    if rows.len() >= ROWS_PER_BATCH {
        tx.send(Ok(std::mem::take(rows))).map_err(|_| ReadError::Empty)?;
    }
    Ok(())
}

fn io_error(e: io::Error) -> ReadError {
    ReadError::Csv { row: 0, message: e.to_string() }
}

/// UTF-8 when the sample is UTF-8 (a BOM, or valid text up to a character cut by the sample's
/// end), otherwise GB18030 (a superset of GBK) when the sample decodes without error.
fn sniff_encoding(sample: &[u8]) -> Result<&'static Encoding, ReadError> {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(UTF_8);
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return Ok(UTF_8),
        Err(e) if e.error_len().is_none() && sample.len() == SAMPLE => return Ok(UTF_8),
        Err(_) => {}
    }
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut out = vec![0u8; decoder.max_utf8_buffer_length(sample.len()).unwrap_or(SAMPLE * 3)];
    let last = sample.len() < SAMPLE;
    match decoder.decode_to_utf8_without_replacement(sample, &mut out, last).0 {
        DecoderResult::Malformed(..) => Err(ReadError::Encoding),
        _ => Ok(GB18030),
    }
}

fn sniff_delimiter(sample: &[u8], encoding: &'static Encoding) -> u8 {
    let (text, _) = encoding.decode_without_bom_handling(sample);
    let first_lines: String = text.lines().take(20).collect();
    if first_lines.matches('\t').count() > first_lines.matches(',').count() { b'\t' } else { b',' }
}

/// Decodes UTF-8 or GB18030 into UTF-8 as it is read, refusing malformed bytes.
struct Decoding<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    finished: bool,
    malformed: bool,
    output: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    /// UTF-8 bytes handed out so far, and the last of them: to tell where a file ends.
    emitted: u64,
    last: u8,
}

impl<R: Read> Decoding<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        let decoder = if encoding == UTF_8 {
            UTF_8.new_decoder_with_bom_removal()
        } else {
            encoding.new_decoder_without_bom_handling()
        };
        Decoding {
            inner,
            decoder,
            input: vec![0; 32 * 1024].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            eof: false,
            finished: false,
            malformed: false,
            output: vec![0; 128 * 1024].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            emitted: 0,
            last: b'\n',
        }
    }

    /// Whether everything handed out so far ends mid-line (a last line without its newline).
    fn ends_mid_line(&self) -> bool {
        self.last != b'\n'
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                self.emitted += n as u64;
                if n > 0 {
                    self.last = buf[n - 1];
                }
                return Ok(n);
            }
            if self.malformed {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "malformed"));
            }
            if self.finished {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                self.in_start = 0;
                self.in_end = self.inner.read(&mut self.input)?;
                self.eof = self.in_end == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            (self.out_start, self.out_end) = (0, written);
            match result {
                // What was decoded before the bad bytes goes out first, so the error's row is exact.
                DecoderResult::Malformed(..) => self.malformed = true,
                DecoderResult::InputEmpty if self.eof => self.finished = true,
                _ => {}
            }
        }
    }
}

fn csv_rows(
    source: impl Read,
    encoding: &'static Encoding,
    delimiter: u8,
    tx: &SyncSender<Batch>,
) -> Result<Vec<Row>, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Decoding::new(io::BufReader::new(source), encoding));
    let mut rows = Vec::with_capacity(ROWS_PER_BATCH);
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    // The csv reader's line before each read.
    let mut line = 1u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(rows),
            Ok(true) => {}
            Err(e) => {
                return Err(match e.kind() {
                    csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::InvalidData => ReadError::EncodingAt(row + 1),
                    _ => ReadError::Csv { row: e.position().map_or(row + 1, |p| p.line()), message: e.to_string() },
                });
            }
        }
        // The row as a spreadsheet numbers it: the csv reader skips blank lines, which a
        // spreadsheet shows as empty rows, while a cell's line breaks stay in one row. The
        // lines this read consumed are the blank ones before the record, the record's own line
        // breaks, and its newline (none for a last line without one).
        let end = reader.position().line();
        let inside: u64 = record.iter().map(|c| c.matches('\n').count() as u64).sum();
        let source = reader.get_ref();
        let terminated = !(reader.position().byte() == source.emitted && source.ends_mid_line());
        let blank = (end - line).saturating_sub(inside + u64::from(terminated));
        line = end;
        row += 1 + blank;
        if row > MAX_ROWS {
            return Err(ReadError::TooManyRows(MAX_ROWS));
        }
        rows.push((row, record.iter().map(|c| c.trim().to_owned()).collect()));
        hand_over(tx, &mut rows)?;
    }
}

fn xlsx_rows<RS: Read + Seek>(mut book: Xlsx<RS>, tx: &SyncSender<Batch>) -> Result<Vec<Row>, ReadError> {
    let xlsx = |e: calamine::XlsxError| ReadError::Xlsx(e.to_string());
    let sheet = book.sheet_names().first().cloned().ok_or_else(|| ReadError::Xlsx("没有工作表 / no sheet".into()))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(xlsx)?;
    let mut rows = Vec::with_capacity(ROWS_PER_BATCH);
    let mut current: Option<Row> = None;
    while let Some(cell) = cells.next_cell().map_err(xlsx)? {
        let (r, c) = cell.get_position();
        let row_no = u64::from(r) + 1;
        if row_no > MAX_ROWS {
            return Err(ReadError::TooManyRows(MAX_ROWS));
        }
        if current.as_ref().is_some_and(|(n, _)| *n != row_no) {
            rows.extend(current.take());
            hand_over(tx, &mut rows)?;
        }
        let (_, cells_of_row) = current.get_or_insert_with(|| (row_no, vec![]));
        let c = c as usize;
        if c >= cells_of_row.len() {
            cells_of_row.resize(c + 1, String::new());
        }
        cells_of_row[c] = cell_text(&Data::from(cell.get_value().clone()));
    }
    rows.extend(current);
    Ok(rows)
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

/// A small file's rows all at once (region lists, receipt mappings).
pub struct Table {
    pub rows: Vec<Vec<String>>,
    pub format: &'static str,
}

/// Reads a whole (small) file, keeping spreadsheet row numbers: missing rows are empty rows.
pub fn read_table(bytes: &[u8]) -> Result<Table, ReadError> {
    let stream = RowStream::open(io::Cursor::new(bytes.to_vec()))?;
    let format = stream.format;
    let mut rows = vec![];
    for row in stream {
        let (n, cells) = row?;
        rows.resize(n as usize - 1, vec![]);
        rows.push(cells);
    }
    Ok(Table { rows, format })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(bytes: &[u8]) -> Result<(Vec<Vec<String>>, &'static str), ReadError> {
        read_table(bytes).map(|t| (t.rows, t.format))
    }

    #[test]
    fn utf8_with_and_without_bom_and_gbk_are_detected() {
        let text = "日期,摘要\n2026-03-05,收租金\n";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let expected = vec![vec!["日期".to_string(), "摘要".into()], vec!["2026-03-05".into(), "收租金".into()]];
        for (bytes, format) in [(text.as_bytes(), "csv-utf8"), (&bom[..], "csv-utf8"), (&gbk[..], "csv-gb18030")] {
            assert_eq!(rows_of(bytes).unwrap(), (expected.clone(), format));
        }
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        // Blank lines are rows; a cell with a line break is one row; the last line may lack
        // its newline; Windows line ends count once.
        for text in
            ["t\n\nh,r\nA,1\n\n\nB,2\n\"x\ny\",3\nC,4", "t\r\n\r\nh,r\r\nA,1\r\n\r\n\r\nB,2\r\n\"x\ny\",3\r\nC,4\r\n"]
        {
            let rows = read_table(text.as_bytes()).unwrap().rows;
            let found: Vec<(usize, &str)> =
                rows.iter().enumerate().filter(|(_, r)| !r.is_empty()).map(|(i, r)| (i + 1, r[0].as_str())).collect();
            assert_eq!(found, [(1, "t"), (3, "h"), (4, "A"), (7, "B"), (8, "x\ny"), (9, "C")], "{text:?}");
        }
    }

    #[test]
    fn bytes_in_no_known_encoding_are_refused() {
        assert_eq!(rows_of(&[0x81, 0x20, 0xFF, 0xFE, 0x00]).unwrap_err(), ReadError::Encoding);
        assert_eq!(rows_of(b"  \n").err(), Some(ReadError::Empty));
    }

    #[test]
    fn a_bad_byte_far_into_a_large_file_is_located() {
        // Past the sample the file looked like UTF-8; a stray GBK byte further down is named by row.
        let mut text = String::from("日期,摘要\n");
        while text.len() < SAMPLE * 3 {
            text.push_str("2026-03-05,收租金\n");
        }
        let rows_before = text.lines().count() as u64;
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"2026-03-06,\xC4\xE3\n");
        assert_eq!(rows_of(&bytes).unwrap_err(), ReadError::EncodingAt(rows_before + 1));
    }

    #[test]
    fn a_large_file_streams_every_row_in_order() {
        let mut text = String::from("a\tb\n");
        for i in 0..10_000 {
            text.push_str(&format!("{i}\tx\n"));
        }
        let stream = RowStream::open(io::Cursor::new(text.into_bytes())).unwrap();
        let rows: Vec<Row> = stream.map(Result::unwrap).collect();
        assert_eq!(rows.len(), 10_001);
        assert_eq!(rows[10_000], (10_001, vec!["9999".to_string(), "x".into()]));
    }

    #[test]
    fn excel_serials_become_dates() {
        assert_eq!(excel_date(46086.0), chrono::NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(excel_date(-3.0), None);
    }

    #[test]
    fn a_truncated_xlsx_is_a_clear_error() {
        let err = rows_of(b"PK\x03\x04 truncated zip").err().unwrap();
        assert!(matches!(err, ReadError::Xlsx(_)), "{err:?}");
    }
}
