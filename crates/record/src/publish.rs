//! A publication act, as the command line's `publish` and the service's certification both
//! log it: the staff act that attributes it ([`StaffAct::Publish`] before the final stage,
//! [`StaffAct::Certify`] at it), a publication of every contest, and the declaration of the key
//! that will sign the log's checkpoints if the log does not name it yet.

use model::{Election, Protocol, UnitId};

use crate::entry::{encode, Entry, Publication};
use crate::kinds::Stage;
use crate::replay::publication;
use crate::staff::StaffAct;
use crate::RecordError;

/// What a publication act logs after its staff entry.
#[derive(Debug, Clone)]
pub struct PublicationAct {
    /// [`StaffAct::Certify`] for the final stage, [`StaffAct::Publish`] for any other.
    pub act: StaffAct,
    /// One publication per contest, in contest order: a certification's first entry is the
    /// first contest's final publication, which certifies the election (`record::Standing`).
    pub publications: Vec<Publication>,
    /// The encoded entries: the publications, then a `keys` entry if one is needed.
    pub entries: Vec<Vec<u8>>,
}

/// The publication act at `stage` over the latest `protocols` without the stations under
/// `annulled` units: seats under `law` (on the base that law defines) for the first contest.
/// `keys` are the log's latest declared (log keys, witness keys); `key` the verifier key text
/// that will sign the checkpoints, if the publisher signs (the command line does; the
/// service's log is signed by whoever publishes it): a key the log does not name yet is
/// declared in a `keys` entry after the publications, keeping the witnesses. Refused, with
/// nothing built, if a law is unknown or unable to allocate, or a total
/// beyond 64 bits.
pub fn publication_act(
    election: &Election,
    protocols: &[Protocol],
    annulled: &[UnitId],
    stage: Stage,
    law: Option<&str>,
    keys: Option<&(Vec<String>, Vec<String>)>,
    key: Option<&str>,
) -> Result<PublicationAct, RecordError> {
    let publications = (0..election.contests.len())
        .map(|c| {
            publication(
                election,
                protocols,
                annulled,
                c,
                stage,
                law.filter(|_| c == 0),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(publication_act_of(publications, stage, keys, key))
}

/// [`publication_act`] of publications computed already (one per contest, in contest order,
/// at `stage`: a lean replay's, `crate::Replayer::publication`).
pub fn publication_act_of(
    publications: Vec<Publication>,
    stage: Stage,
    keys: Option<&(Vec<String>, Vec<String>)>,
    key: Option<&str>,
) -> PublicationAct {
    let mut entries: Vec<Vec<u8>> = publications
        .iter()
        .map(|p| encode(&Entry::Publication(p.clone())))
        .collect();
    if let Some(key) = key.filter(|k| !keys.is_some_and(|(log, _)| log.iter().any(|l| l == k))) {
        entries.push(encode(&Entry::Keys {
            log: vec![key.to_string()],
            witnesses: keys.map(|(_, w)| w.clone()).unwrap_or_default(),
        }));
    }
    let act = if stage == Stage::Final {
        // The reason to certify while complaints are open is the caller's to give.
        StaffAct::Certify { reason: None }
    } else {
        StaffAct::Publish
    };
    PublicationAct {
        act,
        publications,
        entries,
    }
}
