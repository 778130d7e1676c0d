-- A redemption recorded by mistake is corrected by a counter-entry naming it, with a reason:
-- its points go back to the household. Like point events, neither is ever edited or deleted
-- (the triggers below refuse it), and a redemption is corrected at most once.
CREATE TABLE points_redemption_correction (
    correction_id BIGSERIAL PRIMARY KEY,
    redemption_id BIGINT NOT NULL UNIQUE REFERENCES points_redemption (redemption_id),
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    household_key TEXT NOT NULL REFERENCES points_household (household_key),
    corrected_on  DATE NOT NULL,
    points        BIGINT NOT NULL CHECK (points > 0),
    reason        TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX points_redemption_correction_household ON points_redemption_correction (household_key);
CREATE INDEX points_redemption_correction_village ON points_redemption_correction (village_code, corrected_on);

CREATE TRIGGER points_redemption_correction_frozen BEFORE UPDATE OR DELETE ON points_redemption_correction
    FOR EACH ROW EXECUTE FUNCTION points_never_change();
