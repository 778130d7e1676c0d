-- The months whose books are frozen: their accounts were published, so no import may add,
-- change or remove a voucher in them. `fingerprint` is the hash of the month's vouchers
-- (number and content hash) that the reviewers signed; '' for months locked before it was kept.
CREATE TABLE book_lock (
    village_code TEXT NOT NULL REFERENCES region (region_code),
    year         BIGINT NOT NULL,
    month        BIGINT NOT NULL,
    fingerprint  TEXT NOT NULL,
    disclosure_id BIGINT NOT NULL,
    PRIMARY KEY (village_code, year, month)
);

INSERT INTO book_lock (village_code, year, month, fingerprint, disclosure_id)
SELECT DISTINCT village_code, year, month, '', 0 FROM voucher WHERE locked;
