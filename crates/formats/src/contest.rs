//! The contest file: one seat-allocation problem in TOML or JSON (specified in
//! `docs/formats.md`), and the JSON reports of an allocation and its margins.
//!
//! ```toml
//! seats = 120
//! method = "hare"
//! ties = "error"
//! [threshold]
//! national = 0.07
//! base = "participated"
//! base_votes = 1990753
//! regional = 0.007
//! cap = 65
//! [votes]
//! "Birimdik" = 487685
//! ```

use audit::calc::Named;
use serde::de;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use seats::{
    percent, Alliance, Base, Candidate, Check, District, Fraction, Margins, Method, Outcome,
    Problem, Region, RegionalBase, Threshold, Ties,
};

use crate::FormatError;

/// Parses a contest file; `toml` selects TOML, otherwise JSON.
pub fn parse_contest(file: &str, text: &str, toml: bool) -> Result<Problem, FormatError> {
    let doc: Value = if toml {
        let t = toml_table(file, text)?;
        serde_json::to_value(t).map_err(|e| FormatError::file(file, e.to_string()))?
    } else {
        let at = |e: serde_json::Error| {
            FormatError::at(
                file,
                Some(e.line() as u64),
                Some(e.column() as u64),
                None,
                e.to_string(),
            )
        };
        // JSON keeps the last of two equal keys; a party listed twice must be an error.
        serde_json::from_str::<NoDuplicateKeys>(text).map_err(at)?;
        serde_json::from_str(text).map_err(at)?
    };
    let c: ContestFile = serde_path_to_error::deserialize(doc).map_err(|e| {
        let field = e.path().to_string();
        let field = (field != ".").then_some(field);
        FormatError::at(
            file,
            None,
            None,
            field.as_deref(),
            e.into_inner().to_string(),
        )
    })?;
    c.problem(file)
}

/// A TOML file's table, or the error at its line and column.
pub(crate) fn toml_table(file: &str, text: &str) -> Result<toml::Table, FormatError> {
    text.parse().map_err(|e: toml::de::Error| {
        let (line, col) = e.span().map_or((None, None), |s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() as u64 + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
            (Some(line), Some(col))
        });
        FormatError::at(file, line, col, None, e.message().to_string())
    })
}

/// A contest file as written (`docs/formats.md`): every key it may have, and no other.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContestFile {
    seats: Count,
    method: String,
    first_divisor: Option<Number>,
    ties: Option<String>,
    seed: Option<String>,
    threshold: Option<ThresholdFile>,
    votes: Named<Count>,
    regions: Option<Named<Named<Count>>>,
    region_bases: Option<Named<Count>>,
    alliances: Option<Named<Vec<String>>>,
    exempt: Option<Vec<String>>,
    cap: Option<Count>,
    districts: Option<Named<Named<Count>>>,
    candidate_party: Option<Named<String>>,
}

/// The `[threshold]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdFile {
    national: Option<Number>,
    base: Option<String>,
    base_votes: Option<Count>,
    regional: Option<Number>,
    regional_base: Option<String>,
    #[serde(default)]
    strict: bool,
    cap: Option<Count>,
}

/// A count: a whole number >= 0.
struct Count(u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        let v = Value::deserialize(d)?;
        v.as_u64()
            .map(Count)
            .ok_or_else(|| de::Error::custom(format!("{v} is not a count (a whole number >= 0)")))
    }
}

/// A number written as a number or as text (`"1/3"`), read exactly.
struct Number(Fraction);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        let text = match Value::deserialize(d)? {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s,
            other => return Err(de::Error::custom(format!("{other} is not a number"))),
        };
        Fraction::parse(&text)
            .map(Number)
            .map_err(de::Error::custom)
    }
}

fn err(file: &str, field: &str, message: impl Into<String>) -> FormatError {
    FormatError::at(file, None, None, Some(field), message)
}

impl ContestFile {
    fn problem(self, file: &str) -> Result<Problem, FormatError> {
        let err = |field: &str, m: String| err(file, field, m);
        let first = self.first_divisor.map(|n| n.0);
        let method =
            Method::parse(&self.method, first).map_err(|e| err("method", e.to_string()))?;
        let ties = match &self.ties {
            Some(t) => {
                Ties::parse(t, self.seed.as_deref()).map_err(|e| err("ties", e.to_string()))?
            }
            None => Ties::Error,
        };
        let (parties, votes) = self.votes.0.into_iter().map(|(k, v)| (k, v.0)).unzip();
        let mut p = Problem::new(self.seats.0, method, parties, votes);
        p.ties = ties;
        let names = p.parties.clone();
        let party = |name: &str, field: &str| {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| err(field, format!("'{name}' is not in [votes]")))
        };
        p.cap = self.cap.map(|c| c.0);
        if let Some(t) = self.threshold {
            if let Some(c) = t.cap {
                p.cap = Some(c.0);
            }
            let base = match &t.base {
                Some(b) => Base::parse(b).map_err(|e| err("threshold.base", e.to_string()))?,
                None => Base::Listed,
            };
            let regional_base = match t.regional_base.as_deref() {
                None | Some("region") => RegionalBase::Region,
                Some("national") => RegionalBase::National,
                Some(other) => {
                    return Err(err(
                        "threshold.regional_base",
                        format!("'{other}', expected region or national"),
                    ))
                }
            };
            p.threshold = Some(Threshold {
                national: t.national.map(|n| n.0),
                base,
                base_votes: t.base_votes.map(|c| c.0),
                regional: t.regional.map(|n| n.0),
                regional_base,
                strict: t.strict,
            });
        }
        for (name, counts) in self.regions.map_or_else(Vec::new, |r| r.0) {
            let field = format!("regions.{name}");
            let mut votes = vec![0u64; p.parties.len()];
            for (k, x) in counts.0 {
                votes[party(&k, &format!("{field}.{k}"))?] = x.0;
            }
            let base_votes = self.region_bases.as_ref().and_then(|b| b.get(&name));
            p.regions.push(Region {
                name,
                votes,
                base_votes: base_votes.map(|c| c.0),
            });
        }
        for (name, members) in self.alliances.map_or_else(Vec::new, |a| a.0) {
            let field = format!("alliances.{name}");
            let members = members
                .iter()
                .map(|m| party(m, &field))
                .collect::<Result<_, _>>()?;
            p.alliances.push(Alliance { name, members });
        }
        for m in self.exempt.unwrap_or_default() {
            p.exempt.push(party(&m, "exempt")?);
        }
        for (name, counts) in self.districts.map_or_else(Vec::new, |d| d.0) {
            let mut candidates = Vec::new();
            for (c, x) in counts.0 {
                let against_all = c.eq_ignore_ascii_case("against all") || c == "against_all";
                let affiliation = self.candidate_party.as_ref().and_then(|a| a.get(&c));
                let party = affiliation
                    .map(|pv| party(pv, &format!("candidate_party.{c}")))
                    .transpose()?;
                candidates.push(Candidate {
                    name: c,
                    party,
                    votes: x.0,
                    against_all,
                });
            }
            p.districts.push(District { name, candidates });
        }
        Ok(p)
    }
}

fn check(c: &Check) -> Value {
    json!({"status": c.key(), "detail": c.detail()})
}

/// The JSON report of an allocation: every party's seats and why it passed or failed each
/// threshold.
pub fn outcome_json(p: &Problem, o: &Outcome) -> Value {
    let t = p.threshold.as_ref();
    json!({
        "seats": p.seats,
        "method": p.method.name(),
        "ties": p.ties.name(),
        "threshold": t.map(|t| json!({
            "national_pct": t.national.map(|f| f.percent(2)),
            "base": t.base.key(),
            "base_votes": o.base.map(|(_, b)| b),
            "regional_pct": t.regional.map(|f| f.percent(2)),
            "regions": p.regions.len(),
            "strict": t.strict,
        })),
        "cap": p.cap,
        "parties": o.parties.iter().map(|x| json!({
            "name": x.name,
            "votes": x.votes,
            "seats": x.seats,
            "list_seats": x.list_seats,
            "district_seats": x.district_seats,
            "eligible": x.eligible,
            "national": check(&x.national),
            "regional": check(&x.regional),
        })).collect::<Vec<_>>(),
        "districts": o.districts.iter().zip(&p.districts).map(|(x, d)| json!({
            "name": x.name,
            "winner": x.winner.map(|w| d.candidates[w].name.clone()),
            "party": x.party.map(|i| p.parties[i].clone()),
            "vacant": x.vacant,
        })).collect::<Vec<_>>(),
        "ties": o.ties.iter().map(|t| json!({
            "parties": t.parties.iter().map(|&i| p.parties[i].clone()).collect::<Vec<_>>(),
            "seats": t.seats,
            "winners": t.winners.iter().map(|&i| p.parties[i].clone()).collect::<Vec<_>>(),
            "rule": t.rule.key(),
        })).collect::<Vec<_>>(),
        "notes": o.notes.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

/// A reader's summary of the margins, in plain words.
pub fn margin_summary(p: &Problem, o: &Outcome, m: &Margins) -> Vec<String> {
    let name = |i: usize| p.parties[i].as_str();
    let voters = o.base.map_or_else(|| p.votes.iter().sum(), |(_, b)| b);
    let mut out = Vec::new();
    if let Some(e) = &m.election {
        out.push(format!(
            "The closest seat: moving {} ballot(s) from {} to {} ({}% of {} ballots) would move one seat from {} to {}.",
            e.ballots,
            name(e.winner),
            name(e.loser),
            percent(e.ballots, voters),
            voters,
            name(e.winner),
            name(e.loser),
        ));
    }
    for t in m.thresholds.iter().take(3) {
        let o = &o.parties[t.party];
        out.push(if t.passes {
            format!(
                "{} passes the {} threshold by {} ballot(s): losing that many to other parties would exclude it and its {} seat(s) would be shared out again.",
                name(t.party),
                t.threshold,
                t.ballots,
                o.list_seats
            )
        } else {
            format!(
                "{} misses the {} threshold by {} ballot(s): gaining that many would let it share in the list seats.",
                name(t.party),
                t.threshold,
                t.ballots
            )
        });
    }
    out.extend(m.notes.iter().map(ToString::to_string));
    out
}

/// The JSON report of the margins.
pub fn margins_json(p: &Problem, o: &Outcome, m: &Margins) -> Value {
    let name = |i: usize| p.parties[i].clone();
    let pair = |x: &seats::PairMargin| {
        json!({
            "from": name(x.winner),
            "to": name(x.loser),
            "ballots": x.ballots,
            "exact": x.exact.map(|(n, d)| format!("{n}/{d}")),
        })
    };
    json!({
        "summary": margin_summary(p, o, m),
        "election_margin": m.election.as_ref().map(pair),
        "pairs": m.pairs.iter().map(pair).collect::<Vec<_>>(),
        "thresholds": m.thresholds.iter().map(|t| json!({
            "party": name(t.party),
            "threshold": t.threshold,
            "passes": t.passes,
            "ballots": t.ballots,
        })).collect::<Vec<_>>(),
        "notes": m.notes.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

/// Deserializes any JSON and fails on an object with a repeated key.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the key \"{key}\" appears twice"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
}
