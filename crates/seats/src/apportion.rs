//! Apportionment among a fixed set of parties: the methods without any law around them.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::method::{mul_cmp, Method, Priority};
use crate::ties::{break_tie, Tie, Ties};
use crate::{Note, SeatsError};

/// The seats of each party, and the ties that were broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apportionment {
    /// Seats per party, in input order.
    pub seats: Vec<u64>,
    /// Ties broken on the way (by the tie rule), in order.
    pub ties: Vec<Tie>,
    /// How the quota was changed, for the Imperiali quota when its floors overshoot.
    pub note: Option<Note>,
}

/// Apportions `seats` among parties with `votes` (names for tie reports and lots).
pub fn apportion(
    method: Method,
    seats: u64,
    votes: &[u64],
    names: &[String],
    ties: &Ties,
) -> Result<Apportionment, SeatsError> {
    if votes.len() != names.len() {
        return Err(SeatsError::invalid("votes and names differ in length"));
    }
    if votes.is_empty() {
        return Err(SeatsError::invalid("no party to allocate seats to"));
    }
    match method {
        Method::Hare => largest_remainder(seats, votes, names, ties, Quota::Hare),
        Method::Droop => largest_remainder(seats, votes, names, ties, Quota::Droop),
        Method::ImperialiQuota => imperiali_quota(seats, votes, names, ties),
        Method::Quota => balinski_young(seats, votes, names, ties),
        m => highest_averages(m, seats, votes, names, ties),
    }
}

/// Seat after seat to the highest priority. All parties sharing the highest priority get a
/// seat together when enough seats remain; otherwise the tie rule picks among them. A heap
/// keeps this O(S log P).
fn highest_averages(
    m: Method,
    seats: u64,
    votes: &[u64],
    names: &[String],
    ties: &Ties,
) -> Result<Apportionment, SeatsError> {
    let mut got = vec![0u64; votes.len()];
    let mut heap: BinaryHeap<(Priority, Reverse<usize>)> = votes
        .iter()
        .enumerate()
        .map(|(i, &v)| (m.priority(v, 1), Reverse(i)))
        .collect();
    let mut left = seats;
    let mut broken = Vec::new();
    let mut top = Vec::new();
    while left > 0 {
        let Some((best, Reverse(first))) = heap.pop() else {
            break;
        };
        top.clear();
        top.push(first);
        while heap.peek().is_some_and(|(p, _)| *p == best) {
            if let Some((_, Reverse(i))) = heap.pop() {
                top.push(i);
            }
        }
        top.sort_unstable();
        let winners = if top.len() as u64 <= left {
            top.clone()
        } else {
            let tie = break_tie(&top, left, names, ties)?;
            let w = tie.winners.clone();
            broken.push(tie);
            w
        };
        for &i in &winners {
            got[i] += 1;
            heap.push((m.priority(votes[i], got[i] + 1), Reverse(i)));
        }
        left -= winners.len() as u64;
    }
    Ok(Apportionment {
        seats: got,
        ties: broken,
        note: None,
    })
}

/// A largest-remainder quota, as an exact fraction `total * num / den`-style rule.
#[derive(Clone, Copy)]
enum Quota {
    /// T / S.
    Hare,
    /// ⌊T / (S + 1)⌋ + 1.
    Droop,
    /// T / (S + n), for the Imperiali (n = 2) and Hagenbach-Bischoff (n = 1) quotas.
    Plus(u64),
}

/// Floors and remainders against the quota, as exact integers sharing one denominator.
fn floors(seats: u64, votes: &[u64], quota: Quota) -> Result<(Vec<u64>, Vec<u128>), SeatsError> {
    let total: u128 = votes.iter().map(|&v| u128::from(v)).sum();
    if total == 0 {
        return Err(SeatsError::invalid(
            "no votes: a quota method cannot allocate",
        ));
    }
    let (num_mul, den): (u128, u128) = match quota {
        // f / (T/S) = f*S / T
        Quota::Hare => (u128::from(seats), total),
        // f / q with an integer quota q
        Quota::Droop => (1, total / (u128::from(seats) + 1) + 1),
        Quota::Plus(n) => (u128::from(seats) + u128::from(n), total),
    };
    let mut fl = Vec::with_capacity(votes.len());
    let mut rem = Vec::with_capacity(votes.len());
    for &v in votes {
        let x = u128::from(v) * num_mul;
        fl.push(u64::try_from(x / den).unwrap_or(u64::MAX));
        rem.push(x % den);
    }
    Ok((fl, rem))
}

fn largest_remainder(
    seats: u64,
    votes: &[u64],
    names: &[String],
    ties: &Ties,
    quota: Quota,
) -> Result<Apportionment, SeatsError> {
    let (fl, rem) = floors(seats, votes, quota)?;
    finish_remainders(seats, fl, &rem, names, ties, None)
}

/// Gives the seats the floors leave to the largest remainders, one each; more than one
/// round when fewer parties than seats are left (possible with Droop's integer quota).
fn finish_remainders(
    seats: u64,
    mut got: Vec<u64>,
    rem: &[u128],
    names: &[String],
    ties: &Ties,
    note: Option<Note>,
) -> Result<Apportionment, SeatsError> {
    let assigned: u64 = got.iter().sum();
    if assigned > seats {
        return Err(SeatsError::invalid("the quota's floors exceed the seats"));
    }
    let mut left = seats - assigned;
    let mut broken = Vec::new();
    let mut order: Vec<usize> = (0..got.len()).collect();
    // Largest remainder first; equal remainders stay in list order (ties are handled below).
    order.sort_by(|&a, &b| rem[b].cmp(&rem[a]).then(a.cmp(&b)));
    while left > 0 {
        let round = left.min(order.len() as u64) as usize;
        let cut = rem[order[round - 1]];
        let above: Vec<usize> = order.iter().copied().filter(|&i| rem[i] > cut).collect();
        let at: Vec<usize> = {
            let mut v: Vec<usize> = order.iter().copied().filter(|&i| rem[i] == cut).collect();
            v.sort_unstable();
            v
        };
        for &i in &above {
            got[i] += 1;
        }
        let need = round as u64 - above.len() as u64;
        let winners = if at.len() as u64 == need {
            at
        } else {
            let tie = break_tie(&at, need, names, ties)?;
            let w = tie.winners.clone();
            broken.push(tie);
            w
        };
        for &i in &winners {
            got[i] += 1;
        }
        left -= round as u64;
    }
    Ok(Apportionment {
        seats: got,
        ties: broken,
        note,
    })
}

fn imperiali_quota(
    seats: u64,
    votes: &[u64],
    names: &[String],
    ties: &Ties,
) -> Result<Apportionment, SeatsError> {
    for (quota, note) in [
        (Quota::Plus(2), None),
        (Quota::Plus(1), Some(Note::ImperialiPlusOne)),
        (Quota::Hare, Some(Note::ImperialiHare)),
    ] {
        let (fl, rem) = floors(seats, votes, quota)?;
        if fl.iter().sum::<u64>() <= seats {
            return finish_remainders(seats, fl, &rem, names, ties, note);
        }
    }
    Err(SeatsError::invalid(
        "no quota gives floors within the seats",
    ))
}

/// Balinski–Young: with h seats given, the next goes to the highest `f / (n + 1)` among the
/// parties with `n · T < f · (h + 1)` (they stay within their upper quota).
fn balinski_young(
    seats: u64,
    votes: &[u64],
    names: &[String],
    ties: &Ties,
) -> Result<Apportionment, SeatsError> {
    let total: u128 = votes.iter().map(|&v| u128::from(v)).sum();
    if total == 0 {
        return Err(SeatsError::invalid(
            "no votes: the quota method cannot allocate",
        ));
    }
    let mut got = vec![0u64; votes.len()];
    let mut broken = Vec::new();
    let mut h = 0u64;
    while h < seats {
        let eligible = |i: usize, got: &[u64], h: u64| {
            u128::from(got[i]) * total < u128::from(votes[i]) * u128::from(h + 1)
        };
        let prio = |i: usize, got: &[u64]| (u128::from(votes[i]), u128::from(got[i] + 1));
        let cand: Vec<usize> = (0..votes.len()).filter(|&i| eligible(i, &got, h)).collect();
        let Some(&first) = cand.first() else {
            return Err(SeatsError::invalid(
                "no party is eligible for the next seat",
            ));
        };
        let mut best = vec![first];
        for &i in &cand[1..] {
            let (a, b) = prio(i, &got);
            let (c, d) = prio(best[0], &got);
            match mul_cmp(a, d, c, b) {
                std::cmp::Ordering::Greater => best = vec![i],
                std::cmp::Ordering::Equal => best.push(i),
                std::cmp::Ordering::Less => {}
            }
        }
        let winner = if best.len() == 1 {
            best[0]
        } else {
            // One seat is given per step, so equal priorities are a tie for this seat unless
            // enough seats remain for all of them and each stays eligible in turn.
            let fits = best.len() as u64 <= seats - h && {
                let mut g = got.clone();
                best.iter().enumerate().all(|(j, &i)| {
                    let ok = eligible(i, &g, h + j as u64);
                    g[i] += 1;
                    ok
                })
            };
            if fits {
                for &i in &best {
                    got[i] += 1;
                }
                h += best.len() as u64;
                continue;
            }
            let tie = break_tie(&best, 1, names, ties)?;
            let w = tie.winners[0];
            broken.push(tie);
            w
        };
        got[winner] += 1;
        h += 1;
    }
    Ok(Apportionment {
        seats: got,
        ties: broken,
        note: None,
    })
}
