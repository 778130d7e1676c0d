-- Decision records (四议两公开 / 五议两公开): the decision, each step as recorded (a correction
-- replaces the step's row and is audited), the files kept for a step (minutes, sign-in
-- sheets, by SHA-256 in the file store), and the money a decision authorised.
CREATE TABLE decision (
    village_code   TEXT NOT NULL REFERENCES region (region_code),
    number         TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 32),
    subject        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    procedure      TEXT NOT NULL CHECK (procedure IN ('4-2', '5-2')),
    amount_fen     BIGINT,
    resolution_disclosure_id BIGINT,
    result_disclosure_id     BIGINT,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (village_code, number)
);

CREATE TABLE decision_step (
    village_code  TEXT NOT NULL,
    number        TEXT NOT NULL,
    step          TEXT NOT NULL,
    held_on       DATE NOT NULL,
    form          TEXT,
    expected      BIGINT,
    present       BIGINT,
    votes_for     BIGINT,
    votes_against BIGINT,
    abstain       BIGINT,
    content       TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (village_code, number, step),
    FOREIGN KEY (village_code, number) REFERENCES decision (village_code, number)
);

CREATE TABLE decision_file (
    file_id      BIGSERIAL PRIMARY KEY,
    village_code TEXT NOT NULL,
    number       TEXT NOT NULL,
    step         TEXT NOT NULL,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    byte_size    BIGINT NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (village_code, number, step, sha256),
    FOREIGN KEY (village_code, number) REFERENCES decision (village_code, number)
);

-- What a decision authorised: a voucher, a lease or other economic contract, a works
-- contract, an asset disposal. A thing names at most one decision.
CREATE TABLE decision_link (
    village_code TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_ref   TEXT NOT NULL,
    number       TEXT NOT NULL,
    label        TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL,
    outgoing     BOOLEAN NOT NULL,
    source       TEXT NOT NULL,
    linked_by    TEXT NOT NULL,
    linked_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (village_code, target_kind, target_ref),
    FOREIGN KEY (village_code, number) REFERENCES decision (village_code, number)
);
CREATE INDEX decision_link_number ON decision_link (village_code, number);
