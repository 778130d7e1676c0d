-- A receipt scan whose voucher changed on a later import: someone must check that the scan
-- still belongs to it before it is shown as the voucher's original again.
ALTER TABLE receipt ADD COLUMN needs_recheck BOOLEAN NOT NULL DEFAULT FALSE;

-- An uploaded file waiting for its clerk to confirm the change preview: kept server-side so
-- that the confirm applies exactly what was previewed. `basis` is the hash of what the
-- preview was computed against (the books' or the register's state); a confirm finding
-- another basis is refused. Keyed by a hash of the file's SHA-256 with the parse settings,
-- the kind, the village and the clerk.
CREATE TABLE import_preview (
    preview_id   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    staff_id     BIGINT NOT NULL REFERENCES staff (staff_id),
    file_sha256  TEXT NOT NULL CHECK (length(file_sha256) = 64),
    settings     TEXT NOT NULL,
    basis        TEXT NOT NULL,
    files        BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX import_preview_expires ON import_preview (expires_at);
