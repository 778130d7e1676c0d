-- Register rows (leases, trading listings, households…) as JSON documents, one table for all
-- kinds: registers are read a village at a time and their shape belongs to `core`.
CREATE TABLE record (
    kind         TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    body         TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, record_key)
);
CREATE INDEX record_village ON record (kind, village_code, record_key);

-- Small named values of the platform's own: feed cursors, signatures of pushes already seen.
CREATE TABLE platform_state (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
