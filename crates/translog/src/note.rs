//! C2SP signed notes (c2sp.org/signed-note; golang.org/x/mod/sumdb/note): UTF-8 text ending
//! in a newline, a blank line, then signature lines `— <name> <base64(key ID || signature)>`.
//! Ed25519 keys (type 0x01) sign notes; cosignatures (type 0x04) are in `checkpoint`.

use base64::Engine;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::LogError;

/// The signature-line prefix: an em dash and a space.
const DASH: &str = "\u{2014} ";
/// The most signature lines a note may carry.
const MAX_SIGNATURES: usize = 100;
/// Key type byte of Ed25519 note signatures.
pub const ED25519: u8 = 0x01;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn bad(msg: impl Into<String>) -> LogError {
    LogError::Note(msg.into())
}

/// `SHA-256(name || 0x0A || type || public key)[:4]` as a big-endian number.
pub fn key_id(name: &str, kind: u8, public: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', kind]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// The fingerprint of an Ed25519 public key, short enough to print on a notice and to type:
/// the first 128 bits of SHA-256 of the 32-byte key, as 32 lowercase hex digits in groups of
/// four separated by spaces (`docs/log-format.md`, "Key fingerprints"; the station check in
/// the browser computes it the same way).
pub fn fingerprint(public: &[u8; 32]) -> String {
    let groups: Vec<String> = fingerprint_bytes(public)
        .chunks(2)
        .map(hex::encode)
        .collect();
    groups.join(" ")
}

/// The fingerprint's 16 bytes (what a posted protocol's QR code names the key by).
pub fn fingerprint_bytes(public: &[u8; 32]) -> [u8; 16] {
    let digest = Sha256::digest(public);
    let mut out = [0; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

fn check_name(name: &str) -> Result<(), LogError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(bad(format!(
            "key name '{name}' must be non-empty, without spaces or '+'"
        )));
    }
    Ok(())
}

/// A public key that verifies notes: `<name>+<8 hex digits of key ID>+<base64(type || key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub id: u32,
    /// The key type byte.
    pub kind: u8,
    /// The Ed25519 public key.
    pub key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses verifier-key text and checks its key ID.
    pub fn parse(text: &str) -> Result<NoteVerifier, LogError> {
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(format!("verifier key '{text}' is not name+id+key")));
        };
        check_name(name)?;
        let id = key_id_hex(id)?;
        let raw = b64()
            .decode(key)
            .map_err(|e| bad(format!("verifier key is not base64: {e}")))?;
        let (&kind, public) = raw.split_first().ok_or_else(|| bad("empty verifier key"))?;
        if kind != ED25519 && kind != crate::checkpoint::COSIGNATURE {
            return Err(bad(format!(
                "key type 0x{kind:02x} is not supported (0x01 Ed25519, 0x04 cosignature)"
            )));
        }
        let arr: [u8; 32] = public
            .try_into()
            .map_err(|_| bad("an Ed25519 public key has 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&arr)
            .map_err(|e| bad(format!("bad Ed25519 public key: {e}")))?;
        if key_id(name, kind, &arr) != id {
            return Err(bad(format!(
                "key ID {id:08x} does not match the key of '{name}'"
            )));
        }
        Ok(NoteVerifier {
            name: name.to_string(),
            id,
            kind,
            key,
        })
    }

    /// The key's fingerprint, for a reader to compare with one printed on paper
    /// ([`fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint(self.key.as_bytes())
    }

    /// The fingerprint's 16 bytes ([`fingerprint_bytes`]).
    pub fn fingerprint_bytes(&self) -> [u8; 16] {
        fingerprint_bytes(self.key.as_bytes())
    }

    /// The verifier-key text.
    pub fn text(&self) -> String {
        let mut raw = vec![self.kind];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, b64().encode(raw))
    }
}

/// A key ID as a key text writes it: exactly 8 hex digits (`u32::from_str_radix` also took
/// "+1f" or "1f").
fn key_id_hex(id: &str) -> Result<u32, LogError> {
    use hex::FromHex;
    <[u8; 4]>::from_hex(id)
        .map(u32::from_be_bytes)
        .map_err(|_| bad(format!("key ID '{id}' is not 8 hex digits")))
}

/// A private key that signs notes: `PRIVATE+KEY+<name>+<id>+<base64(type || seed)>`.
#[derive(Debug, Clone)]
pub struct NoteSigner {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub id: u32,
    /// The Ed25519 signing key.
    pub key: SigningKey,
}

impl NoteSigner {
    /// A signer from a name and a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<NoteSigner, LogError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, ED25519, key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_string(),
            id,
            key,
        })
    }

    /// Parses signer-key text.
    pub fn parse(text: &str) -> Result<NoteSigner, LogError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("a signer key starts with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("a signer key is PRIVATE+KEY+name+id+key"));
        };
        let raw = b64()
            .decode(key)
            .map_err(|e| bad(format!("signer key is not base64: {e}")))?;
        let (&kind, seed) = raw.split_first().ok_or_else(|| bad("empty signer key"))?;
        if kind != ED25519 {
            return Err(bad(format!("signer key type 0x{kind:02x} is not Ed25519")));
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| bad("an Ed25519 seed has 32 bytes"))?;
        let s = NoteSigner::from_seed(name, seed)?;
        let id = key_id_hex(id)?;
        if id != s.id {
            return Err(bad(format!(
                "key ID {id:08x} does not match the key of '{name}'"
            )));
        }
        Ok(s)
    }

    /// The signer-key text.
    pub fn text(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.id,
            b64().encode(raw)
        )
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id,
            kind: ED25519,
            key: self.key.verifying_key(),
        }
    }

    /// The signature line for `text` (without the trailing newline).
    pub fn sign_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = self.id.to_be_bytes().to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        format!("{DASH}{} {}", self.name, b64().encode(raw))
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub id: u32,
    /// The signature bytes after the key ID.
    pub bytes: Vec<u8>,
}

impl NoteSignature {
    /// The signature's line, as a note writes it (without the newline).
    pub fn line(&self) -> String {
        let mut raw = self.id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.bytes);
        format!("{DASH}{} {}", self.name, b64().encode(raw))
    }
}

/// A parsed note: its text and signatures, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, ending in a newline.
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

/// Checks the text rules: valid UTF-8 (given), ends in a newline, no control characters
/// but newlines.
fn check_text(text: &str) -> Result<(), LogError> {
    if !text.ends_with('\n') {
        return Err(bad("the note text must end with a newline"));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(bad(format!(
            "the note contains the control character U+{:04X}",
            c as u32
        )));
    }
    Ok(())
}

/// Signs `text` with every signer.
pub fn sign(text: &str, signers: &[&NoteSigner]) -> Result<String, LogError> {
    check_text(text)?;
    let mut out = format!("{text}\n");
    for s in signers {
        out.push_str(&s.sign_line(text));
        out.push('\n');
    }
    Ok(out)
}

impl Note {
    /// Parses a signed note: the text is separated from the signatures by the last blank line.
    pub fn parse(note: &str) -> Result<Note, LogError> {
        check_text(note)?;
        let split = note[..note.len() - 1]
            .rfind("\n\n")
            .ok_or_else(|| bad("no blank line before the signatures"))?;
        let text = &note[..split + 1];
        let sigs = &note[split + 2..];
        let mut signatures = Vec::new();
        for line in sigs.lines() {
            let rest = line.strip_prefix(DASH).ok_or_else(|| {
                bad(format!(
                    "signature line '{line}' does not start with an em dash"
                ))
            })?;
            let (name, b) = rest
                .split_once(' ')
                .ok_or_else(|| bad(format!("signature line '{line}' has no signature")))?;
            check_name(name)?;
            let raw = b64()
                .decode(b)
                .map_err(|e| bad(format!("signature of '{name}' is not base64: {e}")))?;
            if raw.len() < 5 {
                return Err(bad(format!("signature of '{name}' is too short")));
            }
            signatures.push(NoteSignature {
                name: name.to_string(),
                id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
                bytes: raw[4..].to_vec(),
            });
            if signatures.len() > MAX_SIGNATURES {
                return Err(bad(format!("more than {MAX_SIGNATURES} signatures")));
            }
        }
        if signatures.is_empty() {
            return Err(bad("the note has no signature"));
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    /// Verifies the note with the known Ed25519 keys (golang.org/x/mod/sumdb/note semantics):
    /// signatures of unknown keys are ignored; a failing signature of a known key rejects the
    /// note; at least one known key must verify. Returns the names that verified.
    pub fn verify(&self, known: &[NoteVerifier]) -> Result<Vec<String>, LogError> {
        let mut ok = Vec::new();
        for s in &self.signatures {
            let Some(v) = known
                .iter()
                .find(|k| k.kind == ED25519 && k.name == s.name && k.id == s.id)
            else {
                continue;
            };
            let sig: [u8; 64] = s
                .bytes
                .as_slice()
                .try_into()
                .map_err(|_| bad(format!("signature of '{}' is not 64 bytes", s.name)))?;
            v.key
                .verify(
                    self.text.as_bytes(),
                    &ed25519_dalek::Signature::from_bytes(&sig),
                )
                .map_err(|_| bad(format!("the signature of '{}' does not verify", s.name)))?;
            ok.push(s.name.clone());
        }
        if ok.is_empty() {
            return Err(bad("no signature from a known key"));
        }
        Ok(ok)
    }
}
