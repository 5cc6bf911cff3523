//! Protocol intake and the complaint register (`docs/log-format.md`, revision 3): the shared
//! vectors both verifiers hold (`test_data/vectors/intake-register.json`, which
//! `verifier/test_verify.py` reads too).

use record::Replayer;
use serde_json::Value;

/// The entry a replay refuses, or `None` if it takes the whole log.
fn refused_at(entries: &[Vec<u8>]) -> Option<u64> {
    let Ok(mut r) = Replayer::start(0, &entries[0]) else {
        return Some(0);
    };
    for (i, b) in entries.iter().enumerate().skip(1) {
        if r.push(i as u64, b).is_err() {
            return Some(i as u64);
        }
    }
    r.finish().err().map(|_| entries.len() as u64)
}

#[test]
fn both_verifiers_take_and_refuse_the_same_intake_and_register_logs() {
    let doc: Value = serde_json::from_str(include_str!(
        "../../../test_data/vectors/intake-register.json"
    ))
    .unwrap();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let entries = crate::vector_entries(case);
        assert_eq!(
            refused_at(&entries),
            case["refused_at"].as_u64(),
            "{}",
            case["name"]
        );
    }
    assert_eq!(cases.len(), 94);
}
