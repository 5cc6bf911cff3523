-- API tokens expire and can be listed and revoked (issue 13): each has the time it was made
-- and the time it expires (Unix seconds). Tokens made before this migration had neither and
-- are expired from now on (make new ones).
ALTER TABLE api_token ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_token ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;
CREATE INDEX api_token_user ON api_token (user_id);

-- A user's sessions and API tokens go with the user: none survives the user's deletion (nor
-- passes to a later user given the same id).
CREATE TRIGGER staff_user_secrets BEFORE DELETE ON staff_user
BEGIN
    DELETE FROM session WHERE user_id = OLD.id;
    DELETE FROM api_token WHERE user_id = OLD.id;
END;
