-- The points system (积分制). Rules are kept in versions by the date they take effect; events
-- copy the rule they were recorded under. Events and redemptions are never edited or deleted
-- (the triggers below refuse it): a mistake is corrected by a counter-event naming the event.
CREATE TABLE points_rules (
    village_code   TEXT NOT NULL REFERENCES region (region_code),
    effective_from TEXT NOT NULL,
    items_json     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (village_code, effective_from)
);

-- One row per household that has points: touched first by every write for the household, so
-- writes for one household are serialised; and the household's choice about the ranking.
CREATE TABLE points_household (
    household_key TEXT PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    ranked        BOOLEAN NOT NULL DEFAULT TRUE,
    touched_at    TEXT NOT NULL
);
CREATE INDEX points_household_village ON points_household (village_code);

CREATE TABLE points_event (
    event_id          INTEGER PRIMARY KEY,
    village_code      TEXT NOT NULL REFERENCES region (region_code),
    household_key     TEXT NOT NULL REFERENCES points_household (household_key),
    rule_from         TEXT NOT NULL,
    category          TEXT NOT NULL,
    item_name         TEXT NOT NULL,
    rule_points       INTEGER NOT NULL CHECK (rule_points <> 0),
    event_date        TEXT NOT NULL,
    points            INTEGER NOT NULL CHECK (points <> 0),
    reason            TEXT NOT NULL CHECK (length(reason) > 0),
    evidence_sha256   TEXT,
    evidence_type     TEXT,
    evidence_name     TEXT,
    corrects_id       INTEGER UNIQUE REFERENCES points_event (event_id),
    recorded_by       TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);
CREATE INDEX points_event_household ON points_event (household_key, item_name, event_date);
CREATE INDEX points_event_village ON points_event (village_code, event_date);

CREATE TABLE points_redemption (
    redemption_id INTEGER PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    household_key TEXT NOT NULL REFERENCES points_household (household_key),
    redeemed_on   TEXT NOT NULL,
    item          TEXT NOT NULL,
    points        INTEGER NOT NULL CHECK (points > 0),
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX points_redemption_household ON points_redemption (household_key);
CREATE INDEX points_redemption_village ON points_redemption (village_code, redeemed_on);

CREATE TRIGGER points_event_no_update BEFORE UPDATE ON points_event
BEGIN SELECT RAISE(ABORT, 'points events are never edited: record a correction'); END;
CREATE TRIGGER points_event_no_delete BEFORE DELETE ON points_event
BEGIN SELECT RAISE(ABORT, 'points events are never deleted: record a correction'); END;
CREATE TRIGGER points_redemption_no_update BEFORE UPDATE ON points_redemption
BEGIN SELECT RAISE(ABORT, 'redemptions are never edited'); END;
CREATE TRIGGER points_redemption_no_delete BEFORE DELETE ON points_redemption
BEGIN SELECT RAISE(ABORT, 'redemptions are never deleted'); END;
