//! The staff workflow through the store: the two-person rule, stale entries, acts and their
//! staff entries, all checked again by replaying the log.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod common;

use common::now;

use model::{Election, Protocol, UnitId, UnitLevel};
use record::{encode, replay, Complaint, Entry, Role, StaffAct};
use store::{SqlStore, Staffing, Store, StoreError, User};

/// The PHC string of the second half of a one-time password, which an approval gives.
const SECOND: &str = "$argon2id$second-half";

fn setups() -> Vec<(SqlStore, Election, Vec<Protocol>)> {
    common::stores().into_iter().map(setup).collect()
}

fn setup(mut store: SqlStore) -> (SqlStore, Election, Vec<Protocol>) {
    let (e, ps) = import_as(&mut store, "s");
    (store, e, ps)
}

fn import_as(store: &mut SqlStore, name: &str) -> (Election, Vec<Protocol>) {
    let p = synth::Params {
        stations: 30,
        parties: 4,
        regions: 2,
        stations_per_district: 5,
        seed: 5,
    };
    let mut ps = Vec::new();
    let (mut e, _) = synth::generate(&p, |_, x| ps.push(x)).unwrap();
    e.name = name.into();
    let mut tx = store.import().unwrap();
    tx.begin(&e, "test").unwrap();
    for p in &ps {
        tx.protocol(&e, p).unwrap();
    }
    tx.units(&e).unwrap();
    tx.commit(&e).unwrap();
    (e, ps)
}

/// A user of every election; an operator is assigned the whole country of "s".
fn user(s: &mut SqlStore, name: &str, role: Role) -> User {
    let u = unassigned(s, name, role);
    if role == Role::Operator {
        s.assign(u.id, "s", UnitId(0), None, now()).unwrap();
    }
    u
}

fn unassigned(s: &mut SqlStore, name: &str, role: Role) -> User {
    s.add_user(
        name,
        role,
        "$argon2id$not-checked-here",
        &[name.len() as u8; 32],
        None,
        now(),
    )
    .unwrap()
}

fn replays(s: &SqlStore) -> record::Replayed {
    let log = s.log("s").unwrap();
    replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .unwrap()
}

#[test]
fn an_entered_protocol_counts_only_once_a_second_person_verifies_it() {
    for (mut s, e, ps) in setups() {
        let op = user(&mut s, "olga", Role::Operator);
        let op2 = user(&mut s, "oleg", Role::Operator);
        let ver = user(&mut s, "vera", Role::Verifier);
        let mut p = ps[4].clone();
        // Ten votes moved from the second party to the first: the sums still hold.
        p.votes[0] += 10;
        p.votes[1] -= 10;
        let pending = s.enter("s", &p, &op, None, now()).unwrap();
        assert_eq!(pending.protocol.version, 2);
        // Not counted yet.
        assert_eq!(s.history("s", p.station, 0).unwrap().len(), 1);
        assert_eq!(s.pending("s").unwrap().len(), 1);
        // The operator cannot verify (wrong role), nor can another operator.
        assert!(matches!(
            s.verify("s", pending.id, &op, now()),
            Err(StoreError::Refused(_))
        ));
        assert!(matches!(
            s.verify("s", pending.id, &op2, now()),
            Err(StoreError::Refused(_))
        ));
        assert_eq!(s.verify("s", pending.id, &ver, now()).unwrap(), 2);
        let h = s.history("s", p.station, 0).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].votes[0], ps[4].votes[0] + 10);
        assert!(s.pending("s").unwrap().is_empty());
        // Verified once only.
        assert!(matches!(
            s.verify("s", pending.id, &ver, now()),
            Err(StoreError::Refused(_))
        ));
        let r = replays(&s);
        assert_eq!(
            r.staff,
            3 + 2 + 2,
            "a grant per user, an assignment per operator, the entry and the verification"
        );
        assert_eq!(
            r.protocols
                .iter()
                .find(|q| q.station == p.station)
                .unwrap()
                .votes[0],
            ps[4].votes[0] + 10
        );
        // The user's name can be opened from the stored content.
        let contents = s.contents("s").unwrap();
        assert!(contents
            .iter()
            .any(|c| c.commitment == op.commitment && c.text == "olga"));
        let _ = e;
    }
}

#[test]
fn a_stale_entry_is_refused_and_a_rejected_one_never_counts() {
    for (mut s, _e, ps) in setups() {
        let op = user(&mut s, "olga", Role::Operator);
        let ver = user(&mut s, "vera", Role::Verifier);
        let a = s.enter("s", &ps[0], &op, None, now()).unwrap();
        // The same person keys the same protocol once while it waits (issue 17); another may.
        let twice = s.enter("s", &ps[0], &op, None, now()).unwrap_err();
        assert!(
            twice
                .to_string()
                .contains("entered this very protocol already"),
            "{twice}"
        );
        let op2 = user(&mut s, "oleg", Role::Operator);
        let b = s.enter("s", &ps[0], &op2, None, now()).unwrap();
        assert_eq!((a.protocol.version, b.protocol.version), (2, 2));
        s.verify("s", a.id, &ver, now()).unwrap();
        let err = s.verify("s", b.id, &ver, now()).unwrap_err();
        assert!(err.to_string().contains("changed since"), "{err}");
        let (_, why) = record::committed(&[3; 32], "entered twice");
        s.reject("s", b.id, &ver, Some(&why), now()).unwrap();
        // The reason is stored to be read, and logged as a commitment.
        assert!(s.contents("s").unwrap().contains(&why));
        assert_eq!(
            s.pending_one("s", b.id).unwrap().state,
            store::PendingState::Rejected
        );
        assert_eq!(s.history("s", ps[0].station, 0).unwrap().len(), 2);
        assert_eq!(
            replays(&s).staff,
            3 + 2 + 4,
            "a grant per user, an assignment per operator, two entries, a verification and a rejection"
        );
    }
}

/// Protocol intake's rules are the store's as the replay's (issue 17): a protocol that breaks
/// an error-level control relation waits for a commissioner's override; under blind double
/// entry it waits for a second keying or a commissioner's resolution; a complaint moves
/// forward only, and certification waits for open complaints or gives a reason.
#[test]
fn quarantine_double_entry_and_the_complaint_register() {
    use record::{ComplaintStatus, Review};
    use store::{Act, Actor};
    for (mut s, _e, ps) in setups() {
        let op = user(&mut s, "olga", Role::Operator);
        let op2 = user(&mut s, "oleg", Role::Operator);
        let ver = user(&mut s, "vera", Role::Verifier);
        let chair = user(&mut s, "chair", Role::Commissioner);
        let obs = user(&mut s, "obi", Role::Observer);
        // A reason for each act (each its own salt), and the act that gives it.
        let reason = |n: u8| record::committed(&[n; 32], "the protocol's copy says so");
        let chair_act = |s: &mut SqlStore, act: StaffAct, entries: &[Vec<u8>]| {
            let content: Vec<record::Content> = act
                .reason()
                .into_iter()
                .chain(
                    entries
                        .iter()
                        .filter_map(|b| match record::decode(0, b) {
                            Ok(Entry::Review(r)) => Some(r.reason),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                )
                .filter_map(|c| {
                    (1..=9)
                        .map(reason)
                        .find(|(k, _)| k == c)
                        .map(|(_, row)| row)
                })
                .collect();
            let a = Act {
                content: &content,
                ..Act::of(act, entries, now())
            };
            s.act("s", Actor::User(&chair), a)
        };
        // Quarantined: the votes add up to more than the valid ballots.
        let mut bad = ps[1].clone();
        bad.votes[0] += 100;
        let q = s.enter("s", &bad, &op, None, now()).unwrap();
        let err = s.verify("s", q.id, &ver, now()).unwrap_err().to_string();
        assert!(
            err.contains("quarantined: it breaks the control relation 'error: choices = valid'"),
            "{err}"
        );
        let over = StaffAct::Override {
            protocol: q.digest.clone(),
            reason: reason(1).0,
        };
        chair_act(&mut s, over, &[]).unwrap();
        assert_eq!(s.verify("s", q.id, &ver, now()).unwrap(), 2);
        // An override of what no longer waits is refused, logging nothing.
        let size = s.log("s").unwrap().len();
        let again = StaffAct::Override {
            protocol: q.digest.clone(),
            reason: reason(6).0,
        };
        let err = chair_act(&mut s, again, &[]).unwrap_err().to_string();
        assert!(err.contains("not waiting"), "{err}");
        assert_eq!(s.log("s").unwrap().len(), size);
        // Blind double entry: one keying is not enough; two that match are.
        chair_act(&mut s, StaffAct::Intake { double: true }, &[]).unwrap();
        let one = s.enter("s", &ps[2], &op, None, now()).unwrap();
        let err = s.verify("s", one.id, &ver, now()).unwrap_err().to_string();
        assert!(err.contains("second operator"), "{err}");
        // Nothing to resolve while no keying differs: a commissioner cannot skip the second.
        let skip = StaffAct::Resolve {
            protocol: one.digest.clone(),
            reason: reason(7).0,
        };
        let err = chair_act(&mut s, skip, &[]).unwrap_err().to_string();
        assert!(err.contains("chooses between keyings that differ"), "{err}");
        let two = s.enter("s", &ps[2], &op2, None, now()).unwrap();
        assert_eq!(one.digest, two.digest);
        s.verify("s", one.id, &ver, now()).unwrap();
        assert_eq!(
            s.pending_one("s", two.id).unwrap().state,
            store::PendingState::Verified
        );
        // A mismatch goes to a commissioner, who chooses one.
        let a = s.enter("s", &ps[3], &op, None, now()).unwrap();
        let mut other = ps[3].clone();
        other.votes.swap(0, 1);
        let b = s.enter("s", &other, &op2, None, now()).unwrap();
        assert!(s.verify("s", a.id, &ver, now()).is_err());
        let resolve = StaffAct::Resolve {
            protocol: a.digest.clone(),
            reason: reason(2).0,
        };
        chair_act(&mut s, resolve, &[]).unwrap();
        s.verify("s", a.id, &ver, now()).unwrap();
        assert_eq!(
            s.pending_one("s", b.id).unwrap().state,
            store::PendingState::Entered
        );
        // The register: a complaint, reviewed forward only; certification waits for it.
        let (c, rows) = record::complaint_act(
            ps[0].station,
            Some(record::ComplaintCategory::Count),
            "obi",
            "the figures on the door differ",
            None,
            &mut || [5; 32],
        )
        .unwrap();
        let entry = encode(&Entry::Complaint(c));
        let filed = Act {
            content: &rows,
            ..Act::of(StaffAct::Complain, std::slice::from_ref(&entry), now())
        };
        let at = s.act("s", Actor::User(&obs), filed).unwrap() - 1;
        let review = |status, decision, n| {
            encode(&Entry::Review(Review {
                complaint: at,
                status,
                reason: reason(n).0,
                decision,
            }))
        };
        // A certification: every contest's final publication over what the log counts.
        let certify = |s: &mut SqlStore| {
            let r = replays(s);
            let (e, ps, annulled) = (&r.election, &r.protocols, &r.annulled);
            let stage = record::Stage::Final;
            let pa = record::publication_act(e, ps, annulled, stage, None, None, None).unwrap();
            chair_act(s, pa.act, &pa.entries)
        };
        let err = certify(&mut s).unwrap_err().to_string();
        assert!(err.contains("1 complaint(s) still open"), "{err}");
        let wrong = chair_act(
            &mut s,
            StaffAct::Review,
            &[review(ComplaintStatus::Upheld, Some(at), 3)],
        );
        assert!(wrong
            .unwrap_err()
            .to_string()
            .contains("is not a decision of this log"));
        chair_act(
            &mut s,
            StaffAct::Review,
            &[review(ComplaintStatus::Dismissed, None, 4)],
        )
        .unwrap();
        let again = chair_act(
            &mut s,
            StaffAct::Review,
            &[review(ComplaintStatus::Upheld, None, 5)],
        );
        assert!(again
            .unwrap_err()
            .to_string()
            .contains("that status is final"));
        certify(&mut s).unwrap();
        // Every act above replays.
        let r = replays(&s);
        assert_eq!(r.complaints, 1);
    }
}

/// The assignment rule is the store's (it was the service's alone, issue 14): an operator
/// enters protocols only for stations in or under a unit assigned to them; a refused entry
/// logs nothing, whoever calls the store.
#[test]
fn an_operator_enters_only_in_the_units_assigned_to_them() {
    for (mut s, e, ps) in setups() {
        let op = unassigned(&mut s, "oskar", Role::Operator);
        let p = &ps[0];
        let refused = |s: &mut SqlStore| match s.enter("s", p, &op, None, now()) {
            Err(StoreError::NotAssigned(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(&mut s),
            format!(
                "station {} is not in the units assigned to you",
                p.station.0
            )
        );
        // Another station's unit does not cover it; its own region does.
        let other = ps.iter().find(|q| q.station != p.station).unwrap().station;
        s.assign(op.id, "s", other, None, now()).unwrap();
        let size = s.log("s").unwrap().len();
        refused(&mut s);
        assert_eq!(s.log("s").unwrap().len(), size);
        let region = e.units.get(p.station).parent.unwrap();
        s.assign(op.id, "s", region, None, now()).unwrap();
        assert!(s.enter("s", p, &op, None, now()).is_ok());
    }
}

#[test]
fn an_entry_must_fit_the_election_and_a_refused_one_logs_nothing() {
    for (mut s, e, ps) in setups() {
        let op = user(&mut s, "olga", Role::Operator);
        let size = s.log("s").unwrap().len();
        let region = e
            .units
            .iter()
            .find(|(_, u)| u.level == UnitLevel::Region)
            .unwrap()
            .0;
        let mut p = ps[0].clone();
        p.station = region;
        assert!(matches!(
            s.enter("s", &p, &op, None, now()),
            Err(StoreError::BadCorrection(_))
        ));
        let mut p = ps[0].clone();
        p.votes.pop();
        assert!(matches!(
            s.enter("s", &p, &op, None, now()),
            Err(StoreError::BadCorrection(_))
        ));
        let missing = store::FileRef::parse(&"0".repeat(64)).unwrap();
        assert!(matches!(
            s.enter("s", &ps[0], &op, Some(&missing), now()),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(s.log("s").unwrap().len(), size);
        // A scan is what its bytes are: a page is refused, whatever its uploader declares.
        assert!(matches!(
            s.put_scan(&op, b"<html><script>alert(1)</script></html>"),
            Err(StoreError::BadFile(_))
        ));
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../server/tests/data/scans/scan.pdf"
        ))
        .unwrap();
        let scan = s.put_scan(&op, &bytes).unwrap();
        let p = s.enter("s", &ps[0], &op, Some(&scan), now()).unwrap();
        assert_eq!(p.scan, Some(scan.to_string()));
        let stored = s.scan(&scan).unwrap().unwrap();
        assert_eq!(
            (stored.media, stored.bytes),
            (Some(store::Media::Pdf), bytes)
        );
    }
}

#[test]
fn official_acts_are_attributed_and_need_their_role() {
    for (mut s, _e, _ps) in setups() {
        let obs = user(&mut s, "oksana", Role::Observer);
        let com = user(&mut s, "kamila", Role::Commissioner);
        let entry = encode(&Entry::Complaint(Complaint {
            unit: UnitId(1),
            by: obs.commitment.clone(),
            text: "c".repeat(64),
            scan: None,
            category: None,
        }));
        fn act(entry: &Vec<u8>) -> store::Act<'_> {
            store::Act {
                act: StaffAct::Complain,
                entries: std::slice::from_ref(entry),
                content: &[],
                files: &[],
                at: None,
                time: now(),
            }
        }
        assert!(matches!(
            s.act("s", store::Actor::User(&com), act(&entry)),
            Err(StoreError::Refused(_))
        ));
        let before = s.log("s").unwrap().len() as u64;
        assert_eq!(
            s.act("s", store::Actor::User(&obs), act(&entry)).unwrap(),
            before + 2
        );
        let r = replays(&s);
        assert_eq!(
            (r.complaints, r.staff),
            (1, 2 + 1),
            "a grant per user, the complaint"
        );
        // An act computed at an older log size is refused, and logs nothing.
        let stale = store::Act {
            at: Some(before),
            ..act(&entry)
        };
        assert!(matches!(
            s.act("s", store::Actor::User(&obs), stale),
            Err(StoreError::Stale { at, size }) if at == before && size == before + 2
        ));
        assert_eq!(s.log("s").unwrap().len() as u64, before + 2);
        // An act carries only its own entries: a complaint with a decision behind it, or a
        // complaint logged as a decision, is refused and logs nothing.
        let decision = encode(&Entry::Decision(record::Decision::AnnulElection {
            reason: "d".repeat(64),
        }));
        let two = [entry.clone(), decision.clone()];
        for (kind, entries) in [
            (StaffAct::Complain, &two[..]),
            (StaffAct::Decide, &two[..1]),
        ] {
            let by = if kind == StaffAct::Complain {
                &obs
            } else {
                &com
            };
            let e = s
                .act(
                    "s",
                    store::Actor::User(by),
                    store::Act {
                        act: kind.clone(),
                        entries,
                        ..act(&entry)
                    },
                )
                .unwrap_err();
            assert!(
                matches!(&e, StoreError::Refused(m) if m.contains(&format!("the '{}' act logs", kind.key()))),
                "{e}"
            );
        }
        assert_eq!(s.log("s").unwrap().len() as u64, before + 2);
    }
}

#[test]
fn api_tokens_expire_and_their_owner_lists_and_revokes_them() {
    // Issue 13, finding 10.
    for (mut s, _e, _ps) in setups() {
        let a = user(&mut s, "adil", Role::Admin);
        let b = user(&mut s, "bota", Role::Verifier);
        s.add_token("ta", a.id, "script", 10, 100).unwrap();
        s.add_token("tb", a.id, "backup", 20, 200).unwrap();
        s.add_token("tc", b.id, "hers", 10, 100).unwrap();
        // Valid until it expires, not at or after.
        assert_eq!(s.token_user("ta", 99).unwrap(), Some(a.clone()));
        assert_eq!(s.token_user("ta", 100).unwrap(), None);
        assert_eq!(s.token_user("tb", 150).unwrap(), Some(a.clone()));
        // Each lists their own.
        let listed: Vec<(String, String, i64, i64)> = s
            .tokens(a.id)
            .unwrap()
            .into_iter()
            .map(|t| (t.id, t.label, t.created, t.expires))
            .collect();
        assert_eq!(
            listed,
            [
                ("ta".to_string(), "script".to_string(), 10, 100),
                ("tb".to_string(), "backup".to_string(), 20, 200)
            ]
        );
        assert_eq!(s.tokens(b.id).unwrap().len(), 1);
        // One revokes only their own.
        assert!(matches!(
            s.revoke_token(a.id, "tc"),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(s.token_user("tc", 50).unwrap(), Some(b.clone()));
        s.revoke_token(a.id, "ta").unwrap();
        assert_eq!(s.token_user("ta", 50).unwrap(), None);
        assert!(matches!(
            s.revoke_token(a.id, "ta"),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(s.revoke_tokens(a.id).unwrap(), 1);
        assert!(s.tokens(a.id).unwrap().is_empty());
        assert_eq!(s.token_user("tc", 50).unwrap(), Some(b));
    }
}

#[test]
fn users_sessions_and_tokens() {
    for (mut s, _e, _ps) in setups() {
        let u = user(&mut s, "adil", Role::Admin);
        assert!(matches!(
            s.add_user("adil", Role::Operator, "x", &[1; 32], None, now()),
            Err(StoreError::Refused(_))
        ));
        assert_eq!(s.user_by_name("adil").unwrap().unwrap().0, u);
        assert!(s.user_by_name("nobody").unwrap().is_none());
        s.start_session("h1", u.id, "csrf", 99).unwrap();
        let sess = s.session("h1").unwrap().unwrap();
        assert_eq!(
            (sess.user.name.as_str(), sess.csrf.as_str(), sess.expires),
            ("adil", "csrf", 99)
        );
        s.end_session("h1").unwrap();
        assert!(s.session("h1").unwrap().is_none());
        s.add_token("t1", u.id, "script", 10, 100).unwrap();
        assert_eq!(s.token_user("t1", 50).unwrap().unwrap().name, "adil");
        assert!(s.token_user("t2", 50).unwrap().is_none());
        // Users and assignments are logged: a grant per user in every election, an
        // assignment once; only an admin (or the console) makes them.
        let before = s.log("s").unwrap().len();
        let op = s
            .add_user("olga", Role::Operator, "x", &[2; 32], Some(&u), now())
            .unwrap();
        assert!(matches!(
            s.add_user("oleg", Role::Operator, "x", &[3; 32], Some(&op), now()),
            Err(StoreError::Refused(_))
        ));
        s.assign(op.id, "s", UnitId(1), Some(&u), now()).unwrap();
        s.assign(op.id, "s", UnitId(1), Some(&u), now()).unwrap();
        assert_eq!(s.assignments(op.id, "s").unwrap(), vec![UnitId(1)]);
        assert!(matches!(
            s.assign(op.id, "s", UnitId(9999), Some(&u), now()),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.assign(u.id, "s", UnitId(1), None, now()),
            Err(StoreError::Refused(_))
        ));
        assert!(matches!(
            s.assign(op.id, "s", UnitId(1), Some(&op), now()),
            Err(StoreError::Refused(_))
        ));
        let log = s.log("s").unwrap();
        let added: Vec<record::Staff> = log[before..]
            .iter()
            .map(|b| match record::decode(0, b).unwrap() {
                Entry::Staff(x) => x,
                other => panic!("not a staff entry: {other:?}"),
            })
            .collect();
        assert_eq!(added.len(), 2);
        assert_eq!(
            added[0].act,
            StaffAct::Grant {
                user: op.commitment.clone(),
                role: Role::Operator
            }
        );
        assert_eq!(
            (added[0].user.as_str(), added[1].user.as_str()),
            (u.commitment.as_str(), u.commitment.as_str())
        );
        assert_eq!(
            added[1].act,
            StaffAct::Assign {
                user: op.commitment.clone(),
                unit: UnitId(1)
            }
        );
        assert_eq!(
            replays(&s).staff,
            3,
            "the admin's grant, then olga's grant and assignment"
        );
    }
}

#[test]
fn a_batch_commits_its_writes_together_and_undoes_a_refused_one_alone() {
    for (mut s, _e, ps) in setups() {
        let op = user(&mut s, "olga", Role::Operator);
        let ver = user(&mut s, "vera", Role::Verifier);
        let before = s.log("s").unwrap().len();
        let mut results: Vec<Result<i64, StoreError>> = Vec::new();
        s.batch(|st| {
            results.push(st.enter("s", &ps[0], &op, None, now()).map(|p| p.id));
            // Refused (the scan was never uploaded): undone alone.
            results.push(
                st.enter(
                    "s",
                    &ps[1],
                    &op,
                    Some(&store::FileRef::parse(&"0".repeat(64)).unwrap()),
                    now(),
                )
                .map(|p| p.id),
            );
            // A later write of the batch sees the earlier ones.
            let id = *results[0].as_ref().unwrap();
            results.push(st.verify("s", id, &ver, now()).map(i64::from));
            true
        })
        .unwrap();
        assert!(results[0].is_ok(), "{:?}", results[0]);
        assert!(matches!(results[1], Err(StoreError::NotFound(_))));
        assert_eq!(results[2].as_ref().ok(), Some(&2));
        // The entry, the verification and the protocol; nothing of the refused one.
        assert_eq!(s.log("s").unwrap().len(), before + 3);
        assert!(s.pending("s").unwrap().is_empty());
        assert_eq!(s.entries("s").unwrap().len(), 1);
        assert_eq!(
            replays(&s).staff,
            2 + 1 + 2,
            "grants, the assignment, the acts"
        );
        // A batch abandoned halfway stores nothing.
        let size = s.log("s").unwrap().len();
        let undone = s.batch(|st| {
            st.enter("s", &ps[2], &op, None, now()).unwrap();
            false
        });
        assert!(matches!(undone, Err(StoreError::Refused(_))));
        assert_eq!(s.log("s").unwrap().len(), size);
        assert_eq!(s.entries("s").unwrap().len(), 1);
    }
}

/// Issue 17: an admin disables a user, who can no longer log in or use a session or token;
/// an admin resets a password, and the account waits for a second admin's approval.
#[test]
fn a_disabled_user_cannot_log_in_and_a_reset_waits_for_a_second_admin() {
    for (mut s, _e, _ps) in setups() {
        let op = user(&mut s, "olga", Role::Operator);
        let adil = user(&mut s, "adil", Role::Admin);
        let asel = user(&mut s, "asel", Role::Admin);
        s.start_session("h-olga", op.id, "c", i64::MAX).unwrap();
        s.add_token("t-olga", op.id, "phone", 0, i64::MAX).unwrap();
        // A reset by an admin: the old sessions and tokens go, the account waits.
        let reset = s
            .reset_password("olga", "$argon2id$new", Some(&adil))
            .unwrap();
        assert!(reset.pending && reset.must_change);
        let listed = |s: &SqlStore, name: &str| {
            s.users()
                .unwrap()
                .into_iter()
                .find(|u| u.name == name)
                .unwrap()
        };
        // The approving admin sees who reset it.
        assert_eq!(
            listed(&s, "olga").awaiting,
            Some(store::Awaiting {
                by: "adil".into(),
                reset: true
            })
        );
        assert!(s.session("h-olga").unwrap().is_none());
        assert!(s.token_user("t-olga", 1).unwrap().is_none());
        assert!(s.user_by_name("olga").unwrap().is_none());
        // Not approved by the admin who reset it; by another, with the new password.
        let own = s
            .approve_user("olga", Some(&adil), Some(SECOND), now())
            .unwrap_err();
        assert!(own.to_string().contains("two-person rule"), "{own}");
        s.approve_user("olga", Some(&asel), Some(SECOND), now())
            .unwrap();
        let (back, phc) = s.user_by_name("olga").unwrap().unwrap();
        assert_eq!((back.id, phc.phc.as_str()), (op.id, "$argon2id$new"));
        assert_eq!(back.awaiting, None);
        // The one-time password is replaced by the user's own at the login; with it, every
        // other session ends.
        assert!(back.must_change);
        // Until then, no session or API token works for it.
        let token = s.add_token("t-olga-otp", op.id, "phone", 0, i64::MAX);
        assert!(token.unwrap_err().to_string().contains("one-time password"));
        s.start_session("h-olga-otp", op.id, "c", i64::MAX).unwrap();
        assert!(s.session("h-olga-otp").unwrap().is_none());
        s.choose_password(op.id, "$argon2id$own").unwrap();
        s.start_session("h-olga-own", op.id, "c", i64::MAX).unwrap();
        assert!(s.session("h-olga-own").unwrap().is_some());
        let (back, phc) = s.user_by_name("olga").unwrap().unwrap();
        assert_eq!(
            (back.must_change, phc.phc.as_str()),
            (false, "$argon2id$own")
        );
        // The console's reset is no one-time password: its operator hands out no password
        // another admin approves.
        s.reset_password("olga", "$argon2id$console", None).unwrap();
        assert!(!s.user_by_name("olga").unwrap().unwrap().0.must_change);
        // An account an admin adds waits on them, with a one-time password.
        let added = s
            .add_user(
                "nurlan",
                Role::Verifier,
                "$argon2id$x",
                &[9; 32],
                Some(&adil),
                now(),
            )
            .unwrap();
        assert!(added.must_change);
        assert_eq!(
            listed(&s, "nurlan").awaiting,
            Some(store::Awaiting {
                by: "adil".into(),
                reset: false
            })
        );
        // An admin resets or disables no account of their own.
        assert!(s.reset_password("adil", "x", Some(&adil)).is_err());
        assert!(s.disable_user("adil", Some(&adil)).is_err());
        assert!(
            s.disable_user("olga", Some(&op)).is_err(),
            "an operator is no admin"
        );
        // Disabled: no login, no session, no token; listed as disabled; once only.
        s.start_session("h-olga-2", op.id, "c", i64::MAX).unwrap();
        let off = s.disable_user("olga", Some(&adil)).unwrap();
        assert!(off.disabled);
        assert!(s.user_by_name("olga").unwrap().is_none());
        assert!(s.session("h-olga-2").unwrap().is_none());
        assert!(s
            .users()
            .unwrap()
            .iter()
            .any(|u| u.name == "olga" && u.disabled));
        assert!(s
            .disable_user("olga", None)
            .unwrap_err()
            .to_string()
            .contains("already"));
        // Their acts stay: the log still replays.
        replays(&s);
    }
}

/// Issue 17, hostile review: an admin of one election resets or disables no account whose
/// role applies in another (a takeover of that election's verifier), and never disables the
/// last other admin.
#[test]
fn an_admin_reaches_only_accounts_of_their_elections_and_keeps_another_admin() {
    for (mut s, _e, _ps) in setups() {
        import_as(&mut s, "t");
        let adil = user(&mut s, "adil", Role::Admin);
        let add_in = |s: &mut SqlStore, name: &str, role: Role, e: &str| {
            s.add_user_in(
                name,
                role,
                "$argon2id$x",
                &[7; 32],
                None,
                Some(&[e.to_string()]),
                now(),
            )
            .unwrap()
        };
        let local = add_in(&mut s, "timur", Role::Admin, "t");
        add_in(&mut s, "vera", Role::Verifier, "s");
        for refused in [
            s.reset_password("vera", "$argon2id$y", Some(&local))
                .unwrap_err(),
            s.disable_user("vera", Some(&local)).unwrap_err(),
            s.disable_user("adil", Some(&local)).unwrap_err(),
        ] {
            assert!(
                refused
                    .to_string()
                    .contains("holds a role in the election 's'"),
                "{refused}"
            );
        }
        assert!(!listed_pending(&s, "vera"));
        // An account of no election yet is every election's concern; an admin grants roles,
        // adds users and approves only where they are one.
        s.add_user_in(
            "gulnara",
            Role::Admin,
            "$argon2id$x",
            &[8; 32],
            None,
            Some(&[]),
            now(),
        )
        .unwrap();
        let none = s
            .reset_password("gulnara", "$argon2id$y", Some(&local))
            .unwrap_err();
        assert!(none.to_string().contains("holds no election yet"), "{none}");
        let grant = s.grant("gulnara", "s", Some(&local), now()).unwrap_err();
        assert!(
            grant.to_string().contains("no admin in the election 's'"),
            "{grant}"
        );
        let add = s
            .add_user_in(
                "pavel",
                Role::Verifier,
                "$argon2id$x",
                &[6; 32],
                Some(&local),
                Some(&["s".to_string()]),
                now(),
            )
            .unwrap_err();
        assert!(
            add.to_string().contains("no admin in the election 's'"),
            "{add}"
        );
        s.add_user_in(
            "pavel",
            Role::Verifier,
            "$argon2id$x",
            &[6; 32],
            Some(&adil),
            Some(&["s".to_string()]),
            now(),
        )
        .unwrap();
        let approve = s
            .approve_user("pavel", Some(&local), Some(SECOND), now())
            .unwrap_err();
        assert!(
            approve
                .to_string()
                .contains("holds a role in the election 's'"),
            "{approve}"
        );
        // An admin of every election reaches them.
        s.reset_password("vera", "$argon2id$y", Some(&adil))
            .unwrap();
        // Two admins: neither disables the other; with a third, one may.
        s.disable_user("timur", None).unwrap();
        s.disable_user("gulnara", None).unwrap();
        let asel = user(&mut s, "asel", Role::Admin);
        let last = s.disable_user("asel", Some(&adil)).unwrap_err();
        assert!(
            last.to_string().contains("only other active admin"),
            "{last}"
        );
        user(&mut s, "aibek", Role::Admin);
        s.disable_user("asel", Some(&adil)).unwrap();
        assert!(s
            .users()
            .unwrap()
            .iter()
            .any(|u| u.id == asel.id && u.disabled));
    }
}

fn listed_pending(s: &SqlStore, name: &str) -> bool {
    s.users()
        .unwrap()
        .iter()
        .any(|u| u.name == name && u.pending)
}

/// Issue 13, finding 7: one admin made `mallory-op` and `mallory-ver` and entered and
/// verified a protocol alone. A user an admin adds holds no role until a second admin (or
/// the console) approves; the admin who added them cannot.
#[test]
fn one_admin_alone_cannot_make_an_operator_and_a_verifier_who_act() {
    for (mut s, _e, ps) in setups() {
        let adil = user(&mut s, "adil", Role::Admin);
        let asel = user(&mut s, "asel", Role::Admin);
        let add = |s: &mut SqlStore, name: &str, role: Role, by: &User| {
            s.add_user(
                name,
                role,
                "x",
                &[name.len() as u8 + 7; 32],
                Some(by),
                now(),
            )
            .unwrap()
        };
        let op = add(&mut s, "mallory-op", Role::Operator, &adil);
        let ver = add(&mut s, "mallory-ver", Role::Verifier, &adil);
        let adm = add(&mut s, "mallory-adm", Role::Admin, &adil);
        assert!(op.pending && ver.pending && adm.pending);
        // Pending: no login, no session, no token, no admin act.
        for u in [&op, &ver] {
            assert!(s.user_by_name(&u.name).unwrap().is_none());
            s.start_session(&format!("s-{}", u.id), u.id, "c", i64::MAX)
                .unwrap();
            assert!(s.session(&format!("s-{}", u.id)).unwrap().is_none());
            // A one-time password: no token is made for it.
            assert!(s
                .add_token(&format!("t-{}", u.id), u.id, "script", 0, i64::MAX)
                .is_err());
        }
        assert!(matches!(
            s.approve_user("mallory-op", Some(&adm), Some(SECOND), now()),
            Err(StoreError::Refused(_))
        ));
        // The admin who made the grant cannot approve it.
        let own = s
            .approve_user("mallory-op", Some(&adil), Some(SECOND), now())
            .unwrap_err();
        assert!(own.to_string().contains("two-person rule"), "{own}");
        assert!(s.user_by_name("mallory-op").unwrap().is_none());
        // A second admin can; the console can.
        let before = s.log("s").unwrap().len();
        let (approved, halved) = s
            .approve_user("mallory-op", Some(&asel), Some(SECOND), now())
            .unwrap();
        assert!(
            !approved.pending && halved,
            "the approval gave the second half"
        );
        let (found, stored) = s.user_by_name("mallory-op").unwrap().unwrap();
        assert_eq!((found.id, stored.second.as_deref()), (op.id, Some(SECOND)));
        // Once they chose their own password, a token works.
        s.choose_password(op.id, "$argon2id$own").unwrap();
        s.add_token(&format!("t-{}", op.id), op.id, "script", 0, i64::MAX)
            .unwrap();
        assert!(s.token_user(&format!("t-{}", op.id), 1).unwrap().is_some());
        assert_eq!(
            s.user_by_name("mallory-op").unwrap().unwrap().1.second,
            None
        );
        assert!(matches!(
            s.approve_user("mallory-op", Some(&asel), Some(SECOND), now()),
            Err(StoreError::Refused(_))
        ));
        s.approve_user("mallory-ver", None, Some(SECOND), now())
            .unwrap();
        let log = s.log("s").unwrap();
        let grants: Vec<(String, Option<String>)> = log[before..]
            .iter()
            .map(|b| match record::decode(0, b).unwrap() {
                Entry::Staff(x) => (x.user, x.act.subject().map(str::to_string)),
                other => panic!("not a staff entry: {other:?}"),
            })
            .collect();
        assert_eq!(
            grants,
            [
                (asel.commitment.clone(), Some(op.commitment.clone())),
                ("console".to_string(), Some(ver.commitment.clone())),
            ]
        );
        // Now two people made them, and the two-person rule on protocols still holds.
        let op = s.user_by_name("mallory-op").unwrap().unwrap().0;
        let ver = s.user_by_name("mallory-ver").unwrap().unwrap().0;
        s.assign(op.id, "s", UnitId(0), None, now()).unwrap();
        let mut p = ps[0].clone();
        let moved = p.votes[1];
        p.votes[0] += moved;
        p.votes[1] = 0;
        let pending = s.enter("s", &p, &op, None, now()).unwrap();
        s.verify("s", pending.id, &ver, now()).unwrap();
        replays(&s);
    }
}

/// Issue 13, finding 7: user names with a trailing space, a Cyrillic look-alike letter,
/// zero-width characters, a right-to-left override, a newline or NUL were accepted.
#[test]
fn unsafe_and_look_alike_user_names_are_refused() {
    for (mut s, _e, _ps) in setups() {
        user(&mut s, "operator", Role::Operator);
        for bad in [
            "operator ",
            "\u{43e}perator",
            "Operator",
            "OPERAT0R",
            "op\u{200B}erator",
            "\u{202E}rotarepo",
            "oper\nator",
            "oper\0ator",
            "«operator»",
            "",
        ] {
            let before = s.log("s").unwrap().len();
            let got = s.add_user(bad, Role::Verifier, "x", &[9; 32], None, now());
            assert!(
                matches!(got, Err(StoreError::Refused(_))),
                "{bad:?}: {got:?}"
            );
            assert_eq!(s.log("s").unwrap().len(), before, "{bad:?} logged nothing");
        }
        assert_eq!(s.users().unwrap().len(), 1);
        // A compatibility form is stored as its NFKC form, and found by either.
        let wide = user(&mut s, "ｖｅｒａ", Role::Verifier);
        assert_eq!(wide.name, "vera");
        assert_eq!(s.user_by_name("ｖｅｒａ").unwrap().unwrap().0.id, wide.id);
        let refused = s
            .add_user("\u{43e}perator", Role::Verifier, "x", &[9; 32], None, now())
            .unwrap_err();
        assert!(refused.to_string().contains("looks like"), "{refused}");
    }
}

/// Issue 13, finding 7: a commissioner's role applied to every election. A role applies only
/// in the elections it is granted in; an election stored later needs a grant, which an admin
/// makes and a second admin (or the console) approves.
#[test]
fn a_role_applies_only_in_the_elections_it_is_granted_in() {
    for (mut s, _e, _ps) in setups() {
        import_as(&mut s, "t");
        let adil = user(&mut s, "adil", Role::Admin);
        let asel = user(&mut s, "asel", Role::Admin);
        let only_s = ["s".to_string()];
        let com = s
            .add_user_in(
                "kamila",
                Role::Commissioner,
                "x",
                &[4; 32],
                None,
                Some(&only_s),
                now(),
            )
            .unwrap();
        let decision = |unit: u32| {
            encode(&Entry::Decision(record::Decision::Recount {
                unit: UnitId(unit),
                reason: "r".repeat(64),
            }))
        };
        let decide = |s: &mut SqlStore, election: &str, entry: &Vec<u8>| {
            s.act(
                election,
                store::Actor::User(&com),
                store::Act {
                    act: StaffAct::Decide,
                    entries: std::slice::from_ref(entry),
                    content: &[],
                    files: &[],
                    at: None,
                    time: now(),
                },
            )
        };
        let (d1, d2) = (decision(1), decision(2));
        decide(&mut s, "s", &d1).unwrap();
        let before = s.log("t").unwrap().len();
        let refused = decide(&mut s, "t", &d1).unwrap_err();
        assert!(
            refused.to_string().contains("holds no commissioner role"),
            "{refused}"
        );
        assert_eq!(
            s.log("t").unwrap().len(),
            before,
            "a refused act logs nothing"
        );
        // A grant an admin makes waits for a second admin.
        s.grant("kamila", "t", Some(&adil), now()).unwrap();
        assert_eq!(
            s.grants(com.id).unwrap(),
            [("s".to_string(), false), ("t".to_string(), true)]
        );
        assert!(decide(&mut s, "t", &d1).is_err());
        assert!(s
            .approve_user("kamila", Some(&adil), Some(SECOND), now())
            .unwrap_err()
            .to_string()
            .contains("two-person rule"));
        s.approve_user("kamila", Some(&asel), Some(SECOND), now())
            .unwrap();
        decide(&mut s, "t", &d2).unwrap();
        // The grant and its approval are in t's log, by two admins; s's log has neither.
        let grants = |e: &str| -> Vec<String> {
            s.log(e)
                .unwrap()
                .iter()
                .filter_map(|b| match record::decode(0, b).unwrap() {
                    Entry::Staff(x)
                        if matches!(&x.act, StaffAct::Grant { user, .. } if *user == com.commitment) =>
                    {
                        Some(x.user)
                    }
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            grants("t"),
            [adil.commitment.clone(), asel.commitment.clone()]
        );
        assert_eq!(grants("s"), ["console"]);
        // An election stored after a user was added is not theirs until granted.
        import_as(&mut s, "u");
        assert!(decide(&mut s, "u", &d1).is_err());
        s.grant("kamila", "u", None, now()).unwrap();
        decide(&mut s, "u", &d1).unwrap();
        assert!(matches!(
            s.grant("kamila", "u", None, now()),
            Err(StoreError::Refused(_))
        ));
    }
}

/// Issue 15: every staff entry carries the time its caller passed in, or the log's latest
/// staff time if that is later (a clock set back, a second server behind the first): the
/// log's times never decrease, and a replay takes them.
#[test]
fn a_staff_entry_carries_the_time_passed_in_and_never_an_earlier_one() {
    let at = |s: u64| record::Time::from_unix(s).unwrap();
    let t = now().unix();
    for (mut s, _, ps) in setups() {
        let op = user(&mut s, "oper", Role::Operator);
        let ver = user(&mut s, "veri", Role::Verifier);
        let before = s.log("s").unwrap().len();
        // Entered at t + 10, verified by a clock 100 seconds behind, rejected at t + 20.
        let a = s.enter("s", &ps[0], &op, None, at(t + 10)).unwrap();
        let b = s.enter("s", &ps[1], &op, None, at(t + 10)).unwrap();
        s.verify("s", a.id, &ver, at(t - 90)).unwrap();
        s.reject("s", b.id, &ver, None, at(t + 20)).unwrap();
        let log = s.log("s").unwrap();
        let times: Vec<(u8, Option<u64>)> = log[before..]
            .iter()
            .map(|b| match record::decode(0, b).unwrap() {
                Entry::Staff(x) => (b[0], x.time.map(record::Time::unix)),
                _ => (b[0], None),
            })
            .collect();
        assert_eq!(
            times,
            [
                (2, Some(t + 10)),
                (2, Some(t + 10)),
                (2, Some(t + 10)),
                (1, None),
                (2, Some(t + 20)),
            ]
        );
        let r = replays(&s);
        assert_eq!(r.as_of, Some(at(t + 20)));
    }
}
