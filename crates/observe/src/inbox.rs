//! Observers' messages taken one after another, as a quick count's coordinator (or its
//! service) receives them: each joined from its parts, read ([`crate::sms`]), its station
//! found among the drawn ones ([`crate::numbers`]), its sender checked against the station's
//! observers (before any part of a message is kept), its counts against what a station can
//! have; then kept beside the other observers' reports of the station, never in their place.
//! Agreeing reports (the same votes and lines: the log's rule) confirm
//! each other; reports that differ are all kept and the station is in conflict until a
//! supervisor chooses (which this does not do: it says which stations need it). A sender's
//! later report of a station replaces their own earlier one (their correction), and only
//! theirs. Every message gets its [`Reply`], in the alphabet of the whole message.

use std::collections::{BTreeMap, HashMap};

use model::{Line, Protocol, UnitId};

use crate::codes::{Codebook, Field};
use crate::numbers::StationNumbers;
use crate::parts::{Part, Parts};
use crate::sms::{items, read, Alphabet, SmsReport};
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

/// What a message came to; each carries the counts as read (`sms::items`), which the reply
/// repeats so that the observer sees every count as it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The station's first report, or the sender's only one there.
    Recorded {
        /// The station's number.
        station: String,
        /// The report as read.
        read: String,
    },
    /// A report that agrees with every other observer's of the station: `observers` in all.
    Confirmed {
        /// The station's number.
        station: String,
        /// Observers whose reports agree, this one included.
        observers: usize,
        /// The report as read.
        read: String,
    },
    /// A report that differs from another observer's: both are kept, and a supervisor
    /// chooses.
    Conflict {
        /// The station's number.
        station: String,
        /// The report as read.
        read: String,
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
    /// The report every observer agrees on, if they do ([`agree`]).
    pub fn agreed(&self) -> Option<SmsReport> {
        let (_, first) = self.reports.first()?;
        self.reports[1..]
            .iter()
            .all(|(_, r)| agree(first, r))
            .then(|| first.clone())
    }
}

/// Whether two reports agree: the same votes, and the same lines with the same numbers in
/// whatever order the messages gave them (the rule the quick count's log holds observers'
/// copies to: `record`'s replay counts a station only with copies that give the same counts);
/// the station as typed may differ (`0123` and `123`).
fn agree(a: &SmsReport, b: &SmsReport) -> bool {
    let sorted = |r: &SmsReport| {
        let mut l = r.lines.clone();
        l.sort_unstable();
        l
    };
    a.votes == b.votes && sorted(a) == sorted(b)
}

/// The answer to a message: its reply, and the alphabet of the whole message (joined from
/// its parts), which the reply is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The reply.
    pub reply: Reply,
    /// The message's alphabet.
    pub alphabet: Alphabet,
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

    /// Takes a message received at `now` (Unix seconds): its answer, or `None` for a part
    /// of a message still waiting for its other parts (or received again). A refused message
    /// changes nothing; a sender who is not an observer is refused before any part is kept.
    pub fn take(&mut self, m: &Message<'_>, now: u64) -> Option<Answer> {
        if self.assigned.is_some_and(|a| !a.contains_key(m.sender)) {
            return Some(Answer {
                reply: Err(ObserveError::UnknownSender),
                alphabet: Alphabet::of(m.text),
            });
        }
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
                    Err(e) => {
                        return Some(Answer {
                            reply: Err(e),
                            alphabet: Alphabet::of(m.text),
                        })
                    }
                }
            }
            None => m.text.to_string(),
        };
        Some(Answer {
            reply: self.report(m.sender, &text),
            alphabet: Alphabet::of(&text),
        })
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
        check_counts(&report, self.book)?;
        let number = self.numbers.number(station).to_string();
        let as_read = items(&report, self.book);
        let here = self.stations.entry(station).or_insert_with(|| Reported {
            station,
            reports: Vec::new(),
        });
        match here.reports.iter_mut().find(|(s, _)| s == sender) {
            Some((_, own)) => *own = report,
            None => here.reports.push((sender.to_string(), report)),
        }
        Ok(match (here.agreed(), here.reports.len()) {
            (Some(_), 1) => Taken::Recorded {
                station: number,
                read: as_read,
            },
            (Some(_), n) => Taken::Confirmed {
                station: number,
                observers: n,
                read: as_read,
            },
            (None, _) => Taken::Conflict {
                station: number,
                read: as_read,
            },
        })
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

/// A report's counts (read by `book`) held to what an observer's copy may give (`model::check_copy`: the
/// plausibility bound of protocols typed by hand, by its own registered voters, and no
/// more votes and invalid ballots than ballots issued), the one rule of every channel.
pub fn check_counts(r: &SmsReport, book: &Codebook) -> Result<(), ObserveError> {
    let mut p = Protocol::new(UnitId(0), 0, book.choices());
    for &(line, n) in &r.lines {
        p.set_line(line, n);
    }
    p.votes = r.votes.clone();
    match model::check_copy(&p, None) {
        Ok(()) => Ok(()),
        Err(model::ModelError::Exceeds {
            votes,
            invalid,
            issued,
        }) => Err(ObserveError::Relation {
            votes,
            invalid,
            issued,
        }),
        Err(model::ModelError::Implausible {
            field,
            value,
            bound,
            ..
        }) => {
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
            Err(ObserveError::Implausible {
                code: book.code(f).unwrap_or("?").to_string(),
                count: value,
                bound,
            })
        }
        // `check_copy` refuses with one of the two above only.
        Err(other) => Err(ObserveError::Implausible {
            code: other.to_string(),
            count: 0,
            bound: 0,
        }),
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

    /// What a message from `sender` came to.
    fn reply(inbox: &mut Inbox<'_>, sender: &str, text: &str) -> Reply {
        inbox
            .take(&msg(sender, text), 0)
            .expect("a whole message")
            .reply
    }

    #[test]
    fn observers_reports_confirm_each_other_or_stand_side_by_side() {
        let (book, numbers, assigned) = setup();
        let mut inbox = Inbox::new(&book, &numbers, Some(&assigned));
        let station = || "101".to_string();
        let read = || "E500 B300 X2 A100 C198".to_string();
        assert_eq!(
            reply(&mut inbox, "ann", "PVT 101 E500 B300 X2 A100 C198"),
            Ok(Taken::Recorded {
                station: station(),
                read: read()
            })
        );
        let answer = inbox
            .take(&msg("bob", "ПВТ №0101 Е500 В300 Х2 А100 С198"), 1)
            .unwrap();
        assert_eq!(answer.alphabet, Alphabet::Cyrillic);
        assert_eq!(
            answer.reply,
            Ok(Taken::Confirmed {
                station: station(),
                observers: 2,
                read: read()
            })
        );
        assert!(matches!(
            reply(&mut inbox, "bob", "PVT 101 E500 B300 X2 A99 C198"),
            Ok(Taken::Conflict { .. })
        ));
        let r = inbox.stations().next().unwrap();
        assert_eq!(r.reports.len(), 2);
        assert_eq!(r.agreed(), None);
        // Bob's correction replaces his own report only; they agree again.
        assert!(matches!(
            reply(&mut inbox, "bob", "PVT 101 E500 B300 X2 A100 C198"),
            Ok(Taken::Confirmed { observers: 2, .. })
        ));
        assert_eq!(
            inbox.stations().next().unwrap().agreed().unwrap().votes,
            [100, 198]
        );
    }

    #[test]
    fn a_refused_message_changes_nothing() {
        let (book, numbers, assigned) = setup();
        let mut inbox = Inbox::new(&book, &numbers, Some(&assigned));
        for (sender, text, want) in [
            (
                "ann",
                "PVT 103 E500 B30 X2 A1 C2",
                ObserveError::NotInSample {
                    station: "103".into(),
                },
            ),
            (
                "cid",
                "PVT 101 E500 B30 X2 A1 C2",
                ObserveError::NotAssigned {
                    station: "101".into(),
                },
            ),
            (
                "eve",
                "PVT 101 E500 B30 X2 A1 C2",
                ObserveError::UnknownSender,
            ),
            (
                "ann",
                "PVT 101 E500 B700 X2 A1 C2",
                ObserveError::Implausible {
                    code: "B".into(),
                    count: 700,
                    bound: 600,
                },
            ),
            (
                "ann",
                "PVT 101 E500 B30 X2 A10 C20",
                ObserveError::Relation {
                    votes: 30,
                    invalid: 2,
                    issued: 30,
                },
            ),
            (
                "ann",
                "PVT 101 A1 C2",
                ObserveError::Missing {
                    codes: vec!["E".into(), "B".into(), "X".into()],
                },
            ),
        ] {
            assert_eq!(reply(&mut inbox, sender, text), Err(want), "{text}");
        }
        assert_eq!(inbox.stations().count(), 0);
        // Without a list of observers, anyone may report any drawn station.
        let mut open = Inbox::new(&book, &numbers, None);
        assert!(matches!(
            reply(&mut open, "eve", "PVT 101 E500 B30 X2 A1 C2"),
            Ok(Taken::Recorded { .. })
        ));
    }

    #[test]
    fn a_line_only_one_observer_gives_is_no_disagreement() {
        let book = Codebook::new(
            &[
                ("E", Field::Line(Line::Registered)),
                ("A", Field::Choice(0)),
                ("C", Field::Choice(1)),
            ],
            2,
        )
        .unwrap();
        let lines = Codebook::default_for(2);
        // Ann's report gives one line, Bob's three: the log counts neither copy over the other,
        // so neither does the inbox; the same lines in another order agree.
        let r = Reported {
            station: 0,
            reports: vec![
                (
                    "ann".into(),
                    crate::sms::read("PVT 101 E500 A1 C2", &book).unwrap(),
                ),
                (
                    "bob".into(),
                    crate::sms::read("PVT 101 E500 B30 X2 A1 C2", &lines).unwrap(),
                ),
            ],
        };
        assert_eq!(r.agreed(), None);
        let mut other = r.clone();
        other.reports[0].1 = crate::sms::read("PVT 0101 X2 B30 E500 A1 C2", &lines).unwrap();
        assert_eq!(other.agreed().unwrap().lines.len(), 3);
        other.reports[1].1.lines[0].1 = 501;
        assert_eq!(other.agreed(), None);
    }

    #[test]
    fn a_message_in_parts_is_read_once_whole_or_given_up() {
        let (book, numbers, assigned) = setup();
        let mut inbox = Inbox::new(&book, &numbers, Some(&assigned));
        let part = |sender: &'static str, reference: u32, p: u32, text: &'static str| Message {
            sender,
            text,
            part: Some((reference, p, 2)),
        };
        assert_eq!(inbox.take(&part("ann", 9, 2, " A10 C20"), 0), None);
        let whole = inbox
            .take(&part("ann", 9, 1, "ПВТ 101 Е500 В300 Х2"), 1)
            .unwrap();
        assert!(matches!(whole.reply, Ok(Taken::Recorded { .. })));
        // In the alphabet of the whole message (more Cyrillic letters than Latin ones).
        assert_eq!(whole.alphabet, Alphabet::Cyrillic);
        // A part received again after its message was joined changes nothing.
        assert_eq!(inbox.take(&part("ann", 9, 2, " A10 C20"), 2), None);
        assert_eq!(inbox.stations().next().unwrap().reports.len(), 1);
        // A stranger's part is refused before it is kept.
        assert_eq!(
            inbox.take(&part("eve", 1, 1, "PVT"), 2).unwrap().reply,
            Err(ObserveError::UnknownSender)
        );
        assert_eq!(inbox.take(&part("ann", 10, 1, "PVT 101"), 3), None);
        assert_eq!(inbox.expire(3 + crate::parts::PART_WAIT + 1), ["ann"]);
    }
}
