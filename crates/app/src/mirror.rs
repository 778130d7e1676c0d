//! `yangguang verify --mirror`: a whole transparency log checked from what anyone can fetch —
//! its checkpoint, tiles and entry bundles (C2SP tlog-tiles), from the deployment's address or
//! from a directory holding the same files (an offline bundle) — with no database. It checks
//! the checkpoint's signature with the log key and the witnesses' cosignatures with theirs,
//! rebuilds the tree from the tiles (every tile cross-checked), compares the root, and reads
//! every entry: its bytes hash to the tile's leaf, it is a `yangguang-entry-v2` entry at its
//! place, and times never go backwards.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yangguang_core::log_leaf::LeafEntry;
use yangguang_core::publication::LogAction;
use yangguang_core::tlog::{self, TilePath};

use crate::AppError;
use crate::verify::Inconsistency;

/// Where the log's files come from.
pub enum Source {
    /// `https://…/log/`: the checkpoint at `checkpoint`, tiles under `tile/`.
    Http { base: String, client: reqwest::Client },
    /// A directory with the same layout.
    Dir(PathBuf),
}

impl Source {
    /// A URL (`http://`, `https://`) or a directory.
    pub fn new(location: &str) -> Result<Self, AppError> {
        if location.starts_with("http://") || location.starts_with("https://") {
            let mut base = location.to_owned();
            if !base.ends_with('/') {
                base.push('/');
            }
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            Ok(Self::Http { base, client })
        } else {
            Ok(Self::Dir(PathBuf::from(location)))
        }
    }

    /// The file at `path` (`checkpoint`, `tile/0/000`, …), or None if there is none.
    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>, AppError> {
        match self {
            Self::Http { base, client } => {
                let url = format!("{base}{path}");
                let response = client
                    .get(&url)
                    .send()
                    .await
                    .map_err(|e| AppError::Invalid(format!("无法下载 {url} / cannot fetch: {e}")))?;
                if response.status() == reqwest::StatusCode::NOT_FOUND {
                    return Ok(None);
                }
                if !response.status().is_success() {
                    return Err(AppError::Invalid(format!("{url}: HTTP {}", response.status())));
                }
                let bytes = response.bytes().await.map_err(|e| AppError::Invalid(format!("{url}: {e}")))?;
                Ok(Some(bytes.to_vec()))
            }
            Self::Dir(dir) => match std::fs::read(dir.join(path)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(AppError::Invalid(format!("{}: {e}", dir.join(path).display()))),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorReport {
    pub origin: String,
    pub tree_size: u64,
    pub tiles: usize,
    pub entries: u64,
    /// Witnesses (by key name) whose cosignatures verified.
    pub cosigned_by: Vec<String>,
}

/// Fetches a file, writing it under `save` too when asked (to make an offline bundle).
async fn fetch(source: &Source, path: &str, save: Option<&Path>) -> Result<Option<Vec<u8>>, AppError> {
    let bytes = source.get(path).await?;
    if let (Some(dir), Some(bytes)) = (save, &bytes) {
        let target = dir.join(path);
        let io = |e: std::io::Error| AppError::Invalid(format!("{}: {e}", target.display()));
        std::fs::create_dir_all(target.parent().expect("a file under the directory")).map_err(io)?;
        std::fs::write(&target, bytes).map_err(io)?;
    }
    Ok(bytes)
}

/// A tile of exactly the width asked for: the partial tile, else the full one cut short.
async fn fetch_tile(source: &Source, path: &TilePath, save: Option<&Path>) -> Result<Option<Vec<u8>>, AppError> {
    if let Some(bytes) = fetch(source, &path.to_string(), save).await? {
        return Ok(Some(bytes));
    }
    if path.partial_width().is_some() {
        return fetch(source, &path.full().to_string(), save).await;
    }
    Ok(None)
}

/// Verifies the log at `source` against the log key (a signed-note vkey) and requires a valid
/// cosignature from each witness key given. `Ok(Err(..))` names the first thing wrong.
pub async fn verify_mirror(
    source: &Source,
    log_key: &str,
    witness_keys: &[String],
    save: Option<&Path>,
) -> Result<Result<MirrorReport, Inconsistency>, AppError> {
    let bad = |m: String| Ok(Err(Inconsistency(m)));
    let log = tlog::Verifier::parse(log_key.trim())
        .map_err(|e| AppError::Invalid(format!("--key：日志公钥无效 / bad log key: {e}")))?;
    let witnesses = witness_keys
        .iter()
        .map(|k| tlog::Verifier::parse(k.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Invalid(format!("--witness：见证方公钥无效 / bad witness key: {e}")))?;
    let Some(note) = fetch(source, "checkpoint", save).await? else {
        return bad("没有检查点文件 / there is no checkpoint".into());
    };
    let (checkpoint, note, _) = match tlog::Checkpoint::open(&note, std::slice::from_ref(&log)) {
        Ok(opened) => opened,
        Err(e) => return bad(format!("检查点未通过日志公钥验证 / the checkpoint does not verify: {e}")),
    };
    let mut cosigned_by = vec![];
    for w in &witnesses {
        let signed = note.signatures().iter().any(|s| tlog::verify_cosignature(&s.line(), &checkpoint, w).is_ok());
        if !signed {
            return bad(format!("见证方 {} 没有副署这个检查点 / witness {} has not cosigned it", w.name(), w.name()));
        }
        cosigned_by.push(w.name().to_owned());
    }
    let size = checkpoint.size;
    let mut tiles: HashMap<String, Vec<u8>> = HashMap::new();
    for path in tlog::tiles_for_size(size) {
        match fetch_tile(source, &path, save).await? {
            Some(bytes) => {
                tiles.insert(path.to_string(), bytes);
            }
            None => return bad(format!("缺少瓦片 {path} / a tile is missing")),
        }
    }
    let tree = match tlog::Tree::from_tiles(size, |p| tiles.get(&p.to_string()).cloned()) {
        Ok(tree) => tree,
        Err(e) => return bad(format!("瓦片之间不一致 / the tiles disagree: {e}")),
    };
    if tree.root(size).ok() != Some(checkpoint.root) {
        return bad("瓦片算出的根哈希与签名的检查点不符 / the tiles do not make the signed root".into());
    }
    let mut entries = 0u64;
    let mut last_at = None;
    for path in tlog::tiles_for_size(size).into_iter().filter(|p| p.kind() == tlog::TileKind::Hashes(0)) {
        let entries_path = tlog::entries_path(path.index(), path.partial_width());
        let bundle = match source.get(&entries_path).await? {
            Some(b) => Some(b),
            None if path.partial_width().is_some() => {
                source.get(&tlog::entries_path(path.index(), None)).await?.map(|b| cut_bundle(&b, path.width()))
            }
            None => None,
        };
        let Some(bundle) = bundle else {
            return bad(format!("缺少条目包 {entries_path} / an entry bundle is missing"));
        };
        if let Some(dir) = save {
            let target = dir.join(&entries_path);
            std::fs::create_dir_all(target.parent().expect("under the directory"))
                .and_then(|()| std::fs::write(&target, &bundle))
                .map_err(|e| AppError::Invalid(format!("{}: {e}", target.display())))?;
        }
        let tile = &tiles[&path.to_string()];
        let list = match tlog::verify_entry_bundle(&bundle, tile) {
            Ok(list) => list,
            Err(e) => {
                return bad(format!("条目包 {entries_path} 与瓦片不符 / the bundle does not match its tile: {e}"));
            }
        };
        for (j, bytes) in list.iter().enumerate() {
            let seq = (path.index() * u64::from(tlog::TILE_WIDTH) + j as u64 + 1) as i64;
            let entry = match LeafEntry::parse(bytes) {
                Ok(e) => e,
                Err(e) => return bad(format!("第 {seq} 条记录无法解析 / entry {seq}: {e}")),
            };
            if entry.seq != seq {
                return bad(format!("第 {seq} 条记录自称第 {} 条 / entry {seq} says it is {}", entry.seq, entry.seq));
            }
            if (entry.kind == LogAction::Publish) == entry.replaces.is_some() {
                return bad(format!(
                    "第 {seq} 条记录的种类与所替代的版本不符 / entry {seq}: kind and replaces disagree"
                ));
            }
            let at = entry.at();
            if at.is_none() || at < last_at {
                return bad(format!("第 {seq} 条记录的时间早于前一条 / entry {seq} goes back in time"));
            }
            last_at = at;
            entries += 1;
        }
    }
    if entries != size {
        return bad(format!("条目数 {entries} 与树的大小 {size} 不符 / entries and tree size differ"));
    }
    Ok(Ok(MirrorReport { origin: checkpoint.origin, tree_size: size, tiles: tiles.len(), entries, cosigned_by }))
}

/// The first `width` entries of a full bundle (a log may serve only the full one).
fn cut_bundle(bundle: &[u8], width: u16) -> Vec<u8> {
    match tlog::parse_entry_bundle(bundle) {
        Ok(list) => {
            let kept: Vec<&[u8]> = list.into_iter().take(usize::from(width)).collect();
            tlog::entry_bundle(&kept).unwrap_or_default()
        }
        Err(_) => bundle.to_vec(),
    }
}
