-- The village collective's books, imported from the assets platform: vouchers and their lines.
CREATE TABLE voucher (
    voucher_id   INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    year         INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    voucher_no   TEXT NOT NULL,
    voucher_date TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    -- Set when a published finance disclosure covers the voucher: it may no longer change.
    locked       BOOLEAN NOT NULL DEFAULT 0,
    imported_at  TEXT NOT NULL,
    UNIQUE (village_code, year, month, voucher_no)
);

CREATE TABLE ledger_entry (
    ledger_entry_id INTEGER PRIMARY KEY,
    voucher_id      INTEGER NOT NULL REFERENCES voucher (voucher_id),
    line            INTEGER NOT NULL,
    entry_date      TEXT NOT NULL,
    voucher_label   TEXT NOT NULL,
    summary         TEXT NOT NULL,
    account_code    TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    debit           INTEGER NOT NULL,
    credit          INTEGER NOT NULL,
    attachments     INTEGER NOT NULL,
    UNIQUE (voucher_id, line)
);
CREATE INDEX voucher_village_date ON voucher (village_code, voucher_date);
