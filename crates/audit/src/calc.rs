//! The calculators behind `tallyproof audit calc KIND`: a JSON request in Arlo's
//! conventions (`risk_limit` an integer percent, a contest as Arlo's object), a JSON answer
//! whose numbers can be compared with Arlo's and SHANGRLA's directly. Observers use them to
//! check an audit by hand.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};

use crate::assorter::Assorter;
use crate::batch::{BatchTally, Macro};
use crate::nonneg::{self, Estimator, Setting};
use crate::supersimple::{self, Discrepancies};
use crate::{alpha_from_percent, assertions, bravo, AuditError, Contest};

/// The calculator kinds.
pub const KINDS: &str = "sample, bravo, supersimple, macro, alpha, assertions";

/// Runs calculator `kind` on `request`.
pub fn run(kind: &str, request: &Value) -> Result<Value, AuditError> {
    match kind {
        "sample" => sample(request),
        "bravo" => bravo_calc(request),
        "supersimple" => supersimple_calc(request),
        "macro" => macro_calc(request),
        "alpha" => alpha_calc(request),
        "assertions" => assertions_calc(request),
        _ => Err(AuditError::field(
            "kind",
            format!("unknown calculator '{kind}'; the kinds are: {KINDS}"),
        )),
    }
}

/// A JSON object of names and values, in the order written (candidates and votes, batches):
/// a value of the wrong type is refused naming `object.name`.
pub struct Named<T>(pub Vec<(String, T)>);

impl<T> Named<T> {
    /// The value of `name`, if the object has it.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Named<T>, D::Error> {
        struct NamedVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for NamedVisitor<T> {
            type Value = Named<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of names and values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Named<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    out.push((k, map.next_value()?));
                }
                Ok(Named(out))
            }
        }
        d.deserialize_map(NamedVisitor(PhantomData))
    }
}

/// The request as `T`; a refusal names the field's path (`discrepancies.1-over`).
fn request<'a, T: Deserialize<'a>>(r: &'a Value) -> Result<T, AuditError> {
    serde_path_to_error::deserialize(r).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "request".into() } else { path };
        AuditError::field(field, e.into_inner().to_string())
    })
}

/// A field the calculator needs.
fn need<T>(v: Option<T>, field: &str) -> Result<T, AuditError> {
    v.ok_or_else(|| AuditError::field(field, "missing"))
}

fn risk_limit(pct: Option<f64>) -> Result<f64, AuditError> {
    let pct = pct.ok_or_else(|| {
        AuditError::field("risk_limit", "missing (an integer percent, as in Arlo)")
    })?;
    alpha_from_percent(pct)
}

/// What the contest calculators share: the risk limit and Arlo's contest object.
#[derive(Deserialize)]
struct ContestRequest<'a> {
    risk_limit: Option<f64>,
    contest_name: Option<&'a str>,
    contest: Option<Value>,
}

impl ContestRequest<'_> {
    fn read(r: &Value) -> Result<(f64, Contest), AuditError> {
        let c: ContestRequest<'_> = request(r)?;
        let alpha = risk_limit(c.risk_limit)?;
        let name = c.contest_name.unwrap_or("contest");
        let contest = Contest::from_arlo(name, &need(c.contest, "contest")?, "contest")?;
        Ok((alpha, contest))
    }
}

/// Votes per candidate, in contest order, from an object `{candidate: votes}` (a `ballots`
/// key is not a candidate); unknown candidates are refused.
fn votes_of(c: &Contest, v: &Named<u64>, field: &str) -> Result<Vec<u64>, AuditError> {
    let mut out = vec![0; c.candidates.len()];
    for (k, x) in v.0.iter().filter(|(k, _)| k != "ballots") {
        let i = c.index(k).ok_or_else(|| {
            AuditError::field(format!("{field}.{k}"), "not a candidate of the contest")
        })?;
        out[i] = *x;
    }
    Ok(out)
}

#[derive(Deserialize)]
struct SampleRequest {
    seed: Option<String>,
    ids: Option<Vec<String>>,
    with_replacement: Option<bool>,
    drop: Option<u64>,
    take: Option<u64>,
    digits: Option<u64>,
}

fn sample(r: &Value) -> Result<Value, AuditError> {
    let q: SampleRequest = request(r)?;
    let seed = need(q.seed, "seed")?;
    let ids = need(q.ids, "ids")?;
    let opts = sampler::Options {
        with_replacement: q.with_replacement.unwrap_or(false),
        drop: q.drop.unwrap_or(0) as usize,
        take: q.take.map_or(usize::MAX, |t| t as usize),
        digits: q.digits.unwrap_or(9) as usize,
        threads: 1,
    };
    let drawn =
        sampler::sample(&ids, &seed, &opts).map_err(|e| AuditError::Sampler(e.to_string()))?;
    let rows: Vec<Value> = drawn
        .iter()
        .map(|t| json!({"ticket": t.ticket, "id": t.id, "generation": t.generation}))
        .collect();
    Ok(json!({ "sample": rows }))
}

#[derive(Deserialize)]
struct BravoRequest {
    sample: Option<Named<u64>>,
    not_found: Option<u64>,
    sampled: Option<u64>,
}

fn bravo_calc(r: &Value) -> Result<Value, AuditError> {
    let (alpha, c) = ContestRequest::read(r)?;
    let q: BravoRequest = request(r)?;
    let raw = match &q.sample {
        Some(v) => votes_of(&c, v, "sample")?,
        None => vec![0; c.candidates.len()],
    };
    let not_found = q.not_found.unwrap_or(0);
    // The ballots sampled, found or not: each loser's count below is at most this.
    let counted = crate::error::total(
        raw.iter().copied().chain([not_found]),
        "sample",
        "the sampled ballots (and not_found)",
    )?;
    let s = bravo::with_not_found(&c, &raw, not_found);
    let sampled = q.sampled.unwrap_or(counted);
    let mut out = Map::new();
    out.insert("diluted_margin".into(), json!(c.diluted_margin()));
    match bravo::sample_sizes(alpha, &c, &s, sampled) {
        Ok(sizes) => {
            let mut m = Map::new();
            for o in sizes {
                m.insert(
                    o.key.clone(),
                    json!({"type": o.kind, "size": o.size, "prob": o.prob}),
                );
            }
            out.insert("sample_sizes".into(), Value::Object(m));
        }
        Err(e @ (AuditError::AuditOver | AuditError::AllAudited)) => {
            out.insert("sample_sizes".into(), json!({"none": e.to_string()}));
        }
        Err(e) => return Err(e),
    }
    if q.sample.is_some() {
        let risk = bravo::risk(alpha, &c, &s);
        let mut pv = Map::new();
        for p in &risk.pairs {
            pv.insert(c.pair_name(p.winner, p.loser), json!(p.p_value));
        }
        out.insert(
            "risk".into(),
            json!({"pvalues": pv, "confirmed": risk.confirmed}),
        );
    }
    Ok(Value::Object(out))
}

#[derive(Deserialize)]
struct SupersimpleRequest {
    discrepancies: Option<DiscrepancyCounts>,
}

/// Arlo's discrepancy counts.
#[derive(Deserialize)]
struct DiscrepancyCounts {
    sample_size: Option<u64>,
    #[serde(rename = "1-over")]
    o1: Option<u64>,
    #[serde(rename = "2-over")]
    o2: Option<u64>,
    #[serde(rename = "1-under")]
    u1: Option<u64>,
    #[serde(rename = "2-under")]
    u2: Option<u64>,
}

fn supersimple_calc(r: &Value) -> Result<Value, AuditError> {
    let (alpha, c) = ContestRequest::read(r)?;
    let q: SupersimpleRequest = request(r)?;
    let d = match q.discrepancies {
        None => Discrepancies::default(),
        Some(v) => Discrepancies {
            sample_size: need(v.sample_size, "discrepancies.sample_size")?,
            o1: v.o1.unwrap_or(0),
            o2: v.o2.unwrap_or(0),
            u1: v.u1.unwrap_or(0),
            u2: v.u2.unwrap_or(0),
        },
    };
    // In 128 bits: counts that add up beyond 64 bits are more than any sample.
    if [d.o1, d.o2, d.u1, d.u2]
        .map(u128::from)
        .iter()
        .sum::<u128>()
        > u128::from(d.sample_size)
    {
        return Err(AuditError::field(
            "discrepancies",
            "more discrepancies than ballots sampled",
        ));
    }
    let mut out = Map::new();
    out.insert("diluted_margin".into(), json!(c.diluted_margin()));
    out.insert(
        "sample_size".into(),
        json!(supersimple::sample_size(alpha, &c, &d)),
    );
    if d.sample_size > 0 {
        let (p, confirmed) = supersimple::risk_from_counts(alpha, &c, &d);
        out.insert("risk".into(), json!({"p_value": p, "confirmed": confirmed}));
    }
    Ok(Value::Object(out))
}

#[derive(Deserialize)]
struct MacroRequest {
    batches: Option<Named<Named<u64>>>,
    audited: Option<Named<Named<u64>>>,
    ticket_order: Option<Vec<String>>,
}

fn macro_calc(r: &Value) -> Result<Value, AuditError> {
    let (alpha, c) = ContestRequest::read(r)?;
    let q: MacroRequest = request(r)?;
    let batches_v = need(q.batches, "batches")?;
    let mut names = Vec::with_capacity(batches_v.0.len());
    let mut batches = Vec::with_capacity(batches_v.0.len());
    for (name, v) in &batches_v.0 {
        let field = format!("batches.{name}");
        let ballots = *need(v.get("ballots"), &format!("{field}.ballots"))?;
        let votes = votes_of(&c, v, &field)?;
        let has_contest = v.0.iter().any(|(k, _)| k != "ballots");
        names.push(name.clone());
        batches.push(BatchTally {
            votes: if has_contest { votes } else { Vec::new() },
            ballots,
        });
    }
    let by_name: std::collections::HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let index = |name: &str, field: &str| -> Result<usize, AuditError> {
        by_name.get(name).copied().ok_or_else(|| {
            AuditError::field(field, format!("'{name}' is not a batch of the manifest"))
        })
    };
    let m = Macro::new(&c, &batches);
    let mut out = Map::new();
    out.insert("batches".into(), json!(batches.len()));
    out.insert("U".into(), json!(m.total_error));
    let mut p_now = 1.0;
    let mut sampled_all = false;
    if let Some(audited_v) = q.audited {
        let mut audited: Vec<Option<Vec<u64>>> = vec![None; batches.len()];
        for (name, v) in &audited_v.0 {
            let i = index(name, &format!("audited.{name}"))?;
            audited[i] = Some(votes_of(&c, v, &format!("audited.{name}"))?);
        }
        let order: Vec<usize> = match q.ticket_order {
            Some(t) => t
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    let field = format!("ticket_order[{k}]");
                    let i = index(name, &field)?;
                    if audited[i].is_none() {
                        return Err(AuditError::field(
                            field,
                            format!("'{name}' was drawn but has no audited count"),
                        ));
                    }
                    Ok(i)
                })
                .collect::<Result<_, _>>()?,
            None => (0..batches.len())
                .filter(|&i| audited[i].is_some())
                .collect(),
        };
        let draws: Vec<(usize, &[u64])> = order
            .iter()
            .map(|&i| (i, audited[i].as_deref().unwrap_or(&[])))
            .collect();
        let (p, confirmed) = m.risk(alpha, &batches, &draws);
        sampled_all = audited.iter().all(Option::is_some);
        p_now = p;
        out.insert("risk".into(), json!({"p_value": p, "confirmed": confirmed}));
    }
    match m.sample_size(alpha, p_now, batches.len(), sampled_all) {
        Ok(n) => out.insert("sample_size".into(), json!(n)),
        Err(e) => out.insert("sample_size".into(), json!(e.to_string())),
    };
    Ok(Value::Object(out))
}

/// The request of SHANGRLA's risk functions (`NonnegMean`): its parameters by their names.
#[derive(Deserialize)]
struct AlphaRequest {
    x: Option<Vec<f64>>,
    u: Option<f64>,
    #[serde(rename = "N")]
    n: Option<u64>,
    t: Option<f64>,
    test: Option<String>,
    estim: Option<String>,
    eta: Option<f64>,
    c: Option<f64>,
    d: Option<f64>,
    f: Option<f64>,
    minsd: Option<f64>,
    error_rate_2: Option<f64>,
    g: Option<f64>,
    random_order: Option<bool>,
}

fn alpha_calc(r: &Value) -> Result<Value, AuditError> {
    let q: AlphaRequest = request(r)?;
    let x = need(q.x, "x")?;
    let s = Setting {
        u: q.u.unwrap_or(1.0),
        n: q.n,
        t: q.t.unwrap_or(0.5),
    };
    if let Some(&bad) = x.iter().find(|&&v| !(0.0..=s.u).contains(&v)) {
        return Err(AuditError::field(
            "x",
            format!("{bad} is outside [0, u = {}]", s.u),
        ));
    }
    if s.n.is_some_and(|n| (x.len() as u64) > n) {
        return Err(AuditError::field(
            "x",
            "more draws than the population size N",
        ));
    }
    let random_order = q.random_order.unwrap_or(true);
    let p = match q.test.as_deref().unwrap_or("alpha") {
        "alpha" => {
            let est = match q.estim.as_deref().unwrap_or("fixed") {
                "fixed" => match q.eta {
                    Some(eta) => Estimator::Fixed { eta },
                    None => Estimator::default_for(&s),
                },
                "shrink_trunc" => Estimator::shrink_trunc(
                    &s,
                    q.eta.unwrap_or(s.u * (1.0 - f64::EPSILON)),
                    q.c,
                    q.d,
                    q.f,
                    q.minsd,
                ),
                "optimal_comparison" => Estimator::OptimalComparison { p2: q.error_rate_2.unwrap_or(1e-5) },
                other => return Err(AuditError::field("estim", format!("unknown estimator '{other}'; expected fixed, shrink_trunc or optimal_comparison"))),
            };
            nonneg::alpha(&s, &est, &x)
        }
        "kaplan_markov" => nonneg::kaplan_markov(&s, &x, q.g.unwrap_or(0.1), random_order),
        "kaplan_wald" => nonneg::kaplan_wald(&s, &x, q.g.unwrap_or(0.1), random_order),
        other => {
            return Err(AuditError::field(
                "test",
                format!("unknown test '{other}'; expected alpha, kaplan_markov or kaplan_wald"),
            ))
        }
    };
    Ok(json!({"p": p.p, "p_history": p.history}))
}

#[derive(Deserialize)]
struct AssertionsRequest {
    method: Option<String>,
    seats: Option<u64>,
    votes: Option<Named<u64>>,
    ballots: Option<u64>,
    threshold: Option<ThresholdRequest>,
    risk_limit: Option<f64>,
}

#[derive(Deserialize)]
struct ThresholdRequest {
    national: Option<String>,
    base: Option<String>,
    base_votes: Option<u64>,
    strict: Option<bool>,
}

fn assertions_calc(r: &Value) -> Result<Value, AuditError> {
    let q: AssertionsRequest = request(r)?;
    let method = seats::Method::parse(&need(q.method, "method")?, None)
        .map_err(|e| AuditError::field("method", e.to_string()))?;
    let n_seats = need(q.seats, "seats")?;
    let (parties, votes): (Vec<String>, Vec<u64>) = need(q.votes, "votes")?.0.into_iter().unzip();
    let ballots = match q.ballots {
        Some(n) => n,
        None => crate::error::total(votes.iter().copied(), "votes", "the votes")?,
    };
    let mut p = seats::Problem::new(n_seats, method, parties, votes);
    if let Some(t) = q.threshold {
        let share = t.national.ok_or_else(|| {
            AuditError::field("threshold.national", "missing (for example \"7%\")")
        })?;
        let share = seats::Fraction::parse(&share)
            .map_err(|e| AuditError::field("threshold.national", e.to_string()))?;
        let base = seats::Base::parse(t.base.as_deref().unwrap_or("valid"))
            .map_err(|e| AuditError::field("threshold.base", e.to_string()))?;
        let base_votes = match base {
            seats::Base::Participated => Some(t.base_votes.unwrap_or(ballots)),
            _ => t.base_votes,
        };
        p.threshold = Some(seats::Threshold {
            national: Some(share),
            base,
            base_votes,
            regional: None,
            regional_base: seats::RegionalBase::Region,
            strict: t.strict.unwrap_or(false),
        });
    }
    let outcome = seats::allocate(&p).map_err(|e| AuditError::Seats(e.to_string()))?;
    let a = assertions::seat_assertions(&p, &outcome, ballots)?;
    let alpha = q.risk_limit.map(|pct| risk_limit(Some(pct))).transpose()?;
    let rows: Vec<Value> = a
        .assertions
        .iter()
        .map(|x| {
            let mut row = json!({
                "label": x.claim.to_string(),
                "kind": x.kind,
                "values": assorter_values(&x.assorter),
                "upper_bound": x.assorter.upper_bound,
                "mean": x.mean,
                "margin": x.margin,
                "counts": {"for": x.counts[0], "against": x.counts[1], "other_in_base": x.counts[2], "neutral": x.counts[3]},
            });
            if let (Some(alpha), Some(obj)) = (alpha, row.as_object_mut()) {
                obj.insert("comparison_sample_size".into(), json!(crate::comparison_sample_size(&x.assorter, x.margin, ballots, alpha)));
            }
            row
        })
        .collect();
    let seats_v: Map<String, Value> = outcome
        .parties
        .iter()
        .map(|o| (o.name.clone(), json!(o.seats)))
        .collect();
    let mut out = Map::new();
    out.insert("seats".into(), Value::Object(seats_v));
    out.insert("ballots".into(), json!(ballots));
    out.insert("assertions".into(), Value::Array(rows));
    out.insert("stark_teague_u".into(), json!(a.stark_teague_u));
    out.insert(
        "stark_teague_diluted_margin".into(),
        json!(a.stark_teague_u.map(|u| 1.0 / (ballots as f64 * u))),
    );
    out.insert("notes".into(), json!(a.notes));
    Ok(Value::Object(out))
}

fn assorter_values(a: &Assorter) -> Value {
    json!({"for": a.for_value, "against": a.against_value, "other_in_base": a.other_in_base, "neutral": a.neutral})
}
