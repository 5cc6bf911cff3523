//! The log crate's one error type.

/// What can go wrong with a log, a proof, a note or a tile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// A hash that is not 32 bytes of hex or base64.
    #[error("bad hash: {0}")]
    BadHash(String),
    /// A proof that is refused, with the reason.
    #[error("proof rejected: {0}")]
    Proof(String),
    /// A request outside the tree.
    #[error("out of range: {0}")]
    Range(String),
    /// A signed note, key or checkpoint that does not parse or verify.
    #[error("note rejected: {0}")]
    Note(String),
    /// A tile that does not parse or match.
    #[error("tile rejected: {0}")]
    Tile(String),
}
