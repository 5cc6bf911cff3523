//! Assorters: the functions that turn each ballot into a number in `[0, u]` whose mean
//! exceeds 1/2 exactly when an assertion about the outcome holds (SHANGRLA, §2; the
//! project's `rla.md`, §7.1–7.2 and §7.5).
//!
//! For polling, an assorter is applied to each sampled paper ballot. For a comparison
//! audit, the overstatement assorter [`Assorter::overstatement`] compares each ballot's
//! cast-vote record with its manual reading.

use serde::Serialize;

/// What one ballot says about the two sides of an assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A vote for the side that must be ahead (the winner, the party above a threshold).
    For,
    /// A vote for the side that must be behind.
    Against,
    /// Another ballot inside the assertion's base (a vote for a third party, an invalid
    /// ballot where the base counts those).
    OtherInBase,
    /// A ballot outside the base, or one that says nothing about either side.
    Neutral,
}

/// An assorter that depends on one ballot's [`Mark`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assorter {
    /// The value of a vote for the side that must be ahead.
    pub for_value: f64,
    /// The value of a vote for the side that must be behind.
    pub against_value: f64,
    /// The value of another ballot inside the base.
    pub other_in_base: f64,
    /// The value of a neutral ballot (always 1/2).
    pub neutral: f64,
    /// The upper bound `u`.
    pub upper_bound: f64,
}

impl Assorter {
    /// Plurality, winner against loser: 1, 0, 1/2; `u = 1`.
    pub fn plurality() -> Assorter {
        Assorter::weighted(1.0)
    }

    /// A pair with a vote for the ahead side worth `a`, a vote for the other 0, any other
    /// ballot 1/2 (the divisor-method and largest-remainder assorters reduce to this).
    fn weighted(a: f64) -> Assorter {
        Assorter {
            for_value: a,
            against_value: 0.0,
            other_in_base: 0.5,
            neutral: 0.5,
            upper_bound: a,
        }
    }

    /// Supermajority with winning share `f`: `1/(2f)` for the winner, 0 for any other
    /// valid vote, 1/2 for an invalid ballot; `u = 1/(2f)`.
    pub fn supermajority(f: f64) -> Assorter {
        let a = 1.0 / (2.0 * f);
        Assorter {
            for_value: a,
            against_value: 0.0,
            other_in_base: 0.0,
            neutral: 0.5,
            upper_bound: a,
        }
    }

    /// A party is above the threshold share `t` of its base (Blom et al. 2021, §4; rlauxe
    /// `ThresholdAssorters.kt`): `1/(2t)` for the party, 0 for any other ballot in the base,
    /// 1/2 outside the base; `u = 1/(2t)`.
    pub fn above_threshold(t: f64) -> Assorter {
        let a = 1.0 / (2.0 * t);
        Assorter {
            for_value: a,
            against_value: 0.0,
            other_in_base: 0.0,
            neutral: 0.5,
            upper_bound: a,
        }
    }

    /// A party is below the threshold share `t`: 0 for the party, `1/(2(1 - t))` for any
    /// other ballot in the base, 1/2 outside; `u = 1/(2(1 - t))`. Here the party is the
    /// `Against` side and every other ballot in the base is `OtherInBase`.
    pub fn below_threshold(t: f64) -> Assorter {
        let a = 1.0 / (2.0 * (1.0 - t));
        Assorter {
            for_value: a,
            against_value: 0.0,
            other_in_base: a,
            neutral: 0.5,
            upper_bound: a,
        }
    }

    /// A divisor method's pair (Blom et al. 2021, §3): party A's last seat, won at divisor
    /// `d_w`, must beat party B's first seat lost, at divisor `d_l`:
    /// `T_A / d_w > T_B / d_l`. The proto-assorter `[A]/d_w - [B]/d_l` rescaled to
    /// `(d_l/d_w + 1)/2` for A, 0 for B, 1/2 otherwise.
    pub fn divisor_pair(d_w: f64, d_l: f64) -> Assorter {
        Assorter::weighted((d_l / d_w + 1.0) / 2.0)
    }

    /// A largest-remainder (Hamilton/Hare) pair with `seats` seats among the eligible
    /// parties, w holding `s_w >= 1` seats and l holding `s_l`: w's last seat must beat
    /// l's next, `S V_w - (s_w - 1) T > S V_l - s_l T` with `T` the eligible parties'
    /// votes (Blom et al. 2021, §5; the project's `electoral-law.md`). Per ballot the
    /// proto-assorter is `S [w] - S [l] - c [eligible]` with `c = s_w - 1 - s_l`; its lower
    /// bound is `-(S + c)`, and rescaled it is `S/(S + c)` for w, 0 for l,
    /// `S/(2(S + c))` for a vote for another eligible party, 1/2 for any other ballot.
    pub fn largest_remainder_pair(seats: u64, s_w: u64, s_l: u64) -> Assorter {
        let s = seats as f64;
        let c = s_w as f64 - 1.0 - s_l as f64;
        let a = s / (s + c);
        Assorter {
            for_value: a,
            against_value: 0.0,
            other_in_base: a / 2.0,
            neutral: 0.5,
            upper_bound: a.max(0.5),
        }
    }

    /// The value of one ballot.
    pub fn value(&self, mark: Mark) -> f64 {
        match mark {
            Mark::For => self.for_value,
            Mark::Against => self.against_value,
            Mark::OtherInBase => self.other_in_base,
            Mark::Neutral => self.neutral,
        }
    }

    /// The mean of the assorter over ballots with these counts of each mark.
    pub fn mean(&self, for_count: u64, against: u64, other_in_base: u64, neutral: u64) -> f64 {
        let n = (for_count + against + other_in_base + neutral) as f64;
        (self.for_value * for_count as f64
            + self.against_value * against as f64
            + self.other_in_base * other_in_base as f64
            + self.neutral * neutral as f64)
            / n
    }

    /// The comparison (CLCA) overstatement assorter of SHANGRLA (§3.2): for a ballot whose
    /// record scores `cvr` and whose manual reading scores `mvr`,
    /// `B = (1 - ω/u) / (2 - v/u)` with `ω = cvr - mvr` and `v` the assorter margin
    /// (`2 · mean - 1` over the records). Its upper bound is `2 / (2 - v/u)`.
    pub fn overstatement(&self, margin: f64, cvr: f64, mvr: f64) -> f64 {
        let u = self.upper_bound;
        (1.0 - (cvr - mvr) / u) / (2.0 - margin / u)
    }

    /// The upper bound of the overstatement assorter: `2 / (2 - v/u)`.
    pub fn overstatement_bound(&self, margin: f64) -> f64 {
        2.0 / (2.0 - margin / self.upper_bound)
    }

    /// SHANGRLA's closed form for the mean of the overstatement assorter when one-vote and
    /// two-vote overstatements occur at rates `r1` and `r2`:
    /// `(1 - r1/2 - r2) / (2 - v/u)`.
    pub fn overstatement_mean(&self, margin: f64, r1: f64, r2: f64) -> f64 {
        (1.0 - r1 / 2.0 - r2) / (2.0 - margin / self.upper_bound)
    }
}
