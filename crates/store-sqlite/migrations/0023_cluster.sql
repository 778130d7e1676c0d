-- What several processes over one database share. page_change: every change to what pages
-- show, so each app server (and a server after a command-line import) refreshes its cached
-- pages; rows are pruned after a day. job_lease: which server runs the background jobs, until
-- when (milliseconds since the epoch, compared as numbers).
CREATE TABLE page_change (
    change_id INTEGER PRIMARY KEY AUTOINCREMENT,
    origin    TEXT NOT NULL,
    scope     TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX page_change_at ON page_change (at);

CREATE TABLE job_lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);
