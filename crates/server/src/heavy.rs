//! Large responses (exports, results by station, the forensic page of a national file) are
//! sent by at most [`SENDERS`] requests at a time, in chunks, so that a crowd of readers of
//! 200 MB exports cannot take the machine from the staff's writes and the cheap routes. A
//! request beyond the cap waits its turn for at most [`WAIT`], then is told to come back
//! (503 with `Retry-After`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::ServerError;

/// A response of at least this many bytes is large.
pub const LARGE: usize = 1 << 20;
/// Large responses sent at once.
pub const SENDERS: usize = 2;
/// How long a large response waits for its turn.
pub const WAIT: Duration = Duration::from_secs(10);
/// The size of the chunks a large response is sent in: each one gives the other requests
/// a turn.
const CHUNK: usize = 256 * 1024;
/// How fast one large response is sent, at most (bytes per second): two senders at this pace
/// leave most of a two-core machine to the staff and the cheap routes (a 250 MB national
/// export takes about four seconds).
pub const PACE: u64 = 64 * 1024 * 1024;

/// The senders' permits.
pub(crate) fn senders() -> Arc<Semaphore> {
    Arc::new(Semaphore::new(SENDERS))
}

/// The body of a large response: sent in chunks once a sender's permit is free, which it
/// holds until the last chunk is sent or the client leaves.
pub(crate) async fn body(senders: &Arc<Semaphore>, bytes: Bytes) -> Result<Body, ServerError> {
    body_within(senders, bytes, WAIT).await
}

async fn body_within(
    senders: &Arc<Semaphore>,
    bytes: Bytes,
    wait: Duration,
) -> Result<Body, ServerError> {
    let permit = tokio::time::timeout(wait, Arc::clone(senders).acquire_owned())
        .await
        .map_err(|_| {
            ServerError::Busy(format!(
                "{SENDERS} large responses are being sent; try again in a few seconds"
            ))
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
    async fn large_responses_take_turns_and_come_whole_in_chunks() {
        let senders = senders();
        let bytes = Bytes::from((0..LARGE * 2).map(|i| i as u8).collect::<Vec<u8>>());
        let wait = Duration::from_millis(100);
        let held: Vec<Body> = futures_util::future::join_all(
            (0..SENDERS).map(|_| body_within(&senders, bytes.clone(), wait)),
        )
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
        // A third waits its turn, and is told to come back.
        let third = body_within(&senders, bytes.clone(), wait).await;
        assert!(matches!(third, Err(ServerError::Busy(_))));
        // Once one is sent (or its client leaves), the next goes, whole.
        let mut held = held.into_iter();
        let first = axum::body::to_bytes(held.next().unwrap(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(first, bytes);
        drop(held);
        let next = body_within(&senders, bytes.clone(), wait).await.unwrap();
        let got = axum::body::to_bytes(next, usize::MAX).await.unwrap();
        assert_eq!(got, bytes);
    }
}
