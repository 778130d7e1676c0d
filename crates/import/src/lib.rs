//! Readers for outside data: bytes in, validated records or row-level errors out. No
//! database here: the caller stores what a reader accepted, in one transaction.

pub mod assets;
pub mod household;
pub mod lease;
pub mod ledger;
pub mod receipt_names;
pub mod receipts;
pub mod register;
pub mod table;

/// One problem in an imported file, located so a clerk can fix the whole file in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based row in the file as a spreadsheet program numbers it.
    pub row: u64,
    /// The column's header as the file writes it (or what was expected there).
    pub column: String,
    pub value: String,
    /// What is wrong, in Chinese first.
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            write!(f, "第 {} 行“{}”列：{}", self.row, self.column, self.problem)
        } else {
            write!(f, "第 {} 行“{}”列（{}）：{}", self.row, self.column, self.value, self.problem)
        }
    }
}

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("文件为空 / the file is empty")]
    Empty,
    #[error("文件编码无法识别：应为 UTF-8 或 GBK/GB18030 的 CSV，或 XLSX 表格 / unknown encoding")]
    Encoding,
    #[error("第 {0} 行起的内容不是文件开头所用的编码（UTF-8 或 GBK），请整份另存为同一种编码 / mixed encodings")]
    EncodingAt(u64),
    #[error("XLSX 文件已损坏或不完整：{0} / the XLSX file is damaged")]
    Xlsx(String),
    #[error("CSV 无法读取（第 {row} 行）：{message}")]
    Csv { row: u64, message: String },
    #[error(
        "找不到表头：前 {0} 行中没有同时包含日期、凭证号、科目编码、借方、贷方的行。请确认这是凭证明细账导出文件 / no ledger header found"
    )]
    NoHeader(usize),
    #[error("找不到表头：前 30 行中没有同时包含这些列的行：{0}。请确认文件内容 / no header with the required columns")]
    NoRegisterHeader(String),
    #[error("文件过大：超过 {0} 行 / too many rows")]
    TooManyRows(u64),
}
