//! The legal count: a machine count is kept beside the manual count and never replaces it in
//! totals or publications; the shared vectors both verifiers hold
//! (`test_data/vectors/legal-count.json`, which `verifier/test_verify.py` reads too).

use record::Replayer;
use serde_json::Value;

fn bytes(v: &Value) -> Vec<u8> {
    let version = v[0].as_u64().and_then(|x| u8::try_from(x).ok()).unwrap();
    let mut out = vec![version];
    out.extend_from_slice(v[1].as_str().unwrap().as_bytes());
    out
}

#[test]
fn both_verifiers_count_the_legal_count_only() {
    let doc: Value =
        serde_json::from_str(include_str!("../../../test_data/vectors/legal-count.json")).unwrap();
    let base: Vec<Vec<u8>> = doc["base"].as_array().unwrap().iter().map(bytes).collect();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let name = &case["name"];
        let entries: Vec<&Vec<u8>> = case["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| &base[k.as_u64().unwrap() as usize])
            .collect();
        let mut r = Replayer::start(0, entries[0]).unwrap();
        let refused = entries
            .iter()
            .enumerate()
            .skip(1)
            .find_map(|(i, b)| r.push(i as u64, b).err().map(|e| (i, e.to_string())));
        match case["refused_at"].as_u64() {
            Some(at) => {
                let (i, why) = refused.unwrap_or_else(|| panic!("{name}: accepted"));
                assert_eq!(i as u64, at, "{name}: {why}");
                assert!(why.starts_with(&format!("entry {at}")), "{name}: {why}");
            }
            None => {
                assert_eq!(refused, None, "{name}");
                // The machine count is kept beside the manual one, not in its place.
                assert_eq!(r.latest().len() as u64, case["protocols"].as_u64().unwrap());
                assert!(r
                    .latest()
                    .values()
                    .all(|p| p.source == model::CountSource::Manual));
                assert_eq!(r.other_count().len(), 1, "{name}");
            }
        }
    }
    assert_eq!(cases.len(), 4);
}
