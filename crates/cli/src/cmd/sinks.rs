//! Adapters from the importers' `Sink` to the store and the tabulator.

use formats::{BoxError, Sink};
use model::{Election, Protocol};
use store::Import;
use tabulate::{Filter, Tabulator};

/// Feeds an import into a store transaction.
pub struct StoreSink<'a> {
    pub import: Box<dyn Import + 'a>,
    pub source: String,
    pub progress: indicatif::ProgressBar,
}

impl Sink for StoreSink<'_> {
    fn begin(&mut self, election: &Election) -> Result<(), BoxError> {
        Ok(self.import.begin(election, &self.source)?)
    }
    fn protocol(&mut self, election: &Election, p: &Protocol) -> Result<(), BoxError> {
        Ok(self.import.protocol(election, p)?)
    }
    fn finish(&mut self, election: &Election) -> Result<(), BoxError> {
        Ok(self.import.units(election)?)
    }
    fn progress(&mut self, done: u64, total: u64) {
        self.progress.set_length(total);
        self.progress.set_position(done);
    }
}

/// Tabulates an import as it streams; keeps station protocols only when asked.
pub struct TallySink {
    pub tabulator: Option<Tabulator>,
    pub keep: bool,
    pub protocols: Vec<Protocol>,
    pub progress: indicatif::ProgressBar,
}

impl TallySink {
    pub fn new(keep: bool, progress: indicatif::ProgressBar) -> TallySink {
        TallySink {
            tabulator: None,
            keep,
            protocols: Vec::new(),
            progress,
        }
    }
}

impl Sink for TallySink {
    fn begin(&mut self, election: &Election) -> Result<(), BoxError> {
        self.tabulator = Some(Tabulator::new(election, 0, Filter::default()));
        Ok(())
    }
    fn protocol(&mut self, election: &Election, p: &Protocol) -> Result<(), BoxError> {
        if let Some(t) = &mut self.tabulator {
            // A total beyond 64 bits stops the reading with the unit and station named.
            t.add(&election.units, p)?;
        }
        if self.keep {
            self.protocols.push(p.clone());
        }
        Ok(())
    }
    fn progress(&mut self, done: u64, total: u64) {
        self.progress.set_length(total);
        self.progress.set_position(done);
    }
}
