-- An observer group's quick count supervisor (issue 20; docs/log-format.md, "pvt", revision
-- 8). SQLite cannot change a CHECK constraint in place: the table is rebuilt as 0015 did,
-- keeping every row, id and column.
CREATE TABLE staff_user_new (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('operator', 'verifier', 'commissioner', 'auditor', 'observer', 'admin', 'board-member', 'supervisor')),
    password    TEXT NOT NULL,
    salt        TEXT NOT NULL,      -- hex; the salt of the commitment to the name in the log
    state       TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('pending', 'active')),
    granted_by  INTEGER REFERENCES staff_user(id),
    approved_by INTEGER REFERENCES staff_user(id),
    disabled    INTEGER NOT NULL DEFAULT 0,
    must_change INTEGER NOT NULL DEFAULT 0,
    password2   TEXT,
    reset_by    INTEGER REFERENCES staff_user(id)
);
INSERT INTO staff_user_new (id, name, role, password, salt, state, granted_by, approved_by,
                            disabled, must_change, password2, reset_by)
    SELECT id, name, role, password, salt, state, granted_by, approved_by, disabled,
           must_change, password2, reset_by FROM staff_user;
DROP TABLE staff_user;
ALTER TABLE staff_user_new RENAME TO staff_user;
CREATE TRIGGER staff_user_secrets BEFORE DELETE ON staff_user
BEGIN
    DELETE FROM session WHERE user_id = OLD.id;
    DELETE FROM api_token WHERE user_id = OLD.id;
END;
