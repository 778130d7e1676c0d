//! The RFC 9162 Merkle tree (SHA-256), its inclusion and consistency proofs and their verifiers.

use sha2::{Digest, Sha256};

use super::TlogError;

/// A SHA-256 hash: a leaf hash, an interior node or a root.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41,
    0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (`n` ≥ 2): the split point of RFC 9162.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// An append-only Merkle tree that keeps, for each level `k`, the hashes of every complete
/// subtree of `2^k` leaves (`levels[0]` are the leaf hashes). That is everything needed to
/// answer for any earlier size too: an old root or proof only combines complete subtrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new() -> Self {
        Tree { levels: vec![Vec::new()] }
    }

    /// Builds the tree over these leaf hashes, level by level.
    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        loop {
            let below = levels.last().expect("level 0 exists");
            if below.len() < 2 {
                break;
            }
            let next: Vec<Hash> = below.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
            levels.push(next);
        }
        Tree { levels }
    }

    /// Appends one leaf hash, completing the subtrees it closes.
    pub fn push(&mut self, leaf: Hash) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let mut k = 0;
        while self.levels[k].len().is_multiple_of(2) {
            let n = self.levels[k].len();
            let parent = node_hash(&self.levels[k][n - 2], &self.levels[k][n - 1]);
            if self.levels.len() == k + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[k + 1].push(parent);
            k += 1;
        }
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The leaf hash at `index`, if the tree has it.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels.first()?.get(usize::try_from(index).ok()?).copied()
    }

    /// The hashes of the complete subtrees of `2^k` leaves, left to right (what tiles hold).
    pub fn level(&self, k: usize) -> &[Hash] {
        self.levels.get(k).map_or(&[], |l| l.as_slice())
    }

    /// The root of the tree as it was at `size` leaves (any size up to the current one).
    pub fn root(&self, size: u64) -> Result<Hash, TlogError> {
        self.check_size(size)?;
        Ok(if size == 0 { EMPTY_ROOT } else { self.subtree(0, size) })
    }

    /// RFC 9162 §2.1.3.1 `PATH(index, D[0:size])`, deepest sibling first.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, TlogError> {
        self.check_size(size)?;
        if index >= size {
            return Err(TlogError::IndexOutOfRange { index, size });
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    /// RFC 9162 §2.1.4.1 `PROOF(old, D[0:new])`; empty when `old` is 0 or equals `new`
    /// (the empty tree and a tree itself need no proof).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, TlogError> {
        self.check_size(new)?;
        if old > new {
            return Err(TlogError::SizesOutOfOrder { old, new });
        }
        let mut proof = Vec::new();
        if old > 0 && old < new {
            self.subproof(old, 0, new, true, &mut proof);
        }
        Ok(proof)
    }

    fn check_size(&self, size: u64) -> Result<(), TlogError> {
        let current = self.size();
        if size > current { Err(TlogError::SizeOutOfRange { size, current }) } else { Ok(()) }
    }

    /// `MTH(D[lo:hi])` for a range the RFC recursion reaches: a power-of-two range is always
    /// aligned there, so it is a stored complete subtree.
    fn subtree(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n.is_power_of_two() {
            let k = n.trailing_zeros() as usize;
            return self.levels[k][(lo >> k) as usize];
        }
        let k = split(n);
        node_hash(&self.subtree(lo, lo + k), &self.subtree(lo + k, hi))
    }

    fn path(&self, index: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if n == 1 {
            return;
        }
        let k = split(n);
        if index < lo + k {
            self.path(index, lo, lo + k, out);
            out.push(self.subtree(lo + k, hi));
        } else {
            self.path(index, lo + k, hi, out);
            out.push(self.subtree(lo, lo + k));
        }
    }

    fn subproof(&self, old: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Hash>) {
        if old == hi {
            if !whole {
                out.push(self.subtree(lo, hi));
            }
            return;
        }
        let k = split(hi - lo);
        if old <= lo + k {
            self.subproof(old, lo, lo + k, whole, out);
            out.push(self.subtree(lo + k, hi));
        } else {
            self.subproof(old, lo + k, hi, false, out);
            out.push(self.subtree(lo, lo + k));
        }
    }
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Extend<Hash> for Tree {
    fn extend<I: IntoIterator<Item = Hash>>(&mut self, leaves: I) {
        for leaf in leaves {
            self.push(leaf);
        }
    }
}

/// RFC 9162 §2.1.3.2: checks that `leaf` is at `index` in the tree of `size` leaves whose
/// root is `root`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), TlogError> {
    if index >= size {
        return Err(TlogError::IndexOutOfRange { index, size });
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(TlogError::InclusionProof);
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n == 0 && r == *root { Ok(()) } else { Err(TlogError::InclusionProof) }
}

/// RFC 9162 §2.1.4.2: checks that the tree of `old_size` leaves with root `old_root` is a
/// prefix of the tree of `new_size` leaves with root `new_root`. From the empty tree the
/// proof is empty and `old_root` must be the empty root; between equal sizes the proof is
/// empty and the roots must be equal.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), TlogError> {
    if old_size > new_size {
        return Err(TlogError::SizesOutOfOrder { old: old_size, new: new_size });
    }
    if old_size == 0 {
        return if proof.is_empty() && *old_root == EMPTY_ROOT { Ok(()) } else { Err(TlogError::ConsistencyProof) };
    }
    if old_size == new_size {
        return if proof.is_empty() && old_root == new_root { Ok(()) } else { Err(TlogError::ConsistencyProof) };
    }
    let Some((first, rest)) = proof.split_first() else { return Err(TlogError::ConsistencyProof) };
    // A power-of-two old tree is itself a node of the new one, so the proof leaves it out.
    let (start, path) = if old_size.is_power_of_two() { (old_root, proof) } else { (first, rest) };
    let (mut f_n, mut s_n) = (old_size - 1, new_size - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut f_r, mut s_r) = (*start, *start);
    for c in path {
        if s_n == 0 {
            return Err(TlogError::ConsistencyProof);
        }
        if f_n & 1 == 1 || f_n == s_n {
            f_r = node_hash(c, &f_r);
            s_r = node_hash(c, &s_r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            s_r = node_hash(&s_r, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n == 0 && f_r == *old_root && s_r == *new_root { Ok(()) } else { Err(TlogError::ConsistencyProof) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
    }

    /// RFC 9162 §2.1.1 written out literally, as the reference for everything else.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => EMPTY_ROOT,
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn hashes_and_the_empty_root_are_those_of_rfc_9162() {
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
        assert_eq!(Tree::new().root(0), Ok(EMPTY_ROOT));
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" // SHA-256(0x00)
        );
        let mut t = Tree::new();
        t.push(leaf_hash(b"a"));
        t.push(leaf_hash(b"b"));
        assert_eq!(t.root(2).unwrap(), node_hash(&leaf_hash(b"a"), &leaf_hash(b"b")));
    }

    #[test]
    fn pushing_and_building_agree_with_the_definition_at_every_size() {
        let leaves = entries(300);
        let built = Tree::from_leaf_hashes(leaves.clone());
        let mut pushed = Tree::new();
        for (i, leaf) in leaves.iter().enumerate() {
            pushed.push(*leaf);
            assert_eq!(pushed.root(i as u64 + 1).unwrap(), mth(&leaves[..=i]));
        }
        assert_eq!(built, pushed);
        for size in 0..=300 {
            assert_eq!(built.root(size).unwrap(), mth(&leaves[..size as usize]));
        }
        assert_eq!(built.root(301), Err(TlogError::SizeOutOfRange { size: 301, current: 300 }));
        assert_eq!(built.leaf(7), Some(leaves[7]));
        assert_eq!(built.leaf(300), None);
    }

    #[test]
    fn out_of_range_requests_are_refused() {
        let t = Tree::from_leaf_hashes(entries(10));
        assert_eq!(t.inclusion_proof(10, 10), Err(TlogError::IndexOutOfRange { index: 10, size: 10 }));
        assert_eq!(t.inclusion_proof(0, 11), Err(TlogError::SizeOutOfRange { size: 11, current: 10 }));
        assert_eq!(t.consistency_proof(5, 4), Err(TlogError::SizesOutOfOrder { old: 5, new: 4 }));
        assert_eq!(t.consistency_proof(0, 10), Ok(vec![]));
        assert_eq!(t.consistency_proof(10, 10), Ok(vec![]));
        let root = t.root(10).unwrap();
        assert_eq!(
            verify_inclusion(&t.leaf(0).unwrap(), 0, 0, &[], &root),
            Err(TlogError::IndexOutOfRange { index: 0, size: 0 })
        );
        assert!(verify_consistency(0, 10, &EMPTY_ROOT, &root, &[]).is_ok());
        assert!(verify_consistency(0, 10, &root, &root, &[]).is_err());
        assert!(verify_consistency(0, 10, &EMPTY_ROOT, &root, &[root]).is_err());
        assert!(verify_consistency(10, 10, &root, &root, &[]).is_ok());
        assert!(verify_consistency(10, 10, &root, &t.root(9).unwrap(), &[]).is_err());
        assert!(verify_consistency(11, 10, &root, &root, &[]).is_err());
        assert!(verify_consistency(3, 10, &t.root(3).unwrap(), &root, &[]).is_err());
    }

    #[test]
    fn the_rfc_example_tree_of_seven_leaves_has_the_proofs_the_rfc_lists() {
        // RFC 9162 §2.1.5: the proof for d0 in the 7-leaf tree is [b, h, l] and the
        // consistency proof from 3 to 7 is [c, d, g, l] in the figure's names.
        let leaves = entries(7);
        let t = Tree::from_leaf_hashes(leaves.clone());
        let (a, b, c, d) = (leaves[0], leaves[1], leaves[2], leaves[3]);
        let g = node_hash(&a, &b);
        let h = node_hash(&c, &d);
        let i = node_hash(&leaves[4], &leaves[5]);
        let l = node_hash(&i, &leaves[6]);
        assert_eq!(t.inclusion_proof(0, 7).unwrap(), vec![b, h, l]);
        assert_eq!(t.consistency_proof(3, 7).unwrap(), vec![c, d, g, l]);
        assert_eq!(t.consistency_proof(4, 7).unwrap(), vec![l]);
        assert_eq!(t.consistency_proof(6, 7).unwrap(), vec![i, leaves[6], node_hash(&g, &h)]);
    }

    #[test]
    fn every_small_proof_verifies_exhaustively() {
        let t = Tree::from_leaf_hashes(entries(40));
        for size in 1..=40 {
            let root = t.root(size).unwrap();
            for index in 0..size {
                let proof = t.inclusion_proof(index, size).unwrap();
                verify_inclusion(&t.leaf(index).unwrap(), index, size, &proof, &root).unwrap();
                if size > 1 {
                    let other = (index + 1) % size;
                    assert!(verify_inclusion(&t.leaf(index).unwrap(), other, size, &proof, &root).is_err());
                }
            }
            for old in 0..=size {
                let proof = t.consistency_proof(old, size).unwrap();
                verify_consistency(old, size, &t.root(old).unwrap(), &root, &proof).unwrap();
            }
        }
    }

    #[test]
    fn a_million_leaves_build_and_prove() {
        // Its speed is measured by bench/transparency.sh, never asserted here.
        let leaves: Vec<Hash> = (0u32..1_000_000).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let t = Tree::from_leaf_hashes(leaves);
        assert_eq!(t.size(), 1_000_000);
        let proof = t.inclusion_proof(123_456, 1_000_000).unwrap();
        let root = t.root(1_000_000).unwrap();
        verify_inclusion(&t.leaf(123_456).unwrap(), 123_456, 1_000_000, &proof, &root).unwrap();
    }

    fn flip(mut h: Hash, byte: usize, bit: u8) -> Hash {
        h[byte % 32] ^= 1 << (bit % 8);
        h
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn inclusion_proofs_verify_and_any_flipped_byte_fails(
            size in 1u64..3000, index_seed: u64, pick: usize, byte in 0usize..32, bit in 0u8..8,
        ) {
            let t = Tree::from_leaf_hashes(entries(size));
            let index = index_seed % size;
            let root = t.root(size).unwrap();
            let leaf = t.leaf(index).unwrap();
            let proof = t.inclusion_proof(index, size).unwrap();
            prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_ok());
            prop_assert!(verify_inclusion(&flip(leaf, byte, bit), index, size, &proof, &root).is_err());
            prop_assert!(verify_inclusion(&leaf, index, size, &proof, &flip(root, byte, bit)).is_err());
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let at = pick % bad.len();
                bad[at] = flip(bad[at], byte, bit);
                prop_assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
                prop_assert!(verify_inclusion(&leaf, index, size, &proof[..proof.len() - 1], &root).is_err());
            }
            let mut longer = proof.clone();
            longer.push(root);
            prop_assert!(verify_inclusion(&leaf, index, size, &longer, &root).is_err());
        }

        #[test]
        fn consistency_proofs_verify_and_any_flipped_byte_fails(
            new in 1u64..3000, old_seed: u64, pick: usize, byte in 0usize..32, bit in 0u8..8,
        ) {
            let t = Tree::from_leaf_hashes(entries(new));
            let old = old_seed % (new + 1);
            let (old_root, new_root) = (t.root(old).unwrap(), t.root(new).unwrap());
            let proof = t.consistency_proof(old, new).unwrap();
            prop_assert!(verify_consistency(old, new, &old_root, &new_root, &proof).is_ok());
            prop_assert!(verify_consistency(old, new, &flip(old_root, byte, bit), &new_root, &proof).is_err());
            if old > 0 {
                // (The empty tree is a prefix of any tree, whatever its root.)
                prop_assert!(verify_consistency(old, new, &old_root, &flip(new_root, byte, bit), &proof).is_err());
            }
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let at = pick % bad.len();
                bad[at] = flip(bad[at], byte, bit);
                prop_assert!(verify_consistency(old, new, &old_root, &new_root, &bad).is_err());
                prop_assert!(verify_consistency(old, new, &old_root, &new_root, &proof[1..]).is_err());
            }
            let mut longer = proof.clone();
            longer.push(new_root);
            prop_assert!(verify_consistency(old, new, &old_root, &new_root, &longer).is_err());
        }

        #[test]
        fn a_different_tree_of_the_same_size_is_not_consistent(new in 2u64..500, old_seed: u64, changed_seed: u64) {
            // A split view: the log shows two trees of the same size; no proof from a shared
            // older checkpoint can reach both.
            let old = 1 + old_seed % (new - 1);
            let changed = old + changed_seed % (new - old);
            let a = Tree::from_leaf_hashes(entries(new));
            let mut leaves = entries(new);
            leaves[changed as usize] = leaf_hash(b"forged");
            let b = Tree::from_leaf_hashes(leaves);
            prop_assert_eq!(a.root(old).unwrap(), b.root(old).unwrap());
            let proof_a = a.consistency_proof(old, new).unwrap();
            prop_assert!(verify_consistency(old, new, &a.root(old).unwrap(), &b.root(new).unwrap(), &proof_a).is_err());
        }
    }
}
