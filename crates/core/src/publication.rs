//! The publication log (公开记录链): content hashes of published versions, hash-chained log
//! entries, and ed25519-signed checkpoints of the chain's head. Everything here is pure, so
//! `yangguang verify` can check a downloaded log with no database at all.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::disclosure::{Attachment, DisclosureKind};
use crate::period::Period;
use crate::region::RegionCode;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogAction {
    Publish,
    Correct,
    Withdraw,
}

impl LogAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Correct => "correct",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "publish" => Self::Publish,
            "correct" => Self::Correct,
            "withdraw" => Self::Withdraw,
            _ => return None,
        })
    }

    pub fn for_kind(kind: DisclosureKind) -> Self {
        match kind {
            DisclosureKind::Original => Self::Publish,
            DisclosureKind::Correction => Self::Correct,
            DisclosureKind::Withdrawal => Self::Withdraw,
        }
    }
}

/// Exactly what a version says: the input of its content hash. Field order is the hash's
/// canonical order; never reorder or rename, add new fields only with a new version tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionContent<'a> {
    pub village: RegionCode,
    pub column: &'a str,
    pub catalog_item: Option<&'a str>,
    pub period: Option<Period>,
    pub title: &'a str,
    pub body_md: &'a str,
    pub attachments: &'a [Attachment],
    pub kind: DisclosureKind,
    pub replaces: Option<i64>,
    pub reason: Option<&'a str>,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// The hash a sign-off is bound to and the log records.
pub fn content_hash(content: &VersionContent<'_>) -> String {
    let json = serde_json::to_vec(content).expect("content serialises");
    sha256_hex(&[b"yangguang-content-v1\n", &json])
}

/// A content hash as people compare it by eye — on the item's page and on printed board
/// sheets: its first 16 hex digits, lower case, in groups of four (`3f2a 9c1b 07de 55a0`).
/// 64 bits: enough that nobody can make other content with the same fingerprint.
pub fn fingerprint(content_hash: &str) -> String {
    let digits: Vec<char> = content_hash.chars().filter(char::is_ascii_hexdigit).take(16).collect();
    digits.chunks(4).map(|group| group.iter().collect::<String>().to_ascii_lowercase()).collect::<Vec<_>>().join(" ")
}

/// A version's canonical JSON as served (`/api/disclosures/{id}/content.json`): the content
/// hash's input with each attachment's address added as a last key, `url`. Dropping the `url`
/// keys and writing the object compactly again gives the hashed bytes
/// (docs/TRANSPARENCY.md §1).
pub fn canonical_json(content: &VersionContent<'_>, attachment_urls: &[String]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Served<'a> {
        village: RegionCode,
        column: &'a str,
        catalog_item: Option<&'a str>,
        period: Option<Period>,
        title: &'a str,
        body_md: &'a str,
        attachments: Vec<ServedAttachment<'a>>,
        kind: DisclosureKind,
        replaces: Option<i64>,
        reason: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct ServedAttachment<'a> {
        file_name: &'a str,
        media_type: &'a str,
        byte_size: i64,
        sha256: &'a str,
        url: &'a str,
    }
    let served = Served {
        village: content.village,
        column: content.column,
        catalog_item: content.catalog_item,
        period: content.period,
        title: content.title,
        body_md: content.body_md,
        attachments: content
            .attachments
            .iter()
            .zip(attachment_urls)
            .map(|(a, url)| ServedAttachment {
                file_name: &a.file_name,
                media_type: &a.media_type,
                byte_size: a.byte_size,
                sha256: &a.sha256,
                url,
            })
            .collect(),
        kind: content.kind,
        replaces: content.replaces,
        reason: content.reason,
    };
    serde_json::to_vec(&served).expect("content serialises")
}

/// A reviewer's sign-off as the log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignoffRecord {
    pub staff_id: i64,
    pub reviewer: String,
    /// The catalog reviewer role signed for (`supervision-committee`, …).
    pub role: String,
    pub at: DateTime<Utc>,
    pub content_hash: String,
    pub comment: Option<String>,
}

/// One entry of the log, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    pub at: DateTime<Utc>,
    pub village: RegionCode,
    pub disclosure_id: i64,
    pub version: i32,
    pub action: LogAction,
    pub content_hash: String,
    pub signoffs: Vec<SignoffRecord>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub village: RegionCode,
    pub disclosure_id: i64,
    pub version: i32,
    pub action: LogAction,
    pub content_hash: String,
    pub signoffs: Vec<SignoffRecord>,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// The hashed part of an entry, in canonical order.
#[derive(Serialize)]
struct EntryForHash<'a> {
    seq: i64,
    at: String,
    village: RegionCode,
    disclosure_id: i64,
    version: i32,
    action: LogAction,
    content_hash: &'a str,
    signoffs: Vec<SignoffForHash<'a>>,
    reason: Option<&'a str>,
    prev_hash: &'a str,
}

#[derive(Serialize)]
struct SignoffForHash<'a> {
    staff_id: i64,
    reviewer: &'a str,
    role: &'a str,
    at: String,
    content_hash: &'a str,
    comment: Option<&'a str>,
}

/// Timestamps in the log keep whole microseconds, what both databases store exactly.
pub fn log_time(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).expect("in range")
}

/// The text form of a log time: RFC 3339, UTC, six fraction digits, `Z`.
pub fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl PendingEntry {
    /// Chains the entry after the one whose hash is `prev_hash`.
    pub fn seal(self, seq: i64, prev_hash: &str) -> LogEntry {
        let mut entry = LogEntry {
            seq,
            at: log_time(self.at),
            village: self.village,
            disclosure_id: self.disclosure_id,
            version: self.version,
            action: self.action,
            content_hash: self.content_hash,
            signoffs: self.signoffs.into_iter().map(|s| SignoffRecord { at: log_time(s.at), ..s }).collect(),
            reason: self.reason,
            prev_hash: prev_hash.to_owned(),
            entry_hash: String::new(),
        };
        entry.entry_hash = entry.compute_hash();
        entry
    }
}

impl LogEntry {
    pub fn compute_hash(&self) -> String {
        let hashed = EntryForHash {
            seq: self.seq,
            at: time_text(self.at),
            village: self.village,
            disclosure_id: self.disclosure_id,
            version: self.version,
            action: self.action,
            content_hash: &self.content_hash,
            signoffs: self
                .signoffs
                .iter()
                .map(|s| SignoffForHash {
                    staff_id: s.staff_id,
                    reviewer: &s.reviewer,
                    role: &s.role,
                    at: time_text(s.at),
                    content_hash: &s.content_hash,
                    comment: s.comment.as_deref(),
                })
                .collect(),
            reason: self.reason.as_deref(),
            prev_hash: &self.prev_hash,
        };
        sha256_hex(&[b"yangguang-log-v1\n", &serde_json::to_vec(&hashed).expect("entry serialises")])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("记录 {seq} 的序号不连续（应为 {expected}）/ entry {seq} is out of sequence, expected {expected}")]
    Sequence { seq: i64, expected: i64 },
    #[error("记录 {seq} 的前一哈希与上一条记录不符 / entry {seq} does not chain to the entry before it")]
    Broken { seq: i64 },
    #[error("记录 {seq} 的内容与其哈希不符 / entry {seq} was altered after it was written")]
    Altered { seq: i64 },
}

impl ChainError {
    pub fn seq(&self) -> i64 {
        match self {
            Self::Sequence { seq, .. } | Self::Broken { seq } | Self::Altered { seq } => *seq,
        }
    }
}

/// Checks entries in order from the first: consecutive numbers from 1, each chained to the
/// one before, each hash matching its content. Names the first bad entry.
pub fn verify_chain<'a>(entries: impl IntoIterator<Item = &'a LogEntry>) -> Result<Option<&'a LogEntry>, ChainError> {
    let mut prev: Option<&LogEntry> = None;
    for entry in entries {
        let expected = prev.map_or(1, |p| p.seq + 1);
        if entry.seq != expected {
            return Err(ChainError::Sequence { seq: entry.seq, expected });
        }
        if entry.prev_hash != prev.map_or(GENESIS, |p| p.entry_hash.as_str()) {
            return Err(ChainError::Broken { seq: entry.seq });
        }
        if entry.compute_hash() != entry.entry_hash {
            return Err(ChainError::Altered { seq: entry.seq });
        }
        prev = Some(entry);
    }
    Ok(prev)
}

/// A signed statement "the log's entry `seq` has hash `head_hash`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub head_hash: String,
    pub at: DateTime<Utc>,
    /// Hex ed25519 public key that signed.
    pub public_key: String,
    /// Hex ed25519 signature over [`Checkpoint::message`].
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("检查点签名无效 / the checkpoint signature is invalid")]
    BadSignature,
    #[error("检查点不是由预期的平台密钥签署 / the checkpoint was signed by another key")]
    WrongKey,
    #[error("检查点格式错误 / malformed checkpoint: {0}")]
    Malformed(String),
}

impl Checkpoint {
    pub fn message(seq: i64, head_hash: &str, at: DateTime<Utc>) -> Vec<u8> {
        format!("yangguang-checkpoint-v1\n{seq}\n{head_hash}\n{}\n", time_text(at)).into_bytes()
    }

    /// Signs the head with the platform key (32 secret bytes).
    pub fn sign(seq: i64, head_hash: &str, at: DateTime<Utc>, secret: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(secret);
        let at = log_time(at);
        let signature = key.sign(&Self::message(seq, head_hash, at));
        Self {
            seq,
            head_hash: head_hash.to_owned(),
            at,
            public_key: hex::encode(key.verifying_key().to_bytes()),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// Checks the signature, and that it was made by `expected_key` (hex) when given.
    pub fn verify(&self, expected_key: Option<&str>) -> Result<(), CheckpointError> {
        if expected_key.is_some_and(|k| !k.eq_ignore_ascii_case(&self.public_key)) {
            return Err(CheckpointError::WrongKey);
        }
        let key_bytes: [u8; 32] = hex::decode(&self.public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CheckpointError::Malformed("public key".into()))?;
        let sig_bytes: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CheckpointError::Malformed("signature".into()))?;
        let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| CheckpointError::Malformed("public key".into()))?;
        key.verify(&Self::message(self.seq, &self.head_hash, self.at), &Signature::from_bytes(&sig_bytes))
            .map_err(|_| CheckpointError::BadSignature)
    }
}

/// The public key (hex) for a secret key.
pub fn public_key_hex(secret: &[u8; 32]) -> String {
    hex::encode(SigningKey::from_bytes(secret).verifying_key().to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn pending(n: i64) -> PendingEntry {
        PendingEntry {
            at: Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap() + chrono::Duration::microseconds(n * 1_000_001),
            village: RegionCode::parse("339921100201").unwrap(),
            disclosure_id: n,
            version: 1,
            action: LogAction::Publish,
            content_hash: format!("{n:064}"),
            signoffs: vec![SignoffRecord {
                staff_id: 7,
                reviewer: "王*明".into(),
                role: "supervision-committee".into(),
                at: Utc.with_ymd_and_hms(2026, 2, 28, 2, 0, 0).unwrap(),
                content_hash: format!("{n:064}"),
                comment: Some("同意".into()),
            }],
            reason: None,
        }
    }

    fn chain(n: i64) -> Vec<LogEntry> {
        let mut out: Vec<LogEntry> = vec![];
        for i in 1..=n {
            let prev = out.last().map_or(GENESIS.to_owned(), |e| e.entry_hash.clone());
            out.push(pending(i).seal(i, &prev));
        }
        out
    }

    #[test]
    fn a_sealed_chain_verifies() {
        let log = chain(5);
        assert_eq!(verify_chain(&log).unwrap().unwrap().seq, 5);
    }

    #[test]
    fn deleting_reordering_or_altering_entries_is_detected() {
        let mut deleted = chain(5);
        deleted.remove(2);
        assert_eq!(verify_chain(&deleted).unwrap_err(), ChainError::Sequence { seq: 4, expected: 3 });
        let mut swapped = chain(5);
        swapped.swap(1, 2);
        assert_eq!(verify_chain(&swapped).unwrap_err().seq(), 3);
        let mut renumbered = chain(5);
        renumbered.swap(1, 2);
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert!(matches!(verify_chain(&renumbered).unwrap_err(), ChainError::Broken { seq: 2 }));
        let mut altered = chain(5);
        altered[3].content_hash = "f".repeat(64);
        assert_eq!(verify_chain(&altered).unwrap_err(), ChainError::Altered { seq: 4 });
        let mut forged_signoff = chain(5);
        forged_signoff[0].signoffs[0].reviewer = "别人".into();
        assert_eq!(verify_chain(&forged_signoff).unwrap_err(), ChainError::Altered { seq: 1 });
    }

    #[test]
    fn entries_survive_a_json_round_trip_unchanged() {
        let log = chain(3);
        let text: String = log.iter().map(|e| serde_json::to_string(e).unwrap() + "\n").collect();
        let back: Vec<LogEntry> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(back, log);
        verify_chain(&back).unwrap();
    }

    #[test]
    fn checkpoints_verify_only_with_their_key_and_content() {
        let secret = [7u8; 32];
        let head = chain(3).pop().unwrap();
        let cp = Checkpoint::sign(head.seq, &head.entry_hash, Utc::now(), &secret);
        cp.verify(Some(&public_key_hex(&secret))).unwrap();
        assert_eq!(cp.verify(Some(&public_key_hex(&[8u8; 32]))), Err(CheckpointError::WrongKey));
        let mut forged = cp.clone();
        forged.seq = 2;
        assert_eq!(forged.verify(None), Err(CheckpointError::BadSignature));
        let back: Checkpoint = serde_json::from_str(&serde_json::to_string(&cp).unwrap()).unwrap();
        back.verify(None).unwrap();
    }

    #[test]
    fn the_served_json_without_urls_is_the_hashed_json() {
        let att = vec![Attachment {
            file_name: "收据\u{1}\"a\".pdf".into(),
            media_type: "application/pdf".into(),
            byte_size: 3,
            sha256: "a".repeat(64),
        }];
        let content = VersionContent {
            village: RegionCode::parse("339921100201").unwrap(),
            column: "finance-income",
            catalog_item: None,
            period: Some("2026-Q1".parse().unwrap()),
            title: "标题\t",
            body_md: "| 收入 | 1.00 |\n",
            attachments: &att,
            kind: DisclosureKind::Correction,
            replaces: Some(9),
            reason: Some("更正"),
        };
        let served = canonical_json(&content, &["https://x/v/339921100201/d/10/a/0".into()]);
        let mut value: serde_json::Value = serde_json::from_slice(&served).unwrap();
        for a in value["attachments"].as_array_mut().unwrap() {
            a.as_object_mut().unwrap().remove("url");
        }
        // serde_json's Value keeps keys sorted, so compare with the struct's own bytes instead.
        let hashed = serde_json::to_vec(&content).unwrap();
        let reparsed: serde_json::Value = serde_json::from_slice(&hashed).unwrap();
        assert_eq!(value, reparsed);
        let text = String::from_utf8(served).unwrap();
        let without_url = text.replace(r#","url":"https://x/v/339921100201/d/10/a/0""#, "");
        assert_eq!(without_url.as_bytes(), hashed.as_slice());
        assert_eq!(content_hash(&content), sha256_hex(&[b"yangguang-content-v1\n", without_url.as_bytes()]));
        assert!(text.contains(r#""file_name":"收据\u0001\"a\".pdf""#), "{text}");
    }

    #[test]
    fn a_fingerprint_is_the_first_sixteen_hex_digits_in_fours() {
        let h = "3F2A9C1B07DE55A0".to_owned() + &"e".repeat(48);
        assert_eq!(fingerprint(&h), "3f2a 9c1b 07de 55a0");
        assert_eq!(fingerprint("abc"), "abc");
        assert_eq!(fingerprint(""), "");
    }

    #[test]
    fn the_content_hash_covers_every_field_and_attachment() {
        let att = vec![Attachment {
            file_name: "a.csv".into(),
            media_type: "text/csv".into(),
            byte_size: 3,
            sha256: "a".repeat(64),
        }];
        let base = VersionContent {
            village: RegionCode::parse("339921100201").unwrap(),
            column: "finance-income",
            catalog_item: Some("income-expenditure"),
            period: Some("2026-02".parse().unwrap()),
            title: "二月收支",
            body_md: "正文",
            attachments: &att,
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
        };
        let h = content_hash(&base);
        assert_ne!(h, content_hash(&VersionContent { body_md: "正文。", ..base.clone() }));
        let other = vec![Attachment { sha256: "b".repeat(64), ..att[0].clone() }];
        assert_ne!(h, content_hash(&VersionContent { attachments: &other, ..base.clone() }));
        assert_eq!(h, content_hash(&base.clone()));
    }
}
