-- Villagers' questions (我要质询) on a public item, with the deadline the village must answer
-- by; kept for good: hiding sets a state and a reason, nothing is ever deleted.
CREATE TABLE question (
    question_id   BIGSERIAL PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    target_kind   TEXT NOT NULL,
    target_ref    TEXT NOT NULL,
    target_title  TEXT NOT NULL,
    body          TEXT NOT NULL,
    household     TEXT,
    public_ok     BOOLEAN NOT NULL,
    receipt_hash  TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL,
    asked_at      TIMESTAMPTZ NOT NULL,
    deadline_at   TIMESTAMPTZ NOT NULL,
    escalated_at  TIMESTAMPTZ,
    reply         TEXT,
    replied_at    TIMESTAMPTZ,
    replied_by    TEXT,
    correction_id BIGINT,
    hidden_reason TEXT,
    moderated_by  TEXT,
    moderated_at  TIMESTAMPTZ,
    notify_phone  TEXT,
    answer_seen   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX question_village ON question (village_code, state);
CREATE INDEX question_target ON question (target_kind, target_ref);
CREATE INDEX question_deadline ON question (deadline_at) WHERE escalated_at IS NULL;

-- Satisfaction (满意度) with a disclosure: one vote per household or device, changeable.
CREATE TABLE satisfaction (
    village_code TEXT NOT NULL REFERENCES region (region_code),
    target_ref   TEXT NOT NULL,
    voter        TEXT NOT NULL,
    rating       TEXT NOT NULL CHECK (rating IN ('satisfied', 'fair', 'unsatisfied')),
    voted_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (target_ref, voter)
);
CREATE INDEX satisfaction_village ON satisfaction (village_code);
