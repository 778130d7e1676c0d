-- The village collective's books, imported from the assets platform: vouchers and their lines.
CREATE TABLE voucher (
    voucher_id   BIGSERIAL PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    year         BIGINT NOT NULL,
    month        BIGINT NOT NULL,
    voucher_no   TEXT NOT NULL,
    voucher_date DATE NOT NULL,
    content_hash TEXT NOT NULL,
    -- Set when a published finance disclosure covers the voucher: it may no longer change.
    locked       BOOLEAN NOT NULL DEFAULT FALSE,
    imported_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (village_code, year, month, voucher_no)
);

CREATE TABLE ledger_entry (
    ledger_entry_id BIGSERIAL PRIMARY KEY,
    voucher_id      BIGINT NOT NULL REFERENCES voucher (voucher_id),
    line            BIGINT NOT NULL,
    entry_date      DATE NOT NULL,
    voucher_label   TEXT NOT NULL,
    summary         TEXT NOT NULL,
    account_code    TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    debit           BIGINT NOT NULL,
    credit          BIGINT NOT NULL,
    attachments     BIGINT NOT NULL,
    UNIQUE (voucher_id, line)
);
CREATE INDEX voucher_village_date ON voucher (village_code, voucher_date);
