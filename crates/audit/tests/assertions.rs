//! The seat-allocation assertions agree with the `seats` crate's seat margins, an
//! independent computation: for every pair, the assorter margin converted to ballots moved
//! from one party to the other is the pair's seat margin (to within the one ballot that the
//! margin's rounding and tie rule add).

use audit::assertions::seat_assertions;
use seats::{allocate, margins, Method, Problem};

/// Vote vectors with unequal, awkward shares (a small deterministic generator).
fn elections() -> Vec<Vec<u64>> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..40)
        .map(|k| (0..3 + k % 5).map(|_| 1_000 + next() % 90_000).collect())
        .collect()
}

#[test]
fn pair_assertions_match_seat_margins() {
    let mut compared = 0;
    for method in [Method::Hare, Method::DHondt, Method::SainteLague] {
        for votes in elections() {
            let names: Vec<String> = (0..votes.len()).map(|i| format!("P{i}")).collect();
            let listed: u64 = votes.iter().sum();
            let ballots = listed + listed / 20; // some ballots for nobody listed
            let p = Problem::new(25, method, names, votes.clone());
            let o = allocate(&p).unwrap();
            let m = margins(&p, &o).unwrap();
            let set = seat_assertions(&p, &o, ballots).unwrap();
            let seats: Vec<u64> = o.parties.iter().map(|x| x.list_seats).collect();
            for pm in &m.pairs {
                let a = set
                    .assertions
                    .iter()
                    .find(|a| a.kind == "pair" && a.party == pm.winner && a.other == Some(pm.loser))
                    .unwrap();
                assert!(a.margin > 0.0, "{}", a.claim);
                let n = ballots as f64;
                let moved = if method == Method::Hare {
                    // 2h - 1 = slack / (N (S + c)); one ballot moved lowers the slack by 2S.
                    let (s, c) = (25.0, seats[pm.winner] as f64 - 1.0 - seats[pm.loser] as f64);
                    a.margin * n * (s + c) / (2.0 * s)
                } else {
                    // 2h - 1 = slack / (d_w N); one ballot moved lowers it by d_w + d_l.
                    let d = |k: u64| {
                        if method == Method::DHondt {
                            k as f64
                        } else {
                            (2 * k - 1) as f64
                        }
                    };
                    let (dw, dl) = (d(seats[pm.winner]), d(seats[pm.loser] + 1));
                    a.margin * n * dw / (dw + dl)
                };
                assert!(
                    (pm.ballots as f64 - moved).abs() <= 1.0 + 1e-6,
                    "{method:?} {votes:?} {}: seat margin {} ballots, assertion {moved}",
                    a.claim,
                    pm.ballots
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 500, "{compared}");
}

/// Stark & Teague's u is the largest `(d_w + d_l) / slack`, so its diluted margin
/// `1/(N u)` is the smallest pair margin measured in moved ballots per ballot.
#[test]
fn stark_teague_u_is_the_closest_pair() {
    let votes = vec![41_000, 29_000, 17_500, 9_000, 3_500];
    let names: Vec<String> = (0..votes.len()).map(|i| format!("P{i}")).collect();
    let p = Problem::new(10, Method::DHondt, names, votes);
    let o = allocate(&p).unwrap();
    let m = margins(&p, &o).unwrap();
    let set = seat_assertions(&p, &o, 100_000).unwrap();
    let u = set.stark_teague_u.unwrap();
    let closest = m.election.unwrap();
    // 1/u ballots moved reach the tie; the seat margin is the first whole ballot past it.
    assert!(
        (1.0 / u - closest.ballots as f64).abs() <= 1.0,
        "1/u {} vs {}",
        1.0 / u,
        closest.ballots
    );
}
