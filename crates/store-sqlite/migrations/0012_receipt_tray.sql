-- Receipt scans a clerk uploaded in the console for a month's books, re-encoded and stored,
-- waiting to be assigned to a voucher (or taken off one by mistake): the month's tray.
CREATE TABLE receipt_tray (
    tray_id      INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    year         INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    media_type   TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    byte_size    INTEGER NOT NULL,
    added_at     TEXT NOT NULL,
    UNIQUE (village_code, year, month, sha256)
);
