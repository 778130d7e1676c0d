-- The whole schema: regions, staff, disclosures with versions, sign-offs, the publication
-- log and its checkpoints, the audit trail.
CREATE TABLE region (
    region_code TEXT PRIMARY KEY CHECK (length(region_code) = 12),
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES region (region_code),
    kind        TEXT NOT NULL CHECK (kind IN ('city', 'county', 'town', 'village', 'community'))
);
CREATE INDEX region_parent ON region (parent_code);

CREATE TABLE staff (
    staff_id             INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    totp_secret          TEXT,
    disabled             BOOLEAN NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL
);

CREATE TABLE staff_grant (
    staff_id    INTEGER NOT NULL REFERENCES staff (staff_id),
    role        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES region (region_code),
    PRIMARY KEY (staff_id, role, region_code)
);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (staff_id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT 0,
    ip         TEXT NOT NULL
);
CREATE INDEX session_staff ON session (staff_id);

CREATE TABLE login_failure (
    login_failure_id INTEGER PRIMARY KEY,
    username         TEXT NOT NULL,
    ip               TEXT NOT NULL,
    at               TEXT NOT NULL
);
CREATE INDEX login_failure_username ON login_failure (username, at);
CREATE INDEX login_failure_ip ON login_failure (ip, at);

CREATE TABLE audit (
    audit_id   INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    staff_id   INTEGER REFERENCES staff (staff_id),
    staff_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    ip         TEXT NOT NULL
);

CREATE TABLE disclosure (
    disclosure_id   INTEGER PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES region (region_code),
    column_id       TEXT NOT NULL,
    catalog_item_id TEXT,
    period          TEXT,
    title           TEXT NOT NULL,
    body_md         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'scheduled', 'published', 'superseded', 'withdrawn')),
    kind            TEXT NOT NULL CHECK (kind IN ('original', 'correction', 'withdrawal')),
    replaces_id     INTEGER REFERENCES disclosure (disclosure_id),
    reason          TEXT,
    created_by      INTEGER REFERENCES staff (staff_id),
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT,
    scheduled_at    TEXT,
    published_at    TEXT
);
CREATE INDEX disclosure_village_published ON disclosure (village_code, state, published_at DESC);
CREATE INDEX disclosure_village_column ON disclosure (village_code, column_id, state, published_at DESC);
CREATE INDEX disclosure_village_item ON disclosure (village_code, catalog_item_id, period);
CREATE INDEX disclosure_state ON disclosure (state, updated_at);
CREATE INDEX disclosure_replaces ON disclosure (replaces_id);

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

CREATE TABLE signoff (
    signoff_id    INTEGER PRIMARY KEY,
    disclosure_id INTEGER NOT NULL REFERENCES disclosure (disclosure_id),
    staff_id      INTEGER NOT NULL REFERENCES staff (staff_id),
    reviewer_name TEXT NOT NULL,
    reviewer_role TEXT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('approve', 'return')),
    comment       TEXT,
    content_hash  TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX signoff_disclosure ON signoff (disclosure_id);

-- Append-only: rows are only ever inserted, under the single writer.
CREATE TABLE log_entry (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    village_code  TEXT NOT NULL,
    disclosure_id INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    action        TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    signoffs_json TEXT NOT NULL,
    reason        TEXT,
    prev_hash     TEXT NOT NULL,
    entry_hash    TEXT NOT NULL UNIQUE
);
CREATE INDEX log_entry_disclosure ON log_entry (disclosure_id);

CREATE TABLE checkpoint (
    seq        INTEGER NOT NULL,
    head_hash  TEXT NOT NULL,
    at         TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL,
    PRIMARY KEY (seq, at)
);
