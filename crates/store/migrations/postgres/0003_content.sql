-- What the log commits to but does not hold: names, complaint texts, reasons. A row can be
-- deleted (redacted) by a commissioner's decision; its commitment stays in the log.
CREATE TABLE content (
    election_id BIGINT NOT NULL REFERENCES election(id),
    commitment  TEXT NOT NULL,
    salt        TEXT NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (election_id, commitment)
);
