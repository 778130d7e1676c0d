-- Every change of a warning threshold, kept: warning_threshold holds one value per (region,
-- name, date) and a replacement overwrites it, so the history a supervisor reads (who set
-- what, when, over which value) lives here, written in the same transaction.
CREATE TABLE warning_threshold_change (
    change_id      BIGSERIAL PRIMARY KEY,
    region_code    TEXT NOT NULL,
    name           TEXT NOT NULL,
    effective_from DATE NOT NULL,
    value          BIGINT NOT NULL,
    previous       BIGINT,
    set_by         TEXT NOT NULL,
    set_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX warning_threshold_change_region ON warning_threshold_change (region_code, change_id);
