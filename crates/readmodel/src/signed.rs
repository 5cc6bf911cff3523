//! The log's signed checkpoints (C2SP signed notes, `docs/log-format.md`). Given a key, each
//! election's state signs a checkpoint for every log size it reaches, before any read sees
//! that size: whatever the service shows (a total, an inclusion proof) is covered by a signed
//! checkpoint. Witnesses' cosignatures (`cosignature/v1`) are kept beside it.

use std::collections::BTreeMap;
use std::sync::Arc;

use translog::checkpoint::{verify_cosignatures, Checkpoint};
use translog::note::{Note, NoteSigner, NoteVerifier};
use translog::Tree;

use crate::ReadError;

/// The log key, the origins it signs for, and the witnesses whose cosignatures are kept.
pub struct Signing {
    key: NoteSigner,
    prefix: String,
    witnesses: Vec<NoteVerifier>,
}

/// A signed checkpoint of an election's log.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The log size it covers.
    pub size: u64,
    /// The signed note.
    pub note: Arc<str>,
}

/// The latest checkpoint cosigned by known witnesses.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cosigned {
    /// Its size, and its note with the log's signature only.
    signed: Option<Signed>,
    /// The witnesses' signature lines, by witness name.
    lines: BTreeMap<String, String>,
}

/// What a submitted cosignature did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureTaken {
    /// The size of the checkpoint it cosigns.
    pub size: u64,
    /// The witnesses whose cosignatures verified.
    pub witnesses: Vec<String>,
    /// Whether it is the latest cosigned checkpoint now (a cosignature of an older
    /// checkpoint than one already cosigned is valid, but not kept).
    pub kept: bool,
}

impl Signing {
    /// Signs with `key` for origins `<prefix>/<election>`, keeping cosignatures of `witnesses`.
    pub fn new(key: NoteSigner, prefix: &str, witnesses: Vec<NoteVerifier>) -> Signing {
        Signing {
            key,
            prefix: prefix.trim_end_matches('/').to_string(),
            witnesses,
        }
    }

    /// The origin (the log's unique name) of an election's log.
    pub fn origin(&self, election: &str) -> String {
        format!("{}/{election}", self.prefix)
    }

    /// The log's verifier key.
    pub fn verifier(&self) -> NoteVerifier {
        self.key.verifier()
    }

    /// The witnesses' verifier keys.
    pub fn witnesses(&self) -> &[NoteVerifier] {
        &self.witnesses
    }

    /// The checkpoint of the tree at `size` (at most its size), signed.
    pub(crate) fn sign(&self, election: &str, tree: &Tree, size: u64) -> Result<Signed, ReadError> {
        let c = Checkpoint {
            origin: self.origin(election),
            size,
            root: tree.root_at(size).map_err(ReadError::Sign)?,
        };
        let note = c.sign(&self.key).map_err(ReadError::Sign)?;
        Ok(Signed {
            size,
            note: note.into(),
        })
    }

    /// Checks a cosigned checkpoint submitted by a witness against the election's tree
    /// and keeps its cosignatures if it is the latest cosigned.
    pub(crate) fn cosign(
        &self,
        election: &str,
        tree: &Tree,
        kept: &mut Cosigned,
        submitted: &str,
    ) -> Result<CosignatureTaken, ReadError> {
        let refuse = |why: String| ReadError::Cosignature(why);
        let note = Note::parse(submitted).map_err(|e| refuse(e.to_string()))?;
        let c = Checkpoint::parse_body(&note.text).map_err(|e| refuse(e.to_string()))?;
        if c.origin != self.origin(election) {
            return Err(refuse(format!(
                "the checkpoint is of '{}', not of this log ('{}')",
                c.origin,
                self.origin(election)
            )));
        }
        if c.size == 0 || c.size > tree.size() {
            return Err(refuse(format!(
                "the log has {} entries; no checkpoint of size {} was signed",
                tree.size(),
                c.size
            )));
        }
        if tree.root_at(c.size).map_err(ReadError::Sign)? != c.root {
            return Err(refuse(format!(
                "at size {} the log's root is not {}: the witness cosigned another log",
                c.size, c.root
            )));
        }
        let ok = verify_cosignatures(&c, &note.signatures, &self.witnesses)
            .map_err(|e| refuse(e.to_string()))?;
        if ok.is_empty() {
            return Err(refuse(format!(
                "no cosignature of a witness this service knows ({})",
                self.witness_names()
            )));
        }
        let ours = self.sign(election, tree, c.size)?;
        let names: Vec<String> = ok.into_iter().map(|(name, _)| name).collect();
        let latest = kept.signed.as_ref().map_or(0, |s| s.size);
        let keep = c.size >= latest;
        if keep {
            if c.size > latest {
                kept.lines.clear();
                kept.signed = Some(ours);
            }
            for s in note.signatures.iter().filter(|s| names.contains(&s.name)) {
                kept.lines.insert(s.name.clone(), s.line());
            }
        }
        Ok(CosignatureTaken {
            size: c.size,
            witnesses: names,
            kept: keep,
        })
    }

    fn witness_names(&self) -> String {
        match self.witnesses.is_empty() {
            true => "none: start the service with --witness".to_string(),
            false => {
                let names: Vec<&str> = self.witnesses.iter().map(|w| w.name.as_str()).collect();
                names.join(", ")
            }
        }
    }
}

impl Cosigned {
    /// The latest cosigned checkpoint with every kept cosignature, if any.
    pub(crate) fn note(&self) -> Option<Signed> {
        let s = self.signed.as_ref()?;
        let mut note = s.note.to_string();
        for line in self.lines.values() {
            note.push_str(line);
            note.push('\n');
        }
        Some(Signed {
            size: s.size,
            note: note.into(),
        })
    }
}
