//! Disclosures (公开事项): what a village publishes in a column, optionally for a catalog
//! item and period, with its attachments. Drafting and review rules arrive with publishing.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::ColumnId;
use crate::period::Period;
use crate::region::RegionCode;

/// Database id of a disclosure; public in URLs (`/v/{village}/d/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DisclosureId(pub i64);

impl fmt::Display for DisclosureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for DisclosureId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<i64>().map(Self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisclosureState {
    Draft,
    Published,
    Withdrawn,
}

impl DisclosureState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "published" => Self::Published,
            "withdrawn" => Self::Withdrawn,
            _ => return None,
        })
    }
}

/// A file attached to a disclosure, stored once by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_name: String,
    pub media_type: String,
    pub byte_size: i64,
    /// Lower-case hex SHA-256 of the content: the key of the file in storage.
    pub sha256: String,
}

/// A disclosure to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDisclosure {
    pub village: RegionCode,
    pub column: ColumnId,
    pub catalog_item: Option<String>,
    pub period: Option<Period>,
    pub title: String,
    /// Markdown, rendered to sanitised HTML for display.
    pub body_md: String,
    pub state: DisclosureState,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub attachments: Vec<Attachment>,
}

/// A stored disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub id: DisclosureId,
    pub village: RegionCode,
    pub column: ColumnId,
    pub catalog_item: Option<String>,
    pub period: Option<Period>,
    pub title: String,
    pub body_md: String,
    pub state: DisclosureState,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub attachments: Vec<Attachment>,
}

/// What a list shows of a disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureSummary {
    pub id: DisclosureId,
    pub village: RegionCode,
    pub column: ColumnId,
    pub period: Option<Period>,
    pub title: String,
    pub published_at: Option<DateTime<Utc>>,
    pub attachment_count: i64,
}

/// Limits on titles, to keep lists and page titles readable.
pub const MAX_TITLE_CHARS: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    #[error("标题不能为空 / the title is empty")]
    EmptyTitle,
    #[error("标题超过 {MAX_TITLE_CHARS} 个字 / the title is too long")]
    TitleTooLong,
    #[error("已公开的事项必须有公开时间 / a published item needs its publish time")]
    PublishedWithoutTime,
    #[error("附件 “{0}” 的文件名不合法 / attachment file name is not allowed")]
    BadFileName(String),
}

impl NewDisclosure {
    /// Checks what a disclosure must satisfy whoever creates it.
    pub fn validate(&self) -> Result<(), DisclosureError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(DisclosureError::EmptyTitle);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(DisclosureError::TitleTooLong);
        }
        if self.state == DisclosureState::Published && self.published_at.is_none() {
            return Err(DisclosureError::PublishedWithoutTime);
        }
        for a in &self.attachments {
            if !is_safe_file_name(&a.file_name) {
                return Err(DisclosureError::BadFileName(a.file_name.clone()));
            }
        }
        Ok(())
    }
}

/// A file name without path components or control characters.
pub fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 120
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_components_are_not_file_names() {
        for bad in ["", "..", "../etc/passwd", "a\\b", "a/b", "x\u{0}y"] {
            assert!(!is_safe_file_name(bad), "{bad:?}");
        }
        assert!(is_safe_file_name("低保名单 2026年第一季度.csv"));
    }
}
