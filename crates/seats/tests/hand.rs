//! Hand-computed cases of `test_data/hand.json`, each with its arithmetic written out.

use seats::{
    allocate, Alliance, Base, Candidate, District, Fraction, Method, Problem, Region, Threshold,
};
use serde_json::Value;

fn problem(c: &Value) -> Problem {
    let first = c["first_divisor"]
        .as_str()
        .map(|s| Fraction::parse(s).unwrap());
    let parties: Vec<String> = c["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().into())
        .collect();
    let votes = c["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    let mut p = Problem::new(
        c["seats"].as_u64().unwrap(),
        Method::parse(c["method"].as_str().unwrap(), first).unwrap(),
        parties,
        votes,
    );
    p.cap = c["cap"].as_u64();
    if let Some(a) = c["alliances"].as_object() {
        for (name, members) in a {
            let members = members
                .as_array()
                .unwrap()
                .iter()
                .map(|m| p.party(m.as_str().unwrap()).unwrap())
                .collect();
            p.alliances.push(Alliance {
                name: name.clone(),
                members,
            });
        }
    }
    if let Some(t) = c.get("threshold").filter(|t| !t.is_null()) {
        let frac = |k: &str| t[k].as_str().map(|s| Fraction::parse(s).unwrap());
        p.threshold = Some(Threshold {
            national: frac("national"),
            base: Base::parse(t["base"].as_str().unwrap()).unwrap(),
            base_votes: t["base_votes"].as_u64(),
            regional: frac("regional"),
            regional_base: Default::default(),
            strict: false,
        });
    }
    if let Some(rs) = c["regions"].as_object() {
        for (name, v) in rs {
            p.regions.push(Region {
                name: name.clone(),
                votes: v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap())
                    .collect(),
                base_votes: None,
            });
        }
    }
    if let Some(e) = c["exempt"].as_array() {
        p.exempt = e
            .iter()
            .map(|x| p.party(x.as_str().unwrap()).unwrap())
            .collect();
    }
    if let Some(ds) = c["districts"].as_object() {
        for (name, cands) in ds {
            let candidates = cands
                .as_array()
                .unwrap()
                .iter()
                .map(|x| Candidate {
                    name: x[0].as_str().unwrap().into(),
                    party: x[1].as_str().map(|n| p.party(n).unwrap()),
                    votes: x[2].as_u64().unwrap(),
                    against_all: x[0] == "against all",
                })
                .collect();
            p.districts.push(District {
                name: name.clone(),
                candidates,
            });
        }
    }
    p
}

#[test]
fn hand_computed_cases() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/hand.json"))
        .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let cases = all["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    for c in cases {
        let id = c["id"].as_str().unwrap();
        assert!(!c["steps"].as_str().unwrap().is_empty(), "{id}: no steps");
        let p = problem(c);
        let o = allocate(&p).unwrap_or_else(|e| panic!("{id}: {e}"));
        let got: Vec<u64> = o.parties.iter().map(|x| x.seats).collect();
        let want: Vec<u64> = c["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(got, want, "{id}");
        if let Some(n) = c["note_contains"].as_str() {
            assert!(
                o.notes.iter().any(|x| x.to_string().contains(n)) || format!("{:?}", o).contains(n),
                "{id}: no note with '{n}': {:?}",
                o.notes
            );
        }
        if let Some(v) = c["vacant"].as_array() {
            let vacant: Vec<&str> = o
                .districts
                .iter()
                .filter(|d| d.vacant)
                .map(|d| d.name.as_str())
                .collect();
            assert_eq!(
                vacant,
                v.iter().map(|x| x.as_str().unwrap()).collect::<Vec<_>>(),
                "{id}"
            );
        }
    }
}

#[test]
fn the_regional_test_names_the_failing_region() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/hand.json"))
        .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let c = all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "regional-threshold")
        .unwrap();
    let o = allocate(&problem(c)).unwrap();
    assert_eq!(
        o.parties[2].national.detail(),
        "100 of 1000 (listed) = 10.00%, threshold >= 10.00%"
    );
    assert_eq!(o.parties[2].regional.detail(), "below 5.00% in South 1.41%");
    assert_eq!(
        o.parties[1].regional.detail(),
        ">= 5.00% in all 2 regions; lowest South 14.08%"
    );
}
