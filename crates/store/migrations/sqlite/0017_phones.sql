-- Observers' phones for SMS reports (issue 20; docs/sms.md, "Phone numbers"): only each
-- number's pseudonym, HMAC-SHA256 under a key kept outside the store, never the number.
CREATE TABLE observer_phone (
    pseudonym TEXT PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES staff_user(id)
);
CREATE INDEX observer_phone_user ON observer_phone(user_id);
