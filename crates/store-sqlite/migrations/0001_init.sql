-- Regions, disclosures and their attachments.
CREATE TABLE region (
    region_code TEXT PRIMARY KEY CHECK (length(region_code) = 12),
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES region (region_code),
    kind        TEXT NOT NULL CHECK (kind IN ('city', 'county', 'town', 'village', 'community'))
);
CREATE INDEX region_parent ON region (parent_code);

CREATE TABLE disclosure (
    disclosure_id   INTEGER PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES region (region_code),
    column_id       TEXT NOT NULL,
    catalog_item_id TEXT,
    period          TEXT,
    title           TEXT NOT NULL,
    body_md         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'published', 'withdrawn')),
    created_at      TEXT NOT NULL,
    published_at    TEXT
);
CREATE INDEX disclosure_village_published ON disclosure (village_code, state, published_at DESC);
CREATE INDEX disclosure_village_column ON disclosure (village_code, column_id, state, published_at DESC);
CREATE INDEX disclosure_village_item ON disclosure (village_code, catalog_item_id, period);

CREATE TABLE attachment (
    attachment_id INTEGER PRIMARY KEY,
    disclosure_id INTEGER NOT NULL REFERENCES disclosure (disclosure_id),
    position      INTEGER NOT NULL,
    file_name     TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    byte_size     INTEGER NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    UNIQUE (disclosure_id, position)
);
