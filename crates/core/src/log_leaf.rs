//! A log entry's canonical bytes, format `yangguang-entry-v2`: what each leaf of the
//! transparency log's Merkle tree hashes and what its entry bundles carry.
//!
//! The bytes are made once, when an entry is appended (or when an older data directory
//! upgrades), stored, and served as they are: a verifier hashes the bytes it received and
//! reads the fields from them, it never has to re-serialise anything. Unlike the hash-chained
//! form (`yangguang-log-v1`), an entry says what it is: its kind, the version it replaces or
//! withdraws, the catalog item and the period. `docs/TRANSPARENCY.md` documents every field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::period::Period;
use crate::publication::{LogAction, LogEntry, time_text};

/// The value of every v2 entry's `format` field.
pub const FORMAT: &str = "yangguang-entry-v2";

/// What an entry's bytes say, field by field, in their order in the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeafEntry {
    pub format: String,
    /// Position in the log, from 1; the leaf index is `seq - 1`.
    pub seq: i64,
    pub kind: LogAction,
    pub village: String,
    /// The id of the version this entry publishes (each version has its own id and page).
    pub disclosure: i64,
    pub version: i32,
    /// For a correction or a withdrawal: the published version it acts on.
    pub replaces: Option<Replaced>,
    pub item: Option<String>,
    pub period: Option<String>,
    /// When it was published: RFC 3339, UTC, six fraction digits.
    pub at: String,
    /// Lower-case hex SHA-256 of the version's canonical content (`yangguang-content-v1`).
    pub content_hash: String,
    pub signoffs: Vec<LeafSignoff>,
    pub reason: Option<String>,
    /// The same entry's hash in the older hash chain (`yangguang-log-v1`), which binds the
    /// tree to the chain that checkpoints signed before the tree existed.
    pub chain: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replaced {
    pub disclosure: i64,
    pub version: i32,
}

/// A reviewer's sign-off. Sign-offs count only for the content hash they were made on, and
/// only a version whose every required sign-off is on its content hash is published, so each
/// sign-off in an entry is on the entry's `content_hash` (not repeated: proofs stay small).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeafSignoff {
    pub reviewer: String,
    pub role: String,
    pub at: String,
    pub comment: Option<String>,
}

/// What an entry's bytes need beyond the hash-chained entry: read from the version it logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeafContext {
    /// The replaced or withdrawn version: its id and version number.
    pub replaces: Option<(i64, i32)>,
    pub catalog_item: Option<String>,
    pub period: Option<Period>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    #[error("记录内容无法解析 / the entry is not a yangguang-entry-v2 object: {0}")]
    Malformed(String),
}

impl LeafEntry {
    /// The v2 form of a hash-chained entry.
    pub fn of(entry: &LogEntry, ctx: &LeafContext) -> Self {
        Self {
            format: FORMAT.into(),
            seq: entry.seq,
            kind: entry.action,
            village: entry.village.to_string(),
            disclosure: entry.disclosure_id,
            version: entry.version,
            replaces: ctx.replaces.map(|(disclosure, version)| Replaced { disclosure, version }),
            item: ctx.catalog_item.clone(),
            period: ctx.period.map(|p| p.to_string()),
            at: time_text(entry.at),
            content_hash: entry.content_hash.clone(),
            signoffs: entry
                .signoffs
                .iter()
                .filter(|s| s.content_hash == entry.content_hash)
                .map(|s| LeafSignoff {
                    reviewer: s.reviewer.clone(),
                    role: s.role.clone(),
                    at: time_text(s.at),
                    comment: s.comment.clone(),
                })
                .collect(),
            reason: entry.reason.clone(),
            chain: entry.entry_hash.clone(),
        }
    }

    /// The canonical bytes: compact JSON, fields in declaration order, UTF-8.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("entries serialise")
    }

    /// Reads an entry's bytes; anything but a v2 entry is refused.
    pub fn parse(bytes: &[u8]) -> Result<Self, LeafError> {
        let entry: Self = serde_json::from_slice(bytes).map_err(|e| LeafError::Malformed(e.to_string()))?;
        if entry.format != FORMAT {
            return Err(LeafError::Malformed(format!("format “{}”", entry.format)));
        }
        Ok(entry)
    }

    pub fn at(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.at).ok().map(|t| t.with_timezone(&Utc))
    }
}

/// The canonical bytes of a hash-chained entry.
pub fn leaf_bytes(entry: &LogEntry, ctx: &LeafContext) -> Vec<u8> {
    LeafEntry::of(entry, ctx).to_bytes()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::RegionCode;
    use crate::publication::{GENESIS, PendingEntry, SignoffRecord};

    fn entry() -> LogEntry {
        PendingEntry {
            at: Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap(),
            village: RegionCode::parse("339921100201").unwrap(),
            disclosure_id: 42,
            version: 2,
            action: LogAction::Correct,
            content_hash: "ab".repeat(32),
            signoffs: vec![SignoffRecord {
                staff_id: 7,
                reviewer: "王*明".into(),
                role: "supervision-committee".into(),
                at: Utc.with_ymd_and_hms(2026, 2, 28, 2, 0, 0).unwrap(),
                content_hash: "ab".repeat(32),
                comment: Some("同意\n\"好\"".into()),
            }],
            reason: Some("金额有误".into()),
        }
        .seal(9, GENESIS)
    }

    #[test]
    fn the_bytes_are_compact_json_in_the_documented_order() {
        let ctx = LeafContext {
            replaces: Some((40, 1)),
            catalog_item: Some("income-expenditure".into()),
            period: Some("2026-02".parse().unwrap()),
        };
        let text = String::from_utf8(leaf_bytes(&entry(), &ctx)).unwrap();
        let expected = format!(
            concat!(
                r#"{{"format":"yangguang-entry-v2","seq":9,"kind":"correct","village":"339921100201","#,
                r#""disclosure":42,"version":2,"replaces":{{"disclosure":40,"version":1}},"#,
                r#""item":"income-expenditure","period":"2026-02","at":"2026-03-01T02:00:00.000000Z","#,
                r#""content_hash":"{h}","signoffs":[{{"reviewer":"王*明","role":"supervision-committee","#,
                r#""at":"2026-02-28T02:00:00.000000Z","comment":"同意\n\"好\""}}],"#,
                r#""reason":"金额有误","chain":"{c}"}}"#
            ),
            h = "ab".repeat(32),
            c = entry().entry_hash
        );
        assert_eq!(text, expected);
        let back = LeafEntry::parse(text.as_bytes()).unwrap();
        assert_eq!(back.to_bytes(), text.as_bytes());
        assert_eq!(back.at(), Some(entry().at));
    }

    #[test]
    fn a_signoff_on_another_hash_is_not_listed_as_approving_this_content() {
        let mut e = entry();
        e.signoffs[0].content_hash = "cd".repeat(32);
        assert!(LeafEntry::of(&e, &LeafContext::default()).signoffs.is_empty());
        assert_eq!(LeafEntry::of(&entry(), &LeafContext::default()).signoffs.len(), 1);
    }

    #[test]
    fn other_formats_and_extra_fields_are_refused() {
        let bytes = leaf_bytes(&entry(), &LeafContext::default());
        let text = String::from_utf8(bytes).unwrap();
        assert!(LeafEntry::parse(text.replace("entry-v2", "entry-v3").as_bytes()).is_err());
        assert!(LeafEntry::parse(text.replace("\"seq\"", "\"x\":1,\"seq\"").as_bytes()).is_err());
        assert!(LeafEntry::parse(b"not json").is_err());
    }
}
