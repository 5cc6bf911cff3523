-- A user an admin disabled (issue 17): they can no longer log in, and their sessions and API
-- tokens are gone. Their acts stay in the logs under the same commitment.
ALTER TABLE staff_user ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
