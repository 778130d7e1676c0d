//! Office documents clerks attach: Word (.docx, .doc), Excel (.xlsx, .xls) and WPS (.wps,
//! .et, which are the same compound-file formats as .doc and .xls), told apart by their bytes.
//! An OOXML file is a zip whose directory names its main part (`word/document.xml`,
//! `xl/workbook.xml`) and its `[Content_Types].xml`; an older one is a compound file (OLE2)
//! holding a `WordDocument` or `Workbook`/`Book` stream. Only directories are read, nothing
//! is decompressed (no zip bombs), and files carrying macros are refused.

use std::io::Cursor;

/// The kinds of office document accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Docx,
    Xlsx,
    /// Word 97–2003, and WPS Writer's .wps.
    Doc,
    /// Excel 97–2003, and WPS Spreadsheets' .et.
    Xls,
}

/// Why bytes that look like an office document are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a Word or Excel document (a zip of something else, another compound file).
    NotADocument,
    /// The document carries macros (VBA), which could run on a reader's computer.
    Macros,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl Document {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Doc => "application/msword",
            Self::Xls => "application/vnd.ms-excel",
        }
    }

    /// The kind a stored media type names.
    pub fn of_media_type(media_type: &str) -> Option<Self> {
        [Self::Docx, Self::Xlsx, Self::Doc, Self::Xls].into_iter().find(|d| d.media_type() == media_type)
    }

    /// The extensions a file of this kind may keep (the first is used otherwise).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Doc => &["doc", "wps"],
            Self::Xls => &["xls", "et"],
        }
    }

    /// Whether the bytes start like an office container at all (zip or compound file).
    pub fn looks_like(bytes: &[u8]) -> bool {
        bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(CFB_MAGIC)
    }

    /// The kind of document the bytes are, from their structure.
    pub fn sniff(bytes: &[u8]) -> Result<Self, Refusal> {
        if bytes.starts_with(ZIP_MAGIC) {
            ooxml(bytes)
        } else if bytes.starts_with(CFB_MAGIC) {
            compound(bytes)
        } else {
            Err(Refusal::NotADocument)
        }
    }
}

fn ooxml(bytes: &[u8]) -> Result<Document, Refusal> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::NotADocument)?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|_| Refusal::NotADocument)?;
    let has = |wanted: &str| names.iter().any(|n| n == wanted);
    if !has("[Content_Types].xml") {
        return Err(Refusal::NotADocument);
    }
    if names.iter().any(|n| n.to_ascii_lowercase().ends_with("vbaproject.bin")) {
        return Err(Refusal::Macros);
    }
    match (has("word/document.xml"), has("xl/workbook.xml")) {
        (true, false) => Ok(Document::Docx),
        (false, true) => Ok(Document::Xlsx),
        _ => Err(Refusal::NotADocument),
    }
}

fn compound(bytes: &[u8]) -> Result<Document, Refusal> {
    let file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| Refusal::NotADocument)?;
    let mut word = false;
    let mut excel = false;
    for entry in file.walk() {
        match entry.name() {
            "Macros" | "_VBA_PROJECT_CUR" | "VBA" => return Err(Refusal::Macros),
            "WordDocument" if entry.is_stream() => word = true,
            "Workbook" | "Book" if entry.is_stream() => excel = true,
            _ => {}
        }
    }
    match (word, excel) {
        (true, false) => Ok(Document::Doc),
        (false, true) => Ok(Document::Xls),
        _ => Err(Refusal::NotADocument),
    }
}

/// Minimal real documents, for tests here and in the web crate (feature `samples`).
#[cfg(any(test, feature = "samples"))]
pub mod samples {
    use std::io::Write;

    fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in parts {
            w.start_file(*name, options).expect("zip entry");
            w.write_all(text.as_bytes()).expect("zip write");
        }
        w.finish().expect("zip finish");
        buf.into_inner()
    }

    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

    /// A one-paragraph Word document, as small as Word opens.
    pub fn docx() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            (
                "word/document.xml",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>村务公开</w:t></w:r></w:p></w:body></w:document>"#,
            ),
        ])
    }

    /// A workbook written by rust_xlsxwriter, as Excel writes them.
    pub fn xlsx() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "办公费用").expect("cell");
        sheet.write_number(0, 1, 1593.49).expect("cell");
        book.save_to_buffer().expect("xlsx")
    }

    /// A zip that is not an office document (a photo archive).
    pub fn plain_zip() -> Vec<u8> {
        zip_of(&[("照片/1.txt", "not a document")])
    }

    /// A Word 97 compound file with a `WordDocument` stream (and a `Macros` storage when asked).
    pub fn compound(stream: &str, macros: bool) -> Vec<u8> {
        let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("cfb");
        // A FIB's first bytes (wIdent 0xA5EC) for a Word stream; any bytes do for the check.
        file.create_stream(format!("/{stream}")).expect("stream").write_all(&[0xEC, 0xA5, 0xC1, 0x00]).expect("write");
        if macros {
            file.create_storage("/Macros").expect("storage");
        }
        file.flush().expect("flush");
        file.into_inner().into_inner()
    }

    pub fn doc() -> Vec<u8> {
        compound("WordDocument", false)
    }

    pub fn xls() -> Vec<u8> {
        compound("Workbook", false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_told_apart_by_their_structure() {
        assert_eq!(Document::sniff(&samples::docx()), Ok(Document::Docx));
        assert_eq!(Document::sniff(&samples::xlsx()), Ok(Document::Xlsx));
        assert_eq!(Document::sniff(&samples::doc()), Ok(Document::Doc));
        assert_eq!(Document::sniff(&samples::xls()), Ok(Document::Xls));
    }

    #[test]
    fn other_containers_and_macros_are_refused() {
        assert_eq!(Document::sniff(&samples::plain_zip()), Err(Refusal::NotADocument));
        assert_eq!(Document::sniff(&samples::compound("Contents", false)), Err(Refusal::NotADocument));
        assert_eq!(Document::sniff(&samples::compound("WordDocument", true)), Err(Refusal::Macros));
        let mut exe = b"MZ\x90\x00".to_vec();
        exe.extend_from_slice(&[0; 200]);
        assert_eq!(Document::sniff(&exe), Err(Refusal::NotADocument));
        // A zip's magic with nothing behind it.
        assert_eq!(Document::sniff(b"PK\x03\x04garbage"), Err(Refusal::NotADocument));
    }
}
