//! The Kyrgyz 2020 station files published with Kloop's seat calculator
//! (KloopMedia/ParliamentCalculatorV2, commit 1e616c2780cdcad0b23065f31778c201b19174ef).
//!
//! One row per station, no station id: 16 party columns, `БААРЫНА КАРШЫ` ("against all"),
//! `total` (the sum of the 17 columns before it, read as valid ballots), `form2_percent` (a
//! decimal attribute; values outside 0..100 are warnings) and, in the 2413-row file,
//! `level_one` (the region). Counts are floats with rounding noise: a count within 1e-6 of a
//! whole number is accepted, any other is rejected. Stations are named by their data row.
//!
//! The files are the CEC's of one election, that of 4 October 2020 to the Jogorku Kenesh, held
//! under the 2020 law (`seats::preset` `kg2020`): an import gives the election that date and
//! law unless told otherwise, and the contest the election's name as the CEC writes it in its
//! Russian-language documents, Russian being the language of the data's unit names.

use model::{Choice, ChoiceKind, ControlRules, Line, UnitLevel};

use crate::layout::{CountSyntax, Dialect, Layout, Target};
use crate::FormatError;

/// The column for "against all" (Kyrgyz "баарына каршы").
const AGAINST_ALL: &str = "БААРЫНА КАРШЫ";

/// The election's name as the CEC writes it in Russian.
const CONTEST: &str = "Выборы депутатов Жогорку Кенеша Кыргызской Республики";

pub(crate) struct Kg2020;

impl Dialect for Kg2020 {
    fn layout(&self, file: &str, headers: &[String]) -> Result<Layout, FormatError> {
        let mut l = Layout::new(
            CountSyntax::NearInteger,
            ControlRules::kyrgyz_2020_files(),
            "Kyrgyzstan",
            CONTEST,
        );
        l.election = Some(("2020-10-04", "kg2020"));
        l.station_from_row = true;
        for h in headers {
            match h.as_str() {
                "total" => l.targets.push(Target::Line(Line::Valid)),
                "form2_percent" => l.attribute(h, true),
                "level_one" => l.targets.push(Target::Unit(UnitLevel::Region)),
                AGAINST_ALL => l.choice(Choice::new(h, ChoiceKind::AgainstAll)),
                _ => l.choice(Choice::new(h, ChoiceKind::Party)),
            }
        }
        l.validate(file, headers, &[(Target::Line(Line::Valid), "total")])?;
        Ok(l)
    }
}
