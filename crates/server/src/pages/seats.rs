//! The seat allocation: a hemicycle of the seats, each party's votes, threshold tests and
//! seats, the closest margins in ballots, and the law's notes and sources.

use ::seats::{Check, Note};
use maud::{html, Markup};
use record::LawNote;
use ui::chart::{hemicycle, COLOURS};
use ui::{Heading, Lang, Section, T};

use super::{coverage, data_links, frame, urlencode};
use crate::data::Allocation;

/// A threshold test's result, in words.
fn check(l: Lang, c: &Check) -> ui::Tr {
    l.t(match c {
        Check::NotRequired => T::CheckNotRequired,
        Check::Exempt => T::CheckExempt,
        Check::Passed(_) => T::CheckPassed,
        Check::Failed(_) => T::CheckFailed,
        Check::NotCheckable(_) => T::CheckNotCheckable,
    })
}

/// Which threshold a margin is about (`national`, `regional (...)` as `seats` names them).
fn which(l: Lang, threshold: &str) -> ui::Tr {
    l.t(if threshold.starts_with("regional") {
        T::ThresholdRegional
    } else {
        T::ThresholdNational
    })
}

/// How the law was applied to the data, in the reader's language; the law's title and sources
/// are citations, shown as cited (in English, marked so).
fn law_note(l: Lang, n: &LawNote) -> Markup {
    let term = |t| l.t(t);
    match n {
        LawNote::Law {
            key,
            title,
            sources,
        } => html! {
            (l.f(T::NoteLaw, &[("key", key)])) " " span lang="en" { (title) "; " (sources) }
        },
        LawNote::Abroad { region } => html! { (l.f(T::NoteAbroad, &[("region", region)])) },
        LawNote::ValidFromChoices => html! { (term(T::NoteValidFromChoices)) },
        LawNote::ParticipatedFromValid => html! { (term(T::NoteParticipatedFromValid)) },
        LawNote::ParticipatedFromChoices => html! { (term(T::NoteParticipatedFromChoices)) },
    }
}

/// What the allocation or its margins note, in the reader's language.
fn note(l: Lang, n: &Note) -> ui::Tr {
    match n {
        Note::ImperialiPlusOne => l.t(T::NoteImperialiPlusOne),
        Note::ImperialiHare => l.t(T::NoteImperialiHare),
        Note::RegionalNotApplied { percent } => l.f(
            T::NoteRegionalNotApplied,
            &[("percent", &l.percent(percent))],
        ),
        Note::RegionalBaseListed => l.t(T::NoteRegionalBaseListed),
        Note::Capped { party, seats, cap } => l.f(
            T::NoteCapped,
            &[
                ("party", party),
                ("seats", &l.count(*seats)),
                ("cap", &l.count(*cap)),
            ],
        ),
        Note::NoListSeats => l.t(T::NoteNoListSeats),
        Note::QuotaNoPairMargins => l.t(T::NoteQuotaNoPairMargins),
        Note::AlliancesNoPairMargins => l.t(T::NoteAlliancesNoPairMargins),
        Note::CapNoPairMargins => l.t(T::NoteCapNoPairMargins),
        Note::DrawnByLot => l.t(T::NoteDrawnByLot),
    }
}

/// The seats page of an election under `law`.
pub fn seats(l: Lang, a: &Allocation, h: &Heading, law: &str) -> String {
    let (p, o, m) = (&a.problem, &a.outcome, &a.margins);
    let n = urlencode(&h.name);
    let here = format!("/elections/{n}/seats?law={}", urlencode(law));
    let mut holders: Vec<usize> = (0..o.parties.len())
        .filter(|&i| o.parties[i].seats > 0)
        .collect();
    holders.sort_by_key(|&i| std::cmp::Reverse(o.parties[i].seats));
    let colour = |k: usize| COLOURS[k % COLOURS.len()];
    let mut seat_colours = Vec::new();
    for (k, &i) in holders.iter().enumerate() {
        seat_colours.extend(std::iter::repeat_n(colour(k), o.parties[i].seats as usize));
    }
    let mut order: Vec<usize> = (0..o.parties.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(o.parties[i].seats),
            std::cmp::Reverse(o.parties[i].votes),
        )
    });
    let total: u64 = o.parties.iter().map(|x| x.seats).sum();
    let body = html! {
        p { (l.f(T::SeatsUnder, &[("law", law), ("source", ui::source(l, a.legal).as_str())])) " " (coverage(l, &a.country)) "." }
        (hemicycle(&seat_colours, &l.f(T::SeatsHemicycle, &[("seats", &l.count(total))])))
        div.scroll tabindex="0" { table {
            caption { (l.t(T::SeatsTable)) }
            thead { tr {
                th scope="col" { (l.t(T::ColParty)) } th.n scope="col" { (l.t(T::NavSeats)) }
                th.n scope="col" { (l.t(T::ColVotes)) }
                th scope="col" { (l.t(T::ColNational)) } th scope="col" { (l.t(T::ColRegional)) }
            } }
            tbody { @for &i in &order {
                @let x = &o.parties[i];
                tr {
                    td.name {
                        @if let Some(k) = holders.iter().position(|&h| h == i) {
                            span style=(format!("color:{}", colour(k))) aria-hidden="true" { "● " }
                        }
                        (x.name)
                    }
                    td.n { b { (l.count(x.seats)) } }
                    td.n { (l.count(x.votes)) }
                    td { (check(l, &x.national)) }
                    td { (check(l, &x.regional)) }
                }
            } }
        } }
        h2 { (l.t(T::MarginsHeading)) }
        ul {
            @if let Some(e) = &m.election {
                li { (l.f(T::MarginSeat, &[("ballots", &l.count(e.ballots)), ("from", &p.parties[e.winner]), ("to", &p.parties[e.loser])])) }
            }
            @for t in m.thresholds.iter().take(3) {
                li { (l.f(if t.passes { T::MarginBelow } else { T::MarginOver }, &[
                    ("party", &p.parties[t.party]), ("ballots", &l.count(t.ballots)), ("threshold", which(l, &t.threshold).as_str()),
                ])) }
            }
        }
        @if !(a.notes.is_empty() && a.outcome.notes.is_empty() && m.notes.is_empty()) {
            details {
                summary { (l.t(T::SeatsNotes)) }
                ul {
                    @for x in &a.notes { li { small { (law_note(l, x)) } } }
                    @for x in a.outcome.notes.iter().chain(&m.notes) { li { small { (note(l, x)) } } }
                }
            }
        }
        (data_links(l, &[("JSON", format!("/api/elections/{n}/seats?law={}", urlencode(law)))]))
    };
    frame(l, &here, Some(h), Section::Seats, l.t(T::NavSeats), body)
}

/// The seats page of an election that names no law: it says so, and offers the presets to
/// compute under anyway.
pub fn no_law(l: Lang, h: &Heading) -> String {
    let n = urlencode(&h.name);
    let body = html! {
        p { (l.t(T::NoLaw)) }
        p { (l.t(T::NoLawPresets)) }
        ul {
            @for key in ::seats::preset::KEYS.split(", ") {
                li { a href=(format!("/elections/{n}/seats?law={key}")) { (key) } }
            }
        }
        (data_links(l, &[("JSON", format!("/api/elections/{n}/seats"))]))
    };
    frame(
        l,
        &format!("/elections/{n}/seats"),
        Some(h),
        Section::Seats,
        l.t(T::NavSeats),
        body,
    )
}
