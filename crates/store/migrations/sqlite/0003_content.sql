-- What the log commits to but does not hold: complainants' names, complaint texts, reasons.
-- A row can be deleted (redacted) by a commissioner's decision; its commitment stays in the
-- log for ever.
CREATE TABLE content (
    election_id INTEGER NOT NULL REFERENCES election(id),
    commitment  TEXT NOT NULL,
    salt        TEXT NOT NULL,   -- hex of 32 random bytes
    text        TEXT NOT NULL,
    PRIMARY KEY (election_id, commitment)
) WITHOUT ROWID;
