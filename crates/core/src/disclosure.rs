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

/// Where a version is in its life: drafted, submitted for review (or returned), scheduled,
/// published; then possibly superseded by a correction or withdrawn. Published means
/// permanent: the last three states are never left and their content never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisclosureState {
    Draft,
    Submitted,
    Returned,
    Scheduled,
    Published,
    Superseded,
    Withdrawn,
}

impl DisclosureState {
    pub const ALL: [DisclosureState; 7] = [
        Self::Draft,
        Self::Submitted,
        Self::Returned,
        Self::Scheduled,
        Self::Published,
        Self::Superseded,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Superseded => "superseded",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the content may still change (and sign-offs be voided by a change).
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Submitted | Self::Returned)
    }

    /// Whether the version was published at some point (and so is in the log).
    pub fn was_published(self) -> bool {
        matches!(self, Self::Published | Self::Superseded | Self::Withdrawn)
    }
}

/// An original item, a correction of a published one, or the withdrawal of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisclosureKind {
    Original,
    Correction,
    Withdrawal,
}

impl DisclosureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Correction => "correction",
            Self::Withdrawal => "withdrawal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "original" => Self::Original,
            "correction" => Self::Correction,
            "withdrawal" => Self::Withdrawal,
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

/// A disclosure to be stored. One stored with state `Published` is appended to the
/// publication log in the same transaction, with `signoffs` as its sign-offs.
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
    pub kind: DisclosureKind,
    /// The published version a correction or withdrawal is about.
    pub replaces: Option<DisclosureId>,
    /// Why a correction or withdrawal is made (required for those kinds).
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    pub signoffs: Vec<crate::publication::SignoffRecord>,
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
    pub kind: DisclosureKind,
    pub replaces: Option<DisclosureId>,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    /// 1 for an original, one more for each correction in its chain.
    pub version: i32,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Both a stored version and one about to be stored expose the content their hash covers.
macro_rules! version_content {
    ($t:ty) => {
        impl $t {
            /// The content this version's hash covers.
            pub fn content(&self) -> crate::publication::VersionContent<'_> {
                crate::publication::VersionContent {
                    village: self.village,
                    column: &self.column,
                    catalog_item: self.catalog_item.as_deref(),
                    period: self.period,
                    title: &self.title,
                    body_md: &self.body_md,
                    attachments: &self.attachments,
                    kind: self.kind,
                    replaces: self.replaces.map(|r| r.0),
                    reason: self.reason.as_deref(),
                }
            }
        }
    };
}
version_content!(Disclosure);
version_content!(NewDisclosure);

impl Disclosure {
    pub fn content_hash(&self) -> String {
        crate::publication::content_hash(&self.content())
    }
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
    pub state: DisclosureState,
    pub kind: DisclosureKind,
    /// 1 for an original, one more for each correction in its chain.
    pub version: i32,
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
    #[error(
        "更正和撤回必须写明原因，并指明针对哪一条已公开事项 / a correction or withdrawal needs a reason and the item it replaces"
    )]
    MissingReason,
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
        if self.kind != DisclosureKind::Original
            && (self.replaces.is_none() || self.reason.as_deref().is_none_or(|r| r.trim().is_empty()))
        {
            return Err(DisclosureError::MissingReason);
        }
        for a in &self.attachments {
            if !is_safe_file_name(&a.file_name) {
                return Err(DisclosureError::BadFileName(a.file_name.clone()));
            }
        }
        Ok(())
    }
}

/// Unicode's bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates
/// (U+2066–U+2069) and marks (U+200E, U+200F, U+061C). In a file name they make
/// `发票\u{202E}fdp.exe` display as `发票exe.pdf`; Chinese names never need them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A name as stored and shown: without bidirectional controls ([`is_bidi_control`]), so that
/// it displays in the order it is written. Applied to file names where they come in (uploads,
/// receipt imports) and again where names are displayed, for names stored before.
pub fn without_bidi_controls(name: &str) -> std::borrow::Cow<'_, str> {
    if name.chars().any(is_bidi_control) {
        name.chars().filter(|c| !is_bidi_control(*c)).collect::<String>().into()
    } else {
        name.into()
    }
}

/// A file name without path components or control characters.
pub fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 120
        && name != "."
        && name != ".."
        && !name.chars().any(|c| c == '/' || c == '\\' || c.is_control())
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

    #[test]
    fn bidirectional_controls_are_removed_from_names() {
        assert_eq!(without_bidi_controls("发票\u{202E}fdp.exe"), "发票fdp.exe");
        let every = "a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{202E}f\u{2066}g\u{2067}h\u{2068}i\u{2069}j\u{200E}k\u{200F}l\u{061C}m";
        assert_eq!(without_bidi_controls(every), "abcdefghijklm");
        assert!(matches!(without_bidi_controls("收据.jpg"), std::borrow::Cow::Borrowed("收据.jpg")));
        // Other format characters stay (a zero-width joiner in an emoji, for one).
        assert_eq!(without_bidi_controls("a\u{200D}b"), "a\u{200D}b");
    }
}
