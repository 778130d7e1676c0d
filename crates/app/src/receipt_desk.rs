//! The receipt desk: a clerk's month of books in the console, voucher by voucher — scans
//! expected (附件数) against scans attached — with photos and zips of scans uploaded into the
//! month's tray (re-encoded like every upload), suggested to their voucher from their file
//! names, assigned with one tap, and detached when attached by mistake. Every move is audited.
//!
//! The publication rule for scans is the one the command-line import already follows: a
//! missing scan may be added to a month whose accounts are published (it is public at once),
//! but a published scan is never taken down — a mistake there is fixed by a correction.

use std::collections::BTreeMap;
use std::io::Cursor;

use chrono::{NaiveDate, Utc};
use yangguang_core::ledger::{LedgerEntry, VoucherKey, expected_scans, normalize_voucher_no};
use yangguang_core::{Fen, Period, RegionCode};
use yangguang_import::receipt_names::hint_from_name;
use yangguang_import::receipts::{Extracted, ZipEntries, ZipLimits};
use yangguang_store::{NewTrayScan, Receipt, StoreError, TrayScan};

use crate::auth::audit_required;
use crate::finance::month_published;
use crate::publishing::Actor;
use crate::uploads::{self, UploadError, UploadLimits};
use crate::{AppError, Site};

/// Files in one upload (photos, or entries of a zip), whatever their size.
pub const MAX_UPLOAD_FILES: usize = 500;

/// One voucher of the month with its scans.
#[derive(Debug, Clone)]
pub struct DeskVoucher {
    /// Normalised (`记-2`): the key scans are attached under.
    pub number: String,
    /// As booked (`记-002`).
    pub label: String,
    pub date: NaiveDate,
    pub summary: String,
    pub amount: Fen,
    /// 附件数 from the books.
    pub expected: u32,
    pub scans: Vec<Receipt>,
}

impl DeskVoucher {
    pub fn missing(&self) -> u32 {
        self.expected.saturating_sub(self.scans.len() as u32)
    }
}

/// A scan in the tray and the voucher its file name points to, if one does.
#[derive(Debug, Clone)]
pub struct DeskScan {
    pub scan: TrayScan,
    pub suggestion: Option<String>,
}

/// A month at the receipt desk.
#[derive(Debug, Clone)]
pub struct Desk {
    /// Vouchers missing scans first, then the others, each group in voucher order.
    pub vouchers: Vec<DeskVoucher>,
    pub tray: Vec<DeskScan>,
    /// The month's accounts are published: scans attached are public at once, and stay.
    pub published: bool,
}

fn month_of(period: Period) -> Result<(i32, u32), AppError> {
    match period {
        Period::Month { year, month } => Ok((year, month)),
        _ => Err(AppError::Field { field: "month", message: "请选择月份，如 2026-03 / choose a month".into() }),
    }
}

fn may_file(actor: &Actor<'_>, village: RegionCode) -> Result<(), AppError> {
    if actor.who.grants().can_draft(village) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("需要该村（{village}）的村务工作者角色才能整理原始票据")))
    }
}

/// `记-2` → ("记", 2), for ordering vouchers as people count them.
fn voucher_order(number: &str) -> (String, u64) {
    let (word, n) = number.rsplit_once('-').unwrap_or(("", number));
    (word.to_owned(), n.parse().unwrap_or(u64::MAX))
}

/// The month's vouchers with their scans, and its tray with suggestions.
pub async fn desk(site: &Site, village: RegionCode, period: Period) -> Result<Desk, AppError> {
    let (year, month) = month_of(period)?;
    let entries = site.store.ledger_entries(village, period.start(), period.end()).await?;
    let mut grouped: BTreeMap<String, Vec<LedgerEntry>> = BTreeMap::new();
    for e in entries {
        grouped.entry(VoucherKey::of(&e).number).or_default().push(e);
    }
    let mut scans: BTreeMap<String, Vec<Receipt>> = BTreeMap::new();
    for r in site.store.receipts(village, year, month).await? {
        scans.entry(r.voucher_no.clone()).or_default().push(r);
    }
    let mut vouchers: Vec<DeskVoucher> = grouped
        .into_iter()
        .map(|(number, lines)| DeskVoucher {
            scans: scans.remove(&number).unwrap_or_default(),
            label: lines[0].voucher_no.clone(),
            date: lines[0].date,
            summary: lines[0].summary.clone(),
            amount: Fen(lines.iter().map(|l| l.debit.0).sum()),
            expected: expected_scans(&lines),
            number,
        })
        .collect();
    vouchers.sort_by_cached_key(|v| (v.missing() == 0, voucher_order(&v.number)));
    let numbers: Vec<String> = vouchers.iter().map(|v| v.number.clone()).collect();
    let tray = site
        .store
        .tray(village, year, month)
        .await?
        .into_iter()
        .map(|scan| {
            let suggestion =
                hint_from_name(&scan.file_name).and_then(|h| h.voucher_in((year, month), &numbers).cloned());
            DeskScan { scan, suggestion }
        })
        .collect();
    Ok(Desk { vouchers, tray, published: month_published(site, village, period).await? })
}

/// What an upload did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    /// Scans put in the tray.
    pub added: u64,
    /// Scans already in the tray.
    pub already: u64,
    /// (file or zip entry, why it was skipped).
    pub refused: Vec<(String, String)>,
}

/// Checks and stores one image (re-encoded, EXIF gone, with a thumbnail); anything that is
/// not an image is refused by name.
fn store_image(
    site_files: &crate::files::FileStore,
    limits: &UploadLimits,
    (year, month): (i32, u32),
    name: &str,
    bytes: Vec<u8>,
) -> Result<NewTrayScan, String> {
    let not_image = || format!("“{name}” 不是图片，已跳过（原始票据只收 JPEG、PNG、WebP 照片或扫描件）/ not an image");
    let accepted = match uploads::check(name, bytes, limits) {
        Ok(a) if a.media_type.starts_with("image/") => a,
        Ok(_)
        | Err(
            UploadError::Unsupported(_)
            | UploadError::FakePdf(_)
            | UploadError::NotADocument(_)
            | UploadError::Macros(_),
        ) => return Err(not_image()),
        Err(e) => return Err(e.to_string()),
    };
    let sha256 = site_files.put_blocking(&accepted.bytes).map_err(|e| e.to_string())?;
    if let Some(thumb) = &accepted.thumbnail {
        site_files.put_thumbnail_blocking(&sha256, thumb).map_err(|e| e.to_string())?;
    }
    Ok(NewTrayScan {
        year,
        month,
        sha256,
        media_type: accepted.media_type.into(),
        file_name: accepted.attachment_name,
        byte_size: accepted.bytes.len() as i64,
    })
}

/// Puts photos and zips of scans in the month's tray. Each image is checked and re-encoded as
/// every upload is; zips are read one entry at a time with limits (count, sizes, bombs, path
/// components), and every entry or file skipped is named with the reason. The month must have
/// books: scans are for its vouchers.
pub async fn upload(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    period: Period,
    files: Vec<(String, Vec<u8>)>,
) -> Result<UploadReport, AppError> {
    may_file(actor, village)?;
    let (year, month) = month_of(period)?;
    if files.is_empty() {
        return Err(AppError::Field {
            field: "files", message: "请拍照或选择要上传的票据 / choose files".into()
        });
    }
    if site.store.voucher_numbers(village, year, month).await?.is_empty() {
        return Err(AppError::Field {
            field: "month",
            message: format!("{}没有已导入的凭证，请先导入账簿 / no vouchers this month", period.label_zh()),
        });
    }
    let limits = site.upload_limits;
    let files_store = site.files.clone();
    let zip_limits = ZipLimits {
        max_entries: MAX_UPLOAD_FILES,
        max_total_bytes: 1024 * 1024 * 1024,
        max_entry_bytes: limits.max_bytes as u64,
        ..ZipLimits::default()
    };
    // All on a blocking thread: decoding images and expanding zips, one file or entry at a time.
    let (scans, mut refused) = tokio::task::spawn_blocking(move || {
        let (mut scans, mut refused) = (vec![], vec![]);
        let mut seen = 0usize;
        let mut take =
            |name: &str, bytes: Vec<u8>, scans: &mut Vec<NewTrayScan>, refused: &mut Vec<(String, String)>| {
                seen += 1;
                if seen > MAX_UPLOAD_FILES {
                    refused.push((
                        name.to_owned(),
                        format!("一次最多上传 {MAX_UPLOAD_FILES} 张，其余未处理 / too many files"),
                    ));
                    return;
                }
                match store_image(&files_store, &limits, (year, month), name, bytes) {
                    Ok(scan) => scans.push(scan),
                    Err(why) => refused.push((name.to_owned(), why)),
                }
            };
        for (name, bytes) in files {
            if !bytes.starts_with(b"PK\x03\x04") {
                take(&name, bytes, &mut scans, &mut refused);
                continue;
            }
            let entries = match ZipEntries::open(Cursor::new(bytes), zip_limits) {
                Ok(entries) => entries,
                Err(e) => {
                    refused.push((name, e.to_string()));
                    continue;
                }
            };
            for entry in entries {
                match entry {
                    Ok(Extracted::File { name: entry, bytes }) => take(&entry, bytes, &mut scans, &mut refused),
                    Ok(Extracted::Refused { name: entry, reason }) => {
                        refused.push((format!("{name} › {entry}"), reason))
                    }
                    Err(e) => refused.push((name.clone(), e.to_string())),
                }
            }
        }
        (scans, refused)
    })
    .await
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    refused
        .iter_mut()
        .for_each(|(name, _)| *name = yangguang_core::disclosure::without_bidi_controls(name).into_owned());
    let added = site.store.add_to_tray(village, &scans, Utc::now()).await?;
    let report = UploadReport { added, already: scans.len() as u64 - added, refused };
    audit_required(
        site,
        Some(&actor.who.staff),
        actor.ip,
        "receipt-upload",
        &format!("{village}/{period}"),
        &format!("{} added, {} refused", report.added, report.refused.len()),
    )
    .await?;
    Ok(report)
}

/// Assigns a scan of the tray to a voucher of its month. Allowed in a published month, as the
/// import allows it: the missing scan is filled in and public at once.
pub async fn assign(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    tray_id: i64,
    voucher: &str,
) -> Result<Receipt, AppError> {
    may_file(actor, village)?;
    let voucher = normalize_voucher_no(voucher.trim());
    let receipt = match site.store.assign_from_tray(village, tray_id, &voucher).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            return Err(AppError::Conflict(
                "这张票据已不在待分配列表中（可能已分配或移除），请刷新页面 / the scan is no longer in the tray".into(),
            ));
        }
        Err(StoreError::Invalid(_)) => {
            return Err(AppError::Field {
                field: "voucher",
                message: format!("该月没有凭证 {voucher}，请从列表中选择 / no such voucher this month"),
            });
        }
        Err(e) => return Err(e.into()),
    };
    audit_required(
        site,
        Some(&actor.who.staff),
        actor.ip,
        "receipt-attach",
        &format!("{village}/{}-{:02}/{}", receipt.year, receipt.month, receipt.voucher_no),
        &format!("{} {}", receipt.sha256, receipt.file_name),
    )
    .await?;
    site.published(village);
    Ok(receipt)
}

/// Assigns every scan of the month's tray whose file name points to a voucher; how many.
pub async fn assign_suggested(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    period: Period,
) -> Result<usize, AppError> {
    may_file(actor, village)?;
    let mut done = 0;
    for s in desk(site, village, period).await?.tray {
        if let Some(voucher) = s.suggestion {
            assign(site, actor, village, s.scan.id, &voucher).await?;
            done += 1;
        }
    }
    Ok(done)
}

/// Takes a scan attached by mistake off its voucher, back into the month's tray. Refused in a
/// month whose accounts are published: what the public has seen stays.
pub async fn detach(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    period: Period,
    voucher: &str,
    sha256: &str,
) -> Result<TrayScan, AppError> {
    may_file(actor, village)?;
    let (year, month) = month_of(period)?;
    if month_published(site, village, period).await? {
        return Err(AppError::Conflict(format!(
            "{}的账目已公开，已公开的原始票据不能取下；如有错误，请发布更正说明 / \
             the month is published: its scans stay public",
            period.label_zh()
        )));
    }
    let voucher = normalize_voucher_no(voucher.trim());
    let scan =
        site.store.detach_receipt(village, (year, month, &voucher), sha256, Utc::now()).await.map_err(|e| match e {
            StoreError::NotFound => AppError::Conflict(format!(
                "凭证 {voucher} 上没有这张票据（可能已取下），请刷新页面 / the voucher has no such scan"
            )),
            e => e.into(),
        })?;
    audit_required(
        site,
        Some(&actor.who.staff),
        actor.ip,
        "receipt-detach",
        &format!("{village}/{period}/{voucher}"),
        &format!("{sha256} {}", scan.file_name),
    )
    .await?;
    site.published(village);
    Ok(scan)
}

/// Removes a scan from the tray (a photo taken twice, a blurred one).
pub async fn discard(site: &Site, actor: &Actor<'_>, village: RegionCode, tray_id: i64) -> Result<TrayScan, AppError> {
    may_file(actor, village)?;
    let scan = site.store.remove_from_tray(village, tray_id).await.map_err(|e| match e {
        StoreError::NotFound => {
            AppError::Conflict("这张票据已不在待分配列表中，请刷新页面 / no longer in the tray".into())
        }
        e => e.into(),
    })?;
    audit_required(
        site,
        Some(&actor.who.staff),
        actor.ip,
        "receipt-discard",
        &format!("{village}/{}-{:02}", scan.year, scan.month),
        &format!("{} {}", scan.sha256, scan.file_name),
    )
    .await?;
    Ok(scan)
}

/// Whether a scan belongs to the village's month, attached or in the tray: only then may the
/// console show it.
pub async fn scan_of_month(site: &Site, village: RegionCode, period: Period, sha256: &str) -> Result<bool, AppError> {
    let (year, month) = month_of(period)?;
    Ok(site.store.receipts(village, year, month).await?.iter().any(|r| r.sha256 == sha256)
        || site.store.tray(village, year, month).await?.iter().any(|s| s.sha256 == sha256))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vouchers_are_ordered_as_counted() {
        let mut v = vec!["记-10", "记-2", "收-1", "记-1"];
        v.sort_by_key(|n| voucher_order(n));
        assert_eq!(v, ["收-1", "记-1", "记-2", "记-10"]);
    }
}
