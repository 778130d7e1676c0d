-- Column names a village's accounting software uses, saved by its clerk (JSON: field → names).
CREATE TABLE ledger_columns (
    village_code TEXT PRIMARY KEY REFERENCES region (region_code),
    names_json   TEXT NOT NULL
);
