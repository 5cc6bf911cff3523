//! C2SP tlog-checkpoint (origin, size, root) and tlog-cosignature (`cosignature/v1`, type 0x04,
//! `key ID || u64 timestamp || Ed25519 signature`).

use base64::Engine;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _};

use crate::note::{key_id, Note, NoteSignature, NoteSigner, NoteVerifier};
use crate::{Hash, LogError};

/// Key type byte of timestamped Ed25519 cosignatures.
pub const COSIGNATURE: u8 = 0x04;

fn bad(msg: impl Into<String>) -> LogError {
    LogError::Note(msg.into())
}

/// A checkpoint: the log's identity, its size and its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's unique identity, e.g. `tallyproof.example/kg2020`.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash.
    pub root: Hash,
}

impl Checkpoint {
    /// The note body: origin, size and base64 root, one per line.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, self.root.base64())
    }

    /// Parses a note body (extension lines are refused: monitors cannot audit them).
    pub fn parse_body(text: &str) -> Result<Checkpoint, LogError> {
        let lines: Vec<&str> = text
            .strip_suffix('\n')
            .unwrap_or(text)
            .split('\n')
            .collect();
        if lines.len() != 3 {
            return Err(bad(format!(
                "a checkpoint has 3 lines (origin, size, root), this one has {}",
                lines.len()
            )));
        }
        let origin = lines[0];
        if origin.is_empty() || origin.chars().any(char::is_whitespace) || origin.contains('+') {
            return Err(bad(format!(
                "origin '{origin}' must be non-empty without spaces or '+'"
            )));
        }
        let size = lines[1];
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(bad(format!(
                "size '{size}' must be decimal without leading zeros"
            )));
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size: size
                .parse()
                .map_err(|_| bad(format!("size '{size}' is too large")))?,
            root: Hash::from_base64(lines[2])?,
        })
    }

    /// Signs the checkpoint as a note with the log's key (its name should be the origin).
    pub fn sign(&self, log: &NoteSigner) -> Result<String, LogError> {
        crate::note::sign(&self.body(), &[log])
    }

    /// Opens a signed checkpoint, requiring a valid signature from `log`.
    pub fn open(signed: &str, log: &NoteVerifier) -> Result<(Checkpoint, Note), LogError> {
        let note = Note::parse(signed)?;
        note.verify(std::slice::from_ref(log))?;
        let c = Checkpoint::parse_body(&note.text)?;
        Ok((c, note))
    }
}

/// A witness key that cosigns checkpoints.
#[derive(Debug, Clone)]
pub struct Cosigner {
    /// The witness's name.
    pub name: String,
    /// The Ed25519 key.
    pub key: SigningKey,
}

impl Cosigner {
    /// A cosigner from a name and a seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Cosigner {
        Cosigner {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The cosignature key ID.
    pub fn id(&self) -> u32 {
        key_id(&self.name, COSIGNATURE, self.key.verifying_key().as_bytes())
    }

    /// The verifier-key text of this witness (type 0x04).
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id(),
            kind: COSIGNATURE,
            key: self.key.verifying_key(),
        }
    }

    /// The cosignature line for `checkpoint` at `time` (seconds since the epoch).
    pub fn cosign(&self, checkpoint: &Checkpoint, time: u64) -> Result<String, LogError> {
        if time > i64::MAX as u64 {
            return Err(bad("the timestamp exceeds 2^63 - 1"));
        }
        let sig = self.key.sign(cosigned_message(checkpoint, time).as_bytes());
        let mut raw = self.id().to_be_bytes().to_vec();
        raw.extend_from_slice(&time.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        Ok(format!(
            "\u{2014} {} {}",
            self.name,
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
    }
}

/// The message a witness signs: `cosignature/v1\ntime T\n` followed by the checkpoint body.
pub fn cosigned_message(c: &Checkpoint, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{}", c.body())
}

/// Checks the cosignatures of a note against known witnesses; returns (name, time) of each
/// witness that cosigned validly. A failing cosignature of a known witness is an error.
pub fn verify_cosignatures(
    c: &Checkpoint,
    sigs: &[NoteSignature],
    witnesses: &[NoteVerifier],
) -> Result<Vec<(String, u64)>, LogError> {
    let mut ok = Vec::new();
    for s in sigs {
        let Some(w) = witnesses
            .iter()
            .find(|w| w.kind == COSIGNATURE && w.name == s.name && w.id == s.id)
        else {
            continue;
        };
        if s.bytes.len() != 72 {
            return Err(bad(format!(
                "cosignature of '{}' is {} bytes, not 72",
                s.name,
                s.bytes.len() + 4
            )));
        }
        let mut t = [0u8; 8];
        t.copy_from_slice(&s.bytes[..8]);
        let time = u64::from_be_bytes(t);
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&s.bytes[8..]);
        w.key
            .verify(
                cosigned_message(c, time).as_bytes(),
                &ed25519_dalek::Signature::from_bytes(&sig),
            )
            .map_err(|_| {
                bad(format!(
                    "the cosignature of witness '{}' does not verify",
                    s.name
                ))
            })?;
        ok.push((s.name.clone(), time));
    }
    Ok(ok)
}
