//! The service's log key, and the thread that keeps every election's signed checkpoint
//! current: a write through the service is signed as its read model catches up
//! (`readmodel::Live::written`); this thread also catches up, a few times a second, the
//! elections written by other processes or whose catch-up met a busy state, so that a
//! signed checkpoint follows every committed write within [`EVERY`] plus a catch-up.

use std::sync::{Arc, Weak};
use std::time::Duration;

use readmodel::{Live, Signing};
use translog::note::{NoteSigner, NoteVerifier};

use crate::pool::Pool;
use crate::ServerError;

/// How often every loaded election is caught up (and so signed).
pub const EVERY: Duration = Duration::from_millis(250);

/// The signing of a service whose log key is `key` (a `PRIVATE+KEY+...` text), for the
/// origins `<prefix>/<election>`, keeping the cosignatures of the `witnesses` (verifier key
/// texts).
pub fn log_signing(key: &str, prefix: &str, witnesses: &[String]) -> Result<Signing, ServerError> {
    let key = NoteSigner::parse(key.trim())
        .map_err(|e| ServerError::BadRequest(format!("the log key: {e}")))?;
    let witnesses = witnesses
        .iter()
        .map(|w| {
            NoteVerifier::parse(w.trim())
                .map_err(|e| ServerError::BadRequest(format!("the witness key '{w}': {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if prefix.is_empty() || prefix.contains(char::is_whitespace) {
        return Err(ServerError::BadRequest(format!(
            "the log origin '{prefix}' must be a name without spaces (such as results.example.org)"
        )));
    }
    Ok(Signing::new(key, prefix, witnesses))
}

/// Starts the thread that catches up and signs every loaded election each [`EVERY`]; it ends
/// with the service (when the router holding `pool` and `live` is dropped).
pub(crate) fn follow(pool: &Arc<Pool>, live: &Arc<Live>) {
    let (pool, live): (Weak<Pool>, Weak<Live>) = (Arc::downgrade(pool), Arc::downgrade(live));
    let run = move || loop {
        std::thread::sleep(EVERY);
        let (Some(pool), Some(live)) = (pool.upgrade(), live.upgrade()) else {
            return;
        };
        if let Err(e) = live.refresh(&pool) {
            // The next read answers the same error; the thread keeps following.
            eprintln!("error: catching up the logs to sign them: {e}");
        }
    };
    let started = std::thread::Builder::new()
        .name("checkpoints".into())
        .spawn(run);
    if let Err(e) = started {
        eprintln!("error: the checkpoint signer could not start: {e}");
    }
}
