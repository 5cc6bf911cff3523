//! The connections to the store, shared by every request: an `r2d2` pool with a size cap
//! ([`Pool::cap`]), so that a burst of requests queues for a connection instead of opening
//! one each (on PostgreSQL, a login and a server process). A request that waits longer than
//! [`WAIT`] for one is answered 503 ([`ServerError::Busy`]), not left hanging.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use store::{SqlStore, StoreError};

use crate::ServerError;

/// The longest a request waits for a free connection before it is answered 503.
pub const WAIT: Duration = Duration::from_secs(5);

/// The connections to the store at one location, at most [`Pool::cap`] of them.
pub struct Pool {
    inner: r2d2::Pool<Connector>,
}

/// A connection lent by the pool; it goes back when dropped.
pub struct Pooled(r2d2::PooledConnection<Connector>);

/// Opens, checks and discards the pool's connections.
struct Connector {
    location: String,
    /// The connection [`Pool::with_cap`] opened to check the store: the pool's first, so
    /// that the first request does not open another (on PostgreSQL, a second login).
    first: Mutex<Option<SqlStore>>,
}

/// Opens the store at `location` (checking its schema) and switches SQLite to write-ahead
/// logging.
fn open(location: &str) -> Result<SqlStore, StoreError> {
    let mut s = store::open(location)?;
    s.use_wal()?;
    Ok(s)
}

impl r2d2::ManageConnection for Connector {
    type Connection = SqlStore;
    type Error = StoreError;

    /// The first connection, then a new one each time.
    fn connect(&self) -> Result<SqlStore, StoreError> {
        let first = self.first.lock().ok().and_then(|mut f| f.take());
        first.map_or_else(|| open(&self.location), Ok)
    }

    /// One trivial query before a connection is lent out (a PostgreSQL server restarted
    /// under it, a dropped network connection).
    fn is_valid(&self, s: &mut SqlStore) -> Result<(), StoreError> {
        s.ping()
    }

    /// A connection given back inside a transaction is not lent out again.
    fn has_broken(&self, s: &mut SqlStore) -> bool {
        s.in_transaction()
    }
}

impl Pool {
    /// The most connections open at once on this machine: twice its cores, at least 8 (a slow
    /// call, such as the first replay of a national log, must not hold the others up) and at
    /// most 32 (well below PostgreSQL's default of 100 connections per server). A store call
    /// holds a connection for milliseconds; more connections than that only queue inside the
    /// database.
    pub fn cap() -> u32 {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        u32::try_from(2 * cores).unwrap_or(u32::MAX).clamp(8, 32)
    }

    /// A pool for the store at `location` (a SQLite file or a `postgres://` URL) of
    /// [`Pool::cap`] connections; opens the first one at once, so that a wrong location or an
    /// unreadable file is told at once, and keeps one open from then on.
    pub fn new(location: &str) -> Result<Arc<Pool>, ServerError> {
        Pool::with_cap(location, Pool::cap(), WAIT)
    }

    /// [`Pool::new`] with at most `cap` connections and `wait` for a free one.
    pub fn with_cap(location: &str, cap: u32, wait: Duration) -> Result<Arc<Pool>, ServerError> {
        let connector = Connector {
            first: Mutex::new(Some(open(location)?)),
            location: location.to_string(),
        };
        let inner = r2d2::Pool::builder()
            .max_size(cap)
            // One kept open; the others opened when needed, closed after 10 minutes unused.
            .min_idle(Some(1))
            .connection_timeout(wait)
            .build(connector)
            .map_err(|e| ServerError::Internal(format!("cannot open the store: {e}")))?;
        Ok(Arc::new(Pool { inner }))
    }

    /// A connection: an idle one, a new one while fewer than the cap are open, or else the
    /// first given back within [`WAIT`] (503 after that).
    pub fn get(pool: &Arc<Pool>) -> Result<Pooled, ServerError> {
        pool.inner.get().map(Pooled).map_err(|e| {
            let n = pool.inner.max_size();
            // The pool's own words (they may name the database's host or user) are for the
            // operator's log, not the answer.
            eprintln!("tallyproof serve: no store connection: {e}");
            ServerError::Busy(format!(
                "the service is busy: all {n} connections to the store stayed in use for {} \
                 seconds; try again shortly",
                pool.inner.connection_timeout().as_secs()
            ))
        })
    }

    /// The connections open now, and how many of them are idle.
    #[cfg(test)]
    pub fn state(&self) -> (u32, u32) {
        let s = self.inner.state();
        (s.connections, s.idle_connections)
    }
}

impl Deref for Pooled {
    type Target = SqlStore;

    fn deref(&self) -> &SqlStore {
        &self.0
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut SqlStore {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use store::Store;

    fn store(dir: &tempfile::TempDir) -> String {
        crate::testing::synthetic_store(dir.path())
    }

    #[test]
    fn more_takers_than_the_cap_all_get_one_and_never_more_than_the_cap_are_open() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::with_cap(&store(&dir), 3, WAIT).unwrap();
        assert_eq!(
            pool.state(),
            (1, 1),
            "the connection that checked the store is kept"
        );
        let (held, most) = (AtomicU32::new(0), AtomicU32::new(0));
        let answered = std::thread::scope(|s| {
            let takers: Vec<_> = (0..24)
                .map(|_| {
                    s.spawn(|| {
                        let c = Pool::get(&pool).unwrap();
                        let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now.max(pool.state().0), Ordering::SeqCst);
                        let n = c.log("s").unwrap().len();
                        std::thread::sleep(Duration::from_millis(20));
                        held.fetch_sub(1, Ordering::SeqCst);
                        n
                    })
                })
                .collect();
            takers
                .into_iter()
                .map(|t| t.join().unwrap())
                .collect::<Vec<_>>()
        });
        let len = Pool::get(&pool).unwrap().log("s").unwrap().len();
        assert_eq!(answered, vec![len; 24], "every taker got a connection");
        assert_eq!(
            most.load(Ordering::SeqCst),
            3,
            "the cap was reached, never passed"
        );
        assert_eq!(pool.state(), (3, 3), "all given back, none closed");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn more_requests_than_the_cap_are_all_answered() {
        use tower::ServiceExt;
        let dir = tempfile::tempdir().unwrap();
        let db = store(&dir);
        let pool = Pool::with_cap(&db, 2, WAIT).unwrap();
        let app = crate::router_over(
            Arc::clone(&pool),
            crate::testing::signing(),
            Arc::default(),
            crate::Extras::default(),
        );
        let paths = ["/api/elections", "/api/elections/s/results", "/elections/s"];
        let requests = (0..48).map(|i| {
            let req = axum::http::Request::get(paths[i % 3])
                .body(axum::body::Body::empty())
                .unwrap();
            tokio::spawn(app.clone().oneshot(req))
        });
        let mut statuses = Vec::new();
        for r in requests.collect::<Vec<_>>() {
            statuses.push(r.await.unwrap().unwrap().status().as_u16());
        }
        assert_eq!(statuses, vec![200; 48]);
        let (open, idle) = pool.state();
        assert!(open <= 2 && idle == open, "{open} open, {idle} idle");
    }

    #[test]
    fn a_taker_that_waits_too_long_is_told_the_service_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::with_cap(&store(&dir), 1, Duration::from_millis(100)).unwrap();
        let held = Pool::get(&pool).unwrap();
        let Err(ServerError::Busy(why)) = Pool::get(&pool) else {
            panic!("a second connection was lent beyond the cap of 1");
        };
        assert!(
            why.starts_with("the service is busy: all 1 connections to the store stayed in use"),
            "{why}"
        );
        // The pool's own error text stays in the operator's log.
        assert!(!why.contains("timed out"), "{why}");
        let res = axum::response::IntoResponse::into_response(ServerError::Busy(why));
        assert_eq!(res.status().as_u16(), 503);
        assert_eq!(res.headers()["retry-after"], "5");
        assert_eq!(res.headers()["content-type"], "application/json");
        drop(held);
        assert!(
            Pool::get(&pool).is_ok(),
            "the connection given back is lent again"
        );
    }

    #[test]
    fn a_wrong_location_is_told_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("s.db");
        let t = std::time::Instant::now();
        let Err(e) = Pool::new(&missing.to_string_lossy()) else {
            panic!("a store in a missing directory was opened");
        };
        assert!(matches!(e, ServerError::Internal(_)), "{e:?}");
        assert!(e.to_string().contains("no-such-dir"), "{e}");
        assert!(t.elapsed() < WAIT, "not retried until the wait is over");
    }

    #[test]
    fn a_connection_left_in_a_transaction_is_not_lent_again() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::with_cap(&store(&dir), 2, WAIT).unwrap();
        let mut c = Pool::get(&pool).unwrap();
        let halfway = std::panic::AssertUnwindSafe(|| c.batch(|_| panic!("a bug in a batch")));
        assert!(std::panic::catch_unwind(halfway).is_err());
        assert!(c.in_transaction());
        drop(c);
        // Both connections the cap allows: had it been kept, it would be one of them.
        let (mut a, mut b) = (Pool::get(&pool).unwrap(), Pool::get(&pool).unwrap());
        assert!(!a.in_transaction() && !b.in_transaction());
    }
}
