-- Two-person grants, per election (issue 13). A user that an admin adds through the service
-- holds no role (cannot log in) until a second admin, or the store's console, approves; users
-- added on the console are active at once. granted_by, approved_by: NULL for the console.
ALTER TABLE staff_user ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('pending', 'active'));
ALTER TABLE staff_user ADD COLUMN granted_by BIGINT REFERENCES staff_user(id);
ALTER TABLE staff_user ADD COLUMN approved_by BIGINT REFERENCES staff_user(id);

-- The elections a user's role applies to; a grant an admin made is pending until approved.
CREATE TABLE staff_grant (
    user_id     BIGINT NOT NULL REFERENCES staff_user(id),
    election_id BIGINT NOT NULL REFERENCES election(id),
    state       TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('pending', 'active')),
    granted_by  BIGINT REFERENCES staff_user(id),
    PRIMARY KEY (user_id, election_id)
);

-- Before this, every user acted in every election: so they still do.
INSERT INTO staff_grant (user_id, election_id) SELECT u.id, e.id FROM staff_user u CROSS JOIN election e;
