-- Log entries kept as the protocol versions they are (issue 21): entry `seq` of an election's
-- log is the stored protocol version (station, contest_idx, version), encoded as
-- docs/log-format.md says ("protocol"; record::encode_protocol_into). An import logs its
-- protocols so, keeping one copy of each instead of the row and its entry; every other
-- entry, and every protocol entry written before this table, is in log_entry. No foreign
-- key: the rows are selected from protocol in the statement that writes them, and neither
-- table is ever updated or deleted from (a key would look up each protocol again).
CREATE TABLE log_row (
    election_id INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    station     INTEGER NOT NULL,
    contest_idx INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (election_id, seq)
) WITHOUT ROWID;

CREATE TRIGGER log_row_is_append_only_update BEFORE UPDATE ON log_row
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_row_is_append_only_delete BEFORE DELETE ON log_row
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
