//! The observers' channels against written cases: `test_data/sms.json` (messages and what
//! each reads as, or the error it gets), `test_data/signatures.json` (signatures and
//! pseudonyms computed by Python's own `hmac` module), and proptests: reading never panics,
//! and a report written as a message reads back as itself.

mod signatures;
mod sms;
