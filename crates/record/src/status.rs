//! What an election's log says of its result, as a listing or a page states it: still open
//! (nothing published), preliminary (published, not certified: it may change), certified, or
//! annulled, each with the entry that made it so. It refines [`Standing`] (which says only
//! what the election may still take) with the publications, and follows the same entries:
//! a final publication certifies, a decision annulling the whole election annuls, a `reopen`
//! decision opens the election again.

use crate::entry::{Decision, Entry};
use crate::kinds::Stage;
use crate::wire::decode;
use crate::{is_protocol, RecordError, Standing};

/// An election's status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    /// Nothing published yet: the count goes on.
    #[default]
    Open,
    /// Results are published but not certified: they may still change.
    Preliminary {
        /// The log index of the latest publication of the first contest.
        publication: u64,
    },
    /// The result is certified (the final publication): the election is frozen.
    Certified {
        /// The log index of the final publication of the first contest.
        publication: u64,
    },
    /// The whole election is annulled: it stays visible, marked, and frozen.
    Annulled {
        /// The log index of the decision.
        decision: u64,
        /// The commitment to the decision's reason (its text is public content).
        reason: String,
    },
}

impl Status {
    /// Its name, as listings and the API give it: `open`, `preliminary`, `certified` or
    /// `annulled`.
    pub fn key(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Preliminary { .. } => "preliminary",
            Status::Certified { .. } => "certified",
            Status::Annulled { .. } => "annulled",
        }
    }

    /// The log index of the entry that made it so (a publication, a decision); none while
    /// open.
    pub fn index(&self) -> Option<u64> {
        match self {
            Status::Open => None,
            Status::Preliminary { publication } | Status::Certified { publication } => {
                Some(*publication)
            }
            Status::Annulled { decision, .. } => Some(*decision),
        }
    }

    /// What the election may still take ([`Standing`]).
    pub fn standing(&self) -> Standing {
        match self {
            Status::Open | Status::Preliminary { .. } => Standing::Open,
            Status::Certified { .. } => Standing::Certified,
            Status::Annulled { .. } => Standing::Annulled,
        }
    }
}

/// Follows an election's status entry by entry (the replay keeps one).
#[derive(Debug, Clone, Default)]
pub struct StatusTrack {
    status: Status,
    /// The latest publication of the first contest, whatever its stage.
    published: Option<u64>,
}

impl StatusTrack {
    /// The status after the entries pushed so far.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Takes entry `index` into account (an entry the log's rules accept there).
    pub fn push(&mut self, index: u64, entry: &Entry) {
        match entry {
            // The first contest's publication is the election's (a certification publishes
            // it first, the other contests after it).
            Entry::Publication(p) if p.contest == 0 => {
                self.published = Some(index);
                let publication = index;
                self.status = match (&self.status, p.stage) {
                    (_, Stage::Final) => Status::Certified { publication },
                    (Status::Open | Status::Preliminary { .. }, Stage::Preliminary) => {
                        Status::Preliminary { publication }
                    }
                    (other, Stage::Preliminary) => other.clone(),
                };
            }
            Entry::Decision(Decision::AnnulElection { reason }) => {
                self.status = Status::Annulled {
                    decision: index,
                    reason: reason.clone(),
                };
            }
            Entry::Decision(Decision::Reopen { .. }) => {
                self.status = match self.published {
                    Some(publication) => Status::Preliminary { publication },
                    None => Status::Open,
                };
            }
            _ => {}
        }
    }
}

/// The status at the end of a log, given as (index, bytes) from entry 0 on, without a
/// replay: protocol entries (most of a log) are passed over unread. For a listing of stored
/// elections, whose logs the store has checked as it appended them; a page's status comes
/// from the replay (`Replayer::status`).
pub fn status_of<'a>(
    entries: impl IntoIterator<Item = (u64, &'a [u8])>,
) -> Result<Status, RecordError> {
    let mut track = StatusTrack::default();
    for (index, bytes) in entries {
        if !is_protocol(bytes) {
            track.push(index, &decode(index, bytes)?);
        }
    }
    Ok(track.status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{encode, Publication};

    fn published(stage: Stage, contest: usize) -> Entry {
        Entry::Publication(Publication {
            stage,
            contest,
            stations_counted: 1,
            votes: vec![1],
            valid: None,
            invalid: None,
            seats: None,
        })
    }

    fn decided(annul: bool) -> Entry {
        let reason = "r".repeat(64);
        Entry::Decision(match annul {
            true => Decision::AnnulElection { reason },
            false => Decision::Reopen { reason },
        })
    }

    /// What a log shows, its entries with their indexes, and its status.
    type Case = (&'static str, Vec<(u64, Entry)>, Status);

    #[test]
    fn each_log_gets_its_status() {
        use Stage::{Final, Preliminary};
        let annulled = |decision| Status::Annulled {
            decision,
            reason: "r".repeat(64),
        };
        let cases: Vec<Case> = vec![
            ("nothing published", vec![], Status::Open),
            (
                "a preliminary publication",
                vec![(5, published(Preliminary, 0))],
                Status::Preliminary { publication: 5 },
            ),
            (
                "the first contest's publication is the election's",
                vec![
                    (5, published(Preliminary, 0)),
                    (6, published(Preliminary, 1)),
                ],
                Status::Preliminary { publication: 5 },
            ),
            (
                "a later preliminary publication",
                vec![
                    (5, published(Preliminary, 0)),
                    (9, published(Preliminary, 0)),
                ],
                Status::Preliminary { publication: 9 },
            ),
            (
                "certified",
                vec![(5, published(Preliminary, 0)), (7, published(Final, 0))],
                Status::Certified { publication: 7 },
            ),
            (
                "certified, then annulled (Kyrgyzstan, 6 October 2020)",
                vec![(7, published(Final, 0)), (9, decided(true))],
                annulled(9),
            ),
            (
                "annulled before anything was published",
                vec![(3, decided(true))],
                annulled(3),
            ),
            (
                "annulled and reopened after a publication",
                vec![
                    (7, published(Final, 0)),
                    (9, decided(true)),
                    (10, decided(false)),
                ],
                Status::Preliminary { publication: 7 },
            ),
            (
                "annulled and reopened with nothing published",
                vec![(3, decided(true)), (4, decided(false))],
                Status::Open,
            ),
        ];
        for (what, entries, want) in cases {
            let mut track = StatusTrack::default();
            for (i, e) in &entries {
                track.push(*i, e);
            }
            assert_eq!(track.status(), &want, "{what}");
            // The same from the encoded entries, as a listing reads them.
            let bytes: Vec<(u64, Vec<u8>)> = entries.iter().map(|(i, e)| (*i, encode(e))).collect();
            let got = status_of(bytes.iter().map(|(i, b)| (*i, b.as_slice()))).unwrap();
            assert_eq!(got, want, "{what}, encoded");
            assert_eq!(got.standing(), want.standing(), "{what}");
        }
        let keys: Vec<&str> = [
            Status::Open,
            Status::Preliminary { publication: 1 },
            Status::Certified { publication: 2 },
            annulled(3),
        ]
        .iter()
        .map(|s| s.key())
        .collect();
        assert_eq!(keys, ["open", "preliminary", "certified", "annulled"]);
        assert_eq!(annulled(3).index(), Some(3));
        assert_eq!(Status::Open.index(), None);
    }
}
