//! Every index an entry carries, out of range: refused with the entry and the field named,
//! never a panic (issue "One rulebook", item 4). Each case changes one entry of
//! [`crate::full_log`] or adds one, through `record::encode` or, for values no `Entry` can
//! hold (a unit id above 4294967295), in its canonical bytes; the fields are those of
//! `docs/log-format.md`.

use model::UnitId;
use record::{decode, encode, AuditStep, Complaint, Decision, Entry, RecordError, StaffAct};

use crate::{full_log, run};

#[test]
fn the_full_log_replays() {
    let log = full_log();
    let r = run(&log).unwrap();
    assert_eq!(
        (r.protocols.len(), r.complaints, r.audits, r.publications),
        (6, 2, 11, 3)
    );
    // The definition's law, and the status the final publication gives (its index found
    // independently of the replay).
    assert_eq!(r.election.law.as_deref(), Some("kg2020"));
    let certified = log
        .iter()
        .position(|b| {
            b.starts_with(b"\x01{\"type\":\"publication\",\"stage\":\"final\",\"contest\":0")
        })
        .unwrap() as u64;
    assert_eq!(
        r.status,
        record::Status::Certified {
            publication: certified
        }
    );
}

/// A malformed log and what its replay must say.
struct Case {
    name: &'static str,
    entries: Vec<Vec<u8>>,
    /// The entry refused.
    index: usize,
    /// The field named.
    field: &'static str,
    /// Part of the message.
    says: &'static str,
}

/// Entry `i` of `log` decoded, checked to contain `marker` (so that the cases follow
/// [`full_log`]'s layout or fail loudly).
fn entry(log: &[Vec<u8>], i: usize, marker: &str) -> Entry {
    let text = String::from_utf8_lossy(&log[i]).to_string();
    assert!(text.contains(marker), "entry {i} is not {marker}: {text}");
    decode(i as u64, &log[i]).unwrap()
}

/// `log` with entry `i` replaced by `bytes`.
fn with(log: &[Vec<u8>], i: usize, bytes: Vec<u8>) -> Vec<Vec<u8>> {
    let mut v = log.to_vec();
    v[i] = bytes;
    v
}

/// `log` with `bytes` inserted as entry `i`.
fn inserted(log: &[Vec<u8>], i: usize, bytes: Vec<u8>) -> Vec<Vec<u8>> {
    let mut v = log.to_vec();
    v.insert(i, bytes);
    v
}

/// `log` with the text `from` of entry `i` replaced by `to` (once, and it must be there).
fn edited(log: &[Vec<u8>], i: usize, from: &str, to: &str) -> Vec<Vec<u8>> {
    let text = String::from_utf8(log[i].clone()).unwrap();
    assert!(text.contains(from), "entry {i} has no {from}: {text}");
    with(log, i, text.replacen(from, to, 1).into_bytes())
}

fn cases() -> Vec<Case> {
    let log = full_log();
    let l = &log;
    let mut cases = Vec::new();
    let mut case = |name, entries, index, field, says| {
        cases.push(Case {
            name,
            entries,
            index,
            field,
            says,
        })
    };
    // The election: numbers above 32 bits, rules that are not text.
    case(
        "a ballot number above 32 bits",
        edited(l, 0, "\"ballot_number\":1", "\"ballot_number\":4294967297"),
        0,
        "contests[0].choices[0].ballot_number",
        "4294967297 is above 4294967295",
    );
    case(
        "a rule that is not text",
        edited(l, 0, "\"rules\":[", "\"rules\":[7,"),
        0,
        "rules[0]",
        "7 is not text",
    );
    // Units: ids in order, parents that exist, both within 32 bits.
    let Entry::Units(rows) = entry(l, 1, "\"units\"") else {
        unreachable!()
    };
    let mut orphan = rows.clone();
    orphan[2].1 = 99;
    case(
        "a unit under a unit that does not exist",
        with(l, 1, encode(&Entry::Units(orphan))),
        1,
        "units[2].parent",
        "unit 99 does not exist (the election has units 0 to 2)",
    );
    let mut own = rows.clone();
    own[1].1 = 2;
    case(
        "a unit that is its own parent",
        with(l, 1, encode(&Entry::Units(own))),
        1,
        "units[1].parent",
        "unit 2 does not exist",
    );
    let mut skipped = rows.clone();
    skipped[1].0 = 9;
    case(
        "a skipped unit id",
        with(l, 1, encode(&Entry::Units(skipped))),
        1,
        "units[1].id",
        "unit id 9, expected 2",
    );
    case(
        "a unit id above 32 bits",
        edited(l, 1, "[1,0,", "[4294967297,0,"),
        1,
        "units[0].id",
        "4294967297 is above 4294967295",
    );
    case(
        "a parent id above 32 bits",
        edited(l, 1, "[2,1,", "[2,4294967297,"),
        1,
        "units[1].parent",
        "4294967297 is above 4294967295",
    );
    // Protocols: a station, a contest, a count per choice, 32-bit ids and versions.
    let Entry::Protocol(p) = entry(l, 7, "\"protocol\"") else {
        unreachable!()
    };
    let protocol = |f: &dyn Fn(&mut model::Protocol)| {
        let mut q = p.clone();
        q.version = 2;
        f(&mut q);
        // An import's: before the staff's first act (entry 8).
        inserted(l, 8, encode(&Entry::Protocol(q)))
    };
    case(
        "a protocol of a contest that does not exist",
        protocol(&|q| {
            q.contest = 2;
            q.version = 1
        }),
        8,
        "contest",
        "contest 2 does not exist (the election has 2 contest(s))",
    );
    case(
        "a protocol of a unit that does not exist",
        protocol(&|q| q.station = UnitId(99)),
        8,
        "station",
        "unit 99 does not exist",
    );
    case(
        "a protocol of a region",
        protocol(&|q| q.station = UnitId(1)),
        8,
        "station",
        "unit 1 ('R') is a region, not a station",
    );
    case(
        "a protocol with a count too many",
        protocol(&|q| q.votes.push(1)),
        8,
        "votes",
        "3 vote counts for 2 choices",
    );
    case(
        "a protocol of a station above 32 bits (2^32 + 3 is not station 3)",
        edited(l, 7, "\"station\":3,", "\"station\":4294967299,"),
        7,
        "station",
        "4294967299 is above 4294967295",
    );
    case(
        "a version above 32 bits",
        edited(l, 12, "\"version\":2,", "\"version\":4294967298,"),
        12,
        "version",
        "4294967298 is above 4294967295",
    );
    // Complaints and decisions name units that exist.
    let Entry::Complaint(c) = entry(l, 14, "\"complaint\"") else {
        unreachable!()
    };
    case(
        "a complaint about a unit that does not exist",
        with(
            l,
            14,
            encode(&Entry::Complaint(Complaint {
                unit: UnitId(99),
                ..c
            })),
        ),
        14,
        "unit",
        "complaint about an unknown unit: unit 99 does not exist",
    );
    case(
        "a complaint about a unit above 32 bits",
        edited(l, 14, "\"unit\":2,", "\"unit\":4294967298,"),
        14,
        "unit",
        "4294967298 is above 4294967295",
    );
    let reason = "r".to_string();
    for (i, marker, decision, says) in [
        (
            16,
            "recount",
            Decision::Recount {
                unit: UnitId(99),
                reason: reason.clone(),
            },
            "recount of an unknown unit: unit 99 does not exist",
        ),
        (
            17,
            "annul-unit",
            Decision::AnnulUnit {
                unit: UnitId(99),
                reason: reason.clone(),
            },
            "annulment of an unknown unit: unit 99 does not exist",
        ),
        (
            34,
            "revote",
            Decision::Revote {
                unit: UnitId(99),
                reason: reason.clone(),
            },
            "re-vote of an unknown unit: unit 99 does not exist",
        ),
    ] {
        entry(l, i, marker);
        case(
            "a decision about a unit that does not exist",
            with(l, i, encode(&Entry::Decision(decision))),
            i,
            "unit",
            says,
        );
    }
    case(
        "an annulment of a unit above 32 bits (2^32 + 4 is not unit 4)",
        edited(l, 17, "\"unit\":4,", "\"unit\":4294967300,"),
        17,
        "unit",
        "4294967300 is above 4294967295",
    );
    // Staff: an assignment to a unit that exists; a unit and a role only where they belong.
    let Entry::Staff(mut far) = entry(l, 9, "\"assign\"") else {
        unreachable!()
    };
    if let StaffAct::Assign { unit, .. } = &mut far.act {
        *unit = UnitId(99);
    }
    case(
        "an assignment to a unit that does not exist",
        with(l, 9, encode(&Entry::Staff(far))),
        9,
        "unit",
        "unit 99 does not exist",
    );
    case(
        "an assignment to a unit above 32 bits",
        edited(l, 9, "\"unit\":2}", "\"unit\":4294967298}"),
        9,
        "unit",
        "4294967298 is above 4294967295",
    );
    // No `StaffAct` of an entry of a protocol holds a unit or a role granted.
    entry(l, 10, "\"enter\"");
    case(
        "an entry of a protocol that names a unit",
        edited(l, 10, "\"scan\":null}", "\"scan\":null,\"unit\":2}"),
        10,
        "unit",
        "a staff 'enter' entry names no unit",
    );
    case(
        "an entry of a protocol that grants a role",
        edited(
            l,
            10,
            "\"scan\":null}",
            "\"scan\":null,\"grants\":\"admin\"}",
        ),
        10,
        "grants",
        "a staff 'enter' entry grants no role",
    );
    // Publications: a contest that exists, a known stage, seats for the first contest only.
    let Entry::Publication(first) = entry(l, 19, "\"publication\"") else {
        unreachable!()
    };
    let Entry::Publication(second) = entry(l, 20, "\"publication\"") else {
        unreachable!()
    };
    let publication = |i: usize, p: record::Publication| with(l, i, encode(&Entry::Publication(p)));
    case(
        "a publication of a contest that does not exist",
        publication(
            19,
            record::Publication {
                contest: 7,
                ..first.clone()
            },
        ),
        19,
        "contest",
        "contest 7 does not exist (the election has 2 contest(s))",
    );
    // No `Publication` holds an unknown stage: it is refused as the entry is read.
    case(
        "a publication at an unknown stage",
        edited(l, 19, "\"stage\":\"preliminary\"", "\"stage\":\"draft\""),
        19,
        "stage",
        "'draft', expected one of: preliminary, final",
    );
    case(
        "seats stated for the second contest",
        publication(
            20,
            record::Publication {
                seats: first.seats.clone(),
                ..second
            },
        ),
        20,
        "seats",
        "contest 1's publication states seats",
    );
    let mut sideways = first.clone();
    if let Some(s) = sideways.seats.as_mut() {
        s.base = "sideways".into();
    }
    case(
        "seats over an unknown base",
        publication(19, sideways),
        19,
        "seats.base",
        "unknown threshold base 'sideways'",
    );
    let mut lawless = first.clone();
    if let Some(s) = lawless.seats.as_mut() {
        s.law = "kg1990".into();
    }
    case(
        "seats under an unknown law",
        publication(19, lawless),
        19,
        "seats",
        "kg1990",
    );
    case(
        "a publication of a contest above 64 bits of memory is not a panic either",
        edited(l, 20, "\"contest\":1,", "\"contest\":18446744073709551615,"),
        20,
        "contest",
        "does not exist",
    );
    // Audits: a started audit, its contest, stations, rounds, draws, choices and counts.
    let audit = |step: AuditStep| encode(&Entry::Audit(step));
    let Entry::Audit(start) = entry(l, 22, "\"start\"") else {
        unreachable!()
    };
    let restart = |f: &dyn Fn(&mut AuditStep)| {
        let mut s = start.clone();
        f(&mut s);
        with(l, 22, audit(s))
    };
    case(
        "an audit of a contest that does not exist",
        restart(&|s| {
            if let AuditStep::Start { contest, .. } = s {
                *contest = 2
            }
        }),
        22,
        "contest",
        "contest 2 does not exist",
    );
    case(
        "an audit under an unknown law",
        restart(&|s| {
            if let AuditStep::Start { law, .. } = s {
                *law = "kg1990".into()
            }
        }),
        22,
        "law",
        "kg1990",
    );
    case(
        "an audit over an unknown base",
        restart(&|s| {
            if let AuditStep::Start { base, .. } = s {
                *base = Some("sideways".into())
            }
        }),
        22,
        "base",
        "unknown threshold base 'sideways'",
    );
    // No `AuditStep` holds an unknown method: it is refused as the entry is read.
    case(
        "an audit of an unknown method",
        edited(l, 22, "\"method\":\"polling\"", "\"method\":\"sortition\""),
        22,
        "method",
        "'sortition', expected one of: comparison, polling, batch",
    );
    case(
        "an audit started twice",
        inserted(l, 25, audit(start.clone())),
        25,
        "audit",
        "an audit named 'p' was started earlier in the log",
    );
    case(
        "a step of an audit never started",
        inserted(l, 22, audit(AuditStep::Escalate { audit: "x".into() })),
        22,
        "audit",
        "no audit named 'x' was started before this step",
    );
    let manifest = |batches: Vec<(u32, u64)>| {
        audit(AuditStep::Manifest {
            audit: "p".into(),
            batches,
        })
    };
    case(
        "a manifest of a unit that does not exist",
        with(l, 23, manifest(vec![(2, 50), (99, 50)])),
        23,
        "batches[1].station",
        "unit 99 does not exist",
    );
    case(
        "a manifest of a region",
        with(l, 23, manifest(vec![(1, 50)])),
        23,
        "batches[0].station",
        "is a region, not a station",
    );
    case(
        "a manifest of a station above 32 bits",
        edited(l, 23, "[[2,50]", "[[4294967298,50]"),
        23,
        "batches[0].station",
        "4294967298 is above 4294967295",
    );
    case(
        "a manifest after the first round",
        inserted(l, 28, manifest(vec![(4, 50)])),
        28,
        "batches",
        "a manifest after the audit's first round",
    );
    let round = |round, size| {
        audit(AuditStep::Round {
            audit: "p".into(),
            round,
            size,
        })
    };
    case(
        "a round out of order",
        with(l, 29, round(3, 2)),
        29,
        "round",
        "3, expected 2: rounds follow one another",
    );
    case(
        "rounds whose draws add up beyond 64 bits",
        with(with(l, 24, round(1, u64::MAX)).as_slice(), 29, round(2, 2)),
        29,
        "size",
        "the rounds' draws add up beyond 18446744073709551615",
    );
    let readings = |round, readings| {
        audit(AuditStep::Readings {
            audit: "p".into(),
            round,
            readings,
        })
    };
    case(
        "readings of a round not drawn",
        with(l, 28, readings(5, vec![(1, None, Some(0))])),
        28,
        "round",
        "round 5 was not drawn (the audit has 1 round(s))",
    );
    case(
        "readings of round 0",
        with(l, 28, readings(0, vec![(1, None, Some(0))])),
        28,
        "round",
        "round 0 was not drawn",
    );
    case(
        "a reading of draw 0",
        with(l, 28, readings(1, vec![(0, None, Some(0))])),
        28,
        "readings[0].draw",
        "0 is not one of round 1's draws (1 to 3)",
    );
    case(
        "a reading of a draw of another round",
        with(
            l,
            30,
            readings(2, vec![(4, None, Some(1)), (3, None, Some(0))]),
        ),
        30,
        "readings[1].draw",
        "3 is not one of round 2's draws (4 to 5)",
    );
    case(
        "a reading of a choice the contest does not have",
        with(
            l,
            28,
            readings(1, vec![(1, None, Some(0)), (2, None, Some(2))]),
        ),
        28,
        "readings[1].paper",
        "choice 2 does not exist (the contest has 2 choice(s))",
    );
    case(
        "a record of a choice the contest does not have",
        with(l, 28, readings(1, vec![(1, Some(7), Some(0))])),
        28,
        "readings[0].record",
        "choice 7 does not exist",
    );
    case(
        "a reading of a choice above 32 bits",
        edited(l, 28, "[1,null,0]", "[1,null,4294967296]"),
        28,
        "readings[0].paper",
        "4294967296 is above 4294967295",
    );
    let counts = |round, counts| {
        audit(AuditStep::Counts {
            audit: "b".into(),
            round,
            counts,
        })
    };
    case(
        "a hand count of a unit that does not exist",
        with(l, 32, counts(1, vec![(99, vec![1, 2], 3)])),
        32,
        "counts[0].station",
        "unit 99 does not exist",
    );
    case(
        "a hand count with a count too few",
        with(l, 32, counts(1, vec![(2, vec![1, 2], 3), (3, vec![1], 1)])),
        32,
        "counts[1].votes",
        "1 counts for 2 choice(s)",
    );
    case(
        "a hand count whose votes add up beyond 64 bits",
        with(l, 32, counts(1, vec![(2, vec![u64::MAX, 1], 3)])),
        32,
        "counts[0].votes",
        "the votes add up to more than 18446744073709551615",
    );
    case(
        "a hand count of a round not drawn",
        with(l, 32, counts(2, vec![(2, vec![1, 2], 3)])),
        32,
        "round",
        "round 2 was not drawn",
    );
    case(
        "a hand count of a station above 32 bits",
        edited(l, 32, "[[2,[30,20]", "[[4294967298,[30,20]"),
        32,
        "counts[0].station",
        "4294967298 is above 4294967295",
    );
    cases
}

#[test]
fn every_index_out_of_range_is_refused_naming_the_entry_and_the_field() {
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    for c in cases {
        let err = match run(&c.entries) {
            Ok(_) => panic!("{}: accepted", c.name),
            Err(e) => e,
        };
        let RecordError::Field {
            index,
            ref field,
            ref message,
        } = err
        else {
            panic!("{}: {err:?}", c.name);
        };
        assert_eq!(
            (index, field.as_str()),
            (c.index as u64, c.field),
            "{}: {err}",
            c.name
        );
        assert!(message.contains(c.says), "{}: {err}", c.name);
        assert!(
            err.to_string()
                .starts_with(&format!("entry {}: {}: ", c.index, c.field)),
            "{}: {err}",
            c.name
        );
    }
}
