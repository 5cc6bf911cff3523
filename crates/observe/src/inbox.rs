//! Observers' messages taken one after another, as a quick count's coordinator (or its
//! service) receives them: each joined from its parts, read ([`crate::sms`]), its station
//! found among the drawn ones ([`crate::numbers`]), its sender checked against the station's
//! observers, its counts against what a station can have; then kept beside the other
//! observers' reports of the station, never in their place. Agreeing reports confirm each
//! other; reports that differ are all kept and the station is in conflict until a
//! supervisor chooses (which this does not do: it says which stations need it). A sender's
//! later report of a station replaces their own earlier one (their correction), and only
//! theirs. Every message gets its [`Reply`].

use std::collections::{BTreeMap, HashMap};

use model::{Line, Protocol, UnitId};

use crate::codes::{Codebook, Field};
use crate::numbers::StationNumbers;
use crate::parts::{Part, Parts};
use crate::sms::{read, SmsReport};
use crate::ObserveError;

/// A message as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// Who sent it: a pseudonym, or any key that is the same for every message of a sender.
    pub sender: &'a str,
    /// Its text (or its part's).
    pub text: &'a str,
    /// Its part, for a message sent in parts: (reference, part, parts).
    pub part: Option<(u32, u32, u32)>,
}

/// What a message came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The station's first report, or the sender's only one there.
    Recorded {
        /// The station's number.
        station: String,
    },
    /// A report that agrees with every other observer's of the station: `observers` in all.
    Confirmed {
        /// The station's number.
        station: String,
        /// Observers whose reports agree, this one included.
        observers: usize,
    },
    /// A report that differs from another observer's: both are kept, and a supervisor
    /// chooses.
    Conflict {
        /// The station's number.
        station: String,
    },
}

/// The answer to a message: what it came to, or why it was refused.
pub type Reply = Result<Taken, ObserveError>;

/// A station's reports, one per sender (their latest), in the order they arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The station, by its index among the drawn ones.
    pub station: usize,
    /// (sender, report), one per sender.
    pub reports: Vec<(String, SmsReport)>,
}

impl Reported {
    /// The report every observer agrees on, if they do.
    pub fn agreed(&self) -> Option<&SmsReport> {
        let (_, first) = self.reports.first()?;
        self.reports
            .iter()
            .all(|(_, r)| same_counts(r, first))
            .then_some(first)
    }
}

/// Whether two reports give the same counts (the station as typed may differ: `0123` and
/// `123`).
fn same_counts(a: &SmsReport, b: &SmsReport) -> bool {
    let mut la = a.lines.clone();
    let mut lb = b.lines.clone();
    la.sort_by_key(|&(l, _)| l.key());
    lb.sort_by_key(|&(l, _)| l.key());
    a.votes == b.votes && la == lb
}

/// The messages of a quick count, taken one by one.
#[derive(Debug, Clone)]
pub struct Inbox<'a> {
    book: &'a Codebook,
    numbers: &'a StationNumbers,
    /// Each sender's stations, when the observers are known.
    assigned: Option<&'a HashMap<String, Vec<usize>>>,
    parts: Parts,
    stations: BTreeMap<usize, Reported>,
}

impl<'a> Inbox<'a> {
    /// An inbox reading by `book`'s codes, finding stations by `numbers`; with `assigned`,
    /// a sender may report only the stations assigned to them.
    pub fn new(
        book: &'a Codebook,
        numbers: &'a StationNumbers,
        assigned: Option<&'a HashMap<String, Vec<usize>>>,
    ) -> Inbox<'a> {
        Inbox {
            book,
            numbers,
            assigned,
            parts: Parts::default(),
            stations: BTreeMap::new(),
        }
    }

    /// Takes a message received at `now` (Unix seconds): its reply, or `None` for a part
    /// of a message still waiting for its other parts. A refused message changes nothing.
    pub fn take(&mut self, m: &Message<'_>, now: u64) -> Option<Reply> {
        let text = match m.part {
            Some((reference, part, parts)) => {
                let p = Part {
                    sender: m.sender,
                    reference,
                    part,
                    parts,
                    text: m.text,
                };
                match self.parts.add(&p, now) {
                    Ok(Some(whole)) => whole,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                }
            }
            None => m.text.to_string(),
        };
        Some(self.report(m.sender, &text))
    }

    fn report(&mut self, sender: &str, text: &str) -> Reply {
        let report = read(text, self.book)?;
        let station =
            self.numbers
                .find(&report.station)
                .ok_or_else(|| ObserveError::NotInSample {
                    station: report.station.clone(),
                })?;
        if let Some(assigned) = self.assigned {
            let theirs = assigned.get(sender).ok_or(ObserveError::UnknownSender)?;
            if !theirs.contains(&station) {
                return Err(ObserveError::NotAssigned {
                    station: report.station.clone(),
                });
            }
        }
        self.plausible(&report)?;
        let number = self.numbers.number(station).to_string();
        let here = self.stations.entry(station).or_insert_with(|| Reported {
            station,
            reports: Vec::new(),
        });
        match here.reports.iter_mut().find(|(s, _)| s == sender) {
            Some((_, own)) => *own = report,
            None => here.reports.push((sender.to_string(), report)),
        }
        Ok(match (here.agreed(), here.reports.len()) {
            (Some(_), 1) => Taken::Recorded { station: number },
            (Some(_), n) => Taken::Confirmed {
                station: number,
                observers: n,
            },
            (None, _) => Taken::Conflict { station: number },
        })
    }

    /// A report's counts against the plausibility bound of protocols typed by hand
    /// (`model::check_plausible`, by its own registered voters if given) and against the
    /// ballots issued, if given: the votes and the invalid ballots are never more.
    fn plausible(&self, r: &SmsReport) -> Result<(), ObserveError> {
        let mut p = Protocol::new(UnitId(0), 0, self.book.choices());
        for &(line, n) in &r.lines {
            p.set_line(line, n);
        }
        p.votes = r.votes.clone();
        if let Err(model::ModelError::Implausible {
            field,
            value,
            bound,
            ..
        }) = model::check_plausible(&p, None)
        {
            let f = match field.strip_prefix("votes[") {
                Some(k) => Field::Choice(k.trim_end_matches(']').parse().unwrap_or(0)),
                None => Field::Line(
                    Line::ALL
                        .iter()
                        .copied()
                        .find(|l| l.key() == field)
                        .unwrap_or(Line::Registered),
                ),
            };
            return Err(ObserveError::Implausible {
                code: self.book.code(f).unwrap_or("?").to_string(),
                count: value,
                bound,
            });
        }
        if let Some(issued) = p.line(Line::IssuedTotal) {
            // Each count is below 10^9 (`sms::MAX_DIGITS`): the sums fit.
            let votes: u64 = r.votes.iter().sum();
            let invalid = p.line(Line::Invalid).unwrap_or(0);
            if votes + invalid > issued {
                return Err(ObserveError::Relation {
                    votes,
                    invalid,
                    issued,
                });
            }
        }
        Ok(())
    }

    /// Gives up the messages whose parts stopped arriving before `now`: their senders, each
    /// to be told (`ObserveError::Incomplete`).
    pub fn expire(&mut self, now: u64) -> Vec<String> {
        self.parts.expire(now).into_iter().map(|(s, _)| s).collect()
    }

    /// Every station reported, in the drawn stations' order.
    pub fn stations(&self) -> impl Iterator<Item = &Reported> {
        self.stations.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Codebook, StationNumbers, HashMap<String, Vec<usize>>) {
        let book = Codebook::default_for(2);
        let numbers = StationNumbers::of(&[("R / D / 101", 0), ("R / D / 102", 0)]).unwrap();
        let assigned = HashMap::from([
            ("ann".to_string(), vec![0]),
            ("bob".to_string(), vec![0]),
            ("cid".to_string(), vec![1]),
        ]);
        (book, numbers, assigned)
    }

    fn msg<'a>(sender: &'a str, text: &'a str) -> Message<'a> {
        Message {
            sender,
            text,
            part: None,
        }
    }

    #[test]
    fn observers_reports_confirm_each_other_or_stand_side_by_side() {
        let (book, numbers, assigned) = setup();
        let mut inbox = Inbox::new(&book, &numbers, Some(&assigned));
        let station = || "101".to_string();
        assert_eq!(
            inbox.take(&msg("ann", "PVT 101 A10 C20"), 0),
            Some(Ok(Taken::Recorded { station: station() }))
        );
        assert_eq!(
            inbox.take(&msg("bob", "ПВТ 0101 А10 С20"), 1),
            Some(Ok(Taken::Confirmed {
                station: station(),
                observers: 2
            }))
        );
        assert_eq!(
            inbox.take(&msg("bob", "PVT 101 A11 C20"), 2),
            Some(Ok(Taken::Conflict { station: station() }))
        );
        let r = inbox.stations().next().unwrap();
        assert_eq!(r.reports.len(), 2);
        assert_eq!(r.agreed(), None);
        // Bob's correction replaces his own report only; they agree again.
        assert_eq!(
            inbox.take(&msg("bob", "PVT 101 A10 C20"), 3),
            Some(Ok(Taken::Confirmed {
                station: station(),
                observers: 2
            }))
        );
        assert_eq!(
            inbox.stations().next().unwrap().agreed().unwrap().votes,
            [10, 20]
        );
    }

    #[test]
    fn a_refused_message_changes_nothing() {
        let (book, numbers, assigned) = setup();
        let mut inbox = Inbox::new(&book, &numbers, Some(&assigned));
        for (sender, text, want) in [
            (
                "ann",
                "PVT 103 A1 C2",
                ObserveError::NotInSample {
                    station: "103".into(),
                },
            ),
            (
                "cid",
                "PVT 101 A1 C2",
                ObserveError::NotAssigned {
                    station: "101".into(),
                },
            ),
            ("eve", "PVT 101 A1 C2", ObserveError::UnknownSender),
            (
                "ann",
                "PVT 101 E500 A1 C700",
                ObserveError::Implausible {
                    code: "C".into(),
                    count: 700,
                    bound: 600,
                },
            ),
            (
                "ann",
                "PVT 101 B30 X2 A10 C20",
                ObserveError::Relation {
                    votes: 30,
                    invalid: 2,
                    issued: 30,
                },
            ),
            (
                "ann",
                "PVT 101 A1",
                ObserveError::Missing {
                    codes: vec!["C".into()],
                },
            ),
        ] {
            assert_eq!(inbox.take(&msg(sender, text), 0), Some(Err(want)), "{text}");
        }
        assert_eq!(inbox.stations().count(), 0);
        // Without a list of observers, anyone may report any drawn station.
        let mut open = Inbox::new(&book, &numbers, None);
        assert!(matches!(
            open.take(&msg("eve", "PVT 101 A1 C2"), 0),
            Some(Ok(Taken::Recorded { .. }))
        ));
    }

    #[test]
    fn a_message_in_parts_is_read_once_whole_or_given_up() {
        let (book, numbers, _) = setup();
        let mut inbox = Inbox::new(&book, &numbers, None);
        let part = |p: u32, text: &'static str| Message {
            sender: "ann",
            text,
            part: Some((9, p, 2)),
        };
        assert_eq!(inbox.take(&part(2, " C20"), 0), None);
        assert_eq!(
            inbox.take(&part(1, "PVT 102 A10"), 1),
            Some(Ok(Taken::Recorded {
                station: "102".into()
            }))
        );
        assert_eq!(inbox.take(&part(1, "PVT 101 A10"), 2), None);
        assert_eq!(inbox.expire(2 + crate::parts::PART_WAIT + 1), ["ann"]);
    }
}
