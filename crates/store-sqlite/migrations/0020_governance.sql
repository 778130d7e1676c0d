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
    members_total        INTEGER NOT NULL CHECK (members_total >= 0),
    members_full         INTEGER NOT NULL CHECK (members_full >= 0),
    members_probationary INTEGER NOT NULL CHECK (members_probationary >= 0),
    committee_json       TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CHECK (members_full + members_probationary = members_total)
);

-- Organisational life held (三会一课, 主题党日).
CREATE TABLE party_meeting (
    meeting_id   INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES region (region_code),
    held_on      TEXT NOT NULL,
    kind         TEXT NOT NULL
        CHECK (kind IN ('members-meeting', 'committee-meeting', 'group-meeting', 'party-lecture', 'theme-day')),
    topic        TEXT NOT NULL,
    expected     INTEGER NOT NULL CHECK (expected > 0),
    present      INTEGER NOT NULL CHECK (present >= 0 AND present <= expected),
    created_at   TEXT NOT NULL
);
CREATE INDEX party_meeting_village ON party_meeting (village_code, held_on);

-- Party dues of a half-year (period text 2026-H1); amounts in fen.
CREATE TABLE party_dues (
    village_code    TEXT NOT NULL REFERENCES region (region_code),
    half            TEXT NOT NULL,
    brought_forward INTEGER NOT NULL,
    collected       INTEGER NOT NULL,
    used            INTEGER NOT NULL,
    carried         INTEGER NOT NULL,
    uses_json       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (village_code, half),
    CHECK (brought_forward + collected - used = carried)
);

-- The micro-power list (小微权力清单).
CREATE TABLE micro_power (
    power_id         INTEGER PRIMARY KEY,
    village_code     TEXT NOT NULL REFERENCES region (region_code),
    category         TEXT NOT NULL,
    name             TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    responsible_post TEXT NOT NULL,
    steps_json       TEXT NOT NULL,
    disclosure       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX micro_power_village ON micro_power (village_code);

-- The seal and certificate log (用印、证明登记); a person applicant is kept only masked.
CREATE TABLE seal_entry (
    entry_id      INTEGER PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    entered_on    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('seal', 'certificate')),
    matter        TEXT NOT NULL,
    applicant     TEXT NOT NULL,
    approver_post TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX seal_entry_village ON seal_entry (village_code, entered_on);

-- Versions of the charter and the village rules, each adopted by a decision (决议编号).
CREATE TABLE rule_version (
    version_id    INTEGER PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES region (region_code),
    doc           TEXT NOT NULL CHECK (doc IN ('charter', 'rules')),
    version_no    INTEGER NOT NULL,
    title         TEXT NOT NULL,
    text_md       TEXT NOT NULL,
    adopted_on    TEXT NOT NULL,
    decision_no   TEXT NOT NULL,
    disclosure_id INTEGER REFERENCES disclosure (disclosure_id),
    created_at    TEXT NOT NULL,
    UNIQUE (village_code, doc, version_no)
);
