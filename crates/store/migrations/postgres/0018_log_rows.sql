-- Log entries kept as the protocol versions they are (issue 21; the same table as
-- migrations/sqlite/0018_log_rows.sql): entry `seq` of an election's log is the stored
-- protocol version (station, contest_idx, version), encoded as docs/log-format.md says.
CREATE TABLE log_row (
    election_id BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    station     BIGINT NOT NULL,
    contest_idx BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    PRIMARY KEY (election_id, seq)
);

CREATE TRIGGER log_row_is_append_only BEFORE UPDATE OR DELETE ON log_row
FOR EACH ROW EXECUTE FUNCTION tallyproof_refuse('the log is append-only');
