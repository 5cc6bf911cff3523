//! The public pages: maud templates over the `ui` crate's layout, in the reader's language
//! ([`crate::reader::Reader`]), every label from the glossary, every number in that language's
//! form, every total with what it covers. No JavaScript, but the station check's own script.

mod audits;
mod complaints;
mod counts;
mod forensics;
pub(crate) mod incidents;
pub mod index;
pub(crate) mod posted;
mod results;
mod revotes;
mod scan;
mod seats;
mod unit;
mod units;
mod verify;

pub use audits::{audits, retrieval};
pub(crate) use audits::{claim, method, superseded, targeted};
pub use complaints::complaints;
pub(crate) use complaints::{
    card as complaint_card, category, status, summary as register_summary,
};
pub use counts::counts;
pub use forensics::forensics;
pub(crate) use incidents::incidents;
pub use index::index;
pub use results::{results, ROWS};
pub use revotes::revotes;
pub use scan::scan;
pub use seats::{no_law, seats};
pub(crate) use ui::source;
pub(crate) use unit::decision;
pub use unit::unit;
pub use units::{units, Example};
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
    let title = e
        .contests
        .first()
        .map_or_else(|| name.to_string(), |c| c.name.clone());
    heading_of(
        name,
        title,
        e.date.clone(),
        v.status(),
        &crate::data::AsOf::of(v),
        None,
    )
}

/// The heading of an election in the list, from its context.
pub(crate) fn listed(c: &crate::data::context::Context) -> Heading {
    let revote = c
        .revote_of
        .as_ref()
        .map(|r| format!("{}: {}", r.election, r.path.join(" / ")));
    heading_of(
        &c.name,
        c.title.clone(),
        c.date.clone(),
        &c.status,
        &c.as_of,
        revote,
    )
}

fn heading_of(
    name: &str,
    title: String,
    date: Option<String>,
    status: &record::Status,
    as_of: &crate::data::AsOf,
    revote_of: Option<String>,
) -> Heading {
    let (status, annulment) = match status {
        record::Status::Open => (Status::Open, None),
        record::Status::Preliminary { .. } => (Status::Preliminary, None),
        record::Status::Certified { .. } => (Status::Certified, None),
        record::Status::Annulled { decision, .. } => (
            Status::Annulled,
            Some(ui::Annulment {
                entry: *decision,
                link: format!("/elections/{}/units/0#entry-{decision}", urlencode(name)),
            }),
        ),
    };
    Heading {
        name: name.to_string(),
        title,
        date,
        status,
        size: as_of.size,
        time: as_of.time.map(|t| t.to_string()),
        annulment,
        revote_of,
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

/// The line a law's national threshold draws on the results' bars: the least votes that
/// reach it on the law's base (`record::national_threshold`, over the totals the state already
/// has), and what it is in words. `None` when the election has no law, the law no national
/// threshold, or its base is not known from the protocols.
pub(crate) fn threshold(l: Lang, v: &View<'_>) -> Option<ui::chart::Threshold> {
    let law = ::seats::preset::law(v.law()?).ok()?;
    let country = v.tally().ok()?.totals(v.election().units.root());
    let t = record::national_threshold(v.election(), &country, &law)?;
    let base = l.t(match t.base {
        ::seats::Base::Valid => T::BaseValid,
        ::seats::Base::Participated => T::BaseParticipated,
        ::seats::Base::Registered => T::BaseRegistered,
        ::seats::Base::Listed => T::BaseListed,
    });
    Some(ui::chart::Threshold {
        votes: t.least,
        label: l.f(
            match t.approximated {
                None => T::ThresholdLine,
                Some(_) => T::ThresholdLineApproximate,
            },
            &[
                ("pct", &l.percent(&t.share.percent(2))),
                ("base", base.as_str()),
                ("of", &l.count(t.base_votes)),
                ("votes", &l.count(t.least)),
            ],
        ),
    })
}
