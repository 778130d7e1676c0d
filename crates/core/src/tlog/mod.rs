//! Transparency-log formats, pure: the RFC 9162 Merkle tree and its proofs, C2SP
//! tlog-tiles paths, tiles and entry bundles, C2SP signed notes and checkpoints,
//! cosignature/v1 and the tlog-witness `add-checkpoint` exchange.
//!
//! Nothing here reads a file or the network: the tiles a mirror verifier checks come
//! through a closure, and a witness's memory of each log is handed in and handed back.
//!
//! Specifications followed:
//! - RFC 9162 §2.1 (Merkle tree hash, §2.1.3 inclusion and §2.1.4 consistency proofs);
//! - <https://c2sp.org/tlog-tiles>, <https://c2sp.org/tlog-checkpoint>,
//!   <https://c2sp.org/signed-note>, <https://c2sp.org/tlog-cosignature> (the Ed25519
//!   `cosignature/v1` type only) and <https://c2sp.org/tlog-witness> (`add-checkpoint`).

mod checkpoint;
mod merkle;
mod note;
mod tiles;
mod witness;

pub use checkpoint::Checkpoint;
pub use merkle::{EMPTY_ROOT, Hash, Tree, leaf_hash, node_hash, verify_consistency, verify_inclusion};
pub use note::{
    KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, MAX_NOTE_SIGNATURES, MAX_NOTE_SIZE, Note, NoteSignature, Signer,
    VerifiedSignature, Verifier, is_valid_key_name, key_id,
};
pub use tiles::{
    MAX_ENTRY_SIZE, TILE_HEIGHT, TILE_WIDTH, TileKind, TilePath, entries_path, entry_bundle, new_tiles,
    parse_entry_bundle, parse_tile_path, root_from_tiles, tile_path, tiles_for_size, verify_entry_bundle,
};
pub use witness::{
    AddCheckpointRequest, Cosigned, Cosigner, MAX_PROOF_LINES, WitnessRefusal, WitnessState, add_checkpoint,
    cosignature_message, parse_conflict_body, parse_signature_lines, verify_cosignature,
};

/// Everything that can be wrong with a proof, a tile, a note or a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    #[error("叶子序号 {index} 不在大小为 {size} 的树中 / leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("树的大小 {size} 超过当前大小 {current} / tree size {size} is beyond the current size {current}")]
    SizeOutOfRange { size: u64, current: u64 },
    #[error("旧的树大小 {old} 大于新的 {new} / the old tree size {old} is larger than the new one {new}")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("包含证明无效 / the inclusion proof does not verify")]
    InclusionProof,
    #[error("一致性证明无效 / the consistency proof does not verify")]
    ConsistencyProof,
    #[error("根哈希不符 / the root hash does not match")]
    RootMismatch,
    #[error("瓦片路径不合规范 / not a canonical tile path: {0}")]
    TilePath(String),
    #[error("树中没有这个瓦片 / the tree does not hold this tile: {0}")]
    TileNotInTree(String),
    #[error("缺少瓦片 / a tile is missing: {0}")]
    MissingTile(String),
    #[error("瓦片内容与树不符 / the tile does not match the tree: {0}")]
    BadTile(String),
    #[error("条目长度 {0} 字节，超过 65535 / an entry of {0} bytes is longer than 65,535 bytes")]
    EntryTooLong(usize),
    #[error("条目包格式错误 / malformed entry bundle: {0}")]
    EntryBundle(&'static str),
    #[error("签名笔记格式错误 / malformed signed note: {0}")]
    MalformedNote(&'static str),
    #[error("密钥名称无效 / invalid key name: “{0}”")]
    KeyName(String),
    #[error("公钥串格式错误 / malformed verifier key: {0}")]
    MalformedVkey(&'static str),
    #[error("不支持的签名类型 0x{0:02x} / unsupported signature type 0x{0:02x}")]
    UnsupportedKeyType(u8),
    #[error("检查点签名无效 / the signature by {0} is invalid")]
    BadSignature(String),
    #[error("没有来自已知密钥的有效签名 / no signature from a known key")]
    NoKnownSignature,
    #[error("检查点格式错误 / malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    #[error("副署格式错误 / malformed cosignature: {0}")]
    MalformedCosignature(&'static str),
    #[error("副署时间戳无效 / the cosignature timestamp is not usable: {0}")]
    BadTimestamp(u64),
}

/// A decimal with no sign and no leading zeros ("0" itself is fine), as every size and
/// width in these formats is written.
fn canonical_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}
