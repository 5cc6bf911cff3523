//! What each column of a station CSV means: the part of an importer that differs between
//! dialects. The row loop in `csvin` is shared.

use model::names::shown;
use model::{Choice, ChoiceKind, ContestKind, ControlRules, Line, UnitLevel};

use crate::names::{bad_name, look_alikes, looks_like};
use crate::FormatError;

/// What one column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A component of the station's path in the unit tree.
    Unit(UnitLevel),
    /// A protocol line.
    Line(Line),
    /// Votes for a choice (index into the contest's choices).
    Choice(usize),
    /// Another count line, kept by name (index into `Layout::extra`).
    Extra(usize),
    /// A decimal attribute (index into `Layout::attributes`); percentages are range-checked.
    Attribute { index: usize, percent: bool },
    /// `manual` or `machine`.
    Source,
    /// Where the protocol was published (a URL or a scan's hash).
    Reference,
    /// The contest's name, the same on every row.
    ContestName,
    /// Nothing we keep.
    Ignore,
}

/// How counts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CountSyntax {
    /// Plain non-negative integers.
    Integer,
    /// Floats that must lie within [`NEAR_INTEGER`] of a non-negative integer.
    NearInteger,
}

/// How far from an integer a float count may be (the Kyrgyz 2020 files carry rounding noise
/// up to 3e-13).
pub(crate) const NEAR_INTEGER: f64 = 1e-6;

/// A dialect's reading of a header.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub targets: Vec<Target>,
    pub choices: Vec<Choice>,
    pub extra: Vec<String>,
    pub attributes: Vec<String>,
    pub counts: CountSyntax,
    pub rules: ControlRules,
    pub country: &'static str,
    pub contest: &'static str,
    /// The date of the vote and its law preset, where every file of the format is of one
    /// election (the Kyrgyz 2020 files).
    pub election: Option<(&'static str, &'static str)>,
    /// Name each station by its 1-based data row (files without station ids).
    pub station_from_row: bool,
    /// Where the station cell is empty, name the station after this level's cell instead.
    pub empty_station_uses: Option<UnitLevel>,
}

impl Layout {
    /// An empty layout with the given defaults.
    pub fn new(
        counts: CountSyntax,
        rules: ControlRules,
        country: &'static str,
        contest: &'static str,
    ) -> Layout {
        Layout {
            targets: Vec::new(),
            choices: Vec::new(),
            extra: Vec::new(),
            attributes: Vec::new(),
            counts,
            rules,
            country,
            contest,
            election: None,
            station_from_row: false,
            empty_station_uses: None,
        }
    }

    /// Adds a choice column.
    pub fn choice(&mut self, choice: Choice) {
        self.targets.push(Target::Choice(self.choices.len()));
        self.choices.push(choice);
    }

    /// Adds an extra count column.
    pub fn extra(&mut self, name: &str) {
        self.targets.push(Target::Extra(self.extra.len()));
        self.extra.push(name.to_string());
    }

    /// Adds an attribute column.
    pub fn attribute(&mut self, name: &str, percent: bool) {
        self.targets.push(Target::Attribute {
            index: self.attributes.len(),
            percent,
        });
        self.attributes.push(name.to_string());
    }

    /// The contest kind its choices imply.
    pub fn contest_kind(&self) -> ContestKind {
        if self.choices.iter().any(|c| c.kind == ChoiceKind::Party) {
            ContestKind::PartyList
        } else if self.choices.iter().any(|c| c.kind == ChoiceKind::Answer) {
            ContestKind::Referendum
        } else {
            ContestKind::SingleMember
        }
    }

    /// Checks that the layout maps each line and unit level at most once, has the required
    /// columns and at least one choice, that every name a header gives is fit to show
    /// ([`bad_name`]), and that no two choices look alike (one choice's votes split over two
    /// columns that differ only in case, quotation marks, invisible characters or look-alike
    /// letters).
    pub fn validate(
        &self,
        file: &str,
        headers: &[String],
        required: &[(Target, &str)],
    ) -> Result<(), FormatError> {
        for (i, t) in self.targets.iter().enumerate() {
            if matches!(
                t,
                Target::Ignore | Target::Choice(_) | Target::Extra(_) | Target::Attribute { .. }
            ) {
                continue;
            }
            if let Some(j) = self.targets[..i].iter().position(|u| u == t) {
                return Err(FormatError::at(
                    file,
                    Some(1),
                    Some(i as u64 + 1),
                    Some(&headers[i]),
                    format!("means the same as column {} ('{}')", j + 1, headers[j]),
                ));
            }
        }
        self.validate_names(file, headers)?;
        for (r, what) in required {
            if !self.targets.contains(r) {
                return Err(FormatError::at(
                    file,
                    Some(1),
                    None,
                    None,
                    format!("missing column: {what}{}", delimiter_hint(headers)),
                ));
            }
        }
        if self.choices.is_empty() {
            return Err(FormatError::at(
                file,
                Some(1),
                None,
                None,
                format!(
                    "no choice columns (parties or candidates){}",
                    delimiter_hint(headers)
                ),
            ));
        }
        Ok(())
    }

    fn validate_names(&self, file: &str, headers: &[String]) -> Result<(), FormatError> {
        let at = |i: usize, message: String| {
            FormatError::at(
                file,
                Some(1),
                Some(i as u64 + 1),
                Some(&headers[i]),
                message,
            )
        };
        let mut choice_columns = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            let (what, name) = match *t {
                Target::Choice(c) => {
                    choice_columns.push(i);
                    ("choice", self.choices[c].name.as_str())
                }
                Target::Extra(x) => ("count", self.extra[x].as_str()),
                Target::Attribute { index, .. } => ("attribute", self.attributes[index].as_str()),
                _ => continue,
            };
            if let Some(message) = bad_name(what, name) {
                return Err(at(i, message));
            }
        }
        if let Some((a, b)) = look_alikes(self.choices.iter().map(|c| c.name.as_str())) {
            let (first, second) = (choice_columns[a], choice_columns[b]);
            let other = format!("column {} ('{}')", first + 1, shown(&headers[first]));
            return Err(at(second, looks_like(&self.choices[b].name, &other)));
        }
        Ok(())
    }
}

/// A hint when a one-column header looks separated by something other than commas.
pub(crate) fn delimiter_hint(headers: &[String]) -> String {
    if headers.len() != 1 {
        return String::new();
    }
    for (d, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")] {
        if headers[0].contains(d) {
            return format!(
                " (the header is one column holding {name}: the file must be comma-separated)"
            );
        }
    }
    String::new()
}

/// Reads a header into a layout.
pub(crate) trait Dialect {
    /// Maps every column of the header.
    fn layout(&self, file: &str, headers: &[String]) -> Result<Layout, FormatError>;
}
