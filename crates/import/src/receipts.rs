//! Receipt scans arriving in bulk: a folder's files or a zip's entries, each named after its
//! voucher (`2026-03_记-001.jpg`, `2026-03_记-001_2.jpg`) or listed in a mapping CSV
//! (`文件名,期间,凭证号`). Zips are read with limits — entry count, total size, the
//! compression ratio that betrays a zip bomb — and names with path components are refused.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use yangguang_core::Period;
use yangguang_core::disclosure::is_safe_file_name;
use yangguang_core::ledger::normalize_voucher_no;

use crate::table::read_table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    pub max_entries: usize,
    pub max_total_bytes: u64,
    /// Uncompressed / compressed beyond this is a bomb, not a photo.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        Self { max_entries: 20_000, max_total_bytes: 4 * 1024 * 1024 * 1024, max_ratio: 100 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptFileError {
    #[error("压缩包无法读取：{0} / the zip cannot be read")]
    BadZip(String),
    #[error("压缩包条目过多（超过 {0} 个）/ too many entries")]
    TooManyEntries(usize),
    #[error("压缩包解压后过大 / the zip expands too much")]
    TooLarge,
}

/// A file taken out of a folder or zip, or refused with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    File { name: String, bytes: Vec<u8> },
    Refused { name: String, reason: String },
}

/// Unpacks a zip with limits; entries are checked one by one so one bad entry does not hide
/// the others.
pub fn unzip(bytes: &[u8], limits: &ZipLimits) -> Result<Vec<Extracted>, ReceiptFileError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReceiptFileError::BadZip(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(ReceiptFileError::TooManyEntries(limits.max_entries));
    }
    let mut out = vec![];
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| ReceiptFileError::BadZip(e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        let raw_name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let name = raw_name.rsplit('/').next().unwrap_or("").to_owned();
        if raw_name.contains("..") || raw_name.starts_with('/') || raw_name.contains('\\') || !is_safe_file_name(&name)
        {
            out.push(Extracted::Refused {
                name: raw_name,
                reason: "文件名含路径或非法字符 / path components in the name".into(),
            });
            continue;
        }
        let (size, compressed) = (entry.size(), entry.compressed_size().max(1));
        if size / compressed > limits.max_ratio {
            out.push(Extracted::Refused {
                name,
                reason: format!("压缩比 {}:1 异常，疑似压缩炸弹 / suspicious compression ratio", size / compressed),
            });
            continue;
        }
        total += size;
        if total > limits.max_total_bytes {
            return Err(ReceiptFileError::TooLarge);
        }
        // Never trust the declared size: read at most one byte more than it.
        let mut bytes = Vec::with_capacity(size.min(64 * 1024 * 1024) as usize);
        let read = (&mut entry).take(size + 1).read_to_end(&mut bytes);
        match read {
            Ok(n) if n as u64 == size => out.push(Extracted::File { name, bytes }),
            Ok(_) => {
                out.push(Extracted::Refused { name, reason: "条目大小与声明不符 / size mismatch".into() })
            }
            Err(e) => out.push(Extracted::Refused { name, reason: format!("无法解压：{e}") }),
        }
    }
    Ok(out)
}

/// Which voucher a receipt belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptTarget {
    pub period: Period,
    /// Normalised voucher number (`记-1`).
    pub voucher: String,
}

/// Reads `2026-03_记-001.jpg`, `2026-03 记-001-2.png`, `202603_记001.jpg`.
pub fn target_from_name(name: &str) -> Option<ReceiptTarget> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut parts = stem.split(['_', ' ']).filter(|p| !p.is_empty());
    let period_text = parts.next()?;
    let period = if period_text.len() == 6 && period_text.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}", &period_text[..4], &period_text[4..]).parse().ok()?
    } else {
        period_text.parse::<Period>().ok()?
    };
    if !matches!(period, Period::Month { .. }) {
        return None;
    }
    let voucher = parts.next()?;
    // `记-001-2`: a trailing number after a second dash is the page, not the voucher.
    let voucher = match voucher.matches('-').count() {
        2 => voucher.rsplit_once('-').map_or(voucher, |(v, _)| v),
        _ => voucher,
    };
    Some(ReceiptTarget { period, voucher: normalize_voucher_no(voucher) })
}

/// A mapping CSV: file name → voucher, for scans named by the scanner.
pub fn read_mapping(bytes: &[u8]) -> Result<HashMap<String, ReceiptTarget>, String> {
    let table = read_table(bytes).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    for (i, row) in table.rows.iter().enumerate().skip(1) {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        let [file, period, voucher, ..] = cells.as_slice() else { continue };
        if file.is_empty() {
            continue;
        }
        let period: Period =
            period.parse().map_err(|_| format!("对照表第 {} 行：期间 “{period}” 应如 2026-03", i + 1))?;
        out.insert(file.to_string(), ReceiptTarget { period, voucher: normalize_voucher_no(voucher) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, bytes) in entries {
            let options: zip::write::SimpleFileOptions =
                zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            w.start_file(*name, options).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
        buf.into_inner()
    }

    #[test]
    fn names_carry_their_voucher() {
        let t = |n| target_from_name(n).map(|t| (t.period.to_string(), t.voucher));
        assert_eq!(t("2026-03_记-001.jpg"), Some(("2026-03".into(), "记-1".into())));
        assert_eq!(t("2026-03 记-001-2.png"), Some(("2026-03".into(), "记-1".into())));
        assert_eq!(t("202603_记001.jpg"), Some(("2026-03".into(), "记-1".into())));
        assert_eq!(t("IMG_0001.jpg"), None);
        assert_eq!(t("2026-Q1_记-1.jpg"), None);
    }

    #[test]
    fn zips_unpack_with_their_hostile_entries_refused() {
        let bomb = vec![0u8; 5_000_000];
        let zip = zip_of(&[
            ("2026-03_记-001.jpg", b"jpeg bytes".to_vec()),
            ("../etc/passwd", b"x".to_vec()),
            ("bomb.jpg", bomb),
        ]);
        let out = unzip(&zip, &ZipLimits::default()).unwrap();
        assert!(matches!(&out[0], Extracted::File { name, .. } if name == "2026-03_记-001.jpg"));
        assert!(matches!(&out[1], Extracted::Refused { reason, .. } if reason.contains("路径")));
        assert!(matches!(&out[2], Extracted::Refused { reason, .. } if reason.contains("压缩炸弹")));
        assert!(matches!(unzip(b"PK\x03\x04 not really", &ZipLimits::default()), Err(ReceiptFileError::BadZip(_))));
        let few = ZipLimits { max_entries: 2, ..ZipLimits::default() };
        assert_eq!(unzip(&zip, &few).unwrap_err(), ReceiptFileError::TooManyEntries(2));
    }

    #[test]
    fn a_mapping_csv_links_scanner_names_to_vouchers() {
        let m = read_mapping("文件名,期间,凭证号\nSCAN0001.jpg,2026-03,记-001\n".as_bytes()).unwrap();
        assert_eq!(m["SCAN0001.jpg"].voucher, "记-1");
        assert!(read_mapping("文件名,期间,凭证号\nA.jpg,三月,1\n".as_bytes()).unwrap_err().contains("第 2 行"));
    }
}
