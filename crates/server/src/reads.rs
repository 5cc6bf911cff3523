//! The read model (`readmodel`) reads the elections' logs through the pool's connections.

use std::sync::Arc;

use readmodel::Entries;
use store::{Store, StoreError};

use crate::pool::Pool;
use crate::ServerError;

impl readmodel::Logs for Pool {
    type Error = ServerError;

    fn log_since(self: &Arc<Self>, name: &str, from: u64) -> Result<Option<Entries>, ServerError> {
        match Pool::get(self)?.log_since(name, from) {
            Ok(log) => Ok(Some(log)),
            Err(StoreError::NoElection(_)) => Ok(None),
            Err(e) => Err(ServerError::Internal(e.to_string())),
        }
    }
}
