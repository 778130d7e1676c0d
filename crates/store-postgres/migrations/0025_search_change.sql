-- The search index's change feed: a village whose searchable content changed (NULL: rebuild
-- everything), in a sequence each app server reads to keep its own index current.
CREATE TABLE search_change (
    seq          BIGSERIAL PRIMARY KEY,
    village_code TEXT,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX search_change_at ON search_change (at);
