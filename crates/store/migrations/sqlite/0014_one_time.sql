-- One-time passwords (issue 17): a password an admin handed out (a new account, a reset) is
-- replaced by the user's own at their first login, so that the admin cannot go on using it;
-- and who last reset an account's password, shown to the admin asked to approve it.
ALTER TABLE staff_user ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_user ADD COLUMN reset_by INTEGER REFERENCES staff_user(id);
