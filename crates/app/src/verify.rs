//! `yangguang verify`: rechecks that what is published is what was logged and signed.
//! From the store: the chain, every logged version's content against its log entry, every
//! attachment file against its hash, every published version against the log, every
//! checkpoint's signature and head. Offline: a downloaded log against a checkpoint, with no
//! database. Both stop at the first inconsistency and name it.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use yangguang_core::ledger::vouchers;
use yangguang_core::log_leaf::LeafEntry;
use yangguang_core::publication::{ChainError, Checkpoint, LogEntry, verify_chain};
use yangguang_core::tlog;
use yangguang_core::{DisclosureId, Period};
use yangguang_store::FrozenMonth;

use crate::files::FileError;
use crate::i18n::Label;
use crate::{AppError, Site};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub versions: u64,
    pub attachments: u64,
    pub checkpoints: u64,
    /// Checkpoints of the Merkle tree, each recomputed from the entries' bytes.
    pub tree_checkpoints: u64,
    /// Frozen months of books rechecked voucher by voucher.
    pub months: u64,
}

/// The first thing found wrong, in words a supervisor can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Inconsistency(pub String);

const BATCH: u32 = 2_000;

async fn describe(site: &Site, id: i64) -> String {
    match site.store.get_disclosure(DisclosureId(id)).await {
        Ok(d) => {
            let village = site.regions().get(d.village).map(|r| r.name.clone()).unwrap_or_default();
            format!("事项 #{id}（{village} {}，“{}”）", d.village, d.title)
        }
        Err(_) => format!("事项 #{id}"),
    }
}

fn chain_problem(e: &ChainError) -> String {
    format!("公开记录链第 {} 条有误：{e}", e.seq())
}

pub async fn verify_store(site: &Site) -> Result<Result<VerifyReport, Inconsistency>, AppError> {
    // The database's own check first: a broken index can hide rows from every check below.
    let problems = site.store.integrity_check().await?;
    if !problems.is_empty() {
        return Ok(Err(Inconsistency(format!(
            "数据库自检发现损坏，请从备份恢复 / the database's integrity check failed: {}",
            problems.join("; ")
        ))));
    }
    let mut report =
        VerifyReport { entries: 0, versions: 0, attachments: 0, checkpoints: 0, tree_checkpoints: 0, months: 0 };
    let mut logged: HashSet<i64> = HashSet::new();
    // Only the entries the signed checkpoints name are kept (a province has a million).
    let checkpoints = site.store.list_checkpoints(u32::MAX).await?;
    let mut hashes: HashMap<i64, String> = checkpoints.iter().map(|cp| (cp.seq, String::new())).collect();
    let mut prev: Option<LogEntry> = None;
    let mut after = 0;
    loop {
        let batch = site.store.log_entries(after, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        let chained: Vec<&LogEntry> = prev.iter().chain(batch.iter()).collect();
        if let Err(e) = verify_from(&chained) {
            let who = describe(site, batch.iter().find(|b| b.seq == e.seq()).map_or(0, |b| b.disclosure_id)).await;
            return Ok(Err(Inconsistency(format!("{}（{who}）", chain_problem(&e)))));
        }
        for entry in &batch {
            report.entries += 1;
            if let Some(h) = hashes.get_mut(&entry.seq) {
                h.clone_from(&entry.entry_hash);
            }
            logged.insert(entry.disclosure_id);
            let d = match site.store.get_disclosure(DisclosureId(entry.disclosure_id)).await {
                Ok(d) => d,
                Err(yangguang_store::StoreError::NotFound) => {
                    return Ok(Err(Inconsistency(format!(
                        "公开记录第 {} 条所记的事项 #{} 已从数据库中消失 / a logged item was deleted",
                        entry.seq, entry.disclosure_id
                    ))));
                }
                Err(e) => return Err(e.into()),
            };
            if !d.state.was_published() {
                let who = describe(site, d.id.0).await;
                return Ok(Err(Inconsistency(format!(
                    "{who} 已记入公开记录，但状态被改为“{}” / state changed after publication",
                    d.state.zh()
                ))));
            }
            if d.content_hash() != entry.content_hash {
                let who = describe(site, d.id.0).await;
                return Ok(Err(Inconsistency(format!(
                    "{who} 的已公开内容与公开记录第 {} 条不符：公开后被改动 / published content changed after publication",
                    entry.seq
                ))));
            }
            for a in &d.attachments {
                report.attachments += 1;
                match site.files.get(&a.sha256).await {
                    Ok(_) => {}
                    Err(FileError::Corrupt(_)) => {
                        let who = describe(site, d.id.0).await;
                        return Ok(Err(Inconsistency(format!(
                            "{who} 的附件 “{}” 文件内容被改动 / attachment file altered",
                            a.file_name
                        ))));
                    }
                    Err(FileError::NotFound) => {
                        let who = describe(site, d.id.0).await;
                        return Ok(Err(Inconsistency(format!(
                            "{who} 的附件 “{}” 文件缺失 / attachment file missing",
                            a.file_name
                        ))));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        after = batch.last().expect("non-empty").seq;
        prev = batch.into_iter().last();
    }
    let mut after_id = DisclosureId(0);
    loop {
        let ids = site.store.published_ids(after_id, BATCH).await?;
        let Some(last) = ids.last().copied() else { break };
        for id in ids {
            report.versions += 1;
            if !logged.contains(&id.0) {
                let who = describe(site, id.0).await;
                return Ok(Err(Inconsistency(format!(
                    "{who} 显示为已公开，但公开记录中没有它：未经审核流程写入 / published without a log entry"
                ))));
            }
        }
        after_id = last;
    }
    for cp in checkpoints {
        report.checkpoints += 1;
        if let Err(e) = cp.verify(Some(&site.key.public_hex)) {
            return Ok(Err(Inconsistency(format!("{} 的检查点（第 {} 条）无效：{e}", cp.at.to_rfc3339(), cp.seq))));
        }
        if hashes.get(&cp.seq).is_none_or(|h| *h != cp.head_hash) {
            return Ok(Err(Inconsistency(format!(
                "{} 签署的检查点指向第 {} 条记录，但该记录已不是当时的内容或已被删除 / the log no longer matches a signed checkpoint",
                cp.at.to_rfc3339(),
                cp.seq
            ))));
        }
    }
    match verify_tree(site).await? {
        Ok(n) => report.tree_checkpoints = n,
        Err(problem) => return Ok(Err(problem)),
    }
    match verify_books(site).await? {
        Ok(months) => report.months = months,
        Err(problem) => return Ok(Err(problem)),
    }
    Ok(Ok(report))
}

/// The Merkle tree against the chain: every entry's canonical bytes say what its chained entry
/// says (the same chain hash, version, content hash, time), the tree made from those bytes is
/// the tree the server serves, and every tree checkpoint is signed by the platform key over
/// the root the bytes make. Returns how many checkpoints were checked.
async fn verify_tree(site: &Site) -> Result<Result<u64, Inconsistency>, AppError> {
    let bad = |m: String| Ok(Err(Inconsistency(m)));
    let mut tree = tlog::Tree::new();
    let mut after = 0;
    loop {
        let chained = site.store.log_entries(after, BATCH).await?;
        let Some(last) = chained.last().map(|e| e.seq) else { break };
        let leaves = site.store.leaf_entries(after, BATCH).await?;
        for (i, entry) in chained.iter().enumerate() {
            let Some((seq, bytes)) = leaves.get(i) else {
                return bad(format!(
                    "公开记录第 {} 条没有规范内容（树的叶子）/ entry {} has no leaf",
                    entry.seq, entry.seq
                ));
            };
            let leaf = LeafEntry::parse(bytes.as_bytes());
            let matches = leaf.as_ref().is_ok_and(|l| {
                *seq == entry.seq
                    && l.seq == entry.seq
                    && l.chain == entry.entry_hash
                    && l.disclosure == entry.disclosure_id
                    && l.version == entry.version
                    && l.kind == entry.action
                    && l.content_hash == entry.content_hash
                    && l.at() == Some(entry.at)
            });
            if !matches {
                let who = describe(site, entry.disclosure_id).await;
                return bad(format!(
                    "公开记录第 {} 条的规范内容与记录链不符（{who}）/ entry {}'s bytes differ from the chain",
                    entry.seq, entry.seq
                ));
            }
            tree.push(tlog::leaf_hash(bytes.as_bytes()));
        }
        after = last;
    }
    let size = tree.size();
    crate::transparency::sync(site).await?;
    let served = site.log.with_tree(|t| t.root(size).ok());
    if size > 0 && served != tree.root(size).ok() {
        return bad(
            "服务器提供的树与记录内容算出的树不符（叶子哈希被改动）/ the served tree differs from the entries".into()
        );
    }
    let public = crate::transparency::identity(site).await?.signer.public_key();
    let mut checked = 0;
    for cp in site.store.list_tree_checkpoints(u32::MAX).await? {
        checked += 1;
        // The key is named by each checkpoint's own origin (a deployment may have renamed its log).
        let origin = cp.note.lines().next().unwrap_or_default();
        let key = tlog::Verifier::new(origin, tlog::KEY_TYPE_ED25519, public);
        let opened = key.and_then(|k| tlog::Checkpoint::open(cp.note.as_bytes(), std::slice::from_ref(&k)));
        let Ok((signed, ..)) = opened else {
            return bad(format!(
                "树大小为 {} 的检查点签名无效 / the checkpoint of size {} does not verify",
                cp.tree_size, cp.tree_size
            ));
        };
        let root = u64::try_from(cp.tree_size).ok().filter(|n| *n <= size).and_then(|n| tree.root(n).ok());
        if signed.size != cp.tree_size as u64 || root != Some(signed.root) {
            return bad(format!(
                "树大小为 {} 的检查点与现有记录算出的根不符：记录在签署后被改动或删除 / the log no longer matches a signed checkpoint",
                cp.tree_size
            ));
        }
    }
    Ok(Ok(checked))
}

/// Every frozen month's books against what was frozen: each voucher's lines against the
/// content hash recorded at import (a direct edit of a line is found and named), and the
/// month's vouchers against the fingerprint signed at publication (a voucher added or
/// removed behind the platform's back is found, named from the published ledger file).
async fn verify_books(site: &Site) -> Result<Result<u64, Inconsistency>, AppError> {
    let mut months = 0;
    for village in site.regions().villages() {
        let frozen = site.store.frozen_months(village.code).await?;
        let (Some(first), Some(last)) = (frozen.first(), frozen.last()) else { continue };
        let (from, to) = ((first.year, first.month), (last.year, last.month));
        let start = NaiveDate::from_ymd_opt(from.0, from.1, 1).expect("a stored month");
        let end = Period::Month { year: to.0, month: to.1 }.end();
        let lines = site.store.ledger_entries(village.code, start, end).await?;
        let recomputed: HashMap<(i32, u32, String), String> =
            vouchers(&lines).into_iter().map(|v| ((v.key.year, v.key.month, v.key.number), v.content_hash)).collect();
        let stored = site.store.voucher_hashes(village.code, from, to).await?;
        let place = |y: i32, m: u32| format!("{}（{}）{y}年{m}月", village.name, village.code);
        for f in &frozen {
            months += 1;
            for (y, m, number, hash) in stored.iter().filter(|(y, m, ..)| (*y, *m) == (f.year, f.month)) {
                if recomputed.get(&(*y, *m, number.clone())) != Some(hash) {
                    return Ok(Err(Inconsistency(format!(
                        "{} 凭证 {number} 的分录与入账时不符：账目公开后被直接改动 / voucher {number} changed after it was frozen",
                        place(*y, *m)
                    ))));
                }
            }
            if f.fingerprint.is_empty() {
                continue; // frozen before fingerprints were kept: the lines were checked above
            }
            let now = site.store.books_fingerprint(village.code, (f.year, f.month), (f.year, f.month)).await?;
            if now != f.fingerprint {
                let named = changed_voucher(site, f, &stored).await.unwrap_or_default();
                return Ok(Err(Inconsistency(format!(
                    "{} 的账簿与公开时签署的不符（凭证被新增或删除）{named} / the frozen books differ from those signed",
                    place(f.year, f.month)
                ))));
            }
        }
    }
    Ok(Ok(months))
}

/// The voucher number present on one side only: the published ledger file (what was signed)
/// or the books now. Best effort, for the message.
async fn changed_voucher(site: &Site, f: &FrozenMonth, stored: &[(i32, u32, String, String)]) -> Option<String> {
    let d = site.store.get_disclosure(f.disclosure_id).await.ok()?;
    let file = d.attachments.iter().find(|a| a.media_type.starts_with("text/csv"))?;
    let bytes = site.files.get(&file.sha256).await.ok()?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
    let column = reader.headers().ok()?.iter().position(|h| h.trim_start_matches('\u{feff}') == "凭证号")?;
    let signed: HashSet<String> = reader
        .records()
        .filter_map(|r| r.ok()?.get(column).map(yangguang_core::ledger::normalize_voucher_no))
        .collect();
    let now: HashSet<String> =
        stored.iter().filter(|(y, m, ..)| (*y, *m) == (f.year, f.month)).map(|(.., n, _)| n.clone()).collect();
    let added = now.difference(&signed).next().map(|n| format!("：新增了凭证 {n}"));
    added.or_else(|| signed.difference(&now).next().map(|n| format!("：删除了凭证 {n}")))
}

fn verify_from(entries: &[&LogEntry]) -> Result<(), ChainError> {
    // The first element may be the last entry of the previous batch: check from there.
    let Some(first) = entries.first() else { return Ok(()) };
    if first.seq == 1 || entries.len() == 1 {
        return verify_chain(entries.iter().copied()).map(|_| ());
    }
    for pair in entries.windows(2) {
        let (prev, entry) = (pair[0], pair[1]);
        if entry.seq != prev.seq + 1 {
            return Err(ChainError::Sequence { seq: entry.seq, expected: prev.seq + 1 });
        }
        if entry.prev_hash != prev.entry_hash {
            return Err(ChainError::Broken { seq: entry.seq });
        }
        if entry.compute_hash() != entry.entry_hash {
            return Err(ChainError::Altered { seq: entry.seq });
        }
    }
    Ok(())
}

/// Verifies a downloaded log (JSON lines, from the first entry) against a checkpoint, and
/// the checkpoint against the platform's public key when one is given.
pub fn verify_offline(log_jsonl: &str, checkpoint_json: &str, public_key: Option<&str>) -> Result<u64, Inconsistency> {
    let checkpoint: Checkpoint = serde_json::from_str(checkpoint_json)
        .map_err(|e| Inconsistency(format!("检查点文件无法读取 / unreadable checkpoint: {e}")))?;
    checkpoint.verify(public_key).map_err(|e| Inconsistency(format!("检查点：{e}")))?;
    let mut entries = Vec::new();
    for (n, line) in log_jsonl.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let entry: LogEntry = serde_json::from_str(line)
            .map_err(|e| Inconsistency(format!("记录文件第 {} 行无法读取 / line {} unreadable: {e}", n + 1, n + 1)))?;
        entries.push(entry);
    }
    verify_chain(&entries).map_err(|e| Inconsistency(chain_problem(&e)))?;
    let at = entries.iter().find(|e| e.seq == checkpoint.seq).ok_or_else(|| {
        Inconsistency(format!(
            "记录文件只到第 {} 条，检查点是第 {} 条 / the log is shorter than the checkpoint",
            entries.len(),
            checkpoint.seq
        ))
    })?;
    if at.entry_hash != checkpoint.head_hash {
        return Err(Inconsistency(format!(
            "第 {} 条记录与签署的检查点不符 / the log differs from the signed checkpoint",
            checkpoint.seq
        )));
    }
    Ok(entries.len() as u64)
}
