-- The tamper-evident log of each election: its entries (docs/log-format.md) in order. They
-- are written in the same transaction as what they record, and never changed.
CREATE TABLE log_entry (
    election_id INTEGER NOT NULL REFERENCES election(id),
    seq         INTEGER NOT NULL,
    entry       BLOB NOT NULL,
    PRIMARY KEY (election_id, seq)
) WITHOUT ROWID;

CREATE TRIGGER log_entry_is_append_only_update BEFORE UPDATE ON log_entry
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_entry_is_append_only_delete BEFORE DELETE ON log_entry
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
