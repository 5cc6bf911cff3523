-- Two-person grants (issue 13): a user that an admin adds through the service holds no role
-- (cannot log in) until a second admin, or the store's console, approves the grant. Users
-- added on the console are active at once. granted_by, approved_by: NULL for the console.
ALTER TABLE staff_user ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('pending', 'active'));
ALTER TABLE staff_user ADD COLUMN granted_by BIGINT REFERENCES staff_user(id);
ALTER TABLE staff_user ADD COLUMN approved_by BIGINT REFERENCES staff_user(id);
