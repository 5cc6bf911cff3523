//! The calculators (`audit::calc::run`, behind `tallyproof audit calc` and the service's
//! calculator) at the edges of 64 bits: every request is answered or refused with an error,
//! never a panic (issue "One rulebook", item 4: sums of input counts overflowed, and counts
//! above 2^63 - 1 were read as negative by `as i64`).

use std::panic::{catch_unwind, AssertUnwindSafe};

use audit::calc;
use serde_json::{json, Value};

const MAX: u64 = u64::MAX;
const HALF: u64 = 1 << 63;

/// Requests of every kind with counts at the edges; some valid, most not.
fn requests() -> Vec<(&'static str, Value)> {
    let contest = |a: u64, b: u64, ballots: u64, pending: u64| json!({"a": a, "b": b, "ballots": ballots, "numWinners": 1, "votesAllowed": MAX, "pendingBallots": pending});
    let mut out = Vec::new();
    for (a, b, ballots, pending) in [
        (MAX, MAX, MAX, 0),
        (MAX, 1, MAX, 0),
        (HALF, HALF - 1, MAX, 0),
        (HALF - 1, 0, HALF - 1, HALF - 1),
        (HALF - 1, 1, HALF, MAX),
        (HALF / 2, HALF / 4, HALF - 1, HALF / 8),
        (HALF - 2, 1, HALF - 1, 0),
        (600, 400, 1000, 0),
    ] {
        let c = contest(a, b, ballots, pending);
        out.push((
            "bravo",
            json!({"risk_limit": 10, "contest": c, "sample": {"a": MAX, "b": MAX}, "not_found": MAX}),
        ));
        out.push((
            "bravo",
            json!({"risk_limit": 10, "contest": c, "sample": {"a": HALF, "b": 1}}),
        ));
        out.push((
            "supersimple",
            json!({"risk_limit": 10, "contest": c, "discrepancies": {"sample_size": 10, "1-over": MAX, "2-over": MAX, "1-under": MAX, "2-under": MAX}}),
        ));
        out.push((
            "macro",
            json!({"risk_limit": 10, "contest": c,
                   "batches": {"x": {"ballots": MAX, "a": MAX, "b": 0}, "y": {"ballots": MAX, "a": MAX, "b": MAX}},
                   "audited": {"x": {"a": 0, "b": MAX}, "y": {"a": MAX, "b": 0}}}),
        ));
    }
    out.push((
        "assertions",
        json!({"method": "dhondt", "seats": 3, "votes": {"A": MAX, "B": MAX}}),
    ));
    out.push((
        "assertions",
        json!({"method": "hare", "seats": MAX, "votes": {"A": HALF, "B": HALF - 1}}),
    ));
    out.push((
        "sample",
        json!({"seed": "1", "ids": ["a", "b"], "take": MAX, "drop": MAX, "digits": MAX}),
    ));
    out
}

#[test]
fn the_calculators_refuse_counts_at_the_edge_rather_than_panic() {
    let mut refused = 0;
    for (kind, r) in requests() {
        let got = catch_unwind(AssertUnwindSafe(|| calc::run(kind, &r)));
        let Ok(result) = got else {
            panic!("{kind} panics on {r}");
        };
        refused += usize::from(result.is_err());
    }
    assert!(refused > 0);
}

#[test]
fn counts_that_overflow_are_named() {
    let err = calc::run(
        "bravo",
        &json!({"risk_limit": 10, "contest": {"a": MAX, "b": 1, "ballots": MAX, "votesAllowed": 2}}),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "contest: the candidates' votes add up to more than 18446744073709551615"
    );
    let err = calc::run(
        "bravo",
        &json!({"risk_limit": 10, "contest": {"a": HALF, "b": 1, "ballots": MAX, "votesAllowed": 2}}),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(err, "contest.ballots: above 9223372036854775807");
    let err = calc::run(
        "assertions",
        &json!({"method": "dhondt", "seats": 3, "votes": {"A": MAX, "B": 1}}),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "votes: the votes add up to more than 18446744073709551615"
    );
}

/// A manifest whose ballots add up beyond 64 bits is refused before any draw (the running
/// total overflowed).
#[test]
fn a_manifest_beyond_64_bits_is_refused() {
    use audit::draw::{draw, IdStyle, Options};
    let batches = [("a".to_string(), MAX), ("b".to_string(), 1)];
    let err = draw(&batches, "1", IdStyle::Plain, &Options::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "ballots: the manifest's ballots add up to more than 18446744073709551615"
    );
}

/// A request's value of the wrong type is refused naming its path in the request.
#[test]
fn a_refused_field_is_named_by_its_path() {
    let contest = json!({"a": 600, "b": 400, "ballots": 1000});
    let cases = [
        (
            "supersimple",
            json!({"risk_limit": 10, "contest": contest, "discrepancies": {"sample_size": 10, "1-over": "x"}}),
            "discrepancies.1-over: invalid type: string \"x\", expected u64",
        ),
        (
            "macro",
            json!({"risk_limit": 10, "contest": contest, "batches": {"s1": {"ballots": 10, "a": -1}}}),
            "batches.s1.a: invalid value: integer `-1`, expected u64",
        ),
        (
            "macro",
            json!({"risk_limit": 10, "contest": contest, "batches": {"s1": {"a": 1}}}),
            "batches.s1.ballots: missing",
        ),
        (
            "alpha",
            json!({"x": [0.5, "1"]}),
            "x[1]: invalid type: string \"1\", expected f64",
        ),
        ("sample", json!({"ids": ["a"]}), "seed: missing"),
        (
            "assertions",
            json!({"method": "dhondt", "seats": 3, "votes": {"A": 1}, "threshold": {"national": "5%", "strict": "yes"}}),
            "threshold.strict: invalid type: string \"yes\", expected a boolean",
        ),
        (
            "bravo",
            json!({"contest": contest}),
            "risk_limit: missing (an integer percent, as in Arlo)",
        ),
    ];
    for (kind, r, want) in cases {
        assert_eq!(calc::run(kind, &r).unwrap_err().to_string(), want, "{r}");
    }
}
