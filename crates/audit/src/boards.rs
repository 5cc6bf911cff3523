//! Audit boards (`docs/log-format.md`, "audit", revision 5): two people each, with their own
//! logins, who pull the ballots of their share of a round, mark what each shows, and sign
//! off what they marked. The auditor forms a round's boards ([`form`]); each board's share is
//! whole stations, contiguous in the order a warehouse pulls them ([`split`]); a board's
//! marks become its entry ([`entry`]), which both members sign off ([`sign_off`]): the
//! second's sign-off logs it. Once a round has boards, its readings come only from them.

use std::collections::{HashMap, HashSet};

use model::{Election, Protocol, UnitId};
use record::{digest, encode, AuditStep, BoardReading, Entry, Staff, StaffAct, CONSOLE};
use serde::{Deserialize, Serialize};

use crate::steps::{self, BallotDraw, BallotFile, Drawn, StationDraw};
use crate::workflow::Method;
use crate::AuditError;

/// The most ballots one board reads in a round: its entry stays well under the log's
/// 64 KiB.
pub const MAX_BALLOTS: usize = 2_000;

/// The most stations one board counts by hand in a batch audit's round.
pub const MAX_STATIONS: usize = 300;

/// The largest board entry, in bytes: a published log's tiles take entries of at most 64 KiB.
pub const MAX_ENTRY: usize = 60_000;

/// What a board marks for a drawn ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// A valid vote for the contest's choice with this index.
    Choice(u32),
    /// Blank, or no valid vote.
    Blank,
    /// The ballot is not where the manifest puts it: the worst case for every assertion.
    NotFound,
}

/// What a board marks for one item of its share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Marked {
    /// A drawn ballot (comparison and polling audits).
    Ballot(Mark),
    /// A drawn station's hand count (batch audits): votes per choice, paper ballots.
    Count {
        /// Votes per choice of the contest.
        votes: Vec<u64>,
        /// Paper ballots counted, valid or not.
        ballots: u64,
    },
}

/// One board's share of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// The board's number, from 1.
    pub board: u64,
    /// Its two members' commitments.
    pub members: (String, String),
    /// Its part of the retrieval list, in warehouse order.
    pub drawn: Drawn,
}

impl Share {
    /// The share's items, each with the key its mark is kept under: a ballot's draw number
    /// (ballot audits) or a station's unit id (batch audits), in warehouse order.
    pub fn items(&self) -> Vec<u64> {
        match &self.drawn {
            Drawn::Ballots(ds) => ds.iter().map(|d| d.draw).collect(),
            Drawn::Stations(ds) => ds.iter().map(|d| u64::from(d.station.0)).collect(),
        }
    }

    /// Whether `user` is one of the board's members.
    pub fn has(&self, user: &str) -> bool {
        self.members.0 == user || self.members.1 == user
    }
}

/// The parts of a round's retrieval list that `n` boards take: whole stations, contiguous in
/// warehouse order (the tree's), each part's weight (ballots to read; in a batch audit, the
/// stations' paper ballots, `weight`) as even as whole stations allow, none empty. Fewer
/// parts when the round has fewer stations than `n`.
pub fn split(drawn: &Drawn, n: usize, weight: impl Fn(UnitId) -> u64) -> Vec<Drawn> {
    match drawn {
        Drawn::Ballots(ds) => {
            let mut ds: Vec<BallotDraw> = ds.clone();
            ds.sort_by_key(|d| (d.station, d.position));
            let mut stations: Vec<(UnitId, Vec<BallotDraw>)> = Vec::new();
            for d in ds {
                match stations.last_mut() {
                    Some((s, v)) if *s == d.station => v.push(d),
                    _ => stations.push((d.station, vec![d])),
                }
            }
            let weights: Vec<u64> = stations.iter().map(|(_, v)| v.len() as u64).collect();
            let mut out = Vec::new();
            let mut rest = stations.into_iter();
            for len in part_lengths(&weights, n) {
                out.push(Drawn::Ballots(
                    rest.by_ref().take(len).flat_map(|(_, v)| v).collect(),
                ));
            }
            out
        }
        Drawn::Stations(ds) => {
            let mut ds: Vec<StationDraw> = ds.clone();
            ds.sort_by_key(|d| d.station);
            let weights: Vec<u64> = ds.iter().map(|d| weight(d.station).max(1)).collect();
            let mut out = Vec::new();
            let mut rest = ds.into_iter();
            for len in part_lengths(&weights, n) {
                out.push(Drawn::Stations(rest.by_ref().take(len).collect()));
            }
            out
        }
    }
}

/// How many consecutive items each of (at most) `n` parts takes: part `b` ends at the first
/// item whose running weight reaches `(b + 1) / n` of the total, taking at least one item
/// and leaving at least one for each part after it.
fn part_lengths(weights: &[u64], n: usize) -> Vec<usize> {
    let n = n.min(weights.len());
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let mut out = Vec::with_capacity(n);
    let (mut start, mut run) = (0usize, 0u128);
    for b in 0..n {
        let left_after = n - b - 1;
        let last = weights.len() - left_after;
        let goal = total * (b as u128 + 1) / n as u128;
        let mut end = start;
        while end < last && (end == start || run < goal) {
            run += u128::from(weights[end]);
            end += 1;
        }
        if b + 1 == n {
            end = weights.len();
        }
        out.push(end - start);
        start = end;
    }
    out
}

/// The latest round, which must wait for its readings and have no boards yet.
fn open_round(l: &crate::logged::Logged) -> Result<u64, AuditError> {
    let k = l.rounds.len();
    if k == 0 || !l.waiting() {
        return Err(AuditError::field(
            "audit",
            "no round is waiting for its readings: draw one first",
        ));
    }
    if !l.boards[k - 1].is_empty() {
        return Err(AuditError::field(
            "boards",
            format!("round {k} has its boards already"),
        ));
    }
    Ok(k as u64)
}

/// Forms the boards of the audit's latest round (each two members' commitments): answers the
/// `boards` entry and each board's share. Refused unless the round waits for its readings
/// and has none and no boards yet; a board is two different people (never the console),
/// nobody sits on two boards, and no board's share exceeds [`MAX_BALLOTS`] ballots
/// ([`MAX_STATIONS`] stations): form more boards for a larger round.
pub fn form(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    audit: &str,
    boards: &[(String, String)],
) -> Result<(Vec<u8>, Vec<Share>), AuditError> {
    let (l, s) = steps::opened(log, audit)?;
    let round = open_round(&l)?;
    if boards.is_empty() {
        return Err(AuditError::field("boards", "form at least one board"));
    }
    let mut seen = HashSet::new();
    for (k, (a, b)) in boards.iter().enumerate() {
        let at = format!("boards[{k}]");
        if a == b {
            return Err(AuditError::field(at, "a board is two different members"));
        }
        for m in [a, b] {
            if m == CONSOLE {
                return Err(AuditError::field(
                    at,
                    "a board member is a person with their own login, never the console",
                ));
            }
            if !seen.insert(m) {
                return Err(AuditError::field(
                    at,
                    "a member sits on one board of a round",
                ));
            }
        }
    }
    let drawn = steps::retrieval(e, protocols, log, audit, round)?;
    let shares = shared(&l, &drawn, boards);
    let stations = match &drawn {
        Drawn::Ballots(ds) => ds.iter().map(|d| d.station).collect::<HashSet<_>>().len(),
        Drawn::Stations(ds) => ds.len(),
    };
    if stations < boards.len() {
        return Err(AuditError::field(
            "boards",
            format!(
                "{} boards for round {round}, which draws from {stations} station(s): a board's share is whole stations",
                boards.len()
            ),
        ));
    }
    let (most, what) = match s.method {
        Method::Batch => (MAX_STATIONS, "stations"),
        Method::Comparison | Method::Polling => (MAX_BALLOTS, "ballots"),
    };
    if let Some(big) = shares.iter().find(|x| x.items().len() > most) {
        return Err(AuditError::field(
            "boards",
            format!(
                "board {} would take {} {what} of round {round}; a board takes at most {most}: form more boards",
                big.board,
                big.items().len()
            ),
        ));
    }
    let entry = encode(&Entry::Audit(AuditStep::Boards {
        audit: audit.to_string(),
        round,
        boards: boards.to_vec(),
    }));
    Ok((entry, shares))
}

/// Each board's share of `drawn`, the boards being `boards` (members, in order).
fn shared(l: &crate::logged::Logged, drawn: &Drawn, boards: &[(String, String)]) -> Vec<Share> {
    let ballots: HashMap<u32, u64> = l.batches.iter().copied().collect();
    let weight = |s: UnitId| ballots.get(&s.0).copied().unwrap_or(1);
    split(drawn, boards.len(), weight)
        .into_iter()
        .zip(boards)
        .zip(1..)
        .map(|((drawn, members), board)| Share {
            board,
            members: members.clone(),
            drawn,
        })
        .collect()
}

/// The shares of round `round`'s boards, as the log formed them (anyone can recompute them
/// from the seed and the boards).
pub fn shares(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    audit: &str,
    round: u64,
) -> Result<Vec<Share>, AuditError> {
    let (l, _) = steps::opened(log, audit)?;
    let boards = usize::try_from(round)
        .ok()
        .and_then(|k| l.boards.get(k.checked_sub(1)?))
        .filter(|b| !b.is_empty())
        .ok_or_else(|| AuditError::field("round", format!("round {round} has no boards")))?;
    let drawn = steps::retrieval(e, protocols, log, audit, round)?;
    Ok(shared(&l, &drawn, boards))
}

/// The cast-vote records' choices of a share's ballots (by draw), from the records the
/// comparison audit started with (`cvrs`, its hex SHA-256): the records are read, never
/// shown to the board, and go into its entry beside what it marked.
pub fn records(
    e: &Election,
    cvrs: &str,
    file: &BallotFile,
    share: &Share,
) -> Result<HashMap<u64, Option<u32>>, AuditError> {
    if file.sha256 != cvrs {
        return Err(AuditError::field(
            &file.name,
            "not the cast-vote records the audit started with (SHA-256 differs)",
        ));
    }
    let Drawn::Ballots(ds) = &share.drawn else {
        return Ok(HashMap::new());
    };
    let draw: HashMap<(UnitId, u64), u64> = ds
        .iter()
        .map(|d| ((d.station, d.position), d.draw))
        .collect();
    Ok(steps::ballots_of(e, file)?
        .into_iter()
        .filter_map(|(key, choice, _)| Some((*draw.get(&key)?, choice)))
        .collect())
}

/// Whether `mark` fits item `item` of the share: the item is in it, a ballot is marked as a
/// ballot (a choice the contest has, blank, not found) and a station as a hand count (a vote
/// count per choice, adding up to at most the ballots counted). The error names the item.
pub fn check_mark(e: &Election, share: &Share, item: u64, mark: &Marked) -> Result<(), AuditError> {
    let choices = e.contests.first().map_or(0, |c| c.choices.len());
    let named = |what: String| AuditError::field("mark", what);
    match (&share.drawn, mark) {
        (Drawn::Ballots(ds), Marked::Ballot(m)) => {
            let d = ds.iter().find(|d| d.draw == item).ok_or_else(|| {
                named(format!(
                    "draw {item} is not in board {}'s share",
                    share.board
                ))
            })?;
            if let Mark::Choice(c) = m {
                if *c as usize >= choices {
                    return Err(named(format!(
                        "ballot {} of '{}': choice {c} does not exist (the contest has {choices})",
                        d.position,
                        e.units.path(d.station)
                    )));
                }
            }
            Ok(())
        }
        (Drawn::Stations(ds), Marked::Count { votes, ballots }) => {
            let d = ds
                .iter()
                .find(|d| u64::from(d.station.0) == item)
                .ok_or_else(|| {
                    named(format!(
                        "station {item} is not in board {}'s share",
                        share.board
                    ))
                })?;
            let path = e.units.path(d.station);
            if votes.len() != choices {
                return Err(named(format!(
                    "'{path}': {} counts for {choices} choice(s)",
                    votes.len()
                )));
            }
            let sum = crate::error::total(votes.iter().copied(), &path, "the votes")?;
            if sum > *ballots {
                return Err(named(format!(
                    "'{path}': the votes add up to {sum}, more than the {ballots} ballots counted"
                )));
            }
            Ok(())
        }
        (Drawn::Ballots(_), Marked::Count { .. }) => Err(named(
            "a ballot is marked with its choice, blank or not found, not a hand count".into(),
        )),
        (Drawn::Stations(_), Marked::Ballot(_)) => Err(named(
            "a station of a batch audit is marked with its hand count".into(),
        )),
    }
}

/// The board's entry from its marks (by item: [`Share::items`]): a reading of every ballot of
/// its share in draw order, with the record's choice from `records` (comparison audits), or
/// a hand count of every station. Refused, naming the first, while an item is unmarked, or
/// when a mark does not fit its item ([`check_mark`]).
pub fn entry(
    e: &Election,
    audit: &str,
    round: u64,
    share: &Share,
    marks: &HashMap<u64, Marked>,
    records: &HashMap<u64, Option<u32>>,
) -> Result<AuditStep, AuditError> {
    let step = entry_of(e, audit, round, share, marks, records)?;
    let size = encode(&Entry::Audit(step.clone())).len();
    if size > MAX_ENTRY {
        return Err(AuditError::field(
            "marks",
            format!("board {}'s entry would take {size} bytes, more than a log entry's {MAX_ENTRY}: check the counts", share.board),
        ));
    }
    Ok(step)
}

/// [`entry`], before its size is checked.
fn entry_of(
    e: &Election,
    audit: &str,
    round: u64,
    share: &Share,
    marks: &HashMap<u64, Marked>,
    records: &HashMap<u64, Option<u32>>,
) -> Result<AuditStep, AuditError> {
    let board = share.board;
    let marked = |item: u64, what: String| {
        let m = marks
            .get(&item)
            .ok_or_else(|| AuditError::field("marks", format!("{what} is not marked yet")))?;
        check_mark(e, share, item, m)?;
        Ok::<_, AuditError>(m)
    };
    match &share.drawn {
        Drawn::Ballots(ds) => {
            let mut readings = Vec::with_capacity(ds.len());
            for d in ds {
                let what = format!(
                    "ballot {} of '{}' (draw {})",
                    d.position,
                    e.units.path(d.station),
                    d.draw
                );
                let (paper, found) = match marked(d.draw, what)? {
                    Marked::Ballot(Mark::Choice(c)) => (Some(*c), true),
                    Marked::Ballot(Mark::NotFound) => (None, false),
                    _ => (None, true),
                };
                readings.push(BoardReading {
                    draw: d.draw,
                    record: records.get(&d.draw).copied().flatten(),
                    paper,
                    found,
                });
            }
            readings.sort_by_key(|r| r.draw);
            Ok(AuditStep::BoardReadings {
                audit: audit.to_string(),
                round,
                board,
                readings,
            })
        }
        Drawn::Stations(ds) => {
            let mut counts = Vec::with_capacity(ds.len());
            for d in ds {
                let what = format!("'{}'", e.units.path(d.station));
                if let Marked::Count { votes, ballots } = marked(u64::from(d.station.0), what)? {
                    counts.push((d.station.0, votes.clone(), *ballots));
                }
            }
            counts.sort_by_key(|c| c.0);
            Ok(AuditStep::BoardCounts {
                audit: audit.to_string(),
                round,
                board,
                counts,
            })
        }
    }
}

/// How a staff sign-off entry begins, after its version byte.
const SIGN_OFF: &[u8] = b"{\"type\":\"staff\",\"act\":\"sign-off\"";

/// Whether an entry's JSON (after its version byte) begins with `prefix`.
fn starts(entry: &[u8], prefix: &[u8]) -> bool {
    entry.get(1..).is_some_and(|b| b.starts_with(prefix))
}

/// The sign-offs among `entries` (with their indices), in log order: (user, the signed
/// entry's hex SHA-256). Only sign-offs are decoded (most entries are not staff entries).
fn sign_offs<'a, I>(entries: I) -> impl Iterator<Item = (String, String)> + use<'a, I>
where
    I: Iterator<Item = (usize, &'a Vec<u8>)>,
{
    entries
        .filter(|(_, bytes)| starts(bytes, SIGN_OFF))
        .filter_map(|(i, bytes)| match record::decode(i as u64, bytes) {
            Ok(Entry::Staff(Staff {
                user,
                act: StaffAct::SignOff { entry },
                ..
            })) => Some((user, entry)),
            _ => None,
        })
}

/// Who signed off each board entry so far (by its hex SHA-256), from the log's staff
/// `sign-off` entries: each member's latest sign-off only, as the replay counts them (a later
/// one withdraws the earlier).
pub fn signatures(log: &[Vec<u8>]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (user, entry) in latest(sign_offs(log.iter().enumerate())) {
        out.entry(entry).or_default().push(user);
    }
    out
}

/// Of sign-offs in log order, each member's last, in the order they were made.
fn latest(all: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (user, entry) in all {
        out.retain(|(u, _)| *u != user);
        out.push((user, entry));
    }
    out
}

/// The sign-offs logged since round `round`'s boards were formed, each member's latest (a
/// later one withdraws the earlier), in log order: (user, the signed entry's hex SHA-256),
/// from the log's entries from index `first` on (the boards' entry among them: `first` may
/// be its index, `Logged::formed_at`, so that only what follows it is read). A member sits
/// on one board of a round, and a round is drawn only once the one before it has its
/// readings, so each of these is of the member's board of this round.
pub fn signed_since(
    entries: &[Vec<u8>],
    first: u64,
    audit: &str,
    round: u64,
) -> Vec<(String, String)> {
    let indexed = || entries.iter().zip(first..).map(|(b, i)| (i as usize, b));
    let formed = indexed().position(|(i, b)| {
        starts(b, b"{\"type\":\"audit\",\"step\":\"boards\"")
            && matches!(record::decode(i as u64, b),
                Ok(Entry::Audit(AuditStep::Boards { audit: a, round: r, .. })) if a == audit && r == round)
    });
    match formed {
        Some(from) => latest(sign_offs(indexed().skip(from + 1))),
        None => Vec::new(),
    }
}

/// A member's sign-off of their board's entry.
#[derive(Debug, Clone)]
pub struct SignOff {
    /// The staff act (its subject: the entry's SHA-256).
    pub act: StaffAct,
    /// The entries logged after the staff entry: the board's entry if this is the second
    /// member's sign-off of it, else none.
    pub entries: Vec<Vec<u8>>,
    /// Whether this sign-off completes the board's (the other member signed off the same
    /// entry before).
    pub completes: bool,
}

/// `member` signs off `entry`, board `board`'s entry of the latest round (from [`entry`]):
/// refused unless they sit on that board, it has not signed off yet, and they have not signed
/// off this very entry. The other member's earlier sign-off of the same entry makes this one
/// complete the board's: its entry is logged after it.
pub fn sign_off(
    log: &[Vec<u8>],
    audit: &str,
    member: &str,
    entry: &AuditStep,
) -> Result<SignOff, AuditError> {
    let (l, _) = steps::opened(log, audit)?;
    let (AuditStep::BoardReadings { round, board, .. }
    | AuditStep::BoardCounts { round, board, .. }) = entry
    else {
        return Err(AuditError::field("entry", "not a board's entry"));
    };
    let k = usize::try_from(*round)
        .unwrap_or(usize::MAX)
        .wrapping_sub(1);
    let members = l
        .boards
        .get(k)
        .and_then(|b| b.get(usize::try_from(*board).ok()?.checked_sub(1)?))
        .ok_or_else(|| AuditError::field("board", format!("round {round} has no board {board}")))?;
    let other = if members.0 == member {
        &members.1
    } else if members.1 == member {
        &members.0
    } else {
        return Err(AuditError::field(
            "board",
            format!("you do not sit on board {board} of round {round}"),
        ));
    };
    if l.signed[k].contains(board) {
        return Err(AuditError::field(
            "board",
            format!("board {board} of round {round} has signed off already"),
        ));
    }
    let bytes = encode(&Entry::Audit(entry.clone()));
    let d = digest(&bytes);
    let by = signatures(log).remove(&d).unwrap_or_default();
    if by.iter().any(|u| u == member) {
        return Err(AuditError::field(
            "board",
            "you signed off these marks already: the board's other member signs off next",
        ));
    }
    let completes = by.iter().any(|u| u == other);
    Ok(SignOff {
        act: StaffAct::SignOff { entry: d },
        entries: if completes { vec![bytes] } else { Vec::new() },
        completes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_contiguous_balanced_and_never_empty() {
        assert_eq!(part_lengths(&[1, 1, 1, 1], 2), vec![2, 2]);
        assert_eq!(part_lengths(&[5, 1, 1, 1, 1, 1], 2), vec![1, 5]);
        assert_eq!(part_lengths(&[1, 1, 1, 1, 1, 5], 2), vec![5, 1]);
        // A heavy station never leaves a board empty.
        assert_eq!(part_lengths(&[100, 1, 1], 3), vec![1, 1, 1]);
        assert_eq!(part_lengths(&[1, 100, 1], 3), vec![1, 1, 1]);
        // More boards than stations: one station each.
        assert_eq!(part_lengths(&[3, 3], 4), vec![1, 1]);
        assert_eq!(part_lengths(&[2; 10], 3), vec![3, 4, 3]);
        for n in 1..6 {
            let w = [7, 1, 3, 9, 2, 2, 8, 1];
            let parts = part_lengths(&w, n);
            assert_eq!(parts.iter().sum::<usize>(), w.len());
            assert!(parts.iter().all(|&p| p > 0), "{n}: {parts:?}");
        }
    }

    #[test]
    fn marks_read_as_json() {
        let m: Vec<Marked> = serde_json::from_str(
            r#"[{"ballot":{"choice":2}},{"ballot":"blank"},{"ballot":"not-found"},{"count":{"votes":[1,2],"ballots":4}}]"#,
        )
        .unwrap();
        assert_eq!(m[0], Marked::Ballot(Mark::Choice(2)));
        assert_eq!(m[2], Marked::Ballot(Mark::NotFound));
        assert_eq!(
            m[3],
            Marked::Count {
                votes: vec![1, 2],
                ballots: 4
            }
        );
    }
}
