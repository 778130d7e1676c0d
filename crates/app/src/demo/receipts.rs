//! Receipt scans for the demo: a small grey image per expense voucher, drawn like a printed
//! invoice (header band, lines of text as bars, a stamp, an amount box) and different for
//! every voucher, so each is its own file, stored once by hash as real scans are.

use image::{GrayImage, Luma};
use yangguang_core::RegionCode;

use super::{Rng, planted};
use crate::{AppError, Site};

pub const WIDTH: u32 = 180;
pub const HEIGHT: u32 = 120;

/// A PNG that looks like a scanned invoice; `seed` makes it unique.
pub fn receipt_png(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut img = GrayImage::from_pixel(WIDTH, HEIGHT, Luma([236]));
    // Whole row slices at a time: fast even in unoptimised builds, where the tests run.
    let mut rect = |x0: u32, y0: u32, w: u32, h: u32, shade: u8| {
        let buf: &mut [u8] = &mut img;
        let (x1, y1) = ((x0 + w).min(WIDTH) as usize, (y0 + h).min(HEIGHT) as usize);
        for y in y0 as usize..y1 {
            buf[y * WIDTH as usize + x0 as usize..y * WIDTH as usize + x1].fill(shade);
        }
    };
    rect(0, 0, WIDTH, 14, 120);
    for line in 0..6u32 {
        let len = 40 + rng.below(110) as u32;
        rect(10, 22 + line * 13, len, 5, 70 + rng.below(40) as u8);
    }
    let (sx, sy) = (120 + rng.below(30) as u32, 60 + rng.below(30) as u32);
    rect(sx, sy, 34, 34, 150);
    rect(sx + 6, sy + 6, 22, 22, 236);
    rect(WIDTH - 60, HEIGHT - 18, 50 + rng.below(8) as u32, 10, 40);
    let mut out = Vec::with_capacity(4096);
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    );
    image::ImageEncoder::write_image(encoder, img.as_raw(), WIDTH, HEIGHT, image::ExtendedColorType::L8)
        .expect("encoding to memory");
    out
}

/// The scanned receipts of every voucher that pays something out (the debit is not money).
pub(super) async fn attach_receipts(
    site: &Site,
    village: RegionCode,
    vouchers: &[yangguang_core::ledger::Voucher],
) -> Result<usize, AppError> {
    let mut receipts = vec![];
    for v in vouchers {
        let pays = v
            .lines
            .iter()
            .any(|l| l.credit.0 > 0 && (l.account_code.starts_with("101") || l.account_code.starts_with("102")))
            && v.lines.iter().any(|l| l.debit.0 > 0 && !l.account_code.starts_with("10"));
        if !pays {
            continue;
        }
        // Every document the voucher declares is scanned (附单据 N 张, N scans), but for the
        // planted cases: a voucher never scanned, a scan shared with another village.
        let planted = planted::scan(&v.lines[0].summary);
        if matches!(planted, Some(planted::Scan::Missing)) {
            continue;
        }
        let documents = v.lines.iter().map(|l| l.attachments).sum::<u32>().max(1);
        for page in 0..documents {
            let seed = if let Some(planted::Scan::Shared(seed)) = planted {
                seed + u64::from(page)
            } else {
                u64::from(village.county_prefix()) << 32
                    ^ village.to_string().parse::<u64>().unwrap_or(0)
                    ^ (v.key.year as u64) << 24
                    ^ u64::from(v.key.month) << 16
                    ^ u64::from(page) << 12
                    ^ v.content_hash.bytes().take(8).fold(0u64, |a, b| a << 8 | u64::from(b))
            };
            let png = receipt_png(seed);
            let sha256 = site.files.put_unsynced(&png).await?;
            let suffix = if page == 0 { String::new() } else { format!("-{}", page + 1) };
            receipts.push(yangguang_store::Receipt {
                year: v.key.year,
                month: v.key.month,
                voucher_no: v.key.number.clone(),
                sha256,
                media_type: "image/png".into(),
                file_name: format!("{}-{:02}_{}{suffix}.png", v.key.year, v.key.month, v.key.number),
                byte_size: png.len() as i64,
                needs_recheck: false,
            });
        }
    }
    Ok(site.store.add_receipts(village, &receipts).await? as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_valid_distinct_images() {
        let a = receipt_png(1);
        let b = receipt_png(2);
        assert_ne!(a, b);
        let decoded = image::load_from_memory(&a).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (WIDTH, HEIGHT));
    }
}
