//! The record crate's integration tests: replays of hand-built logs, every index an entry
//! carries refused when it names nothing (`docs/log-format.md`), and random mutations of a
//! log that exercises every entry type, which must never panic.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod counting;
mod incidents;
mod intake;
mod lean;
mod malformed;
mod mutation;
mod publish;
mod quick_count;
mod replay;
mod times;
mod wire;

use model::{
    Choice, ChoiceKind, Contest, ContestKind, Election, Line, Protocol, UnitId, UnitLevel,
};
use record::{
    commitment, definition, digest, encode, publication, replay, AuditMethod, AuditStep, Complaint,
    ComplaintStatus, Decision, Entry, PvtStep, RecordError, Review, Role, Staff, StaffAct, Stage,
};

/// One party-list contest (A, B) in region R with stations 1, 2, 3, and their protocols.
pub fn election() -> (Election, Vec<Protocol>) {
    let mut e = Election::new("t");
    e.contests.push(Contest::new(
        "c",
        ContestKind::PartyList,
        vec![
            Choice::new("A", ChoiceKind::Party),
            Choice::new("B", ChoiceKind::Party),
        ],
    ));
    let r = e
        .units
        .insert(e.units.root(), UnitLevel::Region, "R")
        .unwrap();
    let mut ps = Vec::new();
    for (i, (a, b)) in [(30u64, 20u64), (10, 40), (25, 25)].into_iter().enumerate() {
        let s = e
            .units
            .insert(r, UnitLevel::Station, &format!("{}", i + 1))
            .unwrap();
        let mut p = Protocol::new(s, 0, 2);
        p.set_line(Line::Valid, a + b);
        p.set_line(Line::Invalid, 0);
        p.set_line(Line::FoundTotal, a + b);
        p.votes = vec![a, b];
        ps.push(p);
    }
    (e, ps)
}

/// The definition of `e`, its protocols `ps`, then `extra`, encoded.
pub fn log(e: &Election, ps: &[Protocol], extra: Vec<Entry>) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = definition(e).iter().map(encode).collect();
    v.extend(ps.iter().map(|p| encode(&Entry::Protocol(p.clone()))));
    v.extend(extra.iter().map(encode));
    v
}

/// A shared vector's log: its entries as [format version, JSON text].
pub fn vector_entries(case: &serde_json::Value) -> Vec<Vec<u8>> {
    case["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut b = vec![e[0].as_u64().unwrap() as u8];
            b.extend_from_slice(e[1].as_str().unwrap().as_bytes());
            b
        })
        .collect()
}

/// Replays encoded entries, numbered from 0.
pub fn run(entries: &[Vec<u8>]) -> Result<record::Replayed, RecordError> {
    replay(
        entries
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
}

/// Replays encoded entries as a lean replay does (`Replayer::lean`), reading entries again
/// from `entries`.
pub fn run_lean(entries: &[Vec<u8>]) -> Result<record::Replayed, RecordError> {
    let mut reread = |i: u64| entries.get(i as usize).cloned();
    let Some(first) = entries.first() else {
        return run(entries);
    };
    let mut r = record::Replayer::lean(0, first)?;
    for (i, b) in entries.iter().enumerate().skip(1) {
        r.push_reading(i as u64, b, &mut reread)?;
    }
    r.finish()
}

/// The full and the lean replay of `entries` agree: the same error, or the same state but
/// for the protocols, which the lean one does not keep.
pub fn assert_lean_agrees(entries: &[Vec<u8>], case: &str) {
    let full = run(entries).map(|mut r| {
        r.protocols.clear();
        r.other_count.clear();
        format!("{r:?}")
    });
    let lean = run_lean(entries).map(|r| format!("{r:?}"));
    match (full, lean) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{case}"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{case}"),
        (a, b) => panic!("{case}: the full replay gives {a:?}, the lean one {b:?}"),
    }
}

/// A staff entry of `act` by `user`.
pub fn staff(user: &str, act: StaffAct) -> Entry {
    Entry::Staff(Staff::new(user, act))
}

/// A publication of the log so far: `contest`'s totals at `stage`, with seats under kg2020
/// for the first contest.
pub fn published(entries: &[Vec<u8>], contest: usize, stage: Stage) -> Entry {
    let r = run(entries).unwrap();
    let law = (contest == 0).then_some("kg2020");
    Entry::Publication(
        publication(&r.election, &r.protocols, &r.annulled, contest, stage, law).unwrap(),
    )
}

/// A log of every kind of entry that replays (`docs/log-format.md`): two contests (a party
/// list under the law kg2020 and a referendum), a grant and an assignment, a protocol entered
/// and verified by two people, a correction, a complaint, a recount, an annulment, keys,
/// publications with seats, a polling audit with readings and a batch audit with hand
/// counts, a re-vote, the final publication, and a complaint after it. Units 2, 3 and 4 are
/// the stations of region 1.
pub fn full_log() -> Vec<Vec<u8>> {
    let (mut e, ps) = election();
    for (k, c) in e.contests[0].choices.iter_mut().enumerate() {
        c.ballot_number = Some(k as u32 + 1);
    }
    e.contests.push(Contest::new(
        "r",
        ContestKind::Referendum,
        vec![
            Choice::new("Yes", ChoiceKind::Answer),
            Choice::new("No", ChoiceKind::Answer),
        ],
    ));
    e.law = Some("kg2020".into());
    let mut v: Vec<Vec<u8>> = definition(&e).iter().map(encode).collect();
    let salt = [3; 32];
    let (op, ver, obs) = (
        commitment(&salt, "operator"),
        commitment(&salt, "verifier"),
        commitment(&salt, "observer"),
    );
    let grant = StaffAct::Grant {
        user: op.clone(),
        role: Role::Operator,
    };
    let assign = StaffAct::Assign {
        user: op.clone(),
        unit: UnitId(2),
    };
    // The import's protocols first (before any staff act: the referendum's, then the party
    // list's, station 3 at entry 7), then the staff's: a correction of station 3 entered by
    // one person and verified by another.
    for (k, p) in ps.iter().enumerate() {
        let mut r = Protocol::new(p.station, 1, 2);
        r.set_line(Line::Valid, 40 + k as u64);
        r.set_line(Line::Invalid, 0);
        r.set_line(Line::FoundTotal, 40 + k as u64);
        r.votes = vec![30, 10 + k as u64];
        v.push(encode(&Entry::Protocol(r)));
    }
    for p in [&ps[0], &ps[2], &ps[1]] {
        v.push(encode(&Entry::Protocol(p.clone())));
    }
    v.push(encode(&staff("console", grant)));
    v.push(encode(&staff("console", assign)));
    let mut fixed = ps[1].clone();
    fixed.version = 2;
    fixed.votes = vec![11, 39];
    let fixed = encode(&Entry::Protocol(fixed));
    let protocol = digest(&fixed);
    let enter = StaffAct::Enter {
        protocol: protocol.clone(),
        scan: None,
        posted: None,
    };
    v.push(encode(&staff(&op, enter)));
    v.push(encode(&staff(&ver, StaffAct::Verify { protocol })));
    v.push(fixed);
    let reason = |t: &str| commitment(&salt, t);
    v.push(encode(&staff(&obs, StaffAct::Complain)));
    let complaint = v.len() as u64;
    v.push(encode(&Entry::Complaint(Complaint {
        unit: UnitId(2),
        by: obs.clone(),
        text: reason("ballots stuffed"),
        scan: None,
        category: None,
    })));
    v.push(encode(&staff("chair", StaffAct::Decide)));
    let recount = v.len() as u64;
    v.push(encode(&Entry::Decision(Decision::Recount {
        unit: UnitId(2),
        reason: reason("recount"),
    })));
    v.push(encode(&Entry::Decision(Decision::AnnulUnit {
        unit: UnitId(4),
        reason: reason("annulled"),
    })));
    v.push(encode(&Entry::Keys {
        log: vec!["tallyproof.test/t+01234567+AQ".into()],
        witnesses: Vec::new(),
    }));
    for contest in [0, 1] {
        let p = published(&v, contest, Stage::Preliminary);
        v.push(encode(&p));
    }
    let audit = |step: AuditStep| encode(&Entry::Audit(step));
    v.push(encode(&staff("auditor", StaffAct::Audit)));
    for (name, method) in [("p", AuditMethod::Polling), ("b", AuditMethod::Batch)] {
        v.push(audit(AuditStep::Start {
            audit: name.into(),
            contest: 0,
            law: "kg2020".into(),
            base: None,
            method,
            risk_limit: "5".into(),
            seed: "12345".into(),
            ballots: 100,
            cvrs: None,
        }));
        v.push(audit(AuditStep::Manifest {
            audit: name.into(),
            batches: vec![(2, 50), (3, 50)],
        }));
        v.push(audit(AuditStep::Round {
            audit: name.into(),
            round: 1,
            size: 3,
        }));
    }
    v.push(audit(AuditStep::Readings {
        audit: "p".into(),
        round: 1,
        readings: vec![(1, None, Some(0)), (2, None, Some(1)), (3, None, None)],
    }));
    v.push(audit(AuditStep::Round {
        audit: "p".into(),
        round: 2,
        size: 2,
    }));
    v.push(audit(AuditStep::Readings {
        audit: "p".into(),
        round: 2,
        readings: vec![(4, None, Some(1)), (5, None, Some(0))],
    }));
    v.push(audit(AuditStep::Escalate { audit: "p".into() }));
    v.push(audit(AuditStep::Counts {
        audit: "b".into(),
        round: 1,
        counts: vec![(2, vec![30, 20], 50), (3, vec![10, 40], 50)],
    }));
    v.push(encode(&staff("chair", StaffAct::Decide)));
    v.push(encode(&Entry::Decision(Decision::Revote {
        unit: UnitId(3),
        reason: reason("re-vote"),
    })));
    // The complaint upheld, answered by the recount: none is open at the certification.
    v.push(encode(&staff("chair", StaffAct::Review)));
    v.push(encode(&Entry::Review(Review {
        complaint,
        status: ComplaintStatus::Upheld,
        reason: reason("upheld: recounted"),
        decision: Some(recount),
    })));
    let p = published(&v, 0, Stage::Final);
    v.push(encode(&staff("chair", StaffAct::Certify { reason: None })));
    v.push(encode(&p));
    v.push(encode(&staff(&obs, StaffAct::Complain)));
    v.push(encode(&Entry::Complaint(Complaint {
        unit: UnitId(1),
        by: obs.clone(),
        text: reason("after the fact"),
        scan: Some(reason("sha256:00")),
        category: None,
    })));
    // An observer group's quick count of the three stations (revision 7): two drawn, one
    // reserve, one report.
    let stations = vec![(UnitId(2), 120), (UnitId(3), 80), (UnitId(4), 100)];
    let frame = pvt::frame::Frame::listed(&e, 0, &stations, None).unwrap();
    let params = pvt::design::Params {
        method: pvt::select::Method::Random,
        allocation: pvt::allocation::Allocation::Stations,
        sample: 2,
        reserve_pct: 50,
        seed_sha256: sampler::sha256_hex("quick"),
    };
    let mut d = pvt::design::Design::of_params(&frame, &params).unwrap();
    d.reveal(&frame, "quick").unwrap();
    let drawn = frame
        .stations
        .iter()
        .find(|s| s.id == d.stations[0].station)
        .unwrap();
    let mut copy = Protocol::new(drawn.unit, 0, 0);
    copy.set_line(Line::Registered, drawn.counts.registered);
    copy.set_line(Line::IssuedTotal, 60);
    copy.votes = vec![30, 25];
    let qc = |step: PvtStep| {
        [
            encode(&Entry::Staff(Staff::at(
                &obs,
                StaffAct::QuickCount,
                record::Time::from_unix(1_796_278_234).unwrap(),
            ))),
            encode(&Entry::Pvt(step)),
        ]
    };
    let name = || "observers 2020".to_string();
    v.extend(qc(PvtStep::Frame {
        pvt: name(),
        stations,
    }));
    v.extend(qc(PvtStep::Design {
        pvt: name(),
        contest: 0,
        level: None,
        params,
        frame: frame.digest(),
    }));
    v.extend(qc(PvtStep::Seed {
        pvt: name(),
        seed: "quick".into(),
    }));
    v.extend(qc(PvtStep::Report {
        pvt: name(),
        protocol: Box::new(copy),
        code: None,
    }));
    v
}
