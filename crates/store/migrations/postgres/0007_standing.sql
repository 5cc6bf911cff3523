-- Whether each election may still change (record::Standing): 'open', 'certified' or
-- 'annulled', kept with every append; empty in a store from before, where the first append
-- replays it from the log.
ALTER TABLE election ADD COLUMN standing TEXT;
