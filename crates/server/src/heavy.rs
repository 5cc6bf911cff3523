//! Large responses (exports, results by station, the forensic page of a national file) are
//! sent one at a time per response (per election, route and query), in chunks, at a bounded
//! pace, so that a crowd of readers of 500 MB exports or of a 200 KB page cannot take the
//! machine from the staff's writes and the cheap routes, and one large response cannot starve
//! another. A request waits its turn for at most [`WAIT`], then is told to come back (503
//! with `Retry-After`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::ServerError;

/// A response of at least this many bytes is large.
pub const LARGE: usize = 64 * 1024;
/// How long a large response waits for its turn.
pub const WAIT: Duration = Duration::from_secs(10);
/// The size of the chunks a large response is sent in: each one gives the other requests
/// a turn.
const CHUNK: usize = 64 * 1024;
/// How fast one large response is sent, at most (bytes per second): a 500 MB national NIST
/// CDF export takes about sixteen seconds, a 200 KB page a few milliseconds, and the three
/// heavy routes of an election together leave most of a two-core machine to the staff.
pub const PACE: u64 = 32 * 1024 * 1024;

/// One sender's permit per large response.
#[derive(Default)]
pub(crate) struct Senders(Mutex<HashMap<String, Arc<Semaphore>>>);

impl Senders {
    fn of(&self, key: &str) -> Result<Arc<Semaphore>, ServerError> {
        let mut m = self
            .0
            .lock()
            .map_err(|_| ServerError::Internal("a poisoned lock".into()))?;
        Ok(Arc::clone(
            m.entry(key.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(1))),
        ))
    }
}

/// The body of the large response `key`: sent in chunks once its sender's permit is free,
/// which it holds until the last chunk is sent or the client leaves.
pub(crate) async fn body(senders: &Senders, key: &str, bytes: Bytes) -> Result<Body, ServerError> {
    body_within(&senders.of(key)?, bytes, WAIT).await
}

async fn body_within(
    sender: &Arc<Semaphore>,
    bytes: Bytes,
    wait: Duration,
) -> Result<Body, ServerError> {
    let permit = tokio::time::timeout(wait, Arc::clone(sender).acquire_owned())
        .await
        .map_err(|_| {
            ServerError::Busy(
                "this large response is being sent to others; try again in a few seconds".into(),
            )
        })?
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    let start = tokio::time::Instant::now();
    let stream = futures_util::stream::unfold(
        (bytes, 0usize, Some(permit)),
        move |(bytes, at, permit): (Bytes, usize, Option<OwnedSemaphorePermit>)| async move {
            if at >= bytes.len() {
                drop(permit);
                return None;
            }
            // Paced: the byte at `at` goes no sooner than `at` bytes' worth of time at PACE.
            let due = start + Duration::from_micros(at as u64 * 1_000_000 / PACE);
            tokio::time::sleep_until(due).await;
            let end = (at + CHUNK).min(bytes.len());
            let chunk = bytes.slice(at..end);
            Some((
                Ok::<_, std::convert::Infallible>(chunk),
                (bytes, end, permit),
            ))
        },
    );
    Ok(Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_large_response_goes_to_one_at_a_time_and_comes_whole_in_chunks() {
        let senders = Senders::default();
        let bytes = Bytes::from((0..LARGE * 4).map(|i| i as u8).collect::<Vec<u8>>());
        let wait = Duration::from_millis(100);
        let held = body_within(&senders.of("a").unwrap(), bytes.clone(), wait)
            .await
            .unwrap();
        // Another response goes meanwhile; a second reader of this one waits its turn, and
        // is told to come back.
        let other = body_within(&senders.of("b").unwrap(), bytes.clone(), wait).await;
        assert!(other.is_ok());
        let second = body_within(&senders.of("a").unwrap(), bytes.clone(), wait).await;
        assert!(matches!(second, Err(ServerError::Busy(_))));
        // Once it is sent, the next goes, whole.
        let first = axum::body::to_bytes(held, usize::MAX).await.unwrap();
        assert_eq!(first, bytes);
        let next = body_within(&senders.of("a").unwrap(), bytes.clone(), wait)
            .await
            .unwrap();
        let got = axum::body::to_bytes(next, usize::MAX).await.unwrap();
        assert_eq!(got, bytes);
    }
}
