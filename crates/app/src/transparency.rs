//! The transparency log (docs/TRANSPARENCY.md): the publication log as an RFC 9162 Merkle
//! tree, kept in memory beside the store; checkpoints signed as C2SP signed notes; the
//! witnesses asked to cosign them; inclusion and consistency proofs, tiles and entry bundles.
//!
//! The store holds every entry's canonical bytes and leaf hash (written in the transaction
//! that publishes); the tree here is rebuilt from the leaf hashes at start and follows the
//! store ([`sync`]), so proofs and tiles never touch the database beyond one read.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use yangguang_core::DisclosureId;
use yangguang_core::tlog::{self, Hash, Tree};
use yangguang_store::TreeCheckpoint;

use crate::{AppError, Site};

/// A witness the platform asks to cosign its checkpoints.
#[derive(Debug, Clone)]
pub struct Witness {
    pub name: String,
    /// Base address; `add-checkpoint` is appended.
    pub url: String,
    pub verifier: tlog::Verifier,
    pub vkey: String,
}

impl Witness {
    pub fn new(url: &str, vkey: &str) -> Result<Self, AppError> {
        let verifier = tlog::Verifier::parse(vkey)
            .map_err(|e| AppError::Invalid(format!("见证方公钥 “{vkey}” 无效 / bad witness key: {e}")))?;
        let mut url = url.trim().to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(AppError::Invalid(format!(
                "见证方地址 “{url}” 应以 http:// 或 https:// 开头 / bad witness URL"
            )));
        }
        if !url.ends_with('/') {
            url.push('/');
        }
        Ok(Self { name: verifier.name().to_owned(), url, verifier, vkey: vkey.trim().to_owned() })
    }
}

/// The log's name, key and witnesses, and the tree as far as it was read.
pub struct TransparencyLog {
    /// The origin the settings name, if they do.
    configured: Option<String>,
    secret: [u8; 32],
    /// The origin and key in use, settled at the first use (see [`identity`]).
    identity: RwLock<Option<Arc<Identity>>>,
    pub witnesses: Vec<Witness>,
    tree: RwLock<Tree>,
    client: reqwest::Client,
    last_retry: std::sync::Mutex<Option<std::time::Instant>>,
}

/// The log's name (the checkpoints' origin line) and its note signer.
pub struct Identity {
    pub origin: String,
    pub signer: tlog::Signer,
}

impl Identity {
    /// The log key in the signed-note vkey form.
    pub fn vkey(&self) -> String {
        self.signer.vkey()
    }
}

impl std::fmt::Debug for TransparencyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransparencyLog").field("configured", &self.configured).finish_non_exhaustive()
    }
}

/// Entries read from the store at a time.
const BATCH: u32 = 10_000;

/// How long a witness has to answer.
const WITNESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The `platform_state` name of the origin in use, so that it never changes by accident.
const ORIGIN_STATE: &str = "log/origin";

impl TransparencyLog {
    pub fn new(configured: Option<&str>, secret: &[u8; 32], witnesses: Vec<Witness>) -> Result<Self, AppError> {
        let configured = configured.map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned);
        if let Some(origin) = &configured {
            check_origin(origin)?;
        }
        let client = reqwest::Client::builder()
            .timeout(WITNESS_TIMEOUT)
            .user_agent("yangguang")
            .build()
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(Self {
            configured,
            secret: *secret,
            identity: RwLock::new(None),
            witnesses,
            tree: RwLock::new(Tree::new()),
            client,
            last_retry: Default::default(),
        })
    }

    /// The number of entries the tree holds here.
    pub fn size(&self) -> u64 {
        self.tree.read().expect("tree lock").size()
    }

    /// Runs `f` on the tree.
    pub fn with_tree<T>(&self, f: impl FnOnce(&Tree) -> T) -> T {
        f(&self.tree.read().expect("tree lock"))
    }
}

fn check_origin(origin: &str) -> Result<tlog::Signer, AppError> {
    tlog::Signer::new(origin, [0; 32])
        .map_err(|e| AppError::Invalid(format!("公开记录名称 “{origin}” 无效 / bad log origin: {e}")))
}

/// The log's origin and key: the configured origin, else the one used before, else
/// `yangguang/` and the home region's code. Kept in the database at first use.
pub async fn identity(site: &Site) -> Result<Arc<Identity>, AppError> {
    if let Some(id) = site.log.identity.read().expect("identity lock").clone() {
        return Ok(id);
    }
    let stored = site.store.get_state(ORIGIN_STATE).await?;
    let origin = match (&site.log.configured, stored) {
        (Some(origin), _) => origin.clone(),
        (None, Some(stored)) => stored,
        (None, None) => default_origin_for(&site.regions()),
    };
    let signer = tlog::Signer::new(&origin, site.log.secret)
        .map_err(|e| AppError::Invalid(format!("公开记录名称 “{origin}” 无效 / bad log origin: {e}")))?;
    let id = Arc::new(Identity { origin, signer });
    if site.log.configured.is_none() && site.regions().is_empty() {
        // No county yet (the demo is about to make one): its code will name the log.
        return Ok(id);
    }
    site.store.put_state(ORIGIN_STATE, &id.origin, Utc::now()).await?;
    *site.log.identity.write().expect("identity lock") = Some(id.clone());
    Ok(id)
}

/// The origin a deployment uses unless configured: `yangguang/` and its home region's code.
pub fn default_origin_for(regions: &crate::regions::RegionIndex) -> String {
    match regions.home() {
        Some(home) => format!("yangguang/{}", home.code),
        None => "yangguang/log".into(),
    }
}

/// Gives every entry logged before the tree existed its canonical bytes. Runs whenever the
/// site opens; a data directory that is already upgraded costs one query. It does not read the
/// tree: a province's log has millions of leaves, and a command about one village (an import)
/// must not wait for them — whatever needs the tree syncs it first, and `serve` at start.
pub async fn upgrade(site: &Site) -> Result<u64, AppError> {
    identity(site).await?;
    let mut filled = 0;
    loop {
        let n = site.store.fill_leaves(BATCH).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    if filled > 0 {
        tracing::info!(entries = filled, "gave older log entries their canonical bytes for the Merkle tree");
    }
    Ok(filled)
}

/// Brings the tree up to the store: appends the leaves written since it was last read (by this
/// process or another). Returns the size.
pub async fn sync(site: &Site) -> Result<u64, AppError> {
    loop {
        let size = site.log.size();
        let batch = site.store.leaf_hashes(size as i64, BATCH).await?;
        if batch.is_empty() {
            return Ok(size);
        }
        let mut hashes = Vec::with_capacity(batch.len());
        for (i, (seq, hex_hash)) in batch.iter().enumerate() {
            if *seq != size as i64 + 1 + i as i64 {
                // A gap: an entry without its bytes (upgrade not run). The tree stops before it.
                tracing::error!(seq, "the log has an entry without canonical bytes; run the upgrade");
                break;
            }
            hashes.push(parse_hash(hex_hash)?);
        }
        let got = hashes.len();
        {
            let mut tree = site.log.tree.write().expect("tree lock");
            // Another task may have read the same leaves meanwhile.
            if tree.size() == size {
                for h in hashes {
                    tree.push(h);
                }
            }
        }
        if got < batch.len() {
            return Ok(site.log.size());
        }
    }
}

fn parse_hash(hex_hash: &str) -> Result<Hash, AppError> {
    hex::decode(hex_hash)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::Invalid(format!("叶子哈希格式错误 / malformed leaf hash {hex_hash}")))
}

/// The latest signed checkpoint.
pub async fn latest(site: &Site) -> Result<Option<TreeCheckpoint>, AppError> {
    Ok(site.store.list_tree_checkpoints(1).await?.into_iter().next())
}

/// Signs a checkpoint of the tree as it is now, unless the latest one already covers it;
/// then asks the witnesses to cosign. Returns the latest checkpoint (None for an empty log).
pub async fn sign_checkpoint(site: &Site, now: DateTime<Utc>) -> Result<Option<TreeCheckpoint>, AppError> {
    let size = sync(site).await?;
    if size == 0 {
        return Ok(None);
    }
    if let Some(latest) = latest(site).await?
        && latest.tree_size as u64 >= size
    {
        return Ok(Some(latest));
    }
    let root = site.log.with_tree(|t| t.root(size)).map_err(|e| AppError::Invalid(e.to_string()))?;
    let id = identity(site).await?;
    let invalid = |e: tlog::TlogError| AppError::Invalid(e.to_string());
    let signed = tlog::Checkpoint::new(id.origin.clone(), size, root)
        .and_then(|c| c.sign(&id.signer))
        .map_err(invalid)?
        .format();
    let checkpoint =
        TreeCheckpoint { tree_size: size as i64, root_hash: hex::encode(root), note: signed, signed_at: now };
    site.store.add_tree_checkpoint(&checkpoint).await?;
    tracing::info!(size, root = %checkpoint.root_hash, "signed a checkpoint of the transparency log");
    let checkpoint = cosign(site, checkpoint).await;
    site.logged();
    site.announce().await;
    Ok(Some(checkpoint))
}

/// Asks each witness to cosign `checkpoint`, adds the cosignatures that verify to its note and
/// stores it. A witness that is down or refuses is logged and skipped: it is asked again with
/// the next checkpoint.
pub async fn cosign(site: &Site, mut checkpoint: TreeCheckpoint) -> TreeCheckpoint {
    let mut added = vec![];
    let already: Vec<String> = cosigners(site, &checkpoint.note).into_iter().map(|(name, _)| name).collect();
    for witness in site.log.witnesses.iter().filter(|w| !already.contains(&w.name)) {
        match ask_witness(site, witness, &checkpoint).await {
            Ok(line) => added.push(line),
            Err(e) => tracing::warn!(witness = %witness.name, error = %e, "the witness did not cosign"),
        }
    }
    if added.is_empty() {
        return checkpoint;
    }
    let mut note = checkpoint.note.clone();
    for line in added {
        note.push_str(&line);
        note.push('\n');
    }
    match site.store.set_tree_checkpoint_note(checkpoint.tree_size, &note).await {
        Ok(()) => checkpoint.note = note,
        Err(e) => tracing::error!(error = %e, "could not keep the witnesses' cosignatures"),
    }
    checkpoint
}

/// Asks the witnesses that have not cosigned the latest checkpoint again, at most every
/// [`RETRY_EVERY`] (a witness that is down is not called every few seconds).
pub async fn retry_witnesses(site: &Site) {
    if site.log.witnesses.is_empty() {
        return;
    }
    {
        let mut last = site.log.last_retry.lock().expect("retry lock");
        if last.is_some_and(|t| t.elapsed() < RETRY_EVERY) {
            return;
        }
        *last = Some(std::time::Instant::now());
    }
    match latest(site).await {
        Ok(Some(latest)) => {
            if cosigners(site, &latest.note).len() < site.log.witnesses.len() {
                cosign(site, latest).await;
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the latest checkpoint"),
    }
}

/// How often witnesses that missed the latest checkpoint are asked again.
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// The `platform_state` name of the tree size a witness last cosigned.
fn witness_state(witness: &Witness) -> String {
    format!("witness/{}", witness.name)
}

/// One witness's cosignature line for `checkpoint` (C2SP tlog-witness `add-checkpoint`),
/// checked. A 409 names the size the witness knows: asked once more from there.
async fn ask_witness(site: &Site, witness: &Witness, checkpoint: &TreeCheckpoint) -> Result<String, AppError> {
    let known = site.store.get_state(&witness_state(witness)).await?;
    let mut old: u64 = known.and_then(|s| s.parse().ok()).unwrap_or(0);
    let invalid = |e: tlog::TlogError| AppError::Invalid(e.to_string());
    let note = tlog::Note::parse(checkpoint.note.as_bytes()).map_err(invalid)?;
    let signed = tlog::Checkpoint::parse(note.text()).map_err(invalid)?;
    for _ in 0..2 {
        let size = checkpoint.tree_size as u64;
        if old > size {
            return Err(AppError::Invalid(format!("见证方已见过更大的树（{old}）/ the witness saw a larger tree")));
        }
        let proof =
            site.log.with_tree(|t| t.consistency_proof(old, size)).map_err(|e| AppError::Invalid(e.to_string()))?;
        let request = tlog::AddCheckpointRequest::new(old, proof, note.clone()).map_err(invalid)?;
        let response = site
            .log
            .client
            .post(format!("{}add-checkpoint", witness.url))
            .body(request.format())
            .send()
            .await
            .map_err(|e| AppError::Invalid(format!("见证方 {} 无法连接 / witness unreachable: {e}", witness.name)))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status == reqwest::StatusCode::CONFLICT {
            old = tlog::parse_conflict_body(&text)
                .map_err(|e| AppError::Invalid(format!("见证方 {} 答复格式错误 / bad 409 body: {e}", witness.name)))?;
            continue;
        }
        if !status.is_success() {
            return Err(AppError::Invalid(format!("见证方 {} 拒绝副署（{status}）：{}", witness.name, text.trim())));
        }
        for line in text.lines().filter(|l| !l.is_empty()) {
            if tlog::verify_cosignature(line, &signed, &witness.verifier).is_ok() {
                site.store.put_state(&witness_state(witness), &size.to_string(), Utc::now()).await?;
                return Ok(line.to_owned());
            }
        }
        return Err(AppError::Invalid(format!(
            "见证方 {} 的副署无法验证 / the cosignature does not verify",
            witness.name
        )));
    }
    Err(AppError::Invalid(format!("见证方 {} 的树大小反复不符 / the witness keeps answering 409", witness.name)))
}

/// Who cosigned a checkpoint note, and when: each configured witness whose cosignature on it
/// verifies.
pub fn cosigners(site: &Site, note: &str) -> Vec<(String, DateTime<Utc>)> {
    let Ok(parsed) = tlog::Note::parse(note.as_bytes()) else { return vec![] };
    let Ok(checkpoint) = tlog::Checkpoint::parse(parsed.text()) else { return vec![] };
    let mut out = vec![];
    for witness in &site.log.witnesses {
        let signed = parsed
            .signatures()
            .iter()
            .find_map(|s| tlog::verify_cosignature(&s.line(), &checkpoint, &witness.verifier).ok());
        if let Some(at) = signed.and_then(|t| DateTime::from_timestamp(t as i64, 0)) {
            out.push((witness.name.clone(), at));
        }
    }
    out
}

/// An inclusion proof of one version's entry, against the latest checkpoint.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    /// The entry's canonical bytes, as text.
    pub entry: String,
    /// Base64 hashes, RFC 9162 order.
    pub inclusion_proof: Vec<String>,
    /// The signed note of `tree_size`, with cosignatures.
    pub checkpoint: String,
}

/// The entry logging version `id`, and its proof against the latest checkpoint — signed now
/// if the entry is newer than every checkpoint.
pub async fn inclusion(site: &Site, id: DisclosureId) -> Result<InclusionProof, AppError> {
    let entries = site.store.log_entries_for(id).await?;
    let entry = entries.iter().find(|e| e.disclosure_id == id.0).ok_or(yangguang_store::StoreError::NotFound)?;
    let seq = entry.seq;
    let mut checkpoint = latest(site).await?;
    if checkpoint.as_ref().is_none_or(|c| c.tree_size < seq) {
        checkpoint = sign_checkpoint(site, Utc::now()).await?;
    }
    let checkpoint = checkpoint.filter(|c| c.tree_size >= seq).ok_or(yangguang_store::StoreError::NotFound)?;
    if site.log.size() < checkpoint.tree_size as u64 {
        sync(site).await?;
    }
    let size = checkpoint.tree_size as u64;
    let leaf_index = (seq - 1) as u64;
    let proof =
        site.log.with_tree(|t| t.inclusion_proof(leaf_index, size)).map_err(|e| AppError::Invalid(e.to_string()))?;
    let bytes = site.store.leaf_entries(seq - 1, 1).await?;
    let (_, entry_text) = bytes.into_iter().next().ok_or(yangguang_store::StoreError::NotFound)?;
    Ok(InclusionProof {
        leaf_index,
        tree_size: size,
        entry: entry_text,
        inclusion_proof: proof.iter().map(b64).collect(),
        checkpoint: checkpoint.note,
    })
}

/// A consistency proof between two tree sizes (base64 hashes).
pub async fn consistency(site: &Site, from: u64, to: u64) -> Result<Vec<String>, AppError> {
    if site.log.size() < to {
        sync(site).await?;
    }
    let proof = site.log.with_tree(|t| t.consistency_proof(from, to)).map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(proof.iter().map(b64).collect())
}

pub fn b64(h: &Hash) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(h)
}

/// A tile or an entry bundle at a tlog-tiles path (`tile/0/x001/234`, `tile/entries/012.p/7`):
/// the bytes and whether they are final (a full tile never changes). None when the tree does
/// not hold it (yet).
pub async fn tile(site: &Site, path: &str) -> Result<Option<(Vec<u8>, bool)>, AppError> {
    let Ok(parsed) = tlog::parse_tile_path(path) else { return Ok(None) };
    let width = u64::from(parsed.width());
    let start = parsed.index() * tlog::TILE_WIDTH as u64;
    let full = parsed.partial_width().is_none();
    match parsed.kind() {
        tlog::TileKind::Entries => {
            if site.log.size() < start + width {
                sync(site).await?;
            }
            if site.log.size() < start + width {
                return Ok(None);
            }
            let rows = site.store.leaf_entries(start as i64, width as u32).await?;
            if rows.len() as u64 != width {
                return Ok(None);
            }
            let entries: Vec<&[u8]> = rows.iter().map(|(_, e)| e.as_bytes()).collect();
            let bundle = tlog::entry_bundle(&entries).map_err(|e| AppError::Invalid(e.to_string()))?;
            Ok(Some((bundle, full)))
        }
        tlog::TileKind::Hashes(level) => {
            let needed = (start + width).checked_shl(8 * u32::from(level)).unwrap_or(u64::MAX);
            if site.log.size() < needed {
                sync(site).await?;
            }
            Ok(site.log.with_tree(|t| t.tile(level, parsed.index(), parsed.width()).ok()).map(|b| (b, full)))
        }
    }
}
