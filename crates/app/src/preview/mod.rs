//! A preview before every import: the uploaded files are read and compared with what is
//! stored, nothing is written, and the clerk sees what would change. The files are kept
//! server-side (keyed by their SHA-256 with the parse settings) until the clerk confirms; the
//! confirm applies exactly those files, and only if the books or register are still as they
//! were when previewed.

mod ledger;
mod records;

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use yangguang_core::RegionCode;
use yangguang_store::{ImportPreview, VoucherImport};

pub(crate) use ledger::Collector;
pub use ledger::{LedgerPreview, LineView, MonthSummary, VoucherChange, preview_ledger};
pub use records::{FieldChange, KindDiff, RecordsPreview, RowChange};

use crate::publishing::Actor;
use crate::registers::RegisterImport;
use crate::{AppError, Site};

/// How long an unconfirmed preview is kept.
pub const KEPT_FOR: Duration = Duration::hours(2);
/// Vouchers or rows shown in full per kind of change; counts are always exact.
pub const SHOWN: usize = 100;

/// What an upload imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Ledger,
    Leases,
    Assets,
    Households,
    Credit,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ledger => "ledger",
            Self::Leases => "leases",
            Self::Assets => "assets",
            Self::Households => "households",
            Self::Credit => "credit",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Ledger, Self::Leases, Self::Assets, Self::Households, Self::Credit].into_iter().find(|k| k.as_str() == s)
    }

    /// The upload page it came from.
    pub fn page(self) -> &'static str {
        match self {
            Self::Ledger => "/console/ledger",
            Self::Leases => "/console/leases",
            Self::Assets => "/console/assets",
            Self::Households => "/console/households",
            Self::Credit => "/console/bank",
        }
    }
}

/// An upload to preview: its files and parse settings.
#[derive(Debug, Clone)]
pub struct Upload {
    pub kind: ImportKind,
    pub village: RegionCode,
    pub files: Vec<(String, Vec<u8>)>,
    /// The ledger's period, when the clerk gave one.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The bank named on a credit file.
    pub bank: String,
}

/// The parse settings kept with the files (the files are stored one after the other).
#[derive(Debug, Serialize, Deserialize)]
struct Settings {
    files: Vec<(String, usize)>,
    period: Option<(NaiveDate, NaiveDate)>,
    bank: String,
    /// The ledger's months (first, last), for checking the books again at confirm.
    span: Option<((i32, u32), (i32, u32))>,
}

/// What a preview found.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Summary {
    Ledger(LedgerPreview),
    Records(RecordsPreview),
}

impl Summary {
    /// Whether confirming would import (no problems, nothing refused).
    pub fn confirmable(&self) -> bool {
        match self {
            Self::Ledger(l) => l.errors.is_empty() && l.refused.is_empty() && !l.files.is_empty(),
            Self::Records(r) => r.errors.is_empty(),
        }
    }
}

/// A preview and, when it can be confirmed, the key its confirm form carries.
#[derive(Debug, Clone)]
pub struct Preview {
    pub kind: ImportKind,
    pub village: RegionCode,
    pub id: Option<String>,
    pub summary: Summary,
}

/// Reads the upload, compares it with what is stored, and keeps it for the clerk's confirm.
/// Nothing is imported.
pub async fn preview(site: &Site, actor: &Actor<'_>, upload: Upload) -> Result<Preview, AppError> {
    may_import(site, actor, upload.kind, upload.village)?;
    let (summary, basis, span) = summarise(site, &upload).await?;
    let mut id = None;
    if summary.confirmable() {
        let now = Utc::now();
        site.store.prune_previews(now).await?;
        let settings = Settings {
            files: upload.files.iter().map(|(n, b)| (n.clone(), b.len())).collect(),
            period: upload.period,
            bank: upload.bank.clone(),
            span,
        };
        let settings = serde_json::to_string(&settings).expect("settings serialise");
        let files: Vec<u8> = upload.files.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        let file_sha256 = hex::encode(Sha256::digest(&files));
        let key =
            format!("{}\n{}\n{}\n{settings}\n{file_sha256}", upload.kind.as_str(), upload.village, actor.who.staff.id);
        let preview = ImportPreview {
            id: hex::encode(Sha256::digest(key.as_bytes())),
            kind: upload.kind.as_str().into(),
            village: upload.village,
            staff_id: actor.who.staff.id,
            file_sha256,
            settings,
            basis,
            files,
            created_at: now,
            expires_at: now + KEPT_FOR,
        };
        site.store.save_preview(&preview).await?;
        id = Some(preview.id);
    }
    Ok(Preview { kind: upload.kind, village: upload.village, id, summary })
}

/// The outcome of a confirmed import.
#[derive(Debug)]
pub enum Confirmed {
    Ledger(VoucherImport),
    Register(RegisterImport),
    Households(crate::households::HouseholdImport),
    Credit(crate::finance_inclusion::CreditImport),
}

/// Applies a preview: only its own clerk, for its village, before it expires, once, and only
/// if what it was compared with has not changed since.
pub async fn confirm(
    site: &Site,
    actor: &Actor<'_>,
    id: &str,
    village: RegionCode,
) -> Result<(ImportKind, Confirmed), AppError> {
    let Some(kept) = site.store.take_preview(id, actor.who.staff.id, village, Utc::now()).await? else {
        return Err(AppError::Conflict(
            "这份预览已确认过、已过期（保留两小时），或不是您为该村生成的：没有导入任何内容。请重新上传文件并预览 / \
             this preview was already confirmed, has expired or is not yours; nothing was imported"
                .into(),
        ));
    };
    let kind =
        ImportKind::parse(&kept.kind).ok_or_else(|| AppError::Invalid(format!("unknown import {}", kept.kind)))?;
    may_import(site, actor, kind, village)?;
    let settings: Settings = serde_json::from_str(&kept.settings)
        .map_err(|e| AppError::Invalid(format!("stored preview settings cannot be read: {e}")))?;
    let mut files = vec![];
    let mut at = 0;
    for (name, len) in &settings.files {
        let bytes =
            kept.files.get(at..at + len).ok_or_else(|| AppError::Invalid("stored preview is cut short".into()))?;
        files.push((name.clone(), bytes.to_vec()));
        at += len;
    }
    let upload = Upload { kind, village, files, period: settings.period, bank: settings.bank.clone() };
    if basis(site, &upload, settings.span).await? != kept.basis {
        return Err(AppError::Conflict(
            "预览之后，该村的账簿或台账已有改动（可能有人导入了其他文件）：没有导入任何内容。请重新上传文件，核对新的预览后再确认 / \
             the books or register changed after the preview; nothing was imported, please preview again"
                .into(),
        ));
    }
    let done = apply(site, actor, upload).await?;
    Ok((kind, done))
}

fn may_import(site: &Site, actor: &Actor<'_>, kind: ImportKind, village: RegionCode) -> Result<(), AppError> {
    match kind {
        ImportKind::Credit => {
            crate::registers::check_importer(site, None, village)?;
            crate::finance_inclusion::may_edit(actor, village)
        }
        _ => crate::registers::check_importer(site, Some(actor), village),
    }
}

type Span = Option<((i32, u32), (i32, u32))>;

async fn summarise(site: &Site, upload: &Upload) -> Result<(Summary, String, Span), AppError> {
    if upload.kind == ImportKind::Ledger {
        let files = upload.files.iter().map(|(n, b)| (n.clone(), crate::ledger::in_memory(b.clone()))).collect();
        let preview = preview_ledger(site, upload.village, files, upload.period).await?;
        let basis = ledger::basis(site, upload.village, preview.span).await?;
        let span = preview.span;
        return Ok((Summary::Ledger(preview), basis, span));
    }
    let preview = records::preview(site, upload).await?;
    let basis = records::basis(site, upload.village, upload.kind).await?;
    Ok((Summary::Records(preview), basis, None))
}

async fn basis(site: &Site, upload: &Upload, span: Span) -> Result<String, AppError> {
    match upload.kind {
        ImportKind::Ledger => ledger::basis(site, upload.village, span).await,
        kind => records::basis(site, upload.village, kind).await,
    }
}

async fn apply(site: &Site, actor: &Actor<'_>, upload: Upload) -> Result<Confirmed, AppError> {
    let (village, actor) = (upload.village, Some(actor));
    Ok(match upload.kind {
        ImportKind::Ledger => {
            let files = upload.files.into_iter().map(|(n, b)| (n, crate::ledger::in_memory(b))).collect();
            let report = crate::ledger::import_ledger(site, village, files, upload.period).await?;
            match report.stored {
                Some(stored) if report.errors.is_empty() && stored.conflicts.is_empty() => Confirmed::Ledger(stored),
                // The basis matched, so the file reads as it did: this is a rule changed under us.
                _ => {
                    return Err(AppError::Conflict(
                        "账簿与预览时不一致，未导入：请重新预览 / please preview again".into(),
                    ));
                }
            }
        }
        ImportKind::Leases => {
            Confirmed::Register(crate::leases::import_leases(site, actor, village, &upload.files[0].1).await?)
        }
        ImportKind::Assets => {
            Confirmed::Register(crate::assets::import_assets(site, actor, village, &upload.files[0].1).await?)
        }
        ImportKind::Households => {
            Confirmed::Households(crate::households::import_households(site, actor, village, &upload.files).await?)
        }
        ImportKind::Credit => Confirmed::Credit(
            crate::finance_inclusion::import_credit(site, actor, village, &upload.bank, &upload.files[0].1).await?,
        ),
    })
}
