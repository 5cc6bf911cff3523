//! The assertions that together imply a party-list seat allocation, so that an audit can
//! confirm the seats and not only who came first (Blom, Budurushi, Rivest, Stark, Stuckey,
//! Teague & Vukcevic, "Assertion-based approaches to auditing complex elections, with
//! application to party-list proportional elections", E-Vote-ID 2021; Stark & Teague,
//! "Verifiable European Elections", USENIX JETS 3(1), 2014; the project's `rla.md`, §7.5
//! and §8).
//!
//! * every party that takes part in the allocation is above each threshold it had to pass,
//!   and every party kept out is below a threshold it failed: these fix the eligible set;
//! * among the eligible parties, each party's last seat beats every other party's next
//!   seat (divisor methods: `V_w / d(s_w) > V_l / d(s_l + 1)`; largest remainder:
//!   `S V_w - (s_w - 1) T > S V_l - s_l T`).
//!
//! If every assertion holds on the paper ballots, the paper gives the same seats.

use seats::{region_base, Base, Check, Method, Outcome, Problem};
use serde::Serialize;

use crate::assorter::{Assorter, Mark};
use crate::claim::{Claim, PairRule, Scope};
use crate::AuditError;

/// One assertion with its assorter and its value on the reported counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assertion {
    /// What it says.
    pub claim: Claim,
    /// `pair`, `above-threshold` or `below-threshold`.
    pub kind: &'static str,
    /// The party that must be ahead (for a pair, the seat holder; for a threshold, the
    /// party).
    pub party: usize,
    /// For a pair, the party that must be behind.
    pub other: Option<usize>,
    /// For a regional threshold, the region.
    pub region: Option<String>,
    /// The assorter.
    pub assorter: Assorter,
    /// Reported ballots by mark: for, against, other in the base, neutral.
    pub counts: [u64; 4],
    /// The assorter's mean over the reported ballots.
    pub mean: f64,
    /// The assorter margin `2 · mean - 1`; the assertion holds on the reported counts iff
    /// it is positive.
    pub margin: f64,
    /// The ballots of the assertion's base: those that are not neutral.
    pub base: BallotSet,
}

/// A set of ballots, described by what they say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BallotSet {
    /// Every ballot cast.
    All,
    /// The ballots for these parties.
    Parties(Vec<usize>),
    /// The ballots cast in this region (index into the problem's regions).
    Region(usize),
    /// The valid ballots, which a ballot's party alone does not identify (a vote
    /// "against all" is valid, an invalid ballot is not).
    Valid,
}

impl Assertion {
    /// An assertion over the whole population of ballots (see [`Assertion::on`] for a
    /// narrower base).
    pub(crate) fn new(
        claim: Claim,
        kind: &'static str,
        party: usize,
        other: Option<usize>,
        region: Option<String>,
        assorter: Assorter,
        counts: [u64; 4],
    ) -> Assertion {
        let mean = assorter.mean(counts[0], counts[1], counts[2], counts[3]);
        Assertion {
            claim,
            kind,
            party,
            other,
            region,
            assorter,
            counts,
            mean,
            margin: 2.0 * mean - 1.0,
            base: BallotSet::All,
        }
    }

    /// The same assertion with the base `base`.
    pub(crate) fn on(mut self, base: BallotSet) -> Assertion {
        self.base = base;
        self
    }

    /// The mark of a ballot for `party` (none: invalid, blank, "against all") cast in
    /// `region`, or `None` where the ballot's party and region do not say (a base of
    /// valid ballots).
    pub fn mark(&self, party: Option<usize>, region: Option<usize>) -> Option<Mark> {
        let in_base = match &self.base {
            BallotSet::All => true,
            BallotSet::Parties(ps) => party.is_some_and(|p| ps.contains(&p)),
            BallotSet::Region(r) => region == Some(*r),
            BallotSet::Valid => return None,
        };
        let is = |i: usize| party == Some(i);
        Some(match self.kind {
            "pair" if is(self.party) => Mark::For,
            "pair" if self.other.is_some_and(is) => Mark::Against,
            "above-threshold" if in_base && is(self.party) => Mark::For,
            "below-threshold" if in_base && is(self.party) => Mark::Against,
            _ if in_base => Mark::OtherInBase,
            _ => Mark::Neutral,
        })
    }

    /// The value of a ballot with this mark.
    pub fn value(&self, mark: Mark) -> f64 {
        self.assorter.value(mark)
    }
}

/// The assertions of one allocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeatAssertions {
    /// Paper ballots in the audit's population.
    pub ballots: u64,
    /// Every assertion, thresholds first, then pairs.
    pub assertions: Vec<Assertion>,
    /// Stark & Teague's largest relative overstatement per ballot for a divisor method,
    /// `u = max over pairs (d_w + d_l) / (d_l V_w - d_w V_l)`; the diluted margin is
    /// `1 / (N u)`.
    pub stark_teague_u: Option<f64>,
    /// What a reader must know.
    pub notes: Vec<String>,
}

impl SeatAssertions {
    /// The assertion with the smallest margin.
    pub fn weakest(&self) -> Option<&Assertion> {
        self.assertions
            .iter()
            .min_by(|a, b| a.margin.total_cmp(&b.margin))
    }
}

/// A method's divisor for a party's k-th seat, as a float.
fn divisor(m: Method, k: u64) -> Option<f64> {
    match m {
        Method::HuntingtonHill => Some(((k - 1) as f64 * k as f64).sqrt()),
        _ => m.divisor(k).map(|(n, d)| n as f64 / d as f64),
    }
}

/// The assertions of allocation `o` of problem `p`, with `ballots` paper ballots (every
/// ballot cast, invalid and "against all" included).
pub fn seat_assertions(
    p: &Problem,
    o: &Outcome,
    ballots: u64,
) -> Result<SeatAssertions, AuditError> {
    let listed: u64 = p.votes.iter().sum();
    if listed > ballots {
        return Err(AuditError::field(
            "ballots",
            format!("{ballots} ballots cannot hold the parties' {listed} votes"),
        ));
    }
    if !p.alliances.is_empty() {
        return Err(AuditError::Unsupported(
            "assertions for list alliances".into(),
        ));
    }
    if matches!(p.method, Method::Quota) {
        return Err(AuditError::Unsupported(
            "assertions for the Balinski-Young quota method".into(),
        ));
    }
    if o.parties.iter().any(|x| x.list_seats != x.uncapped_seats) {
        return Err(AuditError::Unsupported(
            "assertions for an allocation where the seat cap binds".into(),
        ));
    }
    let mut out = SeatAssertions {
        ballots,
        assertions: Vec::new(),
        stark_teague_u: None,
        notes: Vec::new(),
    };
    if !p.districts.is_empty() {
        out.notes
            .push("single-member districts are not covered: their winners are plurality contests of their own".into());
    }
    if o.ties.iter().any(|t| t.rule != seats::TieRule::FirstListed) {
        out.notes
            .push("a seat was decided by lot: its assertion has margin 0 and only a full count can confirm it".into());
    }
    threshold_assertions(p, o, ballots, &mut out);
    pair_assertions(p, o, ballots, &mut out)?;
    Ok(out)
}

fn threshold_assertions(p: &Problem, o: &Outcome, ballots: u64, out: &mut SeatAssertions) {
    let Some(t) = &p.threshold else {
        return;
    };
    let name = |i: usize| p.parties[i].as_str();
    if let (Some(share), Some((base, base_votes))) = (t.national, o.base) {
        let share_f = share.num as f64 / share.den as f64;
        for (i, party) in o.parties.iter().enumerate() {
            let passed = matches!(party.national, Check::Passed(_));
            let failed = matches!(party.national, Check::Failed(_));
            if !(passed || failed) {
                continue;
            }
            let v = p.votes[i];
            // A base of registered voters is a fixed number, not a set of ballots: the
            // threshold becomes the share t·R/N of all ballots.
            let (t_eff, base_ballots) = match base {
                Base::Registered => (share_f * base_votes as f64 / ballots as f64, ballots),
                Base::Participated => (share_f, ballots),
                Base::Valid | Base::Listed => (share_f, base_votes.min(ballots)),
            };
            let rest = base_ballots.saturating_sub(v);
            let neutral = ballots - base_ballots;
            let pct = share.percent(2);
            let scope = Scope::National { base };
            let set = match base {
                Base::Participated | Base::Registered => BallotSet::All,
                Base::Listed => BallotSet::Parties((0..p.parties.len()).collect()),
                Base::Valid => BallotSet::Valid,
            };
            out.assertions.push(if passed {
                Assertion::new(
                    Claim::Above {
                        party: name(i).to_string(),
                        threshold: pct,
                        scope,
                    },
                    "above-threshold",
                    i,
                    None,
                    None,
                    Assorter::above_threshold(t_eff),
                    [v, 0, rest, neutral],
                )
                .on(set)
            } else {
                Assertion::new(
                    Claim::Below {
                        party: name(i).to_string(),
                        threshold: pct,
                        scope,
                    },
                    "below-threshold",
                    i,
                    None,
                    None,
                    Assorter::below_threshold(t_eff),
                    [0, v, rest, neutral],
                )
                .on(set)
            });
        }
    }
    let Some(share) = t.regional else {
        return;
    };
    let share_f = share.num as f64 / share.den as f64;
    let national = o.base.map_or(listed_sum(p), |b| b.1);
    for (i, party) in o.parties.iter().enumerate() {
        let regional = |r: &seats::Region| {
            let b = region_base(r, t, national).min(ballots);
            let v = r.votes[i];
            (v, b)
        };
        match party.regional {
            Check::Passed(_) if party.eligible => {
                for (ri, r) in p.regions.iter().enumerate() {
                    let (v, b) = regional(r);
                    out.assertions.push(
                        Assertion::new(
                            Claim::Above {
                                party: name(i).to_string(),
                                threshold: share.percent(2),
                                scope: Scope::Region {
                                    region: r.name.clone(),
                                },
                            },
                            "above-threshold",
                            i,
                            None,
                            Some(r.name.clone()),
                            Assorter::above_threshold(share_f),
                            [v, 0, b.saturating_sub(v), ballots - b],
                        )
                        .on(BallotSet::Region(ri)),
                    );
                }
            }
            Check::Failed(_) if !matches!(party.national, Check::Failed(_)) => {
                // One region below the threshold keeps the party out: assert the one it
                // is furthest below, the easiest to confirm.
                let weakest = p
                    .regions
                    .iter()
                    .enumerate()
                    .map(|(ri, r)| ((ri, r), regional(r)))
                    .min_by(|a, b| {
                        let (x, y) = (
                            (a.1 .0 as f64) / (a.1 .1 as f64),
                            (b.1 .0 as f64) / (b.1 .1 as f64),
                        );
                        x.total_cmp(&y)
                    });
                if let Some(((ri, r), (v, b))) = weakest {
                    out.assertions.push(
                        Assertion::new(
                            Claim::Below {
                                party: name(i).to_string(),
                                threshold: share.percent(2),
                                scope: Scope::Region {
                                    region: r.name.clone(),
                                },
                            },
                            "below-threshold",
                            i,
                            None,
                            Some(r.name.clone()),
                            Assorter::below_threshold(share_f),
                            [0, v, b.saturating_sub(v), ballots - b],
                        )
                        .on(BallotSet::Region(ri)),
                    );
                }
            }
            _ => {}
        }
    }
}

fn listed_sum(p: &Problem) -> u64 {
    p.votes.iter().sum()
}

fn pair_assertions(
    p: &Problem,
    o: &Outcome,
    ballots: u64,
    out: &mut SeatAssertions,
) -> Result<(), AuditError> {
    let eligible: Vec<usize> = (0..p.parties.len())
        .filter(|&i| o.parties[i].eligible)
        .collect();
    let seats: Vec<u64> = o.parties.iter().map(|x| x.list_seats).collect();
    let total: u64 = eligible.iter().map(|&i| p.votes[i]).sum();
    let name = |i: usize| p.parties[i].as_str();
    let mut u_max: Option<f64> = None;
    for &w in &eligible {
        if seats[w] == 0 {
            continue;
        }
        for &l in &eligible {
            if l == w {
                continue;
            }
            let (vw, vl) = (p.votes[w], p.votes[l]);
            if p.method.is_divisor() {
                let (Some(dw), Some(dl)) =
                    (divisor(p.method, seats[w]), divisor(p.method, seats[l] + 1))
                else {
                    return Err(AuditError::Unsupported(format!(
                        "assertions for {}",
                        p.method.name()
                    )));
                };
                if dw == 0.0 {
                    // A first seat at divisor 0 (Adams): it cannot be lost to another party.
                    continue;
                }
                let slack = dl * vw as f64 - dw * vl as f64;
                let u = (dw + dl) / slack;
                u_max = Some(u_max.map_or(u, |m: f64| if u.is_nan() { m } else { m.max(u) }));
                out.assertions.push(
                    Assertion::new(
                        Claim::Pair {
                            winner: name(w).to_string(),
                            winner_seat: seats[w],
                            loser: name(l).to_string(),
                            loser_seat: seats[l] + 1,
                            rule: PairRule::Divisor {
                                winner_divisor: dw,
                                loser_divisor: dl,
                            },
                        },
                        "pair",
                        w,
                        Some(l),
                        None,
                        Assorter::divisor_pair(dw, dl),
                        [vw, vl, 0, ballots - vw - vl],
                    )
                    .on(BallotSet::Parties(vec![w, l])),
                );
            } else {
                out.assertions.push(
                    Assertion::new(
                        Claim::Pair {
                            winner: name(w).to_string(),
                            winner_seat: seats[w],
                            loser: name(l).to_string(),
                            loser_seat: seats[l] + 1,
                            rule: PairRule::LargestRemainder { seats: p.seats },
                        },
                        "pair",
                        w,
                        Some(l),
                        None,
                        Assorter::largest_remainder_pair(p.seats, seats[w], seats[l]),
                        [vw, vl, total - vw - vl, ballots - total],
                    )
                    .on(BallotSet::Parties(eligible.clone())),
                );
            }
        }
    }
    if p.method.is_divisor() {
        out.stark_teague_u = u_max;
    } else {
        out.notes
            .push("Stark & Teague's u is defined for divisor methods; largest remainder is audited through its pair assertions".into());
    }
    Ok(())
}
