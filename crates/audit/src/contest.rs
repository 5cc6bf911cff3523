//! One contest as Arlo's audit mathematics sees it (Arlo `sampler_contest.Contest`; the
//! project's `rla.md`, §1): candidates with their reported votes, the ballots cast, the
//! number of winners.

use serde_json::Value;

use crate::AuditError;

/// A contest's reported result.
#[derive(Debug, Clone, PartialEq)]
pub struct Contest {
    /// The contest's name.
    pub name: String,
    /// Candidates and their reported votes, in input order (ties keep this order).
    pub candidates: Vec<(String, u64)>,
    /// All ballots cast in the contest, undervotes included.
    pub ballots: u64,
    /// How many candidates win.
    pub num_winners: usize,
    /// Votes a voter may cast.
    pub votes_allowed: u64,
    /// Ballots counted after the audit started, which reduce every margin (Arlo #1928).
    pub pending_ballots: u64,
}

/// The keys of an Arlo contest object that are not candidates.
const RESERVED: [&str; 5] = [
    "ballots",
    "numWinners",
    "votesAllowed",
    "pendingBallots",
    "isSubjectToRunoff",
];

impl Contest {
    /// A single-winner, vote-for-one contest.
    pub fn new(name: &str, candidates: Vec<(String, u64)>, ballots: u64) -> Contest {
        Contest {
            name: name.to_string(),
            candidates,
            ballots,
            num_winners: 1,
            votes_allowed: 1,
            pending_ballots: 0,
        }
    }

    /// Reads Arlo's contest object, `{"cand1": 600, "cand2": 400, "ballots": 1000,
    /// "numWinners": 1, "votesAllowed": 1}`, keeping the candidates in their order.
    /// `field` names the object in error messages.
    pub fn from_arlo(name: &str, value: &Value, field: &str) -> Result<Contest, AuditError> {
        let Some(obj) = value.as_object() else {
            return Err(AuditError::field(
                field,
                "expected an object of candidates and counts",
            ));
        };
        let count = |key: &str| -> Result<Option<u64>, AuditError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                    AuditError::field(format!("{field}.{key}"), "expected a non-negative integer")
                }),
            }
        };
        let ballots = count("ballots")?
            .ok_or_else(|| AuditError::field(format!("{field}.ballots"), "missing"))?;
        let num_winners = count("numWinners")?.unwrap_or(1);
        let votes_allowed = count("votesAllowed")?.unwrap_or(1);
        let pending_ballots = count("pendingBallots")?.unwrap_or(0);
        if obj.get("isSubjectToRunoff").and_then(Value::as_bool) == Some(true) {
            return Err(AuditError::Unsupported(format!(
                "{field}.isSubjectToRunoff: runoff contests"
            )));
        }
        let mut candidates = Vec::new();
        for (key, v) in obj {
            if RESERVED.contains(&key.as_str()) {
                continue;
            }
            let votes = v.as_u64().ok_or_else(|| {
                AuditError::field(
                    format!("{field}.{key}"),
                    "expected a non-negative vote count",
                )
            })?;
            candidates.push((key.clone(), votes));
        }
        let c = Contest {
            name: name.to_string(),
            candidates,
            ballots,
            num_winners: num_winners as usize,
            votes_allowed,
            pending_ballots,
        };
        c.check(field)?;
        Ok(c)
    }

    /// Refuses a contest whose numbers cannot be right.
    pub fn check(&self, field: &str) -> Result<(), AuditError> {
        if self.candidates.is_empty() {
            return Err(AuditError::field(field, "the contest has no candidates"));
        }
        if self.ballots == 0 {
            return Err(AuditError::field(
                format!("{field}.ballots"),
                "must be above 0",
            ));
        }
        if self.num_winners == 0 {
            return Err(AuditError::field(
                format!("{field}.numWinners"),
                "must be at least 1",
            ));
        }
        if self.votes_allowed == 0 {
            return Err(AuditError::field(
                format!("{field}.votesAllowed"),
                "must be at least 1",
            ));
        }
        // Counts are compared and subtracted as signed 64-bit numbers (the pairs' margins):
        // every one must fit, and so must their sum.
        let valid = crate::error::total(
            self.candidates.iter().map(|c| c.1),
            field,
            "the candidates' votes",
        )?;
        let signed = |what: &str, n: Option<u64>| match n.filter(|&n| i64::try_from(n).is_ok()) {
            Some(_) => Ok(()),
            None => Err(AuditError::field(
                format!("{field}.{what}"),
                "above 9223372036854775807".to_string(),
            )),
        };
        signed("ballots", Some(self.ballots))?;
        // A pair's margin takes the pending ballots and every vote away from a winner's.
        signed("pendingBallots", valid.checked_add(self.pending_ballots))?;
        if valid > self.ballots.saturating_mul(self.votes_allowed) {
            return Err(AuditError::field(
                format!("{field}.ballots"),
                format!(
                    "{} ballots cannot hold {valid} votes with {} vote(s) allowed per ballot",
                    self.ballots, self.votes_allowed
                ),
            ));
        }
        Ok(())
    }

    /// The sum of the candidates' votes.
    pub fn valid(&self) -> u64 {
        self.candidates.iter().map(|c| c.1).sum()
    }

    /// A candidate's votes.
    pub fn votes(&self, i: usize) -> u64 {
        self.candidates[i].1
    }

    /// A candidate's index by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.candidates.iter().position(|c| c.0 == name)
    }

    /// Candidate indices by votes, descending; ties keep input order.
    fn ranked(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.candidates.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.votes(i)));
        order
    }

    /// The winners: the first `num_winners` by votes.
    pub fn winners(&self) -> Vec<usize> {
        self.ranked().into_iter().take(self.num_winners).collect()
    }

    /// The losers: everybody else, by votes.
    pub fn losers(&self) -> Vec<usize> {
        self.ranked().into_iter().skip(self.num_winners).collect()
    }

    /// `p_i = V_i / ballots`: a share of all ballots.
    pub fn p(&self, i: usize) -> f64 {
        self.votes(i) as f64 / self.ballots as f64
    }

    /// `swl = s_w / (s_w + s_l)` with `s = V / valid`, as Arlo computes it.
    pub fn swl(&self, w: usize, l: usize) -> f64 {
        let valid = self.valid() as f64;
        let (sw, sl) = (self.votes(w) as f64 / valid, self.votes(l) as f64 / valid);
        sw / (sw + sl)
    }

    /// The smallest winner-minus-loser margin in votes, or `None` without losers.
    pub fn min_margin(&self) -> Option<i64> {
        let (w, l) = (self.winners(), self.losers());
        w.iter()
            .flat_map(|&a| l.iter().map(move |&b| (a, b)))
            .map(|(a, b)| self.votes(a) as i64 - self.votes(b) as i64)
            .min()
    }

    /// The diluted margin: the smallest margin over all ballots (`-1` without losers, as
    /// Arlo has it).
    pub fn diluted_margin(&self) -> f64 {
        self.min_margin()
            .map_or(-1.0, |m| m as f64 / self.ballots as f64)
    }

    /// Names a pair as Arlo's answers do: `winner|loser`.
    pub fn pair_name(&self, w: usize, l: usize) -> String {
        format!("{}|{}", self.candidates[w].0, self.candidates[l].0)
    }
}

/// The risk limit as a fraction, from Arlo's integer (or decimal) percent; refused outside
/// (0, 50].
pub fn alpha_from_percent(percent: f64) -> Result<f64, AuditError> {
    if !(percent > 0.0 && percent <= 50.0) {
        return Err(AuditError::RiskLimit(format!("{percent}%")));
    }
    Ok(percent / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arlo_contest_keeps_candidate_order_and_ranks_winners() {
        let v: Value = serde_json::from_str(
            r#"{"b": 200, "a": 400, "c": 200, "ballots": 1000, "numWinners": 1, "votesAllowed": 1}"#,
        )
        .unwrap_or_default();
        let c = Contest::from_arlo("x", &v, "contest").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.candidates[0].0, "b");
        assert_eq!(c.winners(), [1]);
        assert_eq!(c.losers(), [0, 2]); // the tie keeps input order
        assert_eq!(c.diluted_margin(), 0.2);
    }

    #[test]
    fn bad_contests_are_named() {
        let v: Value =
            serde_json::from_str(r#"{"a": 600, "b": -1, "ballots": 1000}"#).unwrap_or_default();
        let e = Contest::from_arlo("x", &v, "contest").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("contest.b: expected a non-negative vote count")
        );
        let v: Value =
            serde_json::from_str(r#"{"a": 600, "b": 500, "ballots": 1000}"#).unwrap_or_default();
        let e = Contest::from_arlo("x", &v, "contest").err();
        assert!(e.is_some_and(|e| e.to_string().contains("cannot hold 1100 votes")));
        assert!(alpha_from_percent(0.0).is_err());
        assert!(alpha_from_percent(51.0).is_err());
        assert_eq!(alpha_from_percent(10.0), Ok(0.1));
    }
}
