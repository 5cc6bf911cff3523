//! Group commit for the hot writes (protocol entry, verification): one writer thread takes
//! every write waiting at the moment, runs each in its own savepoint inside one transaction
//! (`store::SqlStore::batch`), commits once, and only then answers each request. On election
//! night the writes share one flush to disk instead of taking one each; a write is still
//! acknowledged only once it is durable, and one that fails is undone alone.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

use store::SqlStore;
use tokio::sync::oneshot;

use crate::pool::Pool;
use crate::ServerError;

/// The most writes in one transaction.
const MOST: usize = 128;

/// Answers a request once its batch is committed (`None`) or failed (the error).
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;
/// A write: run on the batch's store (or told why there is none); answers its deliverer.
type Job = Box<dyn FnOnce(Result<&mut SqlStore, ServerError>) -> Deliver + Send>;

/// The writer thread's queue.
pub(crate) struct Committer {
    queue: Sender<Job>,
}

impl Committer {
    /// Starts the writer thread over `pool`.
    pub fn start(pool: Arc<Pool>) -> Committer {
        let (tx, rx) = channel::<Job>();
        std::thread::Builder::new()
            .name("group-commit".into())
            .spawn(move || run(&pool, &rx))
            .ok();
        Committer { queue: tx }
    }

    /// Runs `f` in the next batch; answers its result once the batch is durable.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut SqlStore) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            let result = store.and_then(f);
            Box::new(move |failed: Option<&str>| {
                let out = match failed {
                    None => result,
                    Some(why) => Err(ServerError::Internal(format!(
                        "the write was not stored: {why}"
                    ))),
                };
                let _ = tx.send(out);
            })
        });
        self.queue
            .send(job)
            .map_err(|_| ServerError::Internal("the writer thread has stopped".into()))?;
        rx.await
            .map_err(|_| ServerError::Internal("the writer thread dropped the write".into()))?
    }
}

/// The writer thread: a batch of every waiting write (up to [`MOST`]) per transaction.
fn run(pool: &Arc<Pool>, rx: &Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MOST {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut store = match Pool::get(pool) {
            Ok(s) => s,
            Err(e) => {
                // Every connection stayed busy (503): each write is told so.
                let why = e.to_string();
                for j in jobs {
                    j(Err(ServerError::Busy(why.clone())))(None);
                }
                continue;
            }
        };
        let mut delivers = Vec::with_capacity(jobs.len());
        let outcome = store.batch(|st| {
            let mut queued = std::mem::take(&mut jobs).into_iter();
            let mut whole = true;
            for j in queued.by_ref() {
                // A write that panics may have left its savepoint open: the batch is undone
                // (its request is told the write was dropped; the others, why).
                let run = std::panic::AssertUnwindSafe(|| j(Ok(&mut *st)));
                match std::panic::catch_unwind(run) {
                    Ok(d) => delivers.push(d),
                    Err(_) => {
                        whole = false;
                        break;
                    }
                }
            }
            jobs.extend(queued);
            whole
        });
        let why = outcome.err().map(|e| e.to_string());
        for d in delivers {
            d(why.as_deref());
        }
        // The transaction could not begin, or was undone before these writes ran.
        for j in jobs {
            let why = why.as_deref().unwrap_or("not run");
            j(Err(ServerError::Internal(why.to_string())))(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::{Staffing, Store};

    /// An audit step by the console: its staff entry and `entry`.
    fn escalate(entry: &Vec<u8>) -> store::Act<'_> {
        let now = crate::testing::clock();
        store::Act::of(record::StaffAct::Audit, std::slice::from_ref(entry), now)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_that_panics_is_undone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::new(&crate::testing::synthetic_store(dir.path())).unwrap();
        let size = |pool: &Arc<Pool>| Pool::get(pool).unwrap().log("s").unwrap().len();
        let before = size(&pool);
        let entry = record::encode(&record::Entry::Audit(record::AuditStep::Escalate {
            audit: "x".into(),
        }));
        let c = Committer::start(Arc::clone(&pool));
        let e = entry.clone();
        let failed = c
            .write(move |st| -> Result<(), ServerError> {
                st.act("s", store::Actor::Console, escalate(&e))?;
                panic!("a bug halfway through a write");
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(size(&pool), before, "the half-done write was undone");
        let n = c
            .write(move |st| Ok(st.act("s", store::Actor::Console, escalate(&entry))?))
            .await
            .unwrap();
        assert_eq!((n as usize, size(&pool)), (before + 2, before + 2));
    }
}
