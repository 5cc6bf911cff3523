//! What an assertion says, typed: which party, which seat or threshold, where. A page words a
//! claim in its reader's language from these fields; `Display` words it in English, as the
//! command line prints it and the JSON's `label` carries it (the same sentences as before the
//! claims were typed). The JSON also carries the claim itself (`claim`: `kind` `pair`,
//! `above`, `below` or `all`, and its fields).

use serde::Serialize;

/// What an assertion says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Claim {
    /// The winner's last seat beats the loser's next seat.
    Pair {
        /// The party holding the seat.
        winner: String,
        /// The winner's last seat (its number among the winner's seats).
        winner_seat: u64,
        /// The party that would take it.
        loser: String,
        /// The loser's next seat (its number among the loser's seats).
        loser_seat: u64,
        /// How seats are compared.
        #[serde(flatten)]
        rule: PairRule,
    },
    /// A party is above a threshold it had to pass.
    Above {
        /// The party.
        party: String,
        /// The threshold, in percent with two decimals (`7.00`).
        threshold: String,
        /// Where, and of what.
        #[serde(flatten)]
        scope: Scope,
    },
    /// A party is below a threshold that keeps it out.
    Below {
        /// The party.
        party: String,
        /// The threshold, in percent with two decimals (`7.00`).
        threshold: String,
        /// Where, and of what.
        #[serde(flatten)]
        scope: Scope,
    },
    /// Every assertion at once, as MACRO audits them with one risk.
    All {
        /// How many assertions.
        count: usize,
        /// MACRO's total error bound `U` over the stations.
        bound: f64,
    },
}

/// How a pair's seats are compared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum PairRule {
    /// A divisor method: votes over each seat's divisor.
    Divisor {
        /// The divisor of the winner's last seat.
        winner_divisor: f64,
        /// The divisor of the loser's next seat.
        loser_divisor: f64,
    },
    /// Largest remainder with this many seats.
    LargestRemainder {
        /// The seats allocated.
        seats: u64,
    },
}

/// Where a threshold applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "scope", rename_all = "kebab-case")]
pub enum Scope {
    /// The national threshold, a share of `base`.
    National {
        /// What the threshold is a share of.
        #[serde(serialize_with = "base_key")]
        base: seats::Base,
    },
    /// The regional threshold in a region.
    Region {
        /// The region's name.
        region: String,
    },
}

#[cfg(test)]
impl Claim {
    /// A plurality between two candidates, as a pair of first seats (divisor 1 each).
    pub(crate) fn plurality(winner: &str, loser: &str) -> Claim {
        Claim::Pair {
            winner: winner.into(),
            winner_seat: 1,
            loser: loser.into(),
            loser_seat: 1,
            rule: PairRule::Divisor {
                winner_divisor: 1.0,
                loser_divisor: 1.0,
            },
        }
    }
}

fn base_key<S: serde::Serializer>(b: &seats::Base, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(b.key())
}

impl std::fmt::Display for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim::Pair {
                winner,
                winner_seat,
                loser,
                loser_seat,
                rule: PairRule::Divisor {
                    winner_divisor,
                    loser_divisor,
                },
            } => write!(
                f,
                "{winner}'s seat {winner_seat} (divisor {winner_divisor}) beats {loser}'s seat {loser_seat} (divisor {loser_divisor})"
            ),
            Claim::Pair {
                winner,
                winner_seat,
                loser,
                loser_seat,
                rule: PairRule::LargestRemainder { seats },
            } => write!(
                f,
                "{winner}'s seat {winner_seat} beats {loser}'s seat {loser_seat} (largest remainder, {seats} seats)"
            ),
            Claim::Above {
                party,
                threshold,
                scope,
            } => threshold_text(f, party, "above", threshold, scope),
            Claim::Below {
                party,
                threshold,
                scope,
            } => threshold_text(f, party, "below", threshold, scope),
            Claim::All { count, bound } => {
                write!(f, "all {count} assertions (MACRO, U = {bound:.3})")
            }
        }
    }
}

fn threshold_text(
    f: &mut std::fmt::Formatter<'_>,
    party: &str,
    side: &str,
    pct: &str,
    scope: &Scope,
) -> std::fmt::Result {
    match scope {
        Scope::National { base } => write!(
            f,
            "{party} is {side} the national threshold ({pct}% of {})",
            base.key()
        ),
        Scope::Region { region } => write!(
            f,
            "{party} is {side} the regional threshold in {region} ({pct}%)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The English sentences are the labels the JSON and the command line have always shown;
    /// the claim's JSON names its kind and fields.
    #[test]
    fn claims_in_english_and_json() {
        let cases: Vec<(Claim, &str, serde_json::Value)> = vec![
            (
                Claim::Pair {
                    winner: "A".into(),
                    winner_seat: 3,
                    loser: "B".into(),
                    loser_seat: 2,
                    rule: PairRule::Divisor {
                        winner_divisor: 3.0,
                        loser_divisor: 2.0,
                    },
                },
                "A's seat 3 (divisor 3) beats B's seat 2 (divisor 2)",
                serde_json::json!({"kind": "pair", "winner": "A", "winner_seat": 3, "loser": "B",
                    "loser_seat": 2, "rule": "divisor", "winner_divisor": 3.0, "loser_divisor": 2.0}),
            ),
            (
                Claim::Pair {
                    winner: "A".into(),
                    winner_seat: 1,
                    loser: "B".into(),
                    loser_seat: 1,
                    rule: PairRule::LargestRemainder { seats: 120 },
                },
                "A's seat 1 beats B's seat 1 (largest remainder, 120 seats)",
                serde_json::json!({"kind": "pair", "winner": "A", "winner_seat": 1, "loser": "B",
                    "loser_seat": 1, "rule": "largest-remainder", "seats": 120}),
            ),
            (
                Claim::Above {
                    party: "A".into(),
                    threshold: "7.00".into(),
                    scope: Scope::National {
                        base: seats::Base::Participated,
                    },
                },
                "A is above the national threshold (7.00% of participated)",
                serde_json::json!({"kind": "above", "party": "A", "threshold": "7.00",
                    "scope": "national", "base": "participated"}),
            ),
            (
                Claim::Below {
                    party: "B".into(),
                    threshold: "0.70".into(),
                    scope: Scope::Region {
                        region: "Chüy".into(),
                    },
                },
                "B is below the regional threshold in Chüy (0.70%)",
                serde_json::json!({"kind": "below", "party": "B", "threshold": "0.70",
                    "scope": "region", "region": "Chüy"}),
            ),
            (
                Claim::All {
                    count: 12,
                    bound: 1.23456,
                },
                "all 12 assertions (MACRO, U = 1.235)",
                serde_json::json!({"kind": "all", "count": 12, "bound": 1.23456}),
            ),
        ];
        for (claim, text, json) in cases {
            assert_eq!(claim.to_string(), text);
            assert_eq!(serde_json::to_value(&claim).unwrap(), json, "{text}");
        }
    }
}
