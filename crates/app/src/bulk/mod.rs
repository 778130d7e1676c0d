//! A village's year of public records as one ZIP for download ("bulk data"): UTF-8 CSV files
//! with a BOM (so Excel on Chinese Windows reads them), described by a Frictionless
//! `datapackage.json` and a CSVW `csv-metadata.json`. The ZIP is streamed as it is written: it
//! goes out in chunks through a bounded channel while the next table is read, so memory holds
//! one table (the ledger: one month) and a chunk, never the whole file. HTTP (headers,
//! conditional requests) belongs in `web`.

pub mod package;
pub mod tables;

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use yangguang_core::RegionCode;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipWriter};

use self::tables::{Row, Table};
use crate::finance::{BOM, CsvFile};
use crate::{AppError, Site};

/// The licence every open dataset is published under.
pub const LICENSE_ID: &str = "CC-BY-4.0";
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
pub const LICENSE_TITLE: &str = "知识共享署名 4.0 国际许可协议 (CC BY 4.0)";

/// Bytes gathered before a chunk goes out; the channel holds at most [`QUEUED`] chunks, so a
/// slow reader holds the writer back instead of letting memory grow.
const CHUNK: usize = 64 * 1024;
const QUEUED: usize = 4;
/// Rows turned into CSV text at a time.
const ROW_BATCH: usize = 500;

/// The years a village has published something for, oldest first: the years it has a bulk
/// download for.
pub async fn years(site: &Site, village: RegionCode) -> Result<Vec<i32>, AppError> {
    let years: BTreeSet<i32> = site
        .store
        .published_periods(village)
        .await?
        .into_iter()
        .map(|(_, p)| chrono::Datelike::year(&p.start()))
        .collect();
    Ok(years.into_iter().collect())
}

/// What one ZIP took: for the benchmark and the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZipStats {
    pub bytes: u64,
    pub rows: u64,
    /// The most bytes waiting in the writer's buffer at once.
    pub peak_buffer: usize,
}

/// The compressed bytes the ZIP writer produced and not yet sent.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the ZIP's chunks go; a closed channel (the reader went away) stops the work.
pub type Chunks = mpsc::Sender<std::io::Result<Vec<u8>>>;

struct ZipOut {
    zip: ZipWriter<StreamWriter<Shared>>,
    sender: ChunkSender,
}

/// Moves the writer's output into the channel.
struct ChunkSender {
    buffer: Shared,
    out: Chunks,
    stats: ZipStats,
}

impl ChunkSender {
    /// Sends what the writer produced once it makes a chunk (or, at the end, whatever is left).
    async fn send(&mut self, everything: bool) -> Result<(), AppError> {
        let chunk = {
            let mut buffer = self.buffer.0.lock().expect("buffer lock");
            self.stats.peak_buffer = self.stats.peak_buffer.max(buffer.len());
            if buffer.is_empty() || (!everything && buffer.len() < CHUNK) {
                return Ok(());
            }
            std::mem::take(&mut *buffer)
        };
        self.stats.bytes += chunk.len() as u64;
        self.out.send(Ok(chunk)).await.map_err(|_| AppError::Invalid("下载已中断 / the download was cancelled".into()))
    }
}

fn zip_error(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("ZIP 写入失败 / writing the ZIP failed: {e}"))
}

impl ZipOut {
    fn new(out: Chunks) -> Self {
        let buffer = Shared::default();
        Self {
            zip: ZipWriter::new_stream(buffer.clone()),
            sender: ChunkSender { buffer, out, stats: ZipStats::default() },
        }
    }

    fn start(&mut self, name: &str) -> Result<(), AppError> {
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        self.zip.start_file(name, options).map_err(zip_error)
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        self.zip.write_all(bytes).map_err(zip_error)?;
        self.sender.send(false).await
    }

    /// Starts a table's CSV: the BOM and the header row.
    async fn table(&mut self, table: &Table) -> Result<(), AppError> {
        self.start(&table.file_name())?;
        let mut head = CsvFile::new(BOM);
        head.row(table.fields.iter().map(|f| f.name));
        self.write(&head.into_bytes()).await
    }

    async fn rows(&mut self, rows: &[Row]) -> Result<(), AppError> {
        for batch in rows.chunks(ROW_BATCH) {
            let mut file = CsvFile::new("");
            for row in batch {
                file.row(row);
            }
            self.sender.stats.rows += batch.len() as u64;
            self.write(&file.into_bytes()).await?;
        }
        Ok(())
    }

    async fn whole_table(&mut self, table: &Table, rows: Vec<Row>) -> Result<(), AppError> {
        self.table(table).await?;
        self.rows(&rows).await
    }

    async fn finish(self) -> Result<ZipStats, AppError> {
        let Self { zip, mut sender } = self;
        zip.finish().map_err(zip_error)?;
        sender.send(true).await?;
        Ok(sender.stats)
    }
}

/// Writes the ZIP of `village`'s `year` into `out`, chunk by chunk.
pub async fn write_zip(site: &Site, village: RegionCode, year: i32, out: Chunks) -> Result<ZipStats, AppError> {
    let name = site.regions().get(village).map(|r| r.name.clone()).ok_or(AppError::NotFound)?;
    let mut zip = ZipOut::new(out);
    zip.start("datapackage.json")?;
    let descriptor = package::datapackage(&name, village, year);
    zip.write(&serde_json::to_vec_pretty(&descriptor).map_err(zip_error)?).await?;
    zip.start("csv-metadata.json")?;
    zip.write(&serde_json::to_vec_pretty(&package::csvw(&name, village, year)).map_err(zip_error)?).await?;

    zip.whole_table(&tables::DISCLOSURES, tables::disclosures(site, village, year).await?).await?;
    let months = tables::published_months(site, village, year).await?;
    // Lines and vouchers a month at a time, so the year's books are never held at once.
    zip.table(&tables::LEDGER_LINES).await?;
    for &month in &months {
        let entries = tables::month_entries(site, village, month).await?;
        zip.rows(&tables::ledger_rows(month, &entries)).await?;
    }
    zip.table(&tables::VOUCHERS).await?;
    for &month in &months {
        let entries = tables::month_entries(site, village, month).await?;
        zip.rows(&tables::voucher_rows(month, &entries)).await?;
    }
    zip.whole_table(&tables::STATEMENTS, tables::statement_rows(site, village, &months).await?).await?;
    zip.whole_table(&tables::ASSETS, tables::assets(site, village).await?).await?;
    zip.whole_table(&tables::LEASES, tables::leases(site, village, year).await?).await?;
    zip.whole_table(&tables::LISTINGS, tables::listings(site, village, year).await?).await?;
    zip.whole_table(&tables::DECISIONS, tables::decisions(site, village, year).await?).await?;
    zip.whole_table(&tables::QUESTIONS, tables::questions(site, village, year).await?).await?;
    zip.finish().await
}

/// Starts writing the ZIP in a task of its own and returns the chunks as they come. An error
/// part-way ends the stream with that error, so the reader sees a broken download, never a
/// short file that looks whole.
pub fn spawn_zip(site: Arc<Site>, village: RegionCode, year: i32) -> mpsc::Receiver<std::io::Result<Vec<u8>>> {
    let (tx, rx) = mpsc::channel(QUEUED);
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match write_zip(&site, village, year, tx.clone()).await {
            Ok(stats) => tracing::info!(
                %village, year, bytes = stats.bytes, rows = stats.rows, peak_buffer = stats.peak_buffer,
                millis = started.elapsed().as_millis() as u64, "bulk ZIP written"
            ),
            Err(e) => {
                tracing::warn!(%village, year, error = %e, "bulk ZIP stopped");
                let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
            }
        }
    });
    rx
}
