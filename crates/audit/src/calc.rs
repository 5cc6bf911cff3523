//! The calculators behind `tallyproof audit calc KIND`: a JSON request in Arlo's
//! conventions (`risk_limit` an integer percent, a contest as Arlo's object), a JSON answer
//! whose numbers can be compared with Arlo's and SHANGRLA's directly. Observers use them to
//! check an audit by hand.

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

fn get<'a>(r: &'a Value, key: &str) -> Option<&'a Value> {
    r.get(key).filter(|v| !v.is_null())
}

fn need<'a>(r: &'a Value, key: &str) -> Result<&'a Value, AuditError> {
    get(r, key).ok_or_else(|| AuditError::field(key, "missing"))
}

fn uint(r: &Value, key: &str) -> Result<Option<u64>, AuditError> {
    get(r, key)
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| AuditError::field(key, "expected a non-negative integer"))
        })
        .transpose()
}

fn num(r: &Value, key: &str) -> Result<Option<f64>, AuditError> {
    get(r, key)
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| AuditError::field(key, "expected a number"))
        })
        .transpose()
}

fn text<'a>(r: &'a Value, key: &str) -> Result<Option<&'a str>, AuditError> {
    get(r, key)
        .map(|v| {
            v.as_str()
                .ok_or_else(|| AuditError::field(key, "expected text"))
        })
        .transpose()
}

fn risk_limit(r: &Value) -> Result<f64, AuditError> {
    let pct = num(r, "risk_limit")?.ok_or_else(|| {
        AuditError::field("risk_limit", "missing (an integer percent, as in Arlo)")
    })?;
    alpha_from_percent(pct)
}

fn contest(r: &Value) -> Result<Contest, AuditError> {
    let name = text(r, "contest_name")?.unwrap_or("contest");
    Contest::from_arlo(name, need(r, "contest")?, "contest")
}

/// Votes per candidate, in contest order, from an object `{candidate: votes}`; unknown
/// candidates are refused.
fn votes_of(c: &Contest, v: &Value, field: &str) -> Result<Vec<u64>, AuditError> {
    let Some(obj) = v.as_object() else {
        return Err(AuditError::field(
            field,
            "expected an object of candidates and votes",
        ));
    };
    let mut out = vec![0; c.candidates.len()];
    for (k, x) in obj {
        if k == "ballots" {
            continue;
        }
        let i = c.index(k).ok_or_else(|| {
            AuditError::field(format!("{field}.{k}"), "not a candidate of the contest")
        })?;
        out[i] = x.as_u64().ok_or_else(|| {
            AuditError::field(format!("{field}.{k}"), "expected a non-negative integer")
        })?;
    }
    Ok(out)
}

fn sample(r: &Value) -> Result<Value, AuditError> {
    let seed = text(r, "seed")?.ok_or_else(|| AuditError::field("seed", "missing"))?;
    let ids: Vec<String> = need(r, "ids")?
        .as_array()
        .ok_or_else(|| AuditError::field("ids", "expected a list of ids"))?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| AuditError::field(format!("ids[{i}]"), "expected text"))
        })
        .collect::<Result<_, _>>()?;
    let with_replacement = get(r, "with_replacement")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let opts = sampler::Options {
        with_replacement,
        drop: uint(r, "drop")?.unwrap_or(0) as usize,
        take: uint(r, "take")?.map_or(usize::MAX, |t| t as usize),
        digits: uint(r, "digits")?.unwrap_or(9) as usize,
        threads: 1,
    };
    let drawn =
        sampler::sample(&ids, seed, &opts).map_err(|e| AuditError::Sampler(e.to_string()))?;
    let rows: Vec<Value> = drawn
        .iter()
        .map(|t| json!({"ticket": t.ticket, "id": t.id, "generation": t.generation}))
        .collect();
    Ok(json!({ "sample": rows }))
}

fn bravo_calc(r: &Value) -> Result<Value, AuditError> {
    let alpha = risk_limit(r)?;
    let c = contest(r)?;
    let raw = match get(r, "sample") {
        Some(v) => votes_of(&c, v, "sample")?,
        None => vec![0; c.candidates.len()],
    };
    let not_found = uint(r, "not_found")?.unwrap_or(0);
    // The ballots sampled, found or not: each loser's count below is at most this.
    let counted = crate::error::total(
        raw.iter().copied().chain([not_found]),
        "sample",
        "the sampled ballots (and not_found)",
    )?;
    let s = bravo::with_not_found(&c, &raw, not_found);
    let sampled = uint(r, "sampled")?.unwrap_or(counted);
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
    if get(r, "sample").is_some() {
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

fn supersimple_calc(r: &Value) -> Result<Value, AuditError> {
    let alpha = risk_limit(r)?;
    let c = contest(r)?;
    let d = match get(r, "discrepancies") {
        None => Discrepancies::default(),
        Some(v) => Discrepancies {
            sample_size: uint(v, "sample_size")?
                .ok_or_else(|| AuditError::field("discrepancies.sample_size", "missing"))?,
            o1: uint(v, "1-over")?.unwrap_or(0),
            o2: uint(v, "2-over")?.unwrap_or(0),
            u1: uint(v, "1-under")?.unwrap_or(0),
            u2: uint(v, "2-under")?.unwrap_or(0),
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

fn macro_calc(r: &Value) -> Result<Value, AuditError> {
    let alpha = risk_limit(r)?;
    let c = contest(r)?;
    let batches_v = need(r, "batches")?.as_object().ok_or_else(|| {
        AuditError::field("batches", "expected an object of batch names and tallies")
    })?;
    let mut names = Vec::with_capacity(batches_v.len());
    let mut batches = Vec::with_capacity(batches_v.len());
    for (name, v) in batches_v {
        let field = format!("batches.{name}");
        let ballots = uint(v, "ballots")?
            .ok_or_else(|| AuditError::field(format!("{field}.ballots"), "missing"))?;
        let votes = votes_of(&c, v, &field)?;
        let has_contest = v
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k != "ballots"));
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
    if let Some(a) = get(r, "audited") {
        let audited_v = a.as_object().ok_or_else(|| {
            AuditError::field(
                "audited",
                "expected an object of batch names and audited votes",
            )
        })?;
        let mut audited: Vec<Option<Vec<u64>>> = vec![None; batches.len()];
        for (name, v) in audited_v {
            let i = index(name, &format!("audited.{name}"))?;
            audited[i] = Some(votes_of(&c, v, &format!("audited.{name}"))?);
        }
        let order: Vec<usize> = match get(r, "ticket_order") {
            Some(t) => t
                .as_array()
                .ok_or_else(|| AuditError::field("ticket_order", "expected a list of batch names"))?
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    let field = format!("ticket_order[{k}]");
                    let name = v
                        .as_str()
                        .ok_or_else(|| AuditError::field(&field, "expected text"))?;
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

fn alpha_calc(r: &Value) -> Result<Value, AuditError> {
    let x: Vec<f64> = need(r, "x")?
        .as_array()
        .ok_or_else(|| AuditError::field("x", "expected a list of numbers"))?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_f64()
                .ok_or_else(|| AuditError::field(format!("x[{i}]"), "expected a number"))
        })
        .collect::<Result<_, _>>()?;
    let s = Setting {
        u: num(r, "u")?.unwrap_or(1.0),
        n: uint(r, "N")?,
        t: num(r, "t")?.unwrap_or(0.5),
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
    let test = text(r, "test")?.unwrap_or("alpha");
    let random_order = get(r, "random_order")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let p = match test {
        "alpha" => {
            let est = match text(r, "estim")?.unwrap_or("fixed") {
                "fixed" => match num(r, "eta")? {
                    Some(eta) => Estimator::Fixed { eta },
                    None => Estimator::default_for(&s),
                },
                "shrink_trunc" => Estimator::shrink_trunc(
                    &s,
                    num(r, "eta")?.unwrap_or(s.u * (1.0 - f64::EPSILON)),
                    num(r, "c")?,
                    num(r, "d")?,
                    num(r, "f")?,
                    num(r, "minsd")?,
                ),
                "optimal_comparison" => Estimator::OptimalComparison { p2: num(r, "error_rate_2")?.unwrap_or(1e-5) },
                other => return Err(AuditError::field("estim", format!("unknown estimator '{other}'; expected fixed, shrink_trunc or optimal_comparison"))),
            };
            nonneg::alpha(&s, &est, &x)
        }
        "kaplan_markov" => nonneg::kaplan_markov(&s, &x, num(r, "g")?.unwrap_or(0.1), random_order),
        "kaplan_wald" => nonneg::kaplan_wald(&s, &x, num(r, "g")?.unwrap_or(0.1), random_order),
        other => {
            return Err(AuditError::field(
                "test",
                format!("unknown test '{other}'; expected alpha, kaplan_markov or kaplan_wald"),
            ))
        }
    };
    Ok(json!({"p": p.p, "p_history": p.history}))
}

fn assertions_calc(r: &Value) -> Result<Value, AuditError> {
    let method_name = text(r, "method")?.ok_or_else(|| AuditError::field("method", "missing"))?;
    let method = seats::Method::parse(method_name, None)
        .map_err(|e| AuditError::field("method", e.to_string()))?;
    let n_seats = uint(r, "seats")?.ok_or_else(|| AuditError::field("seats", "missing"))?;
    let votes_v = need(r, "votes")?
        .as_object()
        .ok_or_else(|| AuditError::field("votes", "expected an object of parties and votes"))?;
    let mut parties = Vec::new();
    let mut votes = Vec::new();
    for (k, v) in votes_v {
        parties.push(k.clone());
        votes.push(v.as_u64().ok_or_else(|| {
            AuditError::field(format!("votes.{k}"), "expected a non-negative integer")
        })?);
    }
    let ballots = match uint(r, "ballots")? {
        Some(n) => n,
        None => crate::error::total(votes.iter().copied(), "votes", "the votes")?,
    };
    let mut p = seats::Problem::new(n_seats, method, parties, votes);
    if let Some(t) = get(r, "threshold") {
        let share = text(t, "national")?.ok_or_else(|| {
            AuditError::field("threshold.national", "missing (for example \"7%\")")
        })?;
        let share = seats::Fraction::parse(share)
            .map_err(|e| AuditError::field("threshold.national", e.to_string()))?;
        let base = seats::Base::parse(text(t, "base")?.unwrap_or("valid"))
            .map_err(|e| AuditError::field("threshold.base", e.to_string()))?;
        let base_votes = match base {
            seats::Base::Participated => Some(uint(t, "base_votes")?.unwrap_or(ballots)),
            _ => uint(t, "base_votes")?,
        };
        p.threshold = Some(seats::Threshold {
            national: Some(share),
            base,
            base_votes,
            regional: None,
            regional_base: seats::RegionalBase::Region,
            strict: get(t, "strict").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    let outcome = seats::allocate(&p).map_err(|e| AuditError::Seats(e.to_string()))?;
    let a = assertions::seat_assertions(&p, &outcome, ballots)?;
    let alpha = get(r, "risk_limit").map(|_| risk_limit(r)).transpose()?;
    let rows: Vec<Value> = a
        .assertions
        .iter()
        .map(|x| {
            let mut row = json!({
                "label": x.label,
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
