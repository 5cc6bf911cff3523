-- One-time passwords (issue 17): a password an admin handed out (a new account, a reset) is
-- replaced by the user's own at their first login, so that the admin cannot go on using it;
-- the second half of a one-time password, which the approving admin gives (neither admin
-- alone knows the whole); and who last reset an account's password, shown to the approver.
ALTER TABLE staff_user ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_user ADD COLUMN password2 TEXT;
ALTER TABLE staff_user ADD COLUMN reset_by BIGINT REFERENCES staff_user(id);
-- A password an admin set before this schema was one they know too: one-time from now on.
UPDATE staff_user SET must_change = 1 WHERE granted_by IS NOT NULL;
