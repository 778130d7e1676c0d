-- Daily visit counters (访问统计) of villages' public pages: sums only. No address, user agent,
-- cookie or visitor hash is ever stored; distinct visitors are counted in memory per day.
CREATE TABLE visit_day (
    day          DATE NOT NULL,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    column_id    TEXT NOT NULL,
    item_id      BIGINT NOT NULL,
    views        BIGINT NOT NULL,
    visitors     BIGINT NOT NULL,
    PRIMARY KEY (village_code, day, column_id, item_id)
);
CREATE INDEX visit_day_day ON visit_day (day, village_code);
CREATE INDEX visit_day_item ON visit_day (item_id) WHERE item_id <> 0;
