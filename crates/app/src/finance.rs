//! Finance disclosures from the books: the month's statement as Markdown for the
//! disclosure body, the month's entry lines as the CSV attached to it (so the publication
//! log's hash covers every line), and drafting that disclosure for a clerk.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use yangguang_core::finance::{Statement, statement};
use yangguang_core::ledger::LedgerEntry;
use yangguang_core::{Attachment, Disclosure, DisclosureId, Fen, Period, RegionCode};
use yangguang_store::BookFreeze;

use crate::auth::audit;
use crate::publishing::{Actor, DraftInput, create_draft};
use crate::{AppError, Site};

/// Items from 10,000 yuan up are listed as large.
pub const LARGE_ITEM: Fen = Fen(1_000_000);
pub const MONTHLY_ACCOUNTS_ITEM: &str = yangguang_core::catalog::required::MONTHLY_ACCOUNTS;

/// A Markdown table of plain text: every cell (header too) is escaped
/// ([`markdown::escape`](crate::markdown::escape)), so a 摘要, a name or a category reads
/// literally — never a link, an image, a tag, emphasis or an extra column.
pub fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    table_with_total(out, header, rows, None);
}

/// [`table`] with a last row in bold (a total line), its cells escaped too.
pub fn table_with_total(out: &mut String, header: &[&str], rows: &[Vec<String>], total: Option<&[String]>) {
    use crate::markdown::escape;
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
        let _ = writeln!(out, "| {} |", cells.collect::<Vec<_>>().join(" | "));
    };
    line(out, &mut header.iter().map(|h| escape(h)));
    let _ = writeln!(out, "|{}|", header.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
    for row in rows {
        line(out, &mut row.iter().map(|c| escape(c)));
    }
    if let Some(total) = total {
        let bold = |c: &String| if c.trim().is_empty() { String::new() } else { format!("**{}**", escape(c)) };
        line(out, &mut total.iter().map(bold));
    }
    out.push('\n');
}

/// The byte order mark that lets spreadsheet programs in China (Excel first) read a CSV as UTF-8.
pub const BOM: &str = "\u{feff}";

/// A text cell as spreadsheet exports write it (OWASP's CSV-injection rule): a cell whose first
/// character (after spaces) is `=`, `+`, `-`, `@`, a tab or a carriage return — or their
/// full-width forms `＝＋－＠` — gets a leading `'`, so Excel, WPS and LibreOffice show
/// `'=HYPERLINK(…)` as text instead of running it. A cell that is a plain number (`-50.50`,
/// `+3`, `-1,234.00`) is left alone: numbers in numeric columns stay numbers, and a number is
/// never a formula. Every CSV and XLSX export writes its cells through this one rule.
pub fn spreadsheet_text(cell: &str) -> std::borrow::Cow<'_, str> {
    let start = cell.trim_start_matches([' ', '\u{3000}']);
    let Some(first) = start.chars().next() else { return cell.into() };
    let formula = matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠');
    let rest = &start[first.len_utf8()..];
    let number = matches!(first, '+' | '-')
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && rest.matches('.').count() <= 1;
    if formula && !number { format!("'{cell}").into() } else { cell.into() }
}

/// A CSV being written to memory with the `csv` crate: a cell holding a comma, a quote or a
/// line break is quoted as RFC 4180 says (quotes doubled), so every cell reads back exactly
/// as it was written, except that a cell that a spreadsheet would run as a formula is
/// neutralised by [`spreadsheet_text`]. Lines end in `\n`.
pub struct CsvFile(::csv::Writer<Vec<u8>>);

impl CsvFile {
    /// A CSV starting with `prefix`: [`BOM`] for files people open in a spreadsheet, `""`
    /// for files programs read.
    pub fn new(prefix: &str) -> Self {
        // Flexible: a row is written whatever its length, as it always was.
        Self(::csv::WriterBuilder::new().flexible(true).from_writer(prefix.as_bytes().to_vec()))
    }

    pub fn row<I>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let cells = cells.into_iter().map(|c| spreadsheet_text(c.as_ref()).into_owned());
        self.0.write_record(cells).expect("writing a CSV to memory cannot fail");
        self
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0.into_inner().expect("writing a CSV to memory cannot fail")
    }
}

/// A header and its rows as a CSV with a [`BOM`], every cell kept as it is (quoted where it
/// must be), formulas neutralised ([`spreadsheet_text`]).
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut file = CsvFile::new(BOM);
    file.row(header);
    for row in rows {
        file.row(row);
    }
    file.into_bytes()
}

/// An amount in yuan as programs read it: no thousands separators (`-1234.50`).
pub fn plain_yuan(f: Fen) -> String {
    let sign = if f.0 < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", f.0.unsigned_abs() / 100, f.0.unsigned_abs() % 100)
}

/// The month's entry lines as a CSV in the shape the import reads, with a [`BOM`]; every
/// 摘要 exactly as in the books (commas, quotes and line breaks quoted, never dropped).
pub fn ledger_csv(lines: &[yangguang_core::ledger::LedgerEntry]) -> Vec<u8> {
    let header = ["凭证日期", "凭证号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "附件数"];
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let money = |f: Fen| if f.0 == 0 { String::new() } else { plain_yuan(f) };
            vec![
                l.date.to_string(),
                l.voucher_no.clone(),
                l.summary.clone(),
                l.account_code.clone(),
                l.account_name.clone(),
                money(l.debit),
                money(l.credit),
                l.attachments.to_string(),
            ]
        })
        .collect();
    csv(&header, &rows)
}

/// The month's statement as Markdown. Every text from the books (摘要, categories, voucher
/// numbers) is plain text in its table cell: Markdown in a 摘要 reads literally.
pub fn statement_markdown(md: &mut String, s: &yangguang_core::finance::Statement, village_path: &str) {
    let _ = writeln!(
        md,
        "本期收入 **{} 元**，支出 **{} 元**。以下按类别汇总，逐笔明细见附件和收支明细账。\n",
        s.total_income, s.total_expenditure
    );
    for (title, lines, total) in [("收入", &s.income, s.total_income), ("支出", &s.expenditure, s.total_expenditure)]
    {
        let _ = writeln!(md, "### {title}\n");
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|l| vec![l.category.clone(), l.amount.to_string(), l.vouchers.len().to_string()])
            .collect();
        let total = ["合计".to_owned(), total.to_string(), String::new()];
        table_with_total(md, &["类别", "金额（元）", "凭证数"], &rows, Some(&total));
    }
    md.push_str("### 资金余额\n\n");
    table(
        md,
        &["项目", "期初（元）", "期末（元）"],
        &[
            vec!["银行存款".into(), s.opening_bank.to_string(), s.closing_bank.to_string()],
            vec!["库存现金".into(), s.opening_cash.to_string(), s.closing_cash.to_string()],
        ],
    );
    if !s.large_items.is_empty() {
        md.push_str("### 大额收支（1 万元及以上）\n\n");
        let rows: Vec<Vec<String>> = s
            .large_items
            .iter()
            .map(|i| {
                vec![
                    i.date.to_string(),
                    i.key.number.clone(),
                    i.summary.clone(),
                    i.category.clone(),
                    i.amount.to_string(),
                ]
            })
            .collect();
        table(md, &["日期", "凭证号", "摘要", "类别", "金额（元）"], &rows);
    }
    // No word here on who reviewed it: the sign-offs are shown beside the item once given.
    let _ = writeln!(md, "[查看本期每一张凭证]({village_path}/finance/{})", s.period);
}

/// Whether a village's monthly accounts for `period` are published: only then are that
/// month's books, receipt scans and exports public.
pub async fn month_published(site: &Site, village: RegionCode, period: Period) -> Result<bool, AppError> {
    if !matches!(period, Period::Month { .. }) {
        return Ok(false);
    }
    let published = site.store.published_periods(village).await?;
    Ok(published.iter().any(|(item, p)| item == MONTHLY_ACCOUNTS_ITEM && *p == period))
}

/// The published months of accounts just before and just after `period` (the month switch on
/// the accounts page): `None` past either end, and months never published are skipped.
pub async fn neighbour_months(
    site: &Site,
    village: RegionCode,
    period: Period,
) -> Result<(Option<Period>, Option<Period>), AppError> {
    let mut months: Vec<Period> = site
        .store
        .published_periods(village)
        .await?
        .into_iter()
        .filter(|(item, p)| item == MONTHLY_ACCOUNTS_ITEM && matches!(p, Period::Month { .. }))
        .map(|(_, p)| p)
        .collect();
    months.sort_by_key(|p| p.start());
    months.dedup();
    let before = months.iter().rev().find(|p| p.start() < period.start()).copied();
    let after = months.iter().find(|p| p.start() > period.start()).copied();
    Ok((before, after))
}

/// The statement of a period and its entry lines, from the stored books.
pub async fn period_books(
    site: &Site,
    village: RegionCode,
    period: Period,
) -> Result<(Statement, Vec<LedgerEntry>), AppError> {
    let from = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid");
    let entries = site.store.ledger_entries(village, from, period.end()).await?;
    let s = statement(period, &entries, &site.charts, LARGE_ITEM);
    let lines = entries.into_iter().filter(|e| e.date >= period.start()).collect();
    Ok((s, lines))
}

/// Drafts the monthly accounts of a village from its imported books: the statement as the
/// body, the month's lines attached as CSV. It then goes through the finance group's review.
pub async fn draft_monthly_accounts(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    period: Period,
) -> Result<DisclosureId, AppError> {
    if !matches!(period, Period::Month { .. }) {
        return Err(AppError::Invalid("收支明细按月生成 / the accounts are drafted per month".into()));
    }
    let (s, lines) = period_books(site, village, period).await?;
    if lines.is_empty() {
        return Err(AppError::Invalid(format!(
            "{}没有已导入的凭证，请先导入账簿 / no vouchers imported for this month",
            period.label_zh()
        )));
    }
    let mut body = String::new();
    statement_markdown(&mut body, &s, &format!("/v/{village}"));
    let bytes = ledger_csv(&lines);
    let sha256 = site.files.put(&bytes).await?;
    let attachment = Attachment {
        file_name: format!("{}收支明细账.csv", period.label_zh()),
        media_type: "text/csv; charset=utf-8".into(),
        byte_size: bytes.len() as i64,
        sha256,
    };
    let item = site.catalog.item(MONTHLY_ACCOUNTS_ITEM).ok_or(AppError::NotFound)?;
    let input = DraftInput {
        column: item.column.clone(),
        catalog_item: Some(item.id.clone()),
        period: Some(period),
        title: format!("{}{}", period.label_zh(), item.name),
        body_md: body,
        attachments: vec![attachment],
        reason: None,
    };
    let id = create_draft(site, actor, village, input).await?;
    audit(site, Some(&actor.who.staff), actor.ip, "draft-accounts", &format!("disclosure:{id}"), &period.to_string())
        .await;
    Ok(id)
}

/// The books a version of a book-freezing catalog item (`locks_books`) covers: its period's
/// months and the fingerprint of their vouchers now. `None` for other items. `Conflict` when
/// the books no longer give the ledger the version carries — they changed after the draft was
/// generated (or the clerk removed the ledger file) — so that nobody signs or publishes
/// accounts that differ from the books.
pub async fn books_to_freeze(site: &Site, d: &Disclosure) -> Result<Option<BookFreeze>, AppError> {
    let item = d.catalog_item.as_deref().and_then(|id| site.catalog.item(id));
    let (Some(period), Some(true)) = (d.period, item.map(|i| i.locks_books)) else { return Ok(None) };
    let (from, to) = (period.start(), period.end());
    let months = ((from.year(), from.month()), (to.year(), to.month()));
    let before = site.store.books_fingerprint(d.village, months.0, months.1).await?;
    let lines = site.store.ledger_entries(d.village, from, to).await?;
    let after = site.store.books_fingerprint(d.village, months.0, months.1).await?;
    let ledger = crate::files::sha256_hex(&ledger_csv(&lines));
    if before != after || !d.attachments.iter().any(|a| a.sha256 == ledger) {
        return Err(AppError::Conflict(format!(
            "{}的账簿在生成此草稿之后有改动（或草稿缺少账簿附件），不能签署或公开：请退回，由村务工作者从账簿重新生成 / \
             the books changed after this draft was generated; return it and generate it again",
            period.label_zh()
        )));
    }
    Ok(Some(BookFreeze { village: d.village, from: months.0, to: months.1, fingerprint: after }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(summary: &str, debit: i64, credit: i64) -> LedgerEntry {
        LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            voucher_no: "记-001".into(),
            summary: summary.into(),
            account_code: "501".into(),
            account_name: "经营收入".into(),
            debit: Fen(debit),
            credit: Fen(credit),
            attachments: 2,
            row: 0,
        }
    }

    /// A 摘要 written to attack the statement: a link, an external image, a tag, a pipe that
    /// would add a column, emphasis, code and a heading mark.
    const HOSTILE: &str = "# 付[点此领取](http://evil/x) ![](http://evil/img.png) <b>粗</b> 甲|乙 *斜* `码`";

    fn hostile_statement() -> Statement {
        let mut big = entry(HOSTILE, 0, 2_000_000);
        big.account_code = "501003".into();
        let mut bank = entry(HOSTILE, 2_000_000, 0);
        bank.account_code = "102".into();
        let (before, from) = crate::catalog_files::default_charts();
        let charts = yangguang_core::accounts::Charts { before, from, switch: NaiveDate::MIN };
        let period = Period::Month { year: 2026, month: 3 };
        statement(period, &[bank, big], &charts, LARGE_ITEM)
    }

    #[test]
    fn a_summary_is_plain_text_in_the_generated_statement() {
        let s = hostile_statement();
        assert_eq!(s.large_items.len(), 1, "the hostile line is a large item");
        let mut md = String::new();
        statement_markdown(&mut md, &s, "/v/339921100201");
        let html = crate::markdown::render(&md);
        assert!(!html.contains("<img") && !html.contains("evil\"") && !html.contains("href=\"http"), "{html}");
        assert_eq!(html.matches("<a ").count(), 1, "only the link to the month's vouchers: {html}");
        assert!(!html.contains("<b>") && !html.contains("<em>") && !html.contains("<code>") && !html.contains("<h1"));
        let text = html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
        assert!(text.contains(HOSTILE), "the 摘要 reads literally: {html}");
        // The pipe did not add a column: every row of the large items' table has five cells.
        let large = html.split("<table>").last().unwrap();
        for row in large.split("<tr>").skip(1) {
            assert_eq!(row.matches("<td").count() + row.matches("<th").count(), 5, "{row}");
        }
        assert!(html.contains("<strong>合计</strong>"), "totals stay bold");
    }

    #[test]
    fn formula_cells_are_neutralised_and_numbers_stay_numbers() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://evil\",\"点我\")", "'=HYPERLINK(\"http://evil\",\"点我\")"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("  =1", "'  =1"),
            ("＝1+1", "'＝1+1"),
            ("-", "'-"),
            ("-50.50", "-50.50"),
            ("+3", "+3"),
            ("-1,234.00", "-1,234.00"),
            ("收租金=300", "收租金=300"),
            ("", ""),
            ("2026-03-05", "2026-03-05"),
        ] {
            assert_eq!(spreadsheet_text(cell), written, "{cell:?}");
        }
        let bytes = ledger_csv(&[entry("=HYPERLINK(\"http://evil\")", -5_050, 0), entry("@cmd", 0, 100)]);
        let body = std::str::from_utf8(&bytes).unwrap().strip_prefix(BOM).unwrap();
        let read: Vec<::csv::StringRecord> =
            ::csv::Reader::from_reader(body.as_bytes()).records().map(|r| r.unwrap()).collect();
        assert_eq!(&read[0][2], "'=HYPERLINK(\"http://evil\")");
        assert_eq!(&read[0][5], "-50.50", "a negative amount stays a number");
        assert_eq!(&read[1][2], "'@cmd");
        let table = csv(&["户主", "金额"], &[vec!["-张三".into(), "-300.00".into()]]);
        assert!(std::str::from_utf8(&table).unwrap().ends_with("'-张三,-300.00\n"));
    }

    #[test]
    fn ordinary_lines_are_written_as_before() {
        let bytes = ledger_csv(&[entry("收3月店面房租金", 0, 1_200_000), entry("付水电费", -5_050, 0)]);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}凭证日期,凭证号,摘要,科目编码,科目名称,借方金额,贷方金额,附件数\n\
             2026-03-05,记-001,收3月店面房租金,501,经营收入,,12000.00,2\n\
             2026-03-05,记-001,付水电费,501,经营收入,-50.50,,2\n"
        );
    }

    #[test]
    fn a_summary_with_a_comma_a_quote_and_a_line_break_reads_back_exactly() {
        let summaries =
            ["收租金, 含押金", "付\"村口\"路灯电费", "第一行\n第二行", "回车\r\n换行, \"全都\"有", ",\"", " 首尾空格 "];
        let lines: Vec<LedgerEntry> = summaries.iter().map(|s| entry(s, 0, 100)).collect();
        let bytes = ledger_csv(&lines);
        let text = std::str::from_utf8(&bytes).unwrap();
        let body = text.strip_prefix(BOM).expect("a BOM for spreadsheet programs");
        let mut reader = ::csv::Reader::from_reader(body.as_bytes());
        assert_eq!(reader.headers().unwrap().get(2), Some("摘要"));
        let read: Vec<::csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(read.len(), summaries.len());
        for (record, summary) in read.iter().zip(summaries) {
            assert_eq!(record.len(), 8);
            assert_eq!(&record[2], summary);
            assert_eq!(&record[6], "1.00");
        }
    }

    #[test]
    fn any_cells_read_back_exactly() {
        let rows = vec![vec!["张*明".to_owned(), "1,234.56".to_owned(), "\"低保\"\n特困".to_owned(), String::new()]];
        let bytes = csv(&["户主", "金额", "类别", "备注"], &rows);
        let body = std::str::from_utf8(&bytes).unwrap().strip_prefix(BOM).unwrap();
        let mut reader = ::csv::Reader::from_reader(body.as_bytes());
        let read: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        assert_eq!(read, rows);
    }
}
