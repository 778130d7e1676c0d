-- A redemption recorded by mistake is corrected by a counter-entry naming it, with a reason:
-- its points go back to the household. Like point events, neither is ever edited or deleted
-- (the triggers below refuse it), and a redemption is corrected at most once.
CREATE TABLE points_redemption_correction (
    correction_id INTEGER PRIMARY KEY,
    redemption_id INTEGER NOT NULL UNIQUE REFERENCES points_redemption (redemption_id),
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    household_key TEXT NOT NULL REFERENCES points_household (household_key),
    corrected_on  TEXT NOT NULL,
    points        INTEGER NOT NULL CHECK (points > 0),
    reason        TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX points_redemption_correction_household ON points_redemption_correction (household_key);
CREATE INDEX points_redemption_correction_village ON points_redemption_correction (village_code, corrected_on);

CREATE TRIGGER points_redemption_correction_no_update BEFORE UPDATE ON points_redemption_correction
BEGIN SELECT RAISE(ABORT, 'redemption corrections are never edited'); END;
CREATE TRIGGER points_redemption_correction_no_delete BEFORE DELETE ON points_redemption_correction
BEGIN SELECT RAISE(ABORT, 'redemption corrections are never deleted'); END;
