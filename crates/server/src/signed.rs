//! The service's log key; the start-up load of every stored election, after which the
//! service reports itself ready (`GET /api/ready`); and the thread that keeps every
//! election's signed checkpoint current: a write through the service is signed as its read model catches up
//! (`readmodel::Live::written`); this thread also catches up, a few times a second, the
//! elections written by other processes or whose catch-up met a busy state, so that a
//! signed checkpoint follows every committed write within [`EVERY`] plus a catch-up.

use std::sync::atomic::{AtomicBool, Ordering};
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

/// Loads every stored election. One that cannot be loaded (a broken log) answers its error
/// when read; the others are loaded all the same.
fn load_all(pool: &Arc<Pool>, live: &Live) {
    let names = match crate::data::elections(pool) {
        Ok(list) => list.into_iter(),
        Err(e) => return eprintln!("error: listing the elections at start: {e}"),
    };
    for name in names {
        if let Err(e) = live.preload(pool, &name) {
            eprintln!("error: loading '{name}' at start: {e}");
        }
    }
}

/// Starts the thread that first loads (replays and signs) every stored election, then says
/// the service is `ready`, then catches up and signs every loaded election each [`EVERY`]; it
/// ends with the service (when the router holding `pool` and `live` is dropped).
pub(crate) fn follow(pool: &Arc<Pool>, live: &Arc<Live>, ready: &Arc<AtomicBool>) {
    let (pool, live): (Weak<Pool>, Weak<Live>) = (Arc::downgrade(pool), Arc::downgrade(live));
    let ready = Arc::clone(ready);
    let run = move || loop {
        if !ready.load(Ordering::Acquire) {
            let (Some(pool), Some(live)) = (pool.upgrade(), live.upgrade()) else {
                return;
            };
            load_all(&pool, &live);
            ready.store(true, Ordering::Release);
            continue;
        }
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
