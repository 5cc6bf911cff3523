//! Every reference a problem makes, checked: a party index out of range (a candidate's
//! nominating party, an exemption, an alliance), a seat count no legislature has, or an
//! outcome of another problem is an error from `allocate` and `margins`, never a panic or an
//! allocation that runs for hours (issue "One rulebook", item 4). Sums at the edge of 64 bits
//! in the threshold margins are not wrapped either.

use seats::{
    allocate, margins, Alliance, Base, Candidate, District, Fraction, Method, Problem, Region,
    RegionalBase, Threshold, MAX_SEATS,
};

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("P{i}")).collect()
}

/// Two parties, 10 seats by D'Hondt, and a district whose candidate B is nominated by
/// party `party`.
fn with_candidate(party: usize) -> Problem {
    let mut p = Problem::new(10, Method::DHondt, names(2), vec![60, 40]);
    p.districts.push(District {
        name: "D1".into(),
        candidates: vec![
            Candidate {
                name: "A".into(),
                party: Some(0),
                votes: 5,
                against_all: false,
            },
            Candidate {
                name: "B".into(),
                party: Some(party),
                votes: 9,
                against_all: false,
            },
        ],
    });
    p
}

#[test]
fn every_party_index_is_checked() {
    let cases: Vec<(&str, Problem, &str)> = vec![
        (
            "a candidate nominated by a party that does not exist (it panicked)",
            with_candidate(2),
            "district 'D1': candidate 'B' is nominated by party 2, which does not exist (2 parties)",
        ),
        ("an exemption of a party that does not exist", {
            let mut p = with_candidate(1);
            p.exempt = vec![5];
            p
        }, "exempt party 5 does not exist"),
        ("an alliance of a party that does not exist", {
            let mut p = with_candidate(1);
            p.alliances.push(Alliance {
                name: "X".into(),
                members: vec![0, 9],
            });
            p
        }, "alliance 'X' names a party that does not exist or is in another alliance"),
        ("a region with a count per party too few", {
            let mut p = with_candidate(1);
            p.regions.push(Region {
                name: "R".into(),
                votes: vec![1],
                base_votes: None,
            });
            p
        }, "region 'R' has 1 vote counts for 2 parties"),
        ("more seats than any legislature (u64::MAX list seats and a district seat overflowed)", {
            let mut p = with_candidate(0);
            p.seats = u64::MAX;
            p.method = Method::Hare;
            p.votes = vec![100, 0];
            p
        }, "18446744073709551615 seats: at most 100000 list seats are allocated"),
        ("more seats than any legislature (D'Hondt gave them one by one, for hours)", {
            let mut p = with_candidate(1);
            p.seats = 1 << 40;
            p
        }, "1099511627776 seats: at most 100000 list seats are allocated"),
    ];
    for (name, p, says) in cases {
        let err = allocate(&p).expect_err(name).to_string();
        assert_eq!(err, says, "{name}");
        // The margins check the problem too, whatever outcome they are given.
        let fine = allocate(&with_candidate(1)).unwrap();
        assert_eq!(
            margins(&p, &fine).expect_err(name).to_string(),
            says,
            "{name}"
        );
    }
    let mut most = with_candidate(1);
    most.seats = MAX_SEATS;
    most.method = Method::Hare;
    let o = allocate(&most).unwrap();
    assert_eq!(
        o.parties.iter().map(|x| x.seats).sum::<u64>(),
        MAX_SEATS + 1
    );
}

#[test]
fn margins_of_another_problems_outcome_are_refused() {
    let p = with_candidate(1);
    let mut three = Problem::new(10, Method::DHondt, names(3), vec![60, 40, 5]);
    three.districts = p.districts.clone();
    let other = allocate(&three).unwrap();
    assert_eq!(
        margins(&p, &other).unwrap_err().to_string(),
        "an outcome of 3 parties is not the allocation of these 2"
    );
}

#[test]
fn threshold_margins_at_the_edge_of_64_bits_do_not_wrap() {
    // A threshold of 0%: no ballot is needed, so a party of 2^64 - 1 votes cannot lose its
    // place by losing them all (f - need + 1 overflowed).
    let mut p = Problem::new(1, Method::Hare, names(2), vec![u64::MAX, 0]);
    p.threshold = Some(Threshold {
        national: Some(Fraction { num: 0, den: 1 }),
        base: Base::Listed,
        base_votes: None,
        regional: None,
        regional_base: RegionalBase::Region,
        strict: false,
    });
    let o = allocate(&p).unwrap();
    let m = margins(&p, &o).unwrap();
    let all = m.thresholds.iter().find(|t| t.party == 0).unwrap();
    assert!(all.passes);
    assert_eq!(all.ballots, u64::MAX);
    // Half of a national base of 2^64 - 1 in each of three regions: a party with no vote is
    // short by 1.5 * 2^64 ballots in all (the sum overflowed): more than any count.
    let mut p = Problem::new(1, Method::Hare, names(2), vec![1 << 63, 1]);
    p.threshold = Some(Threshold {
        national: Some(Fraction { num: 0, den: 1 }),
        base: Base::Valid,
        base_votes: Some(u64::MAX),
        regional: Some(Fraction { num: 1, den: 2 }),
        regional_base: RegionalBase::National,
        strict: false,
    });
    p.regions = (1..=3)
        .map(|k| Region {
            name: format!("R{k}"),
            votes: vec![1 << 63, 0],
            base_votes: None,
        })
        .collect();
    let o = allocate(&p).unwrap();
    let m = margins(&p, &o).unwrap();
    let short = m
        .thresholds
        .iter()
        .find(|t| t.party == 1 && t.threshold.starts_with("regional"))
        .unwrap();
    assert!(!short.passes);
    assert_eq!(short.ballots, u64::MAX);
}
