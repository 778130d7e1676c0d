//! A JPEG's metadata removed without re-encoding: the marker stream is walked, every
//! application segment (EXIF with GPS, XMP, IPTC, ICC, maker notes, JFIF thumbnails) and
//! comment is dropped, and so is everything after the end-of-image marker (where phones append
//! motion-photo videos and vendor trailers). The coded image data is copied byte for byte, so
//! the pixels are exactly the original's, at a fraction of a re-encode's cost.
//!
//! Written here rather than taken from a container crate because the ones we looked at
//! (img-parts) keep everything after the first scan as one opaque blob — later segments and
//! trailing data included — which is precisely what must not be published.

/// The canonical JFIF header (version 1.1, aspect 1:1, no thumbnail), written when the
/// original had one: some viewers still look for it.
const JFIF: [u8; 18] =
    [0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const COM: u8 = 0xFE;
const APP0: u8 = 0xE0;
const APP14: u8 = 0xEE;

fn is_restart(marker: u8) -> bool {
    (0xD0..=0xD7).contains(&marker)
}

/// The JPEG without its metadata, or `None` when its marker stream is not well formed
/// (truncated, no end-of-image marker, a length running past the end): the caller then
/// re-encodes from the decoded pixels instead.
pub fn strip_metadata(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != SOI {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut jfif_written = false;
    let mut i = 2;
    loop {
        // A marker: 0xFF, optional 0xFF fill bytes, then the marker's code.
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        while *bytes.get(i)? == 0xFF {
            i += 1;
        }
        let marker = bytes[i];
        i += 1;
        if marker == EOI {
            out.extend_from_slice(&[0xFF, EOI]);
            return Some(out);
        }
        if marker == 0x00 || marker == SOI {
            return None;
        }
        if is_restart(marker) || marker == 0x01 {
            out.extend_from_slice(&[0xFF, marker]);
            continue;
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]));
        if length < 2 || i + length > bytes.len() {
            return None;
        }
        let payload = &bytes[i + 2..i + length];
        let segment = &bytes[i - 2..i + length];
        i += length;
        match marker {
            APP0 if payload.starts_with(b"JFIF\0") && !jfif_written => {
                out.extend_from_slice(&JFIF);
                jfif_written = true;
            }
            // Adobe's segment says how the colour channels are coded: dropping it changes colours.
            APP14 if payload.starts_with(b"Adobe") => out.extend_from_slice(segment),
            0xE0..=0xEF | COM => {}
            _ => out.extend_from_slice(segment),
        }
        if marker == SOS {
            // The entropy-coded data runs to the next marker that is neither a stuffed zero
            // nor a restart marker.
            let start = i;
            loop {
                let at = i + bytes.get(i..)?.iter().position(|&b| b == 0xFF)?;
                let next = *bytes.get(at + 1)?;
                if next == 0x00 || is_restart(next) {
                    i = at + 2;
                } else {
                    // A marker (perhaps after 0xFF fill bytes, which the marker loop skips).
                    i = at;
                    break;
                }
            }
            out.extend_from_slice(&bytes[start..i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
    use proptest::prelude::*;

    fn jpeg(with_density: bool) -> Vec<u8> {
        let img = RgbImage::from_fn(64, 48, |x, y| Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8]));
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        if with_density {
            enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(300));
        }
        DynamicImage::ImageRgb8(img).write_with_encoder(enc).unwrap();
        out
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    /// A camera's file: EXIF with GPS and XMP after SOI, a comment before the scan, and a
    /// motion-photo trailer after the end of the image.
    fn camera_file(plain: &[u8]) -> Vec<u8> {
        let mut out = plain[..2].to_vec();
        out.extend(segment(0xE1, b"Exif\0\0GPS 31.2304N 121.4737E"));
        out.extend(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Owner</x:xmpmeta>"));
        out.extend(segment(0xED, b"Photoshop 3.0\0IPTC-Byline"));
        out.extend_from_slice(&plain[2..plain.len() - 2]);
        out.extend(segment(COM, b"MakerNote serial 12345"));
        out.extend_from_slice(&plain[plain.len() - 2..]);
        out.extend_from_slice(b"MotionPhoto_Data ftypmp42 GPS");
        out
    }

    fn pixels(bytes: &[u8]) -> Vec<u8> {
        image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap().to_rgb8().into_raw()
    }

    #[test]
    fn metadata_and_trailers_go_and_the_pixels_stay_identical() {
        let plain = jpeg(true);
        let original = camera_file(&plain);
        let stripped = strip_metadata(&original).unwrap();
        for secret in [&b"GPS"[..], b"Exif", b"xmpmeta", b"IPTC", b"MakerNote", b"MotionPhoto"] {
            assert!(
                !stripped.windows(secret.len()).any(|w| w == secret),
                "{} survived",
                String::from_utf8_lossy(secret)
            );
        }
        assert_eq!(pixels(&stripped), pixels(&original));
        assert!(stripped.ends_with(&[0xFF, EOI]));
        // The encoder's JFIF header is replaced by the canonical one, without its density.
        assert!(stripped[2..].starts_with(&JFIF));
        assert_eq!(strip_metadata(&stripped).unwrap(), stripped, "stripping is idempotent");
    }

    #[test]
    fn malformed_streams_are_left_to_the_re_encoder() {
        let plain = jpeg(false);
        assert!(strip_metadata(&plain[..plain.len() / 2]).is_none(), "truncated: no end marker");
        assert!(strip_metadata(b"\xFF\xD8\xFF\xE1\xFF\xFF").is_none(), "a length past the end");
        assert!(strip_metadata(b"\x89PNG\r\n\x1a\n").is_none());
        assert!(strip_metadata(b"\xFF\xD8\x00\x00").is_none());
    }

    proptest! {
        #[test]
        fn any_bytes_give_an_answer_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut input = vec![0xFF, SOI];
            input.extend(bytes);
            if let Some(out) = strip_metadata(&input) {
                prop_assert!(out.len() <= input.len() + JFIF.len());
                prop_assert!(out.ends_with(&[0xFF, EOI]));
            }
        }

        #[test]
        fn a_byte_flipped_jpeg_never_panics(at in 0usize..2000, value in any::<u8>()) {
            let mut bytes = camera_file(&jpeg(false));
            let at = at % bytes.len();
            bytes[at] = value;
            let _ = strip_metadata(&bytes);
        }
    }
}
