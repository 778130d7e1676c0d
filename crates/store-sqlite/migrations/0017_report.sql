-- Problem reports (随手拍) from villagers, handled by the village's grid worker. Nothing is
-- ever deleted: abusive content is hidden with a reason.
CREATE TABLE report (
    report_id     INTEGER PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    category      TEXT NOT NULL,
    description   TEXT NOT NULL,
    address       TEXT NOT NULL,
    lat           REAL,
    lon           REAL,
    photos        TEXT NOT NULL,
    status        TEXT NOT NULL,
    assignee_id   INTEGER REFERENCES staff (staff_id),
    assignee_name TEXT,
    outcome       TEXT,
    hidden_reason TEXT,
    household     TEXT,
    receipt_hash  TEXT NOT NULL UNIQUE CHECK (length(receipt_hash) = 64),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX report_village ON report (village_code, status, created_at);
CREATE INDEX report_created ON report (created_at);

-- Each step of a report's handling, with its note: the reporter's follow-up page.
CREATE TABLE report_event (
    event_id   INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES report (report_id),
    at         TEXT NOT NULL,
    staff_id   INTEGER,
    staff_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT NOT NULL
);
CREATE INDEX report_event_report ON report_event (report_id, event_id);

-- Uses of a throttle bucket (anonymous reports per address and per device, receipt-code
-- lookups per address), counted within a window.
CREATE TABLE report_throttle (
    throttle_id INTEGER PRIMARY KEY,
    bucket      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX report_throttle_bucket ON report_throttle (bucket, at);
