//! Receipt scans arriving in bulk: a folder's files or a zip's entries, each named after its
//! voucher (`2026-03_记-001.jpg`, `2026-03_记-001_2.jpg`) or listed in a mapping CSV
//! (`文件名,期间,凭证号`). Zips are read one entry at a time with limits — entry count, each
//! entry's size (declared and actual), the total size, the compression ratio that betrays a
//! zip bomb — and names with path components are refused.

use std::collections::HashMap;
use std::io::{Read, Seek};

use yangguang_core::Period;
use yangguang_core::disclosure::{is_safe_file_name, without_bidi_controls};
use yangguang_core::ledger::normalize_voucher_no;

use crate::table::read_table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    pub max_entries: usize,
    /// All entries together, uncompressed, as read (not as declared).
    pub max_total_bytes: u64,
    /// One entry, uncompressed: its declared size and what it really expands to.
    pub max_entry_bytes: u64,
    /// Uncompressed / compressed beyond this is a bomb, not a photo.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        Self {
            max_entries: 20_000,
            max_total_bytes: 4 * 1024 * 1024 * 1024,
            max_entry_bytes: 10 * 1024 * 1024,
            max_ratio: 100,
        }
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptFileError {
    #[error("压缩包无法读取：{0} / the zip cannot be read")]
    BadZip(String),
    #[error("压缩包条目过多（超过 {0} 个）/ too many entries")]
    TooManyEntries(usize),
    #[error("压缩包解压后超过 {} MB（读到条目 “{entry}” 时）/ the zip expands too much", mb(*.limit))]
    TooLarge { entry: String, limit: u64 },
}

/// A file taken out of a folder or zip, or refused with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    File { name: String, bytes: Vec<u8> },
    Refused { name: String, reason: String },
}

/// A zip's entries, read one at a time with limits, so that only the entry being read is
/// ever in memory: an entry whose declared size is over [`ZipLimits::max_entry_bytes`], whose
/// compression ratio betrays a bomb, or that expands beyond what its header declares (a lying
/// header) is refused by name without being expanded further; entries together may not expand
/// beyond [`ZipLimits::max_total_bytes`] (then the iterator ends with
/// [`ReceiptFileError::TooLarge`]). One bad entry does not hide the others.
pub struct ZipEntries<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    limits: ZipLimits,
    next: usize,
    total: u64,
    failed: bool,
}

impl<R: Read + Seek> ZipEntries<R> {
    pub fn open(reader: R, limits: ZipLimits) -> Result<Self, ReceiptFileError> {
        let archive = zip::ZipArchive::new(reader).map_err(|e| ReceiptFileError::BadZip(e.to_string()))?;
        if archive.len() > limits.max_entries {
            return Err(ReceiptFileError::TooManyEntries(limits.max_entries));
        }
        Ok(Self { archive, limits, next: 0, total: 0, failed: false })
    }

    fn entry(&mut self, i: usize) -> Result<Option<Extracted>, ReceiptFileError> {
        let limits = self.limits;
        let mut entry = self.archive.by_index(i).map_err(|e| ReceiptFileError::BadZip(e.to_string()))?;
        if entry.is_dir() {
            return Ok(None);
        }
        let raw_name = without_bidi_controls(&entry_name(entry.name_raw())).into_owned();
        let name = raw_name.rsplit('/').next().unwrap_or("").to_owned();
        if raw_name.contains("..") || raw_name.starts_with('/') || raw_name.contains('\\') || !is_safe_file_name(&name)
        {
            return Ok(Some(Extracted::Refused {
                name: raw_name,
                reason: "文件名含路径或非法字符 / path components in the name".into(),
            }));
        }
        let refused = |name: String, reason: String| Ok(Some(Extracted::Refused { name, reason }));
        let (size, compressed) = (entry.size(), entry.compressed_size().max(1));
        if size > limits.max_entry_bytes {
            return refused(
                name,
                format!(
                    "解压后 {} MB，超过单个文件上限 {} MB，未解压 / the entry expands beyond the per-file limit",
                    mb(size),
                    mb(limits.max_entry_bytes)
                ),
            );
        }
        if size / compressed > limits.max_ratio {
            return refused(
                name,
                format!("压缩比 {}:1 异常，疑似压缩炸弹 / suspicious compression ratio", size / compressed),
            );
        }
        if self.total + size > limits.max_total_bytes {
            return Err(ReceiptFileError::TooLarge { entry: name, limit: limits.max_total_bytes });
        }
        // Never trust the declared size: read at most one byte more than it (and it is
        // within the per-entry limit), so a lying header is caught without expanding it.
        let mut bytes = Vec::with_capacity(size as usize);
        let read = (&mut entry).take(size + 1).read_to_end(&mut bytes);
        self.total += bytes.len() as u64;
        // The zip reader also notices an entry running past its declared size (an error).
        let longer = bytes.len() as u64 >= size;
        let lying = || {
            format!(
                "实际解压大小与声明的 {size} 字节不符，疑似伪造的条目头，未解压 / the entry expands beyond its declared size"
            )
        };
        match read {
            Ok(n) if n as u64 == size => Ok(Some(Extracted::File { name, bytes })),
            Ok(_) => refused(name, lying()),
            Err(_) if longer => refused(name, lying()),
            Err(e) => refused(name, format!("无法解压：{e} / the entry cannot be expanded")),
        }
    }
}

impl<R: Read + Seek> Iterator for ZipEntries<R> {
    type Item = Result<Extracted, ReceiptFileError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed && self.next < self.archive.len() {
            let i = self.next;
            self.next += 1;
            match self.entry(i) {
                Ok(None) => continue,
                Ok(Some(extracted)) => return Some(Ok(extracted)),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

/// An entry's name: UTF-8 when it is (the flag is often missing), else GBK (GB18030), as
/// Windows' own zip tool writes Chinese names — never CP437 mojibake.
pub fn entry_name(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(name) => name.into(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(raw).0,
    }
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
    use std::io::{Cursor, Write};

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

    fn unzip(bytes: &[u8], limits: ZipLimits) -> Result<Vec<Extracted>, ReceiptFileError> {
        ZipEntries::open(Cursor::new(bytes), limits)?.collect()
    }

    #[test]
    fn zips_unpack_with_their_hostile_entries_refused() {
        let bomb = vec![0u8; 5_000_000];
        let zip = zip_of(&[
            ("2026-03_记-001.jpg", b"jpeg bytes".to_vec()),
            ("../etc/passwd", b"x".to_vec()),
            ("bomb.jpg", bomb),
        ]);
        let out = unzip(&zip, ZipLimits::default()).unwrap();
        assert!(matches!(&out[0], Extracted::File { name, .. } if name == "2026-03_记-001.jpg"));
        assert!(matches!(&out[1], Extracted::Refused { reason, .. } if reason.contains("路径")));
        // A right-to-left override in an entry's name is dropped: the name reads as written.
        let spoofed = zip_of(&[("2026-03_记-002\u{202E}gpj.exe", b"x".to_vec())]);
        let cleaned = unzip(&spoofed, ZipLimits::default()).unwrap();
        assert!(matches!(&cleaned[0], Extracted::File { name, .. } if name == "2026-03_记-002gpj.exe"), "{cleaned:?}");
        assert!(matches!(&out[2], Extracted::Refused { reason, .. } if reason.contains("压缩炸弹")));
        assert!(matches!(unzip(b"PK\x03\x04 not really", ZipLimits::default()), Err(ReceiptFileError::BadZip(_))));
        let few = ZipLimits { max_entries: 2, ..ZipLimits::default() };
        assert_eq!(unzip(&zip, few).unwrap_err(), ReceiptFileError::TooManyEntries(2));
    }

    /// A zip bomb made here: 64 MB of zeros squeezed into about 64 KB. It is refused by
    /// name from its declared size, before a byte of it is expanded, and the entries around it
    /// still come out.
    #[test]
    fn a_zip_bomb_is_refused_by_name_without_being_expanded() {
        let mut buf = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        w.start_file("2026-03_记-001.jpg", options).unwrap();
        w.write_all(b"jpeg bytes").unwrap();
        w.start_file("2026-03_记-002.jpg", options).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            w.write_all(&zeros).unwrap();
        }
        w.start_file("2026-03_记-003.jpg", options).unwrap();
        w.write_all(b"more jpeg bytes").unwrap();
        w.finish().unwrap();
        let zip = buf.into_inner();
        assert!(zip.len() < 256 * 1024, "{} bytes", zip.len());
        // Even a ratio check that lets anything through does not expand it: the per-entry
        // limit refuses it from its declared size.
        let lax = ZipLimits { max_ratio: u64::MAX, ..ZipLimits::default() };
        let out = unzip(&zip, lax).unwrap();
        assert_eq!(out.len(), 3);
        assert!(matches!(&out[0], Extracted::File { name, .. } if name == "2026-03_记-001.jpg"));
        let Extracted::Refused { name, reason } = &out[1] else { panic!("{:?}", out[1]) };
        assert_eq!(name, "2026-03_记-002.jpg");
        assert!(reason.starts_with("解压后 64.0 MB，超过单个文件上限 10.0 MB"), "{reason}");
        assert!(matches!(&out[2], Extracted::File { name, .. } if name == "2026-03_记-003.jpg"));
        // The total limit ends the archive, naming the entry that crossed it.
        let small = ZipLimits { max_total_bytes: 12, ..ZipLimits::default() };
        let err = unzip(&zip, small).unwrap_err();
        assert_eq!(err, ReceiptFileError::TooLarge { entry: "2026-03_记-003.jpg".into(), limit: 12 });
        assert!(err.to_string().starts_with("压缩包解压后超过"), "{err}");
    }

    /// A header that declares a small size for a large entry: reading stops one byte past
    /// the declared size and the entry is refused by name.
    #[test]
    fn an_entry_larger_than_its_header_says_is_refused() {
        let zip = zip_of(&[("2026-03_记-001.jpg", vec![7u8; 4096])]);
        // Patch the declared uncompressed size (local header at 22, central directory at 24
        // past its signature) down to 100 bytes.
        let mut lying = zip.clone();
        let declared = 4096u32.to_le_bytes();
        let small = 100u32.to_le_bytes();
        let mut patched = 0;
        for i in 0..lying.len() - 4 {
            if lying[i..i + 4] == declared {
                lying[i..i + 4].copy_from_slice(&small);
                patched += 1;
            }
        }
        assert_eq!(patched, 2, "the local and the central header");
        let out = unzip(&lying, ZipLimits::default()).unwrap();
        let Extracted::Refused { name, reason } = &out[0] else { panic!("{:?}", out[0]) };
        assert_eq!(name, "2026-03_记-001.jpg");
        assert!(reason.contains("声明的 100 字节不符"), "{reason}");
    }

    /// A zip made on Chinese Windows names its entries in GBK without the UTF-8 flag.
    #[test]
    fn gbk_entry_names_read_as_chinese() {
        let (gbk, _, _) = encoding_rs::GBK.encode("记-002.jpg");
        assert_eq!(gbk.len(), 10);
        let mut zip = zip_of(&[("XX-002.jpg", b"jpeg bytes".to_vec())]);
        let mut patched = 0;
        for i in 0..zip.len() - 10 {
            if &zip[i..i + 10] == b"XX-002.jpg" {
                zip[i..i + 10].copy_from_slice(&gbk);
                patched += 1;
            }
        }
        assert_eq!(patched, 2, "the local and the central header");
        let out = unzip(&zip, ZipLimits::default()).unwrap();
        assert!(matches!(&out[0], Extracted::File { name, .. } if name == "记-002.jpg"), "{out:?}");
    }

    #[test]
    fn a_mapping_csv_links_scanner_names_to_vouchers() {
        let m = read_mapping("文件名,期间,凭证号\nSCAN0001.jpg,2026-03,记-001\n".as_bytes()).unwrap();
        assert_eq!(m["SCAN0001.jpg"].voucher, "记-1");
        assert!(read_mapping("文件名,期间,凭证号\nA.jpg,三月,1\n".as_bytes()).unwrap_err().contains("第 2 行"));
    }
}
