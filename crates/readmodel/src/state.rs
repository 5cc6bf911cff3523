//! One election's state: its log replayed (`record::Replayer`), the log's Merkle tree, the
//! entries about each unit, and the first contest's totals of the legal count and of the
//! other count kept up to date protocol by protocol.

use std::sync::Arc;
use std::time::Instant;

use model::{Protocol, UnitId};
use record::{DecisionKind, Pushed, RecordError, Replayer};
use tabulate::{tabulate, Filter, TabulateError, Tally};
use translog::Tree;

use crate::register::Register;
use crate::search::{self, References};
use crate::signed::{Cosigned, Signed, Signing};
use crate::view::About;
use crate::{Flags, ReadError};

/// How a `certify` staff entry begins after its format byte (`docs/log-format.md`, "staff").
const CERTIFY: &[u8] = b"{\"type\":\"staff\",\"act\":\"certify\"";

/// An election's state, under the election's lock.
pub(crate) struct State {
    pub(crate) replayer: Replayer,
    /// The Merkle tree of the log (RFC 6962), one leaf per entry.
    pub(crate) tree: Tree,
    /// The entries about each unit, by unit id (a station's protocols, complaints, decisions).
    pub(crate) about: Vec<Vec<(u64, About)>>,
    /// When each of those entries that the log gives a time was made (`Replayer::made_at`),
    /// by entry index, ascending: none for imported protocols, so nothing for most of a log.
    pub(crate) made: Vec<(u64, record::Time)>,
    /// The totals of the legal count (`record::legal_count`), or why they cannot be kept (a
    /// total beyond 64 bits).
    pub(crate) tally: Result<Tally, TabulateError>,
    /// The totals of the other count (the machine count where the manual one is legal),
    /// without annulled stations: shown beside the legal count, never in its place.
    pub(crate) other_tally: Result<Tally, TabulateError>,
    /// The latest version of every protocol, with the log size it was gathered at.
    pub(crate) protocols: Option<(u64, Arc<Vec<Protocol>>)>,
    /// The forensic station flags, when computed (they are statistics over every station:
    /// recomputed at most every [`crate::FLAGS_EVERY`]).
    pub(crate) flags: Option<(Instant, Arc<Flags>)>,
    /// Whether a computation of the flags is under way.
    pub(crate) flagging: bool,
    /// The signed checkpoint of the log at its current size (none without a key).
    pub(crate) signed: Option<Signed>,
    /// The latest checkpoint cosigned by witnesses.
    pub(crate) cosigned: Cosigned,
    /// The unit search's index, built again only when units are added (a definition).
    pub(crate) index: Arc<model::search::UnitIndex>,
    /// The stations by their protocols' references, for the unit search.
    pub(crate) references: References,
    /// The audits' entries with their indices, and the protocols and decisions logged after
    /// the first audit began (`record::may_change_results`): `audit::logged` reads an audit
    /// from these alone (no page reads the whole log for them).
    pub(crate) audits: Vec<(u64, Vec<u8>)>,
    /// The protocol versions logged, of either count.
    pub(crate) versions: u64,
    /// The complaints with their statuses, and the decisions.
    pub(crate) register: Register,
}

impl State {
    /// The state of election `name` at the end of `log`.
    pub(crate) fn load(name: &str, log: &[Vec<u8>]) -> Result<State, ReadError> {
        let replay = |source| ReadError::Replay {
            election: name.to_string(),
            source: Box::new(source),
        };
        let mut it = log.iter();
        let first = it
            .next()
            .ok_or_else(|| ReadError::EmptyLog(name.to_string()))?;
        let replayer = Replayer::start(0, first).map_err(replay)?;
        let empty = count(&replayer, []);
        let mut tree = Tree::with_capacity(log.len() as u64);
        tree.append(first);
        let index = search::index(&replayer);
        let mut state = State {
            tree,
            about: Vec::new(),
            made: Vec::new(),
            tally: empty.clone(),
            other_tally: empty,
            replayer,
            protocols: None,
            flags: None,
            flagging: false,
            signed: None,
            cosigned: Cosigned::default(),
            index,
            references: References::default(),
            audits: Vec::new(),
            versions: 0,
            register: Register::default(),
        };
        state.apply(1, it.map(Vec::as_slice)).map_err(replay)?;
        // The tallies count the stations under each unit when they are made: now, with every
        // unit known.
        state.recount();
        Ok(state)
    }

    /// Replays entries from index `from`, keeping the totals up to date.
    pub(crate) fn apply<'b>(
        &mut self,
        from: u64,
        entries: impl Iterator<Item = &'b [u8]>,
    ) -> Result<(), RecordError> {
        // New units (the definition's entries) or an annulment: count again at the end.
        let units = self.replayer.election().units.len();
        let mut recount = false;
        for (k, b) in entries.enumerate() {
            let index = from + k as u64;
            self.tree.append(b);
            let pushed = self.replayer.push(index, b)?;
            // After an audit began, what may change the results it checks is kept with the
            // audits' entries (`audit::logged::logged` reads both).
            if !self.audits.is_empty() && record::may_change_results(b) {
                self.audits.push((index, b.to_vec()));
            }
            let (key, old, legal, overridden) = match pushed {
                Pushed::Protocol {
                    key,
                    old,
                    legal,
                    overridden,
                } => {
                    self.versions += 1;
                    (key, old, legal, overridden)
                }
                Pushed::Decision { unit, kind } => {
                    recount |= matches!(kind, DecisionKind::AnnulUnit | DecisionKind::Revote);
                    self.note(unit, index, About::Decision(kind.key()));
                    self.register.decided(index, kind, unit);
                    continue;
                }
                Pushed::Complaint(c) => {
                    self.note(c.unit, index, About::Complaint);
                    let at = self.replayer.made_at();
                    self.register.filed(index, at, &c);
                    continue;
                }
                Pushed::Review(r) => {
                    let at = self.replayer.made_at();
                    self.register.reviewed(index, at, &r);
                    continue;
                }
                Pushed::Audit => {
                    self.audits.push((index, b.to_vec()));
                    continue;
                }
                Pushed::Other => {
                    if b.get(1..).is_some_and(|j| j.starts_with(CERTIFY)) {
                        if let Ok(record::Entry::Staff(st)) = record::decode(index, b) {
                            if let record::StaffAct::Certify { reason } = &st.act {
                                self.register.certified(index, st.time, reason.as_deref());
                            }
                        }
                    }
                    continue;
                }
            };
            let count = match legal {
                true => self.replayer.latest(),
                false => self.replayer.other_count(),
            };
            let Some(new) = count.get(&key) else {
                continue;
            };
            self.references
                .note(UnitId(key.0), new.reference.as_deref());
            let about = About::Protocol {
                contest: key.1 as u32,
                version: new.version,
                source: new.source,
                overridden,
            };
            self.note(UnitId(key.0), index, about);
            if key.1 != 0 {
                continue;
            }
            let e = self.replayer.election();
            let new = match legal {
                true => &self.replayer.latest()[&key],
                false => &self.replayer.other_count()[&key],
            };
            let counted = Filter::excluding(self.replayer.annulled().iter().copied())
                .admits(&e.units, new.station);
            // Counted again at the end anyway: no need to keep the totals up to date now.
            if recount || e.units.len() != units || !counted {
                continue;
            }
            // A total beyond 64 bits changes nothing in the tally, which no longer follows the
            // log: counted again at the end, when it is an error until a correction comes.
            let tally = match legal {
                true => &mut self.tally,
                false => &mut self.other_tally,
            };
            let kept = match tally {
                Ok(t) => t.replace(&e.units, old.as_deref(), new).is_ok(),
                Err(_) => false,
            };
            recount |= !kept;
        }
        if self.replayer.election().units.len() != units {
            self.index = search::index(&self.replayer);
        }
        if recount || self.replayer.election().units.len() != units {
            self.recount();
        }
        Ok(())
    }

    /// Signs a checkpoint of the log at its current size, if it has grown since the last.
    pub(crate) fn sign(&mut self, signing: &Signing, name: &str) -> Result<(), ReadError> {
        let size = self.tree.size();
        if self.signed.as_ref().is_none_or(|s| s.size != size) {
            self.signed = Some(signing.sign(name, &self.tree, size)?);
        }
        Ok(())
    }

    /// Notes an entry about a unit.
    fn note(&mut self, unit: UnitId, index: u64, about: About) {
        let i = unit.index();
        if self.about.len() <= i {
            self.about.resize_with(i + 1, Vec::new);
        }
        self.about[i].push((index, about));
        if let Some(t) = self.replayer.made_at() {
            self.made.push((index, t));
        }
    }

    /// Counts every total again (after an annulment).
    fn recount(&mut self) {
        self.tally = count(&self.replayer, self.replayer.latest().values());
        self.other_tally = count(&self.replayer, self.replayer.other_count().values());
    }
}

/// The totals of the first contest over `protocols`, without annulled stations.
fn count<'p>(
    replayer: &Replayer,
    protocols: impl IntoIterator<Item = &'p Protocol>,
) -> Result<Tally, TabulateError> {
    let e = replayer.election();
    let filter = Filter::excluding(replayer.annulled().iter().copied());
    tabulate(
        e,
        0,
        protocols.into_iter().filter(|p| p.contest == 0),
        filter,
    )
}
