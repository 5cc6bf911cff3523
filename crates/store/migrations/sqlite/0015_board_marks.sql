-- Audit boards (issue 18; docs/log-format.md, "audit", revision 5): what a board has marked
-- so far for each item of its share of a round (a drawn ballot by its draw number, or a batch
-- audit's station by its unit id), before its two members sign it off. A draft: only the
-- board's entry, signed off by both, enters the log. `mark` is the mark as JSON
-- (`audit::boards::Marked`); `user_id` who marked it last.
CREATE TABLE board_mark (
    election_id BIGINT NOT NULL REFERENCES election(id),
    audit       TEXT NOT NULL,
    round       BIGINT NOT NULL,
    board       BIGINT NOT NULL,
    item        BIGINT NOT NULL,
    mark        TEXT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES staff_user(id),
    PRIMARY KEY (election_id, audit, round, board, item)
);

-- The board member's role (`board-member`). SQLite cannot change a CHECK constraint in
-- place: the table is rebuilt as its documented procedure says (the store runs its
-- migrations with foreign keys off and checks them after), keeping every row, id and column.
CREATE TABLE staff_user_new (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('operator', 'verifier', 'commissioner', 'auditor', 'observer', 'admin', 'board-member')),
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
