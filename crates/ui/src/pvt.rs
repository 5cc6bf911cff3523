//! A quick count's observer assignments, one printable sheet per station: where to go, whether
//! as a sampled station or a reserve, and a form to copy the posted protocol into, line by
//! line, with the sample's commitment at the foot.

use maud::{html, Markup};
use model::Line;

use observe::codes::{Codebook, Field};

use crate::{Lang, T};

/// One observer's station.
pub struct Sheet<'a> {
    /// The station's path.
    pub station: &'a str,
    /// Its stratum's name.
    pub stratum: &'a str,
    /// `Some(rank)` for a reserve.
    pub reserve: Option<u32>,
    /// The station's number in an SMS report (`observe::numbers`), where it has one.
    pub sms: Option<&'a str>,
}

/// Every sheet of a design.
pub struct Sheets<'a> {
    /// The election's name.
    pub election: &'a str,
    /// The contest's name.
    pub contest: &'a str,
    /// The protocol's lines, in order.
    pub lines: &'a [Line],
    /// The contest's choices, in ballot order.
    pub choices: &'a [String],
    /// The seed's SHA-256.
    pub commitment: &'a str,
    /// The frame's digest.
    pub digest: &'a str,
    /// The sheets, sampled stations first.
    pub sheets: Vec<Sheet<'a>>,
    /// The codes of an SMS report (`docs/sms.md`).
    pub codes: &'a Codebook,
}

impl Sheets<'_> {
    /// The lines a sheet asks for: the protocol's, then those an SMS report has a code for
    /// and the protocol does not (its ballots issued in all, where it has their parts).
    fn rows(&self) -> Vec<Line> {
        let mut rows = self.lines.to_vec();
        for (_, field) in self.codes.codes() {
            if let Field::Line(l) = *field {
                if !rows.contains(&l) {
                    rows.push(l);
                }
            }
        }
        rows
    }
}

/// The self-contained printable page.
pub fn standalone(l: Lang, s: &Sheets) -> String {
    crate::layout::standalone(l, l.t(T::PvtSheetsTitle), body(l, s))
}

fn body(l: Lang, s: &Sheets) -> Markup {
    html! {
        p { (l.t(T::PvtSheetsIntro)) }
        @for sheet in &s.sheets {
            section.sheet {
                h2 { (l.t(T::PvtStation)) ": " (sheet.station) }
                p { (l.f(T::PvtElection, &[("election", s.election), ("contest", s.contest)])) }
                p { (l.f(T::PvtStratum, &[("stratum", sheet.stratum)])) }
                p { b { @match sheet.reserve {
                    None => (l.t(T::PvtRoleSample)),
                    Some(rank) => (l.f(T::PvtRoleReserve, &[("rank", &rank.to_string())])),
                } } }
                table.copy {
                    thead { tr {
                        th scope="col" { (l.t(T::PvtColLine)) }
                        th scope="col" { (l.t(T::PvtColSms)) }
                        th scope="col" { (l.t(T::PvtColNumber)) }
                    } }
                    tbody {
                        @for x in s.rows() { tr {
                            th scope="row" { (crate::line(l, x)) }
                            td.code { (s.codes.code(Field::Line(x)).unwrap_or("")) }
                            td.box {}
                        } }
                        @for (k, c) in s.choices.iter().enumerate() { tr {
                            th scope="row" { (l.f(T::PvtVotesFor, &[("choice", c)])) }
                            td.code { (s.codes.code(Field::Choice(k)).unwrap_or("")) }
                            td.box {}
                        } }
                    }
                }
                @if let Some(number) = sheet.sms {
                    p.sms { (l.f(T::PvtSmsMessage, &[("message", &observe::sms::template(number, s.codes))])) }
                }
                p.sign { (l.t(T::PvtCopiedAt)) }
                p.sign { (l.t(T::PvtSignature)) }
                p.note { small { (l.f(T::PvtCommitment, &[("commitment", s.commitment), ("digest", s.digest)])) } }
            }
        }
    }
}
