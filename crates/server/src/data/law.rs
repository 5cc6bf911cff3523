//! Which law a seats or counts answer applies, and the seats it gives: the one asked for
//! (`?law=`, checked), else the election's own (its log's definition names it); an election
//! without a law has no seats, and the answer says so instead of failing.

use serde_json::Value;

use crate::ServerError;
use readmodel::View;

/// The law an answer applies: the preset asked for, checked (an unknown one is 404), or the
/// election's own; `None` when neither names one.
pub fn law_of(v: &View<'_>, asked: Option<&str>) -> Result<Option<String>, ServerError> {
    match asked {
        Some(key) => record::check_law(key)
            .map(|()| Some(key.to_string()))
            .map_err(|x| ServerError::NotFound(x.to_string())),
        None => Ok(v.law().map(str::to_string)),
    }
}

/// Why an election without a law has no seats (and how to ask for a law's).
pub fn no_law(name: &str) -> String {
    format!(
        "election '{name}' names no law preset (it was imported without --law), so it has no \
         seats to compute; ?law= applies one of: {}",
        seats::preset::KEYS
    )
}

/// An allocation under a law preset: the problem, its outcome, its margins, and the notes
/// on how the law was applied to the data.
pub struct Allocation {
    /// The law preset's key.
    pub law: String,
    /// The problem built from the tally.
    pub problem: seats::Problem,
    /// The allocation.
    pub outcome: seats::Outcome,
    /// Its margins.
    pub margins: seats::Margins,
    /// How bases were approximated, which regions were left out, the law's sources.
    pub notes: Vec<record::LawNote>,
    /// The country's totals of the legal count the seats are computed from: what they cover.
    pub country: tabulate::Totals,
    /// The legal count.
    pub legal: model::CountSource,
}

/// The seats of an election: allocated under a law, or none since it names no law.
pub enum Seats {
    /// Allocated under the law asked for or the election's own.
    Allocated(Box<Allocation>),
    /// No law applies: why, in words ([`no_law`]).
    NoLaw(String),
}

/// The allocation of the election's seats under the law preset asked for, or else its own.
pub fn allocation(v: &mut View<'_>, name: &str, asked: Option<&str>) -> Result<Seats, ServerError> {
    let Some(key) = law_of(v, asked)? else {
        return Ok(Seats::NoLaw(no_law(name)));
    };
    let law = seats::preset::law(&key).map_err(|x| ServerError::NotFound(x.to_string()))?;
    let protocols = v.protocols();
    let built =
        record::problem_from_election(v.election(), protocols.iter(), &law, None, v.filter())
            .map_err(|x| ServerError::BadRequest(x.to_string()))?;
    let bad = |x: seats::SeatsError| ServerError::BadRequest(x.to_string());
    let outcome = seats::allocate(&built.problem).map_err(bad)?;
    let margins = seats::margins(&built.problem, &outcome).map_err(bad)?;
    let country = v.tally()?.totals(v.election().units.root()).clone();
    Ok(Seats::Allocated(Box::new(Allocation {
        law: key,
        problem: built.problem,
        outcome,
        margins,
        notes: built.notes,
        country,
        legal: v.legal_count(),
    })))
}

/// The seat allocation as `tallyproof seats --json` prints it, with the law it applies; for
/// an election without a law, `{"law": null, "seats": null, "why": ...}`.
pub fn seats_json(s: &Seats) -> Value {
    let a = match s {
        Seats::Allocated(a) => a,
        Seats::NoLaw(why) => return serde_json::json!({"law": null, "seats": null, "why": why}),
    };
    let mut v = formats::contest::outcome_json(&a.problem, &a.outcome);
    v["law"] = serde_json::json!(a.law);
    let notes: Vec<String> = a.notes.iter().map(ToString::to_string).collect();
    v["input_notes"] = serde_json::json!(notes);
    let t = &a.country;
    v["computed_from"] = serde_json::json!({"count": a.legal.key(), "stations": t.stations, "annulled": t.annulled, "reporting": t.reporting});
    v
}
