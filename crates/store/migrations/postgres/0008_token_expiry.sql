-- API tokens expire and can be listed and revoked (issue 13): each has the time it was made
-- and the time it expires (Unix seconds). Tokens made before this migration had neither and
-- are expired from now on (make new ones).
ALTER TABLE api_token ADD COLUMN created BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_token ADD COLUMN expires BIGINT NOT NULL DEFAULT 0;
CREATE INDEX api_token_user ON api_token (user_id);

-- A user's sessions and API tokens go with the user: none survives the user's deletion.
CREATE FUNCTION tallyproof_user_secrets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM session WHERE user_id = OLD.id;
    DELETE FROM api_token WHERE user_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER staff_user_secrets BEFORE DELETE ON staff_user
FOR EACH ROW EXECUTE FUNCTION tallyproof_user_secrets();
