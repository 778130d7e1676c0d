//! Receipt scans for the demo: a small grey image per expense voucher, drawn like a printed
//! invoice (header band, lines of text as bars, a stamp, an amount box) and different for
//! every voucher, so each is its own file, stored once by hash as real scans are.

use image::{GrayImage, Luma};

use super::Rng;

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
