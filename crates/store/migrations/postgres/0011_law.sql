-- The law preset an election is held under (a key of seats::preset: kg2010, kg2015, kg2020,
-- kg2021), given at import and written in its log's definition (docs/log-format.md,
-- "election"): its legal count and its seats follow from it. Empty for an election imported
-- without one, and for every election stored before this column.
ALTER TABLE election ADD COLUMN law TEXT;
