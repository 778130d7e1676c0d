//! The embedded full-text index: tantivy with Chinese word segmentation (jieba). It is derived
//! from the store — what goes in, and when, is decided by `yangguang-app` — and can always be
//! rebuilt: a missing, unreadable or older-format index is replaced by an empty one that the
//! caller fills again.
//!
//! The index is organised by village: every document belongs to one village, and a village's
//! documents are always replaced together ([`SearchIndex::replace_villages`]). Each commit
//! carries a [`Cursor`] — how far into the database's change sequences the index is — so
//! that after a restart, or on another app server, it catches up from there.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

mod query;
pub mod tokens;

pub use query::{Hit, MAX_QUERY_CHARS, Query, Results, clean_query};

/// Raised whenever the schema, the analyzers or what the app puts in change: an index of
/// another format is rebuilt (2: decision records became a kind).
const FORMAT: u32 = 2;
/// Memory for the writer's indexing buffer (tantivy needs at least 15 MB per thread).
const WRITER_MEMORY: usize = 40 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Another process holds the index's writer lock (a server running on the same directory).
    #[error("搜索索引正被另一个进程使用 / the search index is being written by another process")]
    Busy,
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {cause}")]
    Directory { path: String, cause: String },
}

/// One searchable thing: a disclosure, a voucher line, a lease…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// Unique in the index, e.g. `d:123`.
    pub key: String,
    /// The village's 12-digit code: the unit documents are replaced by.
    pub village: String,
    /// Codes the document can be found under: its village, town and county.
    pub regions: Vec<String>,
    /// The kind's number (the app names kinds).
    pub kind: u64,
    pub title: String,
    pub body: String,
    /// The day it is about, as YYYYMMDD: newer first among equally good matches.
    pub date: i64,
    /// Where a reader sees it.
    pub url: String,
    /// A short line shown with the hit (an amount, a voucher number, a term).
    pub meta: String,
}

/// How far into the database's change sequences the index has read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The publication log's last sequence number applied.
    pub log: i64,
    /// The search change feed's last sequence number applied.
    pub changes: i64,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    format: u32,
    cursor: Cursor,
}

/// What [`SearchIndex::open`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A usable index, at this cursor.
    Existing(Cursor),
    /// A new, empty index: there was none, or the one there could not be used (why).
    Created(String),
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    village: Field,
    regions: Field,
    kind: Field,
    title: Field,
    body: Field,
    date: Field,
    url: Field,
    meta: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokens::INDEXING)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        village: b.add_text_field("village", STRING | STORED),
        regions: b.add_text_field("regions", STRING),
        kind: b.add_u64_field("kind", INDEXED | FAST | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        date: b.add_i64_field("date", FAST | STORED),
        url: b.add_text_field("url", STORED),
        meta: b.add_text_field("meta", STORED),
    };
    (b.build(), fields)
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Created when first needed and kept: it holds the directory's lock.
    writer: Mutex<Option<IndexWriter>>,
    dir: Option<PathBuf>,
}

impl SearchIndex {
    /// An index in memory (tests, or a deployment that wants none on disk).
    pub fn in_ram() -> Self {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        Self::with_index(index, fields, None).expect("an index in memory opens")
    }

    /// Opens the index in `dir`, creating the directory; an index that is missing, unreadable
    /// or of an older format is replaced by an empty one ([`Opened::Created`]), which the
    /// caller must fill. Refuses a directory that holds other files than an index's.
    pub fn open(dir: &Path) -> Result<(Self, Opened), SearchError> {
        let fail = |e: std::io::Error| SearchError::Directory { path: dir.display().to_string(), cause: e.to_string() };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let has_index = dir.join("meta.json").exists();
        if has_index {
            match Self::open_existing(dir) {
                Ok((index, cursor)) => return Ok((index, Opened::Existing(cursor))),
                Err(why) => {
                    tracing::warn!(dir = %dir.display(), reason = %why, "the search index cannot be used: it is rebuilt");
                    wipe(dir).map_err(fail)?;
                    let index = Self::create(dir)?;
                    return Ok((index, Opened::Created(why)));
                }
            }
        }
        if std::fs::read_dir(dir).map_err(fail)?.next().is_some() && !dir.join(".managed.json").exists() {
            return Err(SearchError::Directory {
                path: dir.display().to_string(),
                cause: "目录不是空的，也不是搜索索引 / not empty and not a search index: choose an empty directory"
                    .into(),
            });
        }
        wipe(dir).map_err(fail)?;
        Ok((Self::create(dir)?, Opened::Created("no index yet".into())))
    }

    fn open_existing(dir: &Path) -> Result<(Self, Cursor), String> {
        let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
        let payload = index.load_metas().map_err(|e| e.to_string())?.payload;
        let payload: Payload = payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| "no format stamp (an unfinished build?)".to_owned())?;
        if payload.format != FORMAT {
            return Err(format!("format {} (this version writes {FORMAT})", payload.format));
        }
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err("another schema".into());
        }
        let me = Self::with_index(index, fields, Some(dir.to_path_buf())).map_err(|e| e.to_string())?;
        // Every segment must be readable: a damaged file shows here rather than in a search.
        let searcher = me.reader.searcher();
        for segment in searcher.segment_readers() {
            segment.get_store_reader(0).map_err(|e| e.to_string())?;
        }
        Ok((me, payload.cursor))
    }

    fn create(dir: &Path) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_dir(dir, schema)?;
        Self::with_index(index, fields, Some(dir.to_path_buf()))
    }

    fn with_index(index: Index, fields: Fields, dir: Option<PathBuf>) -> Result<Self, SearchError> {
        index.tokenizers().register(tokens::INDEXING, tokens::indexing());
        index.tokenizers().register(tokens::QUERYING, tokens::querying());
        // Commits by another process (a `yangguang reindex`) are seen too.
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(Self { index, reader, fields, writer: Mutex::new(None), dir })
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The cursor of the last commit; `None` for an index never committed (an empty one).
    pub fn cursor(&self) -> Option<Cursor> {
        let payload = self.index.load_metas().ok()?.payload?;
        serde_json::from_str::<Payload>(&payload).ok().filter(|p| p.format == FORMAT).map(|p| p.cursor)
    }

    /// How many documents the committed index holds.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes on disk (0 in memory).
    pub fn size_on_disk(&self) -> u64 {
        let Some(dir) = &self.dir else { return 0 };
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0)
    }

    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter, &Fields) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut guard = self.writer.lock().expect("search writer lock");
        if guard.is_none() {
            let writer = self.index.writer_with_num_threads(1, WRITER_MEMORY).map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
                e => SearchError::Index(e),
            })?;
            *guard = Some(writer);
        }
        let writer = guard.as_mut().expect("writer just made");
        let result = f(writer, &self.fields);
        if result.is_err() {
            // Whatever was half-added is dropped with the writer; the next call starts clean.
            if let Some(mut w) = guard.take() {
                let _ = w.rollback();
            }
        }
        result
    }

    /// Replaces every document of each village given by the documents given (none: the
    /// village has nothing searchable), and commits with `cursor` (or the current one).
    pub fn replace_villages(&self, villages: &[(String, Vec<Doc>)], cursor: Option<Cursor>) -> Result<(), SearchError> {
        let cursor = cursor.or_else(|| self.cursor()).unwrap_or_default();
        self.with_writer(|writer, fields| {
            for (village, docs) in villages {
                writer.delete_term(Term::from_field_text(fields.village, village));
                for doc in docs {
                    writer.add_document(fields.document(doc))?;
                }
            }
            commit(writer, cursor)
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Empties the index (the start of a rebuild) without committing: readers keep the old
    /// content until the next [`SearchIndex::replace_villages`] commits.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.with_writer(|writer, _| {
            writer.delete_all_documents()?;
            Ok(())
        })
    }

    /// Moves the cursor without changing documents.
    pub fn set_cursor(&self, cursor: Cursor) -> Result<(), SearchError> {
        self.with_writer(|writer, _| commit(writer, cursor))?;
        self.reader.reload()?;
        Ok(())
    }

    /// Gives up the writer (and the directory's lock) until it is needed again.
    pub fn release_writer(&self) {
        if let Some(w) = self.writer.lock().expect("search writer lock").take()
            && let Err(e) = w.wait_merging_threads()
        {
            tracing::warn!(error = %e, "search index merge did not finish");
        }
    }
}

fn commit(writer: &mut IndexWriter, cursor: Cursor) -> Result<(), SearchError> {
    let payload = serde_json::to_string(&Payload { format: FORMAT, cursor }).expect("payload serialises");
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

impl Fields {
    fn document(&self, d: &Doc) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.key, &d.key);
        doc.add_text(self.village, &d.village);
        for r in &d.regions {
            doc.add_text(self.regions, r);
        }
        doc.add_u64(self.kind, d.kind);
        doc.add_text(self.title, &d.title);
        doc.add_text(self.body, &d.body);
        doc.add_i64(self.date, d.date);
        doc.add_text(self.url, &d.url);
        doc.add_text(self.meta, &d.meta);
        doc
    }

    fn text(&self, doc: &TantivyDocument, field: Field) -> String {
        doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
    }
}

/// Removes what an index directory holds (only files: an index has no subdirectories).
fn wipe(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
