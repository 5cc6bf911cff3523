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

use serde_json::{json, Map, Value};

use seats::{
    percent, Alliance, Base, Candidate, Check, District, Fraction, Margins, Method, Outcome,
    Problem, Region, RegionalBase, Threshold, Ties,
};

use crate::FormatError;

/// Parses a contest file; `toml` selects TOML, otherwise JSON.
pub fn parse_contest(file: &str, text: &str, toml: bool) -> Result<Problem, FormatError> {
    let doc: Value = if toml {
        let t: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let (line, col) = e.span().map_or((None, None), |s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() as u64 + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
                (Some(line), Some(col))
            });
            FormatError::at(file, line, col, None, e.message().to_string())
        })?;
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
    Contest { file, doc: &doc }.problem()
}

struct Contest<'a> {
    file: &'a str,
    doc: &'a Value,
}

const KEYS: &[&str] = &[
    "seats",
    "method",
    "first_divisor",
    "ties",
    "seed",
    "threshold",
    "votes",
    "regions",
    "region_bases",
    "alliances",
    "exempt",
    "cap",
    "districts",
    "candidate_party",
];
const THRESHOLD_KEYS: &[&str] = &[
    "national",
    "base",
    "base_votes",
    "regional",
    "regional_base",
    "strict",
    "cap",
];

impl Contest<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> FormatError {
        FormatError::at(self.file, None, None, Some(field), message)
    }

    fn table<'v>(&self, v: &'v Value, field: &str) -> Result<&'v Map<String, Value>, FormatError> {
        v.as_object()
            .ok_or_else(|| self.err(field, "must be a table"))
    }

    fn count(&self, v: &Value, field: &str) -> Result<u64, FormatError> {
        v.as_u64()
            .ok_or_else(|| self.err(field, format!("{v} is not a count (a whole number >= 0)")))
    }

    fn text<'v>(&self, v: &'v Value, field: &str) -> Result<&'v str, FormatError> {
        v.as_str()
            .ok_or_else(|| self.err(field, format!("{v} is not text")))
    }

    fn fraction(&self, v: &Value, field: &str) -> Result<Fraction, FormatError> {
        let text = match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => return Err(self.err(field, format!("{other} is not a number"))),
        };
        Fraction::parse(&text).map_err(|e| self.err(field, e.to_string()))
    }

    fn votes(&self, v: &Value, field: &str) -> Result<(Vec<String>, Vec<u64>), FormatError> {
        let t = self.table(v, field)?;
        let mut names = Vec::new();
        let mut votes = Vec::new();
        for (k, x) in t {
            names.push(k.clone());
            votes.push(self.count(x, &format!("{field}.{k}"))?);
        }
        Ok((names, votes))
    }

    fn problem(&self) -> Result<Problem, FormatError> {
        let d = self.table(self.doc, "(file)")?;
        if let Some(k) = d.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(self.err(
                k,
                format!("unknown key, expected one of: {}", KEYS.join(", ")),
            ));
        }
        let seats = self.count(
            d.get("seats").ok_or_else(|| self.err("seats", "missing"))?,
            "seats",
        )?;
        let first = d
            .get("first_divisor")
            .map(|v| self.fraction(v, "first_divisor"))
            .transpose()?;
        let method = self.text(
            d.get("method")
                .ok_or_else(|| self.err("method", "missing"))?,
            "method",
        )?;
        let method = Method::parse(method, first).map_err(|e| self.err("method", e.to_string()))?;
        let seed = d.get("seed").map(|v| self.text(v, "seed")).transpose()?;
        let ties = match d.get("ties") {
            Some(v) => Ties::parse(self.text(v, "ties")?, seed)
                .map_err(|e| self.err("ties", e.to_string()))?,
            None => Ties::Error,
        };
        let (parties, votes) = self.votes(
            d.get("votes").ok_or_else(|| self.err("votes", "missing"))?,
            "votes",
        )?;
        let mut p = Problem::new(seats, method, parties, votes);
        p.ties = ties;
        let names = p.parties.clone();
        let party = |name: &str, field: &str| {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| self.err(field, format!("'{name}' is not in [votes]")))
        };
        let mut cap = d.get("cap").map(|v| self.count(v, "cap")).transpose()?;
        if let Some(t) = d.get("threshold") {
            let t = self.table(t, "threshold")?;
            if let Some(k) = t.keys().find(|k| !THRESHOLD_KEYS.contains(&k.as_str())) {
                return Err(self.err(
                    &format!("threshold.{k}"),
                    format!(
                        "unknown key, expected one of: {}",
                        THRESHOLD_KEYS.join(", ")
                    ),
                ));
            }
            if let Some(c) = t.get("cap") {
                cap = Some(self.count(c, "threshold.cap")?);
            }
            let f = |k: &str| {
                t.get(k)
                    .map(|v| self.fraction(v, &format!("threshold.{k}")))
                    .transpose()
            };
            let base = match t.get("base") {
                Some(b) => Base::parse(self.text(b, "threshold.base")?)
                    .map_err(|e| self.err("threshold.base", e.to_string()))?,
                None => Base::Listed,
            };
            let regional_base = match t
                .get("regional_base")
                .map(|v| self.text(v, "threshold.regional_base"))
                .transpose()?
            {
                None | Some("region") => RegionalBase::Region,
                Some("national") => RegionalBase::National,
                Some(other) => {
                    return Err(self.err(
                        "threshold.regional_base",
                        format!("'{other}', expected region or national"),
                    ))
                }
            };
            p.threshold = Some(Threshold {
                national: f("national")?,
                base,
                base_votes: t
                    .get("base_votes")
                    .map(|v| self.count(v, "threshold.base_votes"))
                    .transpose()?,
                regional: f("regional")?,
                regional_base,
                strict: t.get("strict").and_then(Value::as_bool).unwrap_or(false),
            });
        }
        p.cap = cap;
        let bases = d
            .get("region_bases")
            .map(|v| self.table(v, "region_bases"))
            .transpose()?;
        if let Some(rs) = d.get("regions") {
            for (name, v) in self.table(rs, "regions")? {
                let field = format!("regions.{name}");
                let mut votes = vec![0u64; p.parties.len()];
                for (k, x) in self.table(v, &field)? {
                    votes[party(k, &format!("{field}.{k}"))?] =
                        self.count(x, &format!("{field}.{k}"))?;
                }
                let base_votes = bases
                    .and_then(|b| b.get(name))
                    .map(|x| self.count(x, &format!("region_bases.{name}")))
                    .transpose()?;
                p.regions.push(Region {
                    name: name.clone(),
                    votes,
                    base_votes,
                });
            }
        }
        if let Some(a) = d.get("alliances") {
            for (name, members) in self.table(a, "alliances")? {
                let field = format!("alliances.{name}");
                let list = members
                    .as_array()
                    .ok_or_else(|| self.err(&field, "must be a list of parties"))?;
                let members = list
                    .iter()
                    .map(|m| party(self.text(m, &field)?, &field))
                    .collect::<Result<_, _>>()?;
                p.alliances.push(Alliance {
                    name: name.clone(),
                    members,
                });
            }
        }
        if let Some(e) = d.get("exempt") {
            let list = e
                .as_array()
                .ok_or_else(|| self.err("exempt", "must be a list of parties"))?;
            p.exempt = list
                .iter()
                .map(|m| party(self.text(m, "exempt")?, "exempt"))
                .collect::<Result<_, _>>()?;
        }
        let affiliation = d
            .get("candidate_party")
            .map(|v| self.table(v, "candidate_party"))
            .transpose()?;
        if let Some(ds) = d.get("districts") {
            for (name, v) in self.table(ds, "districts")? {
                let field = format!("districts.{name}");
                let mut candidates = Vec::new();
                for (c, x) in self.table(v, &field)? {
                    let against_all = c.eq_ignore_ascii_case("against all") || c == "against_all";
                    let party = match affiliation.and_then(|a| a.get(c)) {
                        Some(pv) => Some(party(
                            self.text(pv, "candidate_party")?,
                            &format!("candidate_party.{c}"),
                        )?),
                        None => None,
                    };
                    candidates.push(Candidate {
                        name: c.clone(),
                        party,
                        votes: self.count(x, &format!("{field}.{c}"))?,
                        against_all,
                    });
                }
                p.districts.push(District {
                    name: name.clone(),
                    candidates,
                });
            }
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
            "rule": t.rule,
        })).collect::<Vec<_>>(),
        "notes": o.notes,
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
    out.extend(m.notes.iter().cloned());
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
        "notes": m.notes,
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
