//! The village collective's books as imported: entry lines grouped into vouchers (凭证),
//! money as integer fen, and the rules every import checks — amounts written the many ways
//! accounting exports write them, dates, and vouchers that must balance.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::money::Fen;

/// One entry line (分录) of a voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub date: NaiveDate,
    /// As the books write it: 记-001, 记字第1号, 0001 …
    pub voucher_no: String,
    pub summary: String,
    pub account_code: String,
    pub account_name: String,
    pub debit: Fen,
    pub credit: Fen,
    /// Attached original documents (附件数), if the export says.
    pub attachments: u32,
    /// 1-based row in the source file, for messages.
    pub row: u64,
}

/// Voucher numbers restart every month in village bookkeeping: a voucher is its month and number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VoucherKey {
    pub year: i32,
    pub month: u32,
    pub number: String,
}

impl VoucherKey {
    pub fn of(entry: &LedgerEntry) -> Self {
        Self { year: entry.date.year(), month: entry.date.month(), number: normalize_voucher_no(&entry.voucher_no) }
    }
}

/// How many receipt scans a voucher's lines say it has (附件数). Exports repeat the count on
/// every line of a voucher or give it on the first line only, so it is the largest, not the sum.
pub fn expected_scans<'a>(lines: impl IntoIterator<Item = &'a LedgerEntry>) -> u32 {
    lines.into_iter().map(|l| l.attachments).max().unwrap_or(0)
}

/// `记-001`, `记字第1号`, `记 1` and `1` are the same voucher.
pub fn normalize_voucher_no(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let word: String = s.chars().filter(|c| !c.is_ascii_digit() && !"-_ 字第号#".contains(*c)).collect();
    let number = digits.trim_start_matches('0');
    let number = if number.is_empty() { "0" } else { number };
    if word.is_empty() { number.to_owned() } else { format!("{word}-{number}") }
}

/// The one way a voucher number is shown everywhere (pages, CSV, XLSX, JSON): the voucher
/// word and its number padded to three digits, `记-004`, as village books print and export
/// them (`记-1`, `记字第1号` and `记-0001` all read `记-001`). Same voucher, same label, as
/// [`normalize_voucher_no`] decides.
pub fn voucher_label(s: &str) -> String {
    let normal = normalize_voucher_no(s);
    let (word, number) = normal.rsplit_once('-').unwrap_or(("", &normal));
    if word.is_empty() { format!("{number:0>3}") } else { format!("{word}-{number:0>3}") }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("金额 “{0}” 无法识别 / not an amount")]
    Malformed(String),
    #[error("金额 “{0}” 超过两位小数 / more than two decimals")]
    TooPrecise(String),
    #[error("金额 “{0}” 过大 / too large")]
    TooLarge(String),
}

fn to_ascii(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).expect("digit"),
        '，' => ',',
        '．' | '。' => '.',
        '（' => '(',
        '）' => ')',
        '－' | '—' | '−' => '-',
        other => other,
    }
}

/// Reads an amount as exports write it: `1,234.50`, `１２３４.５`, `(1,234.50)` or `-1234.5`
/// for negatives, `¥`/`元` signs, and blanks or a dash for nothing.
pub fn parse_amount(text: &str) -> Result<Fen, AmountError> {
    let bad = || AmountError::Malformed(text.trim().to_owned());
    let s: String = text.chars().map(to_ascii).filter(|c| !c.is_whitespace() && !"¥￥元".contains(*c)).collect();
    if s.is_empty() || s == "-" || s == "--" {
        return Ok(Fen(0));
    }
    let (negative, body) = if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        (true, inner)
    } else if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else {
        (false, s.as_str())
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(bad());
    }
    // Thousands separators: groups of three after the first, nothing else.
    let groups: Vec<&str> = int_part.split(',').collect();
    if groups.len() > 1 && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return Err(bad());
    }
    let digits: String = groups.concat();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let frac = frac_part.trim_end_matches('0');
    if frac.len() > 2 {
        return Err(AmountError::TooPrecise(text.trim().to_owned()));
    }
    let yuan: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| AmountError::TooLarge(text.trim().to_owned()))?
    };
    let cents: i64 = format!("{frac:0<2}").parse().expect("two digits");
    let fen = yuan
        .checked_mul(100)
        .and_then(|v| v.checked_add(cents))
        .ok_or_else(|| AmountError::TooLarge(text.trim().to_owned()))?;
    Ok(Fen(if negative { -fen } else { fen }))
}

/// Reads a voucher date: `2026-03-05`, `2026/3/5`, `2026.3.5`, `20260305`, `2026年3月5日`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let s: String = text.trim().chars().map(to_ascii).collect();
    let s = s.split_whitespace().next().unwrap_or("");
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月', '日']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        _ => None,
    }
}

/// A voucher ready to store: its lines in order, and a hash of exactly what they say, so a
/// re-import can tell an unchanged voucher from a changed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voucher {
    pub key: VoucherKey,
    pub date: NaiveDate,
    pub lines: Vec<LedgerEntry>,
    pub content_hash: String,
}

/// Groups entry lines (in file order) into vouchers.
pub fn vouchers(entries: &[LedgerEntry]) -> Vec<Voucher> {
    let mut out: Vec<Voucher> = vec![];
    let mut index: std::collections::HashMap<VoucherKey, usize> = std::collections::HashMap::new();
    for e in entries {
        let key = VoucherKey::of(e);
        match index.get(&key) {
            Some(&i) => out[i].lines.push(e.clone()),
            None => {
                index.insert(key.clone(), out.len());
                out.push(Voucher { key, date: e.date, lines: vec![e.clone()], content_hash: String::new() });
            }
        }
    }
    for v in &mut out {
        v.content_hash = voucher_hash(&v.lines);
    }
    out
}

/// SHA-256 over the lines' content (not their row numbers in a file).
pub fn voucher_hash(lines: &[LedgerEntry]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"yangguang-voucher-v1\n");
    for l in lines {
        let text = format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            l.date, l.voucher_no, l.summary, l.account_code, l.account_name, l.debit.0, l.credit.0, l.attachments
        );
        h.update(text.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A voucher whose debits and credits differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbalanced {
    pub key: VoucherKey,
    pub debit: Fen,
    pub credit: Fen,
    /// Rows of its lines, for the message.
    pub rows: Vec<u64>,
}

/// Every voucher that does not balance.
pub fn unbalanced(entries: &[LedgerEntry]) -> Vec<Unbalanced> {
    let mut sums: BTreeMap<VoucherKey, (i64, i64, Vec<u64>)> = BTreeMap::new();
    for e in entries {
        let s = sums.entry(VoucherKey::of(e)).or_default();
        s.0 += e.debit.0;
        s.1 += e.credit.0;
        s.2.push(e.row);
    }
    sums.into_iter()
        .filter(|(_, (d, c, _))| d != c)
        .map(|(key, (d, c, rows))| Unbalanced { key, debit: Fen(d), credit: Fen(c), rows })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_as_exports_write_them() {
        let ok = |s: &str| parse_amount(s).unwrap().0;
        assert_eq!(ok("1,234.50"), 123_450);
        assert_eq!(ok("１，２３４．５"), 123_450);
        assert_eq!(ok("(1,234.50)"), -123_450);
        assert_eq!(ok("（200）"), -20_000);
        assert_eq!(ok("-0.5"), -50);
        assert_eq!(ok("¥ 88 元"), 8_800);
        assert_eq!(ok(""), 0);
        assert_eq!(ok(" - "), 0);
        assert_eq!(ok("12.300"), 1_230);
        assert_eq!(ok(".5"), 50);
        for bad in ["12,34", "1,2345.00", ",123", "abc", "1.2.3", "1e5", "(12", "--5"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
        assert!(matches!(parse_amount("1.234"), Err(AmountError::TooPrecise(_))));
        assert!(matches!(parse_amount("99999999999999999999"), Err(AmountError::TooLarge(_))));
    }

    #[test]
    fn dates_in_their_usual_forms() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5);
        for s in [
            "2026-03-05",
            "2026/3/5",
            "2026.3.5",
            "20260305",
            "2026年3月5日",
            "２０２６-０３-０５",
            "2026-03-05 00:00:00",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        for bad in ["", "3/5/2026", "2026-13-01", "2026-02-30", "昨天"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn vouchers_group_lines_and_hash_content_not_rows() {
        let e = |no: &str, code: &str, d: i64, row| LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            voucher_no: no.into(),
            summary: "收租".into(),
            account_code: code.into(),
            account_name: String::new(),
            debit: Fen(d),
            credit: Fen(0),
            attachments: 0,
            row,
        };
        let a = vouchers(&[e("记-1", "101", 5, 2), e("记-2", "101", 7, 3), e("记-001", "102", 6, 4)]);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].lines.len(), 2);
        let moved = vouchers(&[e("记-1", "101", 5, 12), e("记-001", "102", 6, 14)]);
        assert_eq!(moved[0].content_hash, a[0].content_hash, "row numbers are not content");
        let changed = vouchers(&[e("记-1", "101", 5, 2), e("记-001", "102", 60, 4)]);
        assert_ne!(changed[0].content_hash, a[0].content_hash);
    }

    #[test]
    fn voucher_numbers_are_normalised() {
        assert_eq!(normalize_voucher_no("记-001"), "记-1");
        assert_eq!(normalize_voucher_no("记字第1号"), "记-1");
        assert_eq!(normalize_voucher_no("0001"), "1");
    }

    #[test]
    fn voucher_labels_are_one_format() {
        for raw in ["记-1", "记-001", "记字第1号", "记 0001", "记1"] {
            assert_eq!(voucher_label(raw), "记-001", "{raw}");
        }
        assert_eq!(voucher_label("收-1234"), "收-1234");
        assert_eq!(voucher_label("7"), "007");
        assert_eq!(normalize_voucher_no(&voucher_label("记字第12号")), normalize_voucher_no("记-12"));
    }

    #[test]
    fn unbalanced_vouchers_are_found_with_their_rows() {
        let e = |no: &str, d: i64, c: i64, row| LedgerEntry {
            date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            voucher_no: no.into(),
            summary: String::new(),
            account_code: "101".into(),
            account_name: String::new(),
            debit: Fen(d),
            credit: Fen(c),
            attachments: 0,
            row,
        };
        let entries = [e("记-1", 100, 0, 2), e("记-001", 0, 100, 3), e("记-2", 500, 0, 4), e("记-2", 0, 400, 5)];
        let bad = unbalanced(&entries);
        assert_eq!(bad.len(), 1);
        assert_eq!((bad[0].key.number.as_str(), bad[0].rows.clone()), ("记-2", vec![4, 5]));
    }

    proptest! {
        #[test]
        fn formatted_amounts_parse_back(n in -99_999_999_999i64..99_999_999_999) {
            let text = Fen(n).to_string();
            prop_assert_eq!(parse_amount(&text).unwrap(), Fen(n));
            let bracketed = if n < 0 { format!("({})", Fen(-n)) } else { text.clone() };
            prop_assert_eq!(parse_amount(&bracketed).unwrap(), Fen(n));
        }

        #[test]
        fn amount_parsing_never_panics(s in "\\PC{0,24}") {
            let _ = parse_amount(&s);
            let _ = parse_date(&s);
        }
    }
}
