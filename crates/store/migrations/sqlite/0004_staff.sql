-- The results service's staff: users with one role each, the units operators may enter
-- protocols for, login sessions, API tokens, uploaded scans and protocols entered but not
-- yet verified. Secrets are stored only as hashes: passwords as Argon2id PHC strings, session
-- and API tokens as hex SHA-256.
CREATE TABLE staff_user (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    role     TEXT NOT NULL CHECK (role IN ('operator', 'verifier', 'commissioner', 'auditor', 'observer', 'admin')),
    password TEXT NOT NULL,
    salt     TEXT NOT NULL      -- hex; the salt of the commitment to the name in the log
);

CREATE TABLE assignment (
    user_id     INTEGER NOT NULL REFERENCES staff_user(id),
    election_id INTEGER NOT NULL REFERENCES election(id),
    unit        INTEGER NOT NULL,
    PRIMARY KEY (user_id, election_id, unit)
) WITHOUT ROWID;

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES staff_user(id),
    csrf       TEXT NOT NULL,
    expires    INTEGER NOT NULL  -- Unix seconds
) WITHOUT ROWID;

CREATE TABLE api_token (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES staff_user(id),
    label      TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE scan (
    sha256 TEXT PRIMARY KEY,
    media  TEXT NOT NULL,
    bytes  BLOB NOT NULL
) WITHOUT ROWID;

-- A protocol as an operator entered it: the protocol entry's bytes (with the version it will
-- have) and their digest, as logged in the staff 'enter' entry.
CREATE TABLE pending (
    id          INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES election(id),
    station     INTEGER NOT NULL,
    contest_idx INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    entry       BLOB NOT NULL,
    digest      TEXT NOT NULL,
    scan        TEXT,
    entered_by  INTEGER NOT NULL REFERENCES staff_user(id),
    state       TEXT NOT NULL DEFAULT 'entered' CHECK (state IN ('entered', 'verified', 'rejected')),
    decided_by  INTEGER REFERENCES staff_user(id),
    CHECK (decided_by IS NULL OR decided_by <> entered_by)
);
CREATE INDEX pending_open ON pending (election_id, state);
