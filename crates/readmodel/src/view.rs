//! An election's state as a read sees it, and what its log says about each unit.

use std::sync::Arc;

use model::{CountSource, Election, Protocol, UnitId};
use record::Time;
use tabulate::{Filter, Tally};
use translog::Hash;

use crate::signed::Signed;
use crate::state::State;
use crate::ReadError;

/// An election's state, as a read sees it (under the election's lock).
pub struct View<'a> {
    pub(crate) state: &'a mut State,
}

impl View<'_> {
    /// The election's quick counts (an observer group's log), as the log stands.
    pub fn quick_counts(&self) -> Vec<record::QuickCount> {
        self.state.replayer.quick_counts()
    }

    /// The quick counts' state: what checks a report before it is logged, cheaply.
    pub fn quick(&self) -> &record::QuickCounts {
        self.state.replayer.quick()
    }

    /// The incident reports, with their statuses (revision 9).
    pub fn incidents(&self) -> &record::Incidents {
        self.state.replayer.incidents()
    }

    /// The election.
    pub fn election(&self) -> &Election {
        self.state.replayer.election()
    }

    /// The law preset the election is held under, as its log's definition names it (none
    /// for an election imported without one).
    pub fn law(&self) -> Option<&str> {
        self.election().law.as_deref()
    }

    /// The date of the vote (`YYYY-MM-DD`), as its log's definition gives it.
    pub fn date(&self) -> Option<&str> {
        self.election().date.as_deref()
    }

    /// Open, preliminary, certified or annulled, and by which entry (`record::Status`).
    pub fn status(&self) -> &record::Status {
        self.state.replayer.status()
    }

    /// The log's size this state is at.
    pub fn size(&self) -> u64 {
        self.state.replayer.len()
    }

    /// The latest staff entry's time (`record::Replayer::as_of`): the log is as of then.
    pub fn as_of(&self) -> Option<Time> {
        self.state.replayer.as_of()
    }

    /// The totals of the first contest, without annulled stations; an error naming the unit
    /// when they do not fit in 64 bits.
    pub fn tally(&self) -> Result<&Tally, ReadError> {
        self.state.tally.as_ref().map_err(|e| e.clone().into())
    }

    /// Units whose stations leave the totals (annulled, or ordered to re-vote).
    pub fn annulled(&self) -> &[UnitId] {
        self.state.replayer.annulled()
    }

    /// Units where a re-vote was ordered.
    pub fn revotes(&self) -> &[UnitId] {
        self.state.replayer.revotes()
    }

    /// Whether the election is open, certified or annulled (`record::Standing`).
    pub fn standing(&self) -> record::Standing {
        self.state.replayer.standing()
    }

    /// Whether the whole election is annulled (it stays visible, marked).
    pub fn election_annulled(&self) -> bool {
        self.state.replayer.election_annulled()
    }

    /// The latest version of a station's protocol for a contest.
    pub fn protocol(&self, station: UnitId, contest: usize) -> Option<&Protocol> {
        self.state.replayer.latest().get(&(station.0, contest))
    }

    /// The protocol versions logged, of either count.
    pub fn protocol_versions(&self) -> u64 {
        self.state.versions
    }

    /// The election's stations.
    pub fn stations(&self) -> u64 {
        let units = &self.state.replayer.election().units;
        units
            .iter()
            .filter(|(_, u)| u.level == model::UnitLevel::Station)
            .count() as u64
    }

    /// The complaints, each with its status and reviews, in the order they were filed.
    pub fn complaints(&self) -> &[crate::Filed] {
        &self.state.register.complaints
    }

    /// The certifications made while complaints were open, each with its reason's
    /// commitment and the complaints open then.
    pub fn certified_over(&self) -> &[crate::CertifiedOver] {
        &self.state.register.certified_over
    }

    /// The decisions, in the order they were taken.
    pub fn decisions(&self) -> &[crate::Decided] {
        &self.state.register.decisions
    }

    /// The audits' entries, and the protocols and decisions logged after the first audit
    /// began (what may change the results an audit checks), each with its index in the log.
    pub fn audit_entries(&self) -> impl Iterator<Item = (u64, &[u8])> + Clone {
        self.state.audits.iter().map(|(i, b)| (*i, b.as_slice()))
    }

    /// The latest version of every protocol, by station and contest (built once per log
    /// size, when first asked for).
    pub fn protocols(&mut self) -> Arc<Vec<Protocol>> {
        let size = self.state.replayer.len();
        match &self.state.protocols {
            Some((at, ps)) if *at == size => Arc::clone(ps),
            _ => {
                let ps: Arc<Vec<Protocol>> =
                    Arc::new(self.state.replayer.latest().values().cloned().collect());
                self.state.protocols = Some((size, Arc::clone(&ps)));
                ps
            }
        }
    }

    /// The count that is the legal result (`record::legal_count`): [`View::tally`] is its.
    pub fn legal_count(&self) -> CountSource {
        self.state.replayer.legal_count()
    }

    /// The totals of each station's latest count of `source` (first contest), without
    /// annulled stations: the legal count's are [`View::tally`]; the other's are shown
    /// beside them, never in their place. An error naming the unit when they do not fit in
    /// 64 bits.
    pub fn source_tally(&self, source: CountSource) -> Result<&Tally, ReadError> {
        let t = match source == self.legal_count() {
            true => &self.state.tally,
            false => &self.state.other_tally,
        };
        t.as_ref().map_err(|e| e.clone().into())
    }

    /// The latest protocol of each station counted by `source` (first contest), by station.
    pub fn by_source(&self, source: CountSource) -> Vec<Protocol> {
        let count = match source == self.legal_count() {
            true => self.state.replayer.latest(),
            false => self.state.replayer.other_count(),
        };
        count.values().filter(|p| p.contest == 0).cloned().collect()
    }

    /// The signed checkpoint of the log at this state's size, with the witnesses'
    /// cosignatures if they cosigned this very size; `None` when the service signs no log.
    pub fn checkpoint(&self) -> Option<Signed> {
        let signed = self.state.signed.clone()?;
        match self.state.cosigned.note() {
            Some(c) if c.size == signed.size => Some(c),
            _ => Some(signed),
        }
    }

    /// The latest checkpoint that witnesses cosigned, with their cosignatures.
    pub fn cosigned(&self) -> Option<Signed> {
        self.state.cosigned.note()
    }

    /// A hash tile of the log at this state's size (`translog::tiles`): tile level `level`,
    /// index `index`, `width` hashes; `None` when the log at this size has no such tile.
    pub fn hash_tile(&self, level: u8, index: u64, width: u64) -> Option<Vec<u8>> {
        tile_in(self.size(), Some(level), index, width)
            .then(|| translog::tiles::hash_tile(&self.state.tree, level, index, width).ok())
            .flatten()
    }

    /// The log keys and witness keys the log declares (its latest `keys` entry), if any.
    pub fn keys(&self) -> Option<&(Vec<String>, Vec<String>)> {
        self.state.replayer.keys()
    }

    /// Whether the content behind a commitment of the log may be published
    /// (`record::PublicContent`: staff names and the commission's texts yes, observers'
    /// and complainants' names never).
    pub fn content_is_public(&self, commitment: &str) -> bool {
        self.state.replayer.public_content().is_public(commitment)
    }

    /// The log's current root (RFC 6962 Merkle tree hash).
    pub fn root(&self) -> Hash {
        self.state.tree.root()
    }

    /// The consistency proof (RFC 6962 PROOF) from log size `from` to log size `to`, both
    /// at most this state's size: that the log at `from` is a prefix of the log at `to`.
    pub fn consistency(&self, from: u64, to: u64) -> Result<Vec<Hash>, translog::LogError> {
        self.state.tree.consistency_proof(from, to)
    }

    /// The entries about a unit, with their inclusion proofs in the current log.
    pub fn logged(&self, unit: UnitId) -> Result<Vec<Logged>, ReadError> {
        let tree = &self.state.tree;
        let size = tree.size();
        let Some(list) = self.state.about.get(unit.index()) else {
            return Ok(Vec::new());
        };
        list.iter()
            .map(|(index, about)| {
                let (index, about) = (*index, about.clone());
                let made = &self.state.made;
                Ok(Logged {
                    index,
                    about,
                    made_at: made
                        .binary_search_by_key(&index, |&(i, _)| i)
                        .ok()
                        .map(|k| made[k].1),
                    leaf: tree.leaf(index).ok_or(ReadError::NoEntry { index, size })?,
                    proof: tree.inclusion_proof(index, size).map_err(|source| {
                        ReadError::Proof {
                            index,
                            size,
                            source,
                        }
                    })?,
                })
            })
            .collect()
    }

    /// The stations counted: all but those under annulled units.
    pub fn filter(&self) -> Filter {
        Filter::excluding(self.annulled().iter().copied())
    }
}

/// Whether a log of `size` entries has the tile `index` of width `width` at tile level `level`
/// (`None`: the entry bundles): a full tile, or the partial tile at its end.
pub fn tile_in(size: u64, level: Option<u8>, index: u64, width: u64) -> bool {
    let count = size >> (8 * u32::from(level.unwrap_or(0)));
    let full = count / translog::tiles::WIDTH;
    match width == translog::tiles::WIDTH {
        true => index < full,
        false => index == full && width == count % translog::tiles::WIDTH,
    }
}

/// What a log entry about a unit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    /// A protocol version.
    Protocol {
        /// The contest's index.
        contest: u32,
        /// The version.
        version: u32,
        /// Machine or manual.
        source: CountSource,
        /// The commitment to the reason of the commissioner's override that let it count
        /// though it breaks an error-level control relation, if one did.
        overridden: Option<String>,
    },
    /// A complaint.
    Complaint,
    /// A decision, by kind.
    Decision(&'static str),
}

/// A logged entry about a unit, with its inclusion proof in the current log.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The entry's index.
    pub index: u64,
    /// What it is.
    pub about: About,
    /// When it was made (the time of the staff entry of the act that logged it), if the log
    /// says: none for an imported protocol.
    pub made_at: Option<Time>,
    /// Its leaf hash, SHA-256(0x00 || entry) (RFC 6962).
    pub leaf: Hash,
    /// The inclusion proof for the log's current size, leaf level first.
    pub proof: Vec<Hash>,
}
