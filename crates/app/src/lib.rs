//! Services shared by the web server and the CLI: opening the configured store, loading the
//! catalog files, the file store, Markdown rendering, the region index and the demo county.
//! HTTP belongs in `web`, argument parsing in `cli`, SQL in the store backends.

pub mod assets;
pub mod auth;
pub mod body_diff;
pub mod bulk;
pub mod calendar;
pub mod catalog_files;
pub mod dashboard;
pub mod decisions;
pub mod demo;
pub mod documents;
pub mod files;
pub mod finance;
pub mod finance_inclusion;
pub mod form_token;
pub mod governance;
pub mod households;
pub mod i18n;
pub mod integrations;
pub mod jobs;
pub mod jpeg_strip;
pub mod keys;
pub mod leases;
pub mod ledger;
pub mod markdown;
pub mod mirror;
pub mod notify;
pub mod ocds;
pub mod open_data;
pub mod points;
pub mod preview;
pub mod publishing;
pub mod questions;
pub mod receipt_desk;
pub mod receipts;
pub mod redact;
pub mod regions;
pub mod registers;
pub mod reports;
pub mod search;
pub mod shared_state;
pub mod site;
pub mod tips;
pub mod trading;
pub mod transparency;
pub mod uploads;
pub mod verify;
pub mod villagers;
pub mod visits;
pub mod warnings;
pub mod witness;
pub mod work;

pub use site::{Scope, Site};

/// Today's date in China, where every calendar rule (periods, deadlines) is reckoned.
pub fn today() -> chrono::NaiveDate {
    yangguang_core::time::china_date(chrono::Utc::now())
}

/// Errors of the app layer. Messages are written for the operator who must fix them.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("公开目录文件有误 / the catalog files have errors:\n{0}")]
    Catalog(String),
    #[error("数据目录 {path} 无法写入 / the data directory cannot be written: {cause}")]
    DataDir { path: String, cause: String },
    #[error("无法打开数据库 / cannot open the database: {0}")]
    Database(String),
    #[error("区划数据有误 / the regions have errors:\n{0}")]
    Regions(String),
    #[error("{0}")]
    Invalid(String),
    /// One field of a form or request breaks a rule; `field` is its name in the form.
    #[error("{message}")]
    Field { field: &'static str, message: String },
    #[error("无权操作：{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("未找到 / not found")]
    NotFound,
    #[error(transparent)]
    Upload(#[from] uploads::UploadError),
    #[error(transparent)]
    Store(#[from] yangguang_store::StoreError),
    #[error(transparent)]
    File(#[from] files::FileError),
}
