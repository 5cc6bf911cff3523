-- A re-vote is a new election linked to the one whose unit it replaces: the parent's name and
-- the unit's id there.
ALTER TABLE election ADD COLUMN revote_of TEXT;
ALTER TABLE election ADD COLUMN revote_unit INTEGER;
