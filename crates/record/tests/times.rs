//! Staff entries with their time (format version 2, `docs/log-format.md`, "staff"): the
//! shared vectors both verifiers hold (`test_data/vectors/staff-times.json`, which
//! `verifier/test_verify.py` reads too), and the canonical bytes of a log whose staff entries
//! carry their time, pinned.

use record::{decode, encode, Entry, Replayer, Staff, StaffAct, Time};
use serde_json::Value;

use crate::full_log;
use crate::wire::canonical_sha256;

/// 2026-12-03 06:10:34 UTC.
const T: u64 = 1_796_278_234;

/// The bytes of a vector's entry: the version byte, then the text.
fn bytes(v: &Value) -> Vec<u8> {
    let version = v[0].as_u64().and_then(|x| u8::try_from(x).ok()).unwrap();
    let mut out = vec![version];
    out.extend_from_slice(v[1].as_str().unwrap().as_bytes());
    out
}

/// Replays `entries`; the replay's error, or when each entry was made and the log's time.
type Outcome = Result<(Vec<Option<u64>>, Option<u64>), String>;

fn replayed(entries: &[Vec<u8>]) -> Outcome {
    let mut r = Replayer::start(0, &entries[0]).map_err(|e| e.to_string())?;
    let mut made = vec![r.made_at().map(Time::unix)];
    for (i, b) in entries.iter().enumerate().skip(1) {
        r.push(i as u64, b).map_err(|e| e.to_string())?;
        made.push(r.made_at().map(Time::unix));
    }
    let as_of = r.as_of().map(Time::unix);
    let done = r.finish().map_err(|e| e.to_string())?;
    assert_eq!(done.as_of.map(Time::unix), as_of);
    Ok((made, as_of))
}

#[test]
fn both_verifiers_take_and_refuse_the_same_staff_times() {
    let doc: Value =
        serde_json::from_str(include_str!("../../../test_data/vectors/staff-times.json")).unwrap();
    let base: Vec<Vec<u8>> = doc["base"].as_array().unwrap().iter().map(bytes).collect();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let entries: Vec<Vec<u8>> = case["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| match e.as_u64() {
                Some(k) => base[k as usize].clone(),
                None => bytes(e),
            })
            .collect();
        let name = &case["name"];
        let got = replayed(&entries);
        match case["refused"].as_str() {
            Some(want) => assert_eq!(got, Err(want.to_string()), "{name}"),
            None => {
                let made = case["made_at"].as_array().unwrap();
                let made = made.iter().map(Value::as_u64).collect();
                assert_eq!(got, Ok((made, case["as_of"].as_u64())), "{name}");
            }
        }
    }
    assert_eq!(cases.len(), 11);
}

/// The SHA-256 of [`timed_log`]'s entries, each prefixed with its length: the bytes of staff
/// entries with their time.
const TIMED_LOG_SHA256: &str = "55888ff0e298be4438a329013ca5c3c5a4188f38d285be2b926c5727220786a8";

/// The full test log with its staff entries from the certification on stamped with times, a
/// second apart from 2026-12-03 06:10:34 UTC: the older ones as a log written before staff
/// entries carried their time has them (without the quick count's entries, which came later).
fn timed_log() -> Vec<Vec<u8>> {
    let mut log: Vec<Vec<u8>> = full_log()
        .into_iter()
        .filter(|b| {
            !matches!(
                decode(0, b),
                Ok(Entry::Pvt(_)
                    | Entry::Staff(Staff {
                        act: StaffAct::QuickCount,
                        ..
                    }))
            )
        })
        .collect();
    let first = log.len() - 4;
    let mut t = T;
    for b in &mut log[first..] {
        if let Ok(Entry::Staff(s)) = decode(0, b) {
            *b = encode(&Entry::Staff(Staff {
                time: Some(Time::from_unix(t).unwrap()),
                ..s
            }));
            t += 1;
        }
    }
    log
}

#[test]
fn a_timed_staff_entry_is_version_2_with_its_time_last() {
    let chair = Staff::at("chair", StaffAct::Decide, Time::from_unix(T).unwrap());
    let b = encode(&Entry::Staff(chair.clone()));
    assert_eq!(
        b,
        b"\x02{\"type\":\"staff\",\"act\":\"decide\",\"role\":\"commissioner\",\"user\":\"chair\",\"subject\":null,\"scan\":null,\"time\":1796278234}"
    );
    assert!(matches!(decode(0, &b), Ok(Entry::Staff(s)) if s == chair));
    let log = timed_log();
    let timed = log.iter().filter(|b| b[0] == 2).count();
    assert_eq!(timed, 2);
    assert_eq!(canonical_sha256(&log), TIMED_LOG_SHA256);
    let (made, as_of) = replayed(&log).unwrap();
    assert_eq!(as_of, Some(T + 1));
    // The certification's publication was made at the certification's time.
    let n = log.len();
    assert_eq!(made[n - 4..], [Some(T), Some(T), Some(T + 1), Some(T + 1)]);
    assert_eq!(made[..n - 4].iter().flatten().count(), 0);
}
