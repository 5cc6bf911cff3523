//! Publication acts as both front doors build them (`record::publication_act`): a
//! preliminary publication and a certification of every contest, each after its staff entry,
//! replay; what the standing or the staff rules refuse is refused naming the entry.

use record::{encode, publication_act, replay, Entry, RecordError, StaffAct, Stage, Standing};

use crate::{full_log, run, staff};

const KEY: &str = "tallyproof.test/t+89abcdef+AQ";

/// The full log up to (not including) its certification: an open election of two contests.
fn open_log() -> Vec<Vec<u8>> {
    let mut v = full_log();
    let certify = encode(&staff("chair", StaffAct::Certify { reason: None }));
    let at = v.iter().rposition(|b| *b == certify).unwrap();
    v.truncate(at);
    v
}

/// `v` with the publication act at `stage` appended by `user`; the act's entry count.
fn publish(v: &mut Vec<Vec<u8>>, stage: Stage) -> Result<usize, RecordError> {
    let r = run(v)?;
    let law = Some("kg2020");
    let a = publication_act(
        &r.election,
        &r.protocols,
        &r.annulled,
        stage,
        law,
        r.keys.as_ref(),
        Some(KEY),
    )?;
    v.push(encode(&staff("chair", a.act)));
    v.extend(a.entries.iter().cloned());
    Ok(a.entries.len())
}

#[test]
fn a_preliminary_publication_and_a_certification_of_every_contest_replay() {
    let mut v = open_log();
    // Two contests, and the key is new: two publications and a keys entry.
    assert_eq!(publish(&mut v, Stage::Preliminary).unwrap(), 3);
    let r = run(&v).unwrap();
    assert_eq!(
        r.keys.as_ref().map(|k| k.0.clone()),
        Some(vec![KEY.to_string()])
    );
    // The key is declared now: only the two final publications, the first contest's first.
    let before = r.publications;
    assert_eq!(publish(&mut v, Stage::Final).unwrap(), 2);
    let mut it = v.iter().enumerate().map(|(i, b)| (i as u64, b.as_slice()));
    let (i0, b0) = it.next().unwrap();
    let mut replayer = record::Replayer::start(i0, b0).unwrap();
    for (i, b) in it {
        replayer.push(i, b).unwrap();
    }
    assert_eq!(replayer.standing(), Standing::Certified);
    let r = replay(v.iter().enumerate().map(|(i, b)| (i as u64, b.as_slice()))).unwrap();
    assert_eq!(r.publications, before + 2);
    // Certified: frozen, no second publication act until a decision reopens it.
    let n = v.len();
    let e = publish(&mut v, Stage::Preliminary).and_then(|_| run(&v).map(|_| ()));
    assert_eq!(
        e.unwrap_err().to_string(),
        format!(
            "entry {n}: a staff 'publish' in an election that is certified: a decision must reopen it first"
        )
    );
}

#[test]
fn a_publish_act_takes_no_final_publication_and_a_stage_must_be_known() {
    let mut v = open_log();
    let r = run(&v).unwrap();
    let a = publication_act(
        &r.election,
        &r.protocols,
        &r.annulled,
        Stage::Final,
        None,
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        (a.act, a.entries.len()),
        (StaffAct::Certify { reason: None }, 2)
    );
    let n = v.len();
    v.push(encode(&staff("chair", StaffAct::Publish)));
    v.extend(a.entries.iter().cloned());
    assert_eq!(
        run(&v).unwrap_err().to_string(),
        format!(
            "entry {}: a staff 'publish' entry must be followed by a publication that is not final",
            n + 1
        )
    );
    // A stage is typed: a text names one of the log's stages or is refused, listing them.
    let e = record::parse_key::<Stage>("draft").unwrap_err();
    assert_eq!(e, "'draft', expected one of: preliminary, final");
    // Only a final publication certifies, and a certification's later entries are the other
    // contests' final publications: a second final publication of the first contest is not.
    let mut v = open_log();
    let n = v.len();
    publish(&mut v, Stage::Final).unwrap();
    let first = v[n + 1].clone();
    assert!(matches!(decode_stage(&first), Some(("final", 0))));
    v.push(first);
    let n = v.len() - 1;
    assert_eq!(
        run(&v).unwrap_err().to_string(),
        format!("entry {n}: a publication in an election that is certified: a decision must reopen it first")
    );
}

fn decode_stage(b: &[u8]) -> Option<(&'static str, usize)> {
    match record::decode(0, b).ok()? {
        Entry::Publication(p) if p.stage == Stage::Final => Some(("final", p.contest)),
        _ => None,
    }
}
