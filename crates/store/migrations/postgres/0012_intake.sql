-- Protocol intake and the complaint register (issue 17; docs/log-format.md, "staff" and
-- "complaint-status"). An entered protocol may carry the commitments to the reasons of a
-- commissioner's override of its quarantine, of a resolution of a double entry in its favour,
-- and of its rejection; an election says whether blind double entry is on (its latest staff
-- `intake` entry). The complaint register keeps each complaint's status by the complaint's
-- entry in the log, filled from the log once for a store from before it (`register_kept`).
ALTER TABLE pending ADD COLUMN overridden TEXT;
ALTER TABLE pending ADD COLUMN resolved TEXT;
ALTER TABLE pending ADD COLUMN reason TEXT;
ALTER TABLE election ADD COLUMN double_entry INTEGER NOT NULL DEFAULT 0;
ALTER TABLE election ADD COLUMN register_kept INTEGER NOT NULL DEFAULT 0;
CREATE TABLE complaint (
    election_id BIGINT NOT NULL REFERENCES election(id),
    seq         BIGINT NOT NULL,
    status      TEXT NOT NULL,
    PRIMARY KEY (election_id, seq)
);
