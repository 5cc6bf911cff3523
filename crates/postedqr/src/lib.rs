//! The protocol posted at a polling station, as its QR code carries it (issue 22;
//! `docs/protocol-qr.md`): the figures the precinct commission signs when the count ends, and
//! what identifies them (the election, the station, the count's source, the time, the log
//! key's fingerprint), in a compact versioned text ([`Posted::encode`], [`Posted::decode`])
//! that a QR symbol of version 10 or less at error-correction level M holds ([`symbol`]), and
//! reading that symbol back from a greyscale image ([`read`]) or a photo ([`read_photo`]).
//!
//! **Architecture invariant:** pure: no I/O, no clock. Decoding never panics, whatever the
//! text or the image.

mod code;
mod photo;
mod symbol;

pub use code::{election_field, Posted, FORMAT, MAX_TEXT};
pub use photo::{grey, read_photo, MAX_PIXELS};
pub use symbol::{read, symbol, Symbol, MAX_VERSION};

/// Why a posted protocol could not be encoded or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostedError {
    /// The text is not a posted protocol's: the field at fault, and why.
    #[error("the QR code's {field}: {message}")]
    Text {
        /// The field (`format`, `election`, `station`, `lines`, `votes`, `check`...).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The protocol does not fit a QR symbol of version [`MAX_VERSION`] at level M.
    #[error("{chars} characters do not fit a QR code of version {MAX_VERSION} at level M: {why}")]
    TooLong {
        /// The text's length.
        chars: usize,
        /// The encoder's word.
        why: String,
    },
    /// No QR symbol could be read from the image.
    #[error("no QR code could be read from the image{0}")]
    Unreadable(String),
}

impl PostedError {
    fn text(field: &'static str, message: impl Into<String>) -> PostedError {
        PostedError::Text {
            field,
            message: message.into(),
        }
    }
}
