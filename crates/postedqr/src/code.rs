//! The posted protocol's text, version 1 (`docs/protocol-qr.md`). Every character is in the
//! QR alphanumeric set (digits, upper-case letters and ` $%*+-./:`), which a QR symbol holds
//! in 5.5 bits each:
//!
//! ```text
//! TPQ1/<election>/<station>/<contest>/<source>/<time>/<key>/<lines>/<votes>/<check>
//! ```
//!
//! * `election`: the election's name in the store, its UTF-8 bytes in RFC 4648 base32 (upper
//!   case, no padding);
//! * `station`: the station's unit id in the election's declared unit tree, decimal;
//! * `contest`: the contest's index in the election, decimal;
//! * `source`: `M` (the manual count the commission signs) or `A` (a ballot scanner's);
//! * `time`: when the count ended, UTC, `YYYYMMDDHHMM`;
//! * `key`: the first 16 bytes of the log key's fingerprint, upper-case hex;
//! * `lines`: the lines given, as a mask of `model::Line::ALL` positions (bit 0 the first) in
//!   upper-case hex, then `.` and each given line's count in that order, `.`-separated;
//! * `votes`: every choice's votes in the contest's order, `.`-separated (`-` for none);
//! * `check`: the first 4 bytes of SHA-256 of everything before it (its `/` included), in
//!   upper-case hex: a misread or a hand-made change that keeps the QR's own error correction
//!   happy still fails here.

use model::{CountSource, Line, Protocol, UnitId};
use sha2::{Digest, Sha256};

use crate::PostedError;

/// The text's format and version, its first field.
pub const FORMAT: &str = "TPQ1";

/// The most characters a text may have: what a QR symbol of version 10 at level M holds in
/// alphanumeric mode.
pub const MAX_TEXT: usize = 311;

/// A protocol as posted at its station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The election's name in the store.
    pub election: String,
    /// The station.
    pub station: UnitId,
    /// The contest, by its index in the election.
    pub contest: usize,
    /// Whose count it is.
    pub source: CountSource,
    /// When the count ended, UTC: `YYYY-MM-DD HH:MM`.
    pub time: String,
    /// The first 16 bytes of the log key's fingerprint (what a reader pins the key by).
    pub key: [u8; 16],
    /// The lines given, in `Line::ALL` order.
    pub lines: Vec<(Line, u64)>,
    /// Every choice's votes, in the contest's order.
    pub votes: Vec<u64>,
}

/// RFC 4648's base32 alphabet.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = BASE32.iter().position(|&b| b == c)? as u32;
        acc = ((acc << 5) | v) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    // Padding bits are zero, and fewer than a byte's worth (the encoding is canonical).
    (bits < 5 && acc & ((1 << bits) - 1) == 0).then_some(out)
}

/// The text's `election` field for election `name`: its UTF-8 bytes in base32 (what the
/// protocol form writes into its page, so that the page's script needs no base32).
pub fn election_field(name: &str) -> String {
    base32(name.as_bytes())
}

fn check_of(body: &str) -> String {
    hex::encode_upper(&Sha256::digest(body.as_bytes())[..4])
}

/// A count as written: decimal digits, no sign, no leading zero (but `0`), at most 19 digits.
fn count(field: &'static str, text: &str) -> Result<u64, PostedError> {
    let ok = !text.is_empty()
        && text.len() <= 19
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    ok.then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| PostedError::text(field, format!("'{text}' is not a count")))
}

fn counts(field: &'static str, text: &str) -> Result<Vec<u64>, PostedError> {
    if text == "-" {
        return Ok(Vec::new());
    }
    text.split('.').map(|c| count(field, c)).collect()
}

fn joined(values: impl Iterator<Item = u64>) -> String {
    let v: Vec<String> = values.map(|n| n.to_string()).collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(".")
    }
}

/// Whether `t` is a minute `YYYY-MM-DD HH:MM` whose fields are in range.
fn minute_digits(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let shape = b.len() == 16
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && [0..4, 5..7, 8..10, 11..13, 14..16]
            .iter()
            .all(|r| b[r.clone()].iter().all(u8::is_ascii_digit));
    if !shape {
        return None;
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    in_range(&digits).then_some(digits)
}

fn in_range(d: &str) -> bool {
    let n = |r: std::ops::Range<usize>| d[r].parse::<u32>().unwrap_or(u32::MAX);
    (1..=12).contains(&n(4..6)) && (1..=31).contains(&n(6..8)) && n(8..10) < 24 && n(10..12) < 60
}

impl Posted {
    /// Protocol `p` as posted: election `election`'s, its count ended at `time` (`YYYY-MM-DD
    /// HH:MM`, UTC), under the log key whose fingerprint begins with `key`.
    pub fn of(p: &Protocol, election: &str, time: &str, key: [u8; 16]) -> Posted {
        Posted {
            election: election.to_string(),
            station: p.station,
            contest: p.contest,
            source: p.source,
            time: time.to_string(),
            key,
            lines: Line::ALL
                .iter()
                .filter_map(|&l| p.line(l).map(|n| (l, n)))
                .collect(),
            votes: p.votes.clone(),
        }
    }

    /// The figures as a protocol (its version 0).
    pub fn protocol(&self) -> Protocol {
        let mut p = Protocol::new(self.station, self.contest, self.votes.len());
        for &(l, n) in &self.lines {
            p.set_line(l, n);
        }
        p.votes.clone_from(&self.votes);
        p.source = self.source;
        p
    }

    /// The text, or why it cannot be written: a time that is no minute, or more than
    /// [`MAX_TEXT`] characters.
    pub fn encode(&self) -> Result<String, PostedError> {
        let time = minute_digits(&self.time).ok_or_else(|| {
            PostedError::text("time", format!("'{}': YYYY-MM-DD HH:MM", self.time))
        })?;
        if self.election.is_empty() {
            return Err(PostedError::text("election", "no name"));
        }
        let mut mask = 0u32;
        let mut ordered = Vec::with_capacity(self.lines.len());
        for &l in Line::ALL {
            if let Some(&(_, n)) = self.lines.iter().find(|(x, _)| *x == l) {
                mask |= 1 << l.index();
                ordered.push(n);
            }
        }
        let lines = match ordered.is_empty() {
            true => format!("{mask:X}"),
            false => format!("{mask:X}.{}", joined(ordered.into_iter())),
        };
        let source = match self.source {
            CountSource::Manual => "M",
            CountSource::Machine => "A",
        };
        let body = format!(
            "{FORMAT}/{}/{}/{}/{source}/{time}/{}/{lines}/{}/",
            base32(self.election.as_bytes()),
            self.station.0,
            self.contest,
            hex::encode_upper(self.key),
            joined(self.votes.iter().copied()),
        );
        let text = format!("{body}{}", check_of(&body));
        if text.len() > MAX_TEXT {
            return Err(PostedError::TooLong {
                chars: text.len(),
                why: format!("at most {MAX_TEXT} characters"),
            });
        }
        Ok(text)
    }

    /// Reads a text written by [`Posted::encode`]; errors name the field at fault.
    pub fn decode(text: &str) -> Result<Posted, PostedError> {
        let fields: Vec<&str> = text.split('/').collect();
        if fields.first() != Some(&FORMAT) {
            let head: String = fields.first().map_or("", |f| f).chars().take(8).collect();
            return Err(PostedError::text(
                "format",
                format!(
                    "'{head}' is not {FORMAT}: not a tallyproof protocol's code, or a newer one"
                ),
            ));
        }
        let [_, election, station, contest, source, time, key, lines, votes, check] = fields[..]
        else {
            return Err(PostedError::text(
                "format",
                format!("{} fields, {FORMAT} has 10", fields.len()),
            ));
        };
        let body = &text[..text.len() - check.len()];
        if check != check_of(body) {
            return Err(PostedError::text(
                "check",
                "the check digits do not match the rest: misread, or changed",
            ));
        }
        let election = unbase32(election)
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|e| !e.is_empty())
            .ok_or_else(|| PostedError::text("election", "not a name in base32"))?;
        let station = UnitId(
            u32::try_from(count("station", station)?)
                .map_err(|_| PostedError::text("station", "beyond any unit id"))?,
        );
        let contest = usize::try_from(count("contest", contest)?)
            .ok()
            .filter(|&c| c < 1_000)
            .ok_or_else(|| PostedError::text("contest", "beyond any contest"))?;
        let source = match source {
            "M" => CountSource::Manual,
            "A" => CountSource::Machine,
            other => {
                return Err(PostedError::text(
                    "source",
                    format!("'{other}': M (manual) or A (a scanner's)"),
                ))
            }
        };
        if time.len() != 12 || !time.bytes().all(|b| b.is_ascii_digit()) || !in_range(time) {
            return Err(PostedError::text("time", format!("'{time}': YYYYMMDDHHMM")));
        }
        let time = format!(
            "{}-{}-{} {}:{}",
            &time[0..4],
            &time[4..6],
            &time[6..8],
            &time[8..10],
            &time[10..12]
        );
        let key: [u8; 16] = hex::decode(key)
            .ok()
            .filter(|_| key.bytes().all(|b| !b.is_ascii_lowercase()))
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| PostedError::text("key", "32 upper-case hex digits"))?;
        let (mask, values) = lines.split_once('.').unwrap_or((lines, ""));
        let mask = u32::from_str_radix(mask, 16)
            .ok()
            .filter(|m| m >> Line::COUNT == 0 && !mask.is_empty() && mask.len() <= 4)
            .ok_or_else(|| PostedError::text("lines", format!("'{mask}': a mask of lines")))?;
        let values = match values {
            "" => Vec::new(),
            v => counts("lines", v)?,
        };
        let given: Vec<Line> = Line::ALL
            .iter()
            .copied()
            .filter(|l| mask & (1 << l.index()) != 0)
            .collect();
        if given.len() != values.len() {
            return Err(PostedError::text(
                "lines",
                format!("{} lines marked, {} counts", given.len(), values.len()),
            ));
        }
        Ok(Posted {
            election,
            station,
            contest,
            source,
            time,
            key,
            lines: given.into_iter().zip(values).collect(),
            votes: counts("votes", votes)?,
        })
    }

    /// Where protocol `p`, typed from the posted protocol, is not what this code holds: another
    /// station, contest or count; a line the code gives that `p` lacks or has otherwise;
    /// other votes. Empty when every figure of the code is `p`'s (`p` may give more lines).
    pub fn differences(&self, p: &Protocol) -> Vec<String> {
        let mut out = Vec::new();
        if self.station != p.station {
            out.push(format!(
                "station {} in the code, {} typed",
                self.station.0, p.station.0
            ));
        }
        if self.contest != p.contest {
            out.push(format!(
                "contest {} in the code, {} typed",
                self.contest, p.contest
            ));
        }
        if self.source != p.source {
            out.push(format!(
                "the {} count in the code, the {} count typed",
                self.source.key(),
                p.source.key()
            ));
        }
        for &(line, n) in &self.lines {
            if p.line(line) != Some(n) {
                let typed = p.line(line).map_or("none".to_string(), |v| v.to_string());
                out.push(format!("{}: {n} in the code, {typed} typed", line.key()));
            }
        }
        if self.votes != p.votes {
            out.push(format!(
                "votes: {} in the code, {} typed",
                joined(self.votes.iter().copied()),
                joined(p.votes.iter().copied())
            ));
        }
        out
    }

    /// The SHA-256 of a text, lower-case hex: what an entry made from the posted protocol
    /// records as the QR's digest.
    pub fn digest(text: &str) -> String {
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an operator typed against what the code holds: the same figures (and a line
    /// more) pass; a vote moved, a line the code gives left blank, another count are named.
    #[test]
    fn differences_name_every_figure_the_code_holds_otherwise() {
        let mut p = Protocol::new(UnitId(7), 0, 2);
        p.votes = vec![30, 12];
        p.set_line(Line::Valid, 42);
        let posted = Posted::of(&p, "kg", "2020-10-04 21:30", [0; 16]);
        p.set_line(Line::Registered, 100);
        assert!(posted.differences(&p).is_empty());
        let mut moved = p.clone();
        moved.votes = vec![31, 11];
        assert_eq!(
            posted.differences(&moved),
            ["votes: 30.12 in the code, 31.11 typed"]
        );
        let mut blank = Protocol::new(UnitId(7), 0, 2);
        blank.votes = vec![30, 12];
        blank.source = CountSource::Machine;
        assert_eq!(
            posted.differences(&blank),
            [
                "the manual count in the code, the machine count typed",
                "valid: 42 in the code, none typed"
            ]
        );
    }

    #[test]
    fn base32_is_rfc_4648s() {
        // RFC 4648, section 10, without the padding.
        for (plain, coded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), coded);
            assert_eq!(unbase32(coded).unwrap(), plain.as_bytes());
        }
        // Non-zero padding bits, or a length no encoding has: not canonical.
        assert_eq!(unbase32("MZ"), None);
        assert_eq!(unbase32("M"), None);
        assert_eq!(unbase32("mz"), None);
    }
}
