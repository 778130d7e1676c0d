//! C2SP tlog-tiles: tile and entry-bundle paths, the hashes a tile holds, entry bundles, and
//! rebuilding (so checking) a tree from the tiles a mirror serves.

use std::fmt;

use super::merkle::{Hash, Tree, leaf_hash};
use super::{TlogError, canonical_decimal};

/// Tiles are 2^8 hashes wide; a level-L tile holds hashes of tree level 8·L.
pub const TILE_HEIGHT: u32 = 8;
/// The width of a full tile, in hashes.
pub const TILE_WIDTH: u16 = 256;
/// The largest entry an entry bundle can carry (its length is a big-endian u16).
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

/// The spec allows tile levels 0..=63 in paths.
const MAX_LEVEL: u8 = 63;
/// Longer than any canonical path (`tile/entries/x018/x446/x744/x073/x709/x551/615.p/255`).
const MAX_PATH_LEN: usize = 64;

/// What a tile path names: hashes at a tile level, or an entry bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    Hashes(u8),
    Entries,
}

/// A tile or entry bundle: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
/// The width is 1..=256; 256 is a full tile (no `.p/` suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TilePath {
    kind: TileKind,
    index: u64,
    width: u16,
}

impl TilePath {
    /// A tile of hashes; level 0..=63, width 1..=256.
    pub fn hashes(level: u8, index: u64, width: u16) -> Result<Self, TlogError> {
        if level > MAX_LEVEL {
            return Err(TlogError::TilePath(format!("level {level} is above 63")));
        }
        Self::new(TileKind::Hashes(level), index, width)
    }

    /// An entry bundle; width 1..=256.
    pub fn entries(index: u64, width: u16) -> Result<Self, TlogError> {
        Self::new(TileKind::Entries, index, width)
    }

    fn new(kind: TileKind, index: u64, width: u16) -> Result<Self, TlogError> {
        if width == 0 || width > TILE_WIDTH {
            return Err(TlogError::TilePath(format!("width {width} is not within 1..=256")));
        }
        Ok(TilePath { kind, index, width })
    }

    pub fn kind(&self) -> TileKind {
        self.kind
    }

    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of hashes (or entries): 256 for a full tile.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// The width when partial, `None` when full.
    pub fn partial_width(&self) -> Option<u16> {
        (self.width < TILE_WIDTH).then_some(self.width)
    }

    /// The same position, full width: what a client may fetch when a partial tile is gone.
    pub fn full(&self) -> Self {
        TilePath { width: TILE_WIDTH, ..*self }
    }
}

impl fmt::Display for TilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TileKind::Hashes(level) => write!(f, "tile/{level}/")?,
            TileKind::Entries => f.write_str("tile/entries/")?,
        }
        write_index(f, self.index)?;
        match self.partial_width() {
            Some(w) => write!(f, ".p/{w}"),
            None => Ok(()),
        }
    }
}

/// `N` as 3-digit groups, all but the last prefixed with `x`: 1234067 is `x001/x234/067`.
fn write_index(f: &mut impl fmt::Write, index: u64) -> fmt::Result {
    let mut groups = Vec::new();
    let mut n = index;
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    for g in groups.iter().skip(1).rev() {
        write!(f, "x{g:03}/")?;
    }
    write!(f, "{:03}", groups[0])
}

/// The path of a hash tile, e.g. `tile/0/x001/x234/067` or `tile/0/067.p/3`.
///
/// # Panics
/// If `level` is above 63 or a partial width is not within 1..=255: those are caller bugs.
pub fn tile_path(level: u8, index: u64, partial_width: Option<u16>) -> String {
    assert!(level <= MAX_LEVEL, "tile level {level} is above 63");
    format_path(TileKind::Hashes(level), index, partial_width)
}

/// The path of an entry bundle, e.g. `tile/entries/x001/x234/067.p/3`.
///
/// # Panics
/// If a partial width is not within 1..=255.
pub fn entries_path(index: u64, partial_width: Option<u16>) -> String {
    format_path(TileKind::Entries, index, partial_width)
}

fn format_path(kind: TileKind, index: u64, partial_width: Option<u16>) -> String {
    if let Some(w) = partial_width {
        assert!((1..TILE_WIDTH).contains(&w), "a partial tile is 1 to 255 wide, not {w}");
    }
    TilePath { kind, index, width: partial_width.unwrap_or(TILE_WIDTH) }.to_string()
}

/// Parses a tile or entry-bundle path (without the log's prefix), accepting only the
/// canonical spelling: it comes from an untrusted URL.
pub fn parse_tile_path(path: &str) -> Result<TilePath, TlogError> {
    let bad =
        |why: &str| TlogError::TilePath(format!("{why}: “{}”", path.chars().take(MAX_PATH_LEN).collect::<String>()));
    if path.len() > MAX_PATH_LEN || !path.is_ascii() {
        return Err(bad("too long or not ASCII"));
    }
    let rest = path.strip_prefix("tile/").ok_or_else(|| bad("does not start with tile/"))?;
    let (kind, rest) = match rest.strip_prefix("entries/") {
        Some(rest) => (TileKind::Entries, rest),
        None => {
            let (level, rest) = rest.split_once('/').ok_or_else(|| bad("no index"))?;
            let level =
                canonical_decimal(level).filter(|&l| l <= u64::from(MAX_LEVEL)).ok_or_else(|| bad("bad level"))?;
            (TileKind::Hashes(level as u8), rest)
        }
    };
    let (digits, width) = match rest.split_once(".p/") {
        Some((digits, w)) => {
            let w = canonical_decimal(w)
                .filter(|w| (1..u64::from(TILE_WIDTH)).contains(w))
                .ok_or_else(|| bad("bad width"))?;
            (digits, w as u16)
        }
        None => (rest, TILE_WIDTH),
    };
    let groups: Vec<&str> = digits.split('/').collect();
    let mut index: u64 = 0;
    for (i, group) in groups.iter().enumerate() {
        let last = i + 1 == groups.len();
        let three = if last { Some(*group) } else { group.strip_prefix('x') };
        let value = three
            .filter(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<u64>().ok())
            .ok_or_else(|| bad("bad index group"))?;
        if i == 0 && !last && value == 0 {
            return Err(bad("leading zero group"));
        }
        index = index.checked_mul(1000).and_then(|n| n.checked_add(value)).ok_or_else(|| bad("index too large"))?;
    }
    Ok(TilePath { kind, index, width })
}

/// The number of hashes at tile level `level` for a tree of `size` leaves.
fn hashes_at(size: u64, level: u32) -> u64 {
    size.checked_shr(TILE_HEIGHT * level).unwrap_or(0)
}

/// Every hash tile a log serves for a checkpoint of `size` leaves, level by level: the
/// full tiles and, where the level is not a multiple of 256, the partial one. (The entry
/// bundles are the level-0 tiles' twins: same index and width.) The list grows with
/// `size` / 256: call it for sizes the caller has reason to believe.
pub fn tiles_for_size(size: u64) -> Vec<TilePath> {
    new_tiles(0, size)
}

/// The tiles of one level for a tree of `size` leaves, lazily (sizes may come from an
/// untrusted checkpoint).
fn tiles_at_level(size: u64, level: u32) -> impl Iterator<Item = TilePath> {
    let n = hashes_at(size, level);
    let (full, rest) = (n >> TILE_HEIGHT, (n % u64::from(TILE_WIDTH)) as u16);
    let kind = TileKind::Hashes(level as u8);
    (0..full).map(move |index| TilePath { kind, index, width: TILE_WIDTH }).chain((rest > 0).then_some(TilePath {
        kind,
        index: full,
        width: rest,
    }))
}

/// The hash tiles that are new or grew between a tree of `old` and one of `new` ≥ `old`
/// leaves: what a log publishes with the new checkpoint.
pub fn new_tiles(old: u64, new: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    let mut level = 0;
    while hashes_at(new, level) > 0 {
        let (old_n, new_n) = (hashes_at(old, level), hashes_at(new, level));
        if old_n != new_n {
            for index in (old_n >> TILE_HEIGHT)..(new_n >> TILE_HEIGHT) {
                out.push(TilePath { kind: TileKind::Hashes(level as u8), index, width: TILE_WIDTH });
            }
            let width = (new_n % u64::from(TILE_WIDTH)) as u16;
            if width > 0 {
                out.push(TilePath { kind: TileKind::Hashes(level as u8), index: new_n >> TILE_HEIGHT, width });
            }
        }
        level += 1;
    }
    out
}

impl Tree {
    /// The concatenated hashes of a tile: `width` hashes of tree level 8·`level` from
    /// `index`·256 on. Only tiles whose hashes are all complete subtrees of the current tree
    /// exist; a partial tile of any width up to what the tree holds can be asked for, so
    /// the partial tiles of older checkpoints can still be served.
    pub fn tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, TlogError> {
        let path = TilePath::hashes(level, index, width)?;
        let hashes = self.level(usize::from(level) * TILE_HEIGHT as usize);
        let start = index.checked_mul(u64::from(TILE_WIDTH)).and_then(|s| usize::try_from(s).ok());
        let range = start.and_then(|s| Some(s..s.checked_add(usize::from(width))?));
        match range.and_then(|r| hashes.get(r)) {
            Some(hashes) => Ok(hashes.concat()),
            None => Err(TlogError::TileNotInTree(path.to_string())),
        }
    }

    /// Rebuilds the tree of `size` leaves from a log's tiles, as a mirror or auditor would:
    /// every level-0 tile gives the leaf hashes, and every tile above must then equal what
    /// those hashes make. A missing partial tile is replaced by the full one when `fetch`
    /// has it (a log may drop partial tiles once full). Compare `root(size)` of the result
    /// with the checkpoint's root (see [`root_from_tiles`]). A [`TlogError::BadTile`] names
    /// the upper tile where the disagreement showed: it, or a tile below it, was altered.
    ///
    /// `fetch` answers from what the caller downloaded; [`tiles_for_size`] lists the tiles.
    pub fn from_tiles<F>(size: u64, mut fetch: F) -> Result<Tree, TlogError>
    where
        F: FnMut(&TilePath) -> Option<Vec<u8>>,
    {
        // Memory follows what the tiles deliver, not what an untrusted size claims.
        let mut leaves: Vec<Hash> = Vec::with_capacity(size.min(1 << 20) as usize);
        for path in tiles_at_level(size, 0) {
            let data = fetch_tile(&path, &mut fetch)?;
            leaves.extend(data.chunks_exact(32).map(|h| <Hash>::try_from(h).expect("32-byte chunk")));
        }
        let tree = Tree::from_leaf_hashes(leaves);
        let mut level = 1;
        while hashes_at(size, level) > 0 {
            for path in tiles_at_level(size, level) {
                let data = fetch_tile(&path, &mut fetch)?;
                if tree.tile(level as u8, path.index, path.width)? != data {
                    return Err(TlogError::BadTile(path.to_string()));
                }
            }
            level += 1;
        }
        Ok(tree)
    }
}

/// Fetches a tile of exactly the width asked for, falling back from a partial tile to the
/// full one (and taking its first hashes).
fn fetch_tile<F>(path: &TilePath, fetch: &mut F) -> Result<Vec<u8>, TlogError>
where
    F: FnMut(&TilePath) -> Option<Vec<u8>>,
{
    let want = usize::from(path.width) * 32;
    if let Some(data) = fetch(path) {
        return if data.len() == want {
            Ok(data)
        } else {
            Err(TlogError::BadTile(format!("{path}: {} bytes", data.len())))
        };
    }
    if path.width < TILE_WIDTH {
        let full = path.full();
        if let Some(mut data) = fetch(&full) {
            if data.len() != usize::from(TILE_WIDTH) * 32 {
                return Err(TlogError::BadTile(format!("{full}: {} bytes", data.len())));
            }
            data.truncate(want);
            return Ok(data);
        }
    }
    Err(TlogError::MissingTile(path.to_string()))
}

/// The root of the tree of `size` leaves as the tiles make it (all tiles cross-checked, see
/// [`Tree::from_tiles`]). A verifier compares it with the signed checkpoint's root.
pub fn root_from_tiles<F>(size: u64, fetch: F) -> Result<Hash, TlogError>
where
    F: FnMut(&TilePath) -> Option<Vec<u8>>,
{
    Tree::from_tiles(size, fetch)?.root(size)
}

/// An entry bundle: each entry prefixed by its length as a big-endian u16.
pub fn entry_bundle(entries: &[&[u8]]) -> Result<Vec<u8>, TlogError> {
    if entries.is_empty() || entries.len() > usize::from(TILE_WIDTH) {
        return Err(TlogError::EntryBundle("a bundle holds 1 to 256 entries"));
    }
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.len() + 2).sum());
    for entry in entries {
        let len = u16::try_from(entry.len()).map_err(|_| TlogError::EntryTooLong(entry.len()))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Splits an entry bundle into its entries; a truncated length or entry, an empty bundle or
/// more than 256 entries is refused.
pub fn parse_entry_bundle(bundle: &[u8]) -> Result<Vec<&[u8]>, TlogError> {
    let mut entries = Vec::new();
    let mut rest = bundle;
    while !rest.is_empty() {
        if entries.len() == usize::from(TILE_WIDTH) {
            return Err(TlogError::EntryBundle("more than 256 entries"));
        }
        let [hi, lo, tail @ ..] = rest else { return Err(TlogError::EntryBundle("truncated length")) };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if tail.len() < len {
            return Err(TlogError::EntryBundle("truncated entry"));
        }
        let (entry, after) = tail.split_at(len);
        entries.push(entry);
        rest = after;
    }
    if entries.is_empty() {
        return Err(TlogError::EntryBundle("empty"));
    }
    Ok(entries)
}

/// Parses an entry bundle and checks it against its level-0 tile: as many entries as
/// hashes, each entry's leaf hash the tile's hash at its position.
pub fn verify_entry_bundle<'a>(bundle: &'a [u8], tile: &[u8]) -> Result<Vec<&'a [u8]>, TlogError> {
    let entries = parse_entry_bundle(bundle)?;
    if tile.len() != entries.len() * 32 {
        return Err(TlogError::EntryBundle("the bundle and its tile differ in width"));
    }
    if entries.iter().zip(tile.chunks_exact(32)).any(|(e, h)| leaf_hash(e) != h) {
        return Err(TlogError::EntryBundle("an entry does not hash to its tile"));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tree(n: u64) -> Tree {
        Tree::from_leaf_hashes((0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect())
    }

    fn served(t: &Tree, size: u64) -> HashMap<TilePath, Vec<u8>> {
        let level = |p: &TilePath| match p.kind() {
            TileKind::Hashes(l) => l,
            TileKind::Entries => unreachable!(),
        };
        tiles_for_size(size).into_iter().map(|p| (p, t.tile(level(&p), p.index(), p.width()).unwrap())).collect()
    }

    #[test]
    fn paths_are_spelt_as_the_spec_shows() {
        assert_eq!(tile_path(0, 1_234_067, None), "tile/0/x001/x234/067");
        assert_eq!(tile_path(0, 67, Some(3)), "tile/0/067.p/3");
        assert_eq!(tile_path(2, 0, None), "tile/2/000");
        assert_eq!(tile_path(1, 1000, Some(255)), "tile/1/x001/000.p/255");
        assert_eq!(entries_path(1_234_067, Some(3)), "tile/entries/x001/x234/067.p/3");
        assert_eq!(entries_path(u64::MAX, None), "tile/entries/x018/x446/x744/x073/x709/x551/615");
    }

    #[test]
    fn parsing_takes_back_exactly_what_formatting_gives() {
        for index in (0..3000).chain([999_999, 1_000_000, 1_234_067, u64::MAX / 256, u64::MAX]) {
            for partial in [None, Some(1), Some(17), Some(255)] {
                for path in [tile_path(0, index, partial), tile_path(63, index, partial), entries_path(index, partial)]
                {
                    let parsed = parse_tile_path(&path).unwrap();
                    assert_eq!(parsed.to_string(), path);
                    assert_eq!(parsed.index(), index);
                    assert_eq!(parsed.partial_width(), partial);
                }
            }
        }
        assert_eq!(parse_tile_path("tile/5/067").unwrap().kind(), TileKind::Hashes(5));
        assert_eq!(parse_tile_path("tile/entries/067").unwrap().kind(), TileKind::Entries);
    }

    #[test]
    fn non_canonical_or_hostile_paths_are_refused() {
        for bad in [
            "",
            "tile/",
            "tile/0",
            "tile/0/",
            "tile/00/067",
            "tile/01/067",
            "tile/64/067",
            "tile/-1/067",
            "tile/+1/067",
            "tile/0/67",
            "tile/0/0067",
            "tile/0/x067",
            "tile/0/x000/067",
            "tile/0/001/067",
            "tile/0/x1/067",
            "tile/0/x001/x234",
            "tile/0/067.p/0",
            "tile/0/067.p/00",
            "tile/0/067.p/03",
            "tile/0/067.p/256",
            "tile/0/067.p/",
            "tile/0/067.p/3/",
            "tile/0/067/",
            "tile/0/067.p/3.p/3",
            "tile/0/06a",
            "tile/0/٠٦٧",
            "/tile/0/067",
            "tile//067",
            "tile/entries/",
            "tile/entries/67",
            "tile/data/067",
            "tile/8/0/067",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x001/x002/x003/x004/x005/x006/x007/x008/x009/x010/x011/x012/013",
        ] {
            assert!(parse_tile_path(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn the_tiles_of_a_size_are_those_the_spec_lists() {
        // tlog-tiles: a tree of 70,000 has 273 full level-0 tiles, a partial one of width 112,
        // one full level-1 tile, a partial one of width 17 and a partial level-2 tile of width 1.
        let tiles = tiles_for_size(70_000);
        let count = |level, full: bool| {
            tiles.iter().filter(|t| t.kind() == TileKind::Hashes(level) && (t.width() == 256) == full).count()
        };
        assert_eq!(
            (count(0, true), count(0, false), count(1, true), count(1, false), count(2, false)),
            (273, 1, 1, 1, 1)
        );
        assert!(tiles.contains(&TilePath::hashes(0, 273, 112).unwrap()));
        assert!(tiles.contains(&TilePath::hashes(1, 1, 17).unwrap()));
        assert!(tiles.contains(&TilePath::hashes(2, 0, 1).unwrap()));
        assert_eq!(tiles.len(), 277);
        // A tree of 256 is a full level-0 tile and a level-1 tile of width 1.
        assert_eq!(tiles_for_size(256), vec![TilePath::hashes(0, 0, 256).unwrap(), TilePath::hashes(1, 0, 1).unwrap()]);
        assert!(tiles_for_size(0).is_empty());
        assert_eq!(new_tiles(300, 300), vec![]);
        assert_eq!(
            new_tiles(300, 700),
            vec![
                TilePath::hashes(0, 1, 256).unwrap(),
                TilePath::hashes(0, 2, 188).unwrap(),
                TilePath::hashes(1, 0, 2).unwrap(),
            ]
        );
        // Near the top of u64 nothing overflows: only the level-0 partial tile changes.
        assert_eq!(new_tiles(u64::MAX - 1, u64::MAX), vec![TilePath::hashes(0, u64::MAX >> 8, 255).unwrap()]);
    }

    #[test]
    fn a_tile_holds_the_tree_level_it_names() {
        let t = tree(70_000);
        let level1 = t.tile(1, 0, 256).unwrap();
        assert_eq!(&level1[..32], &t.level(8)[0]);
        assert_eq!(t.tile(0, 273, 112).unwrap().len(), 112 * 32);
        assert_eq!(t.tile(0, 273, 5).unwrap(), t.tile(0, 273, 112).unwrap()[..5 * 32]);
        assert!(matches!(t.tile(0, 273, 113), Err(TlogError::TileNotInTree(_))));
        assert!(matches!(t.tile(1, 1, 18), Err(TlogError::TileNotInTree(_))));
        assert!(matches!(t.tile(3, 0, 1), Err(TlogError::TileNotInTree(_))));
        assert!(matches!(t.tile(0, u64::MAX, 1), Err(TlogError::TileNotInTree(_))));
        assert!(t.tile(0, 0, 0).is_err());
        assert!(t.tile(0, 0, 257).is_err());
    }

    #[test]
    fn the_tiles_rebuild_the_tree_and_any_fault_is_caught() {
        for size in [1, 255, 256, 257, 65_536, 70_000] {
            let t = tree(size);
            let tiles = served(&t, size);
            assert_eq!(root_from_tiles(size, |p| tiles.get(p).cloned()), Ok(t.root(size).unwrap()));
        }
        let t = tree(70_000);
        let tiles = served(&t, 70_000);
        let root = t.root(70_000).unwrap();
        for (victim, _) in tiles.iter().filter(|(p, _)| p.index() % 50 == 0 || p.kind() != TileKind::Hashes(0)) {
            let mut bad = tiles.clone();
            bad.get_mut(victim).unwrap()[7] ^= 1;
            let got = root_from_tiles(70_000, |p| bad.get(p).cloned());
            assert_ne!(got, Ok(root), "tampering with {victim} went unnoticed");
            let mut short = tiles.clone();
            short.get_mut(victim).unwrap().pop();
            assert!(matches!(root_from_tiles(70_000, |p| short.get(p).cloned()), Err(TlogError::BadTile(_))));
            let mut missing = tiles.clone();
            missing.remove(victim);
            assert!(matches!(root_from_tiles(70_000, |p| missing.get(p).cloned()), Err(TlogError::MissingTile(_))));
        }
    }

    #[test]
    fn an_absurd_size_costs_nothing_before_the_first_missing_tile() {
        assert_eq!(root_from_tiles(u64::MAX, |_| None), Err(TlogError::MissingTile("tile/0/000".into())));
        let t = tree(300);
        let tiles = served(&t, 300);
        assert_eq!(
            root_from_tiles(1 << 40, |p| tiles.get(p).cloned()),
            Err(TlogError::MissingTile("tile/0/001".into()))
        );
    }

    #[test]
    fn a_dropped_partial_tile_is_replaced_by_the_full_one() {
        // The log grew from 300 to 600 and dropped tile/0/001.p/44 of the checkpoint at 300
        // now that tile/0/001 is full; tile/1/000.p/1 stays, its full tile does not exist yet.
        let t = tree(600);
        let mut tiles = served(&t, 600);
        tiles.insert(TilePath::hashes(1, 0, 1).unwrap(), t.tile(1, 0, 1).unwrap());
        assert!(!tiles.contains_key(&TilePath::hashes(0, 1, 44).unwrap()));
        assert_eq!(root_from_tiles(300, |p| tiles.get(p).cloned()), Ok(t.root(300).unwrap()));
        tiles.remove(&TilePath::hashes(1, 0, 1).unwrap());
        assert_eq!(
            root_from_tiles(300, |p| tiles.get(p).cloned()),
            Err(TlogError::MissingTile("tile/1/000.p/1".into()))
        );
    }

    #[test]
    fn entry_bundles_round_trip_and_check_against_their_tile() {
        let entries: Vec<Vec<u8>> = (0..40u32).map(|i| format!("entry {i}").repeat(i as usize).into_bytes()).collect();
        let refs: Vec<&[u8]> = entries.iter().map(|e| e.as_slice()).collect();
        let bundle = entry_bundle(&refs).unwrap();
        assert_eq!(&bundle[..2], &[0, 0]);
        assert_eq!(parse_entry_bundle(&bundle).unwrap(), refs);
        let t = Tree::from_leaf_hashes(refs.iter().map(|e| leaf_hash(e)).collect());
        let tile = t.tile(0, 0, 40).unwrap();
        assert_eq!(verify_entry_bundle(&bundle, &tile).unwrap(), refs);
        assert!(verify_entry_bundle(&bundle, &tile[..39 * 32]).is_err());
        let mut tampered = bundle.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(verify_entry_bundle(&tampered, &tile).is_err());

        assert_eq!(entry_bundle(&[&[0u8; 65_535]]).unwrap().len(), 65_537);
        assert_eq!(entry_bundle(&[&[0u8; 65_536]]), Err(TlogError::EntryTooLong(65_536)));
        assert!(entry_bundle(&[]).is_err());
        assert!(entry_bundle(&vec![&b"x"[..]; 257]).is_err());
        assert_eq!(parse_entry_bundle(&[0, 0]).unwrap(), vec![&b""[..]]);
        for bad in [&[][..], &[0][..], &[0, 2, 1][..], &[0, 1, 7, 0][..]] {
            assert!(parse_entry_bundle(bad).is_err(), "{bad:?}");
        }
        assert!(parse_entry_bundle(&[0, 0].repeat(257)).is_err());
        assert_eq!(parse_entry_bundle(&[0, 0].repeat(256)).unwrap().len(), 256);
    }
}
