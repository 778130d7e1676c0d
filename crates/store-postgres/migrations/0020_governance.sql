-- Governance records (党建引领, 小微权力清单, 村规民约): what the console's forms keep. Villagers
-- read the disclosures generated from them, published through review; nothing here is public
-- by itself. Lists inside a record (committee members, uses of dues, a power's steps) are
-- JSON: they are always read and written whole with their record.

-- The party branch of a village: its organisation, committee and member counts (counts only).
CREATE TABLE party_branch (
    village_code         TEXT PRIMARY KEY REFERENCES region (region_code),
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('branch', 'general-branch', 'committee')),
    secretary            TEXT NOT NULL,
    members_total        BIGINT NOT NULL CHECK (members_total >= 0),
    members_full         BIGINT NOT NULL CHECK (members_full >= 0),
    members_probationary BIGINT NOT NULL CHECK (members_probationary >= 0),
    committee_json       TEXT NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    CHECK (members_full + members_probationary = members_total)
);

-- Organisational life held (三会一课, 主题党日).
CREATE TABLE party_meeting (
    meeting_id   BIGSERIAL PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    held_on      DATE NOT NULL,
    kind         TEXT NOT NULL
        CHECK (kind IN ('members-meeting', 'committee-meeting', 'group-meeting', 'party-lecture', 'theme-day')),
    topic        TEXT NOT NULL,
    expected     BIGINT NOT NULL CHECK (expected > 0),
    present      BIGINT NOT NULL CHECK (present >= 0 AND present <= expected),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX party_meeting_village ON party_meeting (village_code, held_on);

-- Party dues of a half-year (period text 2026-H1); amounts in fen.
CREATE TABLE party_dues (
    village_code    TEXT NOT NULL REFERENCES region (region_code),
    half            TEXT NOT NULL,
    brought_forward BIGINT NOT NULL,
    collected       BIGINT NOT NULL,
    used            BIGINT NOT NULL,
    carried         BIGINT NOT NULL,
    uses_json       TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (village_code, half),
    CHECK (brought_forward + collected - used = carried)
);

-- The micro-power list (小微权力清单).
CREATE TABLE micro_power (
    power_id         BIGSERIAL PRIMARY KEY,
    village_code     TEXT NOT NULL REFERENCES region (region_code),
    category         TEXT NOT NULL,
    name             TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    responsible_post TEXT NOT NULL,
    steps_json       TEXT NOT NULL,
    disclosure       TEXT NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX micro_power_village ON micro_power (village_code);

-- The seal and certificate log (用印、证明登记); a person applicant is kept only masked.
CREATE TABLE seal_entry (
    entry_id      BIGSERIAL PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    entered_on    DATE NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('seal', 'certificate')),
    matter        TEXT NOT NULL,
    applicant     TEXT NOT NULL,
    approver_post TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX seal_entry_village ON seal_entry (village_code, entered_on);

-- Versions of the charter and the village rules, each adopted by a decision (决议编号).
CREATE TABLE rule_version (
    version_id    BIGSERIAL PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    doc           TEXT NOT NULL CHECK (doc IN ('charter', 'rules')),
    version_no    BIGINT NOT NULL,
    title         TEXT NOT NULL,
    text_md       TEXT NOT NULL,
    adopted_on    DATE NOT NULL,
    decision_no   TEXT NOT NULL,
    disclosure_id BIGINT REFERENCES disclosure (disclosure_id),
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (village_code, doc, version_no)
);
