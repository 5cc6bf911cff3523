//! Rivest's consistent sampler, byte-compatible with `ron-rivest/consistent_sampler` and
//! Arlo's `draw_sample` (specified step by step in the project's `rla.md`, section 2).
//!
//! Every id gets a ticket, a decimal fraction derived from SHA-256 of the published seed and
//! the id; ids are drawn in increasing ticket order. With replacement, a drawn id gets a
//! next, larger ticket. Anyone holding the seed and the ids can recompute the order, and the
//! order of a subset is the subset of the order ("consistent"). The seat-allocation crate
//! uses it to draw lots between tied parties; the audit work uses it to draw ballots.
//!
//! Tickets are strings: `"0."` followed by the decimal digits of a 256-bit hash read from the
//! least significant end. Comparing them as strings compares them as numbers.
//!
//! This crate does no input or output.
//!
//! # Example
//! ```
//! let order = sampler::sample(&["a", "b", "c", "d"], "31", &sampler::Options::default()).unwrap();
//! let ids: Vec<&str> = order.iter().map(|t| t.id.as_str()).collect();
//! assert_eq!(ids, ["b", "a", "d", "c"]);
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use sha2::{Digest, Sha256};

/// SHA-256 of the UTF-8 bytes of `s`, as 64 lowercase hex digits.
pub fn sha256_hex(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    out
}

/// `U(s)`: SHA-256 of `s` read as an unsigned integer, written in decimal (zero-padded to at
/// least 64 digits), reversed, and prefixed with `"0."`.
pub fn uniform(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    let mut limbs = [0u64; 4];
    for (i, chunk) in digest.chunks(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        limbs[i] = u64::from_be_bytes(b);
    }
    let mut out = String::with_capacity(82);
    out.push_str("0.");
    // Divide by 10^19 repeatedly; each remainder gives 19 digits, least significant first,
    // which is exactly the reversed decimal string.
    const CHUNK: u64 = 10_000_000_000_000_000_000;
    let mut digits = 0;
    loop {
        let mut rem: u128 = 0;
        for limb in limbs.iter_mut() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / u128::from(CHUNK)) as u64;
            rem = cur % u128::from(CHUNK);
        }
        let mut r = rem as u64;
        let last = limbs.iter().all(|&l| l == 0);
        for _ in 0..19 {
            if last && r == 0 && digits > 0 {
                break;
            }
            out.push(char::from(b'0' + (r % 10) as u8));
            r /= 10;
            digits += 1;
        }
        if last {
            break;
        }
    }
    while digits < 64 {
        out.push('0');
        digits += 1;
    }
    out
}

/// The first ticket of `id`: `U(sha256_hex(seed) + id)`.
pub fn first_fraction(id: &str, seed: &str) -> String {
    let mut s = sha256_hex(seed);
    s.push_str(id);
    uniform(&s)
}

/// The next ticket after the full-precision ticket `x` (sampling with replacement): keeps
/// `x`'s leading run of nines, appends fresh digits from `U(x + ":" + c)` for c = 1, 2, ...,
/// and returns the first result greater than `x`.
pub fn next_fraction(x: &str) -> String {
    let x0 = format!("{x}0");
    let k = x0
        .bytes()
        .enumerate()
        .skip(2)
        .find(|(_, b)| *b < b'9')
        .map_or(x0.len(), |(i, _)| i);
    let mut c: u64 = 1;
    loop {
        let u = uniform(&format!("{x}:{c}"));
        let y = format!("{}{}", &x0[..k], &u[2..]);
        if y > x0 {
            return y;
        }
        c += 1;
    }
}

/// Keeps a ticket up to the end of its leading run of nines after `"0."`, then `digits`
/// more digits, truncating.
pub fn trim(x: &str, digits: usize) -> String {
    let nines = x.bytes().skip(2).take_while(|b| *b == b'9').count();
    let end = (2 + nines + digits).min(x.len());
    x[..end].to_string()
}

/// How to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Draw an id again after it is drawn (it gets its next ticket).
    pub with_replacement: bool,
    /// Skip this many draws first.
    pub drop: usize,
    /// Return at most this many draws after the skipped ones (`usize::MAX`: all; without
    /// replacement that is every id once).
    pub take: usize,
    /// Digits kept in the returned tickets after the leading nines (9 in Rivest's sampler,
    /// 18 in Arlo).
    pub digits: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            with_replacement: false,
            drop: 0,
            take: usize::MAX,
            digits: 9,
        }
    }
}

/// One draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The ticket, trimmed to `Options::digits`.
    pub ticket: String,
    /// The id drawn.
    pub id: String,
    /// 1 for an id's first ticket, 2 for its second (with replacement), ...
    pub generation: u32,
}

/// Why a draw cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SamplerError {
    /// The same id appears twice.
    DuplicateId(String),
    /// With replacement, `take` must be finite.
    Unbounded,
}

impl std::fmt::Display for SamplerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SamplerError::DuplicateId(id) => write!(f, "the id '{id}' appears twice"),
            SamplerError::Unbounded => write!(
                f,
                "sampling with replacement needs a finite number of draws"
            ),
        }
    }
}

impl std::error::Error for SamplerError {}

/// Draws from `ids` in ticket order for `seed`.
pub fn sample<S: AsRef<str>>(
    ids: &[S],
    seed: &str,
    options: &Options,
) -> Result<Vec<Ticket>, SamplerError> {
    if options.with_replacement && options.take == usize::MAX {
        return Err(SamplerError::Unbounded);
    }
    let seed_hash = sha256_hex(seed);
    let mut seen = HashSet::new();
    let mut heap = BinaryHeap::with_capacity(ids.len());
    for id in ids {
        let id = id.as_ref();
        if !seen.insert(id) {
            return Err(SamplerError::DuplicateId(id.to_string()));
        }
        heap.push(Reverse((
            uniform(&format!("{seed_hash}{id}")),
            id.to_string(),
            1u32,
        )));
    }
    let wanted = options.drop.saturating_add(options.take);
    let mut out = Vec::new();
    let mut count = 0usize;
    while count < wanted {
        let Some(Reverse((ticket, id, generation))) = heap.pop() else {
            break;
        };
        count += 1;
        if options.with_replacement {
            heap.push(Reverse((
                next_fraction(&ticket),
                id.clone(),
                generation + 1,
            )));
        }
        if count > options.drop {
            out.push(Ticket {
                ticket: trim(&ticket, options.digits),
                id,
                generation,
            });
        }
    }
    Ok(out)
}

/// Python's `str()` of a string, as Arlo hashes ballot ids: single quotes unless the text
/// holds `'` and no `"`; backslash, quote, newline, carriage return and tab escaped; other
/// ASCII control characters as `\xhh`. (Non-ASCII characters that Python deems unprintable
/// are not escaped here.)
pub fn python_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Arlo's ballot id text, `str((batch, position))`: for example `('pct 2', 3)`.
pub fn arlo_ballot_id(batch: &str, position: u64) -> String {
    format!("({}, {position})", python_str_repr(batch))
}
