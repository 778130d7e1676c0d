//! Attachments uploaded by clerks: JPEG, PNG and WebP images, fully decoded, then kept without
//! their metadata (EXIF, GPS, XMP, comments, anything hidden after the image data) — a JPEG by
//! cutting those segments out (`jpeg_strip`), others re-encoded — with a thumbnail; PDF files; and Word, Excel and
//! WPS documents (`documents`), always downloaded, never shown inline. The type is
//! read from the bytes, never from the name. Sizes, pixel counts and dimensions are checked
//! before an image is decoded, so a decompression bomb is refused without being expanded.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use yangguang_core::Attachment;
use yangguang_core::disclosure::{is_safe_file_name, without_bidi_controls};

use crate::documents::{Document, Refusal};
use crate::files::FileStore;
use crate::jpeg_strip;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_bytes: usize,
    pub max_pixels: u64,
    pub max_side: u32,
    pub max_files: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self { max_bytes: 10 * 1024 * 1024, max_pixels: 40_000_000, max_side: 12_000, max_files: 20 }
    }
}

pub const THUMBNAIL_SIDE: u32 = 320;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("文件名 “{0}” 不合法：不能含路径（/ 或 \\）或控制字符 / the file name must not contain path components")]
    BadName(String),
    #[error("“{name}” 超过 {limit_mb} MB / the file is too large")]
    TooLarge { name: String, limit_mb: usize },
    #[error(
        "“{0}” 不是支持的文件类型（只接受 JPEG、PNG、WebP 图片，PDF，Word、Excel、WPS 文档）/ unsupported file type"
    )]
    Unsupported(String),
    #[error("“{0}” 看起来像压缩包或 Office 文件，但不是 Word、Excel 或 WPS 文档 / not a Word or Excel document")]
    NotADocument(String),
    #[error("“{0}” 含有宏，可能在读者电脑上运行，不能上传；请另存为不含宏的文档 / the document contains macros")]
    Macros(String),
    #[error("“{0}” 不是有效的 PDF 文件 / not a valid PDF")]
    FakePdf(String),
    #[error("“{name}” 图片尺寸 {width}×{height} 超出限制 / the image has too many pixels")]
    TooManyPixels { name: String, width: u32, height: u32 },
    #[error("“{0}” 图片已损坏，无法读取 / the image is corrupt")]
    Corrupt(String),
    #[error("一次最多上传 {0} 个文件 / too many files")]
    TooManyFiles(usize),
    #[error("文件保存失败 / the file could not be stored: {0}")]
    Storage(String),
}

/// A checked upload, ready to store.
pub struct Accepted {
    pub attachment_name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
    pub thumbnail: Option<Vec<u8>>,
}

fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

fn with_extension(name: &str, ext: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    format!("{stem}.{ext}")
}

fn encode_jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.to_rgb8().write_with_encoder(encoder)?;
    Ok(out)
}

/// A document keeps its name when its extension fits what its bytes are (a WPS `.et` stays
/// `.et`); otherwise the extension the bytes call for replaces it (`报表.pdf` that is a
/// workbook becomes `报表.xlsx`).
fn document_name(name: &str, doc: Document) -> String {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if doc.extensions().contains(&ext.as_str()) { name.to_owned() } else { with_extension(name, doc.extensions()[0]) }
}

/// Whether a stored attachment's media type is one uploads produce.
pub fn accepted_media_type(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png" | "image/webp" | "application/pdf")
        || Document::of_media_type(media_type).is_some()
}

/// Checks one file; nothing is stored here.
pub fn check(name: &str, bytes: Vec<u8>, limits: &UploadLimits) -> Result<Accepted, UploadError> {
    // Bidirectional controls would make the name display spoofed (`发票\u{202E}fdp.exe`).
    let name = without_bidi_controls(name);
    let name = name.trim();
    if !is_safe_file_name(name) || name.contains("..") {
        return Err(UploadError::BadName(name.into()));
    }
    if bytes.len() > limits.max_bytes {
        return Err(UploadError::TooLarge { name: name.into(), limit_mb: limits.max_bytes / 1024 / 1024 });
    }
    if Document::looks_like(&bytes) {
        return match Document::sniff(&bytes) {
            Ok(doc) => Ok(Accepted {
                attachment_name: document_name(name, doc),
                media_type: doc.media_type(),
                bytes,
                thumbnail: None,
            }),
            Err(Refusal::Macros) => Err(UploadError::Macros(name.into())),
            Err(Refusal::NotADocument) => Err(UploadError::NotADocument(name.into())),
        };
    }
    let Some(kind) = sniff(&bytes) else { return Err(UploadError::Unsupported(name.into())) };
    if kind == "application/pdf" {
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        let has_eof = tail.windows(5).any(|w| w == b"%%EOF");
        if !has_eof || !(bytes.starts_with(b"%PDF-1.") || bytes.starts_with(b"%PDF-2.")) {
            return Err(UploadError::FakePdf(name.into()));
        }
        return Ok(Accepted { attachment_name: with_extension(name, "pdf"), media_type: kind, bytes, thumbnail: None });
    }
    let corrupt = |_| UploadError::Corrupt(name.into());
    let format = match kind {
        "image/jpeg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        _ => ImageFormat::WebP,
    };
    // Dimensions come from the header alone: a bomb is refused before any pixel is expanded.
    let (width, height) = ImageReader::with_format(Cursor::new(&bytes), format).into_dimensions().map_err(corrupt)?;
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(UploadError::TooManyPixels { name: name.into(), width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(&bytes), format);
    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    decode_limits.max_alloc = Some(limits.max_pixels * 4 + 64 * 1024 * 1024);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    // A phone photo held sideways says so in its EXIF, which is about to go: turn the pixels.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // The full decode proves the file is a valid image before anything of it is kept.
    let mut img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    img.apply_orientation(orientation);
    let upright = orientation == Orientation::NoTransforms;
    // What is kept is the pixels and nothing else: EXIF (with GPS), comments, trailing data.
    // An upright, well-formed JPEG keeps its coded data with the metadata segments cut out
    // (identical pixels, several times faster than re-encoding); anything else is re-encoded.
    let (bytes, media_type, ext) = match format {
        ImageFormat::Png => {
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(corrupt)?;
            (out, "image/png", "png")
        }
        ImageFormat::Jpeg if upright => match jpeg_strip::strip_metadata(&bytes) {
            Some(stripped) => (stripped, "image/jpeg", "jpg"),
            None => (encode_jpeg(&img, 85).map_err(corrupt)?, "image/jpeg", "jpg"),
        },
        _ => (encode_jpeg(&img, 85).map_err(corrupt)?, "image/jpeg", "jpg"),
    };
    // Never enlarged: `thumbnail` scales a small scan up to fit the box, at a cost in time
    // (a county's receipts) and for nothing.
    let small = img.width() <= THUMBNAIL_SIDE && img.height() <= THUMBNAIL_SIDE;
    let thumbnail =
        if small { encode_jpeg(&img, 75) } else { encode_jpeg(&img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE), 75) }
            .map_err(corrupt)?;
    Ok(Accepted { attachment_name: with_extension(name, ext), media_type, bytes, thumbnail: Some(thumbnail) })
}

/// Checks every file first, then stores them all: a bad file means nothing is stored. For a
/// blocking thread (decoding is slow): the store is written through its blocking calls.
pub fn accept_all(
    files: Vec<(String, Vec<u8>)>,
    limits: &UploadLimits,
    store: &FileStore,
) -> Result<Vec<Attachment>, UploadError> {
    if files.len() > limits.max_files {
        return Err(UploadError::TooManyFiles(limits.max_files));
    }
    let checked = files.into_iter().map(|(name, bytes)| check(&name, bytes, limits)).collect::<Result<Vec<_>, _>>()?;
    checked.into_iter().map(|a| store_checked(a, store)).collect()
}

/// Stores a file [`check`] accepted, with its thumbnail, through the store's blocking calls.
pub fn store_checked(a: Accepted, store: &FileStore) -> Result<Attachment, UploadError> {
    let sha256 = store.put_blocking(&a.bytes).map_err(|e| UploadError::Storage(e.to_string()))?;
    if let Some(thumb) = &a.thumbnail {
        store.put_thumbnail_blocking(&sha256, thumb).map_err(|e| UploadError::Storage(e.to_string()))?;
    }
    Ok(Attachment {
        file_name: a.attachment_name,
        media_type: a.media_type.into(),
        byte_size: a.bytes.len() as i64,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(w, h);
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    fn jpeg_with_exif() -> Vec<u8> {
        let plain = encode_jpeg(&DynamicImage::new_rgb8(40, 30), 90).unwrap();
        // An APP1 "Exif" segment right after SOI, as cameras write it (with a fake GPS tag).
        let mut exif = vec![0xFF, 0xE1];
        let payload = b"Exif\0\0GPS-31.2304N-121.4737E";
        exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        exif.extend_from_slice(payload);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&exif);
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// A JPEG whose EXIF says "turn 90° clockwise to view" (orientation 6), as phones write it.
    fn sideways_jpeg() -> Vec<u8> {
        let plain = encode_jpeg(&DynamicImage::new_rgb8(40, 30), 90).unwrap();
        let mut tiff = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((tiff.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&tiff);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_sideways_photo_is_turned_upright_before_its_exif_goes() {
        let a = check("横拍.jpg", sideways_jpeg(), &UploadLimits::default()).unwrap();
        assert!(!a.bytes.windows(4).any(|w| w == b"Exif"));
        let img = image::load_from_memory(&a.bytes).unwrap();
        assert_eq!((img.width(), img.height()), (30, 40), "turned a quarter");
    }

    #[test]
    fn a_jpeg_keeps_its_pixels_exactly() {
        let original = jpeg_with_exif();
        let a = check("收据.jpg", original.clone(), &UploadLimits::default()).unwrap();
        let decoded = |b: &[u8]| image::load_from_memory(b).unwrap().to_rgb8().into_raw();
        assert_eq!(decoded(&a.bytes), decoded(&original), "cut, not re-encoded");
        assert!(a.bytes.len() < original.len());
    }

    #[test]
    fn images_lose_their_metadata_and_get_a_thumbnail() {
        let original = jpeg_with_exif();
        assert!(original.windows(4).any(|w| w == b"Exif"));
        let a = check("收据.jpeg", original, &UploadLimits::default()).unwrap();
        assert_eq!((a.media_type, a.attachment_name.as_str()), ("image/jpeg", "收据.jpg"));
        assert!(!a.bytes.windows(4).any(|w| w == b"Exif"), "EXIF survived");
        assert!(!a.bytes.windows(3).any(|w| w == b"GPS"));
        assert!(a.thumbnail.is_some());
        let p = check("图.png", png(10, 10), &UploadLimits::default()).unwrap();
        assert_eq!(p.media_type, "image/png");
        // A thumbnail fits the box and is never larger than its image.
        let side = |b: &[u8]| image::load_from_memory(b).map(|i| (i.width(), i.height())).unwrap();
        assert_eq!(side(p.thumbnail.as_deref().unwrap()), (10, 10));
        let big = check("大.png", png(900, 450), &UploadLimits::default()).unwrap();
        assert_eq!(side(big.thumbnail.as_deref().unwrap()), (THUMBNAIL_SIDE, THUMBNAIL_SIDE / 2));
    }

    #[test]
    fn bidirectional_controls_are_removed_from_file_names() {
        // Would display as 收据exe.png: the override is dropped, and the type decides the extension.
        let a = check("收据\u{202E}gnp.exe", png(10, 10), &UploadLimits::default()).unwrap();
        assert_eq!(a.attachment_name, "收据gnp.png");
        let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
        let a = check("\u{2067}发票\u{2069}\u{200F}.pdf", pdf, &UploadLimits::default()).unwrap();
        assert_eq!(a.attachment_name, "发票.pdf");
    }

    #[test]
    fn hostile_files_are_refused_with_a_reason() {
        let limits = UploadLimits { max_pixels: 1_000_000, ..UploadLimits::default() };
        // A small file that claims 3000×3000 pixels: refused from its header.
        let bomb = png(3000, 3000);
        assert!(bomb.len() < 3000 * 3000 * 3 / 10, "compressed far below its decoded size");
        assert!(matches!(check("bomb.png", bomb, &limits), Err(UploadError::TooManyPixels { width: 3000, .. })));
        assert!(matches!(check("../../etc/passwd.png", png(2, 2), &limits), Err(UploadError::BadName(_))));
        assert!(matches!(check("a\\b.png", png(2, 2), &limits), Err(UploadError::BadName(_))));
        assert!(matches!(check("x.pdf", b"%PDF-1.7 no end marker".to_vec(), &limits), Err(UploadError::FakePdf(_))));
        assert!(matches!(check("x.pdf", b"<html><script>".to_vec(), &limits), Err(UploadError::Unsupported(_))));
        let mut truncated = png(50, 50);
        truncated.truncate(60);
        assert!(matches!(check("t.png", truncated, &limits), Err(UploadError::Corrupt(_))));
        let tiny = UploadLimits { max_bytes: 10, ..limits };
        assert!(matches!(check("big.png", png(5, 5), &tiny), Err(UploadError::TooLarge { .. })));
        assert!(check("ok.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec(), &limits).is_ok());
    }

    #[test]
    fn office_documents_are_accepted_by_their_bytes() {
        use crate::documents::samples;
        let limits = UploadLimits::default();
        let cases: [(&str, Vec<u8>, &str, &str); 6] = [
            (
                "通知.docx",
                samples::docx(),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "通知.docx",
            ),
            (
                "明细.xlsx",
                samples::xlsx(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "明细.xlsx",
            ),
            ("决议.doc", samples::doc(), "application/msword", "决议.doc"),
            ("决议.wps", samples::doc(), "application/msword", "决议.wps"),
            ("台账.et", samples::xls(), "application/vnd.ms-excel", "台账.et"),
            // The name lies; the bytes decide, and the extension follows them.
            (
                "报表.pdf",
                samples::xlsx(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "报表.xlsx",
            ),
        ];
        for (name, bytes, media_type, stored) in cases {
            let a = check(name, bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((a.media_type, a.attachment_name.as_str()), (media_type, stored), "{name}");
            assert!(a.thumbnail.is_none());
            assert!(accepted_media_type(a.media_type));
        }
    }

    #[test]
    fn things_named_like_documents_are_refused() {
        use crate::documents::samples;
        let limits = UploadLimits::default();
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
        exe.extend_from_slice(&[0; 120]);
        assert!(matches!(check("工资表.docx", exe, &limits), Err(UploadError::Unsupported(_))));
        assert!(matches!(check("照片.xlsx", samples::plain_zip(), &limits), Err(UploadError::NotADocument(_))));
        let macros = samples::compound("WordDocument", true);
        assert!(matches!(check("宏.doc", macros, &limits), Err(UploadError::Macros(_))));
        let tiny = UploadLimits { max_bytes: 100, ..limits };
        assert!(matches!(check("大.xlsx", samples::xlsx(), &tiny), Err(UploadError::TooLarge { .. })));
    }

    #[test]
    fn one_bad_file_stores_nothing() {
        let dir = std::env::temp_dir().join(format!("yg-upload-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = FileStore::new(&dir);
        let files = vec![("good.png".to_string(), png(4, 4)), ("bad.exe".to_string(), b"MZ".to_vec())];
        assert!(accept_all(files, &UploadLimits::default(), &store).is_err());
        assert!(!dir.exists(), "nothing was written");
    }
}
