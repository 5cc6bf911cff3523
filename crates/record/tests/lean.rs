//! A lean replay (`Replayer::lean`: no station's protocol kept, running tallies, the version a
//! correction replaces read again) says what the full replay says: the same state, the same
//! publications recomputed, the same first error, where its running tallies must be
//! recomputed too (an annulment, a re-vote, a total beyond 64 bits on the way).

use model::Line;
use record::{encode, Decision, Entry, Stage};

use crate::{assert_lean_agrees, election, full_log, log, published, run, run_lean};

#[test]
fn the_full_log_replays_the_same_lean() {
    let v = full_log();
    assert_lean_agrees(&v, "the full log");
    let r = run_lean(&v).unwrap();
    assert!(r.protocols.is_empty());
    let full = run(&v).unwrap();
    let corrected = full.protocols.iter().filter(|p| p.version > 1).count() as u64;
    assert_eq!(r.protocol_counts, (full.protocols.len() as u64, corrected));
    assert!(r.publications >= 3, "{}", r.publications);
    // Every prefix too: each publication where it stands, and the errors of a cut log.
    for n in 1..v.len() {
        assert_lean_agrees(&v[..n], &format!("the first {n} entries"));
    }
}

/// Corrections, an annulment between two publications, a correction under the annulled
/// unit, and a publication after each.
#[test]
fn corrections_and_annulments_between_publications_replay_the_same_lean() {
    let (e, ps) = election();
    let mut v = log(&e, &ps, vec![]);
    v.push(encode(&published(&v, 0, Stage::Preliminary)));
    let mut fixed = ps[0].clone();
    fixed.version = 2;
    fixed.votes = vec![29, 21];
    v.push(encode(&Entry::Protocol(fixed.clone())));
    v.push(encode(&published(&v, 0, Stage::Preliminary)));
    v.push(encode(&Entry::Decision(Decision::AnnulUnit {
        unit: ps[1].station,
        reason: "r".into(),
    })));
    v.push(encode(&published(&v, 0, Stage::Preliminary)));
    let mut under = ps[1].clone();
    under.version = 2;
    under.votes = vec![1, 1];
    v.push(encode(&Entry::Protocol(under)));
    fixed.version = 3;
    fixed.votes = vec![28, 22];
    v.push(encode(&Entry::Protocol(fixed)));
    v.push(encode(&published(&v, 0, Stage::Final)));
    for n in 1..=v.len() {
        assert_lean_agrees(&v[..n], &format!("the first {n} entries"));
    }
    assert_eq!(run_lean(&v).unwrap().publications, 4);
    // A publication that states the totals before the last correction is refused alike.
    let mut stale = v.clone();
    let last = stale.len() - 1;
    stale.insert(last - 1, stale[last].clone());
    assert_lean_agrees(&stale, "a stale publication");
    assert!(run_lean(&stale).is_err());
}

/// A protocol takes a total beyond 64 bits and a correction brings it back before the
/// publication: the full replay never saw the overflow, nor may the lean one; without the
/// correction both refuse the publication, naming the same unit and station.
#[test]
fn a_total_beyond_64_bits_on_the_way_is_recomputed_at_the_publication() {
    let (e, ps) = election();
    let mut huge = ps.clone();
    huge[2].votes = vec![u64::MAX - 10, 0];
    huge[2].set_line(Line::Valid, u64::MAX - 10);
    huge[2].set_line(Line::FoundTotal, u64::MAX - 10);
    let mut v = log(&e, &huge, vec![]);
    let mut fixed = ps[2].clone();
    fixed.version = 2;
    v.push(encode(&Entry::Protocol(fixed)));
    v.push(encode(&published(&v, 0, Stage::Final)));
    assert_lean_agrees(&v, "corrected before the publication");
    assert!(run_lean(&v).is_ok());
    // Without the correction: the publication claims what cannot be totalled.
    let mut refused = log(&e, &huge, vec![]);
    refused.push(v[v.len() - 1].clone());
    assert_lean_agrees(&refused, "never corrected");
    let err = run_lean(&refused).unwrap_err().to_string();
    assert!(err.contains("overflow"), "{err}");
}
