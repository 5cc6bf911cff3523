-- Who uploaded each stored file, and which acts cite it: an act may cite only its actor's own
-- uploads, and a redaction removes a file only when nothing else cites it. Files stored
-- before this table have no uploader and are never removed by a redaction.
CREATE TABLE upload (
    sha256  TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES staff_user(id),
    PRIMARY KEY (sha256, user_id)
) WITHOUT ROWID;

-- A citation of a file by an act in an election: a protocol entry's scan, a complaint's
-- attachment (with the commitment that stands for it in the log), an audit's records.
CREATE TABLE citation (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL,
    election_id INTEGER NOT NULL REFERENCES election(id),
    commitment  TEXT
);
CREATE INDEX citation_file ON citation (sha256);

INSERT INTO citation (sha256, election_id, commitment)
    SELECT substr(scan, 8), election_id, NULL FROM pending WHERE scan LIKE 'sha256:%';
INSERT INTO citation (sha256, election_id, commitment)
    SELECT substr(text, 8), election_id, commitment FROM content WHERE text LIKE 'sha256:%';
