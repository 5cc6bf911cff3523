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

-- The board member's role (`board-member`).
ALTER TABLE staff_user DROP CONSTRAINT staff_user_role_check;
ALTER TABLE staff_user ADD CONSTRAINT staff_user_role_check
    CHECK (role IN ('operator', 'verifier', 'commissioner', 'auditor', 'observer', 'admin', 'board-member'));
