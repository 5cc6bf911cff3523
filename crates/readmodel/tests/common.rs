//! What the tests share: a store on a temporary SQLite file holding a synthetic election, a
//! connection to it as the read model's source, and the acts that grow its log.

use std::sync::{Arc, Mutex};

use model::{CountSource, Election, Line, Protocol, UnitId, UnitLevel};
use readmodel::{Entries, Logs, ReadError};
use record::{Complaint, Decision, Entry};
use store::{Actor, SqlStore, Staffing, Store, StoreError};

/// When the tests' acts are made: 2026-12-03 06:10:34 UTC.
pub fn now() -> record::Time {
    record::Time::from_unix(1_796_278_234).unwrap()
}

/// A test's failure, the store's or the read model's, as text.
#[derive(Debug)]
pub struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ReadError> for Failed {
    fn from(e: ReadError) -> Failed {
        Failed(e.to_string())
    }
}

/// One connection to the store: what the read model reads the logs through.
pub struct Connection(Mutex<SqlStore>);

impl Logs for Connection {
    type Error = Failed;

    fn log_since(self: &Arc<Self>, name: &str, from: u64) -> Result<Option<Entries>, Failed> {
        match self.0.lock().unwrap().log_since(name, from) {
            Ok(log) => Ok(Some(log)),
            Err(StoreError::NoElection(_)) => Ok(None),
            Err(e) => Err(Failed(e.to_string())),
        }
    }
}

/// A store holding one synthetic election, with a second connection that writes to it.
pub struct Fixture {
    /// The temporary directory of the SQLite file.
    _dir: tempfile::TempDir,
    /// The read model's connection.
    pub reader: Arc<Connection>,
    /// Another connection, which makes the acts.
    pub writer: SqlStore,
    /// The election as imported.
    pub election: Election,
    /// The salts used so far.
    salts: u8,
    /// Who enters and who verifies a correction.
    clerks: (store::User, store::User),
}

/// The election `x`: 12 stations in 3 districts of one region, 3 parties.
pub const SMALL: synth::Params = synth::Params {
    stations: 12,
    parties: 3,
    regions: 1,
    stations_per_district: 4,
    seed: 5,
};

/// The election `x`: 60 stations in 6 districts of 2 regions, 4 parties.
pub const TWO_REGIONS: synth::Params = synth::Params {
    stations: 60,
    parties: 4,
    regions: 2,
    stations_per_district: 10,
    seed: 7,
};

impl Fixture {
    /// A store holding the synthetic election `x` made by `params`, its protocols changed by
    /// `change` before they are imported.
    pub fn new(params: &synth::Params, change: impl FnOnce(&mut [Protocol])) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let location = dir.path().join("x.db").display().to_string();
        let mut protocols = Vec::new();
        let (mut election, _) = synth::generate(params, |_, p| protocols.push(p)).unwrap();
        election.name = "x".into();
        change(&mut protocols);
        let mut writer = store::open(&location).unwrap();
        let mut import = writer.import().unwrap();
        import.begin(&election, "synthetic").unwrap();
        protocols
            .iter()
            .for_each(|p| import.protocol(&election, p).unwrap());
        import.units(&election).unwrap();
        import.commit(&election).unwrap();
        // The two clerks who correct protocols (the two-person rule), added on the console.
        let only = ["x".to_string()];
        let mut add = |who: &str, role| {
            writer
                .add_user_in(who, role, "x", &[9; 32], None, Some(&only), now())
                .unwrap()
        };
        let clerks = (
            add("clerk", record::Role::Operator),
            add("checker", record::Role::Verifier),
        );
        writer
            .assign(clerks.0.id, "x", UnitId(0), None, now())
            .unwrap();
        let reader = Arc::new(Connection(Mutex::new(store::open(&location).unwrap())));
        Fixture {
            _dir: dir,
            reader,
            writer,
            election,
            salts: 0,
            clerks,
        }
    }

    /// The `n`th unit of `level`, in id order.
    pub fn unit(&self, level: UnitLevel, n: usize) -> UnitId {
        let units = &self.election.units;
        units
            .iter()
            .filter(|(_, u)| u.level == level)
            .nth(n)
            .unwrap_or_else(|| panic!("no {} number {n}", level.key()))
            .0
    }

    /// The latest version of a station's protocol (first contest).
    pub fn latest(&self, station: UnitId) -> Protocol {
        let history = self.writer.history("x", station, 0).unwrap();
        history.last().unwrap().clone()
    }

    /// A new version of a station's protocol, counted by `source`, its votes for the first
    /// choice and its valid ballots set to `votes`.
    pub fn count(&mut self, station: UnitId, source: CountSource, votes: u64) {
        let mut p = self.latest(station);
        p.source = source;
        let more = p.votes[0].abs_diff(votes);
        let valid = p.line(Line::Valid).unwrap();
        let up = votes >= p.votes[0];
        let moved = |v: u64| if up { v + more } else { v - more };
        p.votes[0] = votes;
        p.set_line(Line::Valid, moved(valid));
        // The ballots found change with the valid ones: `valid + invalid = found` holds.
        for line in [Line::FoundTotal, Line::FoundStationary] {
            if let Some(found) = p.line(line) {
                p.set_line(line, moved(found));
                break;
            }
        }
        self.correct(&p);
    }

    /// Stores `p` as the next version of its station's protocol: entered by one clerk and
    /// verified by another, three entries (`enter`, `verify`, the protocol).
    pub fn correct(&mut self, p: &Protocol) {
        let (clerk, checker) = &self.clerks;
        let entered = self.writer.enter("x", p, clerk, None, now()).unwrap();
        self.writer.verify("x", entered.id, checker, now()).unwrap();
    }

    /// Logs a decision of the console, its reason committed to.
    pub fn decide(&mut self, decision: impl FnOnce(String) -> Decision) {
        let (reason, row) = self.commit("the commission's reason");
        self.act(
            record::StaffAct::Decide,
            Entry::Decision(decision(reason)),
            vec![row],
        );
    }

    /// Logs a complaint about `unit`, through the console.
    pub fn complain(&mut self, unit: UnitId) {
        let (by, r1) = self.commit("a complainant");
        let (text, r2) = self.commit("what the complainant saw");
        let complaint = Complaint {
            unit,
            by,
            text,
            scan: None,
            category: Some(record::ComplaintCategory::Count),
        };
        self.act(
            record::StaffAct::Complain,
            Entry::Complaint(complaint),
            vec![r1, r2],
        );
    }

    /// A commitment to `text` under a salt not used before, and the row that opens it.
    fn commit(&mut self, text: &str) -> (String, record::Content) {
        self.salts += 1;
        record::committed(&[self.salts; 32], text)
    }

    fn act(&mut self, act: record::StaffAct, entry: Entry, rows: Vec<record::Content>) {
        let act = store::Act {
            act,
            entries: &[record::encode(&entry)],
            content: &rows,
            files: &[],
            at: None,
            time: now(),
        };
        self.writer.act("x", Actor::Console, act).unwrap();
    }

    /// The election's log, as the store holds it.
    pub fn log(&self) -> Vec<Vec<u8>> {
        self.writer.log("x").unwrap()
    }
}
