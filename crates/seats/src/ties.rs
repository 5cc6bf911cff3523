//! Explicit tie rules: a tie is never broken silently by iteration order.
//!
//! A tie is an equal priority for the last seat(s) (divisor and quota methods), equal
//! remainders at the cut (largest remainder), or equal votes for the top place in a
//! single-member district.

use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::SeatsError;

/// How to break a tie.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Ties {
    /// Refuse, naming the tied parties (the default, as an audit needs).
    #[default]
    Error,
    /// The party listed first wins (Lackner's `apportionment` and Balinski–Young's examples).
    FirstListed,
    /// A drawing of lots reproducible from a published seed: the tied parties' names are
    /// drawn with Rivest's consistent sampler (ids = the names, seed as given), and the first
    /// drawn win.
    Lot {
        /// The published seed (for example from dice rolled in public).
        seed: String,
    },
}

impl Ties {
    /// Parses `error`, `first-listed` or `lot` (which needs a seed).
    pub fn parse(name: &str, seed: Option<&str>) -> Result<Ties, SeatsError> {
        match name.trim().to_lowercase().replace('_', "-").as_str() {
            "error" => Ok(Ties::Error),
            "first-listed" | "list-order" => Ok(Ties::FirstListed),
            "lot" => match seed {
                Some(s) if !s.is_empty() => Ok(Ties::Lot {
                    seed: s.to_string(),
                }),
                _ => Err(SeatsError::invalid("ties = \"lot\" needs a published seed")),
            },
            other => Err(SeatsError::invalid(format!(
                "unknown tie rule '{other}', expected one of: lot, first-listed, error"
            ))),
        }
    }

    /// The rule, without its seed.
    pub fn rule(&self) -> TieRule {
        match self {
            Ties::Error => TieRule::Error,
            Ties::FirstListed => TieRule::FirstListed,
            Ties::Lot { .. } => TieRule::Lot,
        }
    }

    /// The rule's name.
    pub fn name(&self) -> &'static str {
        self.rule().key()
    }
}

/// A tie rule as reports name it: `error`, `first-listed` or `lot`.
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieRule {
    /// Refuse.
    Error,
    /// The party listed first wins.
    FirstListed,
    /// Lots drawn from a published seed.
    Lot,
}

impl TieRule {
    /// The rule's name.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// A tie that was broken, as reported in an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    /// The tied parties (indices), in list order.
    pub parties: Vec<usize>,
    /// How many seats they contested.
    pub seats: u64,
    /// The parties that won them, in the order the rule chose them.
    pub winners: Vec<usize>,
    /// The rule that decided.
    pub rule: TieRule,
}

/// Chooses `k` of the `tied` parties (indices, list order) by the rule.
pub(crate) fn break_tie(
    tied: &[usize],
    k: u64,
    names: &[String],
    rule: &Ties,
) -> Result<Tie, SeatsError> {
    let winners: Vec<usize> = match rule {
        Ties::Error => {
            return Err(SeatsError::Tie {
                parties: tied.iter().map(|&i| names[i].clone()).collect(),
                seats: k,
            })
        }
        Ties::FirstListed => tied.iter().copied().take(k as usize).collect(),
        Ties::Lot { seed } => {
            let ids: Vec<&str> = tied.iter().map(|&i| names[i].as_str()).collect();
            let drawn = sampler::sample(&ids, seed, &sampler::Options::default())
                .map_err(|e| SeatsError::invalid(format!("drawing lots: {e}")))?;
            drawn
                .iter()
                .take(k as usize)
                .filter_map(|t| tied.iter().copied().find(|&i| names[i] == t.id))
                .collect()
        }
    };
    Ok(Tie {
        parties: tied.to_vec(),
        seats: k,
        winners,
        rule: rule.rule(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_has_the_name_reports_give_it() {
        let lot = Ties::Lot { seed: "7".into() };
        let names: Vec<&str> = [Ties::Error, Ties::FirstListed, lot]
            .iter()
            .map(Ties::name)
            .collect();
        assert_eq!(names, ["error", "first-listed", "lot"]);
        let keys: Vec<&str> = TieRule::VARIANTS.iter().map(|r| r.key()).collect();
        assert_eq!(keys, names);
        assert_eq!(TieRule::FirstListed.to_string(), "first-listed");
    }
}
