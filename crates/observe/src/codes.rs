//! A quick count's short codes: which count of a copied protocol each code of an SMS report
//! stands for. Codes are Latin capital letters; an observer may type them in Cyrillic, since a
//! Cyrillic letter that looks like a Latin one is read as it (`model::names::search_fold`):
//! the default codes use only the twelve letters that look the same in both alphabets
//! (A B C E H K M O P T X Y), so that every phone can type them.

use model::Line;

use crate::ObserveError;

/// What a code stands for: a protocol line, or the votes of a choice (its index in the
/// contest's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A protocol line.
    Line(Line),
    /// A choice's votes.
    Choice(usize),
}

/// The letters that look alike in the Latin and Cyrillic alphabets.
pub const SHARED_LETTERS: &str = "ABCEHKMOPTXY";

/// The default codes of the lines: E registered voters (electors), B ballots issued, X
/// invalid ballots.
pub const LINE_CODES: [(&str, Line); 3] = [
    ("E", Line::Registered),
    ("B", Line::IssuedTotal),
    ("X", Line::Invalid),
];

/// The letters of the default choice codes: the shared letters the lines leave.
const CHOICE_LETTERS: &[u8] = b"ACHKMOPTY";

/// The longest code.
pub const MAX_CODE: usize = 4;

/// A quick count's codes, in the order a sheet prints them: each code once, each field
/// once, every choice of the contest given a code. A report gives every code: the lines too,
/// so that its counts are checked against its registered voters and ballots issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codebook {
    codes: Vec<(String, Field)>,
    choices: usize,
}

impl Codebook {
    /// The codes of a contest of `choices` choices. A code is folded as a message is (case,
    /// Cyrillic look-alikes) and must then be 1 to [`MAX_CODE`] Latin letters.
    pub fn new(codes: &[(&str, Field)], choices: usize) -> Result<Codebook, ObserveError> {
        let mut out: Vec<(String, Field)> = Vec::with_capacity(codes.len());
        for &(code, field) in codes {
            let folded = fold_code(code).ok_or_else(|| {
                ObserveError::invalid(
                    "code",
                    format!("'{code}': a code is 1 to {MAX_CODE} Latin letters"),
                )
            })?;
            if let Field::Choice(k) = field {
                if k >= choices {
                    return Err(ObserveError::invalid(
                        "code",
                        format!("{folded}: the contest has {choices} choices, not {}", k + 1),
                    ));
                }
            }
            if out.iter().any(|(c, _)| *c == folded) {
                return Err(ObserveError::invalid(
                    "code",
                    format!("{folded} is given twice"),
                ));
            }
            if out.iter().any(|&(_, f)| f == field) {
                return Err(ObserveError::invalid(
                    "code",
                    format!("{folded}: its count has another code"),
                ));
            }
            out.push((folded, field));
        }
        if let Some(k) = (0..choices).find(|&k| !out.iter().any(|&(_, f)| f == Field::Choice(k))) {
            return Err(ObserveError::invalid(
                "code",
                format!("choice {} has no code", k + 1),
            ));
        }
        Ok(Codebook {
            codes: out,
            choices,
        })
    }

    /// The default codes of a contest of `choices` choices: the lines' [`LINE_CODES`], then
    /// the choices in the contest's order A C H K M O P T Y, then AA AC AH ... (two letters,
    /// then three).
    pub fn default_for(choices: usize) -> Codebook {
        let mut codes: Vec<(String, Field)> = LINE_CODES
            .iter()
            .map(|&(c, l)| (c.to_string(), Field::Line(l)))
            .collect();
        codes.extend((0..choices).map(|k| (choice_code(k), Field::Choice(k))));
        Codebook { codes, choices }
    }

    /// The codes and their fields, in order.
    pub fn codes(&self) -> &[(String, Field)] {
        &self.codes
    }

    /// The contest's choices.
    pub fn choices(&self) -> usize {
        self.choices
    }

    /// The field of a folded code.
    pub fn field(&self, code: &str) -> Option<Field> {
        self.codes.iter().find(|(c, _)| c == code).map(|&(_, f)| f)
    }

    /// The code of a field.
    pub fn code(&self, field: Field) -> Option<&str> {
        self.codes
            .iter()
            .find(|&&(_, f)| f == field)
            .map(|(c, _)| c.as_str())
    }
}

/// The default code of choice `k`: bijective base 9 over [`CHOICE_LETTERS`] (A ... Y, AA,
/// AC, ... YY, AAA, ...).
fn choice_code(k: usize) -> String {
    let base = CHOICE_LETTERS.len();
    let mut k = k + 1;
    let mut out = Vec::new();
    while k > 0 {
        k -= 1;
        out.push(CHOICE_LETTERS[k % base]);
        k /= base;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// A code as a message's code is read: folded, in capitals, if it is then 1 to
/// [`MAX_CODE`] Latin letters.
pub fn fold_code(code: &str) -> Option<String> {
    let folded = model::names::search_fold(code).to_ascii_uppercase();
    let ok =
        (1..=MAX_CODE).contains(&folded.len()) && folded.bytes().all(|b| b.is_ascii_uppercase());
    ok.then_some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_codes_use_letters_both_alphabets_share() {
        let book = Codebook::default_for(16);
        let codes: Vec<&str> = book.codes().iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            [
                "E", "B", "X", "A", "C", "H", "K", "M", "O", "P", "T", "Y", "AA", "AC", "AH", "AK",
                "AM", "AO", "AP"
            ]
        );
        for (code, _) in book.codes() {
            assert!(code.chars().all(|c| SHARED_LETTERS.contains(c)), "{code}");
        }
        assert_eq!(choice_code(9 + 81 - 1), "YY");
        assert_eq!(choice_code(9 + 81), "AAA");
    }

    #[test]
    fn a_codebook_refuses_what_a_message_could_not_tell_apart() {
        let ok = Codebook::new(&[("а", Field::Choice(0)), ("B", Field::Choice(1))], 2).unwrap();
        assert_eq!(ok.field("A"), Some(Field::Choice(0)));
        for (codes, why) in [
            (
                vec![("A", Field::Choice(0)), ("а", Field::Choice(1))],
                "A is given twice",
            ),
            (vec![("A", Field::Choice(0))], "choice 2 has no code"),
            (
                vec![("A1", Field::Choice(0)), ("B", Field::Choice(1))],
                "Latin letters",
            ),
            (vec![("", Field::Choice(0))], "Latin letters"),
            (vec![("ABCDE", Field::Choice(0))], "Latin letters"),
            (vec![("Д", Field::Choice(0))], "Latin letters"),
            (
                vec![("A", Field::Choice(0)), ("B", Field::Choice(0))],
                "another code",
            ),
            (vec![("A", Field::Choice(2))], "not 3"),
        ] {
            let e = Codebook::new(&codes, 2).unwrap_err().to_string();
            assert!(e.contains(why), "{codes:?}: {e}");
        }
    }
}
