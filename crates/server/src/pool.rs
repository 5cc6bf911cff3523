//! A few open connections to the store, reused across requests (opening one costs a
//! migration check, and on PostgreSQL a login).

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use store::SqlStore;

use crate::ServerError;

/// Idle connections kept at most.
const IDLE: usize = 16;

/// The store's location and its idle connections.
pub struct Pool {
    location: String,
    idle: Mutex<Vec<SqlStore>>,
}

/// A connection taken from the pool; it goes back when dropped.
pub struct Pooled {
    pool: Arc<Pool>,
    store: Option<SqlStore>,
}

impl Pool {
    /// A pool for the store at `location` (a SQLite file or a `postgres://` URL); opens one
    /// connection to check it and to switch SQLite to write-ahead logging.
    pub fn new(location: &str) -> Result<Arc<Pool>, ServerError> {
        let pool = Arc::new(Pool {
            location: location.to_string(),
            idle: Mutex::new(Vec::new()),
        });
        drop(Pool::get(&pool)?);
        Ok(pool)
    }

    /// A connection.
    pub fn get(pool: &Arc<Pool>) -> Result<Pooled, ServerError> {
        let idle = pool
            .idle
            .lock()
            .map_err(|e| ServerError::Internal(e.to_string()))?
            .pop();
        let store = match idle {
            Some(s) => s,
            None => {
                let mut s = store::open(&pool.location)?;
                s.use_wal()?;
                s
            }
        };
        Ok(Pooled {
            pool: Arc::clone(pool),
            store: Some(store),
        })
    }
}

impl Deref for Pooled {
    type Target = SqlStore;

    fn deref(&self) -> &SqlStore {
        self.store
            .as_ref()
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut SqlStore {
        self.store
            .as_mut()
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let (Some(s), Ok(mut idle)) = (self.store.take(), self.pool.idle.lock()) {
            if idle.len() < IDLE {
                idle.push(s);
            }
        }
    }
}
