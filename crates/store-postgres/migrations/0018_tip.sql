-- Whistle-blowing reports to the discipline commission, sealed before they are stored: the
-- report, its attachments and each reply are opaque text the platform cannot open. Nothing
-- about the sender is kept (no address, device or account); times are to the hour.
CREATE TABLE tip (
    tip_id      BIGSERIAL PRIMARY KEY,
    lookup      TEXT NOT NULL UNIQUE,
    reply_key   TEXT NOT NULL,
    sealed      TEXT NOT NULL,
    status      TEXT NOT NULL,
    attachments BIGINT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX tip_status ON tip (status);

CREATE TABLE tip_attachment (
    tip_id   BIGINT NOT NULL REFERENCES tip (tip_id),
    position BIGINT NOT NULL,
    sealed   TEXT NOT NULL,
    PRIMARY KEY (tip_id, position)
);

CREATE TABLE tip_reply (
    reply_id      BIGSERIAL PRIMARY KEY,
    tip_id        BIGINT NOT NULL REFERENCES tip (tip_id),
    to_reporter   TEXT NOT NULL,
    to_commission TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX tip_reply_tip ON tip_reply (tip_id, reply_id);
