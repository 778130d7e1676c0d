-- Tokens for machines that push data (the assets platform pushing a village's month).
CREATE TABLE integration_token (
    token_hash TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    -- Space-separated region codes the token may write to.
    regions    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE
);
