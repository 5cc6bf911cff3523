//! Seat margins: how many ballots would have to move for a seat to change hands.
//!
//! **Pairs** (Stark & Teague, "Verifiable European Elections", USENIX JETS 3(1), 2014; Blom
//! et al., E-Vote-ID 2021): an allocation stands iff, for every ordered pair of parties (w, l)
//! with w holding a seat, w's weakest winning claim beats l's strongest losing claim. For a
//! divisor method the claims are `f_w / d(s_w)` and `f_l / d(s_l + 1)`; for largest remainder
//! (Hare) the seat values `S f_w - (s_w - 1) T` and `S f_l - s_l T`. Moving one ballot from w to
//! l lowers w's claim and raises l's, so the smallest number of moved ballots that makes l's
//! claim reach w's is that pair's margin. Reaching an exact tie counts as a change unless
//! the tie rule would give the seat to w (first-listed, w listed first), in which case one
//! more ballot is needed. The **election margin** is the minimum over all pairs; moving
//! ballots between any two parties can change the allocation only by breaking some pair's
//! condition, so this minimum is the least number of moved ballots that changes the seats
//! (the tests check it by brute force).
//!
//! **Thresholds**: moves to or from parties outside the allocation, or that change the set of
//! parties passing a threshold, are counted separately: for every party and threshold, the
//! ballots that would carry it across, with the base held fixed.

use crate::allocate::{region_base, Outcome, Problem};
use crate::{Method, Note, SeatsError, Ties};

/// The margin of one ordered pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairMargin {
    /// The party that would lose a seat.
    pub winner: usize,
    /// The party that would gain it.
    pub loser: usize,
    /// The fewest ballots moved from `winner` to `loser` that move a seat.
    pub ballots: u64,
    /// The exact point where the two claims are equal, `num / den` ballots, where the method
    /// has rational divisors (the pair's slack divided by the slack lost per ballot).
    pub exact: Option<(u128, u128)>,
}

/// How far a party is from a threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdMargin {
    /// The party.
    pub party: usize,
    /// Which threshold: `national` or `regional (REGION)`.
    pub threshold: String,
    /// Whether the party passes it now.
    pub passes: bool,
    /// Ballots that would carry it across (to other parties when it passes, from them when
    /// it does not), with the base fixed.
    pub ballots: u64,
}

/// All margins of an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Margins {
    /// Every pair with a margin, smallest first.
    pub pairs: Vec<PairMargin>,
    /// The smallest pair margin.
    pub election: Option<PairMargin>,
    /// Threshold margins, smallest first.
    pub thresholds: Vec<ThresholdMargin>,
    /// What was not computed, and why.
    pub notes: Vec<Note>,
}

/// Computes the margins of `outcome`, the allocation of `p`.
pub fn margins(p: &Problem, outcome: &Outcome) -> Result<Margins, SeatsError> {
    // The same checks as the allocation's: every index and sum below is then in range.
    crate::allocate::validate(p)?;
    if outcome.parties.len() != p.parties.len() {
        return Err(SeatsError::invalid(format!(
            "an outcome of {} parties is not the allocation of these {}",
            outcome.parties.len(),
            p.parties.len()
        )));
    }
    let mut m = Margins {
        thresholds: threshold_margins(p, outcome),
        ..Margins::default()
    };
    let capped = outcome
        .parties
        .iter()
        .any(|o| o.list_seats != o.uncapped_seats);
    if p.seats == 0 {
        m.notes.push(Note::NoListSeats);
    } else if matches!(p.method, Method::Quota) {
        m.notes.push(Note::QuotaNoPairMargins);
    } else if !p.alliances.is_empty() {
        m.notes.push(Note::AlliancesNoPairMargins);
    } else if capped {
        m.notes.push(Note::CapNoPairMargins);
    } else if outcome
        .ties
        .iter()
        .any(|t| t.rule != crate::TieRule::FirstListed)
    {
        m.notes.push(Note::DrawnByLot);
    } else {
        let eligible: Vec<usize> = (0..p.parties.len())
            .filter(|&i| outcome.parties[i].eligible)
            .collect();
        let seats: Vec<u64> = outcome.parties.iter().map(|o| o.list_seats).collect();
        let total: u64 = eligible.iter().map(|&i| p.votes[i]).sum();
        for &w in &eligible {
            if seats[w] == 0 {
                continue;
            }
            for &l in &eligible {
                if l != w {
                    if let Some(pm) = pair_margin(p, total, &seats, w, l)? {
                        m.pairs.push(pm);
                    }
                }
            }
        }
        m.pairs.sort_by_key(|pm| (pm.ballots, pm.winner, pm.loser));
        m.election = m.pairs.first().cloned();
    }
    Ok(m)
}

/// The claims of w's last seat and l's next seat after `x` ballots moved from w to l, as
/// comparable values (true when l's claim reaches w's, and whether exactly).
fn reaches(
    p: &Problem,
    total: u64,
    seats: &[u64],
    w: usize,
    l: usize,
    x: u64,
) -> Result<Option<bool>, SeatsError> {
    let (fw, fl) = (p.votes[w] - x, p.votes[l] + x);
    let (sw, sl) = (seats[w], seats[l]);
    let ord = match p.method {
        m if m.is_divisor() => m.priority(fl, sl + 1).cmp(&m.priority(fw, sw)),
        Method::Hare => value_cmp(u128::from(p.seats), u128::from(total), fw, sw, fl, sl),
        Method::ImperialiQuota => {
            value_cmp(u128::from(p.seats) + 2, u128::from(total), fw, sw, fl, sl)
        }
        Method::Droop => {
            let q = i128::from(total / (p.seats + 1) + 1);
            (i128::from(fl) - i128::from(sl) * q).cmp(&(i128::from(fw) - (i128::from(sw) - 1) * q))
        }
        _ => return Err(SeatsError::Unsupported("margins for this method".into())),
    };
    Ok(match ord {
        std::cmp::Ordering::Less => None,
        std::cmp::Ordering::Equal => Some(true),
        std::cmp::Ordering::Greater => Some(false),
    })
}

/// Compares l's next seat value `M f_l - s_l T` with w's last `M f_w - (s_w - 1) T`.
fn value_cmp(mul: u128, total: u128, fw: u64, sw: u64, fl: u64, sl: u64) -> std::cmp::Ordering {
    let l = i128::try_from(mul * u128::from(fl)).unwrap_or(i128::MAX)
        - i128::try_from(u128::from(sl) * total).unwrap_or(i128::MAX);
    let w = i128::try_from(mul * u128::from(fw)).unwrap_or(i128::MAX)
        - i128::try_from(u128::from(sw - 1) * total).unwrap_or(i128::MAX);
    l.cmp(&w)
}

fn pair_margin(
    p: &Problem,
    total: u64,
    seats: &[u64],
    w: usize,
    l: usize,
) -> Result<Option<PairMargin>, SeatsError> {
    let fw = p.votes[w];
    if reaches(p, total, seats, w, l, fw)?.is_none() {
        return Ok(None);
    }
    let crossing = exact(p, total, seats, w, l);
    // Where the crossing point is rational, the first whole ballot count that reaches it is
    // its ceiling (checked exactly below); otherwise, as for Huntington-Hill, the claims move
    // monotonically with x and a binary search finds it.
    let guess = crossing
        .and_then(|(n, d)| u64::try_from(n.div_ceil(d)).ok())
        .filter(|&g| g <= fw);
    let first = match guess {
        Some(g)
            if reaches(p, total, seats, w, l, g)?.is_some()
                && (g == 0 || reaches(p, total, seats, w, l, g - 1)?.is_none()) =>
        {
            g
        }
        _ => {
            let (mut lo, mut hi) = (0u64, fw);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if reaches(p, total, seats, w, l, mid)?.is_some() {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            lo
        }
    };
    let mut x = first;
    let exact_tie = reaches(p, total, seats, w, l, x)? == Some(true);
    let tie_keeps_w = matches!(p.ties, Ties::FirstListed) && w < l;
    if exact_tie && tie_keeps_w {
        if x == fw {
            return Ok(None);
        }
        x += 1;
    }
    Ok(Some(PairMargin {
        winner: w,
        loser: l,
        ballots: x,
        exact: crossing,
    }))
}

/// The exact crossing point `slack / (slack lost per ballot)` where it is rational; `None`
/// where it is not, or would not fit in 128 bits (the caller then searches for it), never a
/// wrapped value.
fn exact(p: &Problem, total: u64, seats: &[u64], w: usize, l: usize) -> Option<(u128, u128)> {
    let (fw, fl) = (u128::from(p.votes[w]), u128::from(p.votes[l]));
    let (sw, sl) = (seats[w], seats[l]);
    let (num, den) = match p.method {
        Method::HuntingtonHill | Method::Quota | Method::ImperialiQuota => return None,
        Method::Hare => {
            let mul = u128::from(p.seats);
            let t = u128::from(total);
            let (a, b) = (
                mul.checked_mul(fw)?
                    .checked_add(u128::from(sl).checked_mul(t)?)?,
                mul.checked_mul(fl)?
                    .checked_add(u128::from(sw.checked_sub(1)?).checked_mul(t)?)?,
            );
            (a.checked_sub(b)?, mul.checked_mul(2)?)
        }
        Method::Droop => {
            let q = u128::from(total / (p.seats + 1) + 1);
            let a = fw.checked_add(u128::from(sl).checked_mul(q)?)?;
            let b = fl.checked_add(u128::from(sw.checked_sub(1)?).checked_mul(q)?)?;
            (a.checked_sub(b)?, 2)
        }
        m => {
            // Claims f_w dd_w / dn_w and f_l dd_l / dn_l: equal when
            // (f_w - x) dd_w dn_l = (f_l + x) dd_l dn_w.
            let (dn_w, dd_w) = m.divisor(sw)?;
            let (dn_l, dd_l) = m.divisor(sl + 1)?;
            if dn_w == 0 {
                return None;
            }
            let a = fw.checked_mul(dd_w)?.checked_mul(dn_l)?;
            let b = fl.checked_mul(dd_l)?.checked_mul(dn_w)?;
            let den = dd_w
                .checked_mul(dn_l)?
                .checked_add(dd_l.checked_mul(dn_w)?)?;
            (a.checked_sub(b)?, den)
        }
    };
    let g = num_integer::gcd(num, den).max(1);
    Some((num / g, den / g))
}

fn threshold_margins(p: &Problem, outcome: &Outcome) -> Vec<ThresholdMargin> {
    let mut out = Vec::new();
    let Some(t) = &p.threshold else { return out };
    let exempt = |i: usize| p.exempt.contains(&i);
    if let (Some(share), Some((_, base))) = (t.national, outcome.base) {
        let need = share.least_reaching(base, t.strict);
        for i in (0..p.parties.len()).filter(|&i| !exempt(i)) {
            let f = p.votes[i];
            let (passes, ballots) = match need {
                // With no ballot needed (a base of 0), losing all of them is not enough:
                // f + 1 ballots, which for f = 2^64 - 1 no count reaches either.
                Some(n) if f >= n => (true, (f - n).saturating_add(1)),
                Some(n) => (false, n - f),
                // A strict 100% of 2^64 - 1 ballots: no count reaches it.
                None => (false, u64::MAX),
            };
            out.push(ThresholdMargin {
                party: i,
                threshold: "national".into(),
                passes,
                ballots,
            });
        }
    }
    if let (Some(share), false) = (t.regional, p.regions.is_empty()) {
        let national = outcome
            .base
            .map_or_else(|| p.votes.iter().sum(), |(_, b)| b);
        for i in (0..p.parties.len()).filter(|&i| !exempt(i)) {
            let mut lose: Option<(u64, &str)> = None;
            let mut gain = 0u64;
            let mut short = Vec::new();
            for r in &p.regions {
                let b = region_base(r, t, national);
                let need = share.least_reaching(b, t.strict);
                let f = r.votes[i];
                match need {
                    Some(n) if f >= n => {
                        let x = (f - n).saturating_add(1);
                        if lose.is_none_or(|(y, _)| x < y) {
                            lose = Some((x, &r.name));
                        }
                    }
                    _ => {
                        // Short by more than 2^64 - 1 ballots over all regions (bases near
                        // 2^64 in several), or in one that no count reaches: u64::MAX, more
                        // than any count, not a wrapped sum.
                        gain = gain.saturating_add(need.map_or(u64::MAX, |n| n - f));
                        short.push(r.name.as_str());
                    }
                }
            }
            let passes = gain == 0;
            let (ballots, region) = if passes {
                lose.map_or((0, ""), |(x, r)| (x, r))
            } else {
                (gain, "")
            };
            out.push(ThresholdMargin {
                party: i,
                threshold: if passes {
                    format!("regional (weakest: {region})")
                } else {
                    "regional (every region below it)".into()
                },
                passes,
                ballots,
            });
        }
    }
    out.sort_by_key(|m| (m.ballots, m.party));
    out
}
