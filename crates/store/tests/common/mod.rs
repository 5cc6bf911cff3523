//! The stores every backend test runs on: SQLite in memory, and a fresh PostgreSQL database
//! when `TALLYPROOF_TEST_POSTGRES` names a server's admin database (the test command starts
//! one with `scripts/postgres`).

use std::sync::atomic::{AtomicU64, Ordering};

use store::SqlStore;

/// A fresh database on the test PostgreSQL server, if there is one.
pub fn postgres_url() -> Option<String> {
    static N: AtomicU64 = AtomicU64::new(0);
    let Ok(admin) = std::env::var("TALLYPROOF_TEST_POSTGRES") else {
        // Under CI a missing server fails the run instead of skipping half the tests.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "TALLYPROOF_TEST_POSTGRES is not set under CI=true (the test command sets it)"
        );
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "t_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    Some(store::create_database(&admin, &name).unwrap())
}

/// When the tests' acts are made: 2026-12-03 06:10:34 UTC.
pub fn now() -> record::Time {
    record::Time::from_unix(1_796_278_234).unwrap()
}

/// One empty store per backend.
pub fn stores() -> Vec<SqlStore> {
    let mut v = vec![SqlStore::open_in_memory().unwrap()];
    if let Some(url) = postgres_url() {
        v.push(SqlStore::connect(&url).unwrap());
    }
    v
}

/// A correction as the store takes one: entered by an operator of election `name` and
/// verified by a verifier (both added on the console, once per store); the version given.
#[allow(dead_code)]
pub fn correct(
    s: &mut SqlStore,
    name: &str,
    p: &model::Protocol,
) -> Result<u32, store::StoreError> {
    use store::Staffing;
    let mut user = |who: &str, role| -> Result<store::User, store::StoreError> {
        if let Some((u, _)) = s.user_by_name(who)? {
            return Ok(u);
        }
        s.add_user_in(
            who,
            role,
            "x",
            &[9; 32],
            None,
            Some(&[name.to_string()]),
            now(),
        )
    };
    let clerk = user("clerk", record::Role::Operator)?;
    let checker = user("checker", record::Role::Verifier)?;
    if s.assignments(clerk.id, name)?.is_empty() {
        s.assign(clerk.id, name, model::UnitId(0), None, now())?;
    }
    let entered = s.enter(name, p, &clerk, None, now())?;
    s.verify(name, entered.id, &checker, now())
}
