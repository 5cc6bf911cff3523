//! A quick count's observer assignments, one printable sheet per station: where to go, whether
//! as a sampled station or a reserve, and a form to copy the posted protocol into, line by
//! line, with the sample's commitment at the foot.

use maud::{html, Markup};
use model::Line;

use crate::{Lang, T};

/// One observer's station.
pub struct Sheet<'a> {
    /// The station's path.
    pub station: &'a str,
    /// Its stratum's name.
    pub stratum: &'a str,
    /// `Some(rank)` for a reserve.
    pub reserve: Option<u32>,
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
                    thead { tr { th scope="col" { (l.t(T::PvtColLine)) } th scope="col" { (l.t(T::PvtColNumber)) } } }
                    tbody {
                        @for x in s.lines { tr { th scope="row" { (crate::line(l, *x)) } td.box {} } }
                        @for c in s.choices { tr { th scope="row" { (l.f(T::PvtVotesFor, &[("choice", c)])) } td.box {} } }
                    }
                }
                p.sign { (l.t(T::PvtCopiedAt)) }
                p.sign { (l.t(T::PvtSignature)) }
                p.note { small { (l.f(T::PvtCommitment, &[("commitment", s.commitment), ("digest", s.digest)])) } }
            }
        }
    }
}
