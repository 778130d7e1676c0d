-- The transparency log as an RFC 9162 Merkle tree (C2SP tlog-tiles): each log entry's
-- canonical bytes (`yangguang-entry-v2`, docs/TRANSPARENCY.md) and their leaf hash. Entries
-- logged before this table existed get theirs when the server starts (nothing is lost: the
-- hash chain and its checkpoints stay as they are).
CREATE TABLE log_leaf (
    seq       INTEGER PRIMARY KEY REFERENCES log_entry (seq),
    entry     TEXT NOT NULL,
    leaf_hash TEXT NOT NULL
);

-- Signed checkpoints of the tree (C2SP tlog-checkpoint), one per tree size, kept for ever.
-- `note` is the signed note with the witnesses' cosignatures collected so far.
CREATE TABLE tree_checkpoint (
    tree_size INTEGER PRIMARY KEY,
    root_hash TEXT NOT NULL,
    note      TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
