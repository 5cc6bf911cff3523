-- The time of the election's latest timed staff entry (Unix seconds; docs/log-format.md,
-- "staff"), kept with the appends that advance it: a staff entry is stamped with the later of
-- the edge's clock and this, so that times never decrease. Empty until the first timed entry.
ALTER TABLE election ADD COLUMN staff_time BIGINT;
