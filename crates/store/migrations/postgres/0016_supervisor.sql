-- An observer group's quick count supervisor (issue 20; docs/log-format.md, "pvt", revision
-- 8).
ALTER TABLE staff_user DROP CONSTRAINT staff_user_role_check;
ALTER TABLE staff_user ADD CONSTRAINT staff_user_role_check
    CHECK (role IN ('operator', 'verifier', 'commissioner', 'auditor', 'observer', 'admin', 'board-member', 'supervisor'));
