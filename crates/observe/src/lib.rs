//! Observers' channels, pure (no I/O, no clock: the caller passes the time in): how an
//! observer's SMS report is read ([`sms`], with the quick count's short codes in
//! [`codes`]), how a message sent in parts is joined again ([`parts`]), how an SMS gateway's
//! request is authenticated ([`gateway`]) and how a phone number becomes a pseudonym that
//! no page, export or log entry can turn back into the number ([`phone`]). The grammar and
//! the signature are specified in `docs/sms.md`.

pub mod codes;
pub mod gateway;
pub mod inbox;
pub mod numbers;
pub mod parts;
pub mod phone;
pub mod sms;

/// What an observer's message, a gateway's request or a setting got wrong: each variant is
/// what the reply to the sender says, in the sender's alphabet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObserveError {
    /// The message does not begin with the keyword.
    #[error("not a quick-count report: a report begins with PVT")]
    NotAReport,
    /// No station number after the keyword.
    #[error("no station number after PVT")]
    NoStation,
    /// The message is longer than any report.
    #[error("the message is longer than {max} characters")]
    TooLong {
        /// The longest message read.
        max: usize,
    },
    /// A character no report holds: a digit that is not 0 to 9 (superscript, circled,
    /// another script's), an invisible or direction-changing character, punctuation.
    #[error("character {at} ({shown}) is not read in a report: only letters, the digits 0 to 9, spaces and = : . - , ; /")]
    Character {
        /// Its place in the message, from 1.
        at: usize,
        /// It, or its code point where it cannot be seen (`U+202E`).
        shown: String,
    },
    /// Something that is not a code followed by a count.
    #[error("item {item}: '{text}' is not a code followed by a number")]
    Stray {
        /// The item's place in the message (1 for the first after the station).
        item: usize,
        /// What was there.
        text: String,
    },
    /// A code that the quick count does not use.
    #[error("item {item}: no count has the code {code}")]
    UnknownCode {
        /// The item's place.
        item: usize,
        /// The code, in capital Latin letters.
        code: String,
    },
    /// A code without a number after it.
    #[error("item {item}: no number after {code}")]
    NoCount {
        /// The item's place.
        item: usize,
        /// The code.
        code: String,
    },
    /// A number of more digits than any count has.
    #[error("item {item}: the number after {code} has more than {digits} digits")]
    TooLarge {
        /// The item's place.
        item: usize,
        /// The code.
        code: String,
        /// The most digits a count may have.
        digits: usize,
    },
    /// A code given twice.
    #[error("{code} is given twice")]
    Repeated {
        /// The code.
        code: String,
    },
    /// Codes that every report must give and this one does not.
    #[error("missing: {}", codes.join(" "))]
    Missing {
        /// The codes missing, in the codebook's order.
        codes: Vec<String>,
    },
    /// A station that is not among the quick count's drawn stations.
    #[error("station {station} is not in the sample")]
    NotInSample {
        /// The station as typed.
        station: String,
    },
    /// A sender who is not assigned to the station reported.
    #[error("this phone is not assigned to station {station}")]
    NotAssigned {
        /// The station as typed.
        station: String,
    },
    /// A sender who is not one of the quick count's observers.
    #[error("this phone is not registered as an observer's")]
    UnknownSender,
    /// A count above what the station can have.
    #[error("{code} {count} is more than {bound}, the most this station can have")]
    Implausible {
        /// The count's code.
        code: String,
        /// The count.
        count: u64,
        /// The most it may be.
        bound: u64,
    },
    /// Counts that break a relation every protocol keeps.
    #[error("{votes} votes + {invalid} invalid is more than the {issued} ballots issued")]
    Relation {
        /// The choices' votes.
        votes: u64,
        /// Invalid ballots.
        invalid: u64,
        /// Ballots issued.
        issued: u64,
    },
    /// A message in parts whose other parts did not arrive in time.
    #[error("only part of the message arrived: send it again")]
    Incomplete,
    /// A part of a message that does not fit its other parts.
    #[error("part {part} of {parts}: {message}")]
    Part {
        /// The part's number, from 1.
        part: u32,
        /// The parts announced.
        parts: u32,
        /// What is wrong.
        message: &'static str,
    },
    /// Too many messages in parts are waiting for their other parts.
    #[error("too many messages in parts are waiting: send the message again later")]
    Busy,
    /// A gateway's request that is not signed with its secret.
    #[error("the request's signature is not the gateway's")]
    BadSignature,
    /// A gateway's request signed too long before or after now.
    #[error("the request was signed at {time}, more than {window} s from now ({now})")]
    Stale {
        /// When the request says it was signed (Unix seconds).
        time: u64,
        /// Now.
        now: u64,
        /// The largest difference taken.
        window: u64,
    },
    /// A gateway's message received before.
    #[error("message {id} was received before")]
    Replayed {
        /// The gateway's id of the message.
        id: String,
    },
    /// A gateway's request signed before the service started keeping message ids.
    #[error("signed at {time}, before the service started at {start}: a request from before a restart is never taken, sign it again")]
    BeforeStart {
        /// When the request says it was signed (Unix seconds).
        time: u64,
        /// When the service started keeping message ids.
        start: u64,
    },
    /// A setting or a value out of its range, named.
    #[error("{field}: {message}")]
    Invalid {
        /// The setting or value.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

impl ObserveError {
    /// A value out of its range, named.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> ObserveError {
        ObserveError::Invalid {
            field,
            message: message.into(),
        }
    }
}
