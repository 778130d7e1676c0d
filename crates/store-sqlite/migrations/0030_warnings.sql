-- Warnings (预警): one row per finding of a rule on a subject of a village, kept for good
-- (a finding that no longer holds is `resolved`, and reopened if it comes back), with the
-- state a supervisor gave it and a trail of every change.
CREATE TABLE warning (
    warning_id   INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    rule         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('red', 'yellow')),
    message      TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'reviewed', 'dismissed', 'resolved')),
    note         TEXT,
    state_by     TEXT NOT NULL,
    state_at     TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    UNIQUE (village_code, rule, subject)
);
CREATE INDEX warning_state ON warning (state, village_code);

CREATE TABLE warning_event (
    event_id   INTEGER PRIMARY KEY,
    warning_id INTEGER NOT NULL REFERENCES warning (warning_id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX warning_event_warning ON warning_event (warning_id, event_id);

-- Thresholds set by a county or a town from a date, over catalog/warnings.toml's defaults.
CREATE TABLE warning_threshold (
    region_code    TEXT NOT NULL,
    name           TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    value          INTEGER NOT NULL,
    set_by         TEXT NOT NULL,
    set_at         TEXT NOT NULL,
    PRIMARY KEY (region_code, name, effective_from)
);
