//! The public pages: maud templates over the `ui` crate's layout, in the reader's language
//! ([`crate::reader::Reader`]), every label from the glossary, every number in that language's
//! form, every total with what it covers. No JavaScript, but the station check's own script.

mod audits;
mod counts;
pub mod index;
mod results;
mod revotes;
mod seats;
mod unit;
mod units;
mod verify;

pub use audits::audits;
pub use counts::counts;
pub use index::index;
pub use results::results;
pub use revotes::revotes;
pub use seats::seats;
pub use unit::unit;
pub use units::units;
pub use verify::verify;

use maud::{html, Markup};
use readmodel::View;
use ui::{Heading, Lang, Section, Status, Tr, T};

pub use ui::urlencode;

/// A page of this service in the reader's language.
pub(crate) fn frame(
    l: Lang,
    here: &str,
    election: Option<&Heading>,
    section: Section,
    title: Tr,
    body: Markup,
) -> String {
    ui::Page {
        lang: l,
        title,
        here,
        election,
        section,
        body,
    }
    .render()
}

/// What every page of an election says about it, from its replayed log.
pub(crate) fn heading(v: &View<'_>, name: &str) -> Heading {
    let e = v.election();
    let annulled = v.election_annulled();
    let as_of = crate::data::AsOf::of(v);
    let status = match (annulled, as_of.certified) {
        (true, _) => Status::Annulled,
        (false, true) => Status::Certified,
        (false, false) => Status::Preliminary,
    };
    let country = model::UnitId(0);
    let annul = record::DecisionKind::AnnulElection.key();
    let annulment = annulled
        .then(|| v.logged(country).ok())
        .flatten()
        .and_then(|logged| {
            logged
                .iter()
                .rev()
                .find(|x| matches!(x.about, readmodel::About::Decision(k) if k == annul))
                .map(|x| ui::Annulment {
                    entry: x.index,
                    link: format!("/elections/{}/units/0#entry-{}", urlencode(name), x.index),
                })
        });
    Heading {
        name: name.to_string(),
        title: e
            .contests
            .first()
            .map_or_else(|| name.to_string(), |c| c.name.clone()),
        date: e.date.clone(),
        status,
        size: as_of.size,
        time: as_of.time.map(|t| t.to_string()),
        annulment,
        revote_of: None,
    }
}

/// What a unit's totals cover: the stations counted, annulled and reporting.
pub(crate) fn coverage(l: Lang, t: &tabulate::Totals) -> Tr {
    match t.annulled {
        0 => l.f(
            T::CoverageReporting,
            &[
                ("reporting", &l.count(t.reporting)),
                ("stations", &l.count(t.stations)),
            ],
        ),
        a => l.f(
            T::CoverageAnnulled,
            &[
                ("counted", &l.count(t.stations)),
                ("annulled", &l.count(a)),
                ("all", &l.count(t.stations + a)),
                ("reporting", &l.count(t.reporting)),
            ],
        ),
    }
}

/// The turnout with what it covers: in bold only when every counted station reports it.
pub(crate) fn turnout(l: Lang, t: &tabulate::Totals) -> Markup {
    match t.turnout() {
        None => html! { (l.t(T::TurnoutUnknown)) },
        Some(ratio) if t.turnout_stations == t.stations => html! {
            (l.t(T::Turnout)) ": " b { (l.percent(&ratio.percent(2))) } " "
            small { "(" (l.t(T::TurnoutEveryStation)) ")" }
        },
        Some(ratio) => html! {
            (l.f(T::TurnoutPartial, &[
                ("some", &l.count(t.turnout_stations)),
                ("counted", &l.count(t.stations)),
                ("turnout", &l.percent(&ratio.percent(2))),
            ]))
        },
    }
}

/// A unit level's name.
pub(crate) fn level(l: Lang, level: model::UnitLevel) -> Tr {
    use model::UnitLevel as U;
    l.t(match level {
        U::Country => T::LevelCountry,
        U::Region => T::LevelRegion,
        U::Constituency => T::LevelConstituency,
        U::District => T::LevelDistrict,
        U::Station => T::LevelStation,
    })
}

/// The share `part / whole` in the page's language, exact, 2 decimals.
pub(crate) fn share(l: Lang, part: u64, whole: u64) -> String {
    l.share(part, whole, 2)
}

/// Machine-readable links under a page: `(label, href)`.
pub(crate) fn data_links(l: Lang, links: &[(&str, String)]) -> Markup {
    html! {
        p.note { (l.t(T::DataLinks)) " "
            @for (i, (label, href)) in links.iter().enumerate() {
                @if i > 0 { " · " }
                a href=(href) { (label) }
            }
        }
    }
}
