-- Scanned original receipts, each attached to a voucher; files stored by content hash.
CREATE TABLE receipt (
    receipt_id   INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    year         INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    voucher_no   TEXT NOT NULL,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    media_type   TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    byte_size    INTEGER NOT NULL,
    UNIQUE (village_code, year, month, voucher_no, sha256)
);
CREATE INDEX receipt_sha256 ON receipt (sha256);
