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
use std::collections::BinaryHeap;

use sha2::{Digest, Sha256};

/// SHA-256 of the UTF-8 bytes of `s`, as 64 lowercase hex digits.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
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
    /// Threads that compute the tickets (the draw does not depend on it).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            with_replacement: false,
            drop: 0,
            take: usize::MAX,
            digits: 9,
            threads: 1,
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
    /// The id's position in the input list.
    pub index: usize,
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
    /// More ids than the sampler indexes (2^32 - 1).
    TooMany(usize),
}

impl std::fmt::Display for SamplerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SamplerError::DuplicateId(id) => write!(f, "the id '{id}' appears twice"),
            SamplerError::Unbounded => write!(
                f,
                "sampling with replacement needs a finite number of draws"
            ),
            SamplerError::TooMany(n) => {
                write!(f, "{n} ids are more than the sampler indexes (2^32 - 1)")
            }
        }
    }
}

impl std::error::Error for SamplerError {}

/// Draws from `ids` in ticket order for `seed`.
pub fn sample<S: AsRef<str> + Sync>(
    ids: &[S],
    seed: &str,
    options: &Options,
) -> Result<Vec<Ticket>, SamplerError> {
    sample_generated(
        ids.len(),
        |i, buf| buf.push_str(ids[i].as_ref()),
        seed,
        options,
    )
}

/// Draws from `count` ids in ticket order for `seed`, where `write_id(i, buf)` appends the
/// text of id `i` to `buf` (so that a million ballot ids need not be held as strings).
///
/// Only the first 19 digits of a ticket are needed to order almost every pair of ids, and
/// they are the low-order 19 decimal digits of the hash, reversed: `H mod 10^19`, which
/// takes four 128-bit remainders instead of the 78-digit conversion. Ids are sorted by
/// those digits; equal leading digits (two equal ids, or about one pair in 10^19 / n²)
/// are decided by the full tickets. Only the ids that can be drawn — the `drop + take`
/// smallest first tickets, since a replacement ticket is always larger than the one it
/// replaces (the VotingWorks fork's observation) — get full tickets and go through
/// Rivest's heap. The hashing runs on `options.threads` threads; the result does not
/// depend on their number.
pub fn sample_generated(
    count: usize,
    write_id: impl Fn(usize, &mut String) + Sync,
    seed: &str,
    options: &Options,
) -> Result<Vec<Ticket>, SamplerError> {
    if options.with_replacement && options.take == usize::MAX {
        return Err(SamplerError::Unbounded);
    }
    if count > u32::MAX as usize {
        return Err(SamplerError::TooMany(count));
    }
    let seed_hash = sha256_hex(seed);
    // The seed's hex hash is exactly one SHA-256 block: hash it once.
    let prefix = Sha256::new_with_prefix(seed_hash.as_bytes());
    // Each thread fills and sorts its own slice of the keys; the stable sort then merges
    // the sorted runs in linear time.
    let fill = |from: usize, slice: &mut [(u64, u32)]| {
        let mut buf = String::new();
        for (k, slot) in slice.iter_mut().enumerate() {
            let i = from + k;
            buf.clear();
            write_id(i, &mut buf);
            let digest = prefix.clone().chain_update(buf.as_bytes()).finalize();
            *slot = (leading_digits(&digest), i as u32);
        }
        slice.sort_unstable();
    };
    let threads = options.threads.clamp(1, 64);
    let mut keys: Vec<(u64, u32)> = vec![(0, 0); count];
    if threads == 1 || count < 4096 {
        fill(0, &mut keys);
    } else {
        let per = count.div_ceil(threads);
        std::thread::scope(|scope| {
            for (t, slice) in keys.chunks_mut(per).enumerate() {
                let fill = &fill;
                scope.spawn(move || fill(t * per, slice));
            }
        });
        keys.sort();
    }
    let id = |i: u32| {
        let mut buf = String::new();
        write_id(i as usize, &mut buf);
        buf
    };
    let full = |i: u32| uniform(&format!("{seed_hash}{}", id(i)));
    // Runs of equal leading digits: a duplicate id, or (rarely) tickets that differ later.
    let wanted = options.drop.saturating_add(options.take);
    let mut order: Vec<(Option<String>, u32)> = Vec::new();
    let mut start = 0;
    while start < keys.len() && order.len() < wanted {
        let mut end = start + 1;
        while end < keys.len() && keys[end].0 == keys[start].0 {
            end += 1;
        }
        if end - start == 1 {
            order.push((None, keys[start].1));
        } else {
            let mut run: Vec<(String, u32)> = keys[start..end]
                .iter()
                .map(|&(_, i)| (full(i), i))
                .collect();
            run.sort_unstable();
            for w in run.windows(2) {
                if w[0].0 == w[1].0 {
                    return Err(SamplerError::DuplicateId(id(w[0].1)));
                }
            }
            order.extend(run.into_iter().map(|(t, i)| (Some(t), i)));
        }
        start = end;
    }
    // Duplicates among the ids not reached: equal ids have equal digits, so they are
    // adjacent in the sorted keys.
    for w in keys[start.min(keys.len())..].windows(2) {
        if w[0].0 == w[1].0 && id(w[0].1) == id(w[1].1) {
            return Err(SamplerError::DuplicateId(id(w[0].1)));
        }
    }
    order.truncate(wanted);
    let mut heap: BinaryHeap<Reverse<(String, u32, u32)>> = order
        .into_iter()
        .map(|(t, i)| Reverse((t.unwrap_or_else(|| full(i)), i, 1)))
        .collect();
    let mut out = Vec::new();
    let mut drawn = 0usize;
    while drawn < wanted {
        let Some(Reverse((ticket, i, generation))) = heap.pop() else {
            break;
        };
        drawn += 1;
        if options.with_replacement {
            heap.push(Reverse((next_fraction(&ticket), i, generation + 1)));
        }
        if drawn > options.drop {
            out.push(Ticket {
                ticket: trim(&ticket, options.digits),
                id: id(i),
                index: i as usize,
                generation,
            });
        }
    }
    Ok(out)
}

/// The first 19 digits of `U` for a digest: its low-order 19 decimal digits, reversed, as
/// an integer (so that comparing these integers compares the tickets' first 19 digits).
///
/// `H mod 10^19` comes from `H mod 2^19` (the low bits) and `H mod 5^19` by the Chinese
/// remainder theorem. `H mod 5^19` is a sum of the hash's sixteen 16-bit pieces times
/// `2^(16k) mod 5^19`: each product is below 2^61 and eight of them below 2^64, so the
/// sum needs no 128-bit division, and its products do not wait on each other.
fn leading_digits(digest: &[u8]) -> u64 {
    const FIVE: u64 = 19_073_486_328_125; // 5^19
    const TWO: u64 = 1 << 19;
    // The inverse of 5^19 modulo 2^19.
    const INV: u64 = inverse_mod_pow2(FIVE % TWO, 19);
    const WEIGHTS: [u64; 16] = powers_of_two_16(FIVE);
    let piece = |k: usize| u64::from(u16::from_be_bytes([digest[2 * k], digest[2 * k + 1]]));
    // Piece k (from the most significant) weighs 2^(16 (15 - k)).
    let half = |from: usize| {
        (from..from + 8)
            .map(|k| piece(k) * WEIGHTS[15 - k])
            .sum::<u64>()
            % FIVE
    };
    let r5 = (half(0) + half(8)) % FIVE;
    let low = u64::from(u32::from_be_bytes([
        digest[28], digest[29], digest[30], digest[31],
    ])) % TWO;
    // x = r5 + 5^19 k with x ≡ low (mod 2^19).
    let k = (low.wrapping_sub(r5) % TWO).wrapping_mul(INV) % TWO;
    let rest = r5 + FIVE * k; // H mod 10^19
                              // Reversed as two independent halves, the low 10 digits and the high 9.
    const E10: u64 = 10_000_000_000;
    reverse_digits(rest % E10, 10) * 1_000_000_000 + reverse_digits(rest / E10, 9)
}

/// The first `n` decimal digits of `x` (from the least significant, zero-padded) in
/// reverse order, as a number.
fn reverse_digits(mut x: u64, n: u32) -> u64 {
    let mut r = 0;
    for _ in 0..n {
        r = r * 10 + x % 10;
        x /= 10;
    }
    r
}

/// `2^(16k) mod m` for k = 0..16.
const fn powers_of_two_16(m: u64) -> [u64; 16] {
    let mut w = [0u64; 16];
    let mut x = 1 % m;
    let mut k = 0;
    while k < 16 {
        w[k] = x;
        x = ((x as u128 * 65_536) % m as u128) as u64;
        k += 1;
    }
    w
}

/// The inverse of the odd number `a` modulo `2^bits` (Newton's iteration).
const fn inverse_mod_pow2(a: u64, bits: u32) -> u64 {
    let mut x = 1u64;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x & ((1u64 << bits) - 1)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The 19 leading digits agree with the decimal conversion of `uniform`.
    #[test]
    fn leading_digits_are_the_tickets_first_digits() {
        for k in 0..2000 {
            let s = format!("seed-{k}");
            let digest = Sha256::digest(s.as_bytes());
            let want: u64 = uniform(&s)[2..21].parse().unwrap_or(u64::MAX);
            assert_eq!(leading_digits(&digest), want, "{s}");
        }
    }
}
