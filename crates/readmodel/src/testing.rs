//! What the unit tests share: logs kept in memory, as a store would keep them, and a small
//! synthetic election's log (the integration tests read a real store).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use record::{encode, Entry};

use crate::{Entries, Logs, ReadError};

/// The logs of a few elections, in memory.
#[derive(Default)]
pub(crate) struct Memory(Mutex<HashMap<String, Vec<Vec<u8>>>>);

impl Memory {
    /// Appends entries to an election's log (a new election if there is none of that name).
    pub(crate) fn append(&self, election: &str, entries: impl IntoIterator<Item = Entry>) {
        let mut logs = self.0.lock().expect("not poisoned");
        let log = logs.entry(election.to_string()).or_default();
        log.extend(entries.into_iter().map(|e| encode(&e)));
    }
}

impl Logs for Memory {
    type Error = ReadError;

    fn log_since(self: &Arc<Self>, name: &str, from: u64) -> Result<Option<Entries>, ReadError> {
        let logs = self.0.lock().map_err(|_| ReadError::Poisoned("the logs"))?;
        Ok(logs
            .get(name)
            .map(|log| log.iter().skip(from as usize).cloned().collect()))
    }
}

/// The log of the synthetic election `s` (300 stations), as an import writes it: its
/// definition, then every protocol.
pub(crate) fn synthetic() -> Arc<Memory> {
    let params = synth::Params {
        stations: 300,
        ..synth::Params::default()
    };
    let mut protocols = Vec::new();
    let (mut election, _) = synth::generate(&params, |_, p| protocols.push(p)).expect("generated");
    election.name = "s".into();
    let logs = Arc::new(Memory::default());
    logs.append("s", record::definition(&election));
    logs.append("s", protocols.into_iter().map(Entry::Protocol));
    logs
}
