-- The tamper-evident log of each election: its entries (docs/log-format.md) in order, written
-- in the same transaction as what they record, and never changed.
CREATE TABLE log_entry (
    election_id BIGINT NOT NULL REFERENCES election(id),
    seq         BIGINT NOT NULL,
    entry       BYTEA NOT NULL,
    PRIMARY KEY (election_id, seq)
);

CREATE TRIGGER log_entry_is_append_only BEFORE UPDATE OR DELETE ON log_entry
FOR EACH ROW EXECUTE FUNCTION tallyproof_refuse('the log is append-only');
