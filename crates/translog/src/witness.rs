//! A witness (C2SP tlog-witness, `add-checkpoint`): it remembers the last checkpoint it
//! cosigned for each log, cosigns a new one only after verifying a consistency proof from it,
//! and refuses a checkpoint inconsistent with what it already cosigned (a split view).
//! Persisting the state is the caller's job: the state must be saved before the cosignature
//! is released.

use std::collections::BTreeMap;

use crate::checkpoint::{Checkpoint, Cosigner};
use crate::note::{Note, NoteVerifier};
use crate::{verify_consistency, Hash};

/// Why a witness refuses, with the HTTP status tlog-witness gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// 400: a malformed request, or an old size above the checkpoint's.
    #[error("400 bad request: {0}")]
    BadRequest(String),
    /// 403: no valid signature from the log's key.
    #[error("403 forbidden: {0}")]
    Forbidden(String),
    /// 404: a log the witness does not know.
    #[error("404 unknown log '{0}'")]
    UnknownLog(String),
    /// 409: the old size is not the size the witness last cosigned (given).
    #[error("409 conflict: the witness last cosigned size {0} for this log")]
    Conflict(u64),
    /// 422: the proof fails, or the roots differ at equal size (a split view).
    #[error("422 unprocessable: {0}")]
    Unprocessable(String),
}

/// The last cosigned (size, root) per origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WitnessState(pub BTreeMap<String, (u64, Hash)>);

impl WitnessState {
    /// One line per log: `origin size base64-root`.
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|(o, (s, r))| format!("{o} {s} {}\n", r.base64()))
            .collect()
    }

    /// Parses [`WitnessState::text`].
    pub fn parse(text: &str) -> Result<WitnessState, crate::LogError> {
        let mut m = BTreeMap::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split(' ').collect();
            let [o, s, r] = parts.as_slice() else {
                return Err(crate::LogError::Note(format!(
                    "witness state line '{line}' is not 'origin size root'"
                )));
            };
            let size = s
                .parse()
                .map_err(|_| crate::LogError::Note(format!("bad size in '{line}'")))?;
            m.insert(o.to_string(), (size, Hash::from_base64(r)?));
        }
        Ok(WitnessState(m))
    }
}

/// The body of an add-checkpoint request: `old N`, the proof hashes in base64 one per line,
/// a blank line, the signed checkpoint.
pub fn request(old: u64, proof: &[Hash], signed_checkpoint: &str) -> String {
    let mut s = format!("old {old}\n");
    for h in proof {
        s.push_str(&h.base64());
        s.push('\n');
    }
    s.push('\n');
    s.push_str(signed_checkpoint);
    s
}

/// Handles one add-checkpoint request; on success updates `state` and returns the
/// cosignature line for the checkpoint at `time`.
pub fn add_checkpoint(
    state: &mut WitnessState,
    me: &Cosigner,
    logs: &[NoteVerifier],
    body: &str,
    time: u64,
) -> Result<String, Refusal> {
    let bad = |m: String| Refusal::BadRequest(m);
    let (head, note) = body
        .split_once("\n\n")
        .ok_or_else(|| bad("no blank line after the proof".into()))?;
    let mut lines = head.lines();
    let old: u64 = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad("the first line must be 'old <size>'".into()))?;
    let proof = lines
        .map(Hash::from_base64)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    let parsed = Note::parse(note).map_err(|e| bad(e.to_string()))?;
    let cp = Checkpoint::parse_body(&parsed.text).map_err(|e| bad(e.to_string()))?;
    let log = logs
        .iter()
        .find(|k| k.name == cp.origin)
        .ok_or_else(|| Refusal::UnknownLog(cp.origin.clone()))?;
    parsed
        .verify(std::slice::from_ref(log))
        .map_err(|e| Refusal::Forbidden(e.to_string()))?;
    if old > cp.size {
        return Err(bad(format!(
            "old size {old} is above the checkpoint's size {}",
            cp.size
        )));
    }
    let (last, last_root) = state
        .0
        .get(&cp.origin)
        .copied()
        .unwrap_or((0, Hash::empty_root()));
    if old != last {
        return Err(Refusal::Conflict(last));
    }
    if old == 0 {
        if !proof.is_empty() {
            return Err(Refusal::Unprocessable("a proof was sent with old 0".into()));
        }
        if cp.size == 0 && cp.root != Hash::empty_root() {
            return Err(Refusal::Unprocessable(
                "a size-0 checkpoint must carry the empty-tree root".into(),
            ));
        }
    } else if old == cp.size {
        if cp.root != last_root {
            return Err(Refusal::Unprocessable(format!(
                "split view: size {old} was cosigned with root {last_root}, this checkpoint says {}",
                cp.root
            )));
        }
    } else {
        verify_consistency(old, cp.size, &last_root, &cp.root, &proof).map_err(|e| {
            Refusal::Unprocessable(format!("not consistent with the cosigned size {old}: {e}"))
        })?;
    }
    let line = me.cosign(&cp, time).map_err(|e| bad(e.to_string()))?;
    state.0.insert(cp.origin.clone(), (cp.size, cp.root));
    Ok(line)
}
