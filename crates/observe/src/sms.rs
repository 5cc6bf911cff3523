//! The SMS report: `PVT 1234 E1520 B901 X12 A120 C340 ...`, the keyword, the station's
//! number, then each count after its code (`docs/sms.md`). Reading is tolerant of what
//! phones and people do: any case, Cyrillic letters that look like Latin ones, full-width
//! digits, spaces or none, `=`, `:`, `.` or `-` between a code and its count, commas and
//! semicolons between items, `№` or `#` before the station. It is strict about what changes
//! a count: every code given, none twice, no number of more than nine digits, nothing left
//! over, and no character that could make a number read otherwise than it looks (a
//! superscript or circled digit, another script's digit, an invisible or direction-changing
//! character, a quote or an apostrophe between digits): such a character is refused, never
//! dropped. [`read`] never panics (the proptest and `fuzz/fuzz_targets/sms.rs` hold it to
//! that).

use model::Line;

use crate::codes::{Codebook, Field, MAX_CODE};
use crate::ObserveError;

/// The longest message read, in characters: ten segments of a Cyrillic SMS (70 characters
/// each, 67 in a concatenated one).
pub const MAX_MESSAGE: usize = 700;

/// The most digits a count may have (below `model::MAX_COUNT`, 10^9).
pub const MAX_DIGITS: usize = 9;

/// A report read from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReport {
    /// The station's number as typed: digits, or two runs of digits joined by `-` or `/`
    /// (`12-345`, a region's code and its station's).
    pub station: String,
    /// The lines given, in the message's order.
    pub lines: Vec<(Line, u64)>,
    /// Every choice's votes, in the contest's order.
    pub votes: Vec<u64>,
}

/// The alphabet a message is written in, which its reply is written in too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    /// Latin letters (the reply in English).
    Latin,
    /// Cyrillic letters (the reply in Russian).
    Cyrillic,
}

impl Alphabet {
    /// The alphabet of most of a message's letters (Latin when as many are Cyrillic, or
    /// none are letters).
    pub fn of(text: &str) -> Alphabet {
        let (mut latin, mut cyrillic) = (0usize, 0usize);
        for c in text.chars() {
            if c.is_ascii_alphabetic() {
                latin += 1;
            } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
                cyrillic += 1;
            }
        }
        if cyrillic > latin {
            Alphabet::Cyrillic
        } else {
            Alphabet::Latin
        }
    }
}

/// The keyword, as a message's first word folds: `PVT` typed in Latin letters or in their
/// Cyrillic look-alikes (`РVТ`), or the Cyrillic abbreviation `ПВТ` (its В and Т fold to b
/// and t).
const KEYWORDS: [&str; 2] = ["pvt", "пbt"];

/// The longest text a refusal quotes back, in characters.
const QUOTED: usize = 20;

/// Whether a report may hold `c`: a visible letter of any script (a code, the keyword), a
/// digit 0 to 9 (ASCII or full-width), white space, or a separator.
fn readable(c: char) -> bool {
    (c.is_alphabetic() && !model::names::is_invisible(c))
        || c.is_ascii_digit()
        || ('\u{FF10}'..='\u{FF19}').contains(&c)
        || c.is_whitespace()
        || "=:.-,;/№#".contains(c)
}

/// Reads a message by `book`'s codes.
pub fn read(text: &str, book: &Codebook) -> Result<SmsReport, ObserveError> {
    if text.chars().count() > MAX_MESSAGE {
        return Err(ObserveError::TooLong { max: MAX_MESSAGE });
    }
    if let Some((k, c)) = text.chars().enumerate().find(|&(_, c)| !readable(c)) {
        let visible = !c.is_control() && !c.is_whitespace() && !model::names::is_invisible(c);
        return Err(ObserveError::Character {
            at: k + 1,
            shown: if visible {
                format!("'{c}'")
            } else {
                format!("U+{:04X}", u32::from(c))
            },
        });
    }
    // `№` and `#` before a station's number are read as spaces.
    let spaced: String = text
        .chars()
        .map(|c| if c == '№' || c == '#' { ' ' } else { c })
        .collect();
    let folded: Vec<char> = model::names::search_fold(&spaced).chars().collect();
    let mut at = Cursor {
        text: &folded,
        pos: 0,
    };
    at.skip_spaces();
    let keyword: String = at.take_while(char::is_alphabetic);
    if !KEYWORDS.contains(&keyword.as_str()) {
        return Err(ObserveError::NotAReport);
    }
    at.skip_spaces();
    let mut station: String = at.take_while(|c| c.is_ascii_digit());
    if station.is_empty() {
        return Err(ObserveError::NoStation);
    }
    if let Some(joint @ ('-' | '/')) = at.peek() {
        if at.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            at.pos += 1;
            station.push(joint);
            station.push_str(&at.take_while(|c| c.is_ascii_digit()));
        }
    }
    let mut lines: Vec<(Line, u64)> = Vec::new();
    let mut votes: Vec<Option<u64>> = vec![None; book.choices()];
    let mut item = 0;
    loop {
        at.skip_spaces();
        if at.peek().is_none() {
            break;
        }
        item += 1;
        let code: String = at
            .take_while(|c| c.is_ascii_alphabetic())
            .to_ascii_uppercase();
        if code.is_empty() || code.len() > MAX_CODE {
            let text: String = code + &at.take_while(|c| !is_space(c));
            let mut text: String = text.to_uppercase().chars().take(QUOTED + 1).collect();
            if text.chars().count() > QUOTED {
                text = text.chars().take(QUOTED).collect::<String>() + "…";
            }
            return Err(ObserveError::Stray { item, text });
        }
        let field = book.field(&code).ok_or_else(|| ObserveError::UnknownCode {
            item,
            code: code.clone(),
        })?;
        at.skip_blanks();
        if let Some('=' | ':' | '.' | '-') = at.peek() {
            at.pos += 1;
            at.skip_blanks();
        }
        let digits: String = at.take_while(|c| c.is_ascii_digit());
        if digits.is_empty() {
            return Err(ObserveError::NoCount { item, code });
        }
        if digits.len() > MAX_DIGITS {
            return Err(ObserveError::TooLarge {
                item,
                code,
                digits: MAX_DIGITS,
            });
        }
        let count: u64 = digits.parse().expect("1 to 9 ASCII digits");
        let repeated = match field {
            Field::Choice(k) => votes[k].replace(count).is_some(),
            Field::Line(line) => {
                let seen = lines.iter().any(|&(l, _)| l == line);
                lines.push((line, count));
                seen
            }
        };
        if repeated {
            return Err(ObserveError::Repeated { code });
        }
    }
    let missing: Vec<String> = book
        .codes()
        .iter()
        .filter(|(_, f)| match *f {
            Field::Choice(k) => votes[k].is_none(),
            Field::Line(line) => !lines.iter().any(|&(l, _)| l == line),
        })
        .map(|(code, _)| code.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ObserveError::Missing { codes: missing });
    }
    Ok(SmsReport {
        station,
        lines,
        votes: votes.into_iter().map(|v| v.unwrap_or(0)).collect(),
    })
}

/// A report as a message, in `book`'s order (what an observer's sheet shows filled in, what
/// a reply repeats as read, and what the tests read back).
pub fn write(report: &SmsReport, book: &Codebook) -> String {
    format!("PVT {} {}", report.station, items(report, book))
}

/// A report's counts after their codes, in `book`'s order (`E1520 B901 X12 A120 ...`).
pub fn items(report: &SmsReport, book: &Codebook) -> String {
    let mut out = String::new();
    for (code, field) in book.codes() {
        let count = match *field {
            Field::Choice(k) => report.votes.get(k).copied(),
            Field::Line(line) => report.lines.iter().find(|l| l.0 == line).map(|l| l.1),
        };
        if let Some(n) = count {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&format!("{code}{n}"));
        }
    }
    out
}

/// The message an observer's sheet shows for a station, a blank after each code.
pub fn template(station: &str, book: &Codebook) -> String {
    let mut out = format!("PVT {station}");
    for (code, _) in book.codes() {
        out.push_str(&format!(" {code}__"));
    }
    out
}

/// Between items: a space (any the fold leaves: it turns every run of white space into one
/// space), a comma or a semicolon.
fn is_space(c: char) -> bool {
    c == ' ' || c == ',' || c == ';'
}

/// A position in a folded message.
struct Cursor<'a> {
    text: &'a [char],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.text.get(self.pos + ahead).copied()
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.text[start..self.pos].iter().collect()
    }

    fn skip_spaces(&mut self) {
        self.take_while(is_space);
    }

    /// Spaces only (not commas), between a code and its count.
    fn skip_blanks(&mut self) {
        self.take_while(|c| c == ' ');
    }
}
