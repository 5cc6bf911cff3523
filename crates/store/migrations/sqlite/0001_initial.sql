-- Elections, contests, choices, the unit tree and every protocol version.
CREATE TABLE election (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    date   TEXT,
    rules  TEXT NOT NULL,          -- control relations, one declaration per line
    source TEXT NOT NULL           -- what it was imported from
);

CREATE TABLE contest (
    election_id INTEGER NOT NULL REFERENCES election(id),
    idx         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    PRIMARY KEY (election_id, idx)
) WITHOUT ROWID;

CREATE TABLE choice (
    election_id   INTEGER NOT NULL,
    contest_idx   INTEGER NOT NULL,
    idx           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    ballot_number INTEGER,
    PRIMARY KEY (election_id, contest_idx, idx),
    FOREIGN KEY (election_id, contest_idx) REFERENCES contest(election_id, idx)
) WITHOUT ROWID;

-- Unit 0 of each election is the country; a parent's id is lower than its children's.
CREATE TABLE unit (
    election_id INTEGER NOT NULL REFERENCES election(id),
    id          INTEGER NOT NULL,
    parent      INTEGER,
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),  -- country..station
    name        TEXT NOT NULL,
    PRIMARY KEY (election_id, id),
    CHECK ((id = 0) = (parent IS NULL)),
    CHECK (parent IS NULL OR parent < id)
) WITHOUT ROWID;

-- One row per protocol version; lines are NULL where the protocol has no such line.
-- votes: the counts per choice in ballot order, as a JSON array of integers.
CREATE TABLE protocol (
    election_id       INTEGER NOT NULL,
    station           INTEGER NOT NULL,
    contest_idx       INTEGER NOT NULL,
    version           INTEGER NOT NULL CHECK (version >= 1),
    source            TEXT NOT NULL CHECK (source IN ('manual', 'machine')),
    registered        INTEGER,
    received          INTEGER,
    issued_early      INTEGER,
    issued_in_station INTEGER,
    issued_outside    INTEGER,
    issued_total      INTEGER,
    cancelled         INTEGER,
    found_mobile      INTEGER,
    found_stationary  INTEGER,
    found_total       INTEGER,
    invalid           INTEGER,
    valid             INTEGER,
    lost              INTEGER,
    unaccounted       INTEGER,
    votes             TEXT NOT NULL,
    reference         TEXT,
    PRIMARY KEY (election_id, station, contest_idx, version)
) WITHOUT ROWID;

-- Other counts (kind 'count') and decimal attributes (kind 'attr') of a protocol version.
CREATE TABLE protocol_extra (
    election_id INTEGER NOT NULL,
    station     INTEGER NOT NULL,
    contest_idx INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('count', 'attr')),
    idx         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (election_id, station, contest_idx, version, kind, idx)
) WITHOUT ROWID;

-- A correction is a new version, never an overwrite.
CREATE TRIGGER protocol_is_append_only_update BEFORE UPDATE ON protocol
BEGIN SELECT RAISE(ABORT, 'protocols are never overwritten: store a new version'); END;
CREATE TRIGGER protocol_is_append_only_delete BEFORE DELETE ON protocol
BEGIN SELECT RAISE(ABORT, 'protocols are never deleted: store a new version'); END;
CREATE TRIGGER protocol_extra_is_append_only_update BEFORE UPDATE ON protocol_extra
BEGIN SELECT RAISE(ABORT, 'protocols are never overwritten: store a new version'); END;
CREATE TRIGGER protocol_extra_is_append_only_delete BEFORE DELETE ON protocol_extra
BEGIN SELECT RAISE(ABORT, 'protocols are never deleted: store a new version'); END;
