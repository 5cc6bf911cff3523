//! RFC 6962 §2.1 hashing (unchanged in RFC 9162 §2.1.1): SHA-256 with the 0x00 leaf and 0x01
//! node prefixes, so that an interior node can never pass for a leaf.

use std::fmt;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::LogError;

/// A SHA-256 tree hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The root of the empty tree: SHA-256 of nothing (not the hash of an empty leaf).
    pub fn empty_root() -> Hash {
        Hash(Sha256::digest([]).into())
    }

    /// Lowercase hex.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits (surrounding whitespace aside). Every pair must be two hex
    /// digits: `u8::from_str_radix` took "+f" for 0x0f, so a malformed hash was read as
    /// another one.
    pub fn from_hex(s: &str) -> Result<Hash, LogError> {
        use hex::FromHex;
        let s = s.trim();
        if s.len() != 64 {
            return Err(LogError::BadHash(format!("'{s}' is not 64 hex digits")));
        }
        <[u8; 32]>::from_hex(s)
            .map(Hash)
            .map_err(|e| LogError::BadHash(format!("'{s}' is not 64 hex digits: {e}")))
    }

    /// Standard base64 (RFC 4648 §4), as in checkpoints.
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Parses standard base64 of 32 bytes.
    pub fn from_base64(s: &str) -> Result<Hash, LogError> {
        let v = base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|e| LogError::BadHash(format!("'{s}' is not base64: {e}")))?;
        let arr: [u8; 32] = v.try_into().map_err(|v: Vec<u8>| {
            LogError::BadHash(format!("'{s}' is {} bytes, not 32", v.len()))
        })?;
        Ok(Hash(arr))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.hex())
    }
}

/// The hash of a leaf: SHA-256(0x00 || entry).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    Hash(h.finalize().into())
}

/// The bare SHA-256 work a tree of `entries` costs, without the tree: one leaf hash per
/// entry and one 65-byte hash per interior node, chained so that none can be skipped. The
/// benchmarks' reference (`examples/bench.rs`, `published`'s `verify_parts`): a tree's
/// building and checking are measured against it.
pub fn bare_sha256_work(entries: &[Vec<u8>]) -> [u8; 32] {
    let mut acc = [0u8; 32];
    for e in entries {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(e);
        let leaf: [u8; 32] = h.finalize().into();
        acc[0] ^= leaf[0];
    }
    let mut buf = [1u8; 65];
    for _ in 1..entries.len() {
        buf[1..33].copy_from_slice(&acc);
        acc = Sha256::digest(buf).into();
    }
    acc
}

/// The hash of an interior node: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = 1;
    buf[1..33].copy_from_slice(&left.0);
    buf[33..].copy_from_slice(&right.0);
    Hash(Sha256::digest(buf).into())
}
