//! Typed names, folded once: the user names the results service accepts
//! ([`normalise_user_name`]), the names an import takes for units, choices and contests
//! ([`name_fault`], and [`shown`] to quote one in an error), the control characters a free
//! text may not hold ([`text_fault`]), the look-alike skeleton that tells two names apart or not
//! ([`skeleton`]), and the matching of a typed name against a list ([`match_name`]): party
//! names in audit readings and reports, user names. A name that looks like two names is
//! refused, never guessed.
//!
//! The skeleton is NFKC (Unicode Standard Annex #15), lower case, without quotation marks,
//! invisible characters and repeated spaces, with the Cyrillic and Greek letters that look like
//! Latin ones replaced by those (a small explicit table after Unicode Technical Standard #39's
//! confusables, for the scripts this project meets; it is not the whole of #39).

use unicode_normalization::UnicodeNormalization;

use crate::ModelError;

/// The longest user name, in characters.
pub const USER_NAME_MAX: usize = 64;

/// A user name in its stored form: NFKC, then only letters, digits, `.`, `-` and `_`
/// (no spaces, no control, format, zero-width or bidirectional characters), 1 to
/// [`USER_NAME_MAX`] characters, starting with a letter or a digit. Case is kept; two names
/// that differ only in case (or look alike) are told apart by [`skeleton`].
pub fn normalise_user_name(name: &str) -> Result<String, ModelError> {
    let bad = |why| ModelError::BadUserName {
        name: name.to_string(),
        why,
    };
    let n: String = name.nfkc().collect();
    let count = n.chars().count();
    if count == 0 {
        return Err(bad("a user name cannot be empty"));
    }
    if count > USER_NAME_MAX {
        return Err(bad("a user name has at most 64 characters"));
    }
    for c in n.chars() {
        if c.is_whitespace() {
            return Err(bad("a user name has no spaces"));
        }
        if c.is_control() || is_invisible(c) {
            return Err(bad(
                "a user name has no control, format, zero-width or bidirectional characters",
            ));
        }
        if !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            return Err(bad(
                "a user name has only letters, digits, '.', '-' and '_'",
            ));
        }
    }
    if !n.chars().next().is_some_and(char::is_alphanumeric) {
        return Err(bad("a user name starts with a letter or a digit"));
    }
    Ok(n)
}

/// The longest name of a unit, a choice, a contest or an election an import takes, in bytes:
/// ten times the longest official name met (a Russian referendum's title), and short enough
/// that a page listing hundreds of them stays readable.
pub const NAME_MAX_BYTES: usize = 1000;

/// Why a name from an imported file is refused: it would be shown on pages, exported to
/// spreadsheets and stored in databases, so it must print as what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameFault {
    /// Nothing but white space.
    #[error("is empty")]
    Empty,
    /// Longer than [`NAME_MAX_BYTES`].
    #[error("is {0} bytes long: a name has at most 1000")]
    TooLong(usize),
    /// A control character: a NUL (which PostgreSQL's text refuses), a line end, an escape.
    #[error("holds the control character U+{:04X}", *.0 as u32)]
    Control(char),
    /// A zero-width, bidirectional or other format character: the name would look like
    /// another name, or print its letters in another order.
    #[error("holds the invisible character U+{:04X} (zero-width, bidirectional or format): it would look like another name", *.0 as u32)]
    Invisible(char),
    /// A first character that makes a spreadsheet read the cell as a formula.
    #[error("starts with '{0}': a spreadsheet opening an export would run it as a formula")]
    Formula(char),
}

/// What is wrong with a name from an imported file, if anything: empty, longer than
/// [`NAME_MAX_BYTES`], holding a control or invisible character, or starting with a formula's
/// `=`, `+`, `-` or `@` (OWASP's CSV injection).
pub fn name_fault(name: &str) -> Option<NameFault> {
    if name.len() > NAME_MAX_BYTES {
        return Some(NameFault::TooLong(name.len()));
    }
    if name.trim().is_empty() {
        return Some(NameFault::Empty);
    }
    if let Some(c @ ('=' | '+' | '-' | '@')) = name.chars().next() {
        return Some(NameFault::Formula(c));
    }
    if name.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return None;
    }
    name.chars().find_map(|c| {
        if c.is_control() {
            Some(NameFault::Control(c))
        } else if is_invisible(c) {
            Some(NameFault::Invisible(c))
        } else {
            None
        }
    })
}

/// The first character a free text (a complaint, a decision's reason, a label) may not hold,
/// if any: a control character other than a tab or a line end. A NUL, which PostgreSQL's text
/// refuses, would make the two stores disagree; an escape sequence has no place in a text
/// either.
pub fn text_fault(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A name or a cell as an error message quotes it: control and invisible characters written
/// as `\u{202e}`, and at most 120 characters (then `…`: a Russian protocol line's header
/// fits), whatever the input.
pub fn shown(text: &str) -> String {
    shown_within(text, 120)
}

/// [`shown`], cut after `max` characters.
pub fn shown_within(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() || is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The form two names are compared in: equal skeletons look alike (or are the same name typed
/// differently). Not for display.
pub fn skeleton(name: &str) -> String {
    fold(name, Digits::LookAlike)
}

/// The form a unit search compares names in (`crate::search`): the [`skeleton`] with its
/// digits left as digits, so that a number typed stays a number (`10` does not find `lo`).
pub fn search_fold(name: &str) -> String {
    fold(name, Digits::Kept)
}

/// Whether a fold replaces the digits that look like letters (0 and 1) by those letters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Digits {
    LookAlike,
    Kept,
}

/// [`skeleton`], with `digits` saying what becomes of 0 and 1.
fn fold(name: &str, digits: Digits) -> String {
    let lower: String = name
        .nfkc()
        .filter(|c| !is_invisible(*c) && !quote(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = String::with_capacity(lower.len());
    let mut space = false;
    for c in lower.nfkc() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match look_alike(c) {
            Some(_) if digits == Digits::Kept && c.is_ascii_digit() => out.push(c),
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
    }
    out
}

/// The one of `candidates` that `input` names, compared by [`skeleton`]. `what` names the
/// candidates in errors (`"party"`, `"user"`). An input that matches none, or two, is refused.
pub fn match_name<S: AsRef<str>>(
    input: &str,
    candidates: &[S],
    what: &'static str,
) -> Result<usize, ModelError> {
    NameIndex::new(candidates, what).find(input)
}

/// [`match_name`] over a fixed list, with the candidates' skeletons computed once (for
/// matching every row of a file).
#[derive(Debug, Clone)]
pub struct NameIndex {
    names: Vec<String>,
    skeletons: Vec<String>,
    what: &'static str,
}

impl NameIndex {
    /// The index of `candidates`; `what` names them in errors.
    pub fn new<S: AsRef<str>>(candidates: &[S], what: &'static str) -> NameIndex {
        NameIndex {
            names: candidates.iter().map(|c| c.as_ref().to_string()).collect(),
            skeletons: candidates.iter().map(|c| skeleton(c.as_ref())).collect(),
            what,
        }
    }

    /// The candidate `input` names: refused if none, or two, look like it.
    pub fn find(&self, input: &str) -> Result<usize, ModelError> {
        let want = skeleton(input);
        let mut hits = self
            .skeletons
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == want);
        let Some((first, _)) = hits.next() else {
            return Err(ModelError::NoMatch {
                input: input.to_string(),
                what: self.what,
            });
        };
        if let Some((second, _)) = hits.next() {
            return Err(ModelError::Ambiguous {
                input: input.to_string(),
                what: self.what,
                first: self.names[first].clone(),
                second: self.names[second].clone(),
            });
        }
        Ok(first)
    }
}

/// Characters that show nothing or reorder what follows: format characters (zero-width
/// joiners, bidirectional marks, overrides and isolates, the byte-order mark, the soft hyphen)
/// and variation selectors.
/// Whether a character is invisible (a format control, a filler, a variation selector): a
/// typed name drops it, a typed count refuses it.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFFB}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// Quotation marks, which a typed name may or may not carry: `"БИРИМДИК"`, `«БИРИМДИК»`.
fn quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '`'
            | '«'
            | '»'
            | '‹'
            | '›'
            | '„'
            | '‚'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '‟'
            | '‛'
            | '＂'
            | '＇'
            | '「'
            | '」'
            | '『'
            | '』'
    )
}

/// A lower-case letter's Latin look-alike, if it has one: after UTS #39's confusables for
/// Cyrillic and Greek, plus the digits 0 and 1 and the two forms of sigma and of sharp s.
fn look_alike(c: char) -> Option<&'static str> {
    Some(match c {
        // Cyrillic.
        'а' => "a",
        'в' => "b",
        'е' => "e",
        'ё' => "ë",
        'һ' | 'н' => "h",
        'і' => "i",
        'ї' => "ï",
        'ј' => "j",
        'к' => "k",
        'ӏ' => "l",
        'м' => "m",
        'о' => "o",
        'р' => "p",
        'ԛ' => "q",
        'ѕ' => "s",
        'т' => "t",
        'с' => "c",
        'у' => "y",
        'ԝ' => "w",
        'х' => "x",
        'ԁ' => "d",
        'ү' => "y",
        'ɡ' => "g",
        // Greek.
        'α' => "a",
        'β' => "b",
        'ε' => "e",
        'η' => "n",
        'ι' => "i",
        'κ' => "k",
        'μ' => "u",
        'ν' => "v",
        'ο' => "o",
        'ρ' => "p",
        'τ' => "t",
        'υ' => "u",
        'χ' => "x",
        'ζ' => "z",
        'ς' => "σ",
        // Latin and digits.
        'ß' => "ss",
        'ı' => "i",
        '0' => "o",
        '1' => "l",
        _ => return None,
    })
}
